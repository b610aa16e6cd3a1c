"""The server draws the page's panels with the page's own renderers (V8), for the layout the
page reported in its cookie."""

from __future__ import annotations

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import orjson
import pytest

from tests.api.conftest import make_api
from watchcube.api.deps import parse_query_string
from watchcube.api.prerender import PANEL_TYPES, Layout, Prerenderer, page_script, parse_layout
from watchcube.api.routes.aggregations import dashboard_bundle
from watchcube.service import Service
from watchcube.synth import generate

WEB = Path(__file__).resolve().parents[2] / "src" / "watchcube" / "web"
WIDTHS = {panel: 600 for panel in PANEL_TYPES}


def cookie(**changes: object) -> str:
    value: dict[str, object] = {"widths": WIDTHS, "locale": "en-US", "timeZone": "Europe/Berlin"}
    value.update(changes)
    return quote(json.dumps(value))


def layout(locale: str = "en-US", zone: str = "UTC", width: int = 600) -> Layout:
    return Layout(tuple(sorted((panel, width) for panel in PANEL_TYPES)), locale, zone)


def envelope(data: object) -> dict[str, object]:
    return {
        "filter_hash": "f",
        "data_version": 1,
        "computed_at": "2026-01-01T00:00:00Z",
        "data": data,
    }


HOSTILE = '</script><img src=x onerror="alert(1)">&amp;'
# One bundle with a little of everything, in the API's shape.
BUNDLE = {
    "types": {
        "kpi": envelope(
            {
                "total_videos": 1234567,
                "unique_videos": 1000,
                "unique_channels": 2,
                "active_days": 3,
                "est_watch_hours": 1234.5,
                "avg_videos_per_active_day": 2.5,
                "longest_streak_days": 2,
                "rewatches": 1,
                "first_watched_at": "2024-03-05T23:30:00Z",
                "last_watched_at": "2024-03-06T10:00:00Z",
            }
        ),
        "top_channels": envelope(
            {
                "channels": [
                    {
                        "channel_id": "UC1",
                        "channel_name": HOSTILE,
                        "videos": 3,
                        "share": 0.75,
                        "first_watched_at": "2024-03-05T23:30:00Z",
                        "last_watched_at": "2024-03-06T10:00:00Z",
                    }
                ],
                "total_channels": 1,
            }
        ),
    }
}


@pytest.fixture(scope="module")
def real_bundle(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The dashboard bundle of a synthetic history, as the API sends it."""
    folder = tmp_path_factory.mktemp("prerender")
    service = Service(make_api(f"sqlite:///{folder / 'watchcube.db'}", "wcprerender"))
    try:
        service.add_records("dora", generate(3_000, seed=9, years=2.0))
        query, control = parse_query_string(b"")
        # In a thread of its own: Playwright's tests may run an event loop in this one.
        with ThreadPoolExecutor(1) as thread:
            bundle = thread.submit(asyncio.run, dashboard_bundle(service, "dora", query, control))
            return bundle.result().body
    finally:
        service.close()


def test_the_layout_cookie_is_read_only_when_exactly_as_the_page_writes_it() -> None:
    read = parse_layout(cookie())
    assert read is not None
    assert dict(read.widths) == WIDTHS
    assert (read.locale, read.time_zone) == ("en-US", "Europe/Berlin")
    bad = [
        None,
        "",
        "not json",
        quote("[1, 2]"),
        cookie(widths={**WIDTHS, "kpi": 100}),  # narrower than the page ever draws
        cookie(widths={**WIDTHS, "kpi": 600.5}),
        cookie(widths={**WIDTHS, "kpi": True}),
        cookie(widths={panel: 600 for panel in sorted(PANEL_TYPES)[:9]}),
        cookie(widths={**WIDTHS, "extra": 600}),
        cookie(locale="en_US; drop"),
        cookie(locale=7),
        cookie(timeZone="Mars/Olympus"),
        cookie(timeZone="../../etc/passwd"),
        "x" * 5000,
    ]
    for value in bad:
        assert parse_layout(value) is None, value


def test_the_page_modules_load_as_one_script_and_refuse_what_the_loader_cannot_read(
    tmp_path: Path,
) -> None:
    script = page_script(WEB / "static", WEB / "prerender.js")
    assert 'watchcubeModules["panels.js"]' in script
    assert not re.search(r"^\s*(import|export)\b", script, re.MULTILINE)
    static = tmp_path / "static"
    static.mkdir()
    for name in ("dom.js", "charts.js", "table.js", "panels.js"):
        (static / name).write_text((WEB / "static" / name).read_text())
    (static / "table.js").write_text("export default function table() {}\n")
    with pytest.raises(ValueError, match=r"table\.js"):
        page_script(static, WEB / "prerender.js")


def test_every_panel_is_drawn_from_a_real_bundle(real_bundle: bytes) -> None:
    renderer = Prerenderer(WEB)
    try:
        drawn = renderer.draw("v1", "etag", real_bundle, layout())
    finally:
        renderer.close()
    assert set(drawn) == PANEL_TYPES
    hashes = {envelope["filter_hash"] for envelope in orjson.loads(real_bundle)["types"].values()}
    for panel, one in drawn.items():
        assert one.html.startswith("<") and one.html.endswith(">"), panel
        assert "undefined" not in one.html and "NaN" not in one.html, panel
        assert one.filter_hash in hashes, panel
    # Panels that listen to events carry no key: the page draws them again.
    listening = {panel for panel, one in drawn.items() if one.key is None}
    assert listening == {"channel_relationships", "enhanced_channel_metrics"}
    assert drawn["kpi"].key is not None and drawn["kpi"].key.startswith("kpi ")
    assert drawn["kpi"].key.endswith(" 600")  # drawn at the layout's width
    assert drawn["day_time_heatmap"].html.count('<rect class="cell') == 7 * 24
    assert drawn["kpi"].html.startswith('<dl class="figures">')


def test_text_is_escaped_and_numbers_follow_the_locale_and_zone() -> None:
    renderer = Prerenderer(WEB)
    bundle = orjson.dumps(BUNDLE)
    try:
        english = renderer.draw("v1", "e", bundle, layout("en-US", "UTC"))
        german = renderer.draw("v1", "e", bundle, layout("de-DE", "Asia/Tokyo"))
    finally:
        renderer.close()
    assert set(english) == {"kpi", "top_channels"}  # the others are not in this bundle
    assert "<dd>1,234,567</dd>" in english["kpi"].html
    assert "<dd>Mar 5, 2024</dd>" in english["kpi"].html  # 23:30 UTC
    assert "<dd>1.234.567</dd>" in german["kpi"].html
    assert "<dd>6. März 2024</dd>" in german["kpi"].html  # 08:30 the next day in Tokyo
    channels = english["top_channels"].html
    assert "<img" not in channels and "</script>" not in channels
    assert "&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;amp;" in channels


def test_drawings_are_remembered_by_bundle_and_layout_and_dropped_with_new_files() -> None:
    renderer = Prerenderer(WEB)
    bundle = orjson.dumps(BUNDLE)
    try:
        first = renderer.draw("v1", "e", bundle, layout())
        assert renderer.draw("v1", "e", b"{}", layout()) is first  # remembered: not drawn
        assert renderer.draw("v1", "e", bundle, layout(width=300)) is not first
        assert renderer.draw("v2", "e", b'{"types": {}}', layout()) == {}  # new page files
    finally:
        renderer.close()


def test_a_bundle_the_script_cannot_read_raises() -> None:
    renderer = Prerenderer(WEB)
    try:
        with pytest.raises(Exception):  # noqa: B017 - whatever V8 reports
            renderer.draw("v1", "e", b"not json", layout())
    finally:
        renderer.close()
