"""Unlearning under torchrun (run by test_distributed.py): load the original model, run each
method named on the command line, write each mask and the metrics from rank 0.

    torchrun --standalone --nproc_per_node 2 tests/unlearn/ddp_del.py STATE OUT METHOD...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import torch


def setup() -> tuple[Any, Any, Any]:
    """Digits split by a 10% IID forget set, an MLP (untrained) and its factory."""
    from umr.unlearn import models
    from umr.unlearn.config import DataConfig, ForgetConfig
    from umr.unlearn.data import load, make_forget_set, split

    splits = load(DataConfig(name="digits", seed=0))
    fs = make_forget_set(splits.y_train, ForgetConfig(kind="iid", fraction=0.1, seed=0), 10)

    def factory(seed: int) -> torch.nn.Module:
        return models.build("mlp", 64, 10, seed)

    return factory(0), split(splits, fs), factory


METHODS: dict[str, dict[str, Any]] = {  # what the test runs, in one and in two processes
    "del": {"epochs": 5},
    "finetune": {"epochs": 3},
    "neggrad_plus": {"epochs": 3, "options": {"alpha": 0.99}},
    "salun": {"epochs": 3},
}


def method_config(name: str) -> Any:
    from umr.unlearn import MethodConfig

    return MethodConfig(name=name, seed=1, **METHODS[name])


def main(state: str, out: str, names: list[str]) -> None:
    torch.set_num_threads(1)
    from umr.unlearn import Runtime, evaluate, unlearn
    from umr.unlearn.localize import save_mask
    from umr.unlearn.stream import init_distributed, is_writer, world

    rt = Runtime(device=init_distributed("cpu"))
    model, data, factory = setup()
    docs = {}
    for name in names:
        model.load_state_dict(torch.load(state, weights_only=True))
        new, info = unlearn(model, data, method_config(name), factory=factory, rt=rt)
        docs[name] = evaluate(new, data, rt=rt, seed=1)
        if is_writer() and info["mask"] is not None:
            Path(out).mkdir(parents=True, exist_ok=True)
            save_mask(info["mask"], Path(out) / f"{name}-mask.safetensors")
    checks = edge_cases(model, data, rt)
    if is_writer():  # one writer of outputs
        Path(out).mkdir(parents=True, exist_ok=True)
        doc = {"metrics": docs, "world": world()[1], "checks": checks}
        (Path(out) / "metrics.json").write_text(json.dumps(doc))
    torch.distributed.destroy_process_group()


def edge_cases(model: Any, data: Any, rt: Any) -> dict[str, Any]:
    """A last batch of one example (rank 1's slice would be empty) trains to finite weights
    in as many steps as one process counts; a global batch smaller than the world is refused."""
    from umr.unlearn._train import fit
    from umr.unlearn.config import ConfigError

    x, y = data.x_retain[:33], data.y_retain[:33]  # batches of 16: 16, 16 and 1
    stats = fit(model, x, y, epochs=2, lr=0.05, batch_size=16, rt=rt)
    finite = all(bool(torch.isfinite(p).all()) for p in model.parameters())
    try:
        fit(model, x, y, epochs=1, lr=0.05, batch_size=1, rt=rt)
        refused = ""
    except ConfigError as err:
        refused = str(err)
    return {"steps": stats.steps, "finite": finite, "refused": refused}


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
