"""Import the reference UMR repository layout: ``<pkg>/<pkg>-<semver>.yaml`` under ``mr:``.

Each file holds ``mr: {type, metadata: {name, publisher, release_date, description, refs,
version, model_type}, relations: {upstream: [pkg | pkg>=1.0.0, ...]}, tags, risk: {flag:
bool}, and FMTI 0/1 answers under model, upstream and downstream}``.

In that layout a package *is* its folder: relations name folders, and ``metadata.name`` is a
display name that may say anything (in the reference repository ``bloom-560m``'s says
``bloomz-560m`` and ``msr-vtt``'s says ``MSVD``, the names of two other packages). So the record
name comes from the folder, the version from the file name, the display name becomes the
``title``, and every place where the file disagrees with its folder is reported.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from umr.errors import UmrError
from umr.formats.importers import ImportResult, register
from umr.formats.importers._common import (
    compact,
    http,
    items,
    mapping,
    shown,
    text,
    version,
)
from umr.spec.dates import PartialDate
from umr.spec.load import read_text
from umr.spec.names import new_name_problems, normalize_name
from umr.spec.refs import MAX_REF, Ref
from umr.spec.versions import SEMVER_PATTERN
from umr.spec.yamlio import load_yaml

KINDS = {"model": "model", "family": "family", "dataset": "dataset"}
FMTI_DOMAINS = ("upstream", "model", "downstream")
# metadata keys this importer maps to record fields; any other key is kept under extensions
_MAPPED_META = {"name", "publisher", "release_date", "description", "refs", "version"}
_MAPPED_MR = {"type", "metadata", "relations", "risk", "tags", "question_sets", "fmti"}
EXTENSION = "umr-legacy"
_DASH_VERSION = re.compile(rf"(.+?)-({SEMVER_PATTERN})")


def _fold(text: str) -> str:
    """Letters and digits only, lower case: 'Llama 2 13B' and 'llama2-13b' fold alike."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


class _Package:
    """One ``<pkg>/<pkg>-<semver>.yaml`` file and the names it is known by."""

    def __init__(self, path: Path, folders: dict[str, str], report: ImportResult) -> None:
        self.path, self.where = path, str(path)
        self.folder = path.parent.name
        self.name = folders[self.folder]
        self.report = report
        match = re.fullmatch(rf"{re.escape(self.folder)}-(.+)\.ya?ml", path.name)
        self.file_version = match.group(1) if match else None

    def disagree(self, what: str) -> None:
        self.report.disagreements.append(f"{self.where}: {what}")

    def lose(self, what: str) -> None:
        self.report.lost.append(f"{self.where}: {what}")


def _check_names(pkg: _Package, meta: dict[str, Any], folders: dict[str, str]) -> str | None:
    display = (text(meta.get("name")) or "").strip()
    if meta.get("name") is not None and text(meta.get("name")) is None:
        pkg.lose(f"metadata.name {shown(meta.get('name'))} is not text; left out")
    if not display:
        pkg.disagree(f"no metadata.name; the record is named {pkg.name!r} after its folder")
        return None
    try:
        if display == pkg.folder or normalize_name(display) == pkg.name:
            return display
    except UmrError:
        pass  # a display name with no letters or digits: reported below
    other = {_fold(f): f for f in folders if f != pkg.folder}.get(_fold(display))
    if other is not None:
        pkg.disagree(
            f"metadata.name {display!r} is the name of another package ({other}/); this file "
            f"is package {pkg.folder!r}, imported as {pkg.name!r} with {display!r} as its title: "
            "check which one it describes"
        )
    elif _fold(display) == _fold(pkg.folder):
        pkg.disagree(
            f"metadata.name {display!r} is spelled differently from its folder "
            f"{pkg.folder!r}; imported as {pkg.name!r}, the display name kept as the title"
        )
    else:
        pkg.disagree(
            f"metadata.name {display!r} differs from its folder {pkg.folder!r}; imported as "
            f"{pkg.name!r}, the display name kept as the title"
        )
    return display


def _version(pkg: _Package, meta: dict[str, Any]) -> str:
    said = meta.get("version")
    if pkg.file_version is None:
        pkg.disagree(f"file name is not {pkg.folder}-<semver>.yaml; version taken from metadata")
        return version(said, pkg.report.lost, pkg.where)
    chosen = version(pkg.file_version, pkg.report.lost, pkg.where)
    if said is not None and version(said, [], "") != chosen:
        pkg.disagree(
            f"metadata.version {shown(said)} differs from the file name's {pkg.file_version!r}; "
            "the file name's is the package version"
        )
    return chosen


def _released(pkg: _Package, meta: dict[str, Any]) -> str | None:
    for key in ("release_date", "published"):
        if meta.get(key) is None:
            continue
        try:
            date = str(PartialDate.parse(meta[key]))
        except UmrError as exc:
            pkg.lose(f"metadata.{key}: {exc.message}; left out")
            continue
        if key == "published":
            pkg.disagree(f"metadata.published {shown(meta[key])} taken as the release date")
        return date
    return None


def _upstream(pkg: _Package, mr: dict[str, Any], kind: str, folders: dict[str, str]) -> list[Any]:
    edges = []
    relation = "derived_from" if kind == "dataset" else "depends_on"
    for item in items(mapping(mr.get("relations")).get("upstream")):
        raw = (text(item) or "").strip()
        if not raw or len(raw) > MAX_REF:  # checked before any pattern looks at it
            why = "is not a name" if not raw else f"is {len(raw)} characters, longer than any ref"
            pkg.lose(f"relation {shown(item)} {why}; skipped")
            continue
        target, rest = re.match(r"([^<>=!~^@\s]*)(.*)", raw).groups()  # type: ignore[union-attr]
        dash = _DASH_VERSION.fullmatch(target)
        if target not in folders and dash and dash.group(1) in folders:
            target, rest = dash.group(1), "==" + dash.group(2)  # the layout's pkg-1.0.0 form
        if target not in folders:
            pkg.disagree(f"relation {raw!r} names no package folder here; kept as {target!r}")
        try:
            name = folders.get(target) or normalize_name(target)
        except UmrError as exc:
            pkg.lose(f"relation {raw!r}: {exc.message}; dropped")
            continue
        try:
            ref = Ref.parse(f"{name}{rest}", legacy=True)
        except UmrError as exc:
            pkg.lose(f"relation {raw!r}: {exc.message}; kept without its range")
            ref = Ref.parse(name)
        if ref.name == pkg.name:
            pkg.lose(f"relation {raw!r} names the package itself; dropped")
            continue
        edges.append({"ref": str(ref), "relation": relation})
    if edges:
        pkg.lose(
            f"upstream edges are untyped in this layout; imported as {relation!r}: edit them "
            "to the real relation"
        )
    return edges


def _text(pkg: _Package, meta: dict[str, Any], key: str) -> str | None:
    value = meta.get(key)
    if value is not None and text(value) is None:
        pkg.lose(f"metadata.{key} {shown(value)} is not text; left out")
    return text(value)


def _transparency(pkg: _Package, mr: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    fmti: dict[str, Any] = mr["fmti"] if isinstance(mr.get("fmti"), dict) else mr
    for domain in FMTI_DOMAINS:
        for indicator, value in mapping(fmti.get(domain)).items():
            if isinstance(value, list | dict):  # card prose (intended_use, factors, ...)
                extra.setdefault(domain, {})[indicator] = value
                continue
            try:
                answers[normalize_name(str(indicator))] = {"answer": bool(int(value))}
            except (TypeError, ValueError, UmrError):
                pkg.lose(f"FMTI {domain}.{indicator} = {shown(value)} is not 0 or 1")
    if answers:
        pkg.lose(f"{len(answers)} FMTI answers have no evidence; kept, not scored")
    return answers


def _record(pkg: _Package, data: Any, folders: dict[str, str]) -> dict[str, Any] | None:
    mr = data.get("mr") if isinstance(data, dict) else None
    if not isinstance(mr, dict):
        pkg.lose("no 'mr:' mapping; skipped")
        return None
    meta = mapping(mr.get("metadata"))
    kind = KINDS.get(text(mr.get("type")) or "model", "model")
    if (text(mr.get("type")) or "model") not in KINDS:
        pkg.lose(
            f"type {shown(mr.get('type'))} is not model, family or dataset; imported as a model"
        )
    extra = {k: v for k, v in meta.items() if k not in _MAPPED_META and v not in (None, "")}
    extra |= {k: v for k, v in mr.items() if k not in _MAPPED_MR and k not in FMTI_DOMAINS}
    risks = [
        {"category": str(flag), "severity": "medium", "summary": f"flagged {flag!r} here"}
        for flag, on in mapping(mr.get("risk")).items()
        if on
    ]
    if risks:
        pkg.lose("risk flags carry no severity or text; set to 'medium'")
    answers = _transparency(pkg, mr, extra)
    return compact(
        {
            "umr": 1,
            "name": pkg.name,
            "version": _version(pkg, meta),
            "kind": kind,
            "title": _check_names(pkg, meta, folders),
            "publisher": _text(pkg, meta, "publisher"),
            "description": _text(pkg, meta, "description"),
            "released": _released(pkg, meta),
            "upstream": _upstream(pkg, mr, kind, folders),
            "risks": risks,
            "transparency": {"fmti-2023": answers} if answers else None,
            "references": [{"url": u} for u in items(meta.get("refs")) if http(u)],
            "tags": [t for t in map(text, items(mr.get("tags"))) if t],
            "extensions": {EXTENSION: extra} if extra else None,
        }
    )


def _folders(root: Path, report: ImportResult) -> dict[str, str]:
    """Package folder -> record name; folders whose names fold together are reported."""
    out: dict[str, str] = {}
    taken: dict[str, str] = {}
    if not root.is_dir():
        return out
    for folder in sorted(p.name for p in root.iterdir() if p.is_dir()):
        try:
            name = normalize_name(folder)
        except UmrError:
            report.lost.append(f"{root / folder}: no record name can be made of {folder!r}")
            continue
        if name in taken:
            report.disagreements.append(
                f"{root / folder}: folders {taken[name]!r} and {folder!r} are both {name!r} as "
                "record names; rename one"
            )
        taken.setdefault(name, folder)
        out[folder] = name
        if name != folder:
            report.disagreements.append(
                f"{root / folder}: folder {folder!r} is not a record name; imported as {name!r}"
            )
    return out


@register("umr-legacy")
def import_umr_legacy(root: Path) -> ImportResult:
    report = ImportResult()
    folders = _folders(root, report)
    for path in sorted(root.glob("*/*.y*ml")):
        if path.parent.name not in folders:
            continue
        data, _ = load_yaml(read_text(path), source=str(path))
        record = _record(_Package(path, folders, report), data, folders)
        if record is not None:
            report.records.append(record)
    if not report.records:
        report.lost.append(f"{root}: no <pkg>/<pkg>-<semver>.yaml files found")
    # the names publishing would refuse (the one name check of publish and validate)
    for name, why in new_name_problems(r["name"] for r in report.records).items():
        folder = next((f for f, n in folders.items() if n == name), name)
        report.disagreements.append(
            f"{root / folder}: {why}; publishing will refuse it: rename the folder"
        )
    return report
