"""``umr import timm``: every pretrained tag of an installed timm as a record.

timm keeps its pretrained weights as ``default_cfgs`` in each ``timm/models/*.py`` (an
``arch.tag`` key per set of weights, with its Hugging Face repo id, license, paper ids and
origin URL). timm cannot be imported here (it needs torchvision), so the files are read
statically (:mod:`umr.formats.importers._pystatic`); the result is the list that
``timm.list_pretrained()`` gives, checked against it in the tests. Each tag becomes a model
record named ``timm-<arch>.<tag>`` with its training data read from the tag (:mod:`._zoo`),
each architecture a family record ``timm-<arch>``.
"""

from __future__ import annotations

import ast
import copy
import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from umr.errors import NotFoundError, RecordError, UmrError
from umr.formats.importers import ImportResult, register
from umr.formats.importers._common import compact
from umr.formats.importers._pystatic import Unknown, decorated_functions, module_namespace
from umr.formats.importers._zoo import Unread, datasets_for, read_tag, training_edges
from umr.formats.importers._zoo import family_record as zoo_family
from umr.spec.aliases import Alias

PREFIX = "timm-"
_FIELDS = ("url", "file", "hf_hub_id", "license", "paper_ids", "paper_name", "origin_url")


@dataclass(frozen=True, kw_only=True)
class Weights:
    """One pretrained tag as timm lists it."""

    arch: str
    tag: str
    cfg: dict[str, Any]
    default: bool  # the tag timm.create_model(arch, pretrained=True) loads

    @property
    def key(self) -> str:
        return f"{self.arch}.{self.tag}"

    @property
    def hub_id(self) -> str | None:
        hub = self.cfg.get("hf_hub_id")
        if not isinstance(hub, str) or not hub:
            return None
        return hub + self.key if hub == "timm/" else hub.rstrip("/")


_CACHE: dict[tuple[Any, ...], ImportResult] = {}


def cached(files: list[Path], build: Callable[[], ImportResult]) -> ImportResult:
    """``build()``, remembered for this process until one of ``files`` changes; a copy each
    time (callers may change what they get)."""
    key = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    if key not in _CACHE:
        if len(_CACHE) >= 4:  # a few packages at most; old versions of them are dropped
            _CACHE.clear()
        _CACHE[key] = build()
    return copy.deepcopy(_CACHE[key])


def package_dir(path: Path | None, module: str) -> Path:
    """The installed package folder of ``module`` (found without importing it), or ``path``."""
    if path is not None:
        return path
    spec = importlib.util.find_spec(module)  # a top-level name: nothing is executed
    if spec is None or not spec.submodule_search_locations:
        raise NotFoundError(
            f"{module} is not installed here",
            hint=f"pip install --no-deps {module}, or pass the package folder as PATH",
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _is_pretrained(cfg: Any) -> bool:
    return isinstance(cfg, dict) and any(
        isinstance(cfg.get(k), str) and cfg[k] for k in ("url", "file", "hf_hub_id")
    )


def _defaults(keys: list[str], cfgs: dict[str, Any]) -> dict[str, str]:
    """arch -> default tag, by timm's rule: an untagged key or a tag ending in '*' with weights
    wins, else the first tag with weights."""
    out: dict[str, str] = {}
    marked: set[str] = set()
    for key in keys:
        arch, _, tag = key.partition(".")
        if not _is_pretrained(cfgs[key]):
            continue
        if (not tag or tag.endswith("*")) and arch not in marked:
            out[arch] = tag.strip("*")
            marked.add(arch)
        elif arch not in out:
            out[arch] = tag.strip("*")
    return out


def read_weights(
    root: Path, result: ImportResult, renamed: dict[str, str] | None = None
) -> Iterator[Weights]:
    """Every pretrained tag of the timm package at ``root``, in timm's order; ``renamed``
    collects the deprecated model names timm still accepts (old -> new)."""
    renamed = {} if renamed is None else renamed
    models = root / "models"
    if not models.is_dir():
        raise NotFoundError(f"{root} has no models/ folder: not a timm package")
    for path in sorted(models.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "default_cfgs" not in source:
            continue
        try:
            tree = ast.parse(source, filename=str(path))
            names = module_namespace(
                tree,
                str(path),
                {
                    "generate_default_cfgs": lambda cfgs: cfgs,
                    "register_model_deprecations": lambda _, m: renamed.update(
                        {k: v for k, v in m.items() if isinstance(k, str) and isinstance(v, str)}
                    ),
                },
            )
        except SyntaxError as exc:
            result.lost.append(f"{path}:{exc.lineno}: does not parse ({exc.msg}); skipped")
            continue
        cfgs = names.get("default_cfgs")
        if not isinstance(cfgs, dict):
            if "default_cfgs" in names:
                result.lost.append(f"{path}: default_cfgs could not be read ({cfgs!r})")
            continue
        registered = set(decorated_functions(tree, str(path), "register_model"))
        keys = [k for k in cfgs if isinstance(k, str)]
        defaults = _defaults(keys, cfgs)
        for key in keys:
            arch, _, tag = key.partition(".")
            tag = tag.strip("*")
            if arch not in registered or not _is_pretrained(cfgs[key]):
                continue
            unknown = [f for f in _FIELDS if isinstance(cfgs[key].get(f), Unknown)]
            if unknown:
                result.lost.append(f"{path}: {key}: could not read {', '.join(unknown)}")
            cfg = {f: v for f, v in cfgs[key].items() if not isinstance(v, Unknown)}
            yield Weights(arch=arch, tag=tag, cfg=cfg, default=defaults.get(arch) == tag)


def _references(cfg: dict[str, Any]) -> list[dict[str, str]]:
    refs = []
    papers = cfg.get("paper_ids") or ()
    for paper in [papers] if isinstance(papers, str) else papers:
        for one in str(paper).split(","):
            ident = one.strip().removeprefix("arXiv:").removeprefix("arxiv:")
            if ident:
                url = ident if ident.startswith("http") else f"https://arxiv.org/abs/{ident}"
                refs.append(compact({"url": url, "title": cfg.get("paper_name")}))
    if isinstance(cfg.get("origin_url"), str) and cfg["origin_url"].startswith("http"):
        refs.append({"url": cfg["origin_url"], "title": "Origin of the weights"})
    return [r for i, r in enumerate(refs) if r not in refs[:i]]


def weights_record(w: Weights, unread: Unread) -> dict[str, Any]:
    reading = read_tag(w.tag)
    unread.add(w.key, reading)
    hub = w.hub_id
    url = w.cfg.get("url") if isinstance(w.cfg.get("url"), str) else None
    url = url if url and url.startswith("http") else None
    aliases = [f"timm:{w.key}", *([f"timm:{w.arch}"] if w.default else [])]
    if hub and hub.count("/") == 1:
        aliases.append(f"hf:{hub}")
    classes = w.cfg.get("num_classes")
    return compact(
        {
            "umr": 1,
            "name": PREFIX + w.key,
            "version": "1.0.0",
            "kind": "model",
            "title": f"{w.key} (timm)",
            "summary": f"timm's {w.tag!r} weights for the {w.arch} architecture"
            + (" (its default weights)." if w.default else "."),
            "license": {"id": w.cfg["license"]} if isinstance(w.cfg.get("license"), str) else None,
            "aliases": aliases,
            "upstream": [
                {"ref": PREFIX + w.arch, "relation": "member_of"},
                *training_edges(reading),
            ],
            "artifacts": [{"uri": u} for u in (hub and f"hf://{hub}", url) if u],
            "references": _references(w.cfg),
            "tags": ["timm", "image"],
            "task": "image-classification" if classes else "image-feature-extraction",
            "extensions": {
                "timm": compact(
                    {
                        "tag": w.tag,
                        "num_classes": classes if isinstance(classes, int) else None,
                        "tag_labels": list(reading.labels),
                        "uninterpreted": list(reading.unread),
                    }
                )
            },
        }
    )


def _add_former_names(records: list[dict[str, Any]], renamed: dict[str, str]) -> None:
    """timm still loads deprecated names (old -> new arch or arch.tag): alias them too."""
    by_alias = {a: r for r in records for a in r["aliases"]}
    for old, new in sorted(renamed.items()):
        target = by_alias.get(f"timm:{new}")
        alias = f"timm:{old}"
        if target is None or alias in by_alias:
            continue
        try:
            Alias.parse(alias)
        except UmrError:
            continue
        target["aliases"].append(alias)
        by_alias[alias] = target


def family_record(arch: str) -> dict[str, Any]:
    return zoo_family(
        PREFIX + arch,
        f"{arch} (timm architecture)",
        f"The pretrained weights timm publishes for its {arch} architecture.",
        "https://github.com/huggingface/pytorch-image-models",
        ["timm", "image"],
    )


def finish(result: ImportResult, records: list[dict[str, Any]], unread: Unread, src: str) -> None:
    """Add the shipped dataset records the models name, and report what stays unread."""
    refs = [e["ref"] for r in records for e in r.get("upstream") or ()]
    datasets = datasets_for(refs)
    shipped = {d["name"] for d in datasets}
    outside = sorted(
        {r.partition("@")[0] for r in refs if "@" in r} - shipped - {r["name"] for r in records}
    )
    result.records += records + datasets
    result.lost += unread.report(src)
    if outside:
        result.lost.append(
            f"{src}: records name datasets that are not in this import: {', '.join(outside)}; "
            "publish the demo registry first ('umr demo load') or write those records"
        )


@register("timm")
def import_timm(path: Path | None = None) -> ImportResult:
    root = package_dir(path, "timm")
    if not (root / "models").is_dir():
        raise NotFoundError(f"{root} has no models/ folder: not a timm package")
    return cached(sorted((root / "models").glob("*.py")), lambda: _import_timm(root))


def _import_timm(root: Path) -> ImportResult:
    result = ImportResult()
    unread = Unread()
    records: list[dict[str, Any]] = []
    families: dict[str, None] = {}
    renamed: dict[str, str] = {}
    for w in read_weights(root, result, renamed):
        records.append(weights_record(w, unread))
        families.setdefault(w.arch)
    if not records:
        raise RecordError(f"{root}: no pretrained weights found in models/*.py")
    _add_former_names(records, renamed)
    records += [family_record(a) for a in families]
    finish(result, records, unread, str(root))
    return result
