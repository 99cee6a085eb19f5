"""What a record may name: model and dataset factories, registered by name.

A record's ``extensions.umr-unlearn`` names its model and its data by a **registered name**,
never by a module path. Built-in factories register in code (:func:`umr.unlearn.models.
register_model`, the datasets in :mod:`umr.unlearn.data`); anything else comes from an
installed package that declares an entry point::

    # the package's pyproject.toml
    [project.entry-points."umr.unlearn.models"]
    acme-resnet = "acme_models.umr:resnet"      # factory(in_features, num_classes, seed)
    [project.entry-points."umr.unlearn.datasets"]
    acme-scans = "acme_models.umr:scans"        # factory(cfg: DataConfig) -> (x, y) or Dataset

Looking a name up reads installed packages' metadata only. A name is checked before anything
else happens: a value that is not a plain name (``os:system``, ``pkg.mod:attr``, a path) is
refused without importing anything, and so is a name no installed package registers. The only
code that ever runs is what the user installed and the entry point the user's package declares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from umr.errors import RefError, UmrError
from umr.spec import names

MODEL_GROUP = "umr.unlearn.models"
DATASET_GROUP = "umr.unlearn.datasets"

# The names a record may use are record names (umr.spec.names): slugs with no ':', '/', spaces
# or uppercase, so nothing that reads as a module path or a file passes.

_EXAMPLE = {MODEL_GROUP: "factory(in_features, num_classes, seed)", DATASET_GROUP: "factory(cfg)"}


class FactoryError(UmrError, ValueError):
    """A record names a factory that is not registered, or not by a plain name."""


def _snippet(group: str, name: str) -> str:
    safe = name if _is_name(name) else "my-name"
    return (
        f'register it from an installed package: in its pyproject.toml, [project.entry-points."'
        f'{group}"] {safe} = "your_package.module:factory" (a {_EXAMPLE[group]}), then '
        "`pip install` that package; a record never names a module itself"
    )


def _is_name(value: object) -> bool:
    try:
        names.check_name(value)
    except RefError:
        return False
    return True


def check_name(value: object, *, what: str, group: str) -> str:
    """``value`` if it is a plain registered name; refuse anything else, importing nothing."""
    try:
        return names.check_name(value)
    except RefError as err:
        why = "is a module path, not" if isinstance(value, str) and ":" in value else "is not"
        raise FactoryError(
            f"{what}: {why} a registered name: {err}; a record names a factory only by name",
            hint=_snippet(group, value if isinstance(value, str) else ""),
        ) from None


def _entry_point(group: str, name: str) -> EntryPoint | None:
    found = [ep for ep in entry_points(group=group) if ep.name == name]
    return found[0] if found else None


def registered(group: str, builtin: Mapping[str, object]) -> list[str]:
    """Every name ``group`` knows: built-ins and installed entry points, sorted."""
    return sorted({*builtin, *(ep.name for ep in entry_points(group=group))})


def resolve(
    value: object, *, what: str, group: str, builtin: Mapping[str, Callable[..., Any]]
) -> Callable[..., Any]:
    """The factory ``value`` names: a built-in, else an installed package's entry point.

    The name is validated first and looked up among names only; an entry point's module is
    imported only once its name matched, and it is the installed package that chose it.
    """
    name = check_name(value, what=what, group=group)
    if name in builtin:
        return builtin[name]
    ep = _entry_point(group, name)
    if ep is None:
        raise FactoryError(
            f"{what}: {name!r} is not registered (known: {', '.join(registered(group, builtin))})",
            hint=_snippet(group, name),
        )
    try:
        factory = ep.load()
    except Exception as exc:  # the installed package is broken: say which one
        raise FactoryError(
            f"{what}: {name!r} is registered by an installed package as {ep.value!r}, "
            f"which fails to load ({type(exc).__name__}: {exc})",
            hint="fix or reinstall the package that declares it",
        ) from exc
    if not callable(factory):
        raise FactoryError(
            f"{what}: {name!r} ({ep.value!r}) is not callable",
            hint=f"it must be a {_EXAMPLE[group]}",
        )
    return factory  # type: ignore[no-any-return]


__all__ = [
    "DATASET_GROUP",
    "MODEL_GROUP",
    "FactoryError",
    "check_name",
    "registered",
    "resolve",
]
