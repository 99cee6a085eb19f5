"""Seed inputs: the hostile cases umr has been broken by, replayed first in every round."""

from __future__ import annotations

import json

HEAD = "umr: 1\nname: d\nversion: 1.0.0\nkind: model\n"
NESTED_BRACKETS = HEAD + "extensions:\n  x: " + "[" * 25_000
BILLION_LAUGHS = (
    HEAD
    + "extensions:\n  lol:\n"
    + '    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"    {c}: &{c} [" + ",".join([f"*{p}"] * 10) + "]\n"
        for p, c in zip("abcdefghi", "bcdefghij", strict=True)
    )
)
YAML_SEEDS = [
    NESTED_BRACKETS,
    BILLION_LAUGHS,
    HEAD + "str: 1\n",  # a top-level key that is a pydantic type name
    HEAD + "dict: {}\nlist: []\nint: 0\n",
    HEAD + '"a[b": 1\n',  # a top-level key with '['
    HEAD + "title: '\ud800'\n",  # a lone surrogate
    HEAD + "extensions:\n  x: {y: " + "9" * 5000 + "}\n",  # a 5,000-digit integer
    HEAD + "extensions:\n  unlearning:\n    forget: {sha256: 12345}\n",
    HEAD + "artifacts:\n  - {uri: 'https://e.org/w', size: " + "9" * 4000 + "}\n",
    HEAD + "x: [" + "0," * 100_001 + "0]\n",  # a flow list just past the limit (2 million broke)
    HEAD + 'title: "\\uFFFE and \\uFFFF"\n',
    HEAD + 'title: "\\u202Eevil\\u2066"\n',
    HEAD + "extensions:\n  x: !!int many\n",
    HEAD + "---\n" + HEAD,
]

RECORD = {"umr": 1, "name": "d", "version": "1.0.0", "kind": "model"}


def _deep(depth: int) -> object:
    value: object = "leaf"
    for _ in range(depth):
        value = [value]
    return value


JSON_SEEDS = [
    json.dumps({**RECORD, "extensions": {"x": _deep(900)}}),  # 900 deep through the API
    json.dumps({**RECORD, "title": "x" * (5 * 1024 * 1024)}),  # over the size limit
    json.dumps({**RECORD, "evaluations": [{"benchmark": "b", "metric": "m", "value": 1}]}).replace(
        '"value": 1', '"value": NaN'
    ),
    json.dumps({**RECORD, "extensions": {"a": 1}}).replace('"a": 1', '"a": Infinity'),
    json.dumps({**RECORD, "title": "\ud800"}),
    json.dumps({**RECORD, "summary": "\ufffe"}, ensure_ascii=False),
    json.dumps({**RECORD, "artifacts": [{"uri": "https://e.org/w", "size": 10**4000}]}),
    json.dumps({**RECORD, "str": 1, "a[b": 2}),
    '{"umr": 1, "umr": 1}',
]

LEGACY_UPSTREAM = "a-1.0.0" + "-1.0.0" * 10_000 + "!"  # 64 KB that a quadratic regex chewed on
