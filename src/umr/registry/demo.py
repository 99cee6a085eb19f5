"""Load the bundled demo data (``umr.demo``) into a registry."""

from __future__ import annotations

from collections.abc import Sequence

from umr.errors import NotFoundError
from umr.registry.advisories import load_advisory
from umr.registry.store import Registry
from umr.spec.source import iter_yaml_files


def load_demo(target: str | Registry, with_: Sequence[str] = ()) -> dict[str, int]:
    """Publish every demo record and advisory into ``target`` (a URL, opened and closed here,
    or an open registry, left open); idempotent. Returns counts.

    ``with_`` names installed model zoos (``timm``, ``open-clip``) whose weights are imported
    and published too, linked to the demo's datasets, each set of weights once."""
    from umr.demo import advisories_dir, records_dir

    zoos = _zoos(with_)
    if isinstance(target, str):
        with Registry(target) as reg:
            return load_demo(reg, with_)
    reg = target
    result = reg.publish([records_dir()])
    files = list(iter_yaml_files(advisories_dir()))
    for path in files:
        reg.add_advisory(load_advisory(path))
    counts = {
        "published": len(result.published),
        "unchanged": len(result.unchanged),
        "advisories": len(files),
    }
    if zoos:
        counts |= _publish_zoos(reg, zoos)
    return counts


def _zoos(with_: Sequence[str]) -> list[str]:
    from umr.formats.importers.zoo import ZOOS

    unknown = [z for z in with_ if z not in ZOOS]
    if unknown:
        raise NotFoundError(
            f"no model zoo {', '.join(map(repr, unknown))}; known: {', '.join(ZOOS)}",
            hint="run 'umr demo load --with timm --with open-clip'",
        )
    return [z for z in ZOOS if z in with_]  # timm first: open_clip reuses its records


def _publish_zoos(reg: Registry, zoos: list[str]) -> dict[str, int]:
    from umr.demo import records_dir
    from umr.formats.importers.zoo import zoo_batch
    from umr.spec import Workspace, parse_record
    from umr.spec.aliases import record_keys

    known = {
        key: record.name
        for record in Workspace(records_dir()).records()
        for key in record_keys(
            [str(a) for a in record.aliases or ()], (a.uri for a in record.artifacts or ())
        )
    }
    batch = zoo_batch(zoos, known)
    records = [parse_record(r, source=f"umr import {'/'.join(zoos)}") for r in batch.records]
    result = reg.publish(records)
    return {
        "zoo_published": len(result.published),
        "zoo_unchanged": len(result.unchanged),
        "zoo_edges": sum(len(r.edges()) for r in records),
        "zoo_unread": sum(1 for line in batch.lost if "is not interpreted" in line),
    }
