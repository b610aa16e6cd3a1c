"""The dashboard in Debian's Chromium (driven by Playwright) against a real API server.

One server for the module with a synthetic history (alice, 20k records; bob, a small one
that tests may write to); one browser for the session, a fresh context per test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.api.conftest import SECRET, make_api
from tests.utils.servers import serve_in_thread
from watchcube.api.app import create_app
from watchcube.api.auth import mint_token
from watchcube.filters import PARAMETERS, ParamValue, parse
from watchcube.service import Service
from watchcube.synth import generate

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ALL_READY = "document.querySelectorAll('[data-panel][data-state=ready]').length === 10"


@dataclass
class Site:
    url: str
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, user: str = "alice") -> str:
        """The user's bearer token (one per user, so tests can compare it)."""
        return self.tokens.setdefault(user, mint_token(SECRET, user))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("web")
    settings = make_api(f"sqlite:///{folder / 'watchcube.db'}", "wcweb")
    service = Service(settings)
    service.add_records("alice", generate(20_000, seed=11))
    service.add_records("bob", generate(500, seed=12, years=1.0))
    with serve_in_thread(create_app(settings, service)) as url:
        yield Site(url)
    service.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Dashboard:
    """One browser tab on the dashboard, recording console errors and page errors."""

    page: Page
    site: Site
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def open(self, query: str = "", *, user: str = "alice") -> None:
        """Open the dashboard the way ``watchcube demo``'s link does, and wait for it."""
        extra = f"&{query}" if query else ""
        self.page.goto(f"{self.site.url}/?token={self.site.token(user)}{extra}")
        self.wait_ready(**{name: value for name, value in parse_qsl(query) if name in PARAMETERS})

    def wait_ready(self, **filters: ParamValue) -> None:
        """Wait until all ten panels show results for ``filters``."""
        expected = parse(filters).filter_hash()
        self.page.wait_for_function(
            f"""[...document.querySelectorAll('[data-panel]')].every(
                (p) => p.dataset.state === 'ready' && p.dataset.filterHash === '{expected}')""",
            timeout=15_000,
        )

    def panel(self, aggregation_type: str) -> str:
        return self.page.locator(f'[data-panel="{aggregation_type}"] .panel-body').inner_text()

    def figure(self, term: str) -> str:
        """The value of a KPI card (``Videos``, ``Channels``, ...)."""
        card = self.page.locator('[data-panel="kpi"] .figures > div').filter(
            has=self.page.get_by_text(term, exact=True)
        )
        return card.locator("dd").inner_text()


@pytest.fixture
def dashboard(site: Site, browser: Browser) -> Iterator[Dashboard]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield Dashboard(context.new_page(), site)
    context.close()
