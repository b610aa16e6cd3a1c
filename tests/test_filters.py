"""Filters: parsing, validation, canonical form and hash."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from watchcube.errors import InvalidFilter
from watchcube.filters import MAX_CHANNELS, MAX_TOPICS, Filters, parse


def test_no_parameters_is_the_default_filter() -> None:
    assert parse({}) == Filters()
    assert Filters().canonical() == {}
    assert Filters().date_range() == (None, None)


@pytest.mark.parametrize(
    ("params", "start", "end"),
    [
        ({"year": "2023"}, date(2023, 1, 1), date(2023, 12, 31)),
        ({"year": "2024", "quarter": "1"}, date(2024, 1, 1), date(2024, 3, 31)),
        ({"year": "2023", "quarter": "4"}, date(2023, 10, 1), date(2023, 12, 31)),
        ({"year": "2024", "month": "2"}, date(2024, 2, 1), date(2024, 2, 29)),
        ({"year": "2023", "month": "12"}, date(2023, 12, 1), date(2023, 12, 31)),
        ({"start": "2023-05-06"}, date(2023, 5, 6), None),
        ({"end": "2023-05-06"}, None, date(2023, 5, 6)),
    ],
)
def test_periods_expand_to_local_dates(
    params: dict[str, str], start: date | None, end: date | None
) -> None:
    assert parse(params).date_range() == (start, end)


def test_equivalent_filters_hash_the_same() -> None:
    year = parse({"year": "2023"})
    spelled = parse({"start": "2023-01-01", "end": "2023-12-31"})
    assert year == spelled
    assert year.filter_hash() == spelled.filter_hash()
    repeated = parse({"channels": ["UCb", "UCa,UCb"], "topics": " music , news"})
    joined = parse({"channels": "UCa,UCb", "topics": ["news", "music", "music"]})
    assert repeated.filter_hash() == joined.filter_hash()
    every_product = parse({"products": "youtube_music,youtube", "include_ads": "false"})
    assert every_product.filter_hash() == Filters().filter_hash()


def test_canonical_form_and_hash_are_stable() -> None:
    chosen = parse(
        {"year": "2024", "quarter": "2", "channels": "UCz,UCa", "include_ads": "1", "limit": "5"}
    )
    assert chosen.canonical() == {
        "start": "2024-04-01",
        "end": "2024-06-30",
        "channels": ["UCa", "UCz"],
        "include_ads": True,
        "limit": 5,
    }
    # SHA-256 of the sorted-key compact JSON: a changed hash invalidates every cached row.
    text = json.dumps(chosen.canonical(), sort_keys=True, separators=(",", ":"))
    assert chosen.filter_hash() == hashlib.sha256(text.encode()).hexdigest()
    assert Filters().filter_hash() == hashlib.sha256(b"{}").hexdigest()


def test_a_canonical_form_parses_back_to_the_same_filter() -> None:
    chosen = parse({"start": "2023-02-03", "topics": "music", "include_ads": "yes", "limit": "7"})
    assert parse(chosen.canonical()) == chosen


def test_limit_or_gives_the_type_default_when_unset() -> None:
    assert Filters().limit_or(20) == 20
    assert parse({"limit": "3"}).limit_or(20) == 3


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"quarter": "1"}, "quarter"),
        ({"month": "3"}, "month"),
        ({"year": "2023", "quarter": "1", "month": "2"}, "quarter"),
        ({"year": "2023", "month": "13"}, "month"),
        ({"year": "2023", "quarter": "5"}, "quarter"),
        ({"year": "20x3"}, "year"),
        ({"start": "2023-05-01", "end": "2023-04-01"}, "start"),
        ({"start": "2023-01-01", "year": "2023"}, "year"),
        ({"start": "2023-02-30"}, "start"),
        ({"end": "20230101"}, "end"),
        ({"products": "vimeo"}, "products"),
        ({"channels": ",".join(f"UC{i}" for i in range(MAX_CHANNELS + 1))}, "channels"),
        ({"topics": [f"t{i}" for i in range(MAX_TOPICS + 1)]}, "topics"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"include_ads": "maybe"}, "include_ads"),
        ({"colour": "red"}, "colour"),
        ({"year": ["2023", "2024"]}, "year"),
    ],
)
def test_invalid_filters_name_the_parameter(params: dict[str, str | list[str]], named: str) -> None:
    with pytest.raises(InvalidFilter) as raised:
        parse(params)
    assert raised.value.message.startswith(f"{named}:")
    assert raised.value.status == 422


def test_constructing_filters_directly_validates_and_normalizes() -> None:
    assert Filters(channels=("b", "a", "b")).channels == ("a", "b")
    with pytest.raises(InvalidFilter):
        Filters(start=date(2024, 1, 2), end=date(2024, 1, 1))
    with pytest.raises(InvalidFilter):
        Filters(channels=("",))
