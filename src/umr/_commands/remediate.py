"""CLI commands: ``umr unlearn forget-set`` and ``umr unlearn train``, the remediation helpers.

``umr unlearn remediate`` (in ``umr._commands.unlearn``) does the unlearning itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from umr._commands._common import (
    Options,
    deprecated,
    emit_result,
    output_options,
    record_source,
    repeatable,
)
from umr.errors import require


def _resolved(opts: Options, ref: str) -> Any:
    """The resolved record ``ref`` names (its data setup may be inherited)."""
    require("torch", "unlearn")
    from umr.spec import resolve
    from umr.spec.lookup import lookup

    record, source = lookup(ref, record_source(opts))
    return resolve(record, source).record


def _classes(values: list[str]) -> tuple[int, ...]:
    try:
        return tuple(int(c) for c in values)
    except ValueError:
        raise click.BadParameter(
            f"{values} are not all class numbers; write them like --class 2 --class 5",
            param_hint="--class",
        ) from None


def _ref(ref: str | None, record: str | None) -> str:
    """The REF argument, or the deprecated --record option."""
    if record is not None:
        if ref is not None:
            raise click.UsageError("give REF, or the deprecated --record REF, not both")
        deprecated("--record REF", "REF as the first argument")
        return record
    if ref is None:
        raise click.UsageError("name the model record: a file path or NAME@RANGE")
    return ref


_REF = click.argument("ref", required=False, metavar="REF")
_RECORD = click.option(
    "--record", "record", default=None, hidden=True, help="Deprecated: give REF as an argument."
)


@click.command("forget-set")
@_REF
@_RECORD
@click.option(
    "--kind",
    type=click.Choice(["iid", "non_iid", "mislabeled"]),
    default="mislabeled",
    show_default=True,
    help="How the slice is chosen.",
)
@click.option("--fraction", type=float, default=0.1, show_default=True, help="Of the training set.")
@click.option(
    "--class",
    "--classes",
    "classes",
    multiple=True,
    callback=repeatable,
    default=("2", "5"),
    show_default=True,
    help="non_iid: a class to draw from (repeatable).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the draw.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The forget-set file to write.",
)
@output_options()
@click.pass_obj
def forget_set(
    opts: Options,
    ref: str | None,
    record: str | None,
    kind: str,
    fraction: float,
    classes: list[str],
    seed: int,
    out: Path,
    fmt: str,
) -> None:
    """Write a forget-set index file for the data a model record (a path or NAME@RANGE)
    describes.

    \b
    Example:
      umr unlearn forget-set model.yaml --kind mislabeled --fraction 0.1 --out forget.json
    """
    cls = _classes(classes)
    resolved = _resolved(opts, _ref(ref, record))
    from umr.unlearn.remediate import write_forget_set

    sha, size = write_forget_set(
        resolved, out, kind=kind, fraction=fraction, classes=cls, seed=seed
    )
    emit_result(
        fmt,
        {"path": str(out), "examples": size, "sha256": sha},
        f"wrote {out}: {size} examples, sha256 {sha}",
    )


@click.command("train")
@_REF
@_RECORD
@click.option(
    "--forget",
    "forget_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Forget-set file: its examples are trained on (with flipped labels if mislabeled).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The weights file to write (safetensors).",
)
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda.")
@output_options()
@click.pass_obj
def train(
    opts: Options,
    ref: str | None,
    record: str | None,
    forget_path: Path,
    out: Path,
    device: str,
    fmt: str,
) -> None:
    """Train the model a record (a path or NAME@RANGE) describes on its full training set;
    print the weights' sha256.

    \b
    Example:
      umr unlearn train model.yaml --forget forget.json --out model.safetensors
    """
    resolved = _resolved(opts, _ref(ref, record))
    from umr.unlearn.remediate import train_original

    sha = train_original(resolved, forget_path, out, device=device)
    emit_result(
        fmt,
        {"path": str(out), "sha256": sha},
        f"wrote {out}: sha256 {sha}\nnext: add it to the record's artifacts, then 'umr publish'",
    )


def register(group: click.Group) -> None:
    """Add these commands to the ``unlearn`` group."""
    group.add_command(forget_set)
    group.add_command(train)
