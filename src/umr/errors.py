"""The one exception root of umr.

Every error a user can see is a :class:`UmrError`. Each subclass also inherits the builtin it
refines, so ``except ValueError`` keeps working for callers that do not know umr. Messages say
where (file, line, field path), what (the bad value, with ``!r``) and, in ``hint``, what to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with one input, located as precisely as the input allows."""

    message: str
    source: str | None = None  # file name or "<string>"
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str = ""  # dotted field path, e.g. "upstream[1].ref"

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = self.source
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
        head = " ".join(p for p in (where, self.path) if p)
        return f"{head}: {self.message}" if head else self.message

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
        }


class UmrError(Exception):
    """Root of every umr error. ``hint`` tells the user what to do next."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class RecordError(UmrError, ValueError):
    """A record (or advisory) file is malformed or invalid. Carries every problem found."""

    def __init__(self, problems: Iterable[Problem] | str, *, hint: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(message=problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        text = "\n".join(str(p) for p in self.problems)
        super().__init__(text, hint=hint)


class VersionError(UmrError, ValueError):
    """A version or version range does not parse."""


class DateError(UmrError, ValueError):
    """A date is not YYYY, YYYY-MM or YYYY-MM-DD, or names no real day."""


class RefError(UmrError, ValueError):
    """A ref (``name@range``) is malformed."""


class NotFoundError(UmrError, LookupError):
    """A name, version, advisory or file does not exist where it was looked for."""


class CycleError(UmrError, ValueError):
    """Inheritance or lineage forms a cycle. ``cycle`` lists its members in order."""

    def __init__(self, cycle: list[str], *, what: str = "inheritance", hint: str | None = None):
        self.cycle = cycle
        super().__init__(f"{what} cycle: {' -> '.join(cycle)}", hint=hint)


class ConflictError(UmrError, ValueError):
    """A write would change something immutable (a published name@version)."""


class RegistryError(UmrError, RuntimeError):
    """The registry database cannot be opened, migrated or written."""


class AuthError(UmrError, PermissionError):
    """A write lacks a valid token, or the token's scope does not cover it."""


class RenderError(UmrError, RuntimeError):
    """A renderer failed on a valid record: a fault in umr (or a plug-in), not in the input."""


class ForbiddenError(AuthError):
    """A valid token (or user) whose scopes do not cover the write (HTTP 403)."""


class MissingExtraError(UmrError, ImportError):
    """A command needs an optional dependency group that is not installed."""

    def __init__(self, extra: str, module: str) -> None:
        super().__init__(
            f"this needs the {extra!r} extra ({module} is not installed)",
            hint=f"pip install 'umr[{extra}]'",
        )
        self.extra = extra


def require(module: str, extra: str) -> None:
    """Raise MissingExtraError unless ``module`` imports."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise MissingExtraError(extra, module)
