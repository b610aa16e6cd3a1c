"""Filters: parsing query parameters, validation, the canonical form and its hash.

Every cached result is keyed by ``filter_hash``, so two spellings of the same question
(``year=2023`` and ``start=2023-01-01&end=2023-12-31``) must canonicalize to the same form:
shorthands become local start/end dates, lists are sorted and de-duplicated, and defaults
(no ads, every product, no limit) are dropped.

Documented bounds: at most ``MAX_CHANNELS`` channel ids and ``MAX_TOPICS`` topics per
filter, ``limit`` in ``1..MAX_LIMIT``, ``year`` in ``MIN_YEAR..MAX_YEAR``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from watchcube.errors import InvalidFilter
from watchcube.records import PRODUCTS

MAX_CHANNELS: Final = 100  # channel ids in one filter: a dashboard picks a handful
MAX_TOPICS: Final = 50  # topics in one filter: the tagger's whole vocabulary fits
MAX_LIMIT: Final = 1000  # longest list an aggregation returns
MIN_YEAR, MAX_YEAR = 1970, 2100  # records live in 2005..2099; wider years are typos
PARAMETERS: Final = frozenset(
    {"start", "end", "year", "quarter", "month", "channels", "topics", "products"}
    | {"include_ads", "limit"}
)
_LISTS: Final = frozenset({"channels", "topics", "products"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INT = re.compile(r"\d{1,9}")
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}

ParamValue = str | int | bool | Sequence[str]


@dataclass(frozen=True, slots=True)
class Filters:
    """One canonical filter; constructing it validates and normalizes every field."""

    start: date | None = None
    end: date | None = None
    channels: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    include_ads: bool = False
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InvalidFilter(f"start: {self.start} is after end {self.end}")
        object.__setattr__(self, "channels", _bounded("channels", self.channels, MAX_CHANNELS))
        object.__setattr__(self, "topics", _bounded("topics", self.topics, MAX_TOPICS))
        products = _bounded("products", self.products, len(PRODUCTS))
        for product in products:
            if product not in PRODUCTS:
                raise InvalidFilter(f"products: {product!r} is not one of {', '.join(PRODUCTS)}")
        # Every product is the same question as no product filter.
        object.__setattr__(self, "products", () if len(products) == len(PRODUCTS) else products)
        if self.limit is not None and not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidFilter(f"limit: must be 1..{MAX_LIMIT}, not {self.limit}")

    def canonical(self) -> dict[str, Any]:
        """The JSON-able canonical form: only the fields that differ from the defaults."""
        form: dict[str, Any] = {}
        if self.start is not None:
            form["start"] = self.start.isoformat()
        if self.end is not None:
            form["end"] = self.end.isoformat()
        for name in ("channels", "topics", "products"):
            if values := getattr(self, name):
                form[name] = list(values)
        if self.include_ads:
            form["include_ads"] = True
        if self.limit is not None:
            form["limit"] = self.limit
        return form

    def filter_hash(self) -> str:
        """SHA-256 hex of the canonical form as sorted-key compact JSON."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def date_range(self) -> tuple[date | None, date | None]:
        """The local dates the filter covers (inclusive, ``None`` = open), for the scheduler."""
        return self.start, self.end

    def limit_or(self, default: int) -> int:
        """The list length for a type whose own default is ``default``."""
        return default if self.limit is None else self.limit


def parse(params: Mapping[str, ParamValue]) -> Filters:
    """Filters from query-string style parameters (or a canonical form read back).

    Values may be strings, repeated strings (lists), or the ints and bools of a canonical
    form. Raises ``InvalidFilter`` naming the offending parameter.
    """
    unknown = sorted(set(params) - PARAMETERS)
    if unknown:
        raise InvalidFilter(
            f"{unknown[0]}: unknown filter parameter (known: {', '.join(sorted(PARAMETERS))})"
        )
    values = {name: _strings(value) for name, value in params.items()}
    single = {name: _single(name, texts) for name, texts in values.items() if name not in _LISTS}
    start, end = _date(single, "start"), _date(single, "end")
    year = _int(single, "year", MIN_YEAR, MAX_YEAR)
    quarter, month = _int(single, "quarter", 1, 4), _int(single, "month", 1, 12)
    if year is not None:
        if start is not None or end is not None:
            raise InvalidFilter("year: cannot be combined with a start/end date range")
        if quarter is not None and month is not None:
            raise InvalidFilter("quarter: cannot be combined with month")
        start, end = _period(year, quarter, month)
    elif quarter is not None or month is not None:
        name = "quarter" if quarter is not None else "month"
        raise InvalidFilter(f"{name}: requires year")
    return Filters(
        start=start,
        end=end,
        channels=_split(values.get("channels", [])),
        topics=_split(values.get("topics", [])),
        products=_split(values.get("products", [])),
        include_ads=_bool(single, "include_ads"),
        limit=_int(single, "limit", 1, MAX_LIMIT),
    )


def _strings(value: ParamValue) -> list[str]:
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, int | str):
        return [str(value)]
    return [str(item) for item in value]


def _single(name: str, texts: list[str]) -> str | None:
    present = [text.strip() for text in texts if text.strip()]
    if len(set(present)) > 1:
        raise InvalidFilter(f"{name}: given more than once with different values")
    return present[0] if present else None


def _date(single: Mapping[str, str | None], name: str) -> date | None:
    text = single.get(name)
    if text is None:
        return None
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidFilter(f"{name}: {text!r} is not a date (YYYY-MM-DD)") from None


def _int(single: Mapping[str, str | None], name: str, low: int, high: int) -> int | None:
    text = single.get(name)
    if text is None:
        return None
    if not _INT.fullmatch(text) or not low <= int(text) <= high:
        raise InvalidFilter(f"{name}: must be an integer {low}..{high}, not {text!r}")
    return int(text)


def _bool(single: Mapping[str, str | None], name: str) -> bool:
    text = (single.get(name) or "false").lower()
    if text not in _TRUE | _FALSE:
        raise InvalidFilter(f"{name}: must be true or false, not {text!r}")
    return text in _TRUE


def _split(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(part.strip() for text in texts for part in text.split(",") if part.strip())


def _bounded(name: str, values: Iterable[str], most: int) -> tuple[str, ...]:
    unique = tuple(sorted(set(values)))
    if "" in unique:
        raise InvalidFilter(f"{name}: empty value")
    if len(unique) > most:
        raise InvalidFilter(f"{name}: at most {most} values, got {len(unique)}")
    return unique


def _period(year: int, quarter: int | None, month: int | None) -> tuple[date, date]:
    """The first and last local date of a year, one of its quarters, or one of its months."""
    first_month, months = 1, 12
    if quarter is not None:
        first_month, months = 3 * quarter - 2, 3
    elif month is not None:
        first_month, months = month, 1
    after = first_month + months
    following = date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1)
    return date(year, first_month, 1), date.fromordinal(following.toordinal() - 1)
