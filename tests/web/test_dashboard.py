"""The dashboard page in Chromium: panels, filters in the URL, freshness, errors, small screens."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import Dashboard, Site
from watchcube.engine.registry import TYPES

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "dashboard.png"


def _wait_for_options(dashboard: Dashboard) -> None:
    """The all-time options (years, channels, topics) have loaded: their request is done, and
    the year chips are there (the server may have drawn them before)."""
    dashboard.page.wait_for_function(
        """performance.getEntriesByType("resource").some((entry) =>
            entry.name.includes("types=monthly_trend,top_channels,topics_leaderboard"))"""
    )
    expect(dashboard.page.locator("#years button")).not_to_have_count(1)


def test_loads_every_panel_and_hides_the_token(dashboard: Dashboard) -> None:
    dashboard.open()
    page = dashboard.page
    assert "token" not in page.url
    assert page.evaluate("sessionStorage.getItem('watchcube.token')") == dashboard.site.token()
    for name in TYPES:
        assert dashboard.panel(name).strip(), f"{name} is empty"
    for chart in ("monthly_trend", "day_time_heatmap", "channel_relationships", "topic_evolution"):
        assert page.locator(f'[data-panel="{chart}"] svg').count() >= 1, chart
    assert dashboard.figure("Videos") != "0"
    expect(page.locator("#freshness")).to_have_attribute("data-fresh", "fresh")
    expect(page.locator("#age")).to_have_text(re.compile(r"updated \d+ s ago"))
    _wait_for_options(dashboard)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert dashboard.errors == []


def test_a_year_click_updates_every_panel_and_the_url_and_back_restores(
    dashboard: Dashboard,
) -> None:
    dashboard.open()
    page = dashboard.page
    all_time = dashboard.figure("Videos")
    _wait_for_options(dashboard)
    page.get_by_role("button", name="2025", exact=True).click()
    dashboard.wait_ready(year="2025")
    assert page.url.endswith("/?year=2025")
    expect(page.get_by_role("button", name="2025", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    in_2025 = dashboard.figure("Videos")
    assert in_2025 != all_time
    page.get_by_role("button", name="Q2", exact=True).click()
    dashboard.wait_ready(year="2025", quarter="2")
    assert page.url.endswith("/?year=2025&quarter=2")
    page.go_back()
    dashboard.wait_ready(year="2025")
    assert dashboard.figure("Videos") == in_2025
    page.go_back()
    dashboard.wait_ready()
    assert dashboard.figure("Videos") == all_time
    assert page.url.endswith("/")
    assert dashboard.errors == []


def test_pickers_work_from_the_keyboard_and_links_share_filters(
    dashboard: Dashboard, browser: Browser
) -> None:
    dashboard.open()
    page = dashboard.page
    _wait_for_options(dashboard)
    top = page.locator('[data-panel="top_channels"] .hbar-label').first.inner_text()
    page.focus("#channel-picker summary")
    page.keyboard.press("Enter")
    expect(page.locator("#channel-picker input[type=search]")).to_be_focused()
    page.keyboard.type(top[:6])
    page.keyboard.press("Tab")
    checkbox = page.locator("#channel-picker .picker-list input:focus")
    channel_id = checkbox.get_attribute("value")
    assert channel_id
    page.keyboard.press("Space")
    dashboard.wait_ready(channels=channel_id)
    assert page.url.endswith(f"/?channels={channel_id}")
    assert page.locator('[data-panel="top_channels"] .hbars li').count() == 1
    expect(page.locator("#channel-picker .count")).to_have_text("1")
    page.keyboard.press("Escape")
    expect(page.locator("#channel-picker")).not_to_have_attribute("open", "")
    expect(page.locator("#channel-picker summary")).to_be_focused()
    page.select_option("#product", "youtube_music")
    dashboard.wait_ready(channels=channel_id, products="youtube_music")
    page.check("#ads")
    filters = {"channels": channel_id, "products": "youtube_music", "include_ads": "true"}
    dashboard.wait_ready(**filters)
    shared = page.url

    other = Dashboard(browser.new_page(), dashboard.site)
    other.open(shared.split("?", 1)[1])
    expect(other.page.locator("#product")).to_have_value("youtube_music")
    expect(other.page.locator("#ads")).to_be_checked()
    other.page.close()
    assert dashboard.errors == [] and other.errors == []


def test_custom_range_and_sorting_the_channel_table(dashboard: Dashboard) -> None:
    dashboard.open()
    page = dashboard.page
    page.click("#range summary")
    page.fill("#range input[name=start]", "2024-03-01")
    page.fill("#range input[name=end]", "2024-05-31")
    page.click("#range button[type=submit]")
    dashboard.wait_ready(start="2024-03-01", end="2024-05-31")
    assert page.url.endswith("/?start=2024-03-01&end=2024-05-31")
    expect(page.locator("#range .range-label")).to_have_text("2024-03-01 – 2024-05-31")

    table = page.locator('[data-panel="enhanced_channel_metrics"] table')
    header = table.locator("thead th").filter(has_text="Loyalty")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    loyalty = [
        float(text.rstrip("%"))
        for text in table.locator("tbody tr td:nth-child(7)").all_inner_texts()
    ]
    assert loyalty == sorted(loyalty, reverse=True)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert dashboard.errors == []


def test_stale_badge_after_an_ingest_clears_after_refresh(dashboard: Dashboard) -> None:
    site = dashboard.site
    dashboard.open("poll=0.2", user="bob")
    page = dashboard.page
    badge = page.locator("#freshness")
    expect(badge).to_have_attribute("data-fresh", "fresh")
    before = int(dashboard.figure("Videos").replace(",", ""))
    new = [
        {
            "watched_at": f"{date(2026, 11, 1 + i).isoformat()}T18:00:00Z",
            "video_id": f"new-video-{i}",
            "title": f"New video {i}",
            "channel_id": "UCnewchannel",
            "channel_name": "New Channel",
        }
        for i in range(3)
    ]
    with httpx.Client(base_url=site.url) as http:
        response = http.post(
            "/v1/users/bob/records",
            json=new,
            headers={"Authorization": f"Bearer {site.token('bob')}"},
        )
    assert response.status_code == 200, response.text
    expect(badge).to_have_attribute("data-fresh", "stale")
    expect(badge).to_contain_text("Stale")
    expect(page.locator("#refresh")).to_have_class(re.compile("attention"))
    page.click("#refresh")
    expect(badge).to_have_attribute("data-fresh", "fresh")
    dashboard.wait_ready()
    assert int(dashboard.figure("Videos").replace(",", "")) == before + 3
    assert dashboard.errors == []


def test_a_narrow_screen_shows_every_panel(site: Site, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    dashboard = Dashboard(context.new_page(), site)
    dashboard.open()
    page = dashboard.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for name in TYPES:
        box = page.locator(f'[data-panel="{name}"]').bounding_box()
        assert box is not None and box["width"] > 300 and box["x"] + box["width"] <= 390, name
    assert dashboard.errors == []
    context.close()


# In each new document: the layout shifts as it loads (the Layout Instability API), and the
# filter bar's period chips as parsed, before any module ran.
_SHIFTS_AND_PARSED_CHIPS = """window.layoutShift = 0;
new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
        if (!entry.hadRecentInput) window.layoutShift += entry.value;
    }
}).observe({ type: "layout-shift", buffered: true });
document.addEventListener("readystatechange", () => {
    if (document.readyState !== "interactive") return;
    window.parsedChips = [...document.querySelectorAll("#filters .chips")]
        .map((row) => [row.hidden, row.innerHTML]);
});"""


@pytest.mark.parametrize("width", [1280, 390])
def test_nothing_moves_as_the_page_loads(site: Site, browser: Browser, width: int) -> None:
    """Loading panels keep about the room their drawing takes, the header keeps a line for
    its freshness status on a narrow screen, and the period chips come with the page as the
    page draws them: a first visit and a reload stay under 0.1 of cumulative layout shift
    ("good"; 0.28-0.43 before these)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(_SHIFTS_AND_PARSED_CHIPS)
    dashboard = Dashboard(context.new_page(), site)
    page = dashboard.page
    for visit in ("first visit", "reload"):
        if visit == "reload":
            page.reload()
        dashboard.open() if visit == "first visit" else dashboard.wait_ready()
        _wait_for_options(dashboard)
        expect(page.locator("#freshness")).to_have_attribute("data-fresh", "fresh")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.layoutShift") < 0.1, visit
        chips = page.evaluate(
            """[...document.querySelectorAll('#filters .chips')]
                .map((row) => [row.hidden, row.innerHTML])"""
        )
        assert page.evaluate("window.parsedChips") == chips, visit
        assert chips[0][0] is False and chips[0][1].count("<button") >= 3, visit
    assert dashboard.errors == []
    context.close()


def test_charts_are_redrawn_to_fit_when_the_window_narrows(dashboard: Dashboard) -> None:
    dashboard.open()
    page = dashboard.page
    width = page.locator('[data-panel="monthly_trend"] svg').get_attribute("width")
    assert int(width or 0) > 1000
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function(
        "document.querySelector('[data-panel=monthly_trend] svg').getAttribute('width') < 390"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator('[data-panel="monthly_trend"]')).to_have_attribute("data-state", "ready")
    assert dashboard.errors == []


def test_chart_marks_show_their_figures_in_a_tooltip(dashboard: Dashboard) -> None:
    """Chart marks name themselves in data-tip (no <title> elements to parse); one tooltip
    shows the mark under the pointer or the focused node, and hides when it leaves."""
    dashboard.open()
    page = dashboard.page
    tip = page.locator(".tip")
    expect(tip).to_be_hidden()
    assert page.locator("#panels svg title").count() == 0
    cells = httpx.get(
        f"{dashboard.site.url}/v1/users/alice/aggregations/day_time_heatmap",
        headers={"Authorization": f"Bearer {dashboard.site.token()}"},
    ).json()["data"]["cells"]
    # Tuesday 13:00 (rows start on Monday), as the API counts it.
    cell = page.locator('[data-panel="day_time_heatmap"] rect.cell').nth(1 * 24 + 13)
    cell.hover()
    expect(tip).to_be_visible()
    expect(tip).to_have_text(f"Tue 13:00: {cells[1][13]:,}")
    box, pointer = tip.bounding_box(), cell.bounding_box()
    assert box is not None and pointer is not None
    assert box["x"] > pointer["x"] and box["y"] > pointer["y"]  # beside the pointer, not over it
    bar = page.locator('[data-panel="monthly_trend"] rect.bar').last
    bar.hover()
    expect(tip).to_have_text(bar.get_attribute("data-tip") or "?")
    assert re.fullmatch(r"\w+ \d{4} \([\d.,]+ h\): [\d,]+", tip.inner_text())
    page.mouse.move(2, 2)  # off the panels
    expect(tip).to_be_hidden()
    # A network node focused from the keyboard shows its tip too; Escape hides it.
    node = page.locator('[data-panel="channel_relationships"] g.node').first
    node.focus()
    expect(tip).to_have_text(node.get_attribute("aria-label") or "?")
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    assert dashboard.errors == []


def test_live_mode_is_passed_to_the_api(dashboard: Dashboard) -> None:
    requests: list[str] = []
    dashboard.page.on("request", lambda request: requests.append(request.url))
    dashboard.open("mode=live")
    expect(dashboard.page.locator("#mode")).to_be_visible()
    dashboards = [url for url in requests if "/dashboard?" in url]
    assert dashboards and all("mode=live" in url for url in dashboards)
    assert dashboard.errors == []


def test_errors_are_shown_in_the_panels(dashboard: Dashboard) -> None:
    page = dashboard.page
    page.goto(f"{dashboard.site.url}/?token={dashboard.site.token()}&year=1900")
    page.wait_for_function(
        "document.querySelectorAll('[data-panel][data-state=error]').length === 10"
    )
    expect(page.locator("#alert")).to_contain_text("year")
    expect(page.locator('[data-panel="kpi"]')).to_have_attribute("aria-busy", "false")
    page.get_by_role("button", name="Reset").click()
    dashboard.wait_ready()


def test_without_a_valid_token_the_page_asks_for_one(dashboard: Dashboard) -> None:
    page = dashboard.page
    page.goto(f"{dashboard.site.url}/")
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#login-token")).to_be_focused()
    page.fill("#login-token", "not-a-token")
    page.click("#login button[type=submit]")
    expect(page.locator("#login-message")).to_contain_text("Sign in again")
    page.fill("#login-token", dashboard.site.token())
    page.click("#login button[type=submit]")
    dashboard.wait_ready()
    expect(page.locator("#login")).to_be_hidden()


def _requests(page: Page) -> list[str]:
    """The URLs of the requests ``page`` makes from now on, as they are made."""
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    return sent


def _dashboard_requests(urls: list[str]) -> list[str]:
    """The panels' dashboard requests among ``urls`` (not the pickers' options request)."""
    return [url for url in urls if "/dashboard" in url and "types=" not in url]


def _wait_for_prefetch(dashboard: Dashboard, finished: list[str], query: str) -> None:
    """Wait until the background prefetch has fetched the bundle of ``query``."""
    for _ in range(200):  # waiting lets Playwright deliver the request events
        if any(url.endswith(f"/dashboard?{query}") for url in finished):
            return
        dashboard.page.wait_for_timeout(50)
    raise AssertionError(f"{query} was not prefetched; finished: {finished}")


def test_a_click_after_prefetch_draws_from_memory_without_a_request(
    dashboard: Dashboard,
) -> None:
    page = dashboard.page
    finished: list[str] = []
    page.on("requestfinished", lambda request: finished.append(request.url))
    dashboard.open()
    all_time = dashboard.figure("Videos")
    _wait_for_options(dashboard)
    _wait_for_prefetch(dashboard, finished, "year=2025")

    # Prefetching goes on in the background: count the requests for the filters clicked.
    sent = _requests(page)
    bundle = f"{dashboard.site.url}/v1/users/alice/dashboard?"
    page.get_by_role("button", name="2025", exact=True).click()
    dashboard.wait_ready(year="2025")
    assert f"{bundle}year=2025" not in sent
    assert page.url.endswith("/?year=2025")
    assert dashboard.figure("Videos") != all_time

    # The selected year's quarters are fetched next; then a quarter is drawn from memory too,
    # and going back draws the year from memory again.
    _wait_for_prefetch(dashboard, finished, "year=2025&quarter=2")
    sent.clear()
    page.get_by_role("button", name="Q2", exact=True).click()
    dashboard.wait_ready(year="2025", quarter="2")
    page.go_back()
    dashboard.wait_ready(year="2025")
    assert f"{bundle}year=2025&quarter=2" not in sent
    assert f"{bundle}year=2025" not in sent
    assert dashboard.errors == []


def test_live_mode_does_not_prefetch(dashboard: Dashboard) -> None:
    page = dashboard.page
    sent = _requests(page)
    dashboard.open("mode=live")
    _wait_for_options(dashboard)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(700)  # past the prefetcher's idle wait, had it started
    assert _dashboard_requests(sent) == [f"{dashboard.site.url}/v1/users/alice/dashboard?mode=live"]

    page.get_by_role("button", name="2025", exact=True).click()
    dashboard.wait_ready(year="2025")
    assert _dashboard_requests(sent)[1:] == [
        f"{dashboard.site.url}/v1/users/alice/dashboard?year=2025&mode=live"
    ]
    assert dashboard.errors == []


def test_a_reload_draws_from_the_bundle_in_the_page_without_a_request(
    dashboard: Dashboard,
) -> None:
    page = dashboard.page
    dashboard.open("year=2024")
    page.wait_for_load_state("networkidle")  # the first page's prefetching is over
    figure = dashboard.figure("Videos")
    sent = _requests(page)
    page.reload()  # the link's token is now a cookie: the page comes with its bundle
    dashboard.wait_ready(year="2024")
    assert dashboard.figure("Videos") == figure
    assert not [url for url in sent if url.endswith("/dashboard?year=2024")]
    assert page.locator("#watchcube-first-bundle").count() == 1
    # Within the load, the bundle was in hand as soon as the modules ran.
    marks = page.evaluate(
        """["watchcube:start", "watchcube:response"].map(
            (name) => performance.getEntriesByName(name, "mark")[0].startTime)"""
    )
    assert marks[0] <= marks[1]
    assert dashboard.errors == []


def test_a_bundle_for_another_user_or_filter_is_not_drawn(dashboard: Dashboard) -> None:
    page = dashboard.page
    dashboard.open(user="bob")  # the cookie now names bob
    bob = dashboard.figure("Videos")
    # This tab signs in as alice with the login form's token, without a new cookie: the
    # page the server sends carries bob's bundle, which the page must not draw as alice's.
    page.context.add_cookies(
        [
            {
                "name": "watchcube_token",
                "value": dashboard.site.token("bob"),
                "url": dashboard.site.url,
            }
        ]
    )
    page.evaluate(f"sessionStorage.setItem('watchcube.token', '{dashboard.site.token()}')")
    page.evaluate("sessionStorage.removeItem('watchcube.user')")
    # The server draws bob's panels (the page reported its layout): with the modules held
    # back, this tab shows none of them, and claims no panel ready.
    app = re.compile(r".*/app\.js$")
    page.route(app, lambda route: route.abort())
    page.reload(wait_until="domcontentloaded")
    served = page.evaluate("fetch(location.href, {cache: 'no-store'}).then((r) => r.text())")
    assert served.count('data-state="ready"') == 10  # drawn for the cookie's user
    assert page.evaluate("'foreign' in document.documentElement.dataset")
    states = page.evaluate(
        """[...document.querySelectorAll('[data-panel]')].map(
            (p) => [p.dataset.state, p.querySelector('.panel-body').childNodes.length])"""
    )
    assert states == [["loading", 0]] * 10
    assert page.evaluate("performance.getEntriesByName('watchcube:ready', 'mark').length") == 0
    # The period chips came drawn with bob's years: hidden too.
    assert page.locator("#years button").count() > 1
    expect(page.locator("#years")).to_be_hidden()
    page.unroute(app)
    dashboard.errors.clear()  # the module held back above failed to load, as it should
    page.reload()
    dashboard.wait_ready()
    assert page.locator("#watchcube-first-bundle").count() == 1
    assert dashboard.figure("Videos") != bob
    assert not page.evaluate("'foreign' in document.documentElement.dataset")
    expect(page.locator("#years")).to_be_visible()

    # An address the page reads differently from the server (`include_ads=1`: the page only
    # takes `true`) is asked for by the page itself, not drawn from the server's reading.
    dashboard.open()  # the cookie names alice again
    sent = _requests(page)
    page.goto(f"{dashboard.site.url}/?include_ads=1")
    dashboard.wait_ready()
    assert page.locator("#watchcube-first-bundle").count() == 1
    assert f"{dashboard.site.url}/v1/users/alice/dashboard" in sent
    assert dashboard.errors == []


def test_without_the_cookie_a_reload_starts_its_request_before_the_modules_run(
    dashboard: Dashboard,
) -> None:
    page = dashboard.page
    dashboard.open("year=2024")
    page.wait_for_load_state("networkidle")  # the first page's prefetching is over
    page.context.clear_cookies()  # cookies blocked, say: the page comes without its bundle
    sent = _requests(page)
    page.reload()
    dashboard.wait_ready(year="2024")
    assert page.locator("#watchcube-first-bundle").count() == 0
    # One request: the page's inline script started it and the client took its answer over.
    bundle = f"{dashboard.site.url}/v1/users/alice/dashboard?year=2024"
    assert [url for url in sent if url == bundle] == [bundle]
    assert page.evaluate("window.watchcubeStarted instanceof Map")
    started = page.evaluate(
        """performance.getEntriesByType('resource')
            .find((entry) => entry.name.includes('/dashboard?year=2024')).startTime"""
    )
    assert started < page.evaluate(
        "performance.getEntriesByName('watchcube:start', 'mark')[0].startTime"
    )
    assert dashboard.errors == []


def test_after_new_data_a_prefetched_bundle_is_asked_again(dashboard: Dashboard) -> None:
    site = dashboard.site
    page = dashboard.page
    finished: list[str] = []
    page.on("requestfinished", lambda request: finished.append(request.url))
    dashboard.open("poll=0.2", user="bob")
    _wait_for_options(dashboard)
    year = page.locator("#years button").last.inner_text()
    _wait_for_prefetch(dashboard, finished, f"year={year}")
    page.get_by_role("button", name=year, exact=True).click()
    dashboard.wait_ready(year=year)
    before = int(dashboard.figure("Videos").replace(",", ""))
    page.get_by_role("button", name="All time", exact=True).click()
    dashboard.wait_ready()

    new = [
        {
            "watched_at": f"{year}-06-{10 + i}T12:00:00Z",
            "video_id": f"prefetch-video-{i}",
            "title": f"Prefetch video {i}",
            "channel_id": "UCprefetch",
            "channel_name": "Prefetch Channel",
        }
        for i in range(2)
    ]
    sent = _requests(page)
    with httpx.Client(base_url=site.url) as http:
        response = http.post(
            "/v1/users/bob/records",
            json=new,
            headers={"Authorization": f"Bearer {site.token('bob')}"},
        )
    assert response.status_code == 200, response.text
    expect(page.locator("#freshness")).to_have_attribute("data-fresh", "stale")
    page.get_by_role("button", name=year, exact=True).click()
    dashboard.wait_ready(year=year)
    # Asked again, by the click or by a prefetch that saw the newer version first.
    assert f"{site.url}/v1/users/bob/dashboard?year={year}" in sent
    expect(page.locator('[data-panel="kpi"] .figures > div').first.locator("dd")).to_have_text(
        f"{before + 2:,}"
    )
    assert dashboard.errors == []


# The page's own drawing of each panel of the page the server sends now (same cookies),
# next to the server's drawing as parsed: [state, equal?, key the page may keep it by].
_SERVED_AND_OWN = """async () => {
    const html = await (await fetch(location.href, { cache: "no-store" })).text();
    const served = new DOMParser().parseFromString(html, "text/html");
    const first = JSON.parse(served.getElementById("watchcube-first-bundle").textContent);
    const module = document.querySelector('script[type="module"]').src;
    const { drawPanel } = await import(module.replace(/app\\.js$/, "panels.js"));
    const layout = document.cookie.split("; ").find((c) => c.startsWith("watchcube_layout="));
    const { widths } = JSON.parse(decodeURIComponent(layout.split("=")[1]));
    return Object.fromEntries([...served.querySelectorAll("[data-panel]")].map((panel) => {
        const type = panel.dataset.panel;
        const own = document.createElement("div");
        own.append(drawPanel(type, first.bundle.types[type].data, widths[type]));
        const same = panel.querySelector(".panel-body").innerHTML === own.innerHTML;
        return [type, [panel.dataset.state, same, panel.dataset.drawnKey ?? null]];
    }));
}"""
# At the end of parsing (before any module runs): each panel's first drawn node.
_PARSED = """document.addEventListener("readystatechange", () => {
    if (document.readyState !== "interactive") return;
    window.parsedPanels = Object.fromEntries([...document.querySelectorAll("[data-panel]")]
        .map((panel) => [panel.dataset.panel, panel.querySelector(".panel-body").firstChild]));
})"""
_KEPT = """Object.entries(window.parsedPanels ?? {}).filter(([type, node]) =>
    node && document.querySelector(`[data-panel="${type}"] .panel-body`).firstChild === node)
    .map(([type]) => type).sort()"""
# Panels whose drawing listens to events: the page draws them again to have the listeners.
_LISTENING = {"channel_relationships", "enhanced_channel_metrics"}


def test_the_server_draws_the_first_panels_as_the_page_does(dashboard: Dashboard) -> None:
    """Once the page has reported its layout (a cookie), a reload comes with its panels
    drawn by the server with the page's own renderers: node for node the page's drawing,
    which the page keeps where it has nothing to listen to."""
    page = dashboard.page
    dashboard.open("year=2025")
    page.wait_for_load_state("networkidle")
    layout = [c for c in page.context.cookies() if c["name"] == "watchcube_layout"]
    assert len(layout) == 1 and layout[0]["sameSite"] == "Strict"
    compared = page.evaluate(_SERVED_AND_OWN)
    assert set(compared) == set(TYPES)
    for panel, (state, equal, key) in compared.items():
        assert (state, equal) == ("ready", True), panel
        assert (key is None) == (panel in _LISTENING), panel

    # On a reload every panel is ready when the HTML is parsed, before any module ran; then
    # the page keeps what it would draw alike and draws the rest (the channel table sorts).
    page.add_init_script(_PARSED)
    page.reload()
    dashboard.wait_ready(year="2025")
    ready, start = page.evaluate(
        """["watchcube:ready", "watchcube:start"].map(
            (name) => performance.getEntriesByName(name, "mark")[0].startTime)"""
    )
    assert ready < start
    # The browser holds the first paint until the drawn panels are parsed (rel="expect").
    assert page.evaluate(
        """document.querySelector('link[rel="expect"]').blocking.supports("render")"""
    )
    page.wait_for_function("performance.getEntriesByName('first-paint').length > 0")
    assert page.evaluate("performance.getEntriesByName('first-paint')[0].startTime") >= ready
    assert page.evaluate(_KEPT) == sorted(set(TYPES) - _LISTENING)
    header = page.locator('[data-panel="enhanced_channel_metrics"] thead th').filter(
        has_text="Loyalty"
    )
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert dashboard.errors == []
