"""Words the synthetic histories are made of: channel names, video titles and ads.

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
    and a number ``{n}``; a topic's kind also names its channels' endings."""

    def __init__(
        self, words_a: str, words_b: str, templates: str, channel_endings: str = ""
    ) -> None:
        self.words_a = _split(words_a)
        self.words_b = _split(words_b)
        self.templates = _split(templates)
        self.channel_endings = _split(channel_endings)


def _split(words: str) -> tuple[str, ...]:
    return tuple(words.split("~"))


def _topic(channel_endings: str, words: str, templates: str) -> TitleKind:
    return TitleKind(words, words, templates, channel_endings)


# Per topic: channel name endings, title nouns and templates (worded so that the shipped
# keyword map finds the topic).
_TOPIC_TITLES: Final = {
    "music": _topic(
        "Music~Records~Sessions",
        "Midnight Rivers~Golden Hour~Neon Hearts~Paper Skies~Café Lumière~Summer Rain",
        "{a} (Official Music Video)~{a} - live concert {n}~{a} (Lyrics)~{a} piano cover",
    ),
    "gaming": _topic(
        "Gaming~Plays~Arcade~Let's Play",
        "Minecraft~Elden Ring~Zelda~Fortnite~Roblox~Valorant~Pokemon",
        "{a} speedrun in {n} minutes~I played {a} for {n} days~{a} gameplay - Part {n}"
        "~{a} vs {b}: which game is harder?~{a} tips & tricks #{n}",
    ),
    "programming": _topic(
        "Code~Dev~Labs~Programming",
        "Python~Rust~JavaScript~TypeScript~SQL~Docker~React~Linux",
        "{a} tutorial for beginners (part {n})~Why I switched from {a} to {b}"
        "~Building a web app with {a} in {n} minutes~{a} <-> {b}: coding interview #{n}",
    ),
    "science": _topic(
        "Science~Explains~Lab~Physics",
        "a black hole~quantum physics~the universe~evolution~a rocket~the planet Mars",
        "What happens inside {a}?~The science of {a} explained~{a} vs {b}: an experiment"
        "~How {a} really works ({n} facts)",
    ),
    "education": _topic(
        "Academy~Learning~Lessons~Tutor",
        "calculus~grammar~statistics~chemistry~algebra~geometry",
        "{a} lesson {n}~Learn {a} in {n} minutes~{a} exam revision: {b}~{a} course - lecture {n}",
    ),
    "news": _topic(
        "News~Daily~Report~24",
        "the election~the climate summit~the markets~the economy~the heatwave",
        "Breaking news: {a} live~{a}: what we know so far~Evening news - {a}"
        "~Weekly news briefing #{n}: {a} & {b}",
    ),
    "sports": _topic(
        "Sports~Highlights~FC~Athletics",
        "football~NBA~tennis~Formula 1~the marathon~Champions League",
        "{a} highlights - matchday {n}~Top {n} goals of {a}~{a} | full match replay"
        "~{a} vs {b} - extended highlights",
    ),
    "cooking": _topic(
        "Kitchen~Cooks~Recipes~Bakes",
        "pasta~ramen~sourdough bread~curry~crème brûlée~pizza",
        "Easy {a} recipe in {n} minutes~How to cook the perfect {a}"
        "~{a} & {b} - weeknight dinner~Chef's {a} recipe (serves {n})",
    ),
    "travel": _topic(
        "Travels~Abroad~Wanderlust~Journeys",
        "Japan~Lisbon~Iceland~Tōkyō~Marrakesh~the Alps",
        "{n} days in {a} - travel vlog~{a} travel guide~Road trip from {a} to {b}"
        "~Is {a} worth the trip?",
    ),
    "comedy": _topic(
        "Comedy~Laughs~Sketches~Improv",
        "stand-up~prank~sketch~parody~roast",
        'Funny {a} moments #{n}~{a} comedy special - part {n}~"{a}" gone wrong (comedy)'
        "~Best {a} & {b} compilation - try not to laugh",
    ),
    "film & tv": _topic(
        "Pictures~Trailers~Cinema~TV",
        "movie~series~trailer~season finale~anime",
        "Official {a} trailer #{n}~{a} review (no spoilers)~Top {n} {a} scenes"
        "~The {a} that changed film & TV",
    ),
    "tech reviews": _topic(
        "Tech~Reviews~Unboxed~Gadgets",
        "smartphone~laptop~headphones~camera~tablet~iPhone",
        "{a} review after {n} months~{a} unboxing & first impressions"
        "~Best {a} under ${n}0~{a} vs {b} - tech review",
    ),
    "fitness": _topic(
        "Fitness~Fit~Yoga~Training",
        "HIIT~yoga~full body workout~abs~running~stretching",
        "{n} minute {a} workout~{a} for beginners - day {n}~{a} & {b} training routine"
        "~Daily {a} challenge #{n} (fitness)",
    ),
    "finance": _topic(
        "Finance~Money~Invest~Wealth",
        "stocks~ETFs~crypto~the stock market~real estate~retirement",
        "{a} investing explained~How I saved {n}k: {a} and personal finance"
        "~{a} vs {b} in 20{n}~Money basics: {a}",
    ),
    "history": _topic(
        "History~Chronicles~Timeline~Archive",
        "the Roman Empire~medieval Europe~World War II~ancient Egypt~the Ottoman Empire",
        "The history of {a} in {n} minutes~{a} - documentary~How {a} fell~{a} & {b}: a history",
    ),
    "diy": _topic(
        "DIY~Workshop~Makes~Builds",
        "woodworking~a shelf~a garden bed~3D printing~home repair",
        "DIY {a} build~{a}: a DIY project in {n} steps~How to make {a}~{a} & {b} - weekend DIY",
    ),
    "art": _topic(
        "Art~Draws~Studio~Paints",
        "watercolor~oil painting~drawing~illustration~digital art~calligraphy",
        "{a} tutorial - {b}~{a} speedpaint #{n}~Art challenge: {a} for {n} days~My {a} process",
    ),
    "automotive": _topic(
        "Motors~Cars~Garage~Drives",
        "car~EV~supercar~engine~motorcycle~Porsche",
        "{a} review & test drive~{a} vs {b} drag race~{a} restoration part {n}"
        "~Top {n} car mods for your {a}",
    ),
    "kids": _topic(
        "Kids~Kids TV~Nursery Rhymes~Toons",
        "nursery rhymes~cartoon~ABC song~bedtime story~toys",
        "{a} for kids~{a} & {b} for kids - episode {n}~Kids {a} compilation"
        "~{n} minutes of {a} for kids",
    ),
    "podcasts": _topic(
        "Podcast~Show~Talks~Radio",
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


def channel_name(rng: np.random.Generator, topic: int, words: tuple[str, str], artist: bool) -> str:
    """A channel name: an artist's (often a "- Topic" channel, as YouTube Music makes them),
    or a made-up word with an ending that fits topic number ``topic``."""
    word, other = words
    if artist:
        form = int(rng.integers(0, 4))
        name = (f"{word} {other}", word, f"The {word}s", f"DJ {word}")[form]
        return f"{name} - Topic" if rng.random() < 0.6 else name
    endings = TITLE_KINDS[topic].channel_endings
    flavour = _NAME_FLAVOURS[int(rng.integers(0, len(_NAME_FLAVOURS)))]
    return f"{word}{flavour} {endings[int(rng.integers(0, len(endings)))]}"


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
