from __future__ import annotations

import pytest

from umr.unlearn.config import ConfigError, MethodConfig, RunConfig


def test_run_config_round_trips_through_dicts() -> None:
    cfg = RunConfig.from_dict(
        {
            "model": "mlp",
            "data": {"name": "digits"},
            "forget": {"kind": "non_iid", "classes": [2, 5]},
            "method": {"name": "del", "epochs": 2, "localize": {"fraction": 0.2}},
        }
    )
    assert cfg.forget.classes == (2, 5)
    assert cfg.method.localize is not None and cfg.method.localize.fraction == 0.2
    again = RunConfig.from_dict(cfg.to_dict())
    assert again == cfg


def test_unknown_key_names_the_section_and_the_key() -> None:
    with pytest.raises(ConfigError, match=r"method: unknown key 'epoch'") as info:
        RunConfig.from_dict({"method": {"epoch": 3}})
    assert info.value.hint is not None and "epochs" in info.value.hint


def test_method_config_defaults_are_dels() -> None:
    cfg = MethodConfig()
    assert (cfg.name, cfg.momentum, cfg.bn_policy) == ("del", 0.9, "train")
    assert (cfg.epochs, cfg.lr, cfg.weight_decay, cfg.schedule) == (None, None, None, None)


def test_widths_and_noise_scales_round_trip() -> None:
    cfg = RunConfig.from_dict(
        {
            "model": "resnet18_1d",
            "widths": [16, 32, 64, 128],
            "data": {"num_samples": 4500, "corr_noise_scale": 0.5, "iid_noise_scale": 0.05},
        }
    )
    assert cfg.widths == (16, 32, 64, 128) and cfg.data.corr_noise_scale == 0.5
    assert RunConfig.from_dict(cfg.to_dict()) == cfg
