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

Words are looked up in a dictionary instead of running one regex per topic: the cost is one
pass over the title whatever the number of keywords, which keeps a million-row import fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Final

from watchcube.errors import ConfigError

DEFAULT_FILE: Final = Path(__file__).with_name("topics.json")
_WORD = re.compile(r"\w+[+#]*")
_CACHE_SIZE: Final = 16_384  # channel names remembered: a history has a few thousand


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


class Tagger:
    """Assigns topics to a title and channel name from a topic -> keywords map."""

    def __init__(self, topics: Mapping[str, Sequence[str]]) -> None:
        self.topics = {topic: tuple(keywords) for topic, keywords in topics.items()}
        # first word -> [(" whole phrase " or None for one word, topic)]: a title costs one
        # set intersection, and a phrase one substring test
        self._index: dict[str, list[tuple[str | None, str]]] = {}
        for topic, keywords in self.topics.items():
            for keyword in keywords:
                words = _words(keyword)
                phrase = f" {' '.join(words)} " if len(words) > 1 else None
                self._index.setdefault(words[0], []).append((phrase, topic))
        self._firsts = frozenset(self._index)
        self._channel_topics = lru_cache(maxsize=_CACHE_SIZE)(self._topics)

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
        """The topics whose keywords occur in the title or channel name, sorted, unique."""
        topics = self._topics(title)
        if channel_name:
            topics |= self._channel_topics(channel_name)
        return tuple(sorted(topics)) if topics else ()

    def _topics(self, text: str) -> frozenset[str]:
        words = _words(text)
        found: set[str] = set()
        joined = ""
        for first in self._firsts.intersection(words):
            for phrase, topic in self._index[first]:
                if phrase is not None:
                    joined = joined or f" {' '.join(words)} "
                    if phrase not in joined:
                        continue
                found.add(topic)
        return frozenset(found)


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
            if not isinstance(keyword, str) or not _words(keyword):
                raise ConfigError(
                    f"topics file {path}: {topic!r} has a keyword without a word: {keyword!r}"
                )
    return data
