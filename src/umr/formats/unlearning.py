"""The unlearning results of a record (``extensions.unlearning``) as a table and a bar chart.

Written by ``umr unlearn remediate ... --publish``; shown by the html format and the web
record page. ``verdict`` is built from the validated ``evidence`` numbers alone
(:func:`umr.spec.unlearning.verdict`), never from record text. The chart is drawn from numbers
only, so no record text reaches the SVG.
"""

from __future__ import annotations

import math
from typing import Any

from umr.spec.unlearning import evidence_of, verdict

_ROWS = (
    ("forget_acc", "forget accuracy"),
    ("retain_acc", "retain accuracy"),
    ("test_acc", "test accuracy"),
    ("mia_svc", "MIA efficacy (SVC)"),
    ("mia_loss_auc", "MIA loss AUC"),
)
_SERIES = (
    ("before", "before", "#94a3b8"),
    ("after", "unlearned", "#2563eb"),
    ("oracle", "oracle", "#16a34a"),
)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def summary(data: dict[str, Any]) -> dict[str, Any] | None:
    """Table-ready results, or None when the record carries no unlearning section."""
    ext = (data.get("extensions") or {}).get("unlearning")
    if not isinstance(ext, dict):
        return None
    sets: dict[str, dict[str, Any]] = {}
    for key, _, _ in _SERIES:
        value = ext.get(key)
        sets[key] = value if isinstance(value, dict) else {}
    rows = []
    for key, label in _ROWS:
        values = {s: _num(sets[s].get(key)) for s, _, _ in _SERIES}
        if any(v is not None for v in values.values()):
            rows.append({"key": key, "label": label, **values})
    raw = ext.get("forget")
    raw = raw if isinstance(raw, dict) else {}
    # The section is written by umr, but a record may hold anything under extensions: only
    # values of the expected types reach the templates.
    size = raw.get("size")
    forget = {
        "size": size if isinstance(size, int) and not isinstance(size, bool) else None,
        "kind": _str(raw.get("kind")),
        "sha256": _str(raw.get("sha256")),
    }
    after = sets["after"]
    evidence = evidence_of(data)
    return {
        "verdict": verdict(evidence) if evidence is not None else [],
        "oracle_run": evidence.oracle_run if evidence is not None else bool(sets["oracle"]),
        "method": _str(ext.get("method")),
        "forget": forget,
        "fraction_changed": _num(ext.get("fraction_changed")),
        "wall_s": _num(ext.get("wall_s")),
        "oracle_wall_s": _num(sets["oracle"].get("wall_s")),
        "tow": _num(after.get("tow")),
        "tow_mia": _num(after.get("tow_mia")),
        "rows": rows,
        "has_oracle": bool(sets["oracle"]),
    }


def chart_svg(s: dict[str, Any]) -> str:
    """Grouped bars: forget, retain and test accuracy before, after and for the oracle."""
    rows = [r for r in s["rows"] if r["key"].endswith("_acc")]
    series = [x for x in _SERIES if any(r[x[0]] is not None for r in rows)]
    bar, gap, left, top, height = 22, 26, 44, 16, 160
    group = bar * len(series) + gap
    width = left + group * len(rows) + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{top + height + 60}" '
        f'viewBox="0 0 {width} {top + height + 60}" font-family="DejaVu Sans, Helvetica, Arial, '
        'sans-serif" font-size="11" role="img" aria-label="Accuracy before and after unlearning">'
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + height * (1 - tick)
        out.append(
            f'<line x1="{left}" x2="{width - 6}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e2e8f0"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#475569">'
            f"{tick:.2f}</text>"
        )
    for i, r in enumerate(rows):
        x0 = left + gap / 2 + i * group
        for j, (key, _, color) in enumerate(series):
            v = r[key]
            if v is None:
                continue
            h = height * max(0.0, min(1.0, v))
            x = x0 + j * bar
            out.append(
                f'<rect x="{x:.1f}" y="{top + height - h:.1f}" width="{bar - 3}" '
                f'height="{h:.1f}" fill="{color}">'
                f"<title>{v:.3f}</title></rect>"
            )
        label = r["label"].replace(" accuracy", "")
        out.append(
            f'<text x="{x0 + bar * len(series) / 2:.1f}" y="{top + height + 16}" '
            'text-anchor="middle" '
            f'fill="#0f172a">{label}</text>'
        )
    lx = left
    for _, name, color in series:
        out.append(
            f'<rect x="{lx}" y="{top + height + 34}" width="10" height="10" fill="{color}"/>'
        )
        out.append(f'<text x="{lx + 14}" y="{top + height + 43}" fill="#0f172a">{name}</text>')
        lx += 90
    out.append("</svg>")
    return "".join(out)
