"""Benchmark results: rows against the mean oracle, summaries, the budget analysis, plots.

Budget: ``epochs`` of the method's pass over its data; ``compute`` = epochs x samples of
that data (retain; retain plus forget for SalUn; forget for gradient ascent) and
``compute_vs_oracle`` divides it by the oracle's (pretraining epochs x retain samples).
Training-free methods and the untouched original have budget 0.

DEL against the baselines (``budgets``), per forget set: at each budget b of the shared epoch
grid, DEL's mean ToW is compared with the best mean ToW any baseline (every method but DEL and
the untouched original) reaches at any budget up to b; the least b where DEL's is at least as
high is reported, with DEL's forget-accuracy gap to the oracles there. The Pareto front is the
set of (compute, ToW) points no other point beats on both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from umr.unlearn.evaluate import mean_ci, versus_oracle

if TYPE_CHECKING:
    from umr.unlearn.bench import BenchResult, Suite

KEYS = (
    "forget_acc",
    "retain_acc",
    "test_acc",
    "val_acc",
    "mia_svc",
    "mia_loss_auc",
    "tow",
    "tow_val",
    "tow_mia",
    "forget_gap",
    "fraction_changed",
    "wall_s",
    "compute_vs_oracle",
)
COLUMNS = (
    ("forget_acc", "forget acc", 100),
    ("retain_acc", "retain acc", 100),
    ("test_acc", "test acc", 100),
    ("mia_svc", "MIA-eff.", 100),
    ("tow", "ToW", 1),
    ("tow_mia", "ToW-MIA", 1),
    ("fraction_changed", "params changed", 100),
    ("wall_s", "wall s", 1),
)
NOT_BASELINES = ("del", "original")


def _compute_samples(method: str, row: Mapping[str, Any]) -> int:
    if method == "gradient_ascent":
        return int(row["forget_size"])
    if method == "salun":
        return int(row["retain_size"] + row["forget_size"])
    return int(row.get("retain_size", 0))


def assemble(
    res: BenchResult,
    s: Suite,
    done: Mapping[str, dict[str, Any]],
    oracle_mean: Callable[[str, int], dict[str, float]],
) -> None:
    """Fill ``res.rows``, ``summary``, ``oracle``, ``noise_floor`` and ``budgets``."""
    from umr.unlearn._bench_units import Unit

    res.rows.clear()
    res.summary.clear()
    for kind in s.forget_sets:
        floors, oracles = [], []
        for seed in s.seeds:
            o = [
                done[Unit(kind="oracle", seed=seed, forget_set=kind, index=j).key]
                for j in range(s.oracles)
            ]
            pairs = [versus_oracle(a, b)["tow"] for i, a in enumerate(o) for b in o[i + 1 :]]
            floors.append(float(np.mean(pairs)) if pairs else math.nan)
            oracles.append(oracle_mean(kind, seed))
        mean, ci = mean_ci(floors)
        res.noise_floor[kind] = {"tow": mean, "tow_ci": ci, "per_seed": floors}
        res.oracle[kind] = {
            k: float(np.mean([o[k] for o in oracles])) for k in oracles[0] if k != "wall_s"
        }
        res.oracle[kind]["wall_s"] = float(np.mean([o["wall_s"] for o in oracles]))
        points = {
            m: [p for k, p in res.chosen.items() if k.startswith(f"{kind}/{m}/")] for m in s.methods
        }
        for seed, oracle in zip(s.seeds, oracles, strict=True):
            base_units = [(m, p) for m in s.methods for p in points[m]] + [("original", {})]
            for m, p in base_units:
                u = Unit(kind="run", seed=seed, forget_set=kind, method=m, point=tuple(p.items()))
                row = done.get(u.key)
                if row is None:
                    continue
                budget = int(p.get("epochs", 0))
                n = _compute_samples(m, row)
                res.rows.append(
                    {
                        "forget_set": kind,
                        "method": m,
                        "seed": seed,
                        "params": p,
                        "budget_epochs": budget,
                        "compute": budget * n,
                        "compute_vs_oracle": budget * n / max(1, s.train.epochs * n_retain(row)),
                        **{k: v for k, v in row.items() if k not in ("key", "unit")},
                        **versus_oracle(row, oracle),
                        "forget_gap": row["forget_acc"] - oracle["forget_acc"],
                    }
                )
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for r in res.rows:
        groups.setdefault((r["forget_set"], r["method"], r["budget_epochs"]), []).append(r)
    for (kind, m, budget), rows in groups.items():
        entry: dict[str, Any] = {
            "forget_set": kind,
            "method": m,
            "budget_epochs": budget,
            "params": rows[0]["params"],
            "n": len(rows),
        }
        for k in KEYS:
            vals = [r[k] for r in rows if k in r]
            if vals:
                entry[k], entry[k + "_ci"] = mean_ci(vals)
        res.summary.append(entry)
    res.budgets = {k: budget_analysis(res.summary, k, s.train.epochs) for k in s.forget_sets}


def n_retain(row: Mapping[str, Any]) -> int:
    return int(row.get("retain_size", 0)) or 1


def pareto_front(points: list[tuple[float, float]]) -> list[int]:
    """Indices of the points (cost, quality) that no other point beats on both."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0], -points[i][1]))
    front, best = [], -math.inf
    for i in order:
        if points[i][1] > best:
            front.append(i)
            best = points[i][1]
    return front


def budget_analysis(summary: list[dict[str, Any]], kind: str, pretrain: int) -> dict[str, Any]:
    """DEL against every baseline at equal budgets; whether DEL is on the Pareto front."""
    rows = [e for e in summary if e["forget_set"] == kind]
    dels = sorted((e for e in rows if e["method"] == "del"), key=lambda e: e["budget_epochs"])
    bases = [e for e in rows if e["method"] not in NOT_BASELINES]
    per_budget = []
    least = None
    for e in dels:
        b = e["budget_epochs"]
        rivals = [r for r in bases if r["budget_epochs"] <= b]
        best = max(rivals, key=lambda r: r["tow"], default=None)
        wins = best is None or e["tow"] >= best["tow"]
        item = {
            "budget_epochs": b,
            "del_tow": e["tow"],
            "del_tow_ci": e["tow_ci"],
            "del_forget_gap": e["forget_gap"],
            "best_baseline": None if best is None else best["method"],
            "best_baseline_budget": None if best is None else best["budget_epochs"],
            "best_baseline_tow": None if best is None else best["tow"],
            "del_wins": wins,
        }
        per_budget.append(item)
        if wins and least is None:
            least = item
    pts = [(e["compute_vs_oracle"], e["tow"]) for e in rows]
    front = [rows[i] for i in pareto_front(pts)]
    best_any = max(bases, key=lambda r: r["tow"], default=None)
    return {
        "per_budget": per_budget,
        "least_winning_budget": None if least is None else least["budget_epochs"],
        "least_winning_fraction": None if least is None else least["budget_epochs"] / pretrain,
        "forget_gap_points": None if least is None else 100 * least["del_forget_gap"],
        "target_met": least is not None
        and least["budget_epochs"] <= pretrain
        and abs(least["del_forget_gap"]) <= 0.02,
        "best_baseline_any_budget": None
        if best_any is None
        else {
            "method": best_any["method"],
            "budget_epochs": best_any["budget_epochs"],
            "tow": best_any["tow"],
        },
        "pareto_front": [(e["method"], e["budget_epochs"]) for e in front],
        "del_on_front": any(e["method"] == "del" for e in front),
    }


def _cell(e: Mapping[str, Any], key: str, scale: float) -> str:
    if key not in e:
        return "-"
    mean, ci = e[key] * scale, e[key + "_ci"] * scale
    digits = 1 if scale == 100 or key == "wall_s" else 3
    return f"{mean:.{digits}f} ± {ci:.{digits}f}"


def table(res: Any) -> str:
    """Markdown: per forget set, every method at every budget (mean ± 95% CI over seeds)."""
    lines: list[str] = []
    order = {m: i for i, m in enumerate(["original", "del", "retrain"])}
    kinds = list(dict.fromkeys(e["forget_set"] for e in res.summary))
    for kind in kinds:
        o, nf = res.oracle.get(kind, {}), res.noise_floor.get(kind, {})
        lines.append(f"**{kind}** forget set")
        lines.append("")
        if o:
            lines.append(
                f"Oracles (mean): forget {100 * o['forget_acc']:.1f}%, retain "
                f"{100 * o['retain_acc']:.1f}%, test {100 * o['test_acc']:.1f}%, "
                f"{o['wall_s']:.1f} s. Noise floor (oracle vs oracle ToW): "
                f"{nf.get('tow', math.nan):.3f} ± {nf.get('tow_ci', math.nan):.3f}."
            )
            lines.append("")
        lines.append(
            "| method | epochs | × oracle compute | " + " | ".join(c[1] for c in COLUMNS) + " |"
        )
        lines.append("|---" * (len(COLUMNS) + 3) + "|")
        rows = [e for e in res.summary if e["forget_set"] == kind]
        rows.sort(key=lambda e: (order.get(e["method"], 9), e["method"], e["budget_epochs"]))
        for e in rows:
            cells = [_cell(e, k, sc) for k, _, sc in COLUMNS]
            lines.append(
                f"| {e['method']} | {e['budget_epochs']} | {e['compute_vs_oracle']:.2f} | "
                + " | ".join(cells)
                + " |"
            )
        lines.append("")
        b = res.budgets.get(kind)
        if b:
            lines.append(_budget_line(b))
            lines.append("")
    if res.chosen:
        lines += ["Learning rates chosen on the search seed (ToW-val), per epoch budget:", ""]
        lines += [f"- `{k}`: `{v}`" for k, v in res.chosen.items() if v]
        lines.append("")
    if getattr(res, "excluded", ""):
        lines += [f"Excluded: {res.excluded}", ""]
    if res.throughput:
        t = res.throughput
        lines.append(
            f"Finetuning throughput ({t['steps']} steps, batch {t['batch_size']}, amp={t['amp']}, "
            f"compile={t['compile']}): plain loop {t['plain_samples_per_s']:.0f} samples/s, "
            f"DEL masked {t['del_samples_per_s']:.0f} samples/s, ratio {t['ratio']:.2f}."
        )
    return "\n".join(lines)


def _budget_line(b: Mapping[str, Any]) -> str:
    if b["least_winning_budget"] is None:
        best = max(
            b["per_budget"],
            key=lambda x: x["del_tow"] - (x["best_baseline_tow"] or 0),
            default=None,
        )
        gap = (
            ""
            if best is None
            else (
                f" (closest at {best['budget_epochs']} epochs: DEL {best['del_tow']:.3f} vs "
                f"{best['best_baseline']} {best['best_baseline_tow']:.3f})"
            )
        )
        head = f"DEL's ToW is below the best baseline at every budget{gap}."
    else:
        head = (
            f"DEL's ToW is at least every baseline's from {b['least_winning_budget']} epochs "
            f"({b['least_winning_fraction']:.2f} of pretraining) on; its forget accuracy there is "
            f"{b['forget_gap_points']:+.1f} points from the oracles' mean "
            f"(target {'met' if b['target_met'] else 'missed'})."
        )
    front = ", ".join(f"{m}@{e}" for m, e in b["pareto_front"])
    on = "on" if b["del_on_front"] else "not on"
    return f"{head} DEL is {on} the Pareto front ({front})."


def render(results: str | Path, out: str | Path) -> dict[str, str]:
    """Redraw the table and plots of a saved ``results.json`` into ``out``."""
    import json
    from types import SimpleNamespace

    doc = json.loads(Path(results).read_text())
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    res = SimpleNamespace(**{k: doc.get(k) for k in (
        "summary", "chosen", "throughput", "oracle", "noise_floor", "budgets", "excluded"
    )})  # fmt: skip
    files = plot(res, out)
    (out / "results.md").write_text(table(res) + "\n")
    return {**files, "table": str(out / "results.md")}


def plot(res: Any, out: Path, prefix: str = "") -> dict[str, str]:
    """ToW against compute, against wall time, the Pareto front, accuracies (PNGs under out)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = res.summary
    kinds = list(dict.fromkeys(e["forget_set"] for e in summary))
    if not kinds:
        return {}
    files = {
        "plot_budget": str(out / f"{prefix}tow_vs_budget.png"),
        "plot_wall": str(out / f"{prefix}tow_vs_wall.png"),
        "plot_pareto": str(out / f"{prefix}pareto.png"),
        "plot_acc": str(out / f"{prefix}accuracies.png"),
    }
    methods = list(dict.fromkeys(e["method"] for e in summary))
    colors = {m: plt.get_cmap("tab10")(i % 10) for i, m in enumerate(methods)}
    for key, xkey, xlabel in (
        ("plot_budget", "compute_vs_oracle", "compute (epochs × samples) / oracle's"),
        ("plot_wall", "wall_s", "wall time, s (mean)"),
    ):
        fig, axes = plt.subplots(1, len(kinds), figsize=(4.6 * len(kinds), 4), squeeze=False)
        for ax, kind in zip(axes[0], kinds, strict=True):
            nf = (res.noise_floor or {}).get(kind)
            if nf and not math.isnan(nf["tow"]):
                ax.axhspan(nf["tow"] - nf["tow_ci"], min(1.0, nf["tow"] + nf["tow_ci"]),
                           color="grey", alpha=0.2, label="oracle vs oracle")  # fmt: skip
            for m in methods:
                es = sorted((e for e in summary if e["forget_set"] == kind and e["method"] == m),
                            key=lambda e: e[xkey])  # fmt: skip
                if not es:
                    continue
                ax.errorbar([e[xkey] for e in es], [e["tow"] for e in es],
                            yerr=[e["tow_ci"] for e in es], fmt="-o", ms=4, capsize=2,
                            color=colors[m], label=m,
                            lw=2.2 if m == "del" else 1.0)  # fmt: skip
            tows = [e["tow"] for e in summary if e["forget_set"] == kind]
            ax.set_ylim(max(0.0, min(tows) - 0.05), 1.005)
            if key == "plot_wall":
                ax.set_xscale("symlog", linthresh=1.0)
            ax.set_xlabel(xlabel)
            ax.set_ylabel("ToW vs mean oracle (mean, 95% CI)")
            ax.set_title(f"{kind} forget set")
            ax.grid(alpha=0.3)
        axes[0][-1].legend(fontsize=7, loc="lower right")
        fig.tight_layout()
        fig.savefig(files[key], dpi=110)
        plt.close(fig)

    fig, axes = plt.subplots(1, len(kinds), figsize=(4.6 * len(kinds), 4), squeeze=False)
    for ax, kind in zip(axes[0], kinds, strict=True):
        rows = [e for e in summary if e["forget_set"] == kind]
        pts = [(e["compute_vs_oracle"], e["tow"]) for e in rows]
        for e in rows:
            ax.scatter(e["compute_vs_oracle"], e["tow"], color=colors[e["method"]],
                       marker="*" if e["method"] == "del" else "o",
                       s=90 if e["method"] == "del" else 25)  # fmt: skip
        front = [pts[i] for i in pareto_front(pts)]
        ax.step([p[0] for p in front], [p[1] for p in front], where="post", color="black", lw=1,
                label="Pareto front")  # fmt: skip
        for m in methods:
            ax.scatter([], [], color=colors[m], label=m, marker="*" if m == "del" else "o")
        ax.set_ylim(max(0.0, min(p[1] for p in pts) - 0.05), 1.005)
        ax.set_xlabel("compute (epochs × samples) / oracle's")
        ax.set_ylabel("ToW (mean over seeds)")
        ax.set_title(f"{kind}: quality vs cost")
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(files["plot_pareto"], dpi=110)
    plt.close(fig)

    keys = (("forget_acc", "forget"), ("retain_acc", "retain"), ("test_acc", "test"))
    fig, axes = plt.subplots(len(kinds), 1, figsize=(10, 3.2 * len(kinds)), squeeze=False)
    for ax, kind in zip(axes[:, 0], kinds, strict=True):
        top: dict[str, dict[str, Any]] = {}
        for e in (e for e in summary if e["forget_set"] == kind):
            if e["method"] not in top or e["budget_epochs"] > top[e["method"]]["budget_epochs"]:
                top[e["method"]] = e
        rows = list(top.values())
        for j, (k, label) in enumerate(keys):
            xs = [i + (j - 1) * 0.27 for i in range(len(rows))]
            ax.bar(xs, [100 * e[k] for e in rows], width=0.27,
                   yerr=[100 * e[k + "_ci"] for e in rows], capsize=2, label=label)  # fmt: skip
        o = (res.oracle or {}).get(kind)
        if o:
            ax.axhline(100 * o["forget_acc"], color="C0", ls="--", lw=1, label="oracle forget")
        ax.set_xticks(range(len(rows)), [e["method"] for e in rows], fontsize=8)
        lo = min(100 * e[k] for e in rows for k, _ in keys)
        ax.set_ylim(max(0, lo - 5), 100.5)
        ax.set_ylabel("accuracy %")
        ax.set_title(f"{kind} forget set, each method at its largest budget (mean, 95% CI)")
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(files["plot_acc"], dpi=110)
    plt.close(fig)
    return files
