"""A whole Takeout zip: find the watch history by content, read it without extracting.

Folder and file names are localized ("YouTube and YouTube Music/history/watch-history.json",
"YouTube y YouTube Music/historial/historial-de-reproducciones.html", ...), so each JSON and
HTML member's first entries are classified instead: the watch history is the member whose
head holds watch entries (search history, comments, subscriptions hold none). When both the
JSON and the HTML history are present the JSON wins: it keeps milliseconds.

Safety: an archive is refused (``UnsafeArchive``) when a member name is absolute or climbs out
with ``..``, when the declared uncompressed total exceeds the limit, or when a large member
compresses better than ``defaults.ZIP_MAX_RATIO``; the limit is enforced again while reading,
since declared sizes can lie.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Final

from watchcube import defaults
from watchcube.errors import NoWatchHistory, UnreadableFile, UnsafeArchive
from watchcube.ingest import takeout_html, takeout_json
from watchcube.ingest.classify import RECORD

HEAD_BYTES: Final = 512 * 1024  # past the ~200 kB of CSS atop an HTML export, to its entries
# Members smaller than this are not held to the compression ratio: tiny files of repeated
# characters compress absurdly well without being a threat.
RATIO_MIN_BYTES: Final = 1024 * 1024
_DRIVE_OR_ROOT = re.compile(r"/|[A-Za-z]:")
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError)


@dataclass(frozen=True, slots=True)
class Selection:
    """The member holding the watch history, and its format."""

    member: str
    format: str  # "takeout-json" | "takeout-html"


def select(path: Path, source: str, max_bytes: int) -> Selection:
    """Check the archive and pick its watch history (``NoWatchHistory`` if it has none)."""
    with _open_zip(path, source) as archive:
        infos = archive.infolist()
        check_safety(infos, source, max_bytes)
        best: tuple[bool, float, int, Selection] | None = None
        seen: list[str] = []
        for info in infos:
            fmt, kinds = _sniff_member(archive, info, source)
            if fmt is None:
                continue
            total = sum(kinds.values())
            if kinds[RECORD]:
                key = (fmt == "takeout-json", kinds[RECORD] / total, info.file_size)
                if best is None or key > best[:3]:
                    best = (*key, Selection(info.filename, fmt))
            elif total:
                seen.append(f"{info.filename} ({', '.join(sorted(kinds))})")
    if best is None:
        found = f"; found {'; '.join(seen)}" if seen else ""
        raise NoWatchHistory(f"{source}: no watch history in the archive{found}")
    return best[3]


def check_safety(infos: list[zipfile.ZipInfo], source: str, max_bytes: int) -> None:
    """Refuse zip-slip names, a declared total past ``max_bytes`` and zip-bomb ratios."""
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        if _DRIVE_OR_ROOT.match(name) or ".." in PurePosixPath(name).parts:
            raise UnsafeArchive(f"{source}: member {info.filename!r} points outside the archive")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > defaults.ZIP_MAX_RATIO:
            raise UnsafeArchive(
                f"{source}: member {info.filename!r} expands {ratio:.0f} times"
                f" (more than {defaults.ZIP_MAX_RATIO}): refusing a possible zip bomb"
            )
        total += info.file_size
    if total > max_bytes:
        raise UnsafeArchive(
            f"{source}: expands to {total} bytes, more than the limit of {max_bytes}"
        )


def _sniff_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str
) -> tuple[str | None, Counter[str]]:
    if info.is_dir() or not info.filename.lower().endswith((".json", ".html", ".htm")):
        return None, Counter()
    try:
        with archive.open(info) as member:
            head = member.read(HEAD_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff ")
    except _DAMAGED as exc:
        raise UnreadableFile(f"{source}: member {info.filename!r} is damaged ({exc})") from None
    if head.lstrip().startswith("["):
        return "takeout-json", takeout_json.head_kinds(head)
    if takeout_html.CELL_MARKER in head:
        return "takeout-html", takeout_html.head_kinds(head)
    return None, Counter()


def _open_zip(path: Path, source: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(f"{source}: not a readable zip archive ({exc})") from None


class MemberReader:
    """A binary stream of one member that stops at the limit whatever the header declared."""

    def __init__(self, path: Path, selection: Selection, source: str, max_bytes: int) -> None:
        self.archive = _open_zip(path, source)
        info = self.archive.getinfo(selection.member)
        self.member: IO[bytes] = self.archive.open(info)
        self.limit = min(max_bytes, info.file_size)
        self.read_bytes = 0
        self.source = source

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes; ``UnsafeArchive`` past the limit, ``UnreadableFile`` if damaged."""
        try:
            data = self.member.read(size)
        except _DAMAGED as exc:
            raise UnreadableFile(f"{self.source}: damaged archive member ({exc})") from None
        self.read_bytes += len(data)
        if self.read_bytes > self.limit:
            raise UnsafeArchive(
                f"{self.source}: expands past {self.limit} bytes while reading: refusing it"
            )
        return data

    def __enter__(self) -> MemberReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.member.close()
        self.archive.close()
