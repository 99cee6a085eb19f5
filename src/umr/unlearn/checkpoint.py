"""Checkpoints as safetensors, identified by the sha256 of the file."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import torch

from umr.errors import NotFoundError, UmrError


class CheckpointError(UmrError, ValueError):
    """A checkpoint file does not match its expected digest or model."""


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_checkpoint(
    state: Mapping[str, torch.Tensor],
    path: str | Path,
    *,
    metadata: Mapping[str, str] | None = None,
) -> str:
    """Write ``state`` (tensors moved to CPU, made contiguous) and return the file's sha256."""
    from safetensors.torch import save_file

    tensors = {k: v.detach().cpu().contiguous() for k, v in state.items()}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata=dict(metadata or {}))
    return sha256_file(path)


def load_checkpoint(path: str | Path, *, sha256: str | None = None) -> dict[str, torch.Tensor]:
    """Read a checkpoint, refusing it when ``sha256`` is given and differs."""
    from safetensors.torch import load_file

    p = Path(path)
    if not p.exists():
        raise NotFoundError(
            f"{p}: no such checkpoint",
            hint=(
                "train one with `umr unlearn train --record REF` or `umr unlearn run --config FILE`"
            ),
        )
    if sha256 is not None and (got := sha256_file(p)) != sha256:
        raise CheckpointError(
            f"{p}: sha256 is {got!r}, expected {sha256!r}",
            hint="the file changed since its digest was recorded; use the original file",
        )
    return load_file(str(p))
