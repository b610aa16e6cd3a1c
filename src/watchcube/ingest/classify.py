"""What a Takeout entry is, decided by its link rather than its (localized) verb.

Both importers reduce an entry to the same few fields (header, text, title link, channel,
ad flag, raw time) and hand them to ``RecordMaker``, so JSON and HTML exports of one history
are classified by one piece of code:

- a ``watch?v=`` or ``/shorts/`` link on youtube.com / m. / music. / youtu.be is a record
  (a private video's title is its URL: the id still comes from the link);
- no link, no channel, and a "watched" verb in a known language (or a language's whole
  removed-video line, for Dutch whose verb sits mid-sentence) is a removed video: a record
  without a video id, titled as shown;
- anything else is skipped and counted by kind: posts, stories, playables, "Visited" ad
  clicks (links off YouTube), survey answers, searches, other.

The verb is needed only where there is no link at all (removed videos, and the labels of
skipped entries), and to strip "Watched " from a JSON title.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from watchcube.ingest.locales import LOCALES
from watchcube.records import MAX_TEXT, MAX_US, MIN_US, Record

if TYPE_CHECKING:
    from watchcube.ingest import ImportReport
    from watchcube.ingest.topics import Tagger

RECORD: Final = "record"
_YOUTUBE_HOST = r"https?://(?:(?:www|m|music)\.)?youtube\.com"
_VIDEO = re.compile(
    rf"{_YOUTUBE_HOST}/(?:watch\?(?:[^#]*?&)?v=(?P<v>[\w-]*)|shorts/(?P<s>[\w-]+))"
    r"|https?://(?:www\.)?youtu\.be/(?P<b>[\w-]+)"
)
_YOUTUBE_KINDS: Final = (
    (re.compile(rf"{_YOUTUBE_HOST}/post/"), "post"),
    (re.compile(rf"{_YOUTUBE_HOST}/playables/"), "playable"),
    (re.compile(rf"{_YOUTUBE_HOST}/results\?"), "search"),
    (re.compile(rf"{_YOUTUBE_HOST}/(?:.*/)?stor(?:y|ies)\b"), "story"),
)
_ANY_YOUTUBE = re.compile(rf"{_YOUTUBE_HOST}/|https?://(?:www\.)?youtu\.be/")
_MUSIC_HOST = "://music.youtube.com/"
_CHANNEL_ID = re.compile(r"/channel/([\w-]+)")
_MAX_CHANNELS: Final = 100_000  # channel cache bound (real histories have a few thousand)
_Channel = tuple[str | None, str | None]
# Labels for link-less entries that are not watches. They only name what was skipped in the
# import summary; they never decide whether something is a record.
_SKIP_LABELS: Final = (
    (("visited", "a visité", "besucht", "visitaste", "visitou", "bezocht"), "visited"),
    (("answered survey", "a répondu", "umfrage", "encuesta", "pesquisa", "enquête"), "survey"),
    (("searched", "a recherché", "gesucht", "buscaste", "pesquisou", "gezocht"), "search"),
)
_PREFIXES = sorted(
    {re.escape(loc.watched_prefix) for loc in LOCALES.values() if loc.watched_prefix}
)
_SUFFIXES = sorted(
    {re.escape(loc.watched_suffix) for loc in LOCALES.values() if loc.watched_suffix}
)
# Whole lines for a removed video, for languages whose verb sits mid-sentence (nl).
_REMOVED_TITLES = frozenset(" ".join(loc.removed_title.split()) for loc in LOCALES.values())
_VERB = re.compile(
    rf"(?:{'|'.join(_PREFIXES)})\s+(?P<after>.*)|(?P<before>.*?)\s*(?:{'|'.join(_SUFFIXES)})",
    re.DOTALL,
)


def video_id(url: str) -> str | None:
    """The video id of a YouTube video link, "" for a link with an empty id, None otherwise."""
    match = _VIDEO.match(url)
    if match is None:
        return None
    return match.group("v") if match.group("v") is not None else match.group("s") or match["b"]


def link_kind(url: str) -> str:
    """What a non-video link points at: post, playable, search, story, visited or other."""
    if not _ANY_YOUTUBE.match(url):
        return "visited"
    return next((kind for pattern, kind in _YOUTUBE_KINDS if pattern.match(url)), "other")


def strip_watched_verb(text: str) -> str | None:
    """The text without a "watched" verb of any known language; None when it has none."""
    match = _VERB.fullmatch(text)
    if match is None:
        return None
    after = match["after"]
    return (after if after is not None else match["before"]).strip()


def classify(url: str | None, text: str, channel_url: str | None) -> tuple[str, str | None]:
    """(kind, video id) of an entry: kind ``RECORD`` for watches (a removed or private video
    has no id), else the skipped kind: post, story, playable, visited, survey, search, other."""
    if url:
        video = video_id(url)
        return (RECORD, video or None) if video is not None else (link_kind(url), None)
    if channel_url:
        return "story", None
    if text in _REMOVED_TITLES or strip_watched_verb(text) is not None:
        return RECORD, None
    return _skip_label(text), None


def _skip_label(text: str) -> str:
    lowered = text.casefold()
    return next(
        (kind for words, kind in _SKIP_LABELS if any(word in lowered for word in words)),
        "other",
    )


def clean_text(text: str) -> str:
    """The text with every whitespace run (line breaks included) as one space, trimmed."""
    if "  " in text or "\n" in text or "\xa0" in text or text[:1] == " " or text[-1:] == " ":
        text = " ".join(text.split())
    return text[:MAX_TEXT]


class RecordMaker:
    """Turns the entries of one file into records, tallying what it skips in the report."""

    def __init__(self, report: ImportReport, tagger: Tagger, parse_time: Callable[[str], int]):
        self.report = report
        self.tagger = tagger
        self.parse_time = parse_time
        # (name, url) as written -> (clean name, id): a history repeats a few thousand channels
        self._channels: dict[tuple[str | None, str], _Channel] = {}

    def make(
        self,
        position: int,
        header: str,
        text: str,
        url: str | None,
        title: str | None,
        channel_name: str | None,
        channel_url: str | None,
        is_ad: bool,
        time: str,
    ) -> Record | None:
        """One entry's record, or None (skipped and counted, or malformed and warned).

        ``text`` is the entry's sentence with its verb (a JSON ``title``, an HTML first line);
        ``title`` is the video title when the format gives it apart (HTML link text).
        """
        kind, video = classify(url, text, channel_url)
        if kind != RECORD:
            self.report.skipped[kind] += 1
            return None
        if not url:
            title = text
        elif title is None:
            title = strip_watched_verb(text) or text
        try:
            at = self.parse_time(time)
        except ValueError as exc:
            self.report.warn(f"entry {position}: {exc}")
            return None
        if not MIN_US <= at < MAX_US:
            self.report.warn(f"entry {position}: time {time!r} is outside 2005..2099")
            return None
        title = clean_text(title) or (url or "")
        name, channel_id = (
            (None, None) if is_ad or not channel_url else self._channel(channel_name, channel_url)
        )
        music = header == "YouTube Music" or (url is not None and _MUSIC_HOST in url)
        return self.report.add(
            Record(
                watched_at_us=at,
                title=title,
                video_id=video,
                channel_id=channel_id,
                channel_name=name,
                product="youtube_music" if music else "youtube",
                topics=self.tagger.tag(title, name),
                is_ad=is_ad,
            )
        )

    def _channel(self, name: str | None, url: str) -> _Channel:
        known = self._channels.get((name, url))
        if known is None:
            if len(self._channels) >= _MAX_CHANNELS:
                self._channels.clear()
            match = _CHANNEL_ID.search(url)
            known = (clean_text(name or "") or None, match.group(1) if match else None)
            self._channels[name, url] = known
        return known
