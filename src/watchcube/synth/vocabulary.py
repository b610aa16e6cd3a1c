"""Words the synthetic histories are made of: channel names, video titles, ads, searches.

Titles carry the keywords a topic tagger looks for (so an imported synthetic history gets
sensible topics back) and, now and then, the characters that trip importers: ``&``, quotes,
``<``, accents, CJK and emoji. Everything is drawn from a ``numpy`` generator, so the same
seed always gives the same words. Word lists are ``~``-separated to keep the tables short.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from watchcube.ingest.topics import Tagger

# The shipped tagger's topic names: channels get these topics, titles carry their keywords.
TOPICS: Final = tuple(Tagger.default().topics)


class TitleKind:
    """How titles of one kind are made: ``templates`` filled with ``{a}``/``{b}`` words
    and a number ``{n}``."""

    def __init__(self, words_a: str, words_b: str, templates: str) -> None:
        self.words_a = _split(words_a)
        self.words_b = _split(words_b)
        self.templates = _split(templates)


def _split(words: str) -> tuple[str, ...]:
    return tuple(words.split("~"))


def _topic(words: str, templates: str) -> TitleKind:
    return TitleKind(words, words, templates)


# Per topic: title nouns and templates, worded so the shipped keyword map finds the topic.
_TOPIC_TITLES: Final = {
    "music": _topic(
        "Midnight Rivers~Golden Hour~Neon Hearts~Paper Skies~Café Lumière~Summer Rain",
        "{a} (Official Music Video)~{a} - live concert {n}~{a} (Lyrics)~{a} piano cover",
    ),
    "gaming": _topic(
        "Minecraft~Elden Ring~Zelda~Fortnite~Roblox~Valorant~Pokemon",
        "{a} speedrun in {n} minutes~I played {a} for {n} days~{a} gameplay - Part {n}"
        "~{a} vs {b}: which game is harder?~{a} tips & tricks #{n}",
    ),
    "programming": _topic(
        "Python~Rust~JavaScript~TypeScript~SQL~Docker~React~Linux",
        "{a} tutorial for beginners (part {n})~Why I switched from {a} to {b}"
        "~Building a web app with {a} in {n} minutes~{a} <-> {b}: coding interview #{n}",
    ),
    "science": _topic(
        "a black hole~quantum physics~the universe~evolution~a rocket~the planet Mars",
        "What happens inside {a}?~The science of {a} explained~{a} vs {b}: an experiment"
        "~How {a} really works ({n} facts)",
    ),
    "education": _topic(
        "calculus~grammar~statistics~chemistry~algebra~geometry",
        "{a} lesson {n}~Learn {a} in {n} minutes~{a} exam revision: {b}~{a} course - lecture {n}",
    ),
    "news": _topic(
        "the election~the climate summit~the markets~the economy~the heatwave",
        "Breaking news: {a} live~{a}: what we know so far~Evening news - {a}"
        "~Weekly news briefing #{n}: {a} & {b}",
    ),
    "sports": _topic(
        "football~NBA~tennis~Formula 1~the marathon~Champions League",
        "{a} highlights - matchday {n}~Top {n} goals of {a}~{a} | full match replay"
        "~{a} vs {b} - extended highlights",
    ),
    "cooking": _topic(
        "pasta~ramen~sourdough bread~curry~crème brûlée~pizza",
        "Easy {a} recipe in {n} minutes~How to cook the perfect {a}"
        "~{a} & {b} - weeknight dinner~Chef's {a} recipe (serves {n})",
    ),
    "travel": _topic(
        "Japan~Lisbon~Iceland~Tōkyō~Marrakesh~the Alps",
        "{n} days in {a} - travel vlog~{a} travel guide~Road trip from {a} to {b}"
        "~Is {a} worth the trip?",
    ),
    "comedy": _topic(
        "stand-up~prank~sketch~parody~roast",
        'Funny {a} moments #{n}~{a} comedy special - part {n}~"{a}" gone wrong (comedy)'
        "~Best {a} & {b} compilation - try not to laugh",
    ),
    "film & tv": _topic(
        "movie~series~trailer~season finale~anime",
        "Official {a} trailer #{n}~{a} review (no spoilers)~Top {n} {a} scenes"
        "~The {a} that changed film & TV",
    ),
    "tech reviews": _topic(
        "smartphone~laptop~headphones~camera~tablet~iPhone",
        "{a} review after {n} months~{a} unboxing & first impressions"
        "~Best {a} under ${n}0~{a} vs {b} - tech review",
    ),
    "fitness": _topic(
        "HIIT~yoga~full body workout~abs~running~stretching",
        "{n} minute {a} workout~{a} for beginners - day {n}~{a} & {b} training routine"
        "~Daily {a} challenge #{n} (fitness)",
    ),
    "finance": _topic(
        "stocks~ETFs~crypto~the stock market~real estate~retirement",
        "{a} investing explained~How I saved {n}k: {a} and personal finance"
        "~{a} vs {b} in 20{n}~Money basics: {a}",
    ),
    "history": _topic(
        "the Roman Empire~medieval Europe~World War II~ancient Egypt~the Ottoman Empire",
        "The history of {a} in {n} minutes~{a} - documentary~How {a} fell~{a} & {b}: a history",
    ),
    "diy": _topic(
        "woodworking~a shelf~a garden bed~3D printing~home repair",
        "DIY {a} build~{a}: a DIY project in {n} steps~How to make {a}~{a} & {b} - weekend DIY",
    ),
    "art": _topic(
        "watercolor~oil painting~drawing~illustration~digital art~calligraphy",
        "{a} tutorial - {b}~{a} speedpaint #{n}~Art challenge: {a} for {n} days~My {a} process",
    ),
    "automotive": _topic(
        "car~EV~supercar~engine~motorcycle~Porsche",
        "{a} review & test drive~{a} vs {b} drag race~{a} restoration part {n}"
        "~Top {n} car mods for your {a}",
    ),
    "kids": _topic(
        "nursery rhymes~cartoon~ABC song~bedtime story~toys",
        "{a} for kids~{a} & {b} for kids - episode {n}~Kids {a} compilation"
        "~{n} minutes of {a} for kids",
    ),
    "podcasts": _topic(
        "interview~episode~talk show~Q&A~roundtable",
        "Podcast #{n} - {a} with {b}~Full episode: {a} ({n})~The {a} podcast"
        "~Ep. {n}: an honest {a} (podcast)",
    ),
}
# YouTube Music tracks: song titles rather than video titles.
SONG: Final = TitleKind(
    "Golden~Midnight~Electric~Paper~Silver~Velvet~Neon~Broken~Summer~Wild~Quiet~Crystal"
    "~Hollow~Lonely~Burning~Mañana~Amour~東京の",
    "Hearts~Rivers~Skies~Lights~Dreams~Roads~Waves~Echoes~City~Fire~Rain~Garden~Story"
    "~Ghost~Season~Azul~Nocturne~夜",
    "{a} {b}~{a} {b}~{a} {b}~{a} {b} (Remix)~{a} {b} (Live)~{a} {b} (Acoustic)"
    "~{a} {b} - Radio Edit~{a} {b}, Pt. {n}",
)
# Every kind of title, indexed like ``TOPICS`` with ``SONG`` last.
TITLE_KINDS: Final = (*(_TOPIC_TITLES[topic] for topic in TOPICS), SONG)
SONG_KIND: Final = len(TITLE_KINDS) - 1

# Channel name endings per topic (music channels are named after artists instead).
_CHANNEL_SUFFIXES: Final = {
    topic: _split(suffixes)
    for topic, suffixes in {
        "music": "Music~Records~Sessions",
        "gaming": "Gaming~Plays~Arcade~Let's Play",
        "programming": "Code~Dev~Labs~Programming",
        "science": "Science~Explains~Lab~Physics",
        "education": "Academy~Learning~Lessons~Tutor",
        "news": "News~Daily~Report~24",
        "sports": "Sports~Highlights~FC~Athletics",
        "cooking": "Kitchen~Cooks~Recipes~Bakes",
        "travel": "Travels~Abroad~Wanderlust~Journeys",
        "comedy": "Comedy~Laughs~Sketches~Improv",
        "film & tv": "Pictures~Trailers~Cinema~TV",
        "tech reviews": "Tech~Reviews~Unboxed~Gadgets",
        "fitness": "Fitness~Fit~Yoga~Training",
        "finance": "Finance~Money~Invest~Wealth",
        "history": "History~Chronicles~Timeline~Archive",
        "diy": "DIY~Workshop~Makes~Builds",
        "art": "Art~Draws~Studio~Paints",
        "automotive": "Motors~Cars~Garage~Drives",
        "kids": "Kids~Kids TV~Nursery Rhymes~Toons",
        "podcasts": "Podcast~Show~Talks~Radio",
    }.items()
}
_NAME_FLAVOURS: Final = ("", "", "", "", "'s", " & Co", " Café", " ✨")
# Syllables of made-up, pronounceable names.
_SYLLABLES: Final = tuple(
    onset + vowel + coda
    for onset in _split("b~br~d~f~g~k~l~m~n~p~r~s~st~t~v~z")
    for vowel in _split("a~e~i~o~u~ai~io~ou")
    for coda in ("", "", "", "n", "r", "l", "s", "x")
)

ADS: Final = TitleKind(
    "Lumora~Vexa~Bravio~Quenta~Solvi~Nordlys~Pakto~Zeniq~Orbea Pay",
    "Phone X~Premium~Bank~Shoes~Delivery~Cloud~Sneakers",
    "{a} - Try it free for 30 days~#{a}Series~Meet the new {a} {b}~{a} | {b} - Official Ad"
    "~Save {n}% with {a} today~{a} {b}: made for you",
)


def syllable_words(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` capitalised made-up words of two or three syllables."""
    lengths = rng.integers(2, 4, count).tolist()
    picks = rng.integers(0, len(_SYLLABLES), (count, 3)).tolist()
    return [
        "".join(_SYLLABLES[i] for i in row[:length]).capitalize()
        for row, length in zip(picks, lengths, strict=True)
    ]


def channel_name(rng: np.random.Generator, topic: int, word: str, other: str) -> str:
    """A channel name for topic number ``topic`` (music: an artist, often a "- Topic"
    channel as YouTube Music auto-generates them)."""
    if TOPICS[topic] == "music":
        form = int(rng.integers(0, 4))
        artist = (f"{word} {other}", word, f"The {word}s", f"DJ {word}")[form]
        return f"{artist} - Topic" if rng.random() < 0.6 else artist
    suffixes = _CHANNEL_SUFFIXES[TOPICS[topic]]
    flavour = _NAME_FLAVOURS[int(rng.integers(0, len(_NAME_FLAVOURS)))]
    return f"{word}{flavour} {suffixes[int(rng.integers(0, len(suffixes)))]}"


def titles(
    rng: np.random.Generator,
    kinds: npt.NDArray[np.int64],
    table: Sequence[TitleKind] = TITLE_KINDS,
) -> npt.NDArray[np.object_]:
    """One title per entry of ``kinds`` (indexes into ``table``), as an object array.

    Formatting runs template by template, so the Python work per title is one
    ``str.format`` call.
    """
    count = len(kinds)
    a, b, template = rng.integers(0, 1 << 30, (3, count))
    number = rng.integers(1, 100, count)
    result = np.empty(count, dtype=object)
    for index, kind in enumerate(table):
        members = np.flatnonzero(kinds == index)
        chosen = template[members] % len(kind.templates)
        for which, pattern in enumerate(kind.templates):
            rows = members[chosen == which]
            fill = pattern.format
            words_a, words_b = kind.words_a, kind.words_b
            first = a[rows] % len(words_a)
            # The second word differs from the first one (when they come from one list).
            second = (first + 1 + b[rows] % max(1, len(words_b) - 1)) % len(words_b)
            result[rows] = [
                fill(a=words_a[i], b=words_b[j], n=n)
                for i, j, n in zip(
                    first.tolist(), second.tolist(), number[rows].tolist(), strict=True
                )
            ]
    return result
