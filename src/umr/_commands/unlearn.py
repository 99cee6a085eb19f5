"""CLI commands: ``umr unlearn run | bench | mask-info`` (torch is imported inside commands)."""

from __future__ import annotations

from pathlib import Path

import click

from umr.cli import emit
from umr.errors import require


def _need_torch() -> None:
    require("torch", "unlearn")


@click.group("unlearn")
def unlearn_group() -> None:
    """Localized machine unlearning (DEL) and baselines; needs the 'unlearn' extra.

    \b
    Example:
      umr unlearn bench --suite smoke --out bench-smoke
    """


@unlearn_group.command("run")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML or JSON run config (see docs/unlearn.md).")
@click.option("--list", "list_", is_flag=True, help="List the registered methods and models, then exit.")
@click.option("--method", default=None, help="Override method.name (see `umr unlearn run --list`).")
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Write checkpoint, mask, forget index, metrics here.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def run_cmd(config_path: Path | None, list_: bool, method: str | None, out: str | None, fmt: str) -> None:
    """Train (or load) a model, unlearn a forget set with one method, and report metrics.

    \b
    Example:
      umr unlearn run --config unlearn.yaml --method del --out runs/del
    """
    _need_torch()
    from dataclasses import replace

    from umr.unlearn.run import describe, load_config, run

    if list_:
        reg = describe()
        return emit(reg if fmt == "json" else "\n".join(f"{k}: {', '.join(v)}" for k, v in reg.items()), fmt)
    if config_path is None:
        raise click.UsageError("--config is required (or --list to see methods and models)")
    cfg = load_config(config_path)
    if method:
        cfg = replace(cfg, method=cfg.method.with_(name=method))
    cfg = replace(cfg, out=out or cfg.out)
    result = run(cfg, progress=True)
    text = "\n".join(f"{k:18} {v:.4f}" for k, v in result.metrics.items())
    emit({"metrics": result.metrics, "files": result.files} if fmt == "json" else text, fmt)


@unlearn_group.command("bench")
@click.option("--suite", type=click.Choice(["smoke", "cpu", "gpu"]), default="smoke", show_default=True)
@click.option("--seeds", default=None, help="Comma-separated seeds, e.g. 0,1,2 [default: the suite's].")
@click.option("--out", default="bench-unlearn", show_default=True, type=click.Path(file_okay=False))
@click.option("--samples", type=int, default=None, help="Override the number of generated samples.")
@click.option("--epochs", type=int, default=None, help="Override training epochs (unlearning: 1).")
@click.option("--methods", default=None, help="Comma-separated subset of methods.")
@click.option("--forget-sets", default=None, help="Comma-separated subset of iid,non_iid,mislabeled.")
@click.option("--no-search", is_flag=True, help="Skip the hyperparameter search; use grid defaults.")
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda.")
@click.option("--compile/--no-compile", "compile_", default=None, help="torch.compile [default: the suite's].")
@click.option("--threads", type=int, default=None, help="torch CPU threads [default: the suite's].")
def bench_cmd(suite: str, seeds: str | None, out: str, samples: int | None, epochs: int | None,
              methods: str | None, forget_sets: str | None, no_search: bool, device: str,
              compile_: bool | None, threads: int | None) -> None:
    """Benchmark every method against the retrain oracle; write results.json, table, plots.

    \b
    Example:
      umr unlearn bench --suite cpu --seeds 0,1,2 --out bench-cpu
    """
    _need_torch()
    from umr.unlearn.bench import run_bench

    def split(v: str | None) -> list[str] | None:
        return [x.strip() for x in v.split(",") if x.strip()] if v else None

    res = run_bench(suite, out=out, seeds=[int(x) for x in split(seeds) or []] or None, samples=samples,
                    epochs=epochs, methods=split(methods), forget_sets=split(forget_sets), search=not no_search,
                    device=device, compile=compile_, threads=threads)
    emit(Path(res.files["table"]).read_text() + "\n" + "\n".join(f"wrote {p}" for p in res.files.values()))


@unlearn_group.command("mask-info")
@click.argument("mask", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plot", "plot_path", default=None, type=click.Path(dir_okay=False), help="Also draw a PNG here.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def mask_info_cmd(mask: Path, plot_path: str | None, fmt: str) -> None:
    """Print the fraction of each parameter tensor a mask selects (and draw it).

    \b
    Example:
      umr unlearn mask-info runs/del/mask.safetensors --plot mask.png
    """
    _need_torch()
    from umr.unlearn.localize import load_mask, mask_info, plot_mask

    m = load_mask(mask)
    rows = mask_info(m)
    if plot_path:
        plot_mask(m, plot_path)
    text = "\n".join(f"{r['name']:40} {r['selected']:>9}/{r['numel']:<9} {float(r['fraction']):7.2%}" for r in rows)  # type: ignore[arg-type]
    emit(rows if fmt == "json" else text, fmt)


def register(app: click.Group) -> None:
    """Add this group's commands to the root app."""
    app.add_command(unlearn_group)
