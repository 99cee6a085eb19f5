"""Advisories in the OSV format (https://ossf.github.io/osv-schema/), out and in.

OSV has no ecosystem for ML models or datasets, and its ids are the prefixes of registered
databases or ``x_`` for any other. The mapping, one way and back:

- ``id``: ``x_umr:`` + the advisory's id (``x_umr:UMR-2023-0001``). On import, an id in that
  form loses the prefix; any other OSV id (``GHSA-...``) is kept as it is.
- ``affected``: one entry per affected name, without ``package`` (the schema's ecosystems are
  software package managers), with the record and its npm range under ``database_specific``
  (``{"umr": {"name": ..., "versions": ...}}``), the range as SEMVER events when it is a plain
  interval (``<2.0.0``, ``>=1.0.0 <2.0.0``, ``*``), and the published versions it matches in
  ``versions`` (for a reader that compares exact versions).
- ``severity``: umr's low to critical has no CVSS vector; it goes to
  ``database_specific.umr.severity`` (and ``database_specific.severity``, upper case, as GitHub's
  advisories write it).
- ``fixed``: the fixed versions, including those of records downstream of the affected data
  (an unlearned model), in ``database_specific.umr.fixed``; a fixed version of an affected name
  is also its range's ``fixed`` event.
- ``references``: ``{type, url}``, type ``WEB`` unless the advisory gives one; the advisory's
  own (titles, and types as given) in ``database_specific.umr.references``.
- ``published``, ``modified``, ``withdrawn``: RFC 3339 timestamps in UTC; a date is midnight.
  ``modified`` is the last revision's time. ``aliases`` as they are.

Everything written is validated against the vendored OSV schema (``vendor/osv-schema.json``),
and so is everything read, before it is mapped.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from umr.errors import Problem, RecordError
from umr.registry.advisories import RANK, Advisory, parse_advisory
from umr.spec import Range, Version

SCHEMA_VERSION = "1.7.5"
ID_PREFIX = "x_umr:"


@functools.cache
def schema() -> dict[str, Any]:
    """The vendored OSV JSON Schema."""
    text = resources.files("umr.registry").joinpath("vendor/osv-schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _timestamp(value: str | dt.date | None) -> str | None:
    """RFC 3339 in UTC with a ``Z``, as the OSV schema's pattern asks."""
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value.isoformat()}T00:00:00Z"
    moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


_BOUND = re.compile(r"^(>=|<)(\d+\.\d+\.\d+)$")


def _events(rng: Range) -> list[dict[str, str]] | None:
    """SEMVER events for a range that is one interval (``*``, ``<B``, ``>=A``, ``>=A <B``),
    else None (the range then travels only as text)."""
    text = " ".join(str(rng).split())
    if text in ("*", ""):
        return [{"introduced": "0"}]
    low, high = "0", None
    for part in text.split(" "):
        m = _BOUND.match(part)
        if m is None:
            return None
        if m.group(1) == ">=":
            low = m.group(2)
        else:
            high = m.group(2)
    events = [{"introduced": low}]
    if high is not None:
        events.append({"fixed": high})
    return events


def to_osv(a: Advisory, modified: str, versions: dict[str, list[Version]]) -> dict[str, Any]:
    """The OSV form of ``a``: ``modified`` is when it last changed, ``versions`` the
    published versions of each affected name."""
    affected = []
    for x in a.affected:
        entry: dict[str, Any] = {
            "database_specific": {"umr": {"name": x.name, "versions": str(x.versions)}}
        }
        events = _events(x.versions)
        if events is not None:
            entry["ranges"] = [{"type": "SEMVER", "events": events}]
        matching = [str(v) for v in versions.get(x.name, []) if v in x.versions]
        if matching:
            entry["versions"] = matching
        affected.append(entry)
    umr: dict[str, Any] = {"id": a.id, "severity": a.severity}
    if a.fixed:
        umr["fixed"] = [
            {"name": f.name, "version": str(f.version)} | ({"reason": f.reason} if f.reason else {})
            for f in a.fixed
        ]
    if a.references:  # titles, and which types were given (OSV's own say WEB when none was)
        umr["references"] = [r.to_dict() for r in a.references]
    if a.withdrawn_reason:
        umr["withdrawn_reason"] = a.withdrawn_reason
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": ID_PREFIX + a.id,
        "modified": _timestamp(modified),
    }
    if a.published:
        out["published"] = _timestamp(a.published)
    if a.withdrawn:
        out["withdrawn"] = _timestamp(a.withdrawn)
    if a.aliases:
        out["aliases"] = list(a.aliases)
    out["summary"] = a.summary
    if a.details:
        out["details"] = a.details
    out["affected"] = affected
    if a.references:
        out["references"] = [{"type": r.type or "WEB", "url": str(r.url)} for r in a.references]
    out["database_specific"] = {"severity": a.severity.upper(), "umr": umr}
    check(out, f"<{out['id']}>")
    return out


def check(data: Any, source: str) -> None:
    """RecordError, with every problem located by its JSON path, unless ``data`` is valid
    against the OSV schema."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise RecordError(
            [
                Problem(source=source, path=_json_path(e.absolute_path), message=e.message)
                for e in errors[:20]
            ],
            hint="fix the OSV file; the schema is at https://ossf.github.io/osv-schema/",
        )


def _json_path(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


_SEVERITY_WORDS = {"moderate": "medium"}


def from_osv(data: dict[str, Any], source: str = "<osv>") -> Advisory:
    """The umr advisory an OSV entry describes (see the module docstring for the mapping).
    An entry that another database wrote needs ``database_specific.severity`` and affected
    entries whose ``package.name`` is a record name; their ``versions`` or SEMVER ``ranges``
    become the npm range."""
    check(data, source)
    umr = (data.get("database_specific") or {}).get("umr") or {}
    osv_id = str(data["id"])
    severity = (
        umr.get("severity")
        or str((data.get("database_specific") or {}).get("severity") or "").lower()
    )
    severity = _SEVERITY_WORDS.get(severity, severity)
    problems = []
    if severity not in RANK:
        problems.append(
            Problem(
                source=source,
                path="database_specific.severity",
                message=f"no umr severity (low, medium, high or critical): got {severity!r}",
            )
        )
    affected = []
    for i, entry in enumerate(data.get("affected") or ()):
        mine = (entry.get("database_specific") or {}).get("umr")
        if mine:
            affected.append({"name": mine["name"], "versions": mine["versions"]})
            continue
        name = (entry.get("package") or {}).get("name")
        rng = _range_of(entry)
        if not name or rng is None:
            problems.append(
                Problem(
                    source=source,
                    path=f"affected[{i}]",
                    message="needs package.name (a record name) and versions or SEMVER ranges",
                )
            )
            continue
        affected.append({"name": name, "versions": rng})
    if problems:
        raise RecordError(problems, hint="umr reads the OSV files it writes, and others like them")

    advisory: dict[str, Any] = {
        "id": osv_id.removeprefix(ID_PREFIX),
        "summary": data.get("summary") or osv_id,
        "severity": severity,
        "affected": affected,
    }
    if data.get("details"):
        advisory["details"] = data["details"]
    if data.get("published"):
        advisory["published"] = str(data["published"])[:10]
    if umr.get("fixed"):
        advisory["fixed"] = umr["fixed"]
    if data.get("aliases"):
        advisory["aliases"] = list(data["aliases"])
    if umr.get("references"):  # written by umr: as the advisory had them
        advisory["references"] = umr["references"]
    elif data.get("references"):
        advisory["references"] = [{"url": r["url"], "type": r["type"]} for r in data["references"]]
    return parse_advisory(advisory, source=source)


def _range_of(entry: dict[str, Any]) -> str | None:
    """An npm range for an OSV affected entry: its exact ``versions`` joined with ``||``,
    else its SEMVER ranges' events as intervals."""
    if entry.get("versions"):
        return " || ".join(str(v) for v in entry["versions"])
    parts = []
    for r in entry.get("ranges") or ():
        if r.get("type") != "SEMVER":
            continue
        low, bounds = None, []
        for ev in r["events"]:
            if "introduced" in ev:
                low = ev["introduced"]
            elif "fixed" in ev or "last_affected" in ev:
                op, v = ("<", ev["fixed"]) if "fixed" in ev else ("<=", ev["last_affected"])
                bounds.append(f">={low} {op}{v}" if low not in (None, "0") else f"{op}{v}")
                low = None
        if low is not None:
            bounds.append("*" if low == "0" else f">={low}")
        parts += bounds
    return " || ".join(parts) if parts else None


def read(path: Path) -> list[dict[str, Any]]:
    """The OSV entries of a file: one entry, a list of them, or ``{"vulns": [...]}``."""
    from umr.spec.load import read_text

    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(
            [Problem(source=str(path), line=exc.lineno, message=f"not JSON: {exc.msg}")],
            hint='an OSV file is JSON: one entry, a list, or {"vulns": [...]}',
        ) from None
    if isinstance(data, dict) and isinstance(data.get("vulns"), list):
        data = data["vulns"]
    entries = data if isinstance(data, list) else [data]
    if not all(isinstance(e, dict) for e in entries):
        raise RecordError(
            [Problem(source=str(path), message="an OSV entry is a JSON object")],
            hint='an OSV file is JSON: one entry, a list, or {"vulns": [...]}',
        )
    return entries


def export(advisories: Sequence[tuple[Advisory, str]], versions: Any) -> list[dict[str, Any]]:
    """OSV entries for ``(advisory, modified)`` pairs; ``versions(name)`` lists a name's
    published versions."""
    return [
        to_osv(a, modified, {x.name: versions(x.name) for x in a.affected})
        for a, modified in advisories
    ]
