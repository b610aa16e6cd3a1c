"""The page's first panels drawn by the server, so a reload shows a drawn dashboard as soon as
its HTML is parsed (before any module has run).

There is one renderer: the page's own (``web/static/panels.js`` and the modules it imports),
run here in V8 (mini-racer) with a stand-in document that writes HTML
(``web/prerender.js``). The page reports the widths it draws its panels at, its locale and
its time zone in a cookie (``watchcube_layout``); without that cookie nothing is drawn here,
so the markup always matches what the page would draw itself. Once its modules run, the
page keeps every drawn panel it would draw the same (the server writes the page's own key
on it) and draws again only those whose drawing listens to events.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

log = logging.getLogger(__name__)

LAYOUT_COOKIE = "watchcube_layout"
# The page's modules that draw panels, each after the ones it imports.
MODULES = ("dom.js", "charts.js", "table.js", "panels.js")
PANEL_TYPES = frozenset(
    {
        "kpi",
        "monthly_trend",
        "top_channels",
        "topics_leaderboard",
        "day_time_heatmap",
        "viewing_patterns",
        "session_analysis",
        "channel_relationships",
        "topic_evolution",
        "enhanced_channel_metrics",
    }
)
_WIDTHS = range(240, 10_001)  # the page never draws narrower than 240 px
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,6}")
_MEMO_SIZE = 32  # drawn bundles kept (by bundle ETag and layout)


@dataclass(frozen=True, slots=True)
class Layout:
    """How the page draws: each panel's width, its locale and its time zone."""

    widths: tuple[tuple[str, int], ...]
    locale: str
    time_zone: str

    @property
    def key(self) -> str:
        return json.dumps([self.widths, self.locale, self.time_zone], separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Drawn:
    """A panel drawn: its content's HTML, the filter hash of the result it shows, and the
    key the page would give the same drawing (None when it has listeners: the page draws
    it again to have them)."""

    html: str
    filter_hash: str
    key: str | None


def parse_layout(cookie: str | None) -> Layout | None:
    """The page's layout cookie, or None when missing or not exactly as the page writes it."""
    if not cookie or len(cookie) > 2_000:
        return None
    try:
        value = orjson.loads(unquote(cookie))
        widths, locale, zone = value["widths"], value["locale"], value["timeZone"]
    except (orjson.JSONDecodeError, TypeError, KeyError):
        return None
    if not (isinstance(widths, dict) and set(widths) == PANEL_TYPES):
        return None
    if not all(type(width) is int and width in _WIDTHS for width in widths.values()):
        return None
    if not (isinstance(locale, str) and _LOCALE.fullmatch(locale) and isinstance(zone, str)):
        return None
    if not _known_zone(zone):
        return None
    return Layout(tuple(sorted(widths.items())), locale, zone)


@cache
def _known_zone(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_IMPORT = re.compile(r'^import \{([^}]*)\} from "\./([\w-]+\.js)";\n', re.MULTILINE)
_EXPORT = re.compile(r"^export (?:async function\*? |function\*? |const |let |class )(\w+)", re.M)


def page_script(static: Path, prerender: Path) -> str:
    """The page's drawing modules as one classic script (V8 here runs scripts, not modules):
    each module's body in a function of its own, imports read from the modules before it."""
    parts = ["const watchcubeModules = {};"]
    loaded: set[str] = set()
    for name in MODULES:
        source = (static / name).read_text(encoding="utf-8")
        head = []
        for names, module in _IMPORT.findall(source):
            if module not in loaded:
                raise ValueError(f"{name} imports {module}, which is not loaded before it")
            bindings = names.replace(" as ", ": ")
            head.append(f"const {{{bindings}}} = watchcubeModules[{json.dumps(module)}];")
        body = _IMPORT.sub("", source)
        exported = _EXPORT.findall(body)
        body, exports = re.subn(r"^export ", "", body, flags=re.MULTILINE)
        if exports != len(exported) or re.search(r"^\s*(import|export)\b", body, re.M):
            raise ValueError(f"{name}: an import or export this loader does not understand")
        parts.append(
            f"watchcubeModules[{json.dumps(name)}] = (() => {{\n"
            + "\n".join(head)
            + f"\n{body}\nreturn {{ {', '.join(exported)} }};\n}})();"
        )
        loaded.add(name)
    parts.append(prerender.read_text(encoding="utf-8"))
    return "\n".join(parts)


class Prerenderer:
    """Draws bundles' panels with the page's renderers in a V8 context of its own.

    One context per process, made on first use (never before a server forks its workers)
    and made again when the page's files change; one drawing at a time. Drawn bundles are
    remembered by bundle ETag and layout, so reloads of an unchanged dashboard cost nothing.
    """

    def __init__(self, web: Path) -> None:
        self.web = web
        self._lock = threading.Lock()
        self._context: Any = None
        self._version: str | None = None
        self._memo: OrderedDict[tuple[str, str], dict[str, Drawn]] = OrderedDict()

    def draw(self, version: str, etag: str, bundle: bytes, layout: Layout) -> dict[str, Drawn]:
        """Every panel of ``bundle`` (its JSON) drawn, by type; ``version`` names the page's
        files (a change draws with the new ones). Raises if the script fails."""
        key = (f"{version} {etag}", layout.key)
        with self._lock:
            drawn = self._memo.get(key)
            if drawn is not None:
                self._memo.move_to_end(key)
                return drawn
            context = self._current(version)
            result = context.call(
                "watchcubePrerender",
                bundle.decode(),
                dict(layout.widths),
                layout.locale,
                layout.time_zone,
            )
            drawn = {
                str(type_): Drawn(str(html), str(filter_hash), None if key is None else str(key))
                for type_, (html, filter_hash, key) in json.loads(result).items()
            }
            self._memo[key] = drawn
            if len(self._memo) > _MEMO_SIZE:
                self._memo.popitem(last=False)
            return drawn

    def _current(self, version: str) -> Any:
        if self._context is None or self._version != version:
            from py_mini_racer import MiniRacer

            if self._context is not None:
                self._context.close()
            context = MiniRacer()
            context.eval(page_script(self.web / "static", self.web / "prerender.js"))
            self._context, self._version = context, version
            self._memo.clear()
        return self._context

    def close(self) -> None:
        with self._lock:
            if self._context is not None:
                self._context.close()
                self._context = None
