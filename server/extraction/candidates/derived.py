"""Step 4 of the chain: domains derived from the name (legal suffix stripped, country TLDs)."""

from __future__ import annotations

import re
import unicodedata

from cleanco import basename

from server.domain import ExtractionRequest
from server.extraction.candidates.base import Candidate

COUNTRY_TLD_PLACEHOLDER = "{country}"
COUNTRY_TLD_EXCEPTIONS = {"gb": "uk"}
TRANSLITERATIONS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "o", "å": "a"})
STOPWORDS = frozenset({"the", "and", "of"})
MIN_PREFIX_WORDS = 2


def normalize_name(name: str) -> str:
    """Lower-case words of a name without legal suffix, accents or punctuation ("&" reads "and")."""
    text = basename(name) or name
    text = text.lower().replace("&", " and ").translate(TRANSLITERATIONS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def domain_candidates(name: str, country: str, tlds: list[str]) -> list[str]:
    """Domains a company of this name plausibly uses, most likely first."""
    words = normalize_name(name).split()
    if not words:
        return []
    meaningful = [word for word in words if word not in STOPWORDS] or words
    slugs: list[str] = []
    for group in (words, meaningful):
        slugs += ["".join(group), "-".join(group)]
    if len(meaningful) > MIN_PREFIX_WORDS:  # "Marrowby & Finch Advisory" -> "mfadvisory"
        slugs.append("".join(word[0] for word in meaningful[:-1]) + meaningful[-1])
    for length in range(len(words) - 1, MIN_PREFIX_WORDS - 1, -1):  # brand names often drop trailing words
        if words[length - 1] not in STOPWORDS:
            slugs += ["".join(words[:length]), "-".join(words[:length])]
    slugs.append(meaningful[0])
    resolved_tlds = [_country_tld(tld, country) for tld in tlds]
    ordered = dict.fromkeys(f"{slug}.{tld}" for slug in dict.fromkeys(slugs) for tld in resolved_tlds if tld)
    return list(ordered)


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
        return [
            Candidate(domain, "name", "derived from the name")
            for domain in domain_candidates(request.company_name, request.country, self._tlds)
        ]
