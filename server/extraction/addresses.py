"""Postal addresses as pages print them, in the countries' own formats. Pure: text in, addresses out.

US, Canadian and British addresses are read by pyap (its maintained fork ``pyap-beauhurst``):
"2200 Mission College Blvd., Santa Clara, CA 95052-8119"; "1 Canada Square, London E14 5AB" (Canadian
ones only where pyap's rules for them compile, see ``pyap_reads``).
Continental Europe writes the postal code before the city ("Leitnergasse 16, 8010 Graz", "CH-6300 Zug",
"12 rue de Rivoli, 75001 Paris"), which no parser that ships its data reads, so that format is matched
here: a postal code and a capitalised city, with either a street and house number before it or a
country prefix ("CH-"), so that "8200 Mitarbeiter" or "Nr. 1 seit 2008" is no address.

Both readers first look for the cheap anchor of an address (a postal code beside a city), then parse
only the few hundred characters around it: a 2 MB page costs a scan, not a parser run over all of it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Any

import pyap_beauhurst as pyap
import pycountry
from lxml import etree  # type: ignore[import-untyped]

from server.extraction.markup import Element, page_body
from server.extraction.statements import text_blocks

QUOTE_CHARS = 200
ANGLO_COUNTRIES = ("US", "CA", "GB")
# Anchors: "CA 95052", "CA 95052-8119" (US), "E14 5AB" (GB), "K1A 0B1" (CA). Each opens with a capital
# letter, the word boundary before it checked from behind (``WORD_CAPITAL``): re skips to the next
# candidate character in C instead of trying the whole pattern at every position. What follows the
# capital differs by country; one scan tries each country's rest at every such capital (``ANGLO_ANCHOR_RE``).
WORD_CAPITAL = r"[A-Z](?<=\b[A-Z])"
ANGLO_ANCHOR_RESTS = {
    "US": r"[A-Z]\.?\s+\d{5}(?:-\d{4})?\b",
    "GB": r"[A-Z]?\d[A-Z\d]?\s*\d[A-Z]{2}\b",
    "CA": r"\d[A-Z]\s?\d[A-Z]\d\b",
}


def _any_of_after(lead: str, rests: dict[str, str]) -> re.Pattern[str]:
    """``lead``, then each of ``rests`` tried from the same place: its group (its name) ends where it does,
    or takes no part. A place where none matches is no match."""
    tries = "".join(f"(?:(?=(?P<{name}>{rest}))|)" for name, rest in rests.items())
    none_matched = "(?!)"
    for name in reversed(rests):
        none_matched = f"(?({name})|{none_matched})"
    return re.compile(lead + tries + none_matched)


ANGLO_ANCHOR_RE = _any_of_after(WORD_CAPITAL, ANGLO_ANCHOR_RESTS)
MAX_ANCHORS = 40  # pyap runs per country and page at most this often
ANCHOR_WINDOW = 160  # characters before an anchor that an address's street and city fit in
LEAD_WINDOW = 80  # characters before a PIN code that a city and state fit in
# "[CH-]6300 Zug", "75008 Paris", "D-80333 München": postal code, then a capitalised city name.
# Written from its first character on, like the anchors: that character (a prefix's letter or the postal
# code's first digit, no word character or "-" before it), then the rest of the prefix and the postal
# code, or the rest of the postal code (``_prefix_and_postal`` puts them together).
POSTAL_CITY_RE = re.compile(
    r"(?P<first>[A-Z\d])(?<![\w-][A-Z\d])"
    r"(?:(?<=[A-Z])(?P<prefix>[A-Z]?)\s?-\s?(?P<postal>\d{4}\s?[A-Z]{2}(?=\s)|\d{2,4}-\d{3}|\d{4,5})"
    r"|(?<=\d)(?P<rest>\d{3}\s?[A-Z]{2}(?=\s)|\d{1,3}-\d{3}|\d{3,4}))\s+"
    r"(?P<city>[A-ZÄÖÜÉÈ][\w'\u2019.\-]*"
    r"(?:[ \-](?:[A-ZÄÖÜÉÈ][\w'\u2019.\-]*|am|an|bei|im|in|ob|sur|sous|en|de|la|le)){0,3})"
)
# The street before it: "Leitnergasse 16", "Werner-von-Siemens-Straße 1a", "Am Markt 3-5" (German
# order), or "12 rue de Rivoli", "3bis avenue Foch" (French and Spanish order).
STREET_BEFORE_RE = re.compile(
    r"(?:(?P<name_first>(?:[A-ZÄÖÜ][\w'.\-]*\s){0,3}[\w'.\-]*[^\W\d]\.?\s\d{1,4}\s?[a-zA-Z]?(?:\s?[-/]\s?\d{1,4}[a-zA-Z]?)?)"
    r"|(?P<number_first>\d{1,4}(?:\s?(?:bis|ter|[a-z]))?,?\s(?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|impasse"
    r"|quai|route|cours|calle|avenida|paseo|plaza|via|viale|piazza|corso)\s[^\d,|]{2,40}?))"
    r"[,\s]*(?:\||·|•|-|\u2013)?\s*$"
)
# Digits of each country's postal code where the postal code comes before the city.
POSTAL_DIGITS = {
    "DE": 5, "FR": 5, "ES": 5, "IT": 5, "FI": 5, "SE": 5, "MC": 5, "AT": 4, "CH": 4, "LI": 4, "BE": 4,
    "LU": 4, "DK": 4, "NO": 4, "HU": 4, "SI": 4,
}  # fmt: skip
# Postal codes whose shape names their country: "1012 AB" (NL), "00-950" (PL), "1000-001" (PT).
POSTAL_SHAPES = (
    (re.compile(r"\d{4}\s?[A-Z]{2}"), "NL"),
    (re.compile(r"\d{2}-\d{3}"), "PL"),
    (re.compile(r"\d{4}-\d{3}"), "PT"),
)
# Country prefixes of the postal-code form ("D-80333", "CH-6300", "F-75008").
PREFIX_COUNTRIES = {"D": "DE", "A": "AT", "F": "FR", "E": "ES", "I": "IT", "B": "BE", "L": "LU", "FL": "LI"}
YEAR_RE = re.compile(r"(?:19|20)\d{2}")
YEAR_SPAN_END_RE = re.compile(r"(?:(?:19|20)\d{2}\s*[-\u2013\u2014]|©|\(c\)|copyright)\s*$", re.IGNORECASE)


def _folded(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


# pycountry's names of India's states ("Karnātaka") as printed ("Karnataka"), with their own spelling.
INDIAN_STATES: dict[str, str] = {
    spelling.casefold(): str(state.name)
    for state in pycountry.subdivisions.get(country_code="IN") or []  # type: ignore[no-untyped-call]
    for spelling in {str(state.name), _folded(str(state.name))}
}
# (Its digit first, the boundary checked from behind: see the anchors.)
PIN_RE = re.compile(r"[1-9](?<![\d-][1-9])\d{2}\s?\d{3}(?![\d-])")
# What stands before a PIN code, read back from it: "Bengaluru, Karnataka ", "Mumbai - ".
INDIAN_CITY_BEFORE_RE = re.compile(
    r"(?P<city>[A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+){0,2})\s*(?:,\s*(?P<state>(?i:"
    + "|".join(sorted((re.escape(name) for name in INDIAN_STATES), key=len, reverse=True))
    + r")))?\s*[-\u2013,]?\s*$"
)
CITY_STOP_WORDS = frozenset(
    {"Tel", "Telefon", "Phone", "Fax", "Mail", "E-Mail", "Email", "Web", "Www", "Fon", "Tél", "Mobil"}
)


@dataclass(frozen=True)
class PrintedAddress:
    """An address as printed: its parts (``headquarters_from`` keywords), where it starts, and the quote."""

    street: str | None
    city: str
    postal: str | None
    region: str | None
    country_code: str | None  # only when the address itself states it (prefix, country word, format)
    start: int
    quote: str


# Spans of a text, (start, end): where its anchors are looked for.
Zones = Sequence[tuple[int, int]]
DIGIT_RE = re.compile(r"\d")  # the ``\d`` of the anchors: every anchor holds one


def find_addresses(text: str, zones: Zones | None = None) -> list[PrintedAddress]:
    """Every postal address printed in ``text``, in page order, each once.

    ``zones`` (``digit_zones``), in order, are the spans of ``text`` that may hold an anchor: the anchors
    are looked for there only (the text around them is read as before), the same ones a scan of the
    whole text finds.
    """
    zones = zones if zones is not None else ((0, len(text)),)
    found = [
        *_anglo_addresses(text, zones),
        *_continental_addresses(text, zones),
        *_indian_addresses(text, zones),
    ]
    found.sort(key=lambda address: address.start)
    unique: list[PrintedAddress] = []
    for address in found:
        if not any(address.city == known.city and address.postal == known.postal for known in unique):
            unique.append(address)
    return unique


def digit_zones(text: str, starts: Sequence[int], ends: Sequence[int]) -> list[tuple[int, int]]:
    """The zones of ``text`` that hold an anchor if it holds any, for ``find_addresses``.

    ``text`` is parts joined by a separator holding a comma (``BLOCK_SEPARATOR``), each part's start
    and end in ``starts`` and ``ends``. Every anchor holds a digit and no comma (none of the anchors
    admits one), and each anchor's closing check (a word boundary, "followed by a space", "not followed
    by a digit or dash") reads a comma as it reads the end of the text: the anchors are the same ones
    looked for part by part, in only the parts with a digit (a third of a page's text), found by one
    search through the text per such part.
    """
    zones: list[tuple[int, int]] = []
    read = 0
    while (digit := DIGIT_RE.search(text, read)) is not None:
        index = bisect_right(starts, digit.start()) - 1  # the separator holds no digit: a part's own
        if zones and zones[-1][1] + len(BLOCK_SEPARATOR) == starts[index]:  # the part right after the last
            zones[-1] = (zones[-1][0], ends[index])
        else:
            zones.append((starts[index], ends[index]))
        read = ends[index]
    return zones


def _anchors(anchor: re.Pattern[str], text: str, zones: Zones) -> Iterator[re.Match[str]]:
    """``anchor.finditer(text)`` within each zone (``re`` reads the text around a zone for lookbehinds)."""
    for start, end in zones:
        yield from anchor.finditer(text, start, end)


def anglo_anchors(text: str, zones: Zones) -> dict[str, list[tuple[int, int]]]:
    """Each country's anchors in ``zones`` of ``text``, (start, end) in order, from one scan: the ones
    ``finditer`` of ``WORD_CAPITAL`` and the country's rest finds zone by zone (each after the last)."""
    found: dict[str, list[tuple[int, int]]] = {country: [] for country in ANGLO_ANCHOR_RESTS}
    for start, end in zones:
        for match in ANGLO_ANCHOR_RE.finditer(text, start, end):
            for country, spans in found.items():
                anchor_end = match.end(country)
                if anchor_end != -1 and (not spans or match.start() >= spans[-1][1]):
                    spans.append((match.start(), anchor_end))
    return found


def _anglo_addresses(text: str, zones: Zones) -> list[PrintedAddress]:
    found: list[PrintedAddress] = []
    for country, anchors in anglo_anchors(text, zones).items():
        seen_end = -1
        for tried, (anchor_start, anchor_end) in enumerate(anchors):
            if tried >= MAX_ANCHORS:
                break  # a page of a thousand "CA 90210"s is a list, not a company's address
            if anchor_end <= seen_end:
                continue
            if not pyap_reads(country):
                break
            start = max(0, anchor_start - ANCHOR_WINDOW)
            window = text[start : anchor_end + 40]
            for parsed in pyap.parse(window, country=country):
                if parsed is None:
                    continue
                parts = parsed.model_dump()
                if not parts.get("city") or not parts.get("postal_code"):
                    continue
                begin = start + int(parts.get("match_start") or 0)
                seen_end = max(seen_end, start + int(parts.get("match_end") or 0))
                found.append(_from_pyap(parts, country, begin))
    return found


@cache
def pyap_reads(country: str) -> bool:
    """Whether pyap's rules for ``country`` compile here: its Canadian ones define a group name twice,
    which ``re`` refuses (on every call: ``re`` keeps no failed pattern), so they read nothing."""
    try:
        pyap.parse("", country=country)
    except re.error:
        return False
    return True


def _from_pyap(parts: dict[str, Any], country: str, begin: int) -> PrintedAddress:
    full = str(parts.get("full_address") or "")
    return PrintedAddress(
        street=str(parts.get("full_street") or "").strip(" ,") or None,
        city=str(parts["city"]).strip(" ,"),
        postal=str(parts["postal_code"]).strip(),
        region=str(parts["region1"]).strip(" .") if parts.get("region1") else None,
        country_code=country,
        start=begin,
        quote=full[:QUOTE_CHARS],
    )


def _continental_addresses(text: str, zones: Zones) -> list[PrintedAddress]:
    found: list[PrintedAddress] = []
    for tried, match in enumerate(_anchors(POSTAL_CITY_RE, text, zones)):
        if tried >= MAX_ANCHORS * 4:  # cheap to check, but not without end
            break
        city = _trim_city(match.group("city"))
        prefix, postal = _prefix_and_postal(match)
        if not city or city.split(" ")[0] in CITY_STOP_WORDS:
            continue
        country = _prefix_country(prefix) if prefix else None
        if prefix and country is None:
            continue  # "AB-1234 Name" is a product code, not a country prefix
        after = text[match.end() : match.end() + 40]
        country = country or _country_after(after)
        shaped = next((code for shape, code in POSTAL_SHAPES if shape.fullmatch(postal)), None)
        if shaped is not None:
            if country and country != shaped:
                continue
            country = shaped
        elif not postal.isdigit() or (country and POSTAL_DIGITS.get(country, len(postal)) != len(postal)):
            continue
        head = text[max(0, match.start() - ANCHOR_WINDOW) : match.start()]
        if YEAR_SPAN_END_RE.search(head) and YEAR_RE.fullmatch(postal):
            continue  # "© 1998 - 2018 Tencent": a span of years, not a postal code
        street_match = STREET_BEFORE_RE.search(head)
        street = None
        if street_match:
            street = (street_match.group("name_first") or street_match.group("number_first") or "").strip(
                " ,"
            )
            street = _trim_street(street)
        if not street and not prefix:
            continue  # a bare "8200 Mitarbeiter": no street, no country mark, no address
        begin = (
            match.start() - (len(head) - street_match.start()) if street_match and street else match.start()
        )
        end = match.start("city") + len(city)
        found.append(
            PrintedAddress(
                street=street,
                city=city,
                postal=postal,
                region=None,
                country_code=country,
                start=begin,
                quote=text[begin : min(end, begin + QUOTE_CHARS)].strip(),
            )
        )
    return found


def _prefix_and_postal(match: re.Match[str]) -> tuple[str | None, str]:
    """A ``POSTAL_CITY_RE`` match's country prefix ("CH", None without one) and postal code."""
    if match.group("postal") is not None:
        return match.group("first") + match.group("prefix"), match.group("postal")
    return None, match.group("first") + match.group("rest")


def _indian_addresses(text: str, zones: Zones) -> list[PrintedAddress]:
    """ "12 MG Road, Bengaluru, Karnataka 560001": a city, a state of India and a six-digit PIN code
    (a state named beside it, or "India" after it, tells a PIN from any six-digit number)."""
    found: list[PrintedAddress] = []
    for tried, pin in enumerate(_anchors(PIN_RE, text, zones)):
        if tried >= MAX_ANCHORS:
            break
        window_start = max(0, pin.start() - LEAD_WINDOW)
        match = INDIAN_CITY_BEFORE_RE.search(text[window_start : pin.start()])
        if match is None:
            continue
        if not match.group("state") and not re.match(r"\s*,?\s*India\b", text[pin.end() : pin.end() + 12]):
            continue
        city_start = window_start + match.start()
        head = text[max(0, city_start - ANCHOR_WINDOW) : city_start].rstrip(" ,")
        segments = [part.strip() for part in head.split(",")][-3:]
        street_parts = segments if any(char.isdigit() for char in "".join(segments)) else []
        while street_parts and not any(char.isdigit() for char in street_parts[0]):
            street_parts = street_parts[1:]  # from the segment with the house or plot number on
        street = ", ".join(street_parts) or None
        begin = max(city_start - (len(street) + 2 if street else 0), 0)
        state = match.group("state")
        found.append(
            PrintedAddress(
                street=street,
                city=match.group("city"),
                postal=pin.group().replace(" ", ""),
                region=INDIAN_STATES.get(state.casefold()) if state else None,
                country_code="IN",
                start=begin,
                quote=text[begin : min(pin.end(), begin + QUOTE_CHARS)].strip(),
            )
        )
    return found


def _trim_city(city: str) -> str:
    """The city without a trailing country or label ("Zug - Schweiz" is cut at the dash by the pattern)."""
    words = city.strip(" .,-").split(" ")
    kept: list[str] = []
    for word in words:
        if word.strip(".,") in CITY_STOP_WORDS or _country_code(word.strip(".,")):
            break
        kept.append(word)
    return " ".join(kept).strip(" .,-")


def _trim_street(street: str) -> str | None:
    """The street without words of the sentence before it: from its first capitalised word or number."""
    words = street.split(" ")
    while len(words) > 2 and not (words[0][:1].isupper() or words[0][:1].isdigit()):
        words = words[1:]
    text = " ".join(words).strip(" ,")
    return text or None


def _prefix_country(prefix: str) -> str | None:
    if prefix in PREFIX_COUNTRIES:
        return PREFIX_COUNTRIES[prefix]
    return prefix if len(prefix) == 2 and pycountry.countries.get(alpha_2=prefix) is not None else None


def _country_after(after: str) -> str | None:
    """A country named right after the city ("6300 Zug - Schweiz", "8010 Graz, Austria")."""
    match = re.match(r"\s*[-\u2013,|/]?\s*([^\W\d]{4,20})\b", after)
    return _country_code(match.group(1)) if match else None


COUNTRY_WORDS = {
    "deutschland": "DE", "germany": "DE", "österreich": "AT", "austria": "AT", "schweiz": "CH",
    "suisse": "CH", "svizzera": "CH", "switzerland": "CH", "france": "FR", "frankreich": "FR",
    "españa": "ES", "spain": "ES", "spanien": "ES", "italia": "IT", "italy": "IT", "italien": "IT",
    "belgique": "BE", "belgië": "BE", "belgium": "BE", "luxembourg": "LU", "liechtenstein": "LI",
    "danmark": "DK", "denmark": "DK", "norge": "NO", "norway": "NO", "sverige": "SE", "sweden": "SE",
    "suomi": "FI", "finland": "FI", "monaco": "MC", "magyarország": "HU", "hungary": "HU",
    "nederland": "NL", "netherlands": "NL", "polska": "PL", "poland": "PL", "portugal": "PT",
}  # fmt: skip


def _country_code(word: str) -> str | None:
    return COUNTRY_WORDS.get(word.casefold())


@dataclass(frozen=True)
class PlacedAddress:
    """A printed address and where on the page: site furniture (footer, ``<address>``) or the body.

    ``lead`` is the text printed just before it in the same block ("Intel Corporation, "), for telling
    the company's own address from a partner's.
    """

    address: PrintedAddress
    in_furniture: bool
    lead: str


# An id or class naming a footer: "site-footer", "bottomFooter", "footer_static", "impressum".
FOOTER_HINT_RE = re.compile(r"footer|site-info|colophon|impressum|imprint", re.IGNORECASE)
LEAD_CHARS = 80
BLOCK_SEPARATOR = ", "  # lines of an address printed one per block read as one address
# Candidates in page order, found in C; the id/class test runs in Python only on elements that have one.
FURNITURE_XPATH = etree.XPath("//footer | //address | //*[@class or @id or @role]")


def page_addresses(root: Element, blocks: list[str] | None = None) -> list[PlacedAddress]:
    """Every address of a page (non-content already cut): those in its furniture first, then the body's.

    ``blocks`` are the page's ``text_blocks`` when the caller has them already. The page is scanned once;
    an address whose text is printed in a footer or ``<address>`` is furniture.
    """
    found = _with_leads(blocks if blocks is not None else text_blocks(page_body(root)))
    if not found:  # most pages print no address: their furniture is never read
        return []
    furniture = BLOCK_SEPARATOR.join(block for element in _furniture(root) for block in text_blocks(element))
    placed = [PlacedAddress(address, address.quote in furniture, lead) for address, lead in found]
    return sorted(placed, key=lambda address: not address.in_furniture)  # stable: page order within each


def _with_leads(blocks: list[str]) -> list[tuple[PrintedAddress, str]]:
    """Addresses of the blocks read as one text (an address may run over lines), each with its lead:
    the text before it in its own block, or the block before when it opens its block."""
    text = BLOCK_SEPARATOR.join(blocks)
    starts = list(accumulate((len(block) + len(BLOCK_SEPARATOR) for block in blocks[:-1]), initial=0))
    ends = [start + len(block) for start, block in zip(starts, blocks, strict=False)]  # no blocks: one start
    found = []
    for address in find_addresses(text, digit_zones(text, starts, ends)):
        index = max(bisect_right(starts, address.start) - 1, 0)
        own = text[starts[index] : address.start]
        lead = own if own.strip(" ,") else (blocks[index - 1] if index else "")
        found.append((address, lead[-LEAD_CHARS:]))
    return found


def _furniture(root: Element) -> list[Element]:
    """The outermost footers (``<footer>``, ``role=contentinfo``, a "footer" id or class) and the
    ``<address>`` elements outside them, in page order."""
    candidates = [
        element
        for element in FURNITURE_XPATH(root)
        if element.tag in ("footer", "address")
        or element.get("role") == "contentinfo"
        or FOOTER_HINT_RE.search(f"{element.get('id') or ''} {element.get('class') or ''}")
    ]
    chosen = set(candidates)
    return [
        element
        for element in candidates
        if element.tag not in ("html", "body") and not any(up in chosen for up in element.iterancestors())
    ]
