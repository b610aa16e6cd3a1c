"""Takeout timestamps as epoch microseconds: JSON ISO instants and localized HTML wall times.

JSON ``time`` is an ISO-8601 UTC instant with milliseconds. An HTML timestamp is a wall-clock
time written in one zone abbreviation for the whole file (the zone in force when the export
was made, not at each date), so the instant is the wall time minus that abbreviation's fixed
offset, never the zone's DST rules at that date. Ambiguous abbreviations (IST, CST, BST, AST,
...) are read in the user's IANA time zone; without one they fall back to
``defaults.AMBIGUOUS_ZONE_FALLBACK`` and the import says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, available_timezones

from watchcube import defaults
from watchcube.ingest.locales import LOCALES, Locale

_US: Final = 1_000_000
_EPOCH_DAY: Final = date(1970, 1, 1).toordinal()
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@cache
def _epoch_day(year: int, month: int, day: int) -> int:
    return date(year, month, day).toordinal() - _EPOCH_DAY


def parse_json_time(text: str) -> int:
    """A JSON ``time`` ("2021-12-30T17:18:01.492Z") as epoch microseconds; ValueError if not."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"not an ISO-8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"an ISO-8601 time without a zone: {text!r}")
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds


# Abbreviations with one meaning, in minutes east of UTC (German and a few other localized
# spellings included: Takeout writes the abbreviation of the export's language).
FIXED_OFFSETS: Final[dict[str, int]] = {
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0, "WEZ": 0, "WEST": 60, "WESZ": 60,
    "CET": 60, "MEZ": 60, "CEST": 120, "MESZ": 120, "EET": 120, "OEZ": 120, "EEST": 180,
    "OESZ": 180, "TRT": 180, "MSK": 180, "MSD": 240, "SAMT": 240, "GET": 240, "AZT": 240,
    "PKT": 300, "NPT": 345, "ICT": 420, "WIB": 420, "WITA": 480, "WIT": 540, "HKT": 480,
    "SGT": 480, "MYT": 480, "PHT": 480, "PHST": 480, "AWST": 480, "JST": 540, "KST": 540,
    "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
    "HST": -600, "HDT": -540, "AKST": -540, "AKDT": -480, "PST": -480, "PDT": -420,
    "MST": -420, "MDT": -360, "EST": -300, "EDT": -240, "ADT": -180, "NST": -210,
    "NDT": -150, "BRT": -180, "BRST": -120, "ART": -180, "UYT": -180, "CLT": -240,
    "CLST": -180, "COT": -300, "PET": -300, "VET": -240, "BOT": -240, "SAST": 120,
    "CAT": 120, "EAT": 180, "WAT": 60, "IDT": 180,
}  # fmt: skip

# Abbreviations with several meanings: (offset in minutes, where) per meaning.
AMBIGUOUS: Final[dict[str, tuple[tuple[int, str], ...]]] = {
    "IST": ((330, "India"), (60, "Ireland"), (120, "Israel")),
    "CST": ((-360, "North America Central"), (480, "China"), (-300, "Cuba")),
    "CDT": ((-300, "North America Central"), (-240, "Cuba")),
    "BST": ((60, "British Summer"), (360, "Bangladesh")),
    "AST": ((-240, "Atlantic"), (180, "Arabia")),
    "GST": ((240, "Gulf"), (-120, "South Georgia")),
    "AMT": ((240, "Armenia"), (-240, "Amazon")),
    "SST": ((-660, "Samoa"), (480, "Singapore")),
}
_NUMERIC = re.compile(r"(?:GMT|UTC)?([+-])(\d{1,2})(?::?(\d{2}))?")


@dataclass(frozen=True, slots=True)
class ZoneReading:
    """How one abbreviation was read: its offset, and a note when the reading is a guess."""

    abbreviation: str
    offset_minutes: int
    note: str | None = None

    @property
    def label(self) -> str:
        """The abbreviation and its offset, e.g. "TRT (+03:00)"."""
        return f"{self.abbreviation} ({format_offset(self.offset_minutes)})"


def format_offset(minutes: int) -> str:
    """Minutes east of UTC as "+03:00" / "-05:30"."""
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


@cache
def _zone_abbreviations(zone: str) -> dict[str, int]:
    """Abbreviation -> offset (minutes) that ``zone`` used between 2005 and 2035."""
    info = ZoneInfo(zone)
    found: dict[str, int] = {}
    moment = datetime(2005, 1, 1, tzinfo=UTC)
    while moment.year < 2035:
        local = moment.astimezone(info)
        offset = local.utcoffset()
        if offset is not None:
            found[local.tzname() or ""] = int(offset.total_seconds()) // 60
        moment += timedelta(days=30)
    return found


@cache
def _all_zone_abbreviations() -> dict[str, frozenset[int]]:
    """Every abbreviation tzdata knows -> the offsets it stands for (for rare spellings)."""
    table: dict[str, set[int]] = {}
    for zone in available_timezones():
        for abbreviation, offset in _zone_abbreviations(zone).items():
            table.setdefault(abbreviation, set()).add(offset)
    return {abbreviation: frozenset(offsets) for abbreviation, offsets in table.items()}


def resolve_zone(abbreviation: str, timezone: str | None) -> ZoneReading:
    """The fixed offset an HTML file's zone abbreviation stands for. ValueError if unknown."""
    if abbreviation in FIXED_OFFSETS:
        return ZoneReading(abbreviation, FIXED_OFFSETS[abbreviation])
    numeric = _NUMERIC.fullmatch(abbreviation)
    if numeric:
        sign, hours, minutes = numeric.groups()
        offset = int(hours) * 60 + int(minutes or 0)
        return ZoneReading(abbreviation, -offset if sign == "-" else offset)
    candidates = AMBIGUOUS.get(abbreviation)
    if candidates is None:
        offsets = _all_zone_abbreviations().get(abbreviation)
        if not offsets:
            raise ValueError(f"unknown time zone abbreviation {abbreviation!r}")
        if len(offsets) == 1:
            return ZoneReading(abbreviation, next(iter(offsets)))
        candidates = tuple((offset, "tzdata") for offset in sorted(offsets))
    return _resolve_ambiguous(abbreviation, candidates, timezone)


def _resolve_ambiguous(
    abbreviation: str, candidates: tuple[tuple[int, str], ...], timezone: str | None
) -> ZoneReading:
    zone = timezone or defaults.AMBIGUOUS_ZONE_FALLBACK
    used = _zone_abbreviations(zone)
    meanings = ", ".join(f"{where} {format_offset(offset)}" for offset, where in candidates)
    if abbreviation in used:
        offset: int | None = used[abbreviation]
    else:
        offset = next((o for o, _ in candidates if o in used.values()), None)
    if offset is not None and timezone:
        return ZoneReading(abbreviation, offset)
    if offset is not None:
        note = f"{abbreviation} is ambiguous ({meanings}); read in {zone} (--timezone to choose)"
        return ZoneReading(abbreviation, offset, note)
    note = (
        f"{abbreviation} is ambiguous ({meanings}) and not used in {zone}; read as UTC"
        " (--timezone to choose)"
    )
    return ZoneReading(abbreviation, 0, note)


_TOKENS: Final[dict[str, str]] = {
    "d": r"(?P<day>\d{1,2})",
    "dd": r"(?P<day>\d{1,2})",
    "m": r"(?P<month>\d{1,2})",
    "mm": r"(?P<month>\d{1,2})",
    "yyyy": r"(?P<year>\d{4})",
    "H": r"(?P<hour>\d{1,2})",
    "HH": r"(?P<hour>\d{1,2})",
    "h": r"(?P<hour>\d{1,2})",
    "MM": r"(?P<minute>\d{2})",
    "SS": r"(?P<second>\d{2})",
    "mon": r"(?P<mon>[^\W\d_]+\.?)",
    "tz": r"(?P<tz>(?:GMT|UTC)[+-]\d{1,2}(?::?\d{2})?|[+-]\d{1,2}(?::?\d{2})?|[^\W\d_]{1,6})",
}
_FIELD = re.compile(r"\{(\w+)\}|(\s+)|([^{\s]+)")


def _loose_word(word: str) -> str:
    """A regex for an AM/PM word that takes any (or no) whitespace after its dots:
    "p.m." also reads "p. m." and "p.\u202fm." (CLDR spells it both ways by region)."""
    pieces = re.split(r"(?<=\.)", "".join(word.split()))
    return r"\s*".join(re.escape(piece) for piece in pieces if piece)


@cache
def locale_pattern(locale: Locale) -> re.Pattern[str]:
    """The regex reading ``locale.date_format``: any whitespace run matches any whitespace,
    a comma may be missing, and the zone is optional (exports before 2018 wrote none and
    meant UTC)."""
    parts: list[str] = []
    for name, space, literal in _FIELD.findall(locale.date_format):
        if space:
            parts.append(r"\s+")
        elif literal:
            parts.append(re.escape(literal).replace(",", ",?"))
        elif name == "ampm" and locale.ampm:
            words = "|".join(_loose_word(word) for word in locale.ampm)
            parts.append(rf"(?P<ampm>{words})")
        elif name == "tz":
            if parts and parts[-1] == r"\s+":
                parts.pop()
            parts.append(rf"(?:\s+{_TOKENS['tz']})?")
        else:
            parts.append(_TOKENS[name])
    return re.compile(r"\s*" + "".join(parts) + r"\s*", re.IGNORECASE)


class HtmlTimestamps:
    """Reads the timestamps of one HTML export: finds its locale once, reads each zone once."""

    def __init__(self, timezone: str | None) -> None:
        self.timezone = timezone
        self.zones: dict[str, ZoneReading] = {}
        # (locale, pattern, month names) in the order to try: the last that worked first
        self._order = [
            (locale, locale_pattern(locale), locale.month_numbers()) for locale in LOCALES.values()
        ]

    def parse(self, text: str) -> int:
        """The instant of one HTML timestamp as epoch microseconds; ValueError if unreadable."""
        for index, (locale, pattern, months) in enumerate(self._order):
            match = pattern.fullmatch(text)
            if match is None:
                continue
            fields = match.groupdict()
            month = _month(months, fields)
            if month is None:
                continue
            if index:  # most files use one locale: try the one that worked first next time
                self._order.insert(0, self._order.pop(index))
            return self._instant(locale, fields, month)
        raise ValueError(f"unrecognized timestamp {' '.join(text.split())!r}")

    def _instant(self, locale: Locale, fields: dict[str, str | None], month: int) -> int:
        hour = int(fields["hour"] or 0)
        ampm = fields.get("ampm")
        if ampm is not None and locale.ampm is not None:
            if not 1 <= hour <= 12:
                raise ValueError(f"hour {hour} on a 12-hour clock")
            pm = "".join(ampm.split()).casefold() == "".join(locale.ampm[1].split()).casefold()
            hour = hour % 12 + (12 if pm else 0)
        minute, second = int(fields["minute"] or 0), int(fields["second"] or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(f"time out of range {hour}:{minute}:{second}")
        days = _epoch_day(int(fields["year"] or 0), month, int(fields["day"] or 0))
        zone = self._zone(fields.get("tz") or "UTC")
        seconds = days * 86_400 + hour * 3600 + minute * 60 + second - zone.offset_minutes * 60
        return seconds * _US

    def _zone(self, abbreviation: str) -> ZoneReading:
        reading = self.zones.get(abbreviation)
        if reading is None:
            reading = self.zones[abbreviation] = resolve_zone(abbreviation, self.timezone)
        return reading


def _month(months: dict[str, int], fields: dict[str, str | None]) -> int | None:
    name = fields.get("mon")
    if name is None:
        number = int(fields["month"] or 0)
        return number if 1 <= number <= 12 else None
    return months.get(name.casefold().rstrip("."))
