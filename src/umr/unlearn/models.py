"""Small models for MNIST-1D and digits, registered by name.

Every built-in model names its classifier ``head``; :func:`head_names` finds the head of any
model (the ``head`` submodule, else the last ``nn.Linear``), which DEL always finetunes.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from umr.errors import UmrError

ModelFactory = Callable[[int, int, int], nn.Module]  # (in_features, num_classes, seed) -> model
MODELS: dict[str, ModelFactory] = {}
WIDTHS: dict[str, int] = {}  # model name -> how many channel widths it takes (when it takes any)


class ModelError(UmrError, ValueError):
    """A model name is unknown or a model has no identifiable head."""


def register_model(name: str) -> Callable[[ModelFactory], ModelFactory]:
    """Decorator: make a model factory available by ``name``."""

    def deco(fn: ModelFactory) -> ModelFactory:
        MODELS[name] = fn
        return fn

    return deco


def build(
    name: str,
    in_features: int,
    num_classes: int,
    seed: int,
    *,
    widths: tuple[int, ...] | None = None,
) -> nn.Module:
    """A freshly initialised model ``name``, its initialisation seeded by ``seed``.

    ``name`` is a built-in model or one an installed package registers under the
    ``umr.unlearn.models`` entry-point group (see :mod:`umr.unlearn.factories`); a module path
    is refused before anything is imported. The factory is called as
    ``factory(in_features, num_classes, seed)``. ``widths`` sets the channel widths of the
    built-in models that take them (``resnet18_1d``: 4, ``cnn1d``: 1); None keeps their defaults.
    """
    from umr.unlearn.factories import MODEL_GROUP, check_name, resolve

    if widths is not None:
        n = WIDTHS.get(check_name(name, what="model", group=MODEL_GROUP))
        if n is None:
            raise ModelError(
                f"model: {name!r} takes no widths (got {list(widths)!r})",
                hint=f"widths apply to {', '.join(sorted(WIDTHS))}; leave widths unset",
            )
        if len(widths) != n or min(widths) < 1:
            raise ModelError(
                f"widths: {list(widths)!r} is not {n} positive channel widths for {name!r}",
                hint="e.g. widths: [16, 32, 64, 128] for resnet18_1d",
            )
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return _WIDE[name](in_features, num_classes, widths)

    factory = resolve(name, what="model", group=MODEL_GROUP, builtin=MODELS)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = factory(in_features, num_classes, seed)
    if not isinstance(model, nn.Module):
        raise ModelError(
            f"model: {name!r} returned {type(model).__name__}, not a torch.nn.Module",
            hint="a model factory returns an nn.Module",
        )
    return model


def head_names(model: nn.Module) -> set[str]:
    """Parameter names of the classifier head."""
    names = [n for n, _ in model.named_modules()]
    if "head" in names:
        prefix = "head"
    else:
        linears = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)]
        if not linears:
            raise ModelError(
                f"{type(model).__name__}: no submodule named 'head' and no nn.Linear",
                hint="name the classifier layer 'head'",
            )
        prefix = linears[-1]
    return {n for n, _ in model.named_parameters() if n == prefix or n.startswith(prefix + ".")}


class CNN1d(nn.Module):
    """Small 1-D CNN for MNIST-1D: (N, L) -> (N, classes)."""

    def __init__(self, length: int, num_classes: int, width: int = 32) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, width, 5, padding=2),
            nn.ReLU(),
            nn.Conv1d(width, 2 * width, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv1d(2 * width, 2 * width, 3, stride=2, padding=1),
            nn.ReLU(),
        )
        out_len = (length + 3) // 4  # two stride-2 convs
        self.fc = nn.Linear(2 * width * out_len, 128)
        self.head = nn.Linear(128, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x.unsqueeze(1))  # (N, 1, L) -> (N, 2w, L/4)
        out: torch.Tensor = self.head(torch.relu(self.fc(h.flatten(1))))
        return out


class _Block1d(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm1d(cout)
        self.conv2 = nn.Conv1d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm1d(cout)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv1d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm1d(cout)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(h)) + self.shortcut(x))


class ResNet18_1d(nn.Module):
    """ResNet-18 in 1-D with BatchNorm, 64 to 512 channels: (N, L) -> (N, classes)."""

    def __init__(self, num_classes: int, widths: tuple[int, ...] = (64, 128, 256, 512)) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv1d(1, widths[0], 3, padding=1, bias=False), nn.BatchNorm1d(widths[0]), nn.ReLU()
        )
        layers: list[nn.Module] = []
        cin = widths[0]
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            layers += [_Block1d(cin, w, stride), _Block1d(w, w, 1)]
            cin = w
        self.layers = nn.Sequential(*layers)
        self.head = nn.Linear(cin, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.layers(self.stem(x.unsqueeze(1)))  # (N, 512, L/8)
        out: torch.Tensor = self.head(h.mean(dim=2))
        return out


class MLP(nn.Module):
    """Two hidden layers: (N, F) -> (N, classes)."""

    def __init__(self, in_features: int, num_classes: int, hidden: int = 128) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU()
        )
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.head(self.body(x))
        return out


class CNNDigits(nn.Module):
    """Small 2-D CNN for 8x8 digits: (N, 64) -> (N, classes)."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1),
            nn.ReLU(),
        )
        self.head = nn.Linear(32 * 4 * 4, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x.view(-1, 1, 8, 8))  # (N, 64) -> (N, 1, 8, 8) -> (N, 32, 4, 4)
        out: torch.Tensor = self.head(h.flatten(1))
        return out


@register_model("cnn1d")
def _cnn1d(in_features: int, num_classes: int, seed: int) -> nn.Module:
    return CNN1d(in_features, num_classes)


@register_model("resnet18_1d")
def _resnet18_1d(in_features: int, num_classes: int, seed: int) -> nn.Module:
    return ResNet18_1d(num_classes)


_WIDE: dict[str, Callable[[int, int, tuple[int, ...]], nn.Module]] = {
    "cnn1d": lambda f, c, w: CNN1d(f, c, width=w[0]),
    "resnet18_1d": lambda f, c, w: ResNet18_1d(c, widths=w),
}
WIDTHS.update(cnn1d=1, resnet18_1d=4)


@register_model("mlp")
def _mlp(in_features: int, num_classes: int, seed: int) -> nn.Module:
    return MLP(in_features, num_classes)


@register_model("cnn_digits")
def _cnn_digits(in_features: int, num_classes: int, seed: int) -> nn.Module:
    if in_features != 64:
        raise ModelError(
            f"cnn_digits: expects 64 features (8x8), got {in_features!r}", hint="use 'mlp'"
        )
    return CNNDigits(num_classes)
