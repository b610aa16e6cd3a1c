"""The dashboard page and the JS client, served from the package (no CDN, works offline).

The page refers to its files under a versioned path, ``/static/v-<digest>/app.js``, where the
digest covers every file in ``web/static``: those answers may be cached for a year, since a
change of any file changes the address the page asks for (relative module imports stay
inside the versioned folder). The plain ``/static/<file>`` addresses, such as
``/static/watchcube-client.js`` for other apps, are revalidated on every use (ETag).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from watchcube.api.deps import PrincipalDep

WEB = Path(__file__).resolve().parents[2] / "web"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_PREFIX = "v-"

router = APIRouter(tags=["dashboard"])


@dataclass(frozen=True)
class Build:
    """The static files' digest and the page that refers to them."""

    signature: tuple[tuple[str, int, int], ...]
    version: str
    page: bytes
    etag: str


class Assets:
    """The digest of ``web/`` and the page, computed again only when a file changes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._build: Build | None = None
        self._lock = threading.Lock()

    def _signature(self) -> tuple[tuple[str, int, int], ...]:
        entries = []
        for folder in (self.root, self.root / "static"):
            with os.scandir(folder) as found:
                for entry in found:
                    if entry.is_file():
                        stat = entry.stat()
                        entries.append((entry.path, stat.st_mtime_ns, stat.st_size))
        return tuple(sorted(entries))

    def current(self) -> Build:
        signature = self._signature()
        build = self._build
        if build is not None and build.signature == signature:
            return build
        with self._lock:
            static = self.root / "static"
            digest = hashlib.sha256()
            for path in sorted(static.iterdir()):
                if path.is_file():
                    digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
            version = digest.hexdigest()[:16]
            page = (self.root / "index.html").read_bytes()
            page = _STYLESHEET.sub(lambda link: _inline(static / link.group(1).decode()), page)
            page = page.replace(b'"/static/', f'"/static/{_PREFIX}{version}/'.encode())
            etag = f'"p.{hashlib.sha256(page).hexdigest()[:24]}"'
            self._build = Build(signature, version, page, etag)
            return self._build


# The page's stylesheets go inline: it draws without asking for them first.
_STYLESHEET = re.compile(rb'<link rel="stylesheet" href="/static/([\w.-]+\.css)">')


def _inline(path: Path) -> bytes:
    return b"<style>\n" + path.read_bytes().replace(b"</", b"<\\/") + b"</style>"


assets = Assets(WEB)


class Static(StaticFiles):
    """``web/static``: versioned addresses cached for good, plain ones revalidated."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        first, _, rest = path.partition("/")
        cache_control = REVALIDATE
        if first.startswith(_PREFIX) and rest:
            # An address of an older version gets today's file, revalidated (no mixing for
            # a year): that only happens to a page loaded just before the files changed.
            if first[len(_PREFIX) :] == assets.current().version:
                cache_control = IMMUTABLE
            path = rest
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = cache_control
        return response


static = Static(directory=WEB / "static", check_dir=False)


@router.get("/", include_in_schema=False)
async def dashboard(request: Request) -> Response:
    build = assets.current()
    headers = {"Cache-Control": REVALIDATE, "ETag": build.etag}
    match = request.headers.get("if-none-match")
    if match is not None and build.etag in {tag.strip() for tag in match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(build.page, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/v1/me", summary="Who the token belongs to")
async def me(principal: PrincipalDep) -> dict[str, str | bool]:
    return {"user_id": principal.subject, "admin": principal.admin}
