"""The synthetic history: deterministic, realistic, valid, and written in Takeout's shapes."""

from __future__ import annotations

import json
import re
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import orjson
import pytest
from typer.testing import CliRunner

from watchcube.cli import synth as _synth  # noqa: F401  (registers the command)
from watchcube.cli.app import app
from watchcube.errors import InvalidInput
from watchcube.ingest.topics import Tagger
from watchcube.records import PRODUCTS, Record, parse_instant, record_from_mapping
from watchcube.synth import FORMATS, generate, write
from watchcube.synth.generator import REMOVED_TITLE
from watchcube.synth.takeout import gson_string
from watchcube.synth.vocabulary import TOPICS

TAKEOUT = Path(__file__).resolve().parents[2] / "shared" / "data" / "takeout"
BERLIN = ZoneInfo("Europe/Berlin")
END = date(2026, 10, 31)
T = TypeVar("T")


@pytest.fixture(scope="module")
def history() -> list[Record]:
    return generate(50_000, seed=7)


def local(record: Record, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime.fromtimestamp(record.watched_at_us / 1e6, zone)


def share(items: Sequence[T], predicate: Callable[[T], bool]) -> float:
    return sum(1 for item in items if predicate(item)) / len(items)


# --- determinism ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_seed_writes_the_same_bytes(tmp_path: Path, fmt: str) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write(generate(3_000, seed=11), first, fmt, timezone="Europe/Berlin")
    write(generate(3_000, seed=11), second, fmt, timezone="Europe/Berlin")
    assert first.read_bytes() == second.read_bytes()


def test_another_seed_gives_another_history() -> None:
    assert generate(500, seed=1) != generate(500, seed=2)


# --- valid records ----------------------------------------------------------------------


def test_records_are_valid_portable_records(history: list[Record]) -> None:
    for record in history:
        assert record_from_mapping(record.to_json()) == record
        assert record.product in PRODUCTS
        assert record.watched_at_us % 1000 == 0  # millisecond precision, as in Takeout
        assert set(record.topics) <= set(TOPICS)
        if record.video_id is not None:
            assert re.fullmatch(r"[\w-]{10}[AEIMQUYcgkosw048]", record.video_id)
        if record.channel_id is not None:
            assert re.fullmatch(r"UC[\w-]{21}[AQgw]", record.channel_id)
            assert record.channel_name
            assert record.topics


def test_history_is_sorted_and_inside_the_span(history: list[Record]) -> None:
    instants = [record.watched_at_us for record in history]
    assert instants == sorted(instants)
    first, last = local(history[0]).date(), local(history[-1]).date()
    assert END - timedelta(days=round(4 * 365.25)) < first < END - timedelta(days=4 * 365 - 30)
    assert END - timedelta(days=7) <= last <= END
    assert {local(record).year for record in history} == {2022, 2023, 2024, 2025, 2026}


def test_ads_removed_videos_and_music_look_like_takeout(history: list[Record]) -> None:
    ads = [record for record in history if record.is_ad]
    assert all(ad.channel_id is None and ad.channel_name is None for ad in ads)
    assert all(ad.topics == () and ad.product == "youtube" and ad.video_id for ad in ads)
    removed = [record for record in history if record.video_id is None]
    assert all(record.title == REMOVED_TITLE and record.channel_id is None for record in removed)
    assert all(record.topics == () and not record.is_ad for record in removed)
    music = [record for record in history if record.product == "youtube_music"]
    assert all(record.topics == ("music",) for record in music)


def test_a_few_entries_appear_twice_exactly(history: list[Record]) -> None:
    twice = [count for count in Counter(history).values() if count > 1]
    assert 10 <= len(twice) <= 50


def test_edge_sizes() -> None:
    assert generate(0) == []
    assert len(generate(1, seed=3)) == 1
    assert len(generate(37, seed=3, years=0.1)) == 37


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"records": -1}, "records"),
        ({"records": 10, "timezone": "Mars/Base"}, "time zone"),
        ({"records": 10, "timezone": "Europe"}, "time zone"),
        ({"records": 10, "years": 0}, "years"),
    ],
)
def test_generate_rejects_bad_arguments(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        generate(**arguments)  # type: ignore[arg-type]


# --- realism ----------------------------------------------------------------------------


def test_shares_of_ads_music_removed_rewatches_and_durations(history: list[Record]) -> None:
    assert 0.02 <= share(history, lambda r: r.is_ad) <= 0.04
    assert 0.15 <= share(history, lambda r: r.product == "youtube_music") <= 0.25
    assert 0.005 <= share(history, lambda r: r.video_id is None) <= 0.02
    assert 0.25 <= share(history, lambda r: r.duration_s is not None) <= 0.35
    videos = [record.video_id for record in history if record.video_id and not record.is_ad]
    rewatches = (len(videos) - len(set(videos))) / len(videos)
    assert 0.07 <= rewatches <= 0.14


def test_channels_follow_a_zipf_law() -> None:
    records = generate(10_000, seed=5)
    counts = sorted(Counter(r.channel_id for r in records if r.channel_id).values(), reverse=True)
    assert 200 <= len(counts) <= 800  # a few hundred channels at 10k records
    top_tenth = sum(counts[: len(counts) // 10]) / sum(counts)
    assert 0.4 <= top_tenth <= 0.8
    assert counts[0] / sum(counts) < 0.1


def test_evenings_are_busy_and_early_mornings_quiet(history: list[Record]) -> None:
    hours = Counter(local(record).hour for record in history)
    evening = sum(hours[h] for h in range(18, 24))
    early = sum(hours[h] for h in range(3, 6))
    assert evening > 10 * early
    assert max(hours, key=lambda h: hours[h]) in range(18, 24)


def test_weekend_days_are_busier_than_weekdays(history: list[Record]) -> None:
    per_day = Counter(local(record).date() for record in history)
    first, last = min(per_day), max(per_day)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    weekend = [per_day[d] for d in days if d.weekday() >= 5]
    weekday = [per_day[d] for d in days if d.weekday() < 5]
    assert sum(weekend) / len(weekend) > 1.2 * sum(weekday) / len(weekday)


def test_the_rhythm_follows_local_time_across_dst_changes() -> None:
    """The same seed in Berlin and in UTC draws the same wall-clock times: Berlin's DST
    moves the instants, not the local rhythm (only the skipped spring hour differs)."""
    berlin = generate(20_000, seed=9, timezone="Europe/Berlin")
    utc = generate(20_000, seed=9, timezone="UTC")
    offsets = {local(record).utcoffset() for record in berlin}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}
    walls_berlin = Counter(local(record).replace(tzinfo=None) for record in berlin)
    walls_utc = Counter(local(record, ZoneInfo("UTC")).replace(tzinfo=None) for record in utc)
    assert sum((walls_berlin & walls_utc).values()) >= 0.995 * len(berlin)


def test_views_come_in_sessions(history: list[Record]) -> None:
    gaps = [(b.watched_at_us - a.watched_at_us) / 60e6 for a, b in pairwise(history)]
    assert share(gaps, lambda g: g <= 30) >= 0.8
    assert 0.005 <= share(gaps, lambda g: g > 120) <= 0.3
    sessions = 1 + sum(1 for gap in gaps if gap > 30)
    assert 2 <= len(history) / sessions <= 60


def test_titles_carry_their_topics_keywords(history: list[Record]) -> None:
    tagger = Tagger.default()
    tagged = [r for r in history if r.topics and r.product == "youtube"]
    found = share(tagged, lambda r: r.topics[0] in tagger.tag(r.title, r.channel_name))
    assert found >= 0.8


@pytest.mark.slow
def test_a_million_records_in_a_few_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    records = generate(1_000_000, seed=1)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\ngenerate(1_000_000): {elapsed:.2f} s")
    assert len(records) == 1_000_000


# --- writers ----------------------------------------------------------------------------


def test_ndjson_is_the_portable_form(tmp_path: Path) -> None:
    records = generate(2_000, seed=4)
    write(records, tmp_path / "h.ndjson", "ndjson")
    lines = (tmp_path / "h.ndjson").read_bytes().splitlines()
    assert lines == [orjson.dumps(record.to_json()) for record in records]
    assert [record_from_mapping(orjson.loads(line)) for line in lines] == records


def test_takeout_json_has_the_takeout_shape(tmp_path: Path) -> None:
    records = generate(3_000, seed=4)
    write(records, tmp_path / "h.json", "takeout-json")
    raw = (tmp_path / "h.json").read_text(encoding="utf-8")
    assert raw.startswith('[{\n  "header": "YouTube')
    assert raw.endswith('"]\n}]')
    assert "\\u003d" in raw and "watch?v=" not in raw
    entries = json.loads(raw)
    assert len(entries) == len(records)
    times = [entry["time"] for entry in entries]
    assert times == sorted(times, reverse=True)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", t) for t in times)
    for entry, record in zip(entries, reversed(records), strict=True):
        assert parse_instant(entry["time"]) == record.watched_at_us
        assert entry["products"] == ["YouTube"]
        assert entry["activityControls"] == ["YouTube watch history"]
        assert entry["header"] == (
            "YouTube Music" if record.product == "youtube_music" else "YouTube"
        )
        if record.video_id is None:
            assert entry["title"] == "Watched a video that has been removed"
            assert "titleUrl" not in entry and "subtitles" not in entry
            continue
        assert entry["title"] == f"Watched {record.title}"
        assert entry["titleUrl"].endswith(f"/watch?v={record.video_id}")
        if record.is_ad:
            assert entry["details"] == [{"name": "From Google Ads"}]
            assert "subtitles" not in entry
        else:
            assert entry["subtitles"] == [
                {
                    "name": record.channel_name,
                    "url": f"https://www.youtube.com/channel/{record.channel_id}",
                }
            ]
    hosts = Counter(e["titleUrl"].split("/")[2] for e in entries if e["header"] == "YouTube Music")
    assert hosts["music.youtube.com"] and hosts["www.youtube.com"]


def test_json_strings_are_escaped_like_gson() -> None:
    """Every string of a real export is written exactly as Takeout wrote it."""
    raw = (TAKEOUT / "en-ads.watch-history.json").read_text(encoding="utf-8")
    for entry in json.loads(raw)[:500]:
        for key in ("title", "titleUrl", "time"):
            if key in entry:
                assert f'"{key}": {gson_string(entry[key])},' in raw


def test_localized_json_titles(tmp_path: Path) -> None:
    records = generate(500, seed=4)
    write(records, tmp_path / "de.json", "takeout-json", locale="de")
    titles = {e["title"] for e in json.loads((tmp_path / "de.json").read_text(encoding="utf-8"))}
    watched = next(r for r in records if r.video_id)
    assert f"{watched.title} angesehen" in titles


def one_cell(title: str = 'Tom & Jerry\'s <"best"> bits', **fields: object) -> Record:
    values: dict[str, object] = {
        "watched_at_us": int(datetime(2024, 7, 1, 12, tzinfo=UTC).timestamp()) * 1_000_000,
        "title": title,
        "video_id": "dQw4w9WgXcQ",
        "channel_id": "UCuAXFkgsw1L7xaCfnd5JJOw",
        "channel_name": "Rick & Co",
    }
    values.update(fields)
    return Record(**values)  # type: ignore[arg-type]


def html_of(tmp_path: Path, records: list[Record], **options: str) -> str:
    write(records, tmp_path / "h.html", "takeout-html", **options)  # type: ignore[arg-type]
    return (tmp_path / "h.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("locale", "abbreviation", "expected"),
    [
        # A July instant written in CET stays at +01:00: Takeout ignores DST at the date.
        ("en-US", "CET", "Jul 1, 2024, 1:00:00\u202fPM CET"),
        ("en-US", "TRT", "Jul 1, 2024, 3:00:00\u202fPM TRT"),
        ("en-GB", "AEDT", "1 Jul 2024, 23:00:00 AEDT"),
        ("fr-FR", "UTC", "1 juil. 2024 à 12:00:00 UTC"),
        ("de-DE", "CEST", "01.07.2024, 14:00:00 CEST"),
    ],
)
def test_html_timestamps_use_one_fixed_zone(
    tmp_path: Path, locale: str, abbreviation: str, expected: str
) -> None:
    page = html_of(tmp_path, [one_cell()], locale=locale, zone_abbreviation=abbreviation)
    assert f"<br>{expected}</div>" in page


def test_html_zone_defaults_to_the_zone_at_export(tmp_path: Path) -> None:
    summer, winter = one_cell(), one_cell(watched_at_us=1_734_000_000_000_000)
    assert "PM CEST</div>" in html_of(tmp_path, [summer], timezone="Europe/Berlin")
    assert "PM CET</div>" in html_of(tmp_path, [summer, winter], timezone="Europe/Berlin")
    assert " UTC</div>" in html_of(tmp_path, [summer])


def test_html_cells_have_the_structure_of_a_real_export(tmp_path: Path) -> None:
    def skeleton(cell: str) -> list[str]:
        return re.findall(r"<(?!a href)[^>]+>", cell)

    real = (TAKEOUT / "en-au-2021-aedt.watch-history.html").read_text(encoding="utf-8")
    real_cell = real.split('<div class="outer-cell')[1]
    ours = html_of(tmp_path, [one_cell()] * 2, locale="en-GB", zone_abbreviation="AEDT")
    our_cell = ours.split('<div class="outer-cell')[1]
    assert skeleton(our_cell) == skeleton(real_cell)
    assert ours.endswith(real[-len("</div></div></div></div></body></html>") :])
    assert our_cell.count("\xa0") == 1


def test_html_escapes_and_marks_ads_and_removed_videos(tmp_path: Path) -> None:
    ad = one_cell("Save 20% & more", channel_id=None, channel_name=None, is_ad=True)
    removed = one_cell(REMOVED_TITLE, video_id=None, channel_id=None, channel_name=None)
    page = html_of(tmp_path, [one_cell(), ad, removed])
    assert "Tom &amp; Jerry&#39;s &lt;&quot;best&quot;&gt; bits</a>" in page
    assert ">Rick &amp; Co</a>" in page
    assert page.count("<b>Details:</b><br>&emsp;From Google Ads<br>") == 1
    assert "Save 20% &amp; more</a><br>Jul 1" in page
    assert ">Watched a video that has been removed<br>Jul 1" in page
    assert page.count('<div class="outer-cell') == 3


@pytest.mark.parametrize(
    ("locale", "member"),
    [
        ("en-US", "Takeout/YouTube and YouTube Music/history/watch-history.json"),
        ("de", "Takeout/YouTube und YouTube Music/Verlauf/Wiedergabeverlauf.json"),
        ("ja-JP", "Takeout/YouTube と YouTube Music/履歴/再生履歴.json"),
    ],
)
def test_zip_is_laid_out_like_a_takeout_archive(tmp_path: Path, locale: str, member: str) -> None:
    records = generate(2_000, seed=4)
    write(records, tmp_path / "t.zip", "takeout-zip", locale=locale)
    write(records, tmp_path / "t.json", "takeout-json", locale=locale)
    with zipfile.ZipFile(tmp_path / "t.zip") as archive:
        names = archive.namelist()
        assert names[0] == "Takeout/archive_browser.html"
        assert archive.read(member) == (tmp_path / "t.json").read_bytes()
        searches = json.loads(archive.read(next(n for n in names[1:] if n != member)))
    assert searches and all(s["title"].startswith("Searched for ") for s in searches)


def test_zip_can_hold_html(tmp_path: Path) -> None:
    write(generate(500, seed=4), tmp_path / "t.zip", "takeout-zip", zip_inner="html")
    with zipfile.ZipFile(tmp_path / "t.zip") as archive:
        watch = archive.read("Takeout/YouTube and YouTube Music/history/watch-history.html")
        search = archive.read("Takeout/YouTube and YouTube Music/history/search-history.html")
    assert watch.count(b'<div class="outer-cell') == 500
    assert b"Searched for\xc2\xa0<a href" in search


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"fmt": "csv"}, "format"),
        ({"fmt": "takeout-json", "locale": "xx"}, "locale"),
        ({"fmt": "takeout-json", "locale": "pt"}, "locale"),
        ({"fmt": "takeout-html", "zone_abbreviation": "QQQQ"}, "abbreviation"),
        ({"fmt": "takeout-html", "zone_abbreviation": "IST"}, "ambiguous"),
        ({"fmt": "takeout-html", "timezone": "Nowhere/Else"}, "time zone"),
    ],
)
def test_bad_options_are_rejected_before_writing(
    tmp_path: Path, options: dict[str, str], message: str
) -> None:
    fmt = options.pop("fmt")
    with pytest.raises(InvalidInput, match=message):
        write([one_cell()], tmp_path / "out", fmt, **options)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot write"):
        write([one_cell()], tmp_path / "missing" / "h.json", "takeout-json")


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    def interrupt(_: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write(generate(100, seed=1), tmp_path / "h.json", "takeout-json", progress=interrupt)
    assert list(tmp_path.iterdir()) == []


def test_synth_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "synth",
            "-o",
            str(tmp_path / "h.zip"),
            "-n",
            "1000",
            "-f",
            "takeout-zip",
            "--locale",
            "fr",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1,000 records" in result.stderr
    assert (
        zipfile.ZipFile(tmp_path / "h.zip")
        .namelist()[1]
        .startswith("Takeout/YouTube et YouTube Music/historique/")
    )
    failed = CliRunner().invoke(app, ["synth", "-o", str(tmp_path / "x"), "--timezone", "Nope"])
    assert failed.exit_code == 1
    assert "unknown time zone" in failed.stderr


def test_synth_command_start_year(tmp_path: Path) -> None:
    out = tmp_path / "h.ndjson"
    arguments = ["synth", "-o", str(out), "-n", "500", "--start-year", "2020", "--years", "2"]
    result = CliRunner().invoke(app, [*arguments, "--timezone", "UTC"])
    assert result.exit_code == 0, result.output
    years = {orjson.loads(line)["watched_at"][:4] for line in out.read_bytes().splitlines()}
    assert years == {"2020", "2021"}
