"""A record whose every text field tries to break out of its target format."""

from __future__ import annotations

from pathlib import Path

import yaml

EVIL = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> {{ 7*191 }} ${7*191} "
    '\\input{/etc/passwd} \\write18{touch /tmp/pwned} \\immediate\\write18{id} #import "x.typ" '
    "#{x} % & _ $ ^ ~ \\ ` * @user [a](javascript:alert(3)) </svg> ]] <!-- --> -->\n"
    "---\nkey: injected\n# heading\n- item\n1. item\n"
    "\u200fRTL mark\u200e \u200f\u200e mixed: עברית العربية 中文 日本語 Ελληνικά Привет "
    "emoji 🙂 math ∑ ≤ ∞"
)
BIG = ("lorem ipsum dolor sit amet " * 4000)[:100_000]  # 100 KB of words


def hostile_record() -> dict:
    return {
        "umr": 1,
        "name": "evil-model",
        "version": "1.0.0",
        "kind": "model",
        "title": EVIL,
        "summary": EVIL,
        "description": EVIL + "\n\n" + BIG,
        "publisher": EVIL,
        "license": {"id": "other", "name": EVIL, "url": "https://example.org/l?a=1&b=%20#x"},
        "released": "2024-01",
        "aliases": ["hf:x-org/y_model.v2", "timm:a_b.c_d", "open_clip:ViT-B-32/tag_1"],
        "upstream": [
            {"ref": "evil-data@^1", "relation": "trained_on", "note": EVIL},
            {"ref": "evil-base@^1", "relation": "finetuned_from", "note": EVIL},
        ],
        "artifacts": [{"uri": "hf://x/y?z=%3Cscript%3E", "format": EVIL}],
        "evaluations": [
            {"benchmark": EVIL, "metric": EVIL, "value": EVIL, "split": EVIL, "notes": EVIL}
        ],
        "risks": [{"category": EVIL, "severity": "high", "summary": EVIL}],
        "transparency": {
            "fmti-2023": {
                "data-size": {"answer": True, "evidence": "https://e.org/$x", "note": EVIL}
            }
        },
        "references": [{"url": "https://e.org/a_b%c", "title": EVIL}],
        "tags": [EVIL, "ok"],
        "task": EVIL,
        "languages": ["en", EVIL],
        "extensions": {"evil": {"text": EVIL, "list": [EVIL]}},
    }


def write_workspace(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "evil-model.yaml").write_text(
        yaml.safe_dump(hostile_record(), allow_unicode=True, sort_keys=False)
    )
    for name, kind in (("evil-data", "dataset"), ("evil-base", "model")):
        rec = {
            "umr": 1,
            "name": name,
            "version": "1.0.0",
            "kind": kind,
            "title": EVIL,
            "summary": EVIL,
        }
        (root / f"{name}.yaml").write_text(yaml.safe_dump(rec, allow_unicode=True, sort_keys=False))
    return root
