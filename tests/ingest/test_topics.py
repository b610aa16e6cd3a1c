"""The keyword tagger: word-boundary matching, the shipped map, user files."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchcube.errors import ConfigError
from watchcube.ingest import topics
from watchcube.ingest.topics import Tagger


def test_the_shipped_map_has_the_documented_topics() -> None:
    tagger = Tagger.default()
    assert len(tagger.topics) == 20
    assert {"music", "gaming", "programming", "film & tv", "podcasts"} <= set(tagger.topics)
    assert Tagger.default() is tagger


@pytest.mark.parametrize(
    ("title", "channel", "topics"),
    [
        ("Yarn vs NPM - You won't believe how fast it is", "LearnCode.academy", ("programming",)),
        ("XI", "Hiroyuki Sawano - Topic", ("music",)),
        ("Ma recette de cordon bleu - Philippe Etchebest", None, ("cooking",)),
        ("Yoga Joy | Full Body Vinyasa Flow", "Yoga With Adriene", ("fitness",)),
        ("How to bake bread", None, ("cooking", "education")),
        ("Nothing to see", None, ()),
    ],
)
def test_default_tags(title: str, channel: str | None, topics: tuple[str, ...]) -> None:
    assert Tagger.default().tag(title, channel) == topics


def test_matching_is_on_whole_words_and_phrases() -> None:
    tagger = Tagger({"b": ["official video"], "a": ["game", "C++"], "c": ["c#"]})
    assert tagger.tag("GAME night", None) == ("a",)
    assert tagger.tag("video-game", None) == ("a",)
    assert tagger.tag("games endgame", None) == ()
    assert tagger.tag("Learn c++ and C#", None) == ("a", "c")
    assert tagger.tag("Song (Official Video)", "x") == ("b",)
    assert tagger.tag("official music video", None) == ()
    assert tagger.tag("x", "The Game Channel") == ("a",)
    assert tagger.tag("game", "official  video") == ("a", "b")


def test_from_file(tmp_path: Path) -> None:
    path = tmp_path / "topics.json"
    path.write_text(json.dumps({"cats": ["cat", "kitten"]}), encoding="utf-8")
    assert Tagger.from_file(path).tag("Kitten compilation", None) == ("cats",)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{", "not valid UTF-8 JSON"),
        ("[]", "must be a non-empty object"),
        ('{"cats": "cat"}', "'cats' must map to a list of keywords"),
        ('{"cats": []}', "'cats' must map to a list of keywords"),
        ('{"cats": ["--"]}', "'cats' has a keyword without a word"),
        ('{" ": ["cat"]}', "topic names must have 1-100 characters"),
    ],
)
def test_bad_files_name_the_file_and_the_problem(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "topics.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"topics file {path}: {problem}"):
        Tagger.from_file(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read it"):
        Tagger.from_file(tmp_path / "nope.json")


def test_python_and_polars_see_the_same_words() -> None:
    """``tag`` splits words with Python's re, ``tag_many`` with Polars (Rust): the same
    characters must make words, and lowercase alike, for every character Python knows."""
    known = [
        chr(code) for code in range(0x110000) if unicodedata.category(chr(code)) not in ("Cn", "Cs")
    ]
    column = pl.Series(known, dtype=pl.String)
    in_words = column.str.contains(f"^{topics.WORD.removesuffix('+[+#]*')}$").to_list()
    assert in_words == [topics.PY_WORD.fullmatch(char) is not None for char in known]
    assert column.str.to_lowercase().to_list() == [char.lower() for char in known]


TAGGER = Tagger(
    {"music": ["song", "official video", "ost"], "code": ["c++", "c#", "rust"],
     "both": ["song", "rust belt"], "café": ["café", "straße"]}
)  # fmt: skip
# Characters Python's Unicode tables know (newer ones may be letters to Rust alone).
KNOWN = st.characters(exclude_categories=["Cn", "Cs"])
WORDISH = st.sampled_from(
    [
        *("song", "Song", "SONG", "songs", "official", "video", "c++", "C#", "rust", "belt"),
        *("café", "CAFÉ", "Straße", "ost", "-", "é", "_", " ", "\n"),
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(
            st.lists(WORDISH | st.text(KNOWN, max_size=3), max_size=8).map("".join),
            st.none() | st.lists(WORDISH, max_size=4).map(" ".join),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_batch_is_tagged_as_each_record_alone(pairs: list[tuple[str, str | None]]) -> None:
    titles = pl.Series([title for title, _ in pairs], dtype=pl.String)
    names = pl.Series([name for _, name in pairs], dtype=pl.String)
    batch = TAGGER.tag_many(titles, names).to_list()
    assert [tuple(found) for found in batch] == [TAGGER.tag(*pair) for pair in pairs]


def test_a_tagger_without_keywords_tags_nothing() -> None:
    empty = Tagger({})
    assert empty.tag("Song", "Vevo") == ()
    assert empty.tag_many(pl.Series(["Song"]), pl.Series(["Vevo"])).to_list() == [[]]
