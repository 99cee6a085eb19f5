"""Load the bundled demo data (``umr.demo``) into a registry."""

from __future__ import annotations

from umr.registry.advisories import load_advisory
from umr.registry.store import Registry
from umr.spec.source import iter_yaml_files


def load_demo(url: str) -> dict[str, int]:
    """Publish every demo record and advisory into ``url``; idempotent. Returns counts."""
    from umr.demo import advisories_dir, records_dir

    with Registry(url) as reg:
        result = reg.publish([records_dir()])
        files = list(iter_yaml_files(advisories_dir()))
        for path in files:
            reg.add_advisory(load_advisory(path))
    return {
        "published": len(result.published),
        "unchanged": len(result.unchanged),
        "advisories": len(files),
    }
