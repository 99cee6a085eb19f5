"""Where did a resolved field come from?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from umr.errors import NotFoundError
from umr.spec.inherit import resolve
from umr.spec.record import Record
from umr.spec.source import RecordSource
from umr.spec.yamlio import Path, dump_yaml


def parse_field_path(text: str) -> Path:
    """``upstream[1].ref`` or ``upstream.1.ref`` -> ("upstream", 1, "ref")."""
    parts: list[str | int] = []
    for chunk in text.replace("[", ".").replace("]", "").split("."):
        if chunk:
            parts.append(int(chunk) if chunk.isdigit() else chunk)
    return tuple(parts)


@dataclass(frozen=True)
class Explanation:
    record: str
    field: str
    value: Any
    sources: list[tuple[str, str]]  # (dotted leaf path, name@version)
    chain: tuple[str, ...]

    def text(self) -> str:
        value = dump_yaml(self.value).rstrip()
        if value.endswith("\n..."):
            value = value[:-4]
        lines = [f"{self.field} = {value}" if "\n" not in value else f"{self.field} =\n{value}"]
        suppliers = {who for _, who in self.sources}
        if len(suppliers) == 1:
            lines.append(f"from {next(iter(suppliers))}")
        else:
            lines.extend(f"  {path}: from {who}" for path, who in self.sources)
        lines.append("chain: " + " -> ".join(self.chain))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "field": self.field,
            "value": self.value,
            "sources": [{"path": p, "from": w} for p, w in self.sources],
            "chain": list(self.chain),
        }


def explain_field(record: Record, source: RecordSource, field: str) -> Explanation:
    resolved = resolve(record, source)
    path = parse_field_path(field)
    value: Any = resolved.to_dict()
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            top = ", ".join(resolved.to_dict())
            raise NotFoundError(
                f"{record.id} has no field {field!r} after resolution",
                hint=f"fields present: {top}; use dots for nesting, e.g. 'license.id'",
            ) from None
    # Lists are leaves for provenance: explain upstream[1].ref by its list's supplier.
    probe = path
    while probe and resolved.source_of(probe) is None:
        probe = probe[:-1]
    sources = resolved.leaves(probe) if len(path) == len(probe) else []
    if not sources:
        who = resolved.source_of(probe) or record.id
        sources = [(field, who)]
    return Explanation(
        record=record.id, field=field, value=value, sources=sources, chain=resolved.chain
    )
