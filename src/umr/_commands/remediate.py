"""CLI commands: ``umr unlearn forget-set`` and ``umr unlearn train``, the remediation helpers.

``umr unlearn run --record`` (in ``umr._commands.unlearn``) does the unlearning itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from umr._commands._common import Options, emit, record_source
from umr.errors import require


def _resolved(opts: Options, ref: str) -> Any:
    """The resolved record ``ref`` names (its data setup may be inherited)."""
    require("torch", "unlearn")
    from umr.spec import resolve
    from umr.spec.lookup import lookup

    record, source = lookup(ref, record_source(opts))
    return resolve(record, source).record


def _classes(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(c) for c in text.split(",") if c.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a list of class numbers; write them like 2,5", param_hint="--classes"
        ) from None


@click.command("forget-set")
@click.option("--record", "ref", required=True, help="The model record (path or NAME@RANGE).")
@click.option(
    "--kind",
    type=click.Choice(["iid", "non_iid", "mislabeled"]),
    default="mislabeled",
    show_default=True,
    help="How the slice is chosen.",
)
@click.option("--fraction", type=float, default=0.1, show_default=True, help="Of the training set.")
@click.option("--classes", default="2,5", show_default=True, help="non_iid: classes to draw from.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def forget_set(
    opts: Options, ref: str, kind: str, fraction: float, classes: str, seed: int, out: Path
) -> None:
    """Write a forget-set index file for the data a model record describes.

    \b
    Example:
      umr unlearn forget-set --record model.yaml --kind mislabeled --fraction 0.1 --out forget.json
    """
    cls = _classes(classes)
    resolved = _resolved(opts, ref)
    from umr.unlearn.remediate import write_forget_set

    sha, size = write_forget_set(
        resolved, out, kind=kind, fraction=fraction, classes=cls, seed=seed
    )
    emit(f"wrote {out}: {size} examples, sha256 {sha}")


@click.command("train")
@click.option("--record", "ref", required=True, help="The model record (path or NAME@RANGE).")
@click.option(
    "--forget",
    "forget_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Forget-set file: its examples are trained on (with flipped labels if mislabeled).",
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda.")
@click.pass_obj
def train(opts: Options, ref: str, forget_path: Path, out: Path, device: str) -> None:
    """Train the model a record describes on its full training set; print the weights' sha256.

    \b
    Example:
      umr unlearn train --record model.yaml --forget forget.json --out model.safetensors
    """
    resolved = _resolved(opts, ref)
    from umr.unlearn.remediate import train_original

    sha = train_original(resolved, forget_path, out, device=device)
    emit(f"wrote {out}: sha256 {sha}\nnext: add it to the record's artifacts, then 'umr publish'")


def register(group: click.Group) -> None:
    """Add these commands to the ``unlearn`` group."""
    group.add_command(forget_set)
    group.add_command(train)
