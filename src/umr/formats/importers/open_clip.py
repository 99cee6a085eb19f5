"""``umr import open-clip``: every ``model/pretrained`` pair of an installed open_clip.

open_clip lists its weights in ``open_clip/pretrained.py`` as ``_PRETRAINED`` (model name ->
tag -> config with ``hf_hub`` and ``url``), built at import time with helper functions and a
loop that adds ``-quickgelu`` twins. It is read statically, as timm is. Pairs that load the
same weights (a model and its ``-quickgelu`` twin) become one record with an alias for each
pair; the record is named ``open-clip-<model>.<tag>`` (model in lower case) and its training
data comes from the tag (:mod:`._zoo`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from umr.errors import NotFoundError, RecordError
from umr.formats.importers import ImportResult, register
from umr.formats.importers._common import compact
from umr.formats.importers._pystatic import module_namespace
from umr.formats.importers._zoo import Unread, read_tag, training_edges
from umr.formats.importers._zoo import family_record as zoo_family
from umr.formats.importers.timm import cached, finish, package_dir

PREFIX = "open-clip-"


def read_pairs(root: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """``(model, tag) -> config`` for every pretrained pair of the open_clip package at ``root``."""
    path = root / "pretrained.py"
    if not path.is_file():
        raise NotFoundError(f"{root} has no pretrained.py: not an open_clip package")
    try:
        names = module_namespace(path.read_text(encoding="utf-8"), str(path))
    except SyntaxError as exc:
        raise RecordError(f"{path}:{exc.lineno}: does not parse ({exc.msg})") from None
    table = names.get("_PRETRAINED")
    if not isinstance(table, dict):
        raise RecordError(f"{path}: _PRETRAINED could not be read ({table!r})")
    return {
        (model, tag): cfg
        for model, tags in table.items()
        if isinstance(model, str) and isinstance(tags, dict)
        for tag, cfg in tags.items()
        if isinstance(tag, str) and isinstance(cfg, dict)
    }


def _source(cfg: dict[str, Any]) -> tuple[str | None, str | None]:
    """(Hugging Face repo id, download URL) of a pair's weights."""
    hub, url = cfg.get("hf_hub"), cfg.get("url")
    hub = hub.strip("/") if isinstance(hub, str) and hub.strip("/") else None
    url = url if isinstance(url, str) and url.startswith("http") else None
    return hub, url


def pair_record(
    pairs: list[tuple[str, str]], cfg: dict[str, Any], unread: Unread
) -> dict[str, Any]:
    model, tag = pairs[0]
    reading = read_tag(tag)
    unread.add(f"{model}/{tag}", reading)
    hub, url = _source(cfg)
    aliases = [f"open_clip:{m}/{t}" for m, t in pairs]
    if hub and hub.count("/") == 1:
        aliases.append(f"hf:{hub}")
    return compact(
        {
            "umr": 1,
            "name": f"{PREFIX}{model.lower()}.{tag}",
            "version": "1.0.0",
            "kind": "model",
            "title": f"{model} / {tag} (open_clip)",
            "summary": f"open_clip's {tag!r} weights for the {model} model"
            + (f", also loaded as {', '.join(m for m, _ in pairs[1:])}." if pairs[1:] else "."),
            "aliases": aliases,
            "upstream": [
                {"ref": PREFIX + model.lower(), "relation": "member_of"},
                *training_edges(reading),
            ],
            "artifacts": [{"uri": u} for u in (hub and f"hf://{hub}", url) if u],
            "references": [{"url": "https://github.com/mlfoundations/open_clip"}],
            "tags": ["open_clip", "image-text"],
            "task": "zero-shot-image-classification",
            "extensions": {
                "open_clip": compact(
                    {
                        "tag": tag,
                        "quick_gelu": cfg.get("quick_gelu")
                        if isinstance(cfg.get("quick_gelu"), bool)
                        else None,
                        "tag_labels": list(reading.labels),
                        "uninterpreted": list(reading.unread),
                    }
                )
            },
        }
    )


def family_record(model: str) -> dict[str, Any]:
    return zoo_family(
        PREFIX + model.lower(),
        f"{model} (open_clip model)",
        f"The pretrained weights open_clip publishes for its {model} model.",
        "https://github.com/mlfoundations/open_clip",
        ["open_clip", "image-text"],
    )


def group_pairs(
    pairs: dict[tuple[str, str], dict[str, Any]],
) -> list[tuple[list[tuple[str, str]], dict[str, Any]]]:
    """Pairs grouped by the weights they load (same repo or URL), first-listed pair first."""
    groups: dict[Any, tuple[list[tuple[str, str]], dict[str, Any]]] = {}
    for pair, cfg in pairs.items():
        key: Any = _source(cfg)
        if key == (None, None):
            key = pair  # nothing to compare by: a record of its own
        groups.setdefault(key, ([], cfg))[0].append(pair)
    return list(groups.values())


@register("open-clip")
def import_open_clip(path: Path | None = None) -> ImportResult:
    root = package_dir(path, "open_clip")
    if not (root / "pretrained.py").is_file():
        raise NotFoundError(f"{root} has no pretrained.py: not an open_clip package")
    return cached([root / "pretrained.py"], lambda: _import_open_clip(root))


def _import_open_clip(root: Path) -> ImportResult:
    result = ImportResult()
    unread = Unread()
    pairs = read_pairs(root)
    records: list[dict[str, Any]] = []
    families: dict[str, None] = {}
    for group, cfg in group_pairs(pairs):
        if _source(cfg) == (None, None):
            result.lost.append(f"{root}: {group[0][0]}/{group[0][1]} names no weights; skipped")
            continue
        records.append(pair_record(group, cfg, unread))
        families.update(dict.fromkeys(m for m, _ in group[:1]))
    records += [family_record(m) for m in families]
    finish(result, records, unread, str(root))
    return result
