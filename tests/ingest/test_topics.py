"""The keyword tagger: word-boundary matching, the shipped map, user files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watchcube.errors import ConfigError
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
