"""What Takeout entries are, decided by their links rather than their (localized) verbs.

Both importers reduce each entry to the same raw fields (``ENTRY_SCHEMA``: header, the
sentence with its verb, title link, link text, channel, ad flag, raw time) and hand a frame
of them to ``BatchMaker``, so the JSON and HTML exports of one history are classified by one
set of Polars expressions, a whole batch at a time:

- a ``watch?v=`` or ``/shorts/`` link on youtube.com / m. / music. / youtu.be is a record
  (a private video's title is its URL: the id still comes from the link);
- no link, no channel, and a "watched" verb in a known language (or a language's whole
  removed-video line, for Dutch whose verb sits mid-sentence) is a removed video: a record
  without a video id, titled as shown;
- anything else is skipped and counted by kind: posts, stories, playables, "Visited" ad
  clicks (links off YouTube), survey answers, searches, other.

The verb is needed only where there is no link at all (removed videos, and the labels of
skipped entries), and to strip "Watched " from a JSON title. Video and channel ids are
ASCII (``[A-Za-z0-9_-]``), as YouTube makes them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import polars as pl

from watchcube.ingest.locales import LOCALES
from watchcube.records import MAX_TEXT, MAX_US, MIN_US
from watchcube.store.records import BATCH_SCHEMA

if TYPE_CHECKING:
    from watchcube.ingest import ImportReport
    from watchcube.ingest.topics import Tagger

RECORD: Final = "record"
ENTRY_SCHEMA: Final = pl.Schema(
    {
        "entry": pl.Int64(),  # position in the file, from 1 (named in warnings)
        "header": pl.String(),  # "YouTube", "YouTube Music", ...
        "text": pl.String(),  # the sentence with its verb: JSON title, HTML first line
        "url": pl.String(),  # the title link
        "title": pl.String(),  # the link's text where the format gives it apart (HTML)
        "channel_name": pl.String(),
        "channel_url": pl.String(),
        "is_ad": pl.Boolean(),
        "time": pl.String(),  # as written; parsed only for records
    }
)
_ID = "[A-Za-z0-9_-]"
_YOUTUBE_HOST = r"^https?://(?:(?:www|m|music)\.)?youtube\.com"
_WATCH = rf"{_YOUTUBE_HOST}/watch\?(?:[^#]*?&)?v=({_ID}*)"
_SHORT = rf"{_YOUTUBE_HOST}/shorts/({_ID}+)|^https?://(?:www\.)?youtu\.be/({_ID}+)"
# The common link, whose id is everything after the prefix: read without a regex.
_PLAIN_WATCH = "https://www.youtube.com/watch?v="
_PLAIN_WATCH_ONLY = rf"^{re.escape(_PLAIN_WATCH)}{_ID}*$"
_LINK_KINDS: Final = (
    (rf"{_YOUTUBE_HOST}/post/", "post"),
    (rf"{_YOUTUBE_HOST}/playables/", "playable"),
    (rf"{_YOUTUBE_HOST}/results\?", "search"),
    (rf"{_YOUTUBE_HOST}/(?:.*/)?stor(?:y|ies)\b", "story"),
)
_ANY_YOUTUBE = rf"{_YOUTUBE_HOST}/|^https?://(?:www\.)?youtu\.be/"
_MUSIC_HOST = "://music.youtube.com/"
_CHANNEL_ID = rf"/channel/({_ID}+)"
# Labels for link-less entries that are not watches. They only name what was skipped in the
# import summary; they never decide whether something is a record.
_SKIP_LABELS: Final = (
    (("visited", "a visité", "besucht", "visitaste", "visitou", "bezocht"), "visited"),
    (("answered survey", "a répondu", "umfrage", "encuesta", "pesquisa", "enquête"), "survey"),
    (("searched", "a recherché", "gesucht", "buscaste", "pesquisou", "gezocht"), "search"),
)
_PREFIXES = "|".join(
    sorted({re.escape(loc.watched_prefix) for loc in LOCALES.values() if loc.watched_prefix})
)
_SUFFIXES = "|".join(
    sorted({re.escape(loc.watched_suffix) for loc in LOCALES.values() if loc.watched_suffix})
)
# Whole lines for a removed video, for languages whose verb sits mid-sentence (nl).
_REMOVED_TITLES = sorted({" ".join(loc.removed_title.split()) for loc in LOCALES.values()})
# Whitespace as Python's ``str.split`` and ``re`` see it (Rust's ``\s`` lacks U+001C-U+001F).
SPACE_CHARS: Final = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
_SPACE = "[" + "".join(f"\\x{{{ord(char):x}}}" for char in SPACE_CHARS) + "]"
_VERB_BEFORE = rf"^(?:{_PREFIXES}){_SPACE}+"
_VERB_AFTER = rf"{_SPACE}*(?:{_SUFFIXES})$"

TimeParser = Callable[[str], int]  # raises ValueError naming what is wrong
FastTimes = Callable[[pl.Series], pl.Series]  # Int64 microseconds, null where unsure


def clean_text(texts: pl.Series) -> pl.Series:
    """Each text with every whitespace run (line breaks included) as one space, trimmed, when
    it has a double space, a line break, a no-break space or space at an end (other texts,
    say with ideographic spaces between words, are as written); at most ``MAX_TEXT`` long.
    Only the few texts that need it are rewritten."""
    loose = (
        texts.str.contains_any(["  ", "\n", "\xa0"])
        | texts.str.starts_with(" ")
        | texts.str.ends_with(" ")
    ).fill_null(value=False)
    if loose.any():
        joined = texts.filter(loose).str.replace_all(f"{_SPACE}+", " ").str.strip_chars(" ")
        texts = texts.scatter(loose.arg_true(), joined)
    long = (texts.str.len_bytes() > MAX_TEXT).fill_null(value=False)
    if long.any():
        texts = texts.scatter(long.arg_true(), texts.filter(long).str.slice(0, MAX_TEXT))
    return texts


def strip_watched_verb(text: pl.Expr) -> pl.Expr:
    """The text without a "watched" verb of any known language; null when it has none."""
    after = text.str.replace(_VERB_BEFORE, "")
    before = text.str.replace(_VERB_AFTER, "")
    return (
        pl.when(after.str.len_bytes() < text.str.len_bytes())
        .then(after)
        .when(before.str.len_bytes() < text.str.len_bytes())
        .then(before)
        .str.strip_chars(SPACE_CHARS)
    )


def video_ids(urls: pl.Series) -> pl.Series:
    """The video id of each YouTube video link, "" for a link with an empty id, null for
    anything else. The common plain link is read by slicing; only the others by regex."""
    plain = urls.str.contains(_PLAIN_WATCH_ONLY).fill_null(value=False)
    ids = pl.select(pl.when(plain).then(urls.str.slice(len(_PLAIN_WATCH)))).to_series()
    rest = ~plain & urls.is_not_null()
    if rest.any():
        others = (
            urls.filter(rest)
            .to_frame("url")
            .select(
                pl.coalesce(
                    pl.col("url").str.extract(_WATCH, 1),
                    pl.col("url").str.extract(_SHORT, 1),
                    pl.col("url").str.extract(_SHORT, 2),
                )
            )
        )
        ids = ids.scatter(rest.arg_true(), others.to_series())
    return ids


def link_kind(url: pl.Expr) -> pl.Expr:
    """What a non-video link points at: post, playable, search, story, visited or other."""
    kinds = [pl.when(~url.str.contains(_ANY_YOUTUBE)).then(pl.lit("visited"))]
    kinds += [
        pl.when(url.str.contains(pattern)).then(pl.lit(name)) for pattern, name in _LINK_KINDS
    ]
    return pl.coalesce(*kinds, pl.lit("other"))


def _skip_label(text: pl.Expr) -> pl.Expr:
    lowered = text.str.to_lowercase()
    kinds = [
        pl.when(lowered.str.contains_any(list(words))).then(pl.lit(name))
        for words, name in _SKIP_LABELS
    ]
    return pl.coalesce(*kinds, pl.lit("other"))


def _present(column: str) -> pl.Expr:
    return pl.col(column).is_not_null() & (pl.col(column) != "")


def classify(entries: pl.DataFrame) -> pl.DataFrame:
    """The entries with ``kind`` (``RECORD`` or the skipped kind) and ``video_id`` (null for
    a removed or private video). Links decide; the rest is looked at only without one."""
    ids = video_ids(entries["url"].replace("", None))
    linked = ids.is_not_null()
    kinds = pl.Series([RECORD] * len(ids), dtype=pl.String)
    if not linked.all():
        unlinked = entries.filter(~linked)
        text = pl.lit(clean_text(unlinked["text"]))  # HTML text may be broken over lines
        verb = text.is_in(_REMOVED_TITLES) | strip_watched_verb(text).is_not_null()
        other = unlinked.select(
            pl.when(_present("url"))
            .then(link_kind(pl.col("url")))
            .when(_present("channel_url"))
            .then(pl.lit("story"))
            .when(verb)
            .then(pl.lit(RECORD))
            .otherwise(_skip_label(text))
        )
        kinds = kinds.scatter((~linked).arg_true(), other.to_series())
    return entries.with_columns(kind=kinds, video_id=ids.replace("", None))


def _titles(found: pl.DataFrame) -> pl.Series:
    """The title of each record: the link text (HTML), else the sentence without its verb,
    else the sentence; the link itself when that leaves nothing."""
    text = pl.col("text")
    without_verb = strip_watched_verb(text).replace("", None)
    shown = found.select(
        pl.when(~_present("url")).then(text).otherwise(pl.coalesce("title", without_verb, text))
    )
    cleaned = clean_text(shown.to_series())
    titled = pl.when(cleaned != "").then(cleaned).otherwise(pl.col("url").fill_null(""))
    return found.select(titled).to_series()


def _channel_ids(urls: pl.Series) -> pl.Series:
    """The channel id in each channel link; a history repeats a few thousand channels, so
    each distinct link is read once."""
    distinct = urls.drop_nulls().unique()
    found = distinct.str.extract(_CHANNEL_ID, 1)
    return urls.replace_strict(distinct, found, default=None, return_dtype=pl.String)


class BatchMaker:
    """Turns frames of one file's entries into record batches, tallying in the report what
    it skips and warning (with the entry's position) about what it cannot read.

    ``parse_time`` reads one raw time (ValueError with the reason); ``fast_times``, when
    given, reads a whole column at once and leaves null what ``parse_time`` must decide.
    """

    def __init__(
        self,
        report: ImportReport,
        tagger: Tagger,
        parse_time: TimeParser,
        fast_times: FastTimes | None = None,
    ) -> None:
        self.report = report
        self.tagger = tagger
        self.parse_time = parse_time
        self.fast_times = fast_times

    def make(
        self, entries: pl.DataFrame, problems: list[tuple[int, str]] | None = None
    ) -> pl.DataFrame | None:
        """The records of ``entries`` (``ENTRY_SCHEMA``) as a batch (``BATCH_SCHEMA``), or None.

        ``problems`` are (entry, message) of malformed entries the reader dropped; they are
        warned in file order together with this batch's own.
        """
        warnings = list(problems or ())
        classified = classify(entries)
        kinds = classified["kind"]
        skipped = kinds.filter(kinds != RECORD)
        if len(skipped):
            self.report.skipped.update(dict(skipped.value_counts().iter_rows()))
        found = classified.filter(pl.col("kind") == RECORD)
        at = self._times(found, warnings)
        in_range = at.is_between(MIN_US, MAX_US, closed="left")
        late = found.filter(at.is_not_null() & ~in_range)
        for entry, time in late.select("entry", "time").rows():
            warnings.append((entry, f"entry {entry}: time {time!r} is outside 2005..2099"))
        for _, message in sorted(warnings, key=lambda problem: problem[0]):
            self.report.warn(message)
        found = found.with_columns(watched_at_us=at).filter(in_range.fill_null(value=False))
        if found.is_empty():
            return None
        shown = ~pl.col("is_ad") & _present("channel_url")
        music = (pl.col("header") == "YouTube Music") | pl.col("url").str.contains(
            _MUSIC_HOST, literal=True
        ).fill_null(value=False)
        batch = found.select(
            "watched_at_us",
            "video_id",
            _titles(found).alias("title"),
            pl.when(shown).then(_channel_ids(found["channel_url"])).alias("channel_id"),
            pl.when(shown)
            .then(clean_text(found["channel_name"].fill_null("")).replace("", None))
            .alias("channel_name"),
            pl.when(music)
            .then(pl.lit("youtube_music"))
            .otherwise(pl.lit("youtube"))
            .alias("product"),
            "is_ad",
            pl.lit(None, dtype=pl.Float64).alias("duration_s"),
        )
        topics = self.tagger.tag_many(batch["title"], batch["channel_name"])
        batch = batch.with_columns(topics=topics).select(BATCH_SCHEMA.names())
        self.report.add_batch(batch)
        return batch

    def _times(self, found: pl.DataFrame, warnings: list[tuple[int, str]]) -> pl.Series:
        """Instants of the records; null (and a warning) where the time is unreadable."""
        times = found["time"]
        at = (
            self.fast_times(times)
            if self.fast_times is not None
            else pl.Series(values=[None] * len(times), dtype=pl.Int64)
        )
        unsure = at.is_null()
        if not unsure.any():
            return at
        slow: list[int | None] = []
        for entry, time in found.filter(unsure).select("entry", "time").rows():
            try:
                slow.append(self.parse_time(time))
            except ValueError as exc:
                warnings.append((entry, f"entry {entry}: {exc}"))
                slow.append(None)
        return at.scatter(unsure.arg_true(), pl.Series(slow, dtype=pl.Int64))


def count_kinds(entries: pl.DataFrame) -> Counter[str]:
    """How many entries of each kind (``RECORD`` or skipped) a few entries hold."""
    return Counter(dict(classify(entries)["kind"].value_counts().iter_rows()))
