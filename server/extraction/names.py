"""The company's name and legal name from the signals a site gives, scored together. Pure.

A page names its owner in several places: schema.org ``name``/``legalName``, ``og:site_name``, the brand
part of ``<title>``, the logo's ``alt`` text and the copyright holder. Each alone is often wrong (a title
starts with the article's headline, a copyright line runs on into the footer menu, an ICP licence number
follows the holder), so signals are grouped by the name they mean and a group is taken only when it
matches the submitted name or independent signals agree on it. A holder with a legal form ("Exporo AG",
"reddit inc.") is the legal name; the brand stays the company name.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cleanco import basename
from cleanco.clean import prepare_default_terms
from rapidfuzz import fuzz

from server.extraction.evidence import quote

# How much each way of naming the site is trusted; structured data is deliberate, a title is crowded.
SIGNAL_WEIGHTS = {
    "json-ld": 0.9,
    "microdata": 0.85,
    "og:site_name": 0.7,
    "title": 0.6,
    "logo": 0.6,
    "publisher": 0.7,
    "copyright": 0.5,
    "imprint": 0.7,
    "mention": 0.4,
}
DEFAULT_WEIGHT = 0.4
MATCH_THRESHOLD = 85.0  # name_match_score a signal needs to count as naming the submitted company
# How much a name's closeness to the submitted one (0-1) counts against the signals' support (0-1): the
# brand that pages agree on beats a longer spelling that equals the submitted name ("Umbra Games" over
# the copyright's "Umbra Games Studio" for "Umbra Games Studio AB"), closeness settles equal support.
CLOSENESS_WEIGHT = 0.3
MAX_NAME_WORDS = 8
MAX_NAME_CHARS = 80
SENTENCE_WORDS = 4  # a text of this many words ending in a full stop is a sentence, not a name
MAX_HOLDER_WORDS = 6  # prefixes of a run-on copyright holder tried as its name
MAX_ABBREVIATION = 5  # "Corp.", "Inc.", "Ltd.": a lower-case legal abbreviation keeps its dot
NAME_CONFIDENCE_CAP = 0.95
MIN_ACRONYM = 2
ACRONYM_SKIPPED_WORDS = frozenset({"of", "and", "for", "the", "de", "der", "des", "und", "et"})
MIN_MENTIONS = 2  # a legal name seen only in passing must be printed this often
MAX_MENTIONS = 5
BASENAME_CACHE_SIZE = 8192  # distinct names remembered by legal_basename (short strings)
# Split a title into parts: "Article - Brand", "Brand | Page", "Brand: slogan", "品牌-口号".
TITLE_SPLIT_RE = re.compile(
    r"\s+[|\-\u2013\u2014:\u00b7\u00bb/]+\s+|\s*[|\u00b7\u00bb]\s*|:\s+"
    r"|(?<=[\u3000-\u9fff\uff00-\uffef)])[-_]|[-_](?=[\u3400-\u9fff])"
)
# Words a title adds to the name of any site ("home page", "official site", "welcome"), several
# languages; a part that is only such words names nothing, a trailing one is cut off.
GENERIC_PAGE_WORDS_RE = re.compile(
    r"(?:首页|官网|官方网站|主页|网站)$"
    r"|^(?:home|homepage|home page|startseite|accueil|inicio|welcome!?|willkommen)$",
    re.IGNORECASE,
)
COPYRIGHT_MARK_RE = re.compile(r"(?:©|&copy;|\(c\)|copyright)\s*", re.IGNORECASE)
YEARS_RE = re.compile(r"\b(?:19|20)\d{2}\b(?:\s*[-\u2013\u2014,]\s*(?:(?:19|20)\d{2}\b)?)?")
RIGHTS_RE = re.compile(
    r"(?:\ball rights reserved|\balle rechte vorbehalten|\btous droits réservés"
    r"|\btodos los derechos reservados|版权所有|保留所有权利|\bby\b|\|).*$",
    re.IGNORECASE,
)
SENTENCE_END_RE = re.compile(
    r"(?<!\b[A-Za-z])[.!?]\s+(?=[A-Z])|[\u3002\uff01\uff1f]"
)  # CJK full stop, exclamation and question marks
# Chinese company forms cleanco does not know: "有限公司" (limited company) and its longer kinds.
CJK_LEGAL_FORMS = r"(?:股份有限公司|有限责任公司|有限公司|株式会社)"
CJK_LEGAL_FORM_RE = re.compile(CJK_LEGAL_FORMS + "$")
# A CJK legal entity as a footer prints it, glued to whatever precedes or follows it: Han characters
# run up to the legal form, which ends the entity ("WEIBO北京微梦创科网络技术有限公司京公网安备...").
CJK_ENTITY_RE = re.compile(r"[\u3400-\u9fff]+?" + CJK_LEGAL_FORMS)
NOT_NAME_RE = re.compile(r"\b(?:ICP|icp)\b|ICP证|备\d|\d{5,}|https?://|@|[{}<>\[\]]")
WORD_RE = re.compile(r"\S+")
# "The Electronic Frontier Foundation" is "Electronic Frontier Foundation": the article is no part of it.
LEADING_ARTICLE_RE = re.compile(r"^(?:the|die|der|das|le|la|les|el|los)\s+(?=\w)", re.IGNORECASE)
ALIAS_RE = re.compile(r"^(.+?)\s*[(\uff08]([^()\uff08\uff09]+)[)\uff09]$")  # "Name (Other name)"


@dataclass(frozen=True)
class NameSignal:
    """One place a page names its owner: which kind of place, the name, the text it was read from."""

    kind: str
    value: str
    evidence: str
    url: str = ""
    legal: bool = False  # stated as the legal name (schema.org ``legalName``)


@dataclass(frozen=True)
class ChosenName:
    """A name the signals agree on, with the signal to cite and a confidence in [0, 1]."""

    value: str
    cited: NameSignal
    confidence: float
    kinds: tuple[str, ...]


@functools.lru_cache(maxsize=BASENAME_CACHE_SIZE)
def legal_basename(name: str) -> str:
    """cleanco's ``basename`` of ``name`` (the name without its legal form), remembered: a company's
    pages and sources print the same few names again and again (thousands of calls for a batch's
    hundred companies, on the event loop), and cleanco compares every one with all its terms."""
    result: str = basename(name)
    return result


@functools.cache
def _legal_terms() -> frozenset[str]:
    """cleanco's legal-form terms, normalized as it compares them ("gmbh & co kg", "inc", "ev")."""
    return frozenset(" ".join(words) for _, words in prepare_default_terms())


def has_legal_form(name: str) -> bool:
    """Whether ``name`` ends in a legal form ("Inc.", "GmbH", "e.V.", "有限公司").

    cleanco strips the form; what it stripped must be one of its legal terms (it also strips stray
    punctuation, "Acme &" or "+49 7266 |" have none), and a two-letter form must be printed as one
    ("AD", "e.V."), not as a word ("IAB Ad").
    """
    text = name.strip()
    if CJK_LEGAL_FORM_RE.search(text):
        return True
    base = legal_basename(text)
    words, kept = _words(text), _words(base)
    if not base or len(kept) >= len(words):
        return False
    tail = words[len(kept) :]
    normalized = " ".join(re.sub(r"[^\w&]", "", word.casefold()) for word in tail).strip()
    if normalized not in _legal_terms():
        return False
    printed = "".join(tail)
    return len(normalized) > 2 or "." in printed or printed.isupper() or not printed[:1].isupper()


def brand_of(name: str) -> str:
    """``name`` without its legal form ("Exporo AG" -> "Exporo")."""
    return (legal_basename(name) or name).strip(" ,")


def is_name_like(text: str) -> bool:
    """Whether ``text`` could be a name at all: short, not a sentence, a licence number or a URL."""
    words = _words(text)
    if not words or len(words) > MAX_NAME_WORDS or len(text) > MAX_NAME_CHARS:
        return False
    if NOT_NAME_RE.search(text) or SENTENCE_END_RE.search(text):
        return False
    if len(words) >= SENTENCE_WORDS and text.rstrip()[-1:] in ".!?" and not has_legal_form(text):
        return False  # "These news organizations have referred to us." is a sentence
    return any(ch.isalpha() or ch.isdigit() for ch in text) and not GENERIC_PAGE_WORDS_RE.fullmatch(text)


def title_parts(title: str) -> list[str]:
    """The parts of a ``<title>`` that could be a name, generic page words cut off; "京东(JD.COM)" is
    read as itself and as its two names."""
    parts = []
    for part in TITLE_SPLIT_RE.split(title):
        cleaned = GENERIC_PAGE_WORDS_RE.sub("", part.strip()).strip(" -|:")
        aliased = ALIAS_RE.match(cleaned)
        for name in (cleaned, *(aliased.groups() if aliased else ())):
            name = name.strip()
            if name and is_name_like(name) and name not in parts:
                parts.append(name)
    return parts


def copyright_holder_text(line: str) -> str | None:
    """The holder part of a copyright line: after the mark and years, before "all rights reserved"."""
    mark = COPYRIGHT_MARK_RE.search(line)
    if mark is None:
        return None
    rest = YEARS_RE.sub(" ", line[mark.end() :])
    rest = COPYRIGHT_MARK_RE.sub(" ", rest)
    rest = RIGHTS_RE.sub("", rest)
    cut = SENTENCE_END_RE.search(rest)
    if cut:
        rest = rest[: cut.start() + 1]
    holder = re.sub(r"\s+", " ", rest).strip(" ,-\u2013|·")
    if holder.endswith(".") and not _abbreviation_dot(holder):
        holder = holder[:-1].rstrip()  # the sentence's full stop, not the name's
    return holder or None


def _abbreviation_dot(holder: str) -> bool:
    """Whether a holder's final dot belongs to an abbreviated legal form ("Inc.", "Corp.", "e.V.")."""
    last = holder.rsplit(" ", 1)[-1]
    if "." in last[:-1]:
        return True  # "e.V.", "S.A."
    word = last[:-1]
    # "Inc." and "Corp." are abbreviations; "GmbH", "AG" or "LLP" take no dot, theirs ends the sentence.
    abbreviated = word.islower() or (word[:1].isupper() and word[1:].islower())
    return len(word) <= MAX_ABBREVIATION and abbreviated and has_legal_form(holder)


def holder_names(holder: str) -> tuple[list[str], str | None]:
    """(names the holder may stand for, the legal name it states) from a copyright holder text.

    A holder that runs on ("Baidu 使用百度前必读 意见反馈 ...") yields its word prefixes; the first prefix
    that ends in a legal form ("SINA Corporation", "reddit inc.") is the legal name, cut there. A CJK
    entity is cut at its legal form even where the line glues it to other text, and only what precedes
    it is a name ("WEIBO 北京微梦创科网络技术有限公司" names "WEIBO").
    """
    words = _words(holder)
    legal = None
    for end in range(1, min(len(words), MAX_NAME_WORDS) + 1):
        token = words[end - 1].rstrip(",;")
        entity = CJK_ENTITY_RE.search(token)
        if entity:  # a CJK company name is one run of Han characters, ended by its legal form
            legal = entity.group(0)
            # The brand is what the line prints before the entity ("WEIBO"), never the entity glued to
            # it; a Han legal name alone gives no brand (its region and trade words are no name).
            before = " ".join([*words[: end - 1], token[: entity.start()]]).strip(" ,;")
            return ([before] if before and is_name_like(before) else []), legal
        prefix = " ".join(words[:end]).rstrip(",;")
        if end > 1 and has_legal_form(prefix):
            legal = prefix
            break
    if legal is not None:
        names = [brand_of(legal)]
    elif len(words) <= MAX_HOLDER_WORDS and is_name_like(holder):
        names = [holder]
    else:  # a holder that runs on into the footer: each prefix may be the name
        names = [
            " ".join(words[:end]).rstrip(",;") for end in range(1, min(len(words), MAX_HOLDER_WORDS) + 1)
        ]
    return [name for name in names if is_name_like(name)], legal


def name_key(name: str) -> str:
    """What a name means for grouping: no legal form, case, accents, punctuation or spacing."""
    base = LEADING_ARTICLE_RE.sub("", brand_of(name))
    text = unicodedata.normalize("NFKD", base.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "", text)


Scorer = Callable[[str, str], float]


def choose_name(signals: Iterable[NameSignal], submitted: str, score: Scorer) -> ChosenName | None:
    """The company name the signals agree on, or None where they disagree and none is the submitted name.

    Signals are grouped by ``name_key``. A group counts when one of its names matches the submitted name
    (``score`` >= ``MATCH_THRESHOLD``) or when two independent kinds of signal (or one kind on two pages)
    agree on it. Groups that match the submitted name rank first; among them (or among agreeing groups
    when none matches) the signals' combined weight plus ``CLOSENESS_WEIGHT`` times the closeness of the
    whole name to the submitted one decides.
    The name is given as the most trusted signal prints it; where a page spells the submitted name with
    other capitals only ("ROSNEFT" for "Rosneft"), as submitted.
    """
    groups: dict[str, list[NameSignal]] = {}
    for signal in signals:
        key = name_key(signal.value)
        if key:
            groups.setdefault(key, []).append(signal)
    ranked = []
    for members in groups.values():
        match = max(_match(score, submitted, member.value) for member in members)
        kinds = {member.kind for member in members}
        pages = {member.url for member in members}
        support = 1.0
        for kind in kinds:
            support *= 1 - SIGNAL_WEIGHTS.get(kind, DEFAULT_WEIGHT)
        agreement = len(kinds) >= 2 or len(pages) >= 2
        # How close the name is to the submitted one as a whole: "ADAC" beats "ADAC Kindersitz-Test 2018",
        # which a word-set match scores as high.
        closeness = fuzz.ratio(name_key(submitted), key_of(members))
        if match >= MATCH_THRESHOLD or agreement:
            merit = (1 - support) + CLOSENESS_WEIGHT * closeness / 100
            ranked.append((match >= MATCH_THRESHOLD, merit, 1 - support, members, kinds, match))
    if not ranked:
        return None
    ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
    matched, _, support, members, kinds, match = ranked[0]
    if not matched and len(ranked) > 1 and ranked[1][2] >= support:
        return None  # signals disagree and none is the submitted name: leave it out rather than guess
    wanted = name_key(submitted) and submitted.casefold().strip()
    exact = [m for m in members if m.value.casefold().strip() == wanted]
    cited = (exact or sorted(members, key=lambda m: -SIGNAL_WEIGHTS.get(m.kind, DEFAULT_WEIGHT)))[0]
    value = cited.value
    if exact:  # "Verlagsgruppe BELTZ" for "Verlagsgruppe Beltz": capitals are the logo's style, not the name
        value = " ".join(submitted.split())
    if not exact and LEADING_ARTICLE_RE.match(value) and not LEADING_ARTICLE_RE.match(submitted.strip()):
        value = LEADING_ARTICLE_RE.sub("", value)  # named as submitted: without the leading article
    confidence = support if matched else support * 0.9
    if matched:
        confidence = 1 - (1 - confidence) * (1 - match / 200)  # the submitted name is one more witness
    return ChosenName(value, cited, round(min(confidence, NAME_CONFIDENCE_CAP), 3), tuple(sorted(kinds)))


def _match(score: Scorer, submitted: str, value: str) -> float:
    """``score``, or a full match where both spell the same name (scripts the scorer cannot read too)."""
    wanted = name_key(submitted)
    return 100.0 if wanted and wanted == name_key(value) else score(submitted, value)


def key_of(members: list[NameSignal]) -> str:
    """The grouping key shared by a group's members."""
    return name_key(members[0].value)


def choose_legal_name(signals: Iterable[NameSignal], brands: list[str], score: Scorer) -> ChosenName | None:
    """The legal name: a name with a legal form whose brand is the company's (or stated as the owner's).

    ``brands`` are the chosen company name and the submitted one. A ``legalName``, imprint or copyright
    holder states the site owner; a mention elsewhere on the page counts only when it names the brand.
    """
    groups: dict[str, list[NameSignal]] = {}
    structured: list[NameSignal] = []
    for signal in signals:
        if not has_legal_form(signal.value):
            if signal.legal:  # stated as the legal name: legalName, or the full name behind an acronym
                structured.append(signal)
            continue
        names_brand = any(
            score(brand, brand_of(signal.value)) >= MATCH_THRESHOLD for brand in brands if brand
        )
        if signal.kind in ("mention", "title", "og:site_name", "logo") and not names_brand:
            continue
        if not names_brand and signal.kind not in ("json-ld", "microdata", "imprint", "copyright"):
            continue
        groups.setdefault(re.sub(r"\W+", "", signal.value.casefold()), []).append(signal)
    ranked = []
    for members in groups.values():
        doubt = 1.0
        for kind in {member.kind for member in members}:
            doubt *= 1 - SIGNAL_WEIGHTS.get(kind, DEFAULT_WEIGHT)
        names_brand = any(
            score(brand, brand_of(members[0].value)) >= MATCH_THRESHOLD for brand in brands if brand
        )
        if {member.kind for member in members} == {"mention"} and len(members) < MIN_MENTIONS:
            continue  # one passing mention ("the Mozilla Company") is no statement of the legal name
        ranked.append((names_brand, 1 - doubt, members))
    # A structured legalName is a deliberate statement even without a legal form ("Granite Peak Capital").
    for signal in structured:
        if not any(signal in members for _, _, members in ranked):
            ranked.append((False, SIGNAL_WEIGHTS.get(signal.kind, DEFAULT_WEIGHT), [signal]))
    if not ranked:
        return None
    ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
    names_brand, support, members = ranked[0]
    cited = sorted(members, key=lambda m: -SIGNAL_WEIGHTS.get(m.kind, DEFAULT_WEIGHT))[0]
    kinds = tuple(sorted({member.kind for member in members}))
    return ChosenName(cited.value.strip(" ,"), cited, round(min(support, NAME_CONFIDENCE_CAP), 3), kinds)


def spells_acronym(name: str, acronym: str) -> bool:
    """Whether ``name``'s words' initials spell ``acronym``: "Interactive Advertising Bureau" is "IAB"."""
    letters = re.sub(r"[^A-Za-z]", "", acronym).upper()
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", name) if w.lower() not in ACRONYM_SKIPPED_WORDS]
    return (
        len(letters) >= MIN_ACRONYM
        and len(words) == len(letters)
        and "".join(w[0] for w in words).upper() == letters
    )


def brand_mentions(text: str, brand: str) -> list[NameSignal]:
    """Where the text prints the brand with a legal form ("Über den ADAC e.V." -> "ADAC e.V.")."""
    if not brand.strip():
        return []
    found = []
    pattern = re.compile(rf"(?<!\w){re.escape(brand.strip())}((?:[\s,]+[\w.&]+){{1,4}})", re.IGNORECASE)
    for match in pattern.finditer(text):
        words = _words(match.group(1).replace(",", " , "))
        for end in range(1, len(words) + 1):
            candidate = (match.group(0)[: len(brand.strip())] + " " + " ".join(words[:end])).replace(
                " , ", ", "
            )
            if has_legal_form(candidate) and name_key(candidate) == name_key(brand):
                found.append(
                    NameSignal(
                        "mention",
                        candidate,
                        quote(text[max(0, match.start() - 80) : match.end() + 80], candidate),
                    )
                )
                break
        if len(found) >= MAX_MENTIONS:
            break
    return found


def _words(text: str) -> list[str]:
    return WORD_RE.findall(text)


LOGO_WORD_RE = re.compile(r"\blogo(?:type)?\b", re.IGNORECASE)
MAX_LOGOS = 5


def logo_texts(root: Any, images: Sequence[Any] | None = None) -> list[str]:
    """The ``alt`` (or ``title``) text of the site's logo images: an image whose class, id, source or
    text says "logo", or the image of a link to the site's root. "Acme logo" reads "Acme".

    ``images`` are the page's ``<img>`` elements when the caller has them already."""
    found: list[str] = []
    for image in images if images is not None else root.iter("img"):
        alt = (image.get("alt") or image.get("title") or "").strip()
        if not alt:
            continue
        marks = " ".join(str(image.get(attr) or "") for attr in ("class", "id", "src"))
        parent = image.getparent()
        home_link = (
            parent is not None and parent.tag == "a" and (parent.get("href") or "").strip() in ("/", "./")
        )
        if "logo" in marks.lower() or LOGO_WORD_RE.search(alt) or home_link:
            text = LOGO_WORD_RE.sub("", alt).strip(" -|:")
            if text and is_name_like(text) and text not in found:
                found.append(text)
                if len(found) >= MAX_LOGOS:
                    break
    return found
