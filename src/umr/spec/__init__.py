"""The record spec: parse, validate and resolve ``umr: 1`` records.

Data flows one way: YAML -> spec -> registry -> queries -> formats and web.
"""

from umr.spec.canonical import canonical_json, digest
from umr.spec.diff import Change, bump_level, diff, next_version
from umr.spec.inherit import NEVER_INHERITED, Resolved, Resolver, resolve
from umr.spec.load import load_record, load_record_text, parse_record
from umr.spec.names import check_name, normalize_name
from umr.spec.record import (
    FIELDS,
    KINDS,
    SEVERITIES,
    Answer,
    Artifact,
    Evaluation,
    License,
    Record,
    Reference,
    Relation,
    Risk,
    Upstream,
)
from umr.spec.refs import Ref
from umr.spec.source import RecordSource, Workspace, find
from umr.spec.versions import Range, Version
from umr.spec.yamlio import dump_yaml, load_yaml

__all__ = [
    "FIELDS",
    "KINDS",
    "NEVER_INHERITED",
    "SEVERITIES",
    "Answer",
    "Artifact",
    "Change",
    "Evaluation",
    "License",
    "Range",
    "Record",
    "RecordSource",
    "Ref",
    "Reference",
    "Relation",
    "Resolved",
    "Resolver",
    "Risk",
    "Upstream",
    "Version",
    "Workspace",
    "bump_level",
    "canonical_json",
    "check_name",
    "diff",
    "digest",
    "dump_yaml",
    "find",
    "load_record",
    "load_record_text",
    "load_yaml",
    "next_version",
    "normalize_name",
    "parse_record",
    "resolve",
]
