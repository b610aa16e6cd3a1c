"""Timestamps: every locale's HTML format read back exactly, zone abbreviations, JSON times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchcube.ingest.locales import LOCALE_CODES, LOCALES, format_html_timestamp
from watchcube.ingest.timestamps import (
    HtmlTimestamps,
    format_offset,
    parse_json_time,
    resolve_zone,
)
from watchcube.records import format_instant

ZONES = {"UTC": 0, "GMT": 0, "TRT": 180, "AEDT": 660, "CET": 60, "MESZ": 120, "BRT": -180,
         "JST": 540, "PDT": -420, "GMT+03:00": 180, "UTC-5": -300, "GMT+05:30": 330}  # fmt: skip
SPACES = [" ", "  ", "\xa0", "\u202f", "\n          ", "\t"]


def micros(wall: datetime, offset_minutes: int) -> int:
    return int((wall - timedelta(minutes=offset_minutes)).replace(tzinfo=UTC).timestamp()) * 10**6


@settings(max_examples=60, deadline=None)
@given(
    code=st.sampled_from(LOCALE_CODES),
    wall=st.datetimes(min_value=datetime(2005, 1, 2), max_value=datetime(2099, 12, 30)),
    zone=st.sampled_from(sorted(ZONES)),
    spaces=st.lists(st.sampled_from(SPACES), min_size=12, max_size=12),
)
def test_every_locale_reads_back_what_it_writes(
    code: str, wall: datetime, zone: str, spaces: list[str]
) -> None:
    wall = wall.replace(microsecond=0)
    text = format_html_timestamp(LOCALES[code], wall, zone)
    odd = "".join(spaces[i % 12] if ch in " \u202f" else ch for i, ch in enumerate(text))
    parser = HtmlTimestamps(None)
    assert parser.parse(text) == micros(wall, ZONES[zone])
    assert parser.parse(f"\n  {odd}\n ") == micros(wall, ZONES[zone])


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        # the shared real exports
        ("Jan 13, 2024, 4:16:16\u202fPM TRT", "2024-01-13T13:16:16.000Z"),
        ("29 Nov 2021, 18:06:16 AEDT", "2021-11-29T07:06:16.000Z"),
        ("29 Sept 2021, 18:06:16 AEDT", "2021-09-29T07:06:16.000Z"),
        ("1 avr.\n          2020 à 16:32:09 UTC", "2020-04-01T16:32:09.000Z"),
        # purarue/google_takeout_parser PR #59: a German export's timestamp (zone stripped)
        ("01.09.2022, 21:08:12", "2022-09-01T21:08:12.000Z"),
        ("01.09.2022, 21:08:12 MESZ", "2022-09-01T19:08:12.000Z"),
        # LorenzoCW/YouTube-History-Parser: a Brazilian Portuguese export
        ("9 de set. de 2024, 22:16:56 BRT", "2024-09-10T01:16:56.000Z"),
        # aiouku/YoutubeAnalyst reads Japanese exports as "%Y/%m/%d %H:%M:%S JST"
        ("2024/01/13 6:16:16 JST", "2024-01-12T21:16:16.000Z"),
        # spraot/gphotos-sync issue #2: Google's Dutch date-time ("1 mrt 2025, 20:55:21")
        ("1 mrt 2025, 20:55:21 CET", "2025-03-01T19:55:21.000Z"),
        # karlicoss/HPI issue #114 and google-takeout-parser's tests: older English forms
        ("6 Oct 2020, 14:32:28 PDT", "2020-10-06T21:32:28.000Z"),
        ("Jun 23, 2015, 2:43:45 PM", "2015-06-23T14:43:45.000Z"),
        ("Jan 25, 2019, 8:23:48 AM GMT", "2019-01-25T08:23:48.000Z"),
        ("Jan 13, 2024, 12:05:00\u202fAM GMT+03:00", "2024-01-12T21:05:00.000Z"),
        ("Jan 13, 2024, 12:05:00 PM UTC+3", "2024-01-13T09:05:00.000Z"),
    ],
)
def test_real_timestamps(text: str, instant: str) -> None:
    assert format_instant(HtmlTimestamps(None).parse(text)) == instant


@pytest.mark.parametrize(
    "text",
    ["", "yesterday", "Jan 32, 2024, 4:16:16 PM TRT", "Foo 3, 2024, 4:16:16 PM TRT",
     "Jan 3, 2024, 13:16:16 PM TRT", "3 Jan 2024, 25:00:00 UTC", "3 Jan 2024, 10:00:00 XYZQ"],
)  # fmt: skip
def test_unreadable_timestamps_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        HtmlTimestamps(None).parse(text)


def test_the_file_locale_is_tried_first_after_it_worked() -> None:
    parser = HtmlTimestamps(None)
    january = parser.parse("3 de jan. de 2024, 16:05:09 BRT")
    assert parser.parse("4 de fev. de 2024, 16:05:09 BRT") - january == 32 * 86_400 * 10**6
    assert parser.parse("Jan 3, 2024, 4:05:09 PM UTC") == micros(datetime(2024, 1, 3, 16, 5, 9), 0)


@pytest.mark.parametrize(
    ("abbreviation", "timezone", "offset", "noted"),
    [
        ("TRT", None, 180, False),
        ("AEDT", "Europe/Paris", 660, False),
        ("GMT-03:30", None, -210, False),
        ("IST", "Asia/Kolkata", 330, False),
        ("IST", "Europe/Dublin", 60, False),
        ("IST", "Asia/Jerusalem", 120, False),
        ("CST", "America/Chicago", -360, False),
        ("CST", "Asia/Shanghai", 480, False),
        ("BST", "Europe/London", 60, False),
        ("BST", "Asia/Dhaka", 360, False),  # tzdata writes "+06": the offset decides
        ("IST", None, 0, True),  # no time zone: UTC, and the import says so
        ("IST", "America/New_York", 0, True),
        ("WITA", None, 480, False),  # not in our table: found in tzdata
    ],
)
def test_zone_abbreviations(
    abbreviation: str, timezone: str | None, offset: int, noted: bool
) -> None:
    reading = resolve_zone(abbreviation, timezone)
    assert reading.offset_minutes == offset
    assert (reading.note is not None) == noted
    if noted:
        assert "ambiguous" in str(reading.note)
        assert "--timezone" in str(reading.note)


def test_an_unknown_abbreviation_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone abbreviation 'XYZQ'"):
        resolve_zone("XYZQ", None)


def test_labels() -> None:
    assert resolve_zone("TRT", None).label == "TRT (+03:00)"
    assert format_offset(-210) == "-03:30"


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2021-12-30T17:18:01.492Z", "2021-12-30T17:18:01.492Z"),
        ("2023-01-27T22:46:47.389352Z", "2023-01-27T22:46:47.389352Z"),
        ("2021-12-30T17:18:01Z", "2021-12-30T17:18:01.000Z"),
        ("2021-12-30T19:18:01.492+02:00", "2021-12-30T17:18:01.492Z"),
    ],
)
def test_json_times(text: str, instant: str) -> None:
    assert format_instant(parse_json_time(text), exact=True) == instant


@pytest.mark.parametrize("text", ["2021-12-30T17:18:01.492", "yesterday", ""])
def test_bad_json_times(text: str) -> None:
    with pytest.raises(ValueError):
        parse_json_time(text)
