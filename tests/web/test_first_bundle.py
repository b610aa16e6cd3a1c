"""The page carries its first dashboard bundle when its request says whose it is: the
link's ``?token=`` (then remembered in an HttpOnly cookie) or that cookie."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.api.conftest import SECRET, make_api
from tests.utils.servers import serve_in_thread
from watchcube.api.app import create_app
from watchcube.api.auth import mint_token
from watchcube.api.prerender import LAYOUT_COOKIE, PANEL_TYPES
from watchcube.api.routes.web import COOKIE
from watchcube.records import Record
from watchcube.service import Service
from watchcube.synth import generate

HOSTILE = '</script><script>alert("x")</script><!-- <script>'


@dataclass
class Site:
    url: str
    service: Service

    def page(
        self, query: str = "", *, token: str | None = None, layout: str | None = None
    ) -> httpx.Response:
        cookies = {COOKIE: token} if token else {}
        if layout is not None:
            cookies[LAYOUT_COOKIE] = layout
        with httpx.Client(base_url=self.url, cookies=cookies, timeout=30) as client:
            return client.get(f"/{query}")

    def api(self, path: str, user: str = "carol") -> httpx.Response:
        headers = {"Authorization": f"Bearer {mint_token(SECRET, user)}"}
        return httpx.get(f"{self.url}{path}", headers=headers, timeout=30)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("first")
    settings = make_api(f"sqlite:///{folder / 'watchcube.db'}", "wcfirst")
    service = Service(settings)
    records = generate(2_000, seed=5, years=2.0)
    # A channel whose name would end the page's script element if written as is.
    hostile = Record(
        watched_at_us=records[-1].watched_at_us,
        video_id="hostile-video",
        title=HOSTILE,
        channel_id="UChostile",
        channel_name=HOSTILE,
    )
    service.add_records("carol", [*records, hostile])
    with serve_in_thread(create_app(settings, service)) as url:
        yield Site(url, service)
    service.close()


def first_bundle(page: httpx.Response) -> dict[str, Any] | None:
    found = re.findall(
        r'<script type="application/json" id="watchcube-first-bundle"[^>]*>(.*?)</script>',
        page.text,
    )
    assert len(found) <= 1
    return json.loads(found[0]) if found else None


def test_the_links_token_brings_the_bundle_and_becomes_an_http_only_cookie(site: Site) -> None:
    token = mint_token(SECRET, "carol")
    page = site.page(f"?token={token}&poll=5")
    assert page.status_code == 200
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={token};")
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/", "Max-Age="):
        assert attribute.lower() in cookie.lower()
    assert "private" in page.headers["cache-control"]
    assert page.headers["vary"] == "Cookie"
    first = first_bundle(page)
    assert first is not None
    assert first["user"] == "carol" and first["query"] == ""
    # The user once more, in the head, where the page's inline scripts read it before the
    # body (and the bundle, at its end) is parsed.
    head, body = page.text.split("</head>")
    assert '<meta id="watchcube-first-user" content="carol">' in head
    assert "watchcube-first-bundle" not in head
    assert body.index('id="watchcube-first-bundle"') > body.index("</main>")
    api = site.api("/v1/users/carol/dashboard")
    assert first["bundle"] == api.json()
    assert first["etag"] == api.headers["etag"]
    # A reload of the link, its token now the cookie, has nothing new to remember; another
    # token in the link replaces the cookie.
    assert "set-cookie" not in site.page(f"?token={token}&poll=5", token=token).headers
    other = mint_token(SECRET, "carol", ttl_seconds=60)
    replaced = site.page(f"?token={other}", token=token).headers["set-cookie"]
    assert replaced.startswith(f"{COOKIE}={other};")


def test_the_cookie_brings_the_bundle_of_the_addresss_filters(site: Site) -> None:
    token = mint_token(SECRET, "carol")
    page = site.page("?year=2026&channels=UChostile,UCx&poll=3", token=token)
    assert "set-cookie" not in page.headers  # nothing new to remember
    first = first_bundle(page)
    assert first is not None
    assert first["query"] == "year=2026&channels=UChostile,UCx"
    api = site.api("/v1/users/carol/dashboard?year=2026&channels=UChostile,UCx")
    assert first["bundle"] == api.json()
    # A second request with the page's ETag is answered 304; new data changes the page.
    etag = page.headers["etag"]
    with httpx.Client(base_url=site.url, cookies={COOKIE: token}) as client:
        again = client.get("/?year=2026", headers={"If-None-Match": etag})
        assert again.status_code == 200  # another filter: another page
        same = client.get(
            "/?year=2026&channels=UChostile,UCx&poll=3", headers={"If-None-Match": etag}
        )
        assert same.status_code == 304


def test_text_in_the_data_cannot_end_the_script_element(site: Site) -> None:
    page = site.page("?channels=UChostile", token=mint_token(SECRET, "carol"))
    assert HOSTILE not in page.text
    assert (
        "alert(" not in page.text.split('id="watchcube-first-bundle"', 1)[1].split("</script>")[1]
    )
    first = first_bundle(page)
    assert first is not None
    names = [
        row["channel_name"] for row in first["bundle"]["types"]["top_channels"]["data"]["channels"]
    ]
    assert names == [HOSTILE]


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("?mode=live", "live mode computes per request, in the page's own request"),
        ("?year=1900", "a bad filter: the page's request reports it"),
        ("?colour=red", "an unknown parameter"),
        ("?types=kpi", "a control parameter the page never writes"),
    ],
)
def test_no_bundle_where_the_page_must_ask_itself(site: Site, query: str, why: str) -> None:
    page = site.page(query, token=mint_token(SECRET, "carol"))
    assert page.status_code == 200, why
    assert first_bundle(page) is None, why


def test_a_bad_token_brings_no_bundle_and_a_bad_cookie_is_dropped(site: Site) -> None:
    bad = mint_token("another-secret-0123456789abcdef-012345", "carol")
    page = site.page(f"?token={bad}")
    assert page.status_code == 200
    assert first_bundle(page) is None
    assert "set-cookie" not in page.headers
    page = site.page("", token=bad)
    assert first_bundle(page) is None
    assert page.headers["set-cookie"].startswith(f'{COOKIE}=""')
    expired = mint_token(SECRET, "carol", ttl_seconds=-60)
    assert first_bundle(site.page("", token=expired)) is None
    # With no token at all the page is the same for everyone.
    assert first_bundle(site.page()) is None


def test_a_link_with_a_bad_token_is_for_nobody_and_keeps_the_cookie(site: Site) -> None:
    bad = mint_token("another-secret-0123456789abcdef-012345", "carol")
    page = site.page(f"?token={bad}", token=mint_token(SECRET, "carol"), layout=LAYOUT)
    assert page.status_code == 200
    assert first_bundle(page) is None  # the tab will ask to sign in: nothing of carol's
    assert "set-cookie" not in page.headers


def test_a_failure_behind_the_bundle_leaves_the_page_working(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("watchcube.api.routes.web.dashboard_bundle", broken)
    page = site.page("?year=2025", token=mint_token(SECRET, "carol"))
    assert page.status_code == 200
    assert first_bundle(page) is None
    assert 'data-panel="kpi"' in page.text
    assert "could not put the first dashboard bundle in the page" in caplog.text


LAYOUT = quote(
    json.dumps(
        {
            "widths": {panel: 500 for panel in PANEL_TYPES},
            "locale": "en-US",
            "timeZone": "Europe/Berlin",
        }
    )
)
PANEL = re.compile(
    r'<section class="panel[^"]*" data-panel="(\w+)" data-state="(\w+)"'
    r'(?: data-filter-hash="([0-9a-f]+)")?(?: data-drawn-key="[^"]*")? aria-busy="(\w+)"'
    r'[^>]*>.*?<div class="panel-body">(.*?)</div>\s*</section>',
    re.DOTALL,
)


def panels(page: httpx.Response) -> dict[str, tuple[str, str, str, str]]:
    """Each panel's state, filter hash, aria-busy and drawn content."""
    return {found[0]: found[1:] for found in PANEL.findall(page.text)}


def test_with_the_pages_layout_the_panels_come_drawn(site: Site) -> None:
    token = mint_token(SECRET, "carol")
    page = site.page("?year=2026", token=token, layout=LAYOUT)
    drawn = panels(page)
    assert set(drawn) == PANEL_TYPES
    first = first_bundle(page)
    assert first is not None
    for panel, (state, filter_hash, busy, body) in drawn.items():
        assert (state, busy) == ("ready", "false"), panel
        assert filter_hash == first["bundle"]["types"][panel]["filter_hash"], panel
        assert body.startswith("<") and len(body) > 50, panel
    assert 'width="500"' in drawn["monthly_trend"][3]
    assert page.text.count('performance.mark("watchcube:ready")') == 1
    assert 'rel="modulepreload"' not in page.text  # parsing first; the modules still load
    # The modules are imported after the drawn panels and their mark, by an inline module
    # script the preload scanner does not read (it would request them before the parse).
    assert '<script type="module" src=' not in page.text
    module = r'<script type="module">import "(/static/v-\w+/app\.js)";</script>'
    imported = re.findall(module, page.text)
    assert len(imported) == 1
    assert page.text.index('performance.mark("watchcube:ready")') < page.text.index(imported[0])
    # Nothing is painted until the drawn panels and their mark are parsed: the head holds
    # rendering until the element after them (a frame of half a page, or a frame between
    # the panels and the mark, would cost more than it shows).
    head, body = page.text.split("</head>")
    assert '<link rel="expect" href="#drawn" blocking="render">' in head
    assert body.count('id="drawn"') == 1
    mark = body.index('performance.mark("watchcube:ready")')
    assert body.index("</main>") < mark < body.index("</script>", mark) < body.index('id="drawn"')
    # The bundle the modules take over comes after the mark: not parsed before it.
    assert body.index('id="drawn"') < body.index('id="watchcube-first-bundle"')
    assert '<meta id="watchcube-first-user" content="carol">' in head
    # The page's ETag covers the layout: another layout, another page.
    etag = page.headers["etag"]
    other = LAYOUT.replace("500", "520")
    assert site.page("?year=2026", token=token, layout=other).headers["etag"] != etag
    assert site.page("?year=2026", token=token, layout=LAYOUT).headers["etag"] == etag


def test_hostile_text_in_drawn_panels_is_only_text(site: Site) -> None:
    page = site.page("?channels=UChostile", token=mint_token(SECRET, "carol"), layout=LAYOUT)
    body = panels(page)["top_channels"][3]
    assert "&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "<script" not in body


@pytest.mark.parametrize(
    ("query", "layout", "why"),
    [
        ("", None, "no layout: the server cannot draw as the page would"),
        ("", "garbage", "a layout the page never writes"),
        ("?mode=live", LAYOUT, "live mode: no bundle in the page"),
        ("?year=1900", LAYOUT, "a bad filter: no bundle"),
    ],
)
def test_panels_are_left_to_the_page_without_a_bundle_and_a_layout(
    site: Site, query: str, layout: str | None, why: str
) -> None:
    page = site.page(query, token=mint_token(SECRET, "carol"), layout=layout)
    assert page.status_code == 200, why
    assert {state for state, _, _, _ in panels(page).values()} == {"loading"}, why
    assert 'performance.mark("watchcube:ready")' not in page.text, why
    assert 'rel="modulepreload"' in page.text, why  # the modules draw: load them early
    assert 'rel="expect"' not in page.text, why  # nothing drawn: nothing to wait for
    assert '<script type="module" src="/static/v-' in page.text, why


def test_a_failure_to_draw_leaves_the_drawing_to_the_page(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("V8 is gone")

    monkeypatch.setattr("watchcube.api.routes.web.prerenderer.draw", broken)
    monkeypatch.setattr("watchcube.api.routes.web._DRAWN_PAGES", OrderedDict())
    page = site.page("?year=2024", token=mint_token(SECRET, "carol"), layout=LAYOUT)
    assert page.status_code == 200
    assert first_bundle(page) is not None
    assert {state for state, _, _, _ in panels(page).values()} == {"loading"}
    assert "could not draw the page's panels" in caplog.text


def test_a_drawn_page_is_sent_again_as_it_was(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page drawn for a bundle and layout is remembered: a reload is not drawn again."""
    token = mint_token(SECRET, "carol")
    drawn = site.page("?year=2025&channels=UChostile", token=token, layout=LAYOUT)
    assert {state for state, _, _, _ in panels(drawn).values()} == {"ready"}

    def broken(*args: object) -> None:
        raise RuntimeError("drawn again")

    monkeypatch.setattr("watchcube.api.routes.web.prerenderer.draw", broken)
    again = site.page("?year=2025&channels=UChostile", token=token, layout=LAYOUT)
    assert again.content == drawn.content
    # Another layout is another page, drawn anew (here: not at all).
    other = site.page(
        "?year=2025&channels=UChostile", token=token, layout=LAYOUT.replace("500", "510")
    )
    assert {state for state, _, _, _ in panels(other).values()} == {"loading"}


def period_chips(page: httpx.Response, row: str) -> list[tuple[str, str]] | None:
    """The chips of the filter bar's period row (``years`` or ``quarters``) as sent, each
    as (label, aria-pressed); None where the row is hidden."""
    found = re.search(rf'<div id="{row}" class="chips"( hidden)?>(.*?)</div>', page.text)
    assert found is not None
    buttons = re.findall(
        r'<button type="button" class="chip" data-value="([^"]*)" aria-pressed="(\w+)">'
        r"([^<]*)</button>",
        found[2],
    )
    assert all(
        value == ("" if label in ("All time", "Whole year") else label.lstrip("Q"))
        for value, _, label in buttons
    )
    return None if found[1] else [(label, pressed) for _, pressed, label in buttons]


def test_the_period_chips_come_drawn_for_the_addresss_filters(site: Site) -> None:
    """The page's filter bar comes with its period chips, as filterbar.js draws them: all
    time and the data's years, pressed for the address."""
    token = mint_token(SECRET, "carol")
    months = site.api("/v1/users/carol/aggregations/monthly_trend").json()["data"]["months"]
    years = [
        str(year) for year in range(int(months[0]["month"][:4]), int(months[-1]["month"][:4]) + 1)
    ]
    assert len(years) >= 2
    quarters = ["Whole year", "Q1", "Q2", "Q3", "Q4"]

    def expect(query: str, year: str | None, quarter: str | None) -> None:
        page = site.page(query, token=token)
        assert first_bundle(page) is not None
        shown = sorted({*years, *([year] if year and year != "all" else [])})
        pressed = "" if year == "all" else year
        assert period_chips(page, "years") == [
            ("All time", str(pressed == "").lower()),
            *[(label, str(label == pressed).lower()) for label in shown],
        ], query
        expected = [(label, str(label == quarter).lower()) for label in quarters]
        assert period_chips(page, "quarters") == (
            expected if year not in (None, "all") else None
        ), query

    expect("", "all", None)
    expect(f"?year={years[-1]}", years[-1], "Whole year")
    expect(f"?year={years[0]}&quarter=2", years[0], "Q2")
    expect(f"?year={years[0]}&month=3", years[0], None)  # a month: no quarter chip pressed
    expect("?year=2001", "2001", "Whole year")  # a year without data still has its chip
    expect("?start=2025-01-01", None, None)  # a custom range: no period chip pressed
    # Live mode has no first bundle, and its chips all the same.
    live = site.page(f"?mode=live&year={years[0]}", token=token)
    assert first_bundle(live) is None
    assert period_chips(live, "years") == [
        ("All time", "false"),
        *[(label, str(label == years[0]).lower()) for label in years],
    ]
    # Filters the page's own request will report as wrong, or no user: the page's own chips.
    for query, cookie in (("?year=1900", token), ("?types=kpi", token), ("", None)):
        bare = site.page(query, token=cookie)
        assert '<div id="years" class="chips"></div>' in bare.text, query
        assert '<div id="quarters" class="chips" hidden></div>' in bare.text, query
