"""Dates as precise as the facts: parsing, printing, ordering and the record field."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from umr.errors import DateError, RecordError
from umr.spec import dump_yaml, load_record_text, parse_record
from umr.spec.dates import PartialDate


@pytest.mark.parametrize(
    ("text", "precision", "earliest", "latest"),
    [
        ("2021", "year", "2021-01-01", "2021-12-31"),
        ("2021-06", "month", "2021-06-01", "2021-06-30"),
        ("2024-02", "month", "2024-02-01", "2024-02-29"),
        ("2023-02", "month", "2023-02-01", "2023-02-28"),
        ("2022-11-24", "day", "2022-11-24", "2022-11-24"),
    ],
)
def test_parse_keeps_precision(text: str, precision: str, earliest: str, latest: str) -> None:
    date = PartialDate.parse(text)
    assert str(date) == text
    assert date.precision == precision
    assert date.earliest().isoformat() == earliest
    assert date.latest().isoformat() == latest
    assert date.timestamp() == f"{earliest}T00:00:00Z"


def test_parse_accepts_a_year_number_and_a_date() -> None:
    assert str(PartialDate.parse(2021)) == "2021"
    assert str(PartialDate.parse(dt.date(2021, 6, 3))) == "2021-06-03"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13-45", "'2024-13-45': month 13 is outside 1-12"),
        ("2023-02-29", "'2023-02-29': day 29 is outside 1-28 for 2023-02"),
        ("2021-6", "'2021-6' is not a date"),
        ("June 2021", "'June 2021' is not a date"),
        ("0000", "'0000': year 0 is outside 1-9999"),
        (True, "a date must be text, got True"),
        (2021.5, "a date must be text, got 2021.5"),
        (dt.datetime(2021, 6, 3, 12), "'2021-06-03T12:00:00' has a time of day"),
    ],
)
def test_parse_refuses_with_the_grammar(value: object, message: str) -> None:
    with pytest.raises(DateError) as err:
        PartialDate.parse(value)
    assert message in str(err.value)
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in str(err.value)


def test_ordering_reads_sensibly() -> None:
    dates = [PartialDate.parse(t) for t in ("2021-07", "2021-06-15", "2020", "2021", "2021-06")]
    assert [str(d) for d in sorted(dates)] == ["2020", "2021", "2021-06", "2021-06-15", "2021-07"]
    assert PartialDate.parse("2021").contains(PartialDate.parse("2021-06-15"))
    assert not PartialDate.parse("2021-06").contains(PartialDate.parse("2021"))
    assert PartialDate.parse("2021-06") != PartialDate.parse("2021-06-01")


_dates = st.builds(
    lambda d, p: PartialDate.parse(d.isoformat()[: {"year": 4, "month": 7, "day": 10}[p]]),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.sampled_from(["year", "month", "day"]),
)


@given(_dates)
def test_text_round_trips(date: PartialDate) -> None:
    assert PartialDate.parse(str(date)) == date
    assert date.earliest() <= date.latest()
    assert date.contains(date)


@given(_dates, _dates)
def test_order_is_total_and_follows_the_periods(a: PartialDate, b: PartialDate) -> None:
    assert (a < b) + (b < a) + (a == b) == 1
    if a.latest() < b.earliest():  # a period wholly before another sorts before it
        assert a < b
    if a.contains(b) and a != b:  # a period sorts before the narrower ones inside it
        assert a < b


@pytest.mark.parametrize("released", ["2021", "2021-06", "2021-06-15"])
def test_record_field_keeps_what_was_written(released: str) -> None:
    text = f"umr: 1\nname: x\nversion: 1.0.0\nkind: dataset\nreleased: {released}\n"
    record, _ = load_record_text(text)
    assert record.to_dict()["released"] == released
    assert parse_record(record.to_dict()) == record
    assert load_record_text(dump_yaml(record.to_dict()))[0] == record


def test_record_field_error_is_located() -> None:
    text = "umr: 1\nname: x\nversion: 1.0.0\nkind: dataset\nreleased: 2021-02-30\n"
    with pytest.raises(RecordError) as err:
        load_record_text(text, source="x.yaml")
    assert str(err.value).startswith("x.yaml:5:11 released: '2021-02-30': day 30 is outside")
