"""CLI commands: ``umr unlearn run | bench | mask-info`` (torch is imported inside commands)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

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
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML or JSON run config (see docs/unlearn.md).",
)
@click.option(
    "--record",
    "record_ref",
    default=None,
    help="Remediate this published model (NAME@VERSION) instead of a config run.",
)
@click.option(
    "--checkpoint",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --record: the model's weights (safetensors; sha256 must match the record).",
)
@click.option(
    "--forget",
    "forget_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --record: the forget-set index file (see 'umr unlearn forget-set').",
)
@click.option("--epochs", type=int, default=None, help="With --record: override method.epochs.")
@click.option(
    "--oracle/--no-oracle",
    default=True,
    show_default=True,
    help="With --record: also retrain from scratch and report ToW against it.",
)
@click.option("--publish", is_flag=True, help="With --record: publish the new record version.")
@click.option(
    "--artifact-uri",
    default=None,
    help="With --record: where the new weights will live "
    "[default: the file:// URI of the written checkpoint].",
)
@click.option(
    "--list", "list_", is_flag=True, help="List the registered methods and models, then exit."
)
@click.option("--method", default=None, help="Override method.name (see `umr unlearn run --list`).")
@click.option(
    "--out",
    default=None,
    type=click.Path(file_okay=False),
    help="Write checkpoint, mask, forget index, metrics here.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_context
def run_cmd(
    ctx: click.Context,
    config_path: Path | None,
    record_ref: str | None,
    checkpoint: Path | None,
    forget_path: Path | None,
    epochs: int | None,
    oracle: bool,
    publish: bool,
    artifact_uri: str | None,
    list_: bool,
    method: str | None,
    out: str | None,
    fmt: str,
) -> None:
    """Train (or load) a model, unlearn a forget set with one method, and report metrics.

    With --record, unlearn from a published model and (with --publish) publish the result
    as the next major version, with an unlearned_from edge and the measured results.

    \b
    Example:
      umr unlearn run --config unlearn.yaml --method del --out runs/del
      umr unlearn run --record mnist1d-cnn@1.0.0 --checkpoint model.safetensors \\
          --forget forget.json --method del --out runs/fix --publish
    """
    _need_torch()
    if record_ref is not None:
        return _remediate(
            ctx,
            record_ref,
            checkpoint,
            forget_path,
            method or "del",
            epochs,
            oracle,
            publish,
            artifact_uri,
            out,
            fmt,
        )
    from dataclasses import replace

    from umr.unlearn.run import describe, load_config, run

    if list_:
        reg = describe()
        return emit(
            reg if fmt == "json" else "\n".join(f"{k}: {', '.join(v)}" for k, v in reg.items()), fmt
        )
    if config_path is None:
        raise click.UsageError("--config is required (or --list to see methods and models)")
    cfg = load_config(config_path)
    if method:
        cfg = replace(cfg, method=cfg.method.with_(name=method))
    cfg = replace(cfg, out=out or cfg.out)
    result = run(cfg, progress=True)
    text = "\n".join(f"{k:18} {v:.4f}" for k, v in result.metrics.items())
    emit({"metrics": result.metrics, "files": result.files} if fmt == "json" else text, fmt)


def _remediate(
    ctx: click.Context,
    ref: str,
    checkpoint: Path | None,
    forget: Path | None,
    method: str,
    epochs: int | None,
    oracle: bool,
    publish: bool,
    artifact_uri: str | None,
    out: str | None,
    fmt: str,
) -> None:
    from umr._commands.registry import open_registry
    from umr.unlearn.config import MethodConfig
    from umr.unlearn.remediate import remediate

    if checkpoint is None or forget is None:
        raise click.UsageError("--record needs --checkpoint FILE and --forget FILE")
    cfg = MethodConfig(name=method) if epochs is None else MethodConfig(name=method, epochs=epochs)
    with open_registry(ctx.obj) as reg:
        result = remediate(
            reg,
            ref,
            checkpoint=checkpoint,
            forget=forget,
            method=cfg,
            out=out or "unlearned",
            oracle=oracle,
            publish=publish,
            artifact_uri=artifact_uri,
            progress=True,
        )
    doc = {"record": result.record, "metrics": result.metrics, "published": result.published}
    emit(doc if fmt == "json" else result.text(), fmt)


@unlearn_group.command("bench")
@click.option(
    "--suite",
    type=click.Choice(["smoke", "cpu", "memorization", "gpu"]),
    default="smoke",
    show_default=True,
)
@click.option(
    "--seeds", default=None, help="Comma-separated seeds, e.g. 0,1,2 [default: the suite's]."
)
@click.option("--out", default="bench-unlearn", show_default=True, type=click.Path(file_okay=False))
@click.option("--samples", type=int, default=None, help="Override the number of generated samples.")
@click.option(
    "--epochs",
    type=int,
    default=None,
    help="Override the pretraining epochs (the shared epoch grid scales with them).",
)
@click.option("--methods", default=None, help="Comma-separated subset of methods.")
@click.option(
    "--forget-sets",
    default=None,
    help="Comma-separated subset of iid,non_iid,mislabeled,memorized.",
)
@click.option(
    "--no-search", is_flag=True, help="Skip the hyperparameter search; use grid defaults."
)
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda.")
@click.option(
    "--compile/--no-compile", "compile_", default=None, help="torch.compile [default: the suite's]."
)
@click.option("--threads", type=int, default=None, help="torch CPU threads [default: the suite's].")
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Processes running units; 0 runs in this one [default: the suite's].",
)
def bench_cmd(
    suite: str,
    seeds: str | None,
    out: str,
    samples: int | None,
    epochs: int | None,
    methods: str | None,
    forget_sets: str | None,
    no_search: bool,
    device: str,
    compile_: bool | None,
    threads: int | None,
    workers: int | None,
) -> None:
    """Benchmark every method against the mean of retrain oracles at equal budgets.

    Writes runs.jsonl as it goes (a rerun with the same --out resumes), then results.json,
    results.md and plots (ToW against compute and wall time, Pareto front).

    \b
    Example:
      umr unlearn bench --suite memorization --seeds 0,1,2 --out bench-mem
    """
    _need_torch()
    from umr.unlearn.bench import run_bench

    def split(v: str | None) -> list[str] | None:
        return [x.strip() for x in v.split(",") if x.strip()] if v else None

    res = run_bench(
        suite,
        out=out,
        seeds=[int(x) for x in split(seeds) or []] or None,
        samples=samples,
        epochs=epochs,
        methods=split(methods),
        forget_sets=split(forget_sets),
        search=not no_search,
        device=device,
        compile=compile_,
        threads=threads,
        workers=workers,
    )
    emit(
        Path(res.files["table"]).read_text()
        + "\n"
        + "\n".join(f"wrote {p}" for p in res.files.values())
    )


@unlearn_group.command("mask-info")
@click.argument("mask", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--plot",
    "plot_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Also draw a PNG here.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
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
    text = "\n".join(
        f"{r['name']:40} {r['selected']:>9}/{r['numel']:<9} {cast(float, r['fraction']):7.2%}"
        for r in rows
    )
    emit(rows if fmt == "json" else text, fmt)


def register(app: click.Group) -> None:
    """Add this group's commands to the root app."""
    from umr._commands import remediate

    remediate.register(unlearn_group)
    app.add_command(unlearn_group)
