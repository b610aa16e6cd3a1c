"""How Takeout writes a watch history in each language: the one table both ways use.

The importers read these tables (to strip the "watched" verb from a JSON title, to spot a
removed video, an ad caption, and to parse a localized HTML timestamp) and the synthetic-data
writer (``watchcube.synth``) writes Takeout HTML/JSON from the same tables, so a round trip
through both is a test of each.

Public structure:

- ``Locale``: one language/region as Takeout writes it (fields documented on the class).
- ``LOCALES``: code -> ``Locale``; ``LOCALE_CODES``: the codes in a stable order.
- ``watched_title(locale, title)``: the JSON ``title`` of a watch entry ("Watched <title>").
- ``watched_line_html(locale, link_html)``: the first line of an HTML entry (verb + link).
- ``format_html_timestamp(locale, wall, abbreviation)``: an HTML timestamp exactly as written.

``date_format`` is a small pattern language (parsed by ``watchcube.ingest.timestamps``):
``{d}``/``{dd}`` day (``dd`` zero-padded), ``{m}``/``{mm}`` month number, ``{mon}`` the month
abbreviation from ``months``, ``{yyyy}`` year, ``{H}``/``{HH}`` 24-hour, ``{h}`` 12-hour,
``{MM}`` minutes, ``{SS}`` seconds, ``{ampm}`` one of ``ampm``, ``{tz}`` the zone abbreviation.
Any other character is literal; a whitespace character is written as is and read as any run of
whitespace (Takeout uses U+202F or U+00A0 before AM/PM, and re-indented files break lines), and
a comma is read as optional (CLDR versions differ in the glue between date and time).

``source`` says, per field, what was seen in a real export (and where) and what is still only
derived from CLDR data or from other parsers' guesses: "unverified" means exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

# What Takeout puts between the verb and the title link in HTML (a no-break space).
HTML_VERB_SEPARATOR: Final = "\xa0"


@dataclass(frozen=True, slots=True)
class Locale:
    """One export language. Strings are exactly as Takeout writes them (see ``source``)."""

    code: str  # BCP 47 tag, e.g. "en-US"
    watched_prefix: str  # verb before the title ("Watched"); "" when the verb follows it
    watched_suffix: str  # verb after the title ("を視聴しました"); "" when it precedes it
    removed_title: str  # the whole line written for a video that has been removed
    details_word: str  # caption label of an ad entry ("Details"), without the colon
    products_word: str  # caption label listing the products ("Products"), without the colon
    months: tuple[str, ...]  # the 12 month abbreviations as written in timestamps
    date_format: str  # timestamp pattern, see the module docstring
    ampm: tuple[str, str] | None = None  # AM/PM words for 12-hour clocks
    month_aliases: tuple[tuple[str, int], ...] = ()  # other spellings, e.g. (("Sep", 9),)
    source: str = ""  # where these strings were seen in real exports

    def __post_init__(self) -> None:
        if len(self.months) != 12:
            raise ValueError(f"{self.code}: months must list 12 abbreviations")
        if bool(self.watched_prefix) == bool(self.watched_suffix):
            raise ValueError(f"{self.code}: give exactly one of watched_prefix/watched_suffix")
        if ("{ampm}" in self.date_format) != (self.ampm is not None):
            raise ValueError(f"{self.code}: {{ampm}} and ampm go together")

    def month_numbers(self) -> dict[str, int]:
        """Month spellings (case-folded, without a trailing dot) -> month number 1-12."""
        table = {_month_key(name): number for number, name in enumerate(self.months, 1)}
        table.update((_month_key(name), number) for name, number in self.month_aliases)
        return table


def _month_key(name: str) -> str:
    return name.casefold().rstrip(".")


_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Spanish abbreviations, without a dot (both Spanish locales; "sep" read as September too).
_ES_MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic")

LOCALES: Final[dict[str, Locale]] = {
    locale.code: locale
    for locale in (
        Locale(
            code="en-US",
            watched_prefix="Watched",
            watched_suffix="",
            removed_title="Watched a video that has been removed",
            details_word="Details",
            products_word="Products",
            months=_EN_MONTHS,
            date_format="{mon} {d}, {yyyy}, {h}:{MM}:{SS}\u202f{ampm} {tz}",
            ampm=("AM", "PM"),
            source="verified: beytullahdizman/CS210 watch-history.html (en-US, TRT; verb,"
            " removed line, U+202F before AM/PM, 'Details:' ads)",
        ),
        Locale(
            code="en-GB",
            watched_prefix="Watched",
            watched_suffix="",
            removed_title="Watched a video that has been removed",
            details_word="Details",
            products_word="Products",
            months=(*_EN_MONTHS[:8], "Sept", *_EN_MONTHS[9:]),
            date_format="{d} {mon} {yyyy}, {HH}:{MM}:{SS} {tz}",
            month_aliases=(("Sep", 9),),
            source="verified: LemmingsCode/youtube-history watch-history.html (en-AU, AEDT,"
            " 'Sept'); removed line as en-US, unverified for en-GB",
        ),
        Locale(
            code="fr-FR",
            watched_prefix="Vous avez regardé",
            watched_suffix="",
            removed_title="Vous avez regardé une vidéo qui a été supprimée",
            details_word="Détails",
            products_word="Produits",
            months=(
                "janv.",
                "févr.",
                "mars",
                "avr.",
                "mai",
                "juin",
                "juil.",
                "août",
                "sept.",
                "oct.",
                "nov.",
                "déc.",
            ),
            date_format="{d} {mon} {yyyy} à {HH}:{MM}:{SS} {tz}",
            source="verified: wdescamps/YT_History data/watch-history.html (fr, UTC; verb +"
            " U+00A0, 'avr.', 'mars', ' à '); removed line, 'Détails', other months: CLDR,"
            " unverified",
        ),
        Locale(
            code="de-DE",
            watched_prefix="",
            watched_suffix="angesehen",
            removed_title="Ein Video, das entfernt wurde, angesehen",
            details_word="Details",
            products_word="Produkte",
            months=(
                "Jan.",
                "Feb.",
                "März",
                "Apr.",
                "Mai",
                "Juni",
                "Juli",
                "Aug.",
                "Sept.",
                "Okt.",
                "Nov.",
                "Dez.",
            ),
            date_format="{dd}.{mm}.{yyyy}, {HH}:{MM}:{SS} {tz}",
            source="verified: verb after the link ('</a>\\xa0angesehen<br>') and the date"
            " '(d)d.(m)m.yyyy, H:MM:SS ZONE' in A3M4/YouTube-Report parse.py (a German"
            " export's regex), '01.09.2022, 21:08:12' in purarue/google_takeout_parser PR #59;"
            " unverified: removed line, zone spelling (MEZ/MESZ or CET/CEST, both read),"
            " 'Produkte' (CLDR/translation)",
        ),
        Locale(
            code="es-ES",
            watched_prefix="Has visto",
            watched_suffix="",
            removed_title="Has visto un vídeo que se ha eliminado",
            details_word="Detalles",
            products_word="Productos",
            months=_ES_MONTHS,
            date_format="{d} {mon} {yyyy}, {H}:{MM}:{SS} {tz}",
            month_aliases=(("sep", 9),),
            source="verified: 'Has visto <a ...>', months 'mar'/'ago'/'sept'/'ene' without a"
            " dot and '7 mar 2016, 22:11:49 CEST' (24-hour, CLDR 'CEST') in the tests of a"
            " Spanish-export parser (personal_ai youtube_history, code index); unverified:"
            " removed line, 'Detalles', 'Productos'",
        ),
        Locale(
            code="es-419",
            watched_prefix="Has visto",
            watched_suffix="",
            removed_title="Has visto un video que se eliminó",
            details_word="Detalles",
            products_word="Productos",
            months=_ES_MONTHS,
            date_format="{d} {mon} {yyyy}, {h}:{MM}:{SS} {ampm} {tz}",
            ampm=("a.m.", "p.m."),
            month_aliases=(("sep", 9),),
            source="Latin-American Spanish, 12-hour: '3 jul 2026, 5:00:15 p.m. IDT' and 'Has"
            " visto' quoted as a real export's shape in a music-history parser's tests (code"
            " index); removed line from a Takeout test generator that says it copied es-419"
            " strings from a real export but could not verify; months CLDR; rest unverified",
        ),
        Locale(
            code="nl-NL",
            watched_prefix="",
            watched_suffix="bekeken",
            removed_title="Een video bekeken die is verwijderd",
            details_word="Details",
            products_word="Producten",
            months=(
                "jan",
                "feb",
                "mrt",
                "apr",
                "mei",
                "jun",
                "jul",
                "aug",
                "sep",
                "okt",
                "nov",
                "dec",
            ),
            date_format="{d} {mon} {yyyy}, {HH}:{MM}:{SS} {tz}",
            source="date: spraot/gphotos-sync issue #2 (Google Photos' Dutch"
            " '1 mrt 2025, 20:55:21', not a Takeout export); verb, removed line, months, zone:"
            " CLDR-derived, unverified",
        ),
        Locale(
            code="pt-BR",
            watched_prefix="Assistiu a",
            watched_suffix="",
            removed_title="Assistiu a um vídeo que foi removido",
            details_word="Detalhes",
            products_word="Produtos",
            months=(
                "jan.",
                "fev.",
                "mar.",
                "abr.",
                "mai.",
                "jun.",
                "jul.",
                "ago.",
                "set.",
                "out.",
                "nov.",
                "dez.",
            ),
            date_format="{d} de {mon} de {yyyy}, {HH}:{MM}:{SS} {tz}",
            source="verified: LorenzoCW/YouTube-History-Parser parse_youtube_history.py"
            " ('9 de set. de 2024, 22:16:56 BRT', months 'jan.'..'dez.' with a dot,"
            " 'Produtos', 'Detalhes'); unverified: verb 'Assistiu a', removed line",
        ),
        Locale(
            code="pt-PT",
            watched_prefix="Viu",
            watched_suffix="",
            removed_title="Viu um vídeo que foi removido",
            details_word="Detalhes",
            products_word="Produtos",
            months=(
                "jan.",
                "fev.",
                "mar.",
                "abr.",
                "mai.",
                "jun.",
                "jul.",
                "ago.",
                "set.",
                "out.",
                "nov.",
                "dez.",
            ),
            date_format="{dd}/{mm}/{yyyy}, {HH}:{MM}:{SS} {tz}",
            source="CLDR pt-PT medium pattern and a guessed verb: nothing verified",
        ),
        Locale(
            code="ja-JP",
            watched_prefix="",
            watched_suffix="を視聴しました",
            removed_title="削除された動画 を視聴しました",
            details_word="詳細",
            products_word="サービス",
            months=tuple(f"{number}月" for number in range(1, 13)),
            date_format="{yyyy}/{mm}/{dd} {H}:{MM}:{SS} {tz}",
            source="verified: aiouku/YoutubeAnalyst test.py reads a Japanese"
            " watch-history.html as '%Y/%m/%d %H:%M:%S' + ' JST'; JSON titles"
            " '<title> を視聴しました' (several Japanese parsers in the code index strip"
            " ' を視聴しました'); unverified: zero padding, removed line, 詳細/サービス",
        ),
    )
}

LOCALE_CODES: Final[tuple[str, ...]] = tuple(LOCALES)


def watched_title(locale: Locale, title: str) -> str:
    """The JSON ``title`` of a watch entry: the video title with the locale's verb."""
    if locale.watched_prefix:
        return f"{locale.watched_prefix} {title}"
    return f"{title} {locale.watched_suffix}"


def watched_line_html(locale: Locale, link_html: str) -> str:
    """The first line of an HTML watch entry: the verb and the (already escaped) title link."""
    if locale.watched_prefix:
        return f"{locale.watched_prefix}{HTML_VERB_SEPARATOR}{link_html}"
    return f"{link_html}{HTML_VERB_SEPARATOR}{locale.watched_suffix}"


def format_html_timestamp(locale: Locale, wall: datetime, abbreviation: str) -> str:
    """Write ``wall`` (a naive wall-clock time in ``abbreviation``) as Takeout does."""
    hour12 = wall.hour % 12 or 12
    fields = {
        "d": str(wall.day),
        "dd": f"{wall.day:02d}",
        "m": str(wall.month),
        "mm": f"{wall.month:02d}",
        "mon": locale.months[wall.month - 1],
        "yyyy": f"{wall.year:04d}",
        "H": str(wall.hour),
        "HH": f"{wall.hour:02d}",
        "h": str(hour12),
        "MM": f"{wall.minute:02d}",
        "SS": f"{wall.second:02d}",
        "ampm": locale.ampm[wall.hour >= 12] if locale.ampm else "",
        "tz": abbreviation,
    }
    return locale.date_format.format_map(fields)
