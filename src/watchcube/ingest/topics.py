"""The rule-based topic tagger: a keyword map, matched on words of the title and channel name.

Takeout carries no topics, so imports tag each record from a keyword map. The shipped map is
``topics.json`` next to this module; a user replaces it with ``WATCHCUBE_TOPICS_FILE``.

File format (UTF-8 JSON): one object mapping a topic name to a list of keywords::

    {
      "music": ["song", "album", "official video", "lyrics"],
      "programming": ["python", "javascript", "c++", "tutorial"]
    }

Matching is case-insensitive and on whole words: a keyword matches when its words appear
consecutively in the title or the channel name ("game" matches "Game Night" and "video-game",
not "games"; "official video" matches "Official Video"). A word is a run of letters, digits or
underscores, optionally followed by ``+`` or ``#`` so that "c++" and "c#" are keywords.
A record gets every matching topic, sorted, each once.

Keywords and texts are reduced the same way to their lowercase words joined by single spaces
(" official video "). A batch of titles is then searched for every keyword at once by one
Aho-Corasick pass in Polars (``str.extract_many``): the cost is one pass over the titles
whatever the number of keywords, which keeps a million-row import fast, and each distinct
channel name is tagged once. A single text (``Tagger.tag``) is reduced with Python's ``re``
instead, whose ``\\w`` is the same set of characters as the Rust pattern here (a test checks
every character Python's Unicode tables know), and looked up word by word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Final

import polars as pl

from watchcube.errors import ConfigError

DEFAULT_FILE: Final = Path(__file__).with_name("topics.json")
WORD: Final = r"[\p{L}\p{N}_]+[+#]*"  # a word, for Polars (Rust regex)
PY_WORD: Final = re.compile(r"\w+[+#]*")  # the same words, for Python's re
_TOPICS: Final = pl.List(pl.String())


def _spaced_words(texts: pl.Expr) -> pl.Expr:
    """' w1 w2 ... ': a text's lowercase words, each between spaces, for phrase lookups."""
    words = texts.str.to_lowercase().str.extract_all(WORD).list.join(" ")
    return pl.concat_str(pl.lit(" "), words, pl.lit(" "))


def _spaced(text: str) -> str:
    """``_spaced_words`` of one text, in Python."""
    return f" {' '.join(PY_WORD.findall(text.lower()))} "


class Tagger:
    """Assigns topics to titles and channel names from a topic -> keywords map."""

    def __init__(self, topics: Mapping[str, Sequence[str]]) -> None:
        self.topics = {topic: tuple(keywords) for topic, keywords in topics.items()}
        # " phrase " -> its topics (a keyword may belong to several), and phrases by first word
        self._topics_of: dict[str, list[str]] = {}
        for topic, keywords in self.topics.items():
            for keyword in keywords:
                self._topics_of.setdefault(_spaced(keyword), []).append(topic)
        self._topics_of.pop("  ", None)
        self._by_first: dict[str, list[str]] = {}
        for phrase in self._topics_of:
            self._by_first.setdefault(phrase.split()[0], []).append(phrase)
        self._phrases = sorted(self._topics_of)
        # bit i of a bit set stands for the i-th topic by name; 63 bits to an Int64 word
        self._names = sorted(self.topics)
        self._words = max(1, -(-len(self._names) // 63))
        masks = []
        for phrase in self._phrases:
            words = [0] * self._words
            for topic in self._topics_of[phrase]:
                index = self._names.index(topic)
                words[index // 63] |= 1 << (index % 63)
            masks.append((phrase, *words))
        self._phrase_bits = pl.DataFrame(
            masks,
            schema={"phrase": pl.String, **{f"w{i}": pl.Int64 for i in range(self._words)}},
            orient="row",
        )

    @classmethod
    def default(cls) -> Tagger:
        """The shipped keyword map (loaded once per process)."""
        return _default_tagger()

    @classmethod
    def from_file(cls, path: Path | str) -> Tagger:
        """A tagger from a JSON keyword map; ``ConfigError`` naming the file and the problem."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"topics file {path}: cannot read it ({exc.strerror})") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"topics file {path}: not valid UTF-8 JSON ({exc})") from None
        return cls(_validated(data, path))

    def tag(self, title: str, channel_name: str | None) -> tuple[str, ...]:
        """The topics whose keywords occur in the title or channel name, sorted, unique.

        One text at a time; ``tag_many`` does the same for whole batches.
        """
        found: set[str] = set()
        for text in (title, channel_name or ""):
            spaced = _spaced(text)
            for word in set(spaced.split()):
                for phrase in self._by_first.get(word, ()):
                    if phrase in spaced:
                        found.update(self._topics_of[phrase])
        return tuple(sorted(found))

    @property
    def bit_names(self) -> list[str]:
        """The columns of a bit set (``w0``, ``w1``...: 63 topics to an Int64 word)."""
        return [f"w{index}" for index in range(self._words)]

    def tag_many(self, titles: pl.Series, channel_names: pl.Series) -> pl.Series:
        """``tag`` for each (title, channel name) pair, as a ``List(String)`` series.

        Histories repeat titles (rewatches, music) and channels: each distinct one is
        searched once. A text's topics are a bit set (``bit_names``), so a record's are the
        OR of its title's and its channel's, and each distinct set is spelled out once.
        """
        words = self.bit_names
        bits = (
            pl.DataFrame({"title": titles, "channel_name": channel_names})
            .join(
                self._distinct_bit_sets(titles, "title"),
                on="title",
                how="left",
                maintain_order="left",
            )
            .join(
                self._distinct_bit_sets(channel_names, "channel_name"),
                on="channel_name",
                how="left",
                suffix="_channel",
                maintain_order="left",
            )
            .select(
                pl.col(word).fill_null(0) | pl.col(f"{word}_channel").fill_null(0) for word in words
            )
        )
        return self.spell(bits)

    def bit_sets(self, texts: pl.Series) -> pl.DataFrame:
        """Each text's topics as a bit set, a row per text (0 without a topic, or for null).

        No text is searched twice only if the texts are distinct (callers that see texts
        again keep their sets)."""
        sets = self._found_bit_sets(texts)
        return pl.DataFrame(
            [
                pl.zeros(len(texts), dtype=pl.Int64, eager=True)
                .scatter(sets["row"], sets[word])  # (in place: a new series each)
                .alias(word)
                for word in self.bit_names
            ]
        )

    def spell(self, bits: pl.DataFrame) -> pl.Series:
        """The topics (``List(String)``, sorted by name) of each bit set (``bit_names``)."""
        words = self.bit_names
        spelled = [
            (
                *key,
                [
                    topic
                    for index, topic in enumerate(self._names)
                    if key[index // 63] >> (index % 63) & 1
                ],
            )
            for key in bits.unique().rows()
        ]
        lists = pl.DataFrame(
            spelled, schema={**{word: pl.Int64 for word in words}, "topics": _TOPICS}, orient="row"
        )
        return bits.join(lists, on=words, how="left", maintain_order="left")["topics"]

    def _distinct_bit_sets(self, texts: pl.Series, name: str) -> pl.DataFrame:
        """``name`` and its topics' bit set for each distinct text with a keyword."""
        distinct = texts.drop_nulls().unique()
        sets = self._found_bit_sets(distinct)
        return sets.with_columns(distinct.gather(sets["row"]).alias(name)).drop("row")

    def _found_bit_sets(self, texts: pl.Series) -> pl.DataFrame:
        """``row`` (the text's position) and its topics' bit set, for the texts with a keyword."""
        found = texts.to_frame("text").select(
            row=pl.int_range(pl.len(), dtype=pl.UInt32),
            phrase=_spaced_words(pl.col("text")).str.extract_many(
                pl.lit(self._phrases, dtype=pl.List(pl.String)), overlapping=True
            ),
        )
        return (
            found.explode("phrase")
            .drop_nulls("phrase")
            .join(self._phrase_bits, on="phrase")
            .group_by("row")
            .agg(pl.col(word).bitwise_or() for word in self.bit_names)
        )


@cache
def _default_tagger() -> Tagger:
    return Tagger.from_file(DEFAULT_FILE)


def _validated(data: Any, path: Path) -> dict[str, list[str]]:
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"topics file {path}: must be a non-empty object of topic -> keywords")
    for topic, keywords in data.items():
        if not topic.strip() or len(topic) > 100:
            raise ConfigError(f"topics file {path}: topic names must have 1-100 characters")
        if not isinstance(keywords, list) or not keywords:
            raise ConfigError(f"topics file {path}: {topic!r} must map to a list of keywords")
        for keyword in keywords:
            if not isinstance(keyword, str) or _spaced(keyword) == "  ":
                raise ConfigError(
                    f"topics file {path}: {topic!r} has a keyword without a word: {keyword!r}"
                )
    return data
