"""The dashboard page and the JS client, served from the package (no CDN, works offline).

The page refers to its files under a versioned path, ``/static/v-<digest>/app.js``, where the
digest covers every file in ``web/static``: those answers may be cached for a year, since a
change of any file changes the address the page asks for (relative module imports stay
inside the versioned folder). The plain ``/static/<file>`` addresses, such as
``/static/watchcube-client.js`` for other apps, are revalidated on every use (ETag).
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote_plus

import orjson
from fastapi import APIRouter, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from watchcube.api.auth import Authenticator, Principal
from watchcube.api.deps import PrincipalDep, parse_query_string
from watchcube.api.prerender import LAYOUT_COOKIE, PANEL_TYPES, Layout, Prerenderer, parse_layout
from watchcube.api.routes.aggregations import dashboard_bundle
from watchcube.errors import AuthError, WatchcubeError
from watchcube.service import Query, Service

log = logging.getLogger(__name__)
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
    principal, token, bad_cookie = _page_principal(request)
    first, chips = None, None
    filters = _page_filters(request) if principal is not None else None
    if principal is not None and filters is not None:
        first = await _first_bundle(request, principal, *filters)
        chips = await _chips(request, principal, filters[0])
    layout = parse_layout(request.cookies.get(LAYOUT_COOKIE)) if first is not None else None
    page, etag = build.page, build.etag
    # The page's body depends on its bundle and chips, and on the layout it is drawn for.
    depends = "".join(
        (
            first.etag if first is not None else "",
            chips.etag if chips is not None else "",
            layout.key if layout is not None else "",
        )
    )
    if depends:
        etag = f'"p.{hashlib.sha256((build.etag + depends).encode()).hexdigest()[:24]}"'
    headers = {"Cache-Control": "private, no-cache", "ETag": etag, "Vary": "Cookie"}
    match = request.headers.get("if-none-match")
    if match is not None and etag in {tag.strip() for tag in match.split(",")}:
        response = Response(status_code=304, headers=headers)
    else:
        if first is not None and layout is not None:
            page = await _drawn_page(build, first, chips, layout)
        else:
            page = _filled(page, first, chips)
        response = Response(page, media_type="text/html; charset=utf-8", headers=headers)
    if token is not None and principal is not None and request.cookies.get(COOKIE) != token:
        # A reload of the link (its token already the cookie) has nothing new to remember.
        _remember_token(request, response, token, principal)
    elif bad_cookie:
        response.delete_cookie(COOKIE, path="/")
    return response


# When the request says whose the page is, its head names the first bundle's user here
# (index.html's inline scripts read it), and the bundle comes last in the body: a drawn page
# is ready once its panels are parsed, and the modules read the bundle after the parse
# (31 KB at 100k, ~1.5 ms of parsing in Chromium traces, no longer before the ready mark).
_BUNDLE_SLOT = b"<!--watchcube:first-bundle-->"
_BODY_END = b"</body>"
COOKIE = "watchcube_token"
# Query parameters of the page that are not filters.
_PAGE_OPTIONS = frozenset({"token", "mode", "poll"})
# How long the page may wait for its first bundle before it goes without (the page's own
# request then asks again and shows what went wrong, if anything did).
_FIRST_BUNDLE_SECONDS = 2.0


# Panels drawn by the server for the page's layout (the page keeps those it would draw
# the same). A drawing that fails or takes longer than this is left to the page.
prerenderer = Prerenderer(WEB)
_DRAW_SECONDS = 1.0
_PANEL = re.compile(
    rb'(<section class="panel[^"]*" data-panel="(\w+)" data-state=")loading(" aria-busy=")true'
    rb'("[^>]*>.*?<div class="panel-body">)(</div>)',
    re.DOTALL,
)
_PANELS_ROOT = re.compile(rb'(<main id="panels")')
# Drawn, the page holds its first paint until the element after the panels' mark (#drawn)
# is parsed. Otherwise Chromium may stop parsing a page this size midway to lay out and
# paint what it has (Chromium traces at 100k: style, layout and paint of half the panels
# between the two halves of the parse; and while #drawn was the mark's own script, of all
# of them between the parse and the mark, ~17 ms). Browsers without rel="expect" ignore it.
_HEAD = b"<head>\n"
_RENDER_AFTER_DRAWN = b'<link rel="expect" href="#drawn" blocking="render">\n'
_MODULE_PRELOAD = re.compile(rb'\n *<link rel="modulepreload"[^>]*>')
# Drawn, the page's module is imported by an inline module script, which the browser's
# preload scanner does not read: requesting app.js from the scanner took 1-3 ms of the main
# thread before the parse began (Chromium traces at 100k); from here it is requested once
# the drawn panels and their mark are parsed (module scripts run after the parse anyway).
_MODULE_SCRIPT = re.compile(rb'<script type="module" src="([^"]+)"></script>')
# After the drawn panels: marks when they were parsed, as the page's modules do when they
# draw; but in a tab the bundle is not for (index.html sets html[data-foreign]), empties
# them instead, and the modules draw the tab's own. Rendering is held until the element
# after it (``_RENDER_AFTER_DRAWN``), so that the first frame's style and layout come after
# the mark, not between the panels and the mark.
_DRAWN_MARK = b"""</main>
  <script>
    if ("foreign" in document.documentElement.dataset) {
      for (const panel of document.querySelectorAll("[data-panel]")) {
        panel.dataset.state = "loading";
        panel.setAttribute("aria-busy", "true");
        delete panel.dataset.filterHash;
        delete panel.dataset.drawnKey;
        panel.querySelector(".panel-body").replaceChildren();
      }
    } else {
      performance.mark("watchcube:ready");
    }
  </script>
  <template id="drawn"></template>"""


@dataclass(frozen=True)
class FirstBundle:
    owner: bytes  # the element in the head that names the bundle's user
    script: bytes  # the bundle's JSON script element (the user, the filters, the bundle)
    etag: str  # of the bundle, for its user
    body: bytes  # the bundle's JSON


@dataclass(frozen=True)
class Chips:
    markup: bytes  # the filter bar's year and quarter chips (``_period_chips``)
    etag: str  # of the all-time monthly trend they name the years of, for its user


def _filled(page: bytes, first: FirstBundle | None, chips: Chips | None) -> bytes:
    """The page with what it has of its first bundle (the owner in the head, the bundle at
    the body's end) and of its period chips (in the filter bar)."""
    if first is not None:
        page = page.replace(_BUNDLE_SLOT, first.owner, 1)
        page = page.replace(_BODY_END, first.script + _BODY_END, 1)
    if chips is not None:
        page = page.replace(_PERIOD_SLOT, chips.markup, 1)
    return page


# The filter bar's period chips as index.html has them (empty), and as filterbar.js draws
# them. Sent drawn (in any mode, whenever the page knows its user and the address's filters
# are valid), they are on screen from the first paint: drawn by the modules, they came after
# the panels and pushed them down a row or two on a narrow screen (a layout shift of 0.13 at
# 390 px). filterbar.js takes the years it finds as known until its options come, and draws
# the chips again with their listeners, alike.
_PERIOD_SLOT = (
    b'<div id="years" class="chips"></div>\n        <div id="quarters" class="chips" hidden></div>'
)
# The data's years, from the all-time monthly trend (pre-computed; app.js's optionsOf reads
# the same months).
_YEARS_QUERY = b"types=monthly_trend"
_NUMBERS = frozenset({"year", "quarter", "month"})


async def _years(service: Service, user: str) -> tuple[str, tuple[int, ...]]:
    """The ETag of the user's all-time monthly trend and the years from its first month to
    its last."""
    query, control = parse_query_string(_YEARS_QUERY)
    bundle = await dashboard_bundle(service, user, query, control)
    months = orjson.loads(bundle.body)["types"]["monthly_trend"]["data"]["months"]
    if not months:
        return bundle.etag, ()
    first, last = int(months[0]["month"][:4]), int(months[-1]["month"][:4])
    return bundle.etag, tuple(range(first, last + 1))


def _chip(label: str, value: str, pressed: bool) -> bytes:
    """A period chip as filterbar.js's ``chip`` draws it."""
    state = "true" if pressed else "false"
    return (
        f'<button type="button" class="chip" data-value="{html.escape(value)}"'
        f' aria-pressed="{state}">{html.escape(label)}</button>'
    ).encode()


def _period_chips(years: tuple[int, ...], query_text: str) -> bytes:
    """The year chips (all time, the data's years and the address's) and, for a year, its
    quarter chips, pressed as filterbar.js's ``show`` presses them for the address (read as
    state.js's ``readState`` reads it: the last non-empty value of each parameter)."""
    params: dict[str, str] = {}
    for name, value in parse_qsl(query_text, keep_blank_values=True):
        if name in ("year", "quarter", "month", "start", "end"):
            params.pop(name, None)
            if value:
                params[name] = value
    if any(
        not (params[name].isascii() and params[name].isdigit()) for name in _NUMBERS & params.keys()
    ):
        return b""  # not what the page would read as numbers (its bundle was refused anyway)
    year = params.get("year")
    shown = sorted({*years, *([int(year)] if year else [])})
    period = str(int(year)) if year else (None if "start" in params or "end" in params else "")
    chips = [_chip("All time", "", period == "")]
    chips += [
        _chip(str(shown_year), str(shown_year), period == str(shown_year)) for shown_year in shown
    ]
    quarter = str(int(params["quarter"])) if year and "quarter" in params else ""
    pressed = quarter if year and "month" not in params else None
    quarters = [_chip("Whole year", "", pressed == "")]
    quarters += [_chip(f"Q{q}", str(q), pressed == str(q)) for q in range(1, 5)]
    return (
        b'<div id="years" class="chips">'
        + b"".join(chips)
        + b'</div>\n        <div id="quarters" class="chips"'
        + (b"" if year else b" hidden")
        + b">"
        + b"".join(quarters)
        + b"</div>"
    )


# Drawn pages as sent, the least recently sent first: a reload of a page drawn already is
# sent as it was (a page's key: its files, its first bundle and chips, its layout).
_DRAWN_PAGES: OrderedDict[tuple[str, bytes, str], bytes] = OrderedDict()
_DRAWN_PAGES_KEPT = 16


async def _drawn_page(
    build: Build, first: FirstBundle, chips: Chips | None, layout: Layout
) -> bytes:
    """The page with its first bundle and chips, drawn (``_drawn``), remembered for the
    page's files, first bundle (its script: the user, the address's filters and the bundle),
    chips and layout."""
    key = (build.etag, first.script + (chips.markup if chips is not None else b""), layout.key)
    drawn = _DRAWN_PAGES.get(key)
    if drawn is None:
        page = _filled(build.page, first, chips)
        drawn = await _drawn(page, build, first, layout)
        if drawn is page:  # not drawn (logged): the next request tries again
            return page
        _DRAWN_PAGES[key] = drawn
        while len(_DRAWN_PAGES) > _DRAWN_PAGES_KEPT:
            _DRAWN_PAGES.popitem(last=False)
    _DRAWN_PAGES.move_to_end(key)
    return drawn


async def _drawn(page: bytes, build: Build, first: FirstBundle, layout: Layout) -> bytes:
    """The page with every panel drawn from its first bundle, or as it was if any fails."""
    try:
        drawn = await asyncio.wait_for(
            asyncio.to_thread(prerenderer.draw, build.version, first.etag, first.body, layout),
            _DRAW_SECONDS,
        )
    except TimeoutError:
        log.warning("drawing the page's panels took over %.1f s", _DRAW_SECONDS)
        return page
    except Exception:  # the page draws its panels itself: never fail it for this
        log.exception("could not draw the page's panels")
        return page
    if set(drawn) != PANEL_TYPES:
        return page

    def fill(match: re.Match[bytes]) -> bytes:
        panel = drawn[match[2].decode()]
        state = b'ready" data-filter-hash="' + html.escape(panel.filter_hash).encode()
        if panel.key is not None:
            state += b'" data-drawn-key="' + html.escape(panel.key).encode()
        # match[3] begins with the quote that ends the attribute added here.
        return match[1] + state + match[3] + b"false" + match[4] + panel.html.encode() + match[5]

    filled, count = _PANEL.subn(fill, page)
    locale = html.escape(f"{layout.locale} {layout.time_zone}").encode()
    drawn_locale = b' data-drawn-locale="' + locale + b'"'
    filled, mains = _PANELS_ROOT.subn(lambda main: main[1] + drawn_locale, filled, 1)
    if count != len(PANEL_TYPES) or mains != 1:  # index.html changed (a test guards it)
        log.error("index.html has %d panels to fill, not %d", count, len(PANEL_TYPES))
        return page
    # Drawn, the page is ready when parsed: compiling the modules ahead (modulepreload)
    # would compete with the parsing (measured ~15-20 ms later at 100k); they still load.
    filled = _MODULE_PRELOAD.sub(b"", filled).replace(b"</main>", _DRAWN_MARK, 1)
    filled, modules = _MODULE_SCRIPT.subn(
        lambda script: b'<script type="module">import "' + script[1] + b'";</script>', filled, 1
    )
    if modules != 1:  # index.html changed (a test guards it)
        log.error("index.html has no module script to import after the drawn panels")
        return page
    return filled.replace(_HEAD, _HEAD + _RENDER_AFTER_DRAWN, 1)


def _page_principal(request: Request) -> tuple[Principal | None, str | None, bool]:
    """Who the page is for: the ``?token=`` of the link (then remembered in a cookie), else
    the cookie. Also the link's token when valid, and whether the cookie is invalid. A link
    with a bad token is for nobody, whatever the cookie says (the tab will ask to sign in)."""
    authenticator: Authenticator = request.app.state.authenticator
    given = request.query_params.get("token")
    if given:
        try:
            return authenticator.verify_token(given), given, False
        except AuthError:
            return None, None, False
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None, None, False
    try:
        return authenticator.verify_token(cookie), None, False
    except AuthError:
        return None, None, True


def _remember_token(request: Request, response: Response, token: str, principal: Principal) -> None:
    """The link's token as an HttpOnly cookie, so a reload of the page carries its first
    bundle too. Only the page reads it: the API takes bearer tokens alone (no CSRF)."""
    max_age = None
    if principal.expires_at is not None:
        max_age = max(0, int(principal.expires_at - time.time()))
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )


async def _first_bundle(
    request: Request, principal: Principal, query_text: str, query: Query
) -> FirstBundle | None:
    """The dashboard bundle of the page's filters (``_page_filters``) for the token's own
    user, as a JSON script the page draws from at once; None in live mode (it computes per
    request) or when it cannot be had quickly (a slow or failing store)."""
    if request.query_params.get("mode", "precomputed") != "precomputed":
        return None
    service: Service = request.app.state.service
    try:
        bundle = await asyncio.wait_for(
            dashboard_bundle(service, principal.subject, query, {}), _FIRST_BUNDLE_SECONDS
        )
    except (WatchcubeError, TimeoutError):
        return None
    except Exception:  # the page works without its bundle: never fail it for that
        log.exception("could not put the first dashboard bundle in the page")
        return None
    data = b"".join(
        (
            b'{"user":',
            orjson.dumps(principal.subject),
            b',"query":',
            orjson.dumps(query_text),
            b',"etag":',
            orjson.dumps(bundle.etag),
            b',"bundle":',
            bundle.body,
            b"}",
        )
    )
    # The user once more, in the head: index.html's inline script checks it against the tab's
    # token before the body is parsed, without parsing the bundle.
    user = html.escape(principal.subject, quote=True).encode()
    owner = b'<meta id="watchcube-first-user" content="' + user + b'">'
    # "<" only occurs inside JSON strings, where \u003c means the same: nothing in the data
    # can close the script element.
    script = (
        b'<script type="application/json" id="watchcube-first-bundle">'
        + data.replace(b"<", b"\\u003c")
        + b"</script>\n"
    )
    return FirstBundle(owner, script, bundle.etag + principal.subject, bundle.body)


def _page_filters(request: Request) -> tuple[str, Query] | None:
    """The filters as written in the page's address, its page options left out, and as
    parsed; None when they are not valid or carry a control parameter the page never writes
    (the page's own request reports what is wrong). The page takes its first bundle only if
    its own query for its filters is exactly this text (it writes addresses that way), so a
    hand-written address that it would read differently is not misdrawn."""
    raw: bytes = request.scope.get("query_string", b"")
    query_text = "&".join(
        part
        for part in raw.decode("latin-1").split("&")
        if part and unquote_plus(part.partition("=")[0]) not in _PAGE_OPTIONS
    )
    try:
        query, control = parse_query_string(query_text.encode("latin-1"))
    except WatchcubeError:
        return None
    except Exception:  # the page works without its bundle and chips: never fail it for that
        log.exception("could not read the page's filters")
        return None
    return None if control else (query_text, query)


async def _chips(request: Request, principal: Principal, query_text: str) -> Chips | None:
    """The filter bar's period chips for the token's own user and the page's filters
    (``_page_filters``); None when the years cannot be had quickly."""
    service: Service = request.app.state.service
    try:
        etag, years = await asyncio.wait_for(
            _years(service, principal.subject), _FIRST_BUNDLE_SECONDS
        )
    except (WatchcubeError, TimeoutError):
        return None  # the page draws its chips itself
    except Exception:  # the page works without them: never fail it for that
        log.exception("could not draw the page's period chips")
        return None
    markup = _period_chips(years, query_text)
    return Chips(markup, etag + principal.subject) if markup else None


@router.get("/v1/me", summary="Who the token belongs to")
async def me(principal: PrincipalDep) -> dict[str, str | bool]:
    return {"user_id": principal.subject, "admin": principal.admin}
