"""Statements a page makes about its company in prose: founding year and head count, with their subject.

A year or a number on a page is a fact about the company only when the sentence says so of the company:
"Acme was founded in 1990", "Gegründet 2008" (no subject: the page's own company), "nous avons une équipe
de 40 salariés". "In 2005 the EU founded ...", "room for 5 people" or "4378 people reacting" are not. The
parsers here find the statements and the words standing as their subject; ``refers_to_company`` decides,
given the names the company goes by, whether that subject is the company. Pure: text in, records out.

Text is read block by block (paragraphs, list items, cells, ...), so a sentence never runs from a menu
into the next paragraph, and a statement's evidence is the sentence as printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from server.extraction.markup import text_blocks as text_blocks  # re-exported: its readers import it here
from server.extraction.markup import texts_holding, texts_matching
from server.extraction.names import legal_basename

QUOTE_CHARS = 200  # the longest evidence quote (``sources.base.EVIDENCE_CHARS``)
MAX_SENTENCE_CHARS = 1000
MAX_SUBJECT_WORDS = 8  # a block before a subjectless "was founded" names the subject if it is this short
YEAR = r"((?:18|19|20)\d{2})"
MONTH_OR_DAY = r"(?:(?:\d{1,2}\.?\s+)?[^\W\d]{3,12}\.?\s+(?:\d{1,2},?\s+)?)?"  # "March", "1. März", "May 5,"
# "<subject> was founded in 1990", "<subject> wurde 1990 gegründet", "<subject> a été fondée en 1990".
FOUNDED_WITH_SUBJECT = (
    re.compile(
        r"\b(?:was|were|has\s+been|had\s+been|is|got)\s+(?:first\s+|originally\s+|officially\s+)?"
        r"(?:founded|established|incorporated|formed|started)\s+(?:back\s+)?(?:in|on)\s+"
        + MONTH_OR_DAY
        + YEAR
        + r"\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:wurden?|ist|sind)\s+(?:bereits\s+|schon\s+)?(?:im\s+Jahre?\s+|am\s+\d{1,2}\.\s*[^\W\d]+\s+)?"
        + YEAR
        + r"\s+(?:in\s+[^\W\d]+\s+)?gegründet\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:a\s+été|est|fut|ont\s+été|sont)\s+(?:fondée?s?|créée?s?)\s+en\s+"
        + MONTH_OR_DAY
        + YEAR
        + r"\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:fue|ha\s+sido)\s+(?:fundad[ao]s?|cread[ao]s?)\s+en\s+(?:el\s+(?:año\s+)?)?" + YEAR + r"\b",
        re.I,
    ),
    # Italian "è stata fondata nel 1990", Portuguese "foi fundada em 1990", Dutch "is in 1990 opgericht"
    re.compile(r"\b(?:è\s+stat[ao]|fu)\s+fondat[ao]\s+nel\s+" + YEAR + r"\b", re.I),
    re.compile(r"\b(?:foi)\s+fundad[ao]\s+em\s+" + YEAR + r"\b", re.I),
    re.compile(
        r"\b(?:is|werd|werden)\s+(?:in\s+)?"
        + YEAR
        + r"\s+opgericht\b|\b(?:is|werd)\s+opgericht\s+in\s+"
        + YEAR
        + r"\b",
        re.I,
    ),
)
# A sentence that opens with the participle has the page's company as its subject: "Founded in 1996, ...".
FOUNDED_OPENING = re.compile(
    r"^(?:(?:founded|established|incorporated)\s+(?:in\s+)?" + MONTH_OR_DAY + YEAR
    + r"|gegründet\s+(?:im\s+Jahre?\s+|am\s+\d{1,2}\.\s*[^\W\d]+\s+)?" + YEAR
    + r"|(?:fondée?|créée?)\s+en\s+" + MONTH_OR_DAY + YEAR
    + r"|(?:fundad[ao]|cread[ao])\s+en\s+(?:el\s+(?:año\s+)?)?" + YEAR
    + r"|fondat[ao]\s+nel\s+" + YEAR + r"|fundad[ao]\s+em\s+" + YEAR + r"|opgericht\s+in\s+" + YEAR
    + r")\b",
    re.IGNORECASE,
)  # fmt: skip
COUNT = r"(\d{1,3}(?:[,.\u202f\u00a0 ]\d{3})+|\d{1,6})"
APPROXIMATELY = (
    r"(?:(?:more\s+than|over|about|around|nearly|almost|some|approximately|rund|über|mehr\s+als|etwa|ca\.|"
    r"fast|plus\s+de|près\s+de|environ|más\s+de|unos|cerca\s+de)\s+)?"
)
STAFF_NOUNS = (
    r"(?:employees|staff(?:\s+members)?|members\s+of\s+staff|team\s+members|mitarbeiter(?:innen|n)?|"
    r"mitarbeitende[n]?|beschäftigte[n]?|angestellte[n]?|salariés|salariées|collaborateurs|collaboratrices|"
    r"employés|empleados|trabajadores|colaboradores)"
)
PEOPLE_NOUNS = (
    r"(?:" + STAFF_NOUNS[3:-1] + r"|people|persons|personen|menschen|personnes|personas|experts|experten)"
)
HEADCOUNT_PATTERNS = (
    # "a team of 40 people", "ein Team von 120 Mitarbeitern", "une équipe de 40 salariés"
    re.compile(
        r"\b(?:team\s+of|team\s+von|équipe\s+de|equipo\s+de)\s+"
        + APPROXIMATELY + COUNT + r"\s+" + PEOPLE_NOUNS + r"\b",
        re.IGNORECASE,
    ),
    # "<subject> employs 500 people", "<subject> beschäftigt 80 Mitarbeiter", "<subject> emploie 40 personnes"
    re.compile(
        r"\b(?:employs?|employing|beschäftigt|beschäftigen|emploie|emploient|employons|compte|comptons|emplea|"
        r"empleamos)\s+(?:(?:wir|we|nous|derzeit|heute|aktuell|insgesamt|currently|today|now|actuellement|"
        r"aujourd'hui|hoy)\s+){0,2}"
        + APPROXIMATELY + COUNT + r"\s+" + PEOPLE_NOUNS + r"\b",
        re.IGNORECASE,
    ),
    # "we have 500 employees", "mit 120 Mitarbeitern sind wir ...", "nos 300 collaborateurs"
    re.compile(r"\b" + APPROXIMATELY + COUNT + r"\s+" + STAFF_NOUNS + r"\b", re.IGNORECASE),
)  # fmt: skip
TEAM_OR_VERB_PATTERNS = HEADCOUNT_PATTERNS[:2]
# What every founding or head-count statement contains: blocks without it are not split into sentences.
FOUNDING_HINT_RE = re.compile(
    r"found|establish|incorporat|gegründet|fondée?s?\b|créée?s?\b|fundad|cread|fondat|opgericht",
    re.IGNORECASE,
)
# A part of each of its alternatives, without the letters IGNORECASE folds beyond lowering (i, s, k):
# what a block must hold to be searched with it (``JoinedTexts.holding``).
FOUNDING_HINT_WORDS = ("found", "tabl", "ncorporat", "gegründet", "fond", "cré", "fundad", "cread", "opger")
HEADCOUNT_HINT_RE = re.compile(r"\d\s+" + PEOPLE_NOUNS + r"\b", re.IGNORECASE)
# Words that stand for the company itself as a sentence's subject, in the languages the service reads.
SELF_REFERENCES = frozenset(
    {
        "we", "our company", "our firm", "our business", "our organization", "our organisation",
        "our agency", "our team", "the company", "the firm", "the organization", "the organisation", "wir",
        "unser unternehmen", "unsere firma", "das unternehmen", "die firma", "unser verein", "der verein",
        "unsere agentur", "unser team", "nous", "notre entreprise", "notre société", "la société",
        "l'entreprise", "notre agence", "notre équipe", "nosotros", "nuestra empresa", "la empresa",
    }
)  # fmt: skip
# First-person words: a head count in a sentence that has one is the speaker's (the company's).
FIRST_PERSON_RE = re.compile(
    r"\b(?:we|our|us|wir|unser\w*|uns|nous|notre|nos|nosotros|nuestr[ao]s?)\b", re.IGNORECASE
)
# Abbreviations whose period does not end a sentence ("Acme Inc. was founded").
ABBREVIATIONS = frozenset(
    {
        "inc",
        "ltd",
        "co",
        "corp",
        "llc",
        "plc",
        "st",
        "dr",
        "nr",
        "no",
        "e.v",
        "v",
        "bzw",
        "ca",
        "sa",
        "ag",
        "mr",
        "ms",
    }
)
DOTTED_ABBREVIATION_RE = re.compile(r"(?:[^\W\d_]{1,2}\.)*[^\W\d_]")
SENTENCE_END_RE = re.compile(r"[.!?;:|•·](?=\s)")
WORD_RE = re.compile(r"[\w'&+-]+", re.UNICODE)


@dataclass(frozen=True)
class Statement:
    """A number a sentence states, the words standing as its subject, and the sentence as printed.

    ``subject`` is None when the sentence has none of its own ("Founded in 1996, ..."; "a team of 40
    employees"): it speaks of the page's company.
    """

    value: int
    subject: str | None
    quote: str


def founding_statements(blocks: Iterable[str]) -> list[Statement]:
    """Every sentence that states a founding year, with the words before the verb as its subject."""
    found: list[Statement] = []
    blocks = list(blocks)
    # Most blocks say nothing of founding: only those with the hint are read (one search of them all).
    for index in texts_holding(blocks, FOUNDING_HINT_WORDS, FOUNDING_HINT_RE):
        block = blocks[index]
        if not FOUNDING_HINT_RE.search(block):
            continue
        previous = blocks[index - 1] if index else ""  # the block printed before it, a heading or a logo
        for start, sentence in _sentences(block):
            opening = FOUNDED_OPENING.match(sentence)
            if opening:
                year = next(group for group in opening.groups() if group)
                found.append(Statement(int(year), None, _quote(block, start, start + len(sentence))))
                continue
            for pattern in FOUNDED_WITH_SUBJECT:
                match = pattern.search(sentence)
                if match:
                    subject = sentence[: match.start()].strip(" ,")
                    if not subject and start == 0 and len(previous.split()) <= MAX_SUBJECT_WORDS:
                        subject = previous  # "was founded in 1990" under a logo or heading naming it
                    quote = _quote(block, start, start + len(sentence))
                    year = next(group for group in match.groups() if group)
                    found.append(Statement(int(year), subject, quote))
                    break
    return found


def headcount_statements(blocks: Iterable[str]) -> list[Statement]:
    """Every sentence that states how many people the speaker employs.

    A team or an employing verb makes the count a head count ("a team of 12 people", "employs 500
    people"); a bare count of staff ("500 employees") only in a first-person sentence ("we", "wir").
    The subject is the words before the count's phrase (None for "a team of ...").
    """
    found: list[Statement] = []
    blocks = list(blocks)
    # The blocks with the hint, found in one search of them all (no match spans two: NUL joins them).
    for index in texts_matching(blocks, HEADCOUNT_HINT_RE):
        block = blocks[index]
        if not HEADCOUNT_HINT_RE.search(block):
            continue
        for start, sentence in _sentences(block):
            statement = _headcount_in(sentence, _quote(block, start, start + len(sentence)))
            if statement is not None:
                found.append(statement)
    return found


def _headcount_in(sentence: str, quote: str) -> Statement | None:
    for pattern in TEAM_OR_VERB_PATTERNS:
        match = pattern.search(sentence)
        if match:
            before = sentence[: match.start()].strip(" ,")
            subject = None if pattern is HEADCOUNT_PATTERNS[0] else before
            if subject is not None and FIRST_PERSON_RE.search(sentence[: match.end()]):
                subject = "we"  # "we employ", and German's "heute beschäftigen wir 45 Mitarbeiter"
            return Statement(_count(match.group(1)), subject, quote)
    match = HEADCOUNT_PATTERNS[2].search(sentence)
    if match and FIRST_PERSON_RE.search(sentence):
        return Statement(_count(match.group(1)), "we", quote)
    return None


def refers_to_company(subject: str | None, names: Iterable[str]) -> bool:
    """Whether a statement's subject is the company: none (the page's own), "we", or one of its names.

    An empty subject (a passive verb with nothing before it) is nobody's.

    The subject's last words must be the name ("Today, Acme Robotics Inc." is Acme Robotics); legal forms,
    case and punctuation aside.
    """
    if subject is None:
        return True
    words = _words(subject)
    if not words:  # "was founded in 1990" with nothing before it: whose founding is unknown
        return False
    text = " ".join(words)
    if any(text == ref or text.endswith(" " + ref) for ref in SELF_REFERENCES):
        return True
    forms = [words, _words(legal_basename(subject.strip(" .,")) or subject)]
    for name in names:
        for name_words in (_words(legal_basename(name) or name), _words(name)):
            if name_words and any(form[-len(name_words) :] == name_words for form in forms):
                return True
    return False


def company_names(*names: str | None, domain: str | None = None) -> list[str]:
    """The names a statement may call the company by: the given names, their initials ("EFF" for
    "Electronic Frontier Foundation") and the domain's label ("eff" of eff.org)."""
    found: list[str] = []
    for name in names:
        if not name or not name.strip():
            continue
        found.append(name.strip())
        words = _words(legal_basename(name) or name)
        if len(words) >= 2:
            found.append("".join(word[0] for word in words))
    if domain:
        label = domain.split(".", 1)[0]
        if len(label) >= 2:
            found.append(label)
    return list(dict.fromkeys(found))


def _sentences(block: str) -> Iterator[tuple[int, str]]:
    """(offset, sentence) of each sentence of a block; an abbreviation's period ends none.

    A "sentence" longer than ``MAX_SENTENCE_CHARS`` is a run of data (or a hostile page), not prose: it
    is skipped, which also keeps the statement patterns linear in the page.
    """
    for start, sentence in _all_sentences(block):
        if len(sentence) <= MAX_SENTENCE_CHARS:
            yield start, sentence


def _all_sentences(block: str) -> Iterator[tuple[int, str]]:
    start = 0
    for match in SENTENCE_END_RE.finditer(block):
        word = re.search(r"([\w.]+)$", block[start : match.start()])
        if match.group() == "." and word and word.group(1).casefold().rstrip(".") in ABBREVIATIONS:
            continue
        if match.group() == "." and word and DOTTED_ABBREVIATION_RE.fullmatch(word.group(1)):
            continue  # "S.p.A.", "B.V.", "U.S.", "J. Smith": initials end no sentence
        if match.group() == "." and word and re.fullmatch(r"\d{1,2}", word.group(1)):
            continue  # "1. März", "Nr. 1. Platz": an ordinal's period ends no sentence
        yield start, block[start : match.end()].strip()
        start = match.end()
        while start < len(block) and block[start].isspace():
            start += 1
    if start < len(block):
        yield start, block[start:].strip()


def _quote(block: str, start: int, end: int) -> str:
    """The sentence from ``start`` to ``end`` as printed, cut to ``QUOTE_CHARS``."""
    text = block[start:end].strip()
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _count(raw: str) -> int:
    return int(re.sub(r"\D", "", raw))


def _words(text: str) -> list[str]:
    return [word.strip("'-") for word in WORD_RE.findall(text.casefold()) if word.strip("'-")]
