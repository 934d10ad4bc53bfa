"""Step 4 of the chain: domains derived from the name, most likely first.

Tried in this order (``domain_candidates``): the name as written when it is itself a domain
("RANDOM.ORG", "Booking.com"); the whole name as one slug; the name without generic leading or trailing
words ("Kanzlei", "Verlagsgruppe", "The", "Group", the country's own name) as a second try; initials;
shorter prefixes. Each slug is tried with the common TLDs (``.com`` and the country's) before the rarer
ones, so the candidate budget (``max_domain_candidates``) is spent on the likeliest domains first.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache

import pycountry
from anyascii import anyascii
from publicsuffixlist import PublicSuffixList

from server.domain import ExtractionRequest
from server.extraction.candidates.base import Candidate
from server.extraction.names import legal_basename

COUNTRY_TLD_PLACEHOLDER = "{country}"
COUNTRY_TLD_EXCEPTIONS = {"gb": "uk"}
TRANSLITERATIONS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "o", "å": "a"})
STOPWORDS = frozenset({"the", "and", "of"})
MIN_PREFIX_WORDS = 2
MIN_INITIALS = 3  # "Electronic Frontier Foundation" -> "eff"; two letters are too often someone else's
# TLDs every slug is tried with before any slug is tried with the rest: most companies use one of these.
PRIMARY_TLDS = 2
# .eu is a European Union/EEA registry: elsewhere it is a wasted candidate.
EU_TLD = "eu"
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK".split()
)
# Words that say what kind of organisation it is rather than name it. A company is often reachable
# under its name without them ("Kanzlei Sommer" at sommer.de, "Verlagsgruppe Nordlicht" at
# nordlicht.de, "Tidewater International" at tidewater.org). These are unambiguous in any request language...
GENERIC_LEADING_WORDS = frozenset(
    {"kanzlei", "gruppe", "verlagsgruppe", "verlag", "praxis", "autohaus", "stiftung", "groupe",
     "cabinet", "grupo", "gruppo", "groep"}
)  # fmt: skip
GENERIC_TRAILING_WORDS = frozenset(
    {"group", "holding", "holdings", "international", "company", "worldwide", "global", "gruppe",
     "groupe", "grupo", "gruppo", "groep", "internacional", "internazionale"}
)  # fmt: skip
# ...while articles are dropped only in their own language: "De Vries" is no Dutch "de" in Spain.
LEADING_ARTICLES = {
    "en": frozenset({"the"}),
    "de": frozenset({"die", "der", "das"}),
    "fr": frozenset({"le", "la", "les"}),
    "es": frozenset({"el", "la", "los", "las"}),
    "it": frozenset({"il", "la", "lo"}),
    "nl": frozenset({"de", "het"}),
}
# A trailing country name ("Lindqvist Deutschland") is generic in the languages a request is likely in.
COUNTRY_NAME_LANGUAGES = ("en", "de", "fr", "es", "it", "nl")

MAX_LABEL_CHARS, MAX_HOSTNAME_CHARS = 63, 253  # RFC 1035
HOST_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")

_PSL = PublicSuffixList()


def normalize_name(name: str) -> str:
    """Lower-case ASCII words of a name without legal suffix or punctuation ("&" reads "and").

    Other scripts are transliterated (``anyascii``: "Заря" -> "zarya", "星河" -> "xinghe"), so a
    name and a page in different scripts compare in one alphabet.
    """
    text = legal_basename(name) or name
    text = text.lower().replace("&", " and ").translate(TRANSLITERATIONS)
    text = anyascii(unicodedata.normalize("NFKC", text)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def name_as_domain(name: str, tlds: list[str] | None = None) -> str | None:
    """The host a name spells when it is itself a domain ("RANDOM.ORG" -> "random.org"), else None.

    Its suffix must be a known public suffix or one of ``tlds`` (the TLDs resolution tries anyway).
    """
    text = name.strip().rstrip(".").lower()
    if " " in text or "." not in text or not re.fullmatch(r"[a-z0-9.-]+", text):
        return None
    if not is_hostname(text):
        return None
    labels = text.split(".")
    known = _PSL.publicsuffix(text, accept_unknown=False)
    if known is not None and known != text:
        return text
    return text if tlds and labels[-1] in {tld.strip(".").lower() for tld in tlds} else None


def is_hostname(host: str) -> bool:
    """Whether ``host`` is a valid DNS name: labels of 1-63 letters, digits and inner hyphens, valid
    punycode ("xn--..."), 253 characters at most."""
    labels = host.split(".")
    if len(host) > MAX_HOSTNAME_CHARS or any(
        not HOST_LABEL_RE.fullmatch(label) or len(label) > MAX_LABEL_CHARS for label in labels
    ):
        return False
    try:
        host.encode("ascii").decode("idna")
    except UnicodeError:
        return False
    return True


def core_words(words: list[str], language: str, country: str) -> list[str]:
    """``words`` without generic leading and trailing words (kept when nothing else would remain)."""
    lang = language.split("-", 1)[0].lower()
    leading = GENERIC_LEADING_WORDS | LEADING_ARTICLES["en"] | LEADING_ARTICLES.get(lang, frozenset())
    trailing = GENERIC_TRAILING_WORDS | country_words(country)
    start, end = 0, len(words)
    while start < end - 1 and words[start] in leading | STOPWORDS:
        start += 1
    while end > start + 1 and words[end - 1] in trailing | STOPWORDS:
        end -= 1
    return words[start:end]


@cache
def country_words(country: str) -> frozenset[str]:
    """One-word names of the country in ``COUNTRY_NAME_LANGUAGES`` ("DE": germany, deutschland, ...)."""
    record = pycountry.countries.get(alpha_2=country.upper()) if len(country) == 2 else None
    if record is None:
        return frozenset()
    english = {record.name, getattr(record, "common_name", record.name)}
    names = set(english)
    for language in COUNTRY_NAME_LANGUAGES:
        try:
            translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:  # no translation for this language
            continue
        names |= {translation.gettext(name) for name in english}
    found = {normalize_name(name) for name in names}
    return frozenset(name for name in found if name and " " not in name)


def domain_candidates(name: str, country: str, tlds: list[str], language: str = "en") -> list[str]:
    """Domains a company of this name plausibly uses, most likely first."""
    as_written = name_as_domain(name, [_country_tld(tld, country) for tld in tlds])
    if as_written is not None:  # "iTeh.solutions": the label is the brand, tried with the usual TLDs
        words = normalize_name(as_written.rsplit(".", 1)[0]).split()
    else:
        words = normalize_name(name).split()
    if not words:
        return [as_written] if as_written else []
    meaningful = [word for word in words if word not in STOPWORDS] or words
    core = core_words(words, language, country)
    # The name itself (whole, without generic words, as initials) before its shortened forms.
    whole: list[str] = []
    for group in (words, meaningful, core):
        whole += ["".join(group), "-".join(group)]
    if len(meaningful) >= MIN_INITIALS:  # "Electronic Frontier Foundation" -> "eff"
        whole.append("".join(word[0] for word in meaningful))
    shortened: list[str] = []
    if len(meaningful) > MIN_PREFIX_WORDS:  # "Marrowby & Finch Advisory" -> "mfadvisory"
        shortened.append("".join(word[0] for word in meaningful[:-1]) + meaningful[-1])
    for length in range(len(words) - 1, MIN_PREFIX_WORDS - 1, -1):  # brand names often drop trailing words
        if words[length - 1] not in STOPWORDS:
            shortened += ["".join(words[:length]), "-".join(words[:length])]
    shortened.append(meaningful[0])
    resolved = [tld for tld in dict.fromkeys(_country_tld(tld, country) for tld in tlds) if tld]
    resolved = [tld for tld in resolved if tld != EU_TLD or country.upper() in EU_COUNTRIES]
    primary, rest = resolved[:PRIMARY_TLDS], resolved[PRIMARY_TLDS:]
    domains: list[str] = [as_written] if as_written else []
    for tier in (whole, shortened):
        slugs = list(dict.fromkeys(slug for slug in tier if slug))
        domains += [f"{slug}.{tld}" for slug in slugs for tld in primary]  # each slug at .com, .{country}
        domains += [f"{slug}.{tld}" for tld in rest for slug in slugs]  # then each rarer TLD in turn
    return [domain for domain in dict.fromkeys(domains) if is_hostname(domain)]


def _country_tld(tld: str, country: str) -> str:
    if tld != COUNTRY_TLD_PLACEHOLDER:
        return tld.strip(".").lower()
    code = country.strip().lower()
    return COUNTRY_TLD_EXCEPTIONS.get(code, code)


class DerivedFinder:
    """Proposes ``slug.tld`` domains built from the name."""

    name = "name"

    def __init__(self, tlds: list[str]) -> None:
        self._tlds = tlds

    async def find(self, request: ExtractionRequest, notes: list[str]) -> list[Candidate]:
        as_written = name_as_domain(request.company_name, self._tlds)
        return [
            Candidate(
                domain, "name", "the name as written" if domain == as_written else "derived from the name"
            )
            for domain in domain_candidates(
                request.company_name, request.country, self._tlds, request.language
            )
        ]
