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
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import polars as pl

from watchcube.ingest.locales import LOCALES
from watchcube.records import BATCH_SCHEMA, MAX_TEXT, MAX_US, MIN_US

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
# The common links, whose id is everything after the prefix: read without a regex.
_PLAIN_WATCH = "https://www.youtube.com/watch?v="
_PLAIN_MUSIC = "https://music.youtube.com/watch?v="
_PLAIN_WATCH_ONLY = rf"^https://(?:www|music)\.youtube\.com/watch\?v={_ID}*$"
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
    (("visited", "a visité", "besucht", "visitaste", "visitado", "visitou", "bezocht"), "visited"),
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

# Per-batch expressions, built once (building one costs more than running it on a few rows;
# and one query of several costs less than several queries).
_TEXT: Final = pl.col("text")
_URL: Final = pl.col("url")
_LOOSE: Final = (
    _TEXT.str.contains_any(["  ", "\n", "\xa0"])
    | _TEXT.str.starts_with(" ")
    | _TEXT.str.ends_with(" ")
).fill_null(value=False)
_LONG: Final = (_TEXT.str.len_bytes() > MAX_TEXT).fill_null(value=False)
# The common plain links' ids: what follows either prefix (an id has no ":" or "/")
_PLAIN_ID: Final = pl.when(_URL.str.contains(_PLAIN_WATCH_ONLY)).then(
    _URL.str.strip_prefix(_PLAIN_WATCH).str.strip_prefix(_PLAIN_MUSIC)
)
_OTHER_ID: Final = pl.coalesce(
    _URL.str.extract(_WATCH, 1), _URL.str.extract(_SHORT, 1), _URL.str.extract(_SHORT, 2)
)

# What a lenient JSON reader (Polars) makes of a number or boolean where a string belongs;
# it reads a lone surrogate as NUL.
LENIENT: Final = r"^(?:-?[0-9][0-9.eE+-]*|true|false)$"

TimeParser = Callable[[str], int]  # raises ValueError naming what is wrong
FastTimes = Callable[[pl.Series], pl.Series]  # Int64 microseconds, null where unsure


def clean_text(texts: pl.Series) -> pl.Series:
    """Each text with every whitespace run (line breaks included) as one space, trimmed, when
    it has a double space, a line break, a no-break space or space at an end (other texts,
    say with ideographic spaces between words, are as written); at most ``MAX_TEXT`` long.
    Only the few texts that need it are rewritten."""
    found = texts.to_frame("text").select(loose=_LOOSE, long=_LONG)
    loose, long = found["loose"], found["long"]
    if loose.any():
        joined = texts.filter(loose).str.replace_all(f"{_SPACE}+", " ").str.strip_chars(" ")
        texts = texts.scatter(loose.arg_true(), joined)
        if long.any():  # (cleaning never lengthens a text)
            long = (texts.str.len_bytes() > MAX_TEXT).fill_null(value=False)
    if long.any():
        texts = texts.scatter(long.arg_true(), texts.filter(long).str.slice(0, MAX_TEXT))
    return texts


def lenient(text: pl.Expr) -> pl.Expr:
    """Whether any of the texts may be a lenient JSON reader's reading of a value that is
    not a string (``LENIENT``, or a NUL)."""
    return (text.str.contains(LENIENT) | text.str.contains("\x00", literal=True)).any()


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
    anything else. The common plain link is read by stripping its prefix; only the others by
    regex."""
    ids = urls.to_frame("url").select(_PLAIN_ID).to_series()
    rest = ids.is_null() & urls.is_not_null()
    if rest.any():
        others = urls.filter(rest).to_frame("url").select(_OTHER_ID)
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


_UNLINKED_KIND: Final = (
    pl.when(_present("url"))
    .then(link_kind(_URL))
    .when(_present("channel_url"))
    .then(pl.lit("story"))
    .when(_TEXT.is_in(_REMOVED_TITLES) | strip_watched_verb(_TEXT).is_not_null())
    .then(pl.lit(RECORD))
    .otherwise(_skip_label(_TEXT))
)
_WITHOUT_VERB: Final = pl.coalesce(strip_watched_verb(_TEXT).replace("", None), _TEXT)
_SHOWN: Final = (~pl.col("is_ad") & _present("channel_url")).fill_null(value=False)
_PRODUCT: Final = (
    pl.when(
        (pl.col("header") == "YouTube Music")
        | _URL.str.contains(_MUSIC_HOST, literal=True).fill_null(value=False)
    )
    .then(pl.lit("youtube_music"))
    .otherwise(pl.lit("youtube"))
    .alias("product")
)
_NO_DURATION: Final = pl.lit(None, dtype=pl.Float64).alias("duration_s")
# Records titled by their sentence without its verb (a link and no link text: JSON), and
# the others' text as shown (the link text, or the sentence of a record without a link).
_BY_VERB: Final = (_present("url") & pl.col("title").is_null()).fill_null(value=False)
_SHOWN_TITLE: Final = (
    pl.when(~_present("url").fill_null(value=False)).then(_TEXT).otherwise("title")
)


def classify(entries: pl.DataFrame) -> pl.DataFrame:
    """The entries with ``kind`` (``RECORD`` or the skipped kind) and ``video_id`` (null for
    a removed or private video). Links decide; the rest is looked at only without one."""
    ids, kinds = _kinds(entries)
    if kinds is None:
        kinds = pl.repeat(RECORD, len(ids), dtype=pl.String, eager=True)
    return entries.with_columns(kind=kinds, video_id=ids.replace("", None))


def _kinds(entries: pl.DataFrame) -> tuple[pl.Series, pl.Series | None]:
    """The video id of each entry ("" for a link with an empty id) and its kind; None for
    the kinds when every entry is a record with a video link (the common case)."""
    ids = video_ids(entries["url"].replace("", None))
    linked = ids.is_not_null()
    if linked.all():
        return ids, None
    kinds = pl.repeat(RECORD, len(ids), dtype=pl.String, eager=True)
    unlinked = entries.filter(~linked)
    texts = clean_text(unlinked["text"])  # HTML text may be broken over lines
    other = unlinked.with_columns(text=texts).select(_UNLINKED_KIND)
    kinds = kinds.scatter((~linked).arg_true(), other.to_series())
    return ids, kinds


def prepare(entries: pl.DataFrame, fast_times: FastTimes | None = None) -> pl.DataFrame:
    """The entries with what ``BatchMaker.make`` works out row by row and without state, so
    that a reader may do it in another thread: ``video_id``, ``kind`` (null throughout when
    every entry is a record with a video link) and ``fast_us`` (the instants ``fast_times``
    reads, null elsewhere)."""
    ids, kinds = _kinds(entries)
    return entries.with_columns(
        video_id=ids.replace("", None),
        kind=pl.lit(None, dtype=pl.String) if kinds is None else kinds,
        fast_us=(
            pl.lit(None, dtype=pl.Int64) if fast_times is None else fast_times(entries["time"])
        ),
    )


class _Memo:
    """Values computed once per distinct string of one import, however often it recurs.

    A string's code in a private ``pl.Categories`` (the next free code when first seen) is
    its row in ``values``: looking a batch up costs one dictionary encoding and a gather, and
    only strings never seen before are computed. The threads that look strings up at once
    (the JSON reader works two batches out at a time) take turns to encode them and to claim
    the codes never seen before, so that no string is computed twice; each computes what it
    claimed while the others go on, waits only for codes another thread is still computing,
    and gathers apart. The categories live as long as a series uses them (``_pin``, which
    holds "", code 0): they are freed with the memo. Should they ever start afresh anyway
    (Polars calls them unstable), "" gets another code, which is noticed, and the memo starts
    afresh too.
    """

    def __init__(self, compute: Callable[[pl.Series], pl.DataFrame]) -> None:
        self._compute = compute  # distinct strings -> their values, a row each
        self._changed = threading.Condition()  # guards what follows; told of new values
        self._start()

    def _start(self) -> None:
        self._categories = pl.Categories.random()
        self._pin = pl.Series([""], dtype=pl.String).cast(pl.Categorical(self._categories))
        self._values: pl.DataFrame | None = None  # those of "" (code 0) and on, in code order
        self._claimed = 0  # codes below this are computed, or being computed by a thread
        self._arrived: dict[int, pl.DataFrame] = {}  # computed after a gap, by first code
        self._failed = False  # a thread could not compute what it claimed

    def _codes(self, strings: pl.Series) -> pl.Series:
        return strings.cast(pl.Categorical(self._categories)).to_physical()

    def _intact(self) -> bool:
        return bool(self._codes(pl.Series([""], dtype=pl.String))[0] == 0)

    def _height(self) -> int:
        return 0 if self._values is None else self._values.height

    def lookup(self, strings: pl.Series) -> pl.DataFrame:
        """The values of each string, a row each (nulls for a null string)."""
        with self._changed:
            codes = self._codes(strings)
            if not self._intact():
                if self._claimed > self._height():
                    raise RuntimeError("Polars categories started afresh mid-computation")
                self._start()
                codes = self._codes(strings)
                if not self._intact():
                    raise RuntimeError("Polars categories no longer keep their codes")
            top = codes.max()
            needed = 1 + (0 if top is None else int(top))  # type: ignore[arg-type]
            first, new = self._claim(codes, strings, needed)
        if new is not None:
            try:
                computed = self._compute(new)
            except BaseException:
                with self._changed:
                    self._failed = True
                    self._changed.notify_all()
                raise
        with self._changed:
            if new is not None:
                self._arrived[first] = computed
                self._absorb()
                self._changed.notify_all()
            while self._height() < needed:
                if self._failed:
                    raise RuntimeError("another thread failed to compute the memo's values")
                self._changed.wait()
            values = self._values
        assert values is not None  # (code 0 at least)
        return values.select(pl.all().gather(codes))

    def _claim(
        self, codes: pl.Series, strings: pl.Series, needed: int
    ) -> tuple[int, pl.Series | None]:
        """The first new code of ``strings`` and their strings never seen before, each once
        in code order ("" first, in the memo's first batch); None when all were seen.
        ``needed`` is one past their highest code."""
        claimed = self._claimed
        if claimed and needed <= claimed:
            return claimed, None
        # A few Series operations: a query costs more than they do on a batch's rows.
        fresh = codes >= max(claimed, 1)
        new_codes = codes.filter(fresh)
        once = new_codes.is_first_distinct()
        new_codes = new_codes.filter(once)
        order = new_codes.arg_sort()
        new_codes, new_strings = (
            new_codes.gather(order),
            strings.filter(fresh).filter(once).gather(order),
        )
        if not claimed:  # the first strings: "" (code 0) with them
            new_codes = pl.concat([pl.Series([0], dtype=new_codes.dtype), new_codes])
            new_strings = pl.concat([pl.Series([""], dtype=pl.String), new_strings])
        # Encoded under the lock, every code past those claimed is one of this batch's.
        if new_codes[0] != claimed or new_codes[-1] != claimed + len(new_codes) - 1:
            raise RuntimeError("Polars categories gave codes out of order")
        self._claimed = claimed + len(new_codes)
        return claimed, new_strings

    def _absorb(self) -> None:
        """Append the values that arrived, as far as they follow on without a gap."""
        while (part := self._arrived.pop(self._height(), None)) is not None:
            self._values = part if self._values is None else self._values.vstack(part)
        if self._values is not None and self._values.n_chunks() > 8:
            self._values = self._values.rechunk()


@dataclass(frozen=True)
class Made:
    """A batch worked out by ``BatchMaker.work`` (in any thread), not yet in the report;
    entries are numbered from the start of what was worked out."""

    batch: pl.DataFrame | None  # the records (BATCH_SCHEMA), None without any
    entries: int  # entries worked out: records, skipped and malformed
    skipped: dict[str, int]  # skipped entries by kind
    problems: list[tuple[int, str]]  # (entry, what is wrong with it), in file order


class BatchMaker:
    """Turns frames of one file's entries into record batches, tallying in the report what
    it skips and warning (with the entry's position) about what it cannot read.

    ``parse_time`` reads one raw time (ValueError with the reason); ``fast_times``, when
    given, reads a whole column at once and leaves null what ``parse_time`` must decide.

    Titles, channels and topics are worked out once per distinct text of the file (memos
    kept for the maker's life, one import): a history repeats its titles and channels.
    ``make`` is ``work`` (the batch; any thread, several at once) then ``commit`` (the
    report; one thread, in file order).

    ``doubted`` turns true once a record's text, or the channel it is shown with, is found
    to be ``lenient`` (looked at once per distinct text, as the memos work it out): until
    then, a reader that parses leniently need not look at the texts of records.
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
        self._words = tagger.bit_names
        self.doubted = False
        # JSON text without its verb / a text as shown, cleaned: the title and its topics
        self._verb_titles = self._memo(lambda texts: self._titled(_without_verb(texts)))
        self._shown_titles = self._memo(self._titled)
        self._channel_names = self._memo(self._named)
        self._channel_ids = self._memo(
            lambda urls: urls.str.extract(_CHANNEL_ID, 1).alias("channel_id").to_frame()
        )

    def _memo(self, compute: Callable[[pl.Series], pl.DataFrame]) -> _Memo:
        """A memo of ``compute`` that also looks at each new text for ``doubted``."""

        def computed(texts: pl.Series) -> pl.DataFrame:
            if texts.to_frame("text").select(lenient(pl.col("text"))).item():
                self.doubted = True
            return compute(texts)

        return _Memo(computed)

    def _titled(self, texts: pl.Series) -> pl.DataFrame:
        """``title`` (the texts, cleaned) and its topics' bit set."""
        cleaned = clean_text(texts).alias("title")
        return self.tagger.bit_sets(cleaned).insert_column(0, cleaned)

    def _named(self, names: pl.Series) -> pl.DataFrame:
        """``channel_name`` (cleaned, null if nothing is left) and its topics' bit set."""
        cleaned = clean_text(names.fill_null("")).replace("", None).alias("channel_name")
        return self.tagger.bit_sets(cleaned).insert_column(0, cleaned)

    def make(
        self, entries: pl.DataFrame, problems: Iterable[tuple[int, str]] = ()
    ) -> pl.DataFrame | None:
        """The records of ``entries`` (``ENTRY_SCHEMA``, perhaps ``prepare``-d already) as a
        batch (``BATCH_SCHEMA``), or None; tallied in the report.

        ``problems`` are (entry, what is wrong) of malformed entries the reader dropped; they
        are warned in file order together with this batch's own.
        """
        return self.commit(self.work(entries, problems))

    def work(self, entries: pl.DataFrame, problems: Iterable[tuple[int, str]] = ()) -> Made:
        """``make`` without the report, so that any thread may do it (``commit`` tallies
        the result). ``problems`` are (entry, what is wrong) of entries the reader dropped."""
        warnings = list(problems)
        count = entries.height + len(warnings)
        found = entries if "fast_us" in entries.columns else prepare(entries, self.fast_times)
        skipped: dict[str, int] = {}
        kinds = found["kind"]
        if kinds.null_count() < len(kinds):
            record = kinds == RECORD
            skipped = dict(kinds.filter(~record).value_counts().iter_rows())
            if skipped:
                found = found.filter(record)
        at = self._times(found, warnings)
        in_range = at.is_between(MIN_US, MAX_US, closed="left")
        late = found.filter(at.is_not_null() & ~in_range)
        for entry, time in late.select("entry", "time").rows():
            warnings.append((entry, f"time {time!r} is outside 2005..2099"))
        warnings.sort(key=lambda problem: problem[0])
        found = found.with_columns(watched_at_us=at)
        keep = in_range.fill_null(value=False)
        if not keep.all():
            found = found.filter(keep)
        batch = None if found.is_empty() else self._records(found)
        return Made(batch, count, skipped, warnings)

    def commit(self, made: Made, *, after: int = 0) -> pl.DataFrame | None:
        """Tally a batch ``work`` made of the entries that follow the first ``after``, and
        warn its problems (in file order already), each naming its entry."""
        self.report.skipped.update(made.skipped)
        for entry, problem in made.problems:
            self.report.warn(f"entry {after + entry}: {problem}")
        if made.batch is not None:
            self.report.add_batch(made.batch)
        return made.batch

    def _records(self, found: pl.DataFrame) -> pl.DataFrame:
        """The batch of records ``found`` (classified, timed)."""
        words = self._words
        titles = self._titles(found)
        shown = found.select(_SHOWN).to_series()
        every = bool(shown.all())
        raw_names = found["channel_name"] if every else found["channel_name"].filter(shown)
        urls = found["channel_url"] if every else found["channel_url"].filter(shown)
        names, ids = self._channel_names.lookup(raw_names), self._channel_ids.lookup(urls)
        title_bits = titles.select(words)
        if every:
            channel_name, channel_id = names["channel_name"], ids["channel_id"]
            channel_bits = names.select(words)
        else:
            at = shown.arg_true()  # (scatter writes into the series it is called on)
            channel_name = _nulls(found.height).scatter(at, names["channel_name"])
            channel_id = _nulls(found.height).scatter(at, ids["channel_id"])
            channel_bits = pl.DataFrame(
                [
                    _zeros(found.height).scatter(at, names[word].fill_null(0)).alias(word)
                    for word in words
                ]
            )
        bits = pl.DataFrame(
            [title_bits[word].fill_null(0) | channel_bits[word].fill_null(0) for word in words]
        )
        return found.select(
            "watched_at_us",
            "video_id",
            titles["title"],
            channel_id.alias("channel_id"),
            channel_name.alias("channel_name"),
            _PRODUCT,
            self.tagger.spell(bits).alias("topics"),
            "is_ad",
            _NO_DURATION,
        ).select(BATCH_SCHEMA.names())

    def _titles(self, found: pl.DataFrame) -> pl.DataFrame:
        """``title`` of each record and its topics' bit set, each distinct text worked out
        once: the link text (HTML), else the sentence without its verb, else the sentence;
        the link itself when that leaves nothing."""
        by_verb = found.select(_BY_VERB).to_series()
        if by_verb.all():  # JSON, mostly: every record has its link and no link text
            return self._linked_if_empty(found, self._verb_titles.lookup(found["text"]))
        shown = found.select(_SHOWN_TITLE).to_series()  # null where titled by the verb
        # Each memo looks up its rows; the majority's memo looks up every row (fewer copies),
        # and the minority's values are written over it.
        if 2 * by_verb.sum() >= len(by_verb):
            most = self._verb_titles.lookup(found["text"])
            at, rest = (~by_verb).arg_true(), self._shown_titles.lookup(shown.filter(~by_verb))
        else:
            most = self._shown_titles.lookup(shown)
            at, rest = by_verb.arg_true(), self._verb_titles.lookup(found["text"].filter(by_verb))
        cleaned = pl.DataFrame([most[name].scatter(at, rest[name]) for name in most.columns])
        return self._linked_if_empty(found, cleaned)

    def _linked_if_empty(self, found: pl.DataFrame, cleaned: pl.DataFrame) -> pl.DataFrame:
        """``cleaned`` with the link as the title where nothing was left of the text."""
        empty = ~(cleaned["title"] != "").fill_null(value=False)
        if not empty.any():
            return cleaned
        # nothing left of the sentence: the link itself, tagged here (rare)
        urls = found["url"].filter(empty).fill_null("")
        at = empty.arg_true()
        tagged = self.tagger.bit_sets(urls)
        return pl.DataFrame(
            [cleaned["title"].scatter(at, urls)]
            + [cleaned[word].scatter(at, tagged[word]) for word in self._words]
        )

    def _times(self, found: pl.DataFrame, warnings: list[tuple[int, str]]) -> pl.Series:
        """Instants of the records; null (and a warning) where the time is unreadable."""
        at = found["fast_us"]
        unsure = at.is_null()
        if not unsure.any():
            return at
        slow: list[int | None] = []
        for entry, time in found.filter(unsure).select("entry", "time").rows():
            try:
                slow.append(self.parse_time(time))
            except ValueError as exc:
                warnings.append((entry, str(exc)))
                slow.append(None)
        return at.scatter(unsure.arg_true(), pl.Series(slow, dtype=pl.Int64))


def _nulls(length: int) -> pl.Series:
    return pl.repeat(None, length, dtype=pl.String, eager=True)


def _zeros(length: int) -> pl.Series:
    return pl.zeros(length, dtype=pl.Int64, eager=True)


def _without_verb(texts: pl.Series) -> pl.Series:
    """Each text without its "watched" verb (as it is when it has none, or nothing else)."""
    return texts.to_frame("text").select(_WITHOUT_VERB).to_series()


def count_kinds(entries: pl.DataFrame) -> Counter[str]:
    """How many entries of each kind (``RECORD`` or skipped) a few entries hold."""
    return Counter(dict(classify(entries)["kind"].value_counts().iter_rows()))
