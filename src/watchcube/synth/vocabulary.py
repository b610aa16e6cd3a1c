"""Words the synthetic histories are made of: channel names, video titles, ads, searches.

Titles carry the keywords a topic tagger looks for (so an imported synthetic history gets
sensible topics back) and, now and then, the characters that trip importers: ``&``, quotes,
``<``, accents, CJK and emoji. Everything is drawn from a ``numpy`` generator, so the same
seed always gives the same words.
"""

from __future__ import annotations

from typing import Final

import numpy as np

# The shipped topic names (DESIGN.md: the tagger's keyword map uses the same names).
TOPICS: Final = (
    "music",
    "gaming",
    "programming",
    "science",
    "education",
    "news",
    "sports",
    "cooking",
    "travel",
    "comedy",
    "film & tv",
    "tech reviews",
    "fitness",
    "finance",
    "history",
    "diy",
    "art",
    "automotive",
    "kids",
    "podcasts",
)

# Per topic: channel name suffixes, the nouns titles are made of, and title templates
# ({a} and {b} are nouns, {n} a number).
_TOPIC_WORDS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {
    "music": (
        ("Music", "Records", "Official", "Sessions"),
        ("Midnight Rivers", "Golden Hour", "Neon Hearts", "Paper Skies", "Café Lumière"),
        ("{a} (Official Music Video)", "{a} - Live at {b}", "{a} (Lyrics)", "{a} | cover"),
    ),
    "gaming": (
        ("Gaming", "Plays", "Arcade", "Let's Play"),
        ("Minecraft", "Elden Ring", "Zelda", "Fortnite", "Stardew Valley", "Mario Kart"),
        ("{a} speedrun in {n} minutes", "I played {a} for {n} days", "{a} - Part {n}",
         "{a} vs {b}: which is harder?", "{a} tips & tricks #{n}"),
    ),
    "programming": (
        ("Code", "Dev", "Labs", "Programming"),
        ("Python", "Rust", "JavaScript", "TypeScript", "SQL", "Go", "React", "Linux"),
        ("{a} tutorial for beginners (part {n})", "Why I switched from {a} to {b}",
         "Building a web app with {a} in {n} minutes", "{a} <-> {b}: coding interview #{n}"),
    ),
    "science": (
        ("Science", "Explains", "Lab", "Physics"),
        ("black holes", "quantum physics", "DNA", "the Moon", "volcanoes", "entropy"),
        ("What happens inside {a}?", "The science of {a} explained", "{a} vs {b}",
         "How {a} really works"),
    ),
    "education": (
        ("Academy", "Learning", "Lessons", "Tutor"),
        ("calculus", "grammar", "statistics", "chemistry", "algebra", "geometry"),
        ("{a} lesson {n}", "Learn {a} in {n} minutes", "{a} exam revision: {b}",
         "{a} course - lecture {n}"),
    ),
    "news": (
        ("News", "Daily", "Report", "24"),
        ("elections", "climate summit", "markets", "the economy", "the heatwave"),
        ("Breaking news: {a} live", "{a}: what we know so far", "Evening news - {a}",
         "Weekly briefing #{n}: {a} & {b}"),
    ),
    "sports": (
        ("Sports", "Highlights", "FC", "Athletics"),
        ("football", "NBA", "tennis", "Formula 1", "the marathon", "Champions League"),
        ("{a} highlights - matchday {n}", "Top {n} goals of {a}", "{a} | full match replay",
         "{a} vs {b} - extended highlights"),
    ),
    "cooking": (
        ("Kitchen", "Cooks", "Recipes", "Bakes"),
        ("pasta", "ramen", "sourdough bread", "curry", "crème brûlée", "pizza"),
        ("Easy {a} recipe in {n} minutes", "How to cook the perfect {a}",
         "{a} & {b} - weeknight dinner", "Chef's {a} recipe (serves {n})"),
    ),
    "travel": (
        ("Travels", "Abroad", "Wanderlust", "Journeys"),
        ("Japan", "Lisbon", "Iceland", "Tōkyō", "Marrakesh", "the Alps"),
        ("{n} days in {a} - travel vlog", "{a} travel guide", "From {a} to {b} by train",
         "Is {a} worth visiting?"),
    ),
    "comedy": (
        ("Comedy", "Laughs", "Sketches", "Improv"),
        ("stand-up", "prank", "roast", "sketch", "bloopers"),
        ("Funniest {a} moments #{n}", "{a} comedy special - part {n}", "\"{a}\" gone wrong",
         "Best {a} & {b} compilation"),
    ),
    "film & tv": (
        ("Pictures", "Trailers", "Cinema", "TV"),
        ("movie", "series", "trailer", "season finale", "documentary"),
        ("Official {a} trailer #{n}", "{a} review (no spoilers)", "Top {n} {a} scenes",
         "The {a} that changed film & TV"),
    ),
    "tech reviews": (
        ("Tech", "Reviews", "Unboxed", "Gadgets"),
        ("smartphone", "laptop", "headphones", "camera", "smartwatch", "tablet"),
        ("{a} review after {n} months", "{a} unboxing & first impressions",
         "Best {a} under ${n}00", "{a} vs {b} - tech review"),
    ),
    "fitness": (
        ("Fitness", "Fit", "Yoga", "Training"),
        ("HIIT", "yoga", "full body workout", "abs", "running", "stretching"),
        ("{n} minute {a} workout", "{a} for beginners - day {n}", "{a} & {b} routine",
         "Daily {a} challenge #{n}"),
    ),
    "finance": (
        ("Finance", "Money", "Invest", "Wealth"),
        ("stocks", "ETF", "budgeting", "crypto", "the housing market", "retirement"),
        ("{a} investing explained", "How I saved {n}k with {a}", "{a} vs {b} in {n}",
         "Personal finance: {a} basics"),
    ),
    "history": (
        ("History", "Chronicles", "Timeline", "Archive"),
        ("the Roman Empire", "the Vikings", "World War II", "ancient Egypt", "the Ottomans"),
        ("The history of {a} in {n} minutes", "{a} documentary", "How {a} fell",
         "{a} & {b}: a history"),
    ),
    "diy": (
        ("DIY", "Workshop", "Makes", "Builds"),
        ("woodworking", "shelf", "garden bed", "3D printing", "home repair"),
        ("DIY {a} build", "{a} project in {n} steps", "How to make a {a}",
         "{a} & {b} - weekend DIY"),
    ),
    "art": (
        ("Art", "Draws", "Studio", "Paints"),
        ("watercolor", "oil painting", "drawing", "sketchbook", "portrait", "calligraphy"),
        ("{a} tutorial - {b}", "{a} speedpaint #{n}", "Art challenge: {a} for {n} days",
         "My {a} process"),
    ),
    "automotive": (
        ("Motors", "Cars", "Garage", "Drives"),
        ("car", "EV", "supercar", "engine", "track day", "motorcycle"),
        ("{a} review & test drive", "{a} vs {b} drag race", "{a} restoration part {n}",
         "Top {n} {a} mods"),
    ),
    "kids": (
        ("Kids", "Kids TV", "Nursery Rhymes", "Toons"),
        ("nursery rhymes", "cartoon", "ABC song", "bedtime story", "toys"),
        ("{a} for kids", "{a} & {b} - episode {n}", "Kids {a} compilation",
         "{n} minutes of {a}"),
    ),
    "podcasts": (
        ("Podcast", "Show", "Talks", "Radio"),
        ("interview", "episode", "conversation", "Q&A", "roundtable"),
        ("Podcast #{n} - {a} with {b}", "Full {a} (episode {n})", "The {a} podcast",
         "Ep. {n}: an honest {a}"),
    ),
}

# Syllables of made-up, pronounceable names.
_ONSETS: Final = ("b", "br", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "st", "t", "v", "z")
_VOWELS: Final = ("a", "e", "i", "o", "u", "ai", "io", "ou")
_CODAS: Final = ("", "", "", "n", "r", "l", "s", "x")
_NAME_FLAVOURS: Final = ("", "", "", "", "'s", " & Co", " Café", " ✨")

_MUSIC_SUFFIXES: Final = (
    "",
    "",
    "",
    " (Remix)",
    " (Live)",
    " (Acoustic)",
    " - Radio Edit",
    " (feat. {b})",
)
_SONG_ADJECTIVES: Final = (
    "Golden", "Midnight", "Electric", "Paper", "Silver", "Velvet", "Neon", "Broken", "Summer",
    "Wild", "Quiet", "Crystal", "Hollow", "Lonely", "Burning", "Mañana", "Amour", "東京の",
)
_SONG_NOUNS: Final = (
    "Hearts", "Rivers", "Skies", "Lights", "Dreams", "Roads", "Waves", "Echoes", "City",
    "Fire", "Rain", "Garden", "Story", "Ghost", "Season", "Azul", "Nocturne", "夜",
)

_AD_BRANDS: Final = (
    "Lumora", "Vexa", "Bravio", "Quenta", "Solvi", "Nordlys", "Pakto", "Zeniq", "Orbea Pay",
)
_AD_TEMPLATES: Final = (
    "{b} - Try it free for 30 days",
    "#{b}Series",
    "Meet the new {b} {p}",
    "{b} | {p} - Official Ad",
    "Save 20% with {b} today",
    "{b} {p}: made for you",
)
_AD_PRODUCTS: Final = ("Phone X", "Premium", "Bank", "Shoes", "Delivery", "Cloud", "Sneakers")


def syllable_words(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` capitalised made-up words of two or three syllables."""
    syllables = [o + v + c for o in _ONSETS for v in _VOWELS for c in _CODAS]
    lengths = rng.integers(2, 4, count)
    picks = rng.integers(0, len(syllables), (count, 3))
    return [
        "".join(syllables[i] for i in row[:length]).capitalize()
        for row, length in zip(picks.tolist(), lengths.tolist(), strict=True)
    ]


def channel_name(rng: np.random.Generator, topic: str, word: str, other: str) -> str:
    """A channel name for ``topic`` built from made-up words (music: an artist's name)."""
    if topic == "music":
        form = int(rng.integers(0, 4))
        artist = (f"{word} {other}", word, f"The {word}s", f"DJ {word}")[form]
        return f"{artist} - Topic" if rng.random() < 0.6 else artist
    suffixes = _TOPIC_WORDS[topic][0]
    flavour = _NAME_FLAVOURS[int(rng.integers(0, len(_NAME_FLAVOURS)))]
    return f"{word}{flavour} {suffixes[int(rng.integers(0, len(suffixes)))]}"


def video_titles(rng: np.random.Generator, topics: list[str], music: np.ndarray) -> list[str]:
    """One title per video: ``topics[i]`` is the video's channel topic, ``music[i]`` whether
    it is a YouTube Music track (a song title rather than a video title)."""
    count = len(topics)
    a, b, n, t = (rng.integers(0, 1 << 30, count).tolist() for _ in range(4))
    numbers = rng.integers(1, 60, count).tolist()
    titles: list[str] = []
    for topic, is_music, ia, ib, it, number in zip(
        topics, music.tolist(), a, b, t, numbers, strict=True
    ):
        if is_music:
            song = f"{_SONG_ADJECTIVES[ia % 18]} {_SONG_NOUNS[ib % 18]}"
            suffix = _MUSIC_SUFFIXES[it % len(_MUSIC_SUFFIXES)]
            titles.append(song + suffix.format(b=_SONG_ADJECTIVES[it % 18]))
            continue
        _, nouns, templates = _TOPIC_WORDS[topic]
        titles.append(
            templates[it % len(templates)].format(
                a=nouns[ia % len(nouns)], b=nouns[ib % len(nouns)], n=number
            )
        )
    return titles


def ad_titles(rng: np.random.Generator, count: int) -> list[str]:
    """Titles that read like ads (brand, product, a call to action)."""
    picks = rng.integers(0, 1 << 30, (count, 3)).tolist()
    return [
        _AD_TEMPLATES[t % len(_AD_TEMPLATES)].format(
            b=_AD_BRANDS[b % len(_AD_BRANDS)], p=_AD_PRODUCTS[p % len(_AD_PRODUCTS)]
        )
        for t, b, p in picks
    ]


def topic_nouns(topic: str) -> tuple[str, ...]:
    """The nouns titles of ``topic`` use (what someone would type into the search box)."""
    return _TOPIC_WORDS[topic][1]
