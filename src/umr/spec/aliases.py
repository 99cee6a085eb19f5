"""Aliases: the identifiers a record's model or dataset goes by elsewhere.

Code names weights by Hugging Face repo id, timm tag, open_clip model/tag pair or torch.hub
entry, not by umr record name. A record lists those identifiers under ``aliases`` so that
``umr scan`` can map a reference in code to it. Each alias is ``SCHEME:ID``:

============ ================================ ==============================================
scheme       id                               matched
============ ================================ ==============================================
``hf``       ``org/name``, ``name`` (a root   case-insensitively, as the Hub resolves ids;
             model), ``datasets/org/name``    former names stay valid after a rename
``timm``     ``arch.tag`` or ``arch``         exactly (timm's names are lower case)
``open_clip`` ``Model-Name/tag``              model exactly, tag as open_clip cleans it
                                              (lower case, ``-`` read as ``_``)
``torchhub`` ``owner/repo/entrypoint``        owner/repo case-insensitively, entry exactly
============ ================================ ==============================================

``Alias.key`` is the normalized form two aliases are compared by.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from umr.errors import RefError

_HF_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?"
_GRAMMAR: dict[str, tuple[re.Pattern[str], str]] = {
    "hf": (
        re.compile(rf"(?:datasets/)?(?:{_HF_PART}/)?{_HF_PART}"),
        "a Hugging Face repo id: 'org/name', a root model 'name', or 'datasets/org/name'",
    ),
    "timm": (re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)?"), "a timm name: 'arch' or 'arch.tag'"),
    "open_clip": (
        re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}/[A-Za-z0-9_-]{1,100}"),
        "an open_clip pair 'Model-Name/tag', e.g. 'ViT-B-32/laion2b_s34b_b79k'",
    ),
    "torchhub": (
        re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z_][A-Za-z0-9_]*"),
        "a torch.hub entry 'owner/repo/entrypoint', e.g. 'facebookresearch/dinov2/dinov2_vitb14'",
    ),
}
SCHEMES = tuple(_GRAMMAR)
ALIAS_PATTERN = r"(?:hf|timm|open_clip|torchhub):[^\s]{1,200}"


@dataclass(frozen=True, slots=True)
class Alias:
    """``scheme:id``; :attr:`key` is the normalized text aliases are matched by."""

    scheme: str
    id: str
    key: str = field(default="", compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.scheme}:{_normalize(self.scheme, self.id)}")

    @staticmethod
    @functools.lru_cache(maxsize=65536)
    def parse(text: str) -> Alias:
        if not isinstance(text, str):
            raise RefError(f"an alias is text like 'hf:org/name', got {text!r}")
        scheme, sep, ident = text.partition(":")
        if not sep or scheme not in _GRAMMAR:
            raise RefError(
                f"alias {text[:80]!r} has no known scheme; write SCHEME:ID with SCHEME one of "
                f"{', '.join(SCHEMES)} (e.g. 'hf:org/name', 'timm:resnet50.a1_in1k')"
            )
        pattern, what = _GRAMMAR[scheme]
        if len(ident) > 200 or not pattern.fullmatch(ident) or ".." in ident or "--" in ident:
            raise RefError(f"alias {text[:80]!r}: {ident[:80]!r} is not {what}")
        return Alias(scheme, ident)

    def __str__(self) -> str:
        return f"{self.scheme}:{self.id}"


def _normalize(scheme: str, ident: str) -> str:
    if scheme == "hf":
        return ident.lower()
    if scheme == "open_clip":
        model, _, tag = ident.partition("/")
        return f"{model}/{tag.lower().replace('-', '_')}"
    if scheme == "torchhub":
        owner, repo, entry = ident.split("/")
        return f"{owner.lower()}/{repo.lower()}/{entry}"
    return ident


def hf_repo_of_uri(uri: str) -> str | None:
    """The Hub repo id an ``hf://`` artifact URI lies in (``hf://org/name/file`` -> ``org/name``;
    ``hf://datasets/org/name/...`` -> ``datasets/org/name``), or None."""
    if not uri.startswith("hf://"):
        return None
    parts = uri.removeprefix("hf://").split("?")[0].split("/")
    size = 3 if parts[0] in ("datasets", "spaces") else 2
    if parts[0] == "spaces" or len(parts) < size or not all(parts[:size]):
        return None
    repo = "/".join(parts[:size])
    return repo if _GRAMMAR["hf"][0].fullmatch(repo) else None


def record_keys(aliases: Iterable[str], artifact_uris: Iterable[str] = ()) -> list[str]:
    """The alias keys a record answers to: its ``aliases`` and the Hub repos of its ``hf://``
    artifacts, each once, in that order."""
    keys = [Alias.parse(a).key for a in aliases]
    keys += [Alias("hf", repo).key for u in artifact_uris if (repo := hf_repo_of_uri(u))]
    return list(dict.fromkeys(keys))
