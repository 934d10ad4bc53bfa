"""Phone numbers a page prints, each with the label beside it, its type and its evidence. Pure.

Numbers are read from ``tel:`` links and from each text string of the page (so a label is the text of
the number's own element or its neighbours, not whatever precedes it in the flattened page), with the
country the site states (a local number reads right only in its country). A date ("07.02.2019") or a
number inside a URL is no phone. The label types the number (fax, support, sales, general, in the
page's language); a number the page dedicates to a particular audience or service ("Hotline for
shareholders", "Pannenhilfe Europa") is not the company's contact line and is left out: its label says
more than what kind of line it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any
from urllib.parse import unquote

import phonenumbers

from server.extraction.evidence import quote
from server.extraction.markup import Anchor, JoinedTexts, PageString, page_anchors, page_strings
from server.extraction.phone_digits import valid_matches

# phonenumbers asks ``re.compile`` for its metadata's patterns on every use (a number of +1 is tried
# against NANPA's regions one by one, ~25 patterns a number); its own pattern cache hands each back from a
# dict instead of re's cache lookup (and re keeps only 512, which numbers of many regions can outgrow).
# Bounded: the metadata holds a few thousand patterns.
phonenumbers.enable_pattern_cache()

MIN_DIGITS = 6  # ASCII digits a text string holds at least to be read for numbers
LABEL_CHARS = 60  # text read beside a number for its label
LABEL_SIBLINGS = 12  # neighbours visited for it: a run of thousands of bare links is no label
MAX_NUMBERS = 100  # tel: links per page: a directory of thousands of numbers states no more company lines
MAX_STRINGS = 400  # digit-bearing text strings read per page (prices and dates among them)
MAX_STRING_CHARS = 2_000  # of one string: a number and its label sit in a short one; prose beyond is cut
DATE_RE = re.compile(r"^\s*(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.)\s*$")
URL_NEIGHBOUR = frozenset("/=?&#_%@")
# Words that say what kind of line a number is, several languages, lower case; "fax" wins over others.
PHONE_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "fax": ("fax", "telefax", "télécopie", "telecopie", "传真", "f"),
    "support": (
        "support", "kundenservice", "kundendienst", "customer", "helpdesk", "assistance", "atención",
        "atencion", "cliente", "clients", "client", "客服", "客户服务",
    ),
    "sales": ("sales", "vertrieb", "verkauf", "ventes", "ventas", "commercial", "销售"),
    "general": (
        "tel", "tel.", "telefon", "telephone", "téléphone", "teléfono", "telefono", "phone", "ph", "t",
        "zentrale", "switchboard", "main", "office", "büro", "buero", "kontakt", "contact", "call", "电话",
        "联系电话", "fon", "mobil", "mobile", "handy", "móvil", "hotline", "热线",
    ),
}  # fmt: skip
# Words of a label that say nothing about the line (connectives, opening hours).
NEUTRAL_WORDS = frozenset(
    {
        "und", "and", "et", "y", "or", "oder", "ou", "us", "uns", "unter", "at", "on", "for", "für", "pour",
        "para", "the", "der", "die", "das", "le", "la", "el", "nr", "no", "number", "nummer", "numéro",
        "international", "free", "kostenlos", "gratuit", "gratis", "uhr", "mo", "fr", "sa", "so", "bis",
        "to", "de", "du", "des", "von", "from", "am", "pm", "24h", "24/7", "we", "wir", "call", "us:",
        "our", "unsere", "unser", "hours", "ihr", "your", "votre", "su", "line", "linie", "number:",
    }
)  # fmt: skip
WORD_RE = re.compile(r"[^\W\d_]+(?:\.[^\W\d_]+)*\.?", re.UNICODE)
CJK_RE = re.compile(r"[\u3400-\u9fff]+")
# Clause boundaries in the text around a number: a label is the clause next to it.
CLAUSE_SPLIT_RE = re.compile(
    r"[|;,\u3000\u2022\u00b7]|(?<=[^\W\d_]{3})\.\s|\s{2,}|[\u3002\uff1b\uff0c]"
)  # CJK full stop, semicolon and comma
RANGE_LIKE_RE = re.compile(r"^\d{2,6}-\d{2,8}$")  # how ranges and codes are written, and some numbers
NUMBER_RUN_RE = re.compile(r"\d[\d\s()/.-]{4,}\d")
# ``MIN_DIGITS`` ASCII digits in one of ``JoinedTexts``' texts (NUL joins them, no page text holds one),
# searched through them all at once: from a digit on, possessive, so a text is tried at most once per
# digit it holds (no more than ``MIN_DIGITS - 1`` tries of a text that has too few).
ENOUGH_DIGITS_RE = re.compile(rf"[0-9](?:[^0-9\0]*+[0-9]){{{MIN_DIGITS - 1}}}")
MAX_PURPOSE_WORDS = 1  # label words beyond a line type that make a number one particular service's


@dataclass(frozen=True)
class PhoneFact:
    """One number as the page prints it: E.164 form, label (lower case), type and evidence."""

    display: str
    e164: str
    label: str
    type: str = "general"
    evidence: str = ""
    purpose: bool = False  # the label names an audience or service: not a company contact line
    # Presented as a phone line: a ``tel:`` link, a number in the site's ``<address>``, or a label naming
    # a kind of line ("Tel.", "电话"); a bare run of digits that merely parses as a number is not (on a
    # product page it is anyone's).
    printed_as_phone: bool = False


@dataclass(frozen=True)
class PhoneSources:
    """What phone numbers are read from, kept so another region can re-read them without a re-parse.

    ``links``: each ``tel:`` link as (number in the href, printed text, label beside it); ``strings``:
    each text string holding enough digits, with its label context and whether it stands in an
    ``<address>`` (HTML's element for contact information) outside any ``<article>``.
    """

    links: tuple[tuple[str, str, str], ...] = ()
    strings: tuple[tuple[str, str, bool], ...] = ()


def phone_sources_of(
    root: Any,
    strings: Sequence[PageString] | None = None,
    anchors: Sequence[Anchor] | None = None,
    joined: JoinedTexts | None = None,
) -> PhoneSources:
    """The page's ``tel:`` links and digit-bearing text strings, each with the text beside it.

    ``strings`` and ``anchors`` are the page's ``page_strings`` and ``page_anchors`` when the caller has
    them already, ``joined`` the ``JoinedTexts`` of those strings' texts.
    """
    links = []
    for link, href in anchors if anchors is not None else page_anchors(root):
        if href.strip().lower().startswith("tel:"):
            number = unquote(href.strip()[4:]).strip()
            display = _flat(" ".join(link.itertext())) or number
            links.append((number, display, _context(link, display)))
            if len(links) >= MAX_NUMBERS:
                break
    read = []
    strings = strings if strings is not None else page_strings(root)
    joined = joined if joined is not None else JoinedTexts([text for text, _, _ in strings])
    for index in joined.matching(ENOUGH_DIGITS_RE):  # most of a page has too few digits: one search says so
        text, element, markup = strings[index]
        if markup:
            continue
        if element.tag == "a" and str(element.get("href") or "").startswith("tel:"):
            continue  # a tel: link is read as a link
        flat = _flat(text[:MAX_STRING_CHARS])
        read.append((flat, _context(element, flat) if len(flat) < LABEL_CHARS else "", _in_address(element)))
        if len(read) >= MAX_STRINGS:
            break
    return PhoneSources(tuple(links), tuple(read))


def read_phones(sources: PhoneSources, region: str | None) -> list[PhoneFact]:
    """Numbers from tel: links, then from text strings, read as in ``region``; typed, one per number."""
    phones: dict[str, PhoneFact] = {}
    for number, display, context in sources.links:
        e164 = normalize_phone(number, region) or normalize_phone(display, region)
        if e164:
            before, _, after = display.partition(number) if number in display else (display, "", "")
            label = _label(before, after, context)
            _keep(phones, _fact(display, e164, label, f"{context} {display}".strip(), marked=True))
    matching = region or "US"
    matched: dict[str, list[phonenumbers.PhoneNumberMatch]] = {}  # a menu or footer repeats its strings
    for text, context, in_address in sources.strings:
        if text not in matched:
            matched[text] = valid_matches(text, matching)
        for match in matched[text]:
            raw = match.raw_string
            before = text[match.start - 1] if match.start else ""
            after = text[match.end] if match.end < len(text) else ""
            if DATE_RE.match(raw) or before in URL_NEIGHBOUR or after in URL_NEIGHBOUR or after.isalnum():
                continue
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            own = (text[: match.start] + " " + text[match.end :]).strip()
            label = _label(text[: match.start], text[match.end :], context)
            if RANGE_LIKE_RE.match(raw) and not names_a_line(label):
                continue  # "32768-65535: reserved" is a range; "010-62675637" is a number when labelled one
            evidence = text if own else f"{context} {text}"
            _keep(phones, _fact(raw, e164, label, evidence, marked=in_address))
            if len(phones) >= MAX_NUMBERS:  # a directory of numbers states no more company lines
                return list(phones.values())
    return list(phones.values())


# Country-code TLDs sold worldwide as generic names: they say nothing about where a site is.
GENERIC_COUNTRY_TLDS = frozenset(
    {"io", "co", "tv", "me", "ai", "fm", "ly", "cc", "ws", "to", "gg", "sh", "ac"}
)
TLD_COUNTRY_EXCEPTIONS = {"uk": "GB", "eu": None}


def tld_country(domain: str) -> str | None:
    """The ISO country a domain's TLD names ("acme.de" -> "DE"), None for generic TLDs."""
    tld = domain.rstrip(".").rsplit(".", 1)[-1].lower()
    if tld in TLD_COUNTRY_EXCEPTIONS:
        return TLD_COUNTRY_EXCEPTIONS[tld]
    if len(tld) != 2 or tld in GENERIC_COUNTRY_TLDS:
        return None
    return tld.upper() if phonenumbers.country_code_for_region(tld.upper()) else None


def language_country(language: str | None) -> str | None:
    """The country of a page's language tag when it names one ("de-CH" -> "CH"); "de" alone names none."""
    if not language:
        return None
    parts = re.split(r"[-_]", language.strip())
    region = parts[1].upper() if len(parts) > 1 and len(parts[1]) == 2 else None
    return region if region and phonenumbers.country_code_for_region(region) else None


def normalize_phone(raw: str, region: str | None) -> str | None:
    """E.164 form of a printed number, or None when it is not a valid number."""
    try:
        number = phonenumbers.parse(unquote(raw), region or "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def names_a_line(label: str) -> bool:
    """Whether a label holds a word for a kind of phone line ("Tel.", "Fax", "客服热线")."""
    words = [word.strip(".:").lower() for word in WORD_RE.findall(label)] + CJK_RE.findall(label)
    return any(_word_type(word) is not None for word in words)


def phone_type_of(label: str, names: tuple[str, ...] = ()) -> tuple[str, bool]:
    """(type, whether the label names a particular audience or service) from a number's label.

    Words of ``names`` (the company's) say nothing about the line: "Acme Hotline" is a general line.
    """
    own = {word.lower() for name in names for word in WORD_RE.findall(name)}
    words = [word.strip(".:").lower() for word in WORD_RE.findall(label)]
    words = [word for word in words if word not in own]
    words += CJK_RE.findall(label)
    found: str | None = None
    purpose = 0
    for word in words:
        kind = _word_type(word)
        if kind == "fax":
            return "fax", False
        if kind is not None:
            found = found if found == "support" or found == "sales" else kind
        elif word not in NEUTRAL_WORDS and len(word) > 1:
            purpose += 1
    return found or "general", purpose > MAX_PURPOSE_WORDS


def _word_type(word: str) -> str | None:
    for kind, words in PHONE_TYPE_WORDS.items():
        if word in words:
            return kind
    if CJK_RE.fullmatch(word):  # Chinese writes a label as one run: "客户服务热线" holds "客户服务"
        for kind, words in PHONE_TYPE_WORDS.items():
            if any(CJK_RE.fullmatch(w) and w in word for w in words):
                return kind
    if len(word) > len("service") and word.endswith("service"):  # "Kundenservice", "Leserservice"
        return "support"
    return None


def _fact(display: str, e164: str, label: str, evidence: str, *, marked: bool = False) -> PhoneFact:
    """``marked``: the markup itself presents the number as one to call (a ``tel:`` link, an
    ``<address>``), whatever its label."""
    kind, purpose = phone_type_of(label)
    printed = marked or names_a_line(label)
    return PhoneFact(_flat(display), e164, label, kind, quote(evidence, display), purpose, printed)


def _keep(phones: dict[str, PhoneFact], fact: PhoneFact) -> None:
    """One fact per number: a typed sighting ("Kundenservice Tel. ...") beats an unlabelled one."""
    seen = phones.get(fact.e164)
    if seen is None:
        phones[fact.e164] = fact
        return
    kept = seen
    if seen.type == "general" and fact.type != "general" and not fact.purpose:
        kept = fact
    elif seen.purpose and not fact.purpose:
        kept = fact
    # Printed as a phone line in one place, it is one everywhere on the page.
    phones[fact.e164] = replace(kept, printed_as_phone=seen.printed_as_phone or fact.printed_as_phone)


def _label(before: str, after: str, context: str) -> str:
    """The words naming a line: the clause printed just before the number, else just after it, else the
    neighbours' text ("Graz. Tel.: +43 ..." is labelled "tel.:", not with the address before it)."""
    before = NUMBER_RUN_RE.split(before)[-1]  # what follows an earlier number on the line is this one's
    after = NUMBER_RUN_RE.split(after)[0]
    for text, pick in ((before, -1), (after, 0)):
        clauses = [c for c in CLAUSE_SPLIT_RE.split(text) if WORD_RE.search(c) or CJK_RE.search(c)]
        if clauses:
            return _flat(clauses[pick]).lower()[:LABEL_CHARS]
    return _flat(context).lower()[-LABEL_CHARS:]


def _context(element: Any, own: str) -> str:
    """Text beside ``element``: its preceding siblings' (nearest last), else the following sibling's;
    one level up when the element has no neighbour with text. At most ``LABEL_CHARS`` each way."""
    current = element
    for _ in range(3):
        before = _text_before(current)
        if before:
            return before
        after = _text_after(current)
        if after:
            return after
        parent = current.getparent()
        # Climb only out of a lone wrapper (<div><strong>number</strong></div>): beyond, text is another's.
        elements = (child for child in parent if isinstance(child.tag, str)) if parent is not None else ()
        if parent is None or len(list(islice(elements, 2))) > 1:
            break
        current = parent
    return ""


def _text_before(element: Any) -> str:
    parts: list[str] = []
    size = 0
    for sibling in islice(element.itersiblings(preceding=True), LABEL_SIBLINGS):
        if sibling.tag == "a":  # a link beside a number is navigation, not its label
            text = _flat(sibling.tail or "")
        elif isinstance(sibling.tag, str) and sibling.tag not in ("script", "style"):
            tail = sibling.tail or ""
            text = _flat(" ".join(_bounded_text(sibling)) + " " + tail)
        else:
            text = _flat(sibling.tail or "")
        if text:
            parts.insert(0, text)
            size += len(text)
        if size >= LABEL_CHARS:
            break
    parent = element.getparent()
    if size < LABEL_CHARS and parent is not None and parent.text and not parts:
        parts.insert(0, _flat(parent.text))
    return _flat(" ".join(parts))[-LABEL_CHARS:]


def _text_after(element: Any) -> str:
    tail = _flat(element.tail or "")
    if WORD_RE.search(tail):
        return tail[:LABEL_CHARS]
    for sibling in islice(element.itersiblings(), LABEL_SIBLINGS):
        if isinstance(sibling.tag, str) and sibling.tag not in ("script", "style", "a"):
            text = _flat(" ".join(_bounded_text(sibling)))
            if text:
                return text[:LABEL_CHARS]
    return ""


def _in_address(element: Any) -> bool:
    """Whether ``element`` stands in an ``<address>`` that is not inside an ``<article>`` (there it is
    the article's author's, not the site's)."""
    if element.tag != "address" and next(element.iterancestors("address"), None) is None:
        return False
    return element.tag != "article" and next(element.iterancestors("article"), None) is None


def _bounded_text(element: Any) -> list[str]:
    """``element``'s first text strings, up to ``LABEL_CHARS`` (so a big neighbour stays cheap)."""
    parts: list[str] = []
    size = 0
    for text in element.itertext():
        parts.append(text)
        size += len(text)
        if size >= LABEL_CHARS:
            break
    return parts


def _flat(text: str) -> str:
    """``text`` with each run of whitespace one space, none at either end: ``str.split`` splits at the
    characters ``\\s`` matches, and splits a page's few hundred strings and labels in C several times as
    fast as ``re.sub`` replaces."""
    return " ".join(text.split())
