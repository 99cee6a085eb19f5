from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from umr.errors import NotFoundError
from umr.unlearn.config import DataConfig, ForgetConfig
from umr.unlearn.data import (
    DataError,
    load,
    load_forget_set,
    make_forget_set,
    save_forget_set,
    split,
)


def test_digits_splits_are_disjoint_and_complete(digits) -> None:
    n = len(digits.y_train) + len(digits.y_val) + len(digits.y_test)
    assert n == 1797
    assert digits.x_train.shape[1] == 64 and digits.x_train.dtype == torch.float32
    assert len(digits.y_test) == round(0.2 * 1797)
    rows = {tuple(r) for r in digits.x_train.numpy().round(4)}
    assert not any(tuple(r) in rows for r in digits.x_test.numpy().round(4)[:50])


def test_mnist1d_is_generated_with_the_asked_size() -> None:
    s = load(DataConfig(name="mnist1d", num_samples=200, seed=3))
    assert s.x_train.shape[1] == 40
    assert len(s.y_train) + len(s.y_val) + len(s.y_test) == 200
    again = load(DataConfig(name="mnist1d", num_samples=200, seed=3))  # from the cache
    assert torch.equal(s.x_train, again.x_train)


def test_mnist1d_noise_scales_change_the_data() -> None:
    plain = load(DataConfig(name="mnist1d", num_samples=200, seed=3))
    noisy = load(
        DataConfig(
            name="mnist1d", num_samples=200, seed=3, corr_noise_scale=0.5, iid_noise_scale=0.05
        )
    )
    assert torch.equal(plain.y_train, noisy.y_train)  # same templates and split
    assert not torch.allclose(plain.x_train, noisy.x_train)


def test_forget_set_kinds(digits) -> None:
    y = digits.y_train
    iid = make_forget_set(y, ForgetConfig(kind="iid", fraction=0.1, seed=1), 10)
    assert len(iid.indices) == round(0.1 * len(y)) and iid.labels is None
    assert len(np.unique(iid.indices)) == len(iid.indices)
    non = make_forget_set(y, ForgetConfig(kind="non_iid", fraction=0.1, classes=(2, 5)), 10)
    assert set(y[torch.from_numpy(non.indices)].tolist()) <= {2, 5}
    mis = make_forget_set(y, ForgetConfig(kind="mislabeled", fraction=0.1), 10)
    assert mis.labels is not None
    assert (mis.labels != y.numpy()[mis.indices]).all()
    data = split(digits, mis)
    assert torch.equal(data.y_forget, torch.from_numpy(mis.labels))
    assert len(data.y_retain) + len(data.y_forget) == len(y)


def test_forget_sets_are_seeded(digits) -> None:
    a = make_forget_set(digits.y_train, ForgetConfig(seed=4), 10)
    b = make_forget_set(digits.y_train, ForgetConfig(seed=4), 10)
    c = make_forget_set(digits.y_train, ForgetConfig(seed=5), 10)
    assert a.sha256 == b.sha256 != c.sha256


def test_forget_set_file_round_trips_and_checks_its_digest(digits, tmp_path) -> None:
    fs = make_forget_set(digits.y_train, ForgetConfig(kind="mislabeled"), 10)
    path = tmp_path / "forget.json"
    assert save_forget_set(fs, path) == fs.sha256
    back = load_forget_set(path, sha256=fs.sha256)
    assert np.array_equal(back.indices, fs.indices) and back.labels is not None
    with pytest.raises(DataError, match=r"sha256 is '[0-9a-f]{64}', expected 'beef'"):
        load_forget_set(path, sha256="beef")
    with pytest.raises(NotFoundError, match="no such forget-set file"):
        load_forget_set(tmp_path / "missing.json")


def test_bad_forget_requests_say_what_to_do(digits) -> None:
    with pytest.raises(DataError, match=r"classes \[11\] hold 0 training examples"):
        make_forget_set(digits.y_train, ForgetConfig(kind="non_iid", classes=(11,)), 10)
    with pytest.raises(DataError, match=r"forget.kind: 'odd'"):
        make_forget_set(digits.y_train, ForgetConfig(kind="odd"), 10)
    from umr.unlearn.factories import FactoryError

    with pytest.raises(FactoryError, match=r"data.name: 'cifar' is not registered"):
        load(DataConfig(name="cifar"))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{", "not JSON"),
        ("[1, 2]", "holds a list"),
        ("{}", "missing kind, seed, indices, labels"),
        ('{"kind": "' + "k" * 500 + '", "seed": 0, "indices": [], "labels": null}', "kind 'kkkk"),
        ('{"kind": "iid", "seed": "0", "indices": [], "labels": null}', "seed '0'"),
        ('{"kind": "iid", "seed": 0, "indices": [1, -2], "labels": null}', "indices must be"),
        ('{"kind": "iid", "seed": 0, "indices": [1, 2.5], "labels": null}', "indices must be"),
        ('{"kind": "mislabeled", "seed": 0, "indices": [1, 2], "labels": [3]}', "labels must be"),
    ],
)
def test_a_bad_forget_set_file_is_a_located_error(tmp_path: Path, text: str, says: str) -> None:
    from umr.unlearn.data import DataError, load_forget_set

    path = tmp_path / "forget.json"
    path.write_text(text)
    with pytest.raises(DataError, match=str(path)) as err:
        load_forget_set(path)
    assert says in str(err.value) and len(str(err.value)) < 300
    assert "umr unlearn forget-set" in (err.value.hint or "")


@pytest.mark.parametrize(
    ("y", "says"),
    [
        (np.array([0.7, 1.0, 0.0]), "labels of type float64"),
        (np.array([0, -1, 1]), "a negative label (-1)"),
        (np.array([3, 3, 3]), "1 distinct label(s)"),
        (np.array([[0, 1], [1, 0]]), "labels of shape (2, 2)"),
    ],
)
def test_one_label_rule_for_arrays_and_datasets(y: np.ndarray, says: str) -> None:
    from umr.unlearn.data import DataError, check_labels

    with pytest.raises(DataError, match=r"data.name: 'x': ") as err:
        check_labels(y, "data.name: 'x'")
    assert says in str(err.value) and "class numbers" in (err.value.hint or "")
