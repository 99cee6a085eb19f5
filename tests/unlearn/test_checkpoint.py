from __future__ import annotations

import pytest
import torch

from umr.errors import NotFoundError
from umr.unlearn.checkpoint import CheckpointError, load_checkpoint, save_checkpoint, sha256_file


def test_checkpoint_round_trip_with_digest(tmp_path) -> None:
    state = {"w": torch.arange(6.0).reshape(2, 3).t(), "b": torch.zeros(2)}  # non-contiguous too
    path = tmp_path / "m.safetensors"
    digest = save_checkpoint(state, path, metadata={"method": "del"})
    assert digest == sha256_file(path)
    back = load_checkpoint(path, sha256=digest)
    assert all(torch.equal(back[k], state[k]) for k in state)
    with pytest.raises(CheckpointError, match=r"expected '0000'"):
        load_checkpoint(path, sha256="0000")
    with pytest.raises(NotFoundError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "x.safetensors")
