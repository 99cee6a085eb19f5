"""The JSON Schema of spec ``umr: 1``, generated from the record model."""

from __future__ import annotations

from typing import Any

from umr.spec.canonical import pretty_json
from umr.spec.record import Record

SCHEMA_ID = "https://umr.dev/schema/umr-1.json"


def json_schema() -> dict[str, Any]:
    schema = Record.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def json_schema_text() -> str:
    return pretty_json(json_schema())
