"""Markdown table and plots of a benchmark summary."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from umr.unlearn.bench import BenchResult

COLUMNS = (
    ("forget_acc", "forget acc", 100),
    ("retain_acc", "retain acc", 100),
    ("test_acc", "test acc", 100),
    ("mia_svc", "MIA-eff.", 100),
    ("mia_loss_auc", "loss-MIA AUC", 1),
    ("tow", "ToW", 1),
    ("tow_mia", "ToW-MIA", 1),
    ("fraction_changed", "params changed", 100),
    ("wall_s", "wall s", 1),
    ("cost_vs_oracle", "× oracle time", 1),
)


def _cell(e: dict[str, Any], key: str, scale: float) -> str:
    mean, ci = e[key] * scale, e[key + "_ci"] * scale
    digits = 1 if scale == 100 or key == "wall_s" else 3
    return f"{mean:.{digits}f} ± {ci:.{digits}f}"


def table(res: BenchResult) -> str:
    """One Markdown table per forget set: mean ± 95% CI over seeds (accuracies in %)."""
    lines: list[str] = []
    for kind in dict.fromkeys(e["forget_set"] for e in res.summary):
        lines += [f"**{kind}** forget set", ""]
        lines.append("| method | " + " | ".join(c[1] for c in COLUMNS) + " |")
        lines.append("|---" * (len(COLUMNS) + 1) + "|")
        for e in (e for e in res.summary if e["forget_set"] == kind):
            cells = [_cell(e, k, s) for k, _, s in COLUMNS]
            lines.append(f"| {e['method']} | " + " | ".join(cells) + " |")
        lines.append("")
    if res.chosen:
        lines += ["Hyperparameters chosen on the validation split (ToW-val, first seed):", ""]
        lines += [f"- `{k}`: `{v}`" for k, v in res.chosen.items() if v]
        lines.append("")
    if res.throughput:
        t = res.throughput
        lines.append(
            f"Finetuning throughput ({t['steps']} steps, batch {t['batch_size']}, amp={t['amp']}, "
            f"compile={t['compile']}): plain loop {t['plain_samples_per_s']:.0f} samples/s, "
            f"DEL masked {t['del_samples_per_s']:.0f} samples/s, ratio {t['ratio']:.2f}."
        )
    return "\n".join(lines)


def render(results: str | Path, out: str | Path) -> dict[str, str]:
    """Redraw the table and plots of a saved ``results.json`` into ``out``."""
    import json
    from types import SimpleNamespace

    doc = json.loads(Path(results).read_text())
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = plot(doc["summary"], out)
    res = SimpleNamespace(
        summary=doc["summary"], chosen=doc["chosen"], throughput=doc["throughput"]
    )
    (out / "results.md").write_text(table(res) + "\n")  # type: ignore[arg-type]
    return {**files, "table": str(out / "results.md")}


def plot(summary: Sequence[dict[str, Any]], out: Path) -> dict[str, str]:
    """``tow_vs_fraction.png`` and ``accuracies.png`` under ``out``; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(dict.fromkeys(e["forget_set"] for e in summary))
    if not kinds:
        return {}
    files = {"plot_tow": str(out / "tow_vs_fraction.png"), "plot_acc": str(out / "accuracies.png")}
    fig, axes = plt.subplots(1, len(kinds), figsize=(5 * len(kinds), 4), squeeze=False)
    for ax, kind in zip(axes[0], kinds, strict=True):
        for e in (e for e in summary if e["forget_set"] == kind):
            ax.errorbar(e["fraction_changed"], e["tow"], yerr=e["tow_ci"], fmt="o", capsize=3)
            ax.annotate(
                e["method"],
                (e["fraction_changed"], e["tow"]),
                fontsize=8,
                xytext=(4, 4),
                textcoords="offset points",
            )
        means = [e["tow"] for e in summary if e["forget_set"] == kind]
        ax.set_ylim(max(0.0, min(means) - 0.08), 1.02)  # wide intervals are clipped, not hidden
        ax.set_xscale("symlog", linthresh=1e-3)
        ax.set_xlim(0, 2)
        ax.set_xlabel("fraction of parameters changed")
        ax.set_ylabel("ToW vs oracle (mean, 95% CI)")
        ax.set_title(f"{kind} forget set")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(files["plot_tow"], dpi=120)
    plt.close(fig)

    keys = (("forget_acc", "forget"), ("retain_acc", "retain"), ("test_acc", "test"))
    fig, axes = plt.subplots(len(kinds), 1, figsize=(10, 3.2 * len(kinds)), squeeze=False)
    for ax, kind in zip(axes[:, 0], kinds, strict=True):
        rows = [e for e in summary if e["forget_set"] == kind]
        for j, (k, label) in enumerate(keys):
            xs = [i + (j - 1) * 0.27 for i in range(len(rows))]
            ax.bar(
                xs,
                [100 * e[k] for e in rows],
                width=0.27,
                yerr=[100 * e[k + "_ci"] for e in rows],
                capsize=2,
                label=label,
            )
        ax.set_xticks(range(len(rows)), [e["method"] for e in rows], fontsize=8)
        lo = min(100 * e[k] for e in rows for k, _ in keys)
        ax.set_ylim(max(0, lo - 5), 100.5)
        ax.set_ylabel("accuracy %")
        ax.set_title(f"{kind} forget set (mean, 95% CI)")
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(files["plot_acc"], dpi=120)
    plt.close(fig)
    return files
