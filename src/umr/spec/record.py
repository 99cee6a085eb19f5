"""The record model (spec ``umr: 1``): immutable, typed, keyword-only.

Strings become rich types at load (:class:`Version`, :class:`Ref`); ``to_dict`` gives back plain
data in the order the author wrote it, so load -> dump -> load is unchanged. Only ``umr``,
``name``, ``version`` and ``kind`` are required: a record that ``inherits`` takes the rest from
its base. Explicit ``null`` is kept (it removes the base's value during inheritance).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    WithJsonSchema,
    model_validator,
)

from umr.spec.aliases import ALIAS_PATTERN, Alias
from umr.spec.dates import PARTIAL_DATE_PATTERN, PartialDate
from umr.spec.limits import text_problem
from umr.spec.names import NAME_PATTERN, check_name
from umr.spec.refs import Ref
from umr.spec.unlearning import check_extensions
from umr.spec.versions import SEMVER_PATTERN, Version

SPEC_VERSION = 1

KINDS = ("model", "dataset", "family", "system")
SEVERITIES = ("low", "medium", "high", "critical")


class Relation(StrEnum):
    """Typed upstream edges (aligned with Hugging Face base_model_relation and SPDX 3 AI)."""

    FINETUNED_FROM = "finetuned_from"
    ADAPTER_OF = "adapter_of"
    QUANTIZED_FROM = "quantized_from"
    MERGED_FROM = "merged_from"
    DISTILLED_FROM = "distilled_from"
    UNLEARNED_FROM = "unlearned_from"
    MEMBER_OF = "member_of"
    TRAINED_ON = "trained_on"
    EVALUATED_ON = "evaluated_on"
    DERIVED_FROM = "derived_from"
    DEPENDS_ON = "depends_on"


def _text(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


# A plain http(s) URL: no whitespace, quotes, angle brackets, backticks or backslashes. The
# one definition that records are validated with, importers keep and renderers link.
HTTP_URL = re.compile(r"https?://[^\s<>\"'`\\]+")
_URI = re.compile(r"[a-z][a-z0-9+.-]*://[^\s<>\"'`\\]+")


def is_http_url(value: str) -> bool:
    return HTTP_URL.fullmatch(value) is not None


def _http_url(value: str) -> str:
    if not is_http_url(value):
        raise ValueError(
            f"{value[:120]!r} is not an http(s) URL; write a full address such as "
            "'https://huggingface.co/org/model'"
        )
    return value


# The schemes an artifact URI may use: where weights and data live (the web, the Hugging Face
# Hub, object stores, local files, the bundled demo). Anything else (``javascript:``, ``data:``,
# ``vbscript:``) would reach SBOM viewers and pages as a link, so it is refused at load.
ARTIFACT_SCHEMES = ("https", "http", "hf", "s3", "gs", "file", "umr-demo")


def _uri(value: str) -> str:
    if not _URI.fullmatch(value):
        raise ValueError(
            f"{value[:120]!r} is not a URI with a scheme; write e.g. "
            "'hf://org/model/model.safetensors' or 'https://...'"
        )
    scheme = value.partition("://")[0]
    if scheme not in ARTIFACT_SCHEMES:
        raise ValueError(
            f"{value[:120]!r} uses the scheme {scheme!r}; artifact URIs may use only "
            f"{', '.join(ARTIFACT_SCHEMES)}"
        )
    return value


def _version(value: Any) -> Version:
    if isinstance(value, Version):
        return value
    if isinstance(value, int | float):
        raise ValueError(
            f"{value!r} is a number; write the version as a quoted string like '1.0.0'"
        )
    return Version.parse(require_text(value, "a version such as '1.0.0'"))


def _date(value: Any) -> PartialDate:
    return PartialDate.parse(value)


def _alias(value: Any) -> Alias:
    if isinstance(value, Alias):
        return value
    return Alias.parse(require_text(value, "an alias such as 'hf:org/name'"))


def _distinct_aliases(value: tuple[Alias, ...]) -> tuple[Alias, ...]:
    seen: dict[str, Alias] = {}
    for alias in value:
        if alias.key in seen:
            raise ValueError(
                f"{str(alias)!r} and {str(seen[alias.key])!r} are the same identifier "
                "(Hugging Face ids are matched case-insensitively); keep one"
            )
        seen[alias.key] = alias
    return value


def _ref(value: Any) -> Ref:
    if isinstance(value, Ref):
        return value
    return Ref.parse(require_text(value, "a ref such as 'llama-2-7b@^1.2'"))


def require_text(value: Any, what: str) -> str:
    """``value`` if it is text; the parsers cache by value, so nothing else may reach them."""
    if not isinstance(value, str):
        kind = (
            "a list"
            if isinstance(value, list)
            else "a mapping"
            if isinstance(value, dict)
            else repr(value)[:40]
        )
        raise ValueError(f"expected {what}, got {kind}")
    return value


Text = Annotated[str, AfterValidator(_text)]
Url = Annotated[str, AfterValidator(_http_url)]
Uri = Annotated[str, AfterValidator(_uri)]
Name = Annotated[
    str,
    AfterValidator(check_name),
    WithJsonSchema({"type": "string", "pattern": f"^{NAME_PATTERN}$"}),
]
VersionField = Annotated[
    Version,
    PlainValidator(_version),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": f"^{SEMVER_PATTERN}$"}),
]
RefField = Annotated[
    Ref,
    PlainValidator(_ref),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "description": "name@range, e.g. llama-2-7b@^1.2"}),
]
DateField = Annotated[
    PartialDate,
    PlainValidator(_date),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": f"^{PARTIAL_DATE_PATTERN}$"},
                {"type": "integer", "minimum": 1, "maximum": 9999},
            ],
            "description": "YYYY, YYYY-MM or YYYY-MM-DD: as precise as the fact",
        }
    ),
]
AliasField = Annotated[
    Alias,
    PlainValidator(_alias),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^{ALIAS_PATTERN}$",
            "description": "SCHEME:ID, e.g. hf:org/name, timm:arch.tag, open_clip:Model/tag",
        }
    ),
]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Severity = Literal["low", "medium", "high", "critical"]
Kind = Literal["model", "dataset", "family", "system"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


class License(_Model):
    """A license: an SPDX identifier (or the Hugging Face license slug) and where to read it."""

    id: Text
    name: Text | None = None
    url: Url | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"id": value} if isinstance(value, str) else value


class Upstream(_Model):
    """A typed edge to a ref; ``uncertain`` marks lineage the sources do not settle."""

    ref: RefField
    relation: Relation
    note: Text | None = None
    uncertain: bool | None = None


class Artifact(_Model):
    uri: Uri
    sha256: Sha256 | None = None
    size: Annotated[int, Field(ge=0)] | None = None
    format: Text | None = None


class Evaluation(_Model):
    benchmark: Text
    metric: Text
    value: float | int | bool | Text
    split: Text | None = None
    source: Url | None = None
    notes: Text | None = None


class Risk(_Model):
    category: Text
    severity: Severity
    summary: Text


class Answer(_Model):
    """One transparency answer; only answers with evidence count towards a score."""

    answer: bool
    evidence: Url | None = None
    note: Text | None = None


class Reference(_Model):
    url: Url
    title: Text | None = None


Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,99}$")]


class Record(_Model):
    """One version of one model, dataset, family or system."""

    umr: Literal[1]
    name: Name
    version: VersionField
    kind: Kind
    title: Text | None = None
    summary: Text | None = None
    description: Text | None = None
    publisher: Text | None = None
    license: License | None = None
    released: DateField | None = None
    aliases: Annotated[tuple[AliasField, ...], AfterValidator(_distinct_aliases)] | None = None
    inherits: RefField | None = None
    upstream: tuple[Upstream, ...] | None = None
    artifacts: tuple[Artifact, ...] | None = None
    evaluations: tuple[Evaluation, ...] | None = None
    risks: tuple[Risk, ...] | None = None
    transparency: dict[Slug, dict[Slug, Answer]] | None = None
    references: tuple[Reference, ...] | None = None
    tags: tuple[Text, ...] | None = None
    task: Text | None = None
    languages: tuple[Text, ...] | None = None
    extensions: Annotated[dict[Slug, Any], AfterValidator(check_extensions)] | None = None

    _order: tuple[str, ...] = PrivateAttr(default=())

    @property
    def id(self) -> str:
        """``name@version``, the record's identity."""
        return f"{self.name}@{self.version}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Validate plain data (raises pydantic.ValidationError; see umr.spec.load)."""
        record = cls.model_validate(data)
        record._order = tuple(data)
        return record

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, top-level keys in the order they were written."""
        data = super().to_dict()
        if not self._order:
            return data
        ordered = {k: data[k] for k in self._order if k in data}
        ordered.update((k, v) for k, v in data.items() if k not in ordered)
        return ordered

    def edges(self) -> tuple[Upstream, ...]:
        return self.upstream or ()


FIELDS: tuple[str, ...] = tuple(Record.model_fields)
