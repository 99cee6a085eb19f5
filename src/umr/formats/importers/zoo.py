"""Several model zoos imported as one batch, without duplicating weights.

open_clip and timm publish many of the same weights (open_clip's ``ViT-B-32/laion2b_e16``
loads the Hub repo ``timm/vit_base_patch32_clip_224.laion2b_e16``), and the demo registry
already holds some (``openclip-vit-b-32-laion2b``). Weights are the same when their Hugging
Face repos are: a later record with a repo already claimed is not imported again; when the
earlier record is in this batch, it takes the later one's aliases, so code naming either
resolves to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from umr.formats.importers import ImportResult, read
from umr.spec.aliases import record_keys

ZOOS = ("timm", "open-clip")


def _keys(record: dict[str, Any]) -> list[str]:
    return record_keys(
        record.get("aliases") or (), (a["uri"] for a in record.get("artifacts") or ())
    )


def zoo_batch(kinds: Iterable[str], known: Mapping[str, str] | None = None) -> ImportResult:
    """The records of the installed zoos ``kinds`` (in order), each set of weights once.

    ``known`` maps alias keys (``hf:org/name``, ``open_clip:Model/tag``) to the records that
    already hold them: a zoo record answering to any of them is not imported."""
    out = ImportResult()
    # alias key -> (record, the zoo it came from; "" for known records)
    claimed: dict[str, tuple[str, str]] = {k: (v, "") for k, v in (known or {}).items()}
    batch: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        result = read(kind, None)
        out.lost += result.lost
        for record in result.records:
            if record["name"] in batch:
                continue  # a dataset record both zoos ship
            keys = _keys(record)
            # a record already holding any of its names (known), or another zoo's record with its
            # repo; weights of one zoo that share a repo (different files) stay apart
            same = next(
                (
                    claimed[k][0]
                    for k in keys
                    if k in claimed
                    and (claimed[k][1] == "" or (k.startswith("hf:") and claimed[k][1] != kind))
                ),
                None,
            )
            if record["kind"] == "model" and same is not None:
                if same in batch:
                    have = batch[same].setdefault("aliases", [])
                    have += [a for a in record.get("aliases") or () if a not in have]
                else:
                    out.lost.append(
                        f"{kind}: {record['name']} loads the same weights as {same}, which is "
                        "already recorded; not imported again"
                    )
                continue
            batch[record["name"]] = record
            for key in keys:  # the first record to name a repo keeps it
                claimed.setdefault(key, (record["name"], kind))
    members = {e["ref"] for r in batch.values() for e in r.get("upstream") or ()}
    out.records = [r for r in batch.values() if r["kind"] != "family" or r["name"] in members]
    return out
