"""Run as a script: import the real timm and open_clip and write their weight registries as
JSON, so the static readers can be checked against what the packages themselves report.

timm and open_clip import torchvision (and open_clip ftfy and regex) at module level for their image
and text transforms; none of that code runs when listing pretrained weights. Where those
packages are not installed, empty stand-in modules take their place so that the registries,
which are the packages' own code, can load.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import json
import sys
from types import ModuleType
from typing import Any
from unittest import mock

_MISSING = {n for n in ("torchvision", "ftfy", "regex") if importlib.util.find_spec(n) is None}


class _StandIn(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name.split(".")[0] in _MISSING:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module: Any = mock.MagicMock(name=spec.name)
        module.__path__, module.__spec__, module.__name__ = [], spec, spec.name
        module.__version__ = "0.0.0"
        return module

    def exec_module(self, module: ModuleType) -> None:
        pass


def main(out: str) -> None:
    sys.meta_path.insert(0, _StandIn())
    import open_clip
    import timm
    from timm.models import get_pretrained_cfg

    tags: dict[str, Any] = {}
    for key in timm.list_pretrained():
        cfg, default = get_pretrained_cfg(key), get_pretrained_cfg(key.partition(".")[0])
        assert cfg is not None and default is not None
        tags[key] = {
            "hf_hub_id": cfg.hf_hub_id,
            "license": cfg.license,
            "paper_ids": cfg.paper_ids,
            "origin_url": cfg.origin_url,
            "url": cfg.url or None,
            "default": default.tag == key.partition(".")[2],
        }
    pairs = {
        f"{m}/{t}": {
            k: open_clip.get_pretrained_cfg(m, t).get(k) or None for k in ("hf_hub", "url")
        }
        for m, t in open_clip.list_pretrained()
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"timm": tags, "open_clip": pairs, "stand_ins": sorted(_MISSING)}, f)


if __name__ == "__main__":
    main(sys.argv[1])
