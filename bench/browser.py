"""Dashboard speed in Chromium: pre-computed results against live computation, same run.

    .venv/bin/python bench/browser.py [--sizes 100000 1000000] [--repeats 15]

For each size: a synthetic history (``watchcube.synth``) in a fresh SQLite database, served
by a real ``python -m watchcube serve`` process (granian, embedded worker), which is left to
pre-compute the defaults first. Then, in Debian's Chromium, for each mode (``precomputed``,
and ``live``: the page's ``mode=live`` parameter, which the JS client passes to the API):

- load: from navigation to all ten panels ready (the page's ``watchcube:ready`` mark), and
  within it when the modules ran (``watchcube:start``) and the bundle was in hand
  (``watchcube:response``); the tab navigates from the dashboard to the dashboard again
  (the old page torn down within the load, as on a reload),
- load in a new tab: the same, in a tab opened for it (as when a link or bookmark is
  opened in a new tab), measured after each same-tab load and its click,
- filter: from a click on a year chip to all ten panels ready again,
- request: within that, the dashboard request alone (the browser's resource timing), and how
  many of the clicks needed one: in pre-computed mode the page prefetches the bundles of the
  period chips after drawing (and draws some of them ahead), so a click needs none; live mode
  prefetches nothing.

The browser's own floor is measured in the same run: the time from navigation to an inline
script in a minimal page (a few hundred bytes from a local stdlib server), which no page can
beat; the report also gives each load above that floor.

The two modes and the floor take turns in blocks of five runs (which mode goes first
alternates), each mode in a fresh context warmed as below, so that a machine whose speed
drifts during the run weighs on all three alike. Each ratio comes with a 95% bootstrap
interval (both modes' runs resampled): on a noisy machine a few runs move a p50 by several
ms.

The harness stays out of the page's way. The browser emulates nothing (a 1280x900 window,
its own media; ``new_context``): undoing Playwright's emulations when a navigation commits
restyled the whole old page. A tiny init script (a ``PerformanceObserver``)
reports the ready mark on the console, and the bench waits for that message. Polling with
Playwright's ``wait_for_function`` made Playwright evaluate its own injected script (some
hundreds of KB of JS) in each new page as soon as it committed, in the middle of the
page's parsing: 5-15 ms on the main thread that delayed the mark itself (seen in Chromium
traces), most of all for a page that is ready when parsed.

Every mode is warmed first (each year clicked once: pre-computed results exist, and the
live mode's frame is loaded), each load waits for the network to go quiet (prefetching
included) before its click, and each click waits for the page to be done with what it set
off (the network quiet and an idle period of 45 ms) before the next load, so the timings
compare serving against computing, not cold starts, and a load does not wait for the
previous page's background work: navigating away from a page whose main thread is busy
(prefetched bundles being parsed and drawn ahead, which live mode does not do) waits for
the task at hand, since the new page commits on the same thread.

Prints the load average, p50/p95 per size and mode, the floor per size, the ratios with
their intervals, and the goals.
"""

from __future__ import annotations

import argparse
import http.server
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.utils.servers import free_port, wait_until
from tests.web.conftest import ALL_READY, CHROMIUM, CHROMIUM_ARGS

from watchcube.api.auth import mint_token, new_secret
from watchcube.config import Settings
from watchcube.service import Service
from watchcube.synth import generate

USER = "bench"
MODES = ("precomputed", "live")
BLOCK = 5  # runs of one mode before the other mode's turn
YEARS = (2023, 2024, 2025, 2026)  # full years of the synthetic history (it ends 2026-10-31)
# In the page: click a year chip, resolve with the milliseconds until all panels are ready
# and the durations of the panels' dashboard requests made meanwhile (not the pickers').
CLICK_TO_READY = """(year) => new Promise((resolve) => {
    const chip = [...document.querySelectorAll("#years button")]
        .find((button) => button.textContent === String(year));
    const started = performance.now();
    document.addEventListener("watchcube:ready", () => {
        const ms = performance.now() - started;
        const requests = performance.getEntriesByType("resource")
            .filter((entry) => entry.startTime >= started && entry.name.includes("/dashboard?")
                && !entry.name.includes("types="))
            .map((entry) => entry.duration);
        resolve({ ms, requests });
    }, { once: true });
    chip.click();
})"""
# Navigation to ready, to the modules running, to the dashboard bundle in hand.
LOAD_MARKS = """["watchcube:ready", "watchcube:start", "watchcube:response"]
    .map((name) => performance.getEntriesByName(name, "mark")[0]?.startTime ?? NaN)"""


@dataclass
class Timings:
    load: list[float] = field(default_factory=list)
    new_tab: list[float] = field(default_factory=list)  # load in a tab opened for it
    start: list[float] = field(default_factory=list)  # navigation to the modules running
    response: list[float] = field(default_factory=list)  # navigation to the bundle in hand
    filter: list[float] = field(default_factory=list)
    request: list[float] = field(default_factory=list)  # the change's dashboard request (0: none)
    requested: int = 0  # filter changes that made a dashboard request


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def build_database(folder: Path, records: int) -> str:
    url = f"sqlite:///{folder / 'bench.db'}"
    started = time.perf_counter()
    service = Service(Settings(database_url=url, redis_url=None))
    service.add_records(USER, generate(records, seed=1))
    service.close()
    print(f"  database of {records:,} records built in {time.perf_counter() - started:.1f} s")
    return url


@contextmanager
def server(database_url: str, secret: str, log: Path) -> Iterator[str]:
    """``python -m watchcube serve`` in a subprocess; yields its base URL."""
    port = free_port()
    with log.open("wb") as out:
        env = {**os.environ, "WATCHCUBE_JWT_SECRET": secret}
        command = [sys.executable, "-m", "watchcube", "serve", "--database-url", database_url]
        process = subprocess.Popen(
            [*command, "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: answers(f"{url}/healthz"), 60, "the server to start")
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def wait_until_precomputed(url: str, token: str) -> None:
    """The embedded worker has refreshed every pending change (it pre-computes defaults)."""
    headers = {"Authorization": f"Bearer {token}"}

    started = time.perf_counter()
    while httpx.get(f"{url}/v1/users/{USER}/status", headers=headers, timeout=30).json()[
        "pending_changes"
    ]:
        if time.perf_counter() - started > 600:
            raise TimeoutError("the worker did not pre-compute within 10 minutes")
        time.sleep(0.5)
    print(f"  worker pre-computed the defaults in {time.perf_counter() - started:.1f} s")


# In every new document, before its own scripts: say on the console when one of the marks
# the bench waits for is made (the observer's callback comes after, in a task of its own).
MARK_SIGNAL = """new PerformanceObserver((list, observer) => {
    for (const entry of list.getEntries()) {
        if (entry.name === "watchcube:ready" || entry.name === "floor") {
            observer.disconnect();
            console.debug(`bench-mark:${entry.name}`);
        }
    }
}).observe({ type: "mark" });"""


WIDTH, HEIGHT = 1280, 900


def new_context(browser: Browser) -> BrowserContext:
    """A context that emulates nothing: the window's own size (``--window-size``) and media.

    Playwright's defaults (a viewport and ``prefers-color-scheme: light``) are emulations that
    its devtools session sets in each page, and that closing the session undoes in the old
    page when a navigation commits. Chromium traces showed that: in the task that closes the
    ``DevToolsSessionHost``, just before the commit, every element of the old page is marked
    for a new style ("PlatformColorChange"); in about half of the loads a frame of the old
    page (style of all its elements, layout, paint: 8-16 ms traced at 100k) then ran before
    the commit and delayed it. A person's browser has no such session, so the bench leaves
    it out, in both modes and for the floor.
    """
    # "null": no emulation (Playwright's Python API sends the protocol's "no-override").
    return browser.new_context(
        no_viewport=True,
        color_scheme="null",
        reduced_motion="null",
        forced_colors="null",
        contrast="null",
    )


def new_page(context: BrowserContext) -> Page:
    """A page that reports the bench's marks on the console (``MARK_SIGNAL``)."""
    page = context.new_page()
    page.add_init_script(MARK_SIGNAL)
    return page


def navigate_to_mark(page: Page, url: str, mark: str) -> None:
    """Navigate and wait until the new document makes ``mark``, without running anything
    in the page meanwhile."""
    expected = f"bench-mark:{mark}"
    with page.expect_console_message(lambda message: message.text == expected, timeout=60_000):
        page.goto(url, wait_until="commit")


def open_dashboard(page: Page, url: str) -> list[float]:
    """Navigate to the dashboard; the ms from navigation to ready, start and response."""
    navigate_to_mark(page, url, "watchcube:ready")
    assert page.evaluate(ALL_READY), "the ready mark came before all ten panels were ready"
    marks: list[float] = page.evaluate(LOAD_MARKS)
    # Let the follow-up requests (picker options, the first status, prefetches) finish first.
    page.wait_for_load_state("networkidle")
    return marks


# Resolves in the first idle period of 45 ms or more: nothing else is queued.
QUIET = """() => new Promise((resolve) => {
    const check = (deadline) =>
        deadline.timeRemaining() >= 45 ? resolve() : requestIdleCallback(check);
    requestIdleCallback(check);
})"""


def settle(page: Page) -> None:
    """Wait until the page is done with what a click set off (prefetching and drawing ahead,
    in pre-computed mode): its network quiet and its main thread idle."""
    page.wait_for_load_state("networkidle")
    page.evaluate(QUIET)


def click_year(page: Page, year: int, timings: Timings) -> None:
    """Click a year chip; record the ms to all panels ready and the request it made."""
    change = page.evaluate(CLICK_TO_READY, year)
    timings.filter.append(change["ms"])
    timings.request.append(max(change["requests"], default=0.0))
    timings.requested += bool(change["requests"])


def measure(
    browser: Browser, base: str, token: str, mode: str, runs: int, timings: Timings
) -> None:
    """``runs`` loads and clicks in ``mode``, in a context of their own, warmed first."""
    context = new_context(browser)
    page = new_page(context)
    live = "&mode=live" if mode == "live" else ""
    url = f"{base}/?token={token}{live}&poll=3600"
    open_dashboard(page, url)
    for year in YEARS:
        page.evaluate(CLICK_TO_READY, year)
    for _ in range(runs):
        ready, start, response = open_dashboard(page, url)
        timings.load.append(ready)
        timings.start.append(start)
        timings.response.append(response)
        click_year(page, YEARS[len(timings.filter) % len(YEARS)], timings)
        settle(page)
        tab = new_page(context)
        timings.new_tab.append(open_dashboard(tab, url)[0])
        tab.close()
    context.close()


def measure_modes(
    browser: Browser, base: str, token: str, repeats: int
) -> tuple[dict[str, Timings], list[float]]:
    """``repeats`` runs per mode and of the browser floor, taking turns in blocks of
    ``BLOCK`` runs (which mode goes first alternates), so that a machine that slows down or
    speeds up during the run (the floor moved by 10 ms from one run to the next on one
    machine) weighs on both modes and on the floor alike."""
    timings = {mode: Timings() for mode in MODES}
    floors: list[float] = []
    for block, first in enumerate(range(0, repeats, BLOCK)):
        runs = min(BLOCK, repeats - first)
        for mode in MODES if block % 2 == 0 else MODES[::-1]:
            measure(browser, base, token, mode, runs, timings[mode])
        floors += browser_floor(browser, runs)
    return timings, floors


FLOOR_PAGE = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title>
</head><body><p>floor</p><script>performance.mark("floor")</script></body></html>"""


class _FloorHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(FLOOR_PAGE)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(FLOOR_PAGE)

    def log_message(self, format: str, *args: object) -> None:
        return


def browser_floor(browser: Browser, repeats: int) -> list[float]:
    """ms from navigation to an inline script of a minimal page, ``repeats`` times."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FloorHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = new_context(browser)
    page = new_page(context)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    times = []
    try:
        for repeat in range(repeats + 1):  # the first one warms up
            navigate_to_mark(page, url, "floor")
            mark = page.evaluate("performance.getEntriesByName('floor', 'mark')[0].startTime")
            if repeat:
                times.append(mark)
    finally:
        context.close()
        server.shutdown()
    return times


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def run(sizes: list[int], repeats: int) -> None:
    print(load_average())
    secret = new_secret()
    token = mint_token(secret, USER)
    results: dict[tuple[int, str], Timings] = {}
    floors: dict[int, list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--window-size={WIDTH},{HEIGHT}"]
        )
        for size in sizes:
            print(f"{size:,} records ({load_average()})")
            with tempfile.TemporaryDirectory(prefix="watchcube-bench-") as folder:
                database_url = build_database(Path(folder), size)
                with server(database_url, secret, Path(folder) / "server.log") as url:
                    wait_until_precomputed(url, token)
                    timings, floors[size] = measure_modes(browser, url, token, repeats)
                    for mode, timing in timings.items():
                        results[size, mode] = timing
        browser.close()
    print(f"done ({load_average()})")
    report(sizes, results, repeats, floors)


def ratio_interval(fast: list[float], slow: list[float], draws: int = 2000) -> tuple[float, float]:
    """A 95% bootstrap interval of median(fast) / median(slow), both samples resampled."""
    rng = random.Random(0)
    ratios = sorted(
        statistics.median(rng.choices(fast, k=len(fast)))
        / statistics.median(rng.choices(slow, k=len(slow)))
        for _ in range(draws)
    )
    return ratios[int(0.025 * draws)], ratios[int(0.975 * draws) - 1]


def ratio(fast: list[float], slow: list[float]) -> str:
    """median(fast) / median(slow), with its 95% bootstrap interval."""
    low, high = ratio_interval(fast, slow)
    return f"{statistics.median(fast) / statistics.median(slow):.2f}x ({low:.2f}-{high:.2f})"


def report(
    sizes: list[int],
    results: dict[tuple[int, str], Timings],
    repeats: int,
    floors: dict[int, list[float]],
) -> None:
    print(f"\nms from navigation / year click to all ten panels ready ({repeats} runs each)")
    header = f"{'records':>10}  {'mode':<12}{'load p50':>10}{'load p95':>10}{'new tab':>9}"
    print(
        header + f"{'filter p50':>12}{'filter p95':>12}{'request p50':>13}{'requests':>10}"
        f"{'modules ran':>13}{'bundle in':>11}"
    )
    for size in sizes:
        for mode in MODES:
            timing = results[size, mode]
            print(
                f"{size:>10,}  {mode:<12}"
                f"{statistics.median(timing.load):>10.1f}{percentile(timing.load, 0.95):>10.1f}"
                f"{statistics.median(timing.new_tab):>9.1f}"
                f"{statistics.median(timing.filter):>12.1f}"
                f"{percentile(timing.filter, 0.95):>12.1f}"
                f"{statistics.median(timing.request):>13.1f}"
                f"{f'{timing.requested}/{len(timing.filter)}':>10}"
                f"{statistics.median(timing.start):>13.1f}"
                f"{statistics.median(timing.response):>11.1f}"
            )
    print(
        "\n(requests: filter changes that asked for their bundle; request p50 counts the others"
        " as 0.\n new tab: load p50 in a tab opened for it;"
        " modules ran, bundle in: p50 ms from navigation, within the load)"
    )
    print("\nbrowser floor (navigation to an inline script of a minimal page), same run")
    for size in sizes:
        print(
            f"{size:>10,}  p50 {statistics.median(floors[size]):.1f} ms,"
            f" p95 {percentile(floors[size], 0.95):.1f} ms ({len(floors[size])} runs)"
        )
    print("\npre-computed / live (p50, with a 95% bootstrap interval; goal <= 0.3)")
    for size in sizes:
        fast, slow = results[size, "precomputed"], results[size, "live"]
        fast_load, slow_load = statistics.median(fast.load), statistics.median(slow.load)
        floor = statistics.median(floors[size])
        above = (fast_load - floor) / (slow_load - floor)
        print(
            f"{size:>10,}  load {ratio(fast.load, slow.load)}"
            f"   filter change {ratio(fast.filter, slow.filter)}"
            f"   load in a new tab {ratio(fast.new_tab, slow.new_tab)}"
            f"\n{'':12}load above the browser floor {above:.2f}x"
            f" ({fast_load - floor:.0f} / {slow_load - floor:.0f} ms)"
            f"   the floor alone {floor / slow_load:.2f}x"
        )
    if 100_000 in sizes:
        fast = results[100_000, "precomputed"]
        load, change = statistics.median(fast.load), statistics.median(fast.filter)
        print(
            f"\nat 100k, pre-computed: load {load:.0f} ms (goal <= 200), "
            f"filter change {change:.0f} ms (goal <= 100)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=15)
    arguments = parser.parse_args()
    run(arguments.sizes, arguments.repeats)


if __name__ == "__main__":
    main()
