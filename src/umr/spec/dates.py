"""Dates as precise as the facts: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

A release is often known to the year or the month only; writing ``2021-06-01`` for "June 2021"
would invent a day. :class:`PartialDate` keeps the precision it was given, prints back exactly
what was written, and orders so that a list of dates reads sensibly: by year, then month, then
day, a less precise date before the more precise ones it contains (``2021`` < ``2021-06`` <
``2021-06-15`` < ``2021-07``). Formats that need a full timestamp (CycloneDX, SPDX) use the
first instant of the period, :meth:`PartialDate.timestamp`; see docs/guide/formats.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Literal

from umr.errors import DateError

PARTIAL_DATE_PATTERN = r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_GRAMMAR = "write YYYY, YYYY-MM or YYYY-MM-DD (as precise as the fact: '2021', '2021-06')"

Precision = Literal["year", "month", "day"]


@functools.total_ordering
@dataclass(frozen=True, slots=True, kw_only=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise DateError(f"year {self.year} is outside 1-9999; {_GRAMMAR}")
        if self.month is None:
            if self.day is not None:
                raise DateError(f"a day needs a month; {_GRAMMAR}")
            return
        if not 1 <= self.month <= 12:
            raise DateError(f"month {self.month} is outside 1-12; {_GRAMMAR}")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise DateError(
                    f"day {self.day} is outside 1-{last} for {self.year}-{self.month:02d}; "
                    f"{_GRAMMAR}"
                )

    @staticmethod
    def parse(value: object) -> PartialDate:
        """``'2021'``, ``'2021-06'``, ``'2021-06-15'``, a year as an int (YAML reads an
        unquoted ``2021`` as one) or a :class:`datetime.date`; anything else is refused."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, dt.datetime):
            raise DateError(
                f"{value.isoformat()!r} has a time of day; a release date is a day at most: "
                f"{_GRAMMAR}"
            )
        if isinstance(value, dt.date):
            return PartialDate(year=value.year, month=value.month, day=value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            return PartialDate(year=value)
        if not isinstance(value, str):
            raise DateError(f"a date must be text, got {repr(value)[:40]}; {_GRAMMAR}")
        m = _DATE.fullmatch(value.strip())
        if m is None:
            raise DateError(f"{value[:40]!r} is not a date; {_GRAMMAR}")
        year, month, day = (int(g) if g else None for g in m.groups())
        assert year is not None  # the pattern requires it
        try:
            return PartialDate(year=year, month=month, day=day)
        except DateError as exc:
            raise DateError(f"{value!r}: {exc.message}") from None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def earliest(self) -> dt.date:
        """The first day of the period."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        """The last day of the period."""
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def contains(self, other: PartialDate | dt.date) -> bool:
        """Whether ``other`` lies wholly inside this period (``2021`` contains ``2021-06``)."""
        other = PartialDate.parse(other)
        return self.earliest() <= other.earliest() and other.latest() <= self.latest()

    def timestamp(self) -> str:
        """An RFC 3339 UTC timestamp for formats that need one: the period's first instant."""
        return f"{self.earliest().isoformat()}T00:00:00Z"

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text
