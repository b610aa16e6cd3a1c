"""Locales against what real exports were seen to write (sources on each case).

The timestamp lines are verbatim from real exports or from the tests/regexes other parsers
wrote against real exports; the fixtures in ``fixtures/locales`` are small pages built from
those snippets (see the README there). What is still only CLDR-derived is said in
``Locale.source`` and is not pinned here as if it were verified.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from watchcube.ingest.locales import (
    LOCALE_CODES,
    LOCALES,
    format_html_timestamp,
    watched_line_html,
    watched_title,
)
from watchcube.ingest.timestamps import HtmlTimestamps, locale_pattern
from watchcube.records import format_instant

from .helpers import json_entry, link, read, write_json

FIXTURES = Path(__file__).parent / "fixtures" / "locales"
VIDEO = "https://www.youtube.com/watch?v=2DIdtwlt8_o"


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        # de: purarue/google_takeout_parser PR #59 log (the zone was split off by that parser;
        # which spelling Takeout writes, MESZ or CEST, is unverified: both are read)
        ("01.09.2022, 21:08:12", "2022-09-01T21:08:12.000Z"),
        ("01.09.2022, 21:08:12 MESZ", "2022-09-01T19:08:12.000Z"),
        ("01.09.2022, 21:08:12 CEST", "2022-09-01T19:08:12.000Z"),
        ("01.12.2022, 21:08:12 MEZ", "2022-12-01T20:08:12.000Z"),
        # es-ES: a Spanish-export parser's tests (personal_ai youtube_history)
        ("7 mar 2016, 22:11:49 CEST", "2016-03-07T20:11:49.000Z"),
        ("12 ago 2026, 21:07:55 CEST", "2026-08-12T19:07:55.000Z"),
        ("1 nov 2025, 16:31:23 CEST", "2025-11-01T14:31:23.000Z"),
        ("16 may 2026, 20:22:10 CEST", "2026-05-16T18:22:10.000Z"),
        # es-419: a music-history parser's tests, quoted as a real export's shape
        ("3 jul 2026, 5:00:15 p.m. IDT", "2026-07-03T14:00:15.000Z"),
        ("3 jul 2026, 4:59:47 p.m. IDT", "2026-07-03T13:59:47.000Z"),
        # the same with CLDR's other spellings of the marker (U+00A0 / U+202F inside it)
        ("3 jul 2026, 5:00:15\xa0p.\xa0m. IDT", "2026-07-03T14:00:15.000Z"),
        ("2 mar 2024, 4:12:33\u202fa.\u202fm. GMT-03:00", "2024-03-02T07:12:33.000Z"),
        ("3 jul 2026, 12:00:15 a.m. IDT", "2026-07-02T21:00:15.000Z"),
        # pt-BR: LorenzoCW/YouTube-History-Parser (docstrings of converter_data/formatar_data)
        ("9 de set. de 2024, 22:16:56 BRT", "2024-09-10T01:16:56.000Z"),
        ("5 de set. de 2018, 21:45:55 BRT", "2018-09-06T00:45:55.000Z"),
        # ja: aiouku/YoutubeAnalyst reads "%Y/%m/%d %H:%M:%S" + " JST" (strptime takes the
        # hour with or without a leading zero)
        ("2025/07/05 9:03:07 JST", "2025-07-05T00:03:07.000Z"),
        ("2025/07/05 09:03:07 JST", "2025-07-05T00:03:07.000Z"),
        # nl: Google's Dutch date-time in spraot/gphotos-sync issue #2 (Photos, not Takeout)
        ("1 mrt 2025, 20:55:21 CET", "2025-03-01T19:55:21.000Z"),
        ("1 mrt 2025 20:55:21 CET", "2025-03-01T19:55:21.000Z"),  # CLDR nl: no comma
        # en: real exports quoted in public issues (2021 en-GB in CET, 2025-2026 en-US)
        ("11 Jan 2021, 12:50:26 CET", "2021-01-11T11:50:26.000Z"),
        ("Mar 5, 2026, 9:36:36 AM MST", "2026-03-05T16:36:36.000Z"),
        ("Apr 11, 2022, 9:15:24 PM BST", "2022-04-11T20:15:24.000Z"),
    ],
)
def test_real_timestamp_lines(text: str, instant: str) -> None:
    assert format_instant(HtmlTimestamps("Europe/London").parse(text)) == instant


def test_de_writes_what_a_german_export_regex_reads() -> None:
    """A3M4/YouTube-Report parse.py reads German exports with these two regexes."""
    de = LOCALES["de-DE"]
    line = watched_line_html(de, link(VIDEO, "Titel"))
    assert re.search(r"""<a href=\"([^\"]*)\">[^<]*<\/a>\xa0angesehen""", line)
    stamp = format_html_timestamp(de, datetime(2022, 9, 1, 21, 8, 12), "MESZ")
    body = f'{line}<br><a href="https://www.youtube.com/channel/x">K</a><br>{stamp}</div>'
    german = re.compile(
        r"""\xa0angesehen<br><a href=\"[^\"]*\">[^<]*<\/a><br>(\d\d?)\.(\d\d?)\.(\d\d\d\d), """
        r"""(\d\d?):(\d\d?):(\d\d?) ([^<]*)<\/div>"""
    )
    assert german.findall(body) == [("01", "09", "2022", "21", "08", "12", "MESZ")]


def test_pt_br_and_ja_write_what_their_parsers_read() -> None:
    pt = format_html_timestamp(LOCALES["pt-BR"], datetime(2024, 9, 9, 22, 16, 56), "BRT")
    assert pt == "9 de set. de 2024, 22:16:56 BRT"
    # LorenzoCW/YouTube-History-Parser's pattern
    assert re.search(r"\d+\s+de\s+\w+\.\s+de\s+\d+,\s+\d+:\d+:\d+", pt)
    ja = format_html_timestamp(LOCALES["ja-JP"], datetime(2025, 7, 5, 9, 3, 7), "JST")
    parsed = datetime.strptime(ja.replace(" JST", ""), "%Y/%m/%d %H:%M:%S")  # aiouku's reading
    assert parsed == datetime(2025, 7, 5, 9, 3, 7)
    es = format_html_timestamp(LOCALES["es-419"], datetime(2026, 7, 3, 17, 0, 15), "IDT")
    assert es == "3 jul 2026, 5:00:15 p.m. IDT"
    es = format_html_timestamp(LOCALES["es-ES"], datetime(2016, 3, 7, 22, 11, 49), "CEST")
    assert es == "7 mar 2016, 22:11:49 CEST"


def read_fixture(name: str) -> tuple[Counter[str], list[tuple[str, str | None, str, object]]]:
    report, rows = read(FIXTURES / name, timezone="Europe/Berlin")
    assert report.format == "takeout-html"
    assert report.warnings == 0, report.warning_messages
    found = [
        (format_instant(row.watched_at_us), row.video_id, row.title, row.channel_name)
        for row in rows
    ]
    return report.skipped, found


def test_a_german_page() -> None:
    skipped, rows = read_fixture("de.watch-history.html")
    assert skipped == Counter()
    assert rows == [
        ("2022-09-01T19:08:12.000Z", "Er5X_clRDZI", "Google Cloud Ücretsiz Deneme", "Kanal"),
        ("2022-09-01T07:05:00.000Z", "fRj3UM0VPr8", "Ohne Kanal", None),
    ]


def test_a_spanish_page_with_searches_visits_and_surveys() -> None:
    skipped, rows = read_fixture("es-ES.watch-history.html")
    assert skipped == Counter({"search": 1, "visited": 1, "survey": 1})
    assert rows == [
        ("2016-03-07T20:11:49.000Z", "Ob5gdl9BBdM", '"Pedro"', "Podemos"),
        ("2026-08-12T19:07:55.000Z", "hrcxTDHGRPk", "Heineken DE", None),
    ]


def test_a_latin_american_spanish_page_on_a_12_hour_clock() -> None:
    _, rows = read_fixture("es-419.watch-history.html")
    assert rows == [
        ("2026-07-03T14:00:15.000Z", "a1a1a1a1a1a", "Metallica - Battery (Official Audio)",
         "Metallica"),
        ("2026-07-03T13:59:47.000Z", "a2a2a2a2a2a", "In Blur", "Deafheaven - Topic"),
    ]  # fmt: skip


def test_a_brazilian_page_with_an_ad() -> None:
    report, rows = read(FIXTURES / "pt-BR.watch-history.html")
    assert (report.records, report.ads, report.zone) == (2, 1, "BRT (-03:00)")
    assert format_instant(rows[0].watched_at_us) == "2024-09-10T01:16:56.000Z"
    assert [(row.title, row.is_ad) for row in rows] == [("Vídeo", False), ("Anúncio", True)]


def test_a_japanese_page() -> None:
    _, rows = read_fixture("ja-JP.watch-history.html")
    assert rows == [("2025-07-05T00:03:07.000Z", "2DIdtwlt8_o", "動画", "チャンネル")]


def test_the_2025_layout_ends_the_body_with_a_line_break() -> None:
    """Exports since 2025 write "...AM PDT<br></div>": the timestamp is the last line with
    text, not the empty one after the last <br>."""
    report, rows = read(FIXTURES / "en-2025-layout.watch-history.html")
    assert report.warnings == 0
    assert report.skipped == Counter({"other": 1})  # "Dismissed mix"
    assert [(format_instant(r.watched_at_us), r.video_id, r.channel_name) for r in rows] == [
        ("2026-03-03T13:25:05.000Z", "hDFHzpO5yC4", "Chase Quality"),
        ("2026-03-03T06:59:59.000Z", None, None),
    ]


def test_a_japanese_json_title_loses_its_verb(tmp_path: Path) -> None:
    """JSON titles are "<title> を視聴しました" (Japanese parsers strip " を視聴しました")."""
    title = watched_title(LOCALES["ja-JP"], "録画の確認の動画")
    assert title == "録画の確認の動画 を視聴しました"
    _, rows = read(write_json(tmp_path, [json_entry(title, VIDEO)]))
    assert [row.title for row in rows] == ["録画の確認の動画"]


def test_every_locale_says_what_is_verified() -> None:
    for code in LOCALE_CODES:
        source = LOCALES[code].source
        assert source, code
        assert "verified" in source or "CLDR" in source, code


def test_commas_are_optional_and_am_pm_words_are_loose() -> None:
    pattern = locale_pattern(LOCALES["es-419"])
    assert pattern.fullmatch("3 jul 2026 5:00:15 p. m. IDT")
    assert not pattern.fullmatch("3 jul 2026, 5:00:15 pm IDT")
    assert locale_pattern(LOCALES["en-US"]).fullmatch("Jan 13 2024 4:16:16 PM TRT")
