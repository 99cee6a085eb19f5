"""CLI commands: ``umr unlearn run | remediate | methods | bench | mask-info`` (torch is
imported inside commands)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from umr._commands._common import (
    deprecated,
    emit,
    emit_result,
    open_registry,
    output_options,
    repeatable,
)
from umr.errors import require

_F = TypeVar("_F", bound=Callable[..., Any])


def _need_torch() -> None:
    require("torch", "unlearn")


@click.group("unlearn")
def unlearn_group() -> None:
    """Localized machine unlearning (DEL) and baselines; needs the 'unlearn' extra.

    \b
    Example:
      umr unlearn bench --suite smoke --out bench-smoke
    """


_METHOD = click.option(
    "--method", default=None, help="The unlearning method ('umr unlearn methods' lists them)."
)


def _out_dir(default: str | None, help: str) -> Callable[[_F], _F]:
    """The ``--out FOLDER`` option of a command that writes files."""
    return click.option(
        "--out",
        default=default,
        show_default=default is not None,
        type=click.Path(file_okay=False),
        help=help,
    )


_OUT = _out_dir(None, "Write checkpoint, mask, forget index and metrics here.")


def _remediation_options(hidden: bool) -> Callable[[_F], _F]:
    """The options of ``unlearn remediate`` (hidden on the deprecated ``run --record``)."""

    def apply(fn: _F) -> _F:
        for option in reversed(
            [
                *(
                    click.option(
                        *flags,
                        type=click.Path(exists=True, dir_okay=False, path_type=Path),
                        required=not hidden,
                        hidden=hidden,
                        help=text,
                    )
                    for flags, text in (
                        (
                            ("--checkpoint",),
                            "The model's weights (safetensors; sha256 must match the record).",
                        ),
                        (
                            ("--forget", "forget_path"),
                            "The forget-set index file (see 'umr unlearn forget-set').",
                        ),
                    )
                ),
                click.option(
                    "--epochs",
                    type=int,
                    default=None,
                    hidden=hidden,
                    help="Override method.epochs.",
                ),
                click.option(
                    "--oracle/--no-oracle",
                    default=True,
                    show_default=True,
                    hidden=hidden,
                    help="Also retrain from scratch and report ToW against it.",
                ),
                click.option(
                    "--publish", is_flag=True, hidden=hidden, help="Publish the new record version."
                ),
                click.option(
                    "--artifact-uri",
                    default=None,
                    hidden=hidden,
                    help="Where the new weights will live "
                    "[default: the file:// URI of the written checkpoint].",
                ),
            ]
        ):
            fn = option(fn)
        return fn

    return apply


@unlearn_group.command("run")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML or JSON run config (see docs/unlearn.md).",
)
@_METHOD
@_OUT
@click.option("--record", "record_ref", default=None, hidden=True, help="Deprecated: remediate.")
@_remediation_options(hidden=True)
@click.option("--list", "list_", is_flag=True, hidden=True, help="Deprecated: 'unlearn methods'.")
@output_options()
@click.pass_context
def run_cmd(
    ctx: click.Context,
    config_path: Path | None,
    method: str | None,
    out: str | None,
    record_ref: str | None,
    checkpoint: Path | None,
    forget_path: Path | None,
    epochs: int | None,
    oracle: bool,
    publish: bool,
    artifact_uri: str | None,
    list_: bool,
    fmt: str,
) -> None:
    """Train (or load) a model, unlearn a forget set with one method, and report metrics.

    \b
    Example:
      umr unlearn run --config unlearn.yaml --method del --out runs/del
    """
    _need_torch()
    if record_ref is not None:
        deprecated("'umr unlearn run --record REF'", "'umr unlearn remediate REF'")
        if checkpoint is None or forget_path is None:
            raise click.UsageError("--record needs --checkpoint FILE and --forget FILE")
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
    if list_:
        deprecated("'umr unlearn run --list'", "'umr unlearn methods'")
        return _methods(fmt)
    from dataclasses import replace

    from umr.unlearn.run import load_config, run

    if config_path is None:
        raise click.UsageError("--config is required ('umr unlearn methods' lists the methods)")
    cfg = load_config(config_path)
    if method:
        cfg = replace(cfg, method=cfg.method.with_(name=method))
    cfg = replace(cfg, out=out or cfg.out)
    result = run(cfg, progress=True)
    text = "\n".join(f"{k:18} {v:.4f}" for k, v in result.metrics.items())
    emit_result(fmt, {"metrics": result.metrics, "files": result.files}, text)


@unlearn_group.command("remediate")
@click.argument("ref", metavar="NAME@VERSION")
@_remediation_options(hidden=False)
@click.option(
    "--method", default="del", show_default=True, help="The unlearning method ('unlearn methods')."
)
@_out_dir("unlearned", "Write the new checkpoint, the mask and the metrics here.")
@output_options()
@click.pass_context
def remediate_cmd(
    ctx: click.Context,
    ref: str,
    checkpoint: Path,
    forget_path: Path,
    epochs: int | None,
    oracle: bool,
    publish: bool,
    artifact_uri: str | None,
    method: str,
    out: str,
    fmt: str,
) -> None:
    """Unlearn a forget set from the published model REF and (with --publish) publish the
    result as its next major version, with an unlearned_from edge and the measured results.

    \b
    Example:
      umr unlearn remediate mnist1d-cnn@1.0.0 --checkpoint model.safetensors \\
          --forget forget.json --method del --out runs/fix --publish
    """
    _need_torch()
    _remediate(
        ctx, ref, checkpoint, forget_path, method, epochs, oracle, publish, artifact_uri, out, fmt
    )


def _remediate(
    ctx: click.Context,
    ref: str,
    checkpoint: Path,
    forget: Path,
    method: str,
    epochs: int | None,
    oracle: bool,
    publish: bool,
    artifact_uri: str | None,
    out: str | None,
    fmt: str,
) -> None:
    from umr.unlearn.config import MethodConfig
    from umr.unlearn.remediate import remediate

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
    emit_result(fmt, doc, result.text())


@unlearn_group.command("methods")
@output_options()
def methods_cmd(fmt: str) -> None:
    """List the registered unlearning methods and models.

    \b
    Example:
      umr unlearn methods
    """
    _need_torch()
    _methods(fmt)


def _methods(fmt: str) -> None:
    from umr.unlearn.run import describe

    found = describe()
    emit_result(fmt, found, "\n".join(f"{k}: {', '.join(v)}" for k, v in found.items()))


def _list_option(*flags: str, help: str) -> Callable[[_F], _F]:
    """A repeatable list option (the first flag is the one to use; the others, and
    comma-separated values, are older spellings)."""
    return click.option(*flags, multiple=True, callback=repeatable, help=help)


@unlearn_group.command("bench")
@click.option(
    "--suite",
    type=click.Choice(["smoke", "cpu", "memorization", "gpu"]),
    default="smoke",
    show_default=True,
    help="Which sizes, seeds and methods to run.",
)
@_list_option("--seed", "--seeds", "seeds", help="A seed (repeatable) [default: the suite's].")
@_out_dir("bench-unlearn", "Folder for results.json, the table and the plots.")
@click.option(
    "--samples",
    type=click.IntRange(min=100),
    default=None,
    help="Override the number of generated samples.",
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    default=None,
    help="Override the pretraining epochs (the shared epoch grid scales with them).",
)
@_list_option("--method", "--methods", "methods", help="Run only this method (repeatable).")
@_list_option(
    "--forget-set",
    "--forget-sets",
    "forget_sets",
    help="Run only this forget set: iid, non_iid, mislabeled or memorized (repeatable).",
)
@click.option(
    "--no-search", is_flag=True, help="Skip the hyperparameter search; use grid defaults."
)
@click.option(
    "--lr-points",
    type=click.IntRange(2, 3),
    default=None,
    help="Learning rates per method in the search: 2, or 3 (adds 2x the pretraining rate; "
    "gradient ascent: 1x) [default: the suite's].",
)
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda.")
@click.option(
    "--compile/--no-compile", "compile_", default=None, help="torch.compile [default: the suite's]."
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="torch CPU threads [default: the suite's].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Processes running units; 0 runs in this one [default: the suite's].",
)
@output_options()
def bench_cmd(
    suite: str,
    seeds: list[str],
    out: str,
    samples: int | None,
    epochs: int | None,
    methods: list[str],
    forget_sets: list[str],
    no_search: bool,
    lr_points: int | None,
    device: str,
    compile_: bool | None,
    threads: int | None,
    workers: int | None,
    fmt: str,
) -> None:
    """Benchmark every method against the mean of retrain oracles at equal budgets.

    Writes runs.jsonl as it goes (a rerun with the same --out resumes), then results.json,
    results.md and plots (ToW against compute and wall time, Pareto front).

    \b
    Example:
      umr unlearn bench --suite memorization --seed 0 --seed 1 --seed 2 --out bench-mem
    """
    _need_torch()
    from umr.unlearn.bench import run_bench

    seed_numbers = []
    for x in seeds:
        if not x.isdigit():
            raise click.BadParameter(
                f"{x[:40]!r} is not a whole number >= 0; give one seed per --seed, "
                "e.g. --seed 0 --seed 1",
                param_hint="--seed",
            )
        seed_numbers.append(int(x))
    res = run_bench(
        suite,
        out=out,
        seeds=seed_numbers or None,
        samples=samples,
        epochs=epochs,
        methods=methods or None,
        forget_sets=forget_sets or None,
        search=not no_search,
        lr_points=lr_points,
        device=device,
        compile=compile_,
        threads=threads,
        workers=workers,
    )
    text = (
        Path(res.files["table"]).read_text()
        + "\n"
        + "\n".join(f"wrote {p}" for p in res.files.values())
    )
    emit_result(fmt, {"files": {k: str(v) for k, v in res.files.items()}}, text)


@unlearn_group.command("mask-info")
@click.argument("mask", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--plot",
    "plot_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Also draw a PNG here.",
)
@output_options()
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
