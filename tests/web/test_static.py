"""How the page and its files are served: versioned addresses cached for good, the rest
revalidated, the stylesheet inline, and a new version as soon as a file changes."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import make_api
from tests.utils.servers import serve_in_thread
from watchcube.api.app import create_app
from watchcube.api.routes.web import IMMUTABLE, REVALIDATE, WEB, Assets
from watchcube.service import Service


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("static")
    settings = make_api(f"sqlite:///{folder / 'watchcube.db'}", "wcstatic")
    service = Service(settings)
    with (
        serve_in_thread(create_app(settings, service)) as url,
        httpx.Client(base_url=url) as client,
    ):
        yield client
    service.close()


def _modules(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page)


def test_the_page_refers_to_versioned_files_cached_for_good(http: httpx.Client) -> None:
    page = http.get("/")
    assert page.status_code == 200
    assert page.headers["cache-control"] == f"private, {REVALIDATE}"  # it may carry data
    addresses = _modules(page.text)
    version = addresses[0].split("/")[2]
    assert version.startswith("v-") and f"/static/{version}/app.js" in addresses
    assert {address.split("/")[2] for address in addresses} == {version}
    for address in addresses:
        answer = http.get(address)
        assert answer.status_code == 200, address
        assert answer.headers["cache-control"] == IMMUTABLE
    # The stylesheet is inline; no other file is asked for before the modules.
    assert "<style>" in page.text and "dashboard.css" not in page.text
    again = http.get("/", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304


def test_plain_and_outdated_addresses_are_revalidated(http: httpx.Client) -> None:
    plain = http.get("/static/watchcube-client.js")
    assert plain.status_code == 200
    assert plain.headers["cache-control"] == REVALIDATE
    assert "export function createClient" in plain.text
    revalidated = http.get(
        "/static/watchcube-client.js", headers={"If-None-Match": plain.headers["etag"]}
    )
    assert revalidated.status_code == 304
    old = http.get("/static/v-0123456789abcdef/watchcube-client.js")
    assert old.status_code == 200 and old.text == plain.text
    assert old.headers["cache-control"] == REVALIDATE
    assert http.get("/static/v-0123456789abcdef/%2e%2e/%2e%2e/index.html").status_code == 404
    assert http.get("/static/nothing.js").status_code == 404


def test_a_changed_file_changes_the_version(tmp_path: Path) -> None:
    web = tmp_path / "web"
    shutil.copytree(WEB, web)
    assets = Assets(web)
    first = assets.current()
    assert assets.current() is first  # nothing changed: nothing computed again
    module = web / "static" / "dom.js"
    module.write_text(module.read_text() + "\n// changed\n")
    second = assets.current()
    assert second.version != first.version
    assert f"/static/v-{second.version}/app.js".encode() in second.page
    assert second.etag != first.etag
