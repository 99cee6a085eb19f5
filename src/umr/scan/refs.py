"""What a scan finds in a project: references to models and datasets, and where they are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from umr.spec.aliases import Alias

Kind = Literal["model", "dataset"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """A place in a file (1-based line and column); ``cell`` is a notebook's code cell."""

    path: str
    line: int
    column: int = 1
    cell: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return where + (f" (cell {self.cell})" if self.cell is not None else "")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "line": self.line, "column": self.column}
        if self.cell is not None:
            out["cell"] = self.cell
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """A model or dataset named in the project: ``text`` as written, ``keys`` the alias keys
    (``umr.spec.aliases``) it may be recorded under, in order of preference."""

    location: Location
    api: str  # what named it: "from_pretrained", "timm.create_model", "config model_id", ...
    kind: Kind
    text: str
    keys: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "location": self.location.to_dict(),
            "api": self.api,
            "kind": self.kind,
            "text": self.text,
            "keys": list(self.keys),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Unresolved:
    """A call that loads weights or data by a name the scan cannot know without running the
    code (a parameter, an environment variable, a computed string)."""

    location: Location
    api: str
    expression: str

    def __str__(self) -> str:
        return f"unresolved reference at {self.location}: {self.api}({self.expression})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "location": self.location.to_dict(),
            "api": self.api,
            "expression": self.expression,
        }


# Hugging Face repo ids as libraries accept them; anything else (paths, URLs) is local
_HF_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)?")


def hf_keys(text: str, *, dataset: bool = False, default_org: str | None = None) -> tuple[str, ...]:
    """Alias keys for a Hub id as code writes it, or () if it is a local path or not an id.

    ``default_org`` is the organisation a library puts before a bare name (sentence-transformers
    loads ``all-MiniLM-L6-v2`` from ``sentence-transformers/all-MiniLM-L6-v2``)."""
    ident = text.strip()
    if not _HF_ID.fullmatch(ident) or ".." in ident or ident.endswith((".json", ".bin", ".pt")):
        return ()
    prefix = "datasets/" if dataset else ""
    ids = [ident] if "/" in ident or default_org is None else [f"{default_org}/{ident}", ident]
    keys = []
    for one in ids:
        try:
            keys.append(Alias.parse(f"hf:{prefix}{one}").key)
        except ValueError:
            continue
    return tuple(keys)


def alias_keys(scheme: str, ident: str) -> tuple[str, ...]:
    """The key of ``scheme:ident`` if it is a valid alias, else ()."""
    try:
        return (Alias.parse(f"{scheme}:{ident}").key,)
    except ValueError:
        return ()
