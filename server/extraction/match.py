"""How sure we are that a profile is the named company (``match_confidence``), and the submit option
``min_match_confidence`` that turns a doubtful match into an "Ambiguous match" failure.

The match confidence combines independent witnesses that this domain is the named company's, as
``1 - prod(1 - w)`` (the same rule the profile merge uses for agreeing sources):

- the name: how well the home page's own name matched the submitted one (``Resolution.score``), scaled so
  that a bare pass of the verification threshold is a weak witness and an exact match a strong one;
- who proposed the domain: the caller's domain hint is a strong witness, a Wikidata item (its official
  website and label) a good one, a web search result a weak one; a domain derived from the name alone
  adds nothing beyond the name match;
- agreement of other sources: a knowledge source that recognised the company on its own (a Wikidata item
  whose official website is this domain, an SEC or GLEIF record matched by name) is a further witness.

A site that states another country than the requested one was accepted only because nothing in that
country verified; that doubt scales the result down. The score is a heuristic, not a probability
measured on data; the eval prints how it sorts right from wrong (``make eval``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from server.domain import ErrorType, ExtractionFailure, Profile

NAME_MATCH_FLOOR = 0.85  # resolve.MATCH_THRESHOLD / 100: a page name scoring less never verifies
NAME_WITNESS_AT_FLOOR, NAME_WITNESS_EXACT = 0.5, 0.8
ORIGIN_WITNESS = {"hint": 0.9, "wikidata": 0.6, "search": 0.3}
# A register entry matched by name (and not refused by the website it states) is a witness like GLEIF's.
KNOWLEDGE_WITNESS = {
    "wikidata": 0.5, "sec_edgar": 0.3, "gleif": 0.4, "brreg": 0.4, "recherche_entreprises": 0.4,
    "companies_house": 0.4,
}  # fmt: skip
OTHER_COUNTRY_FACTOR = 0.7
DIGITS = 3
AMBIGUOUS_MATCH = "Ambiguous match"


@dataclass(frozen=True)
class MatchCandidate:
    """A domain considered for a company: its name-match score (0-1) and what became of it."""

    domain: str
    score: float
    outcome: str  # "accepted", "rejected", "set_aside", "unreachable"

    def as_dict(self) -> dict[str, Any]:
        """The ``company.v1.MatchCandidate`` JSON shape."""
        return {"domain": self.domain, "score": round(self.score, DIGITS), "outcome": self.outcome}


def name_witness(score: float) -> float:
    """The name match as a witness: linear from the verification floor (weak) to an exact match."""
    if score < NAME_MATCH_FLOOR:
        return 0.0
    span = (min(score, 1.0) - NAME_MATCH_FLOOR) / (1.0 - NAME_MATCH_FLOOR)
    return NAME_WITNESS_AT_FLOOR + span * (NAME_WITNESS_EXACT - NAME_WITNESS_AT_FLOOR)


def match_confidence(
    name_score: float, origin: str, agreeing_sources: Iterable[str], other_country: bool = False
) -> float:
    """The combined confidence, in [0, 1], that the resolved domain is the named company's.

    Args:
        name_score: the home page's name match, 0-1.
        origin: the finder that proposed the domain ("hint", "wikidata", "search:<provider>", "name").
        agreeing_sources: knowledge sources that recognised the company independently of the proposer.
        other_country: the site states another country than the requested one.
    """
    kind = origin.split(":", 1)[0]  # "search:duckduckgo" is a search result
    witnesses = [name_witness(name_score), ORIGIN_WITNESS.get(kind, 0.0)]
    witnesses += [KNOWLEDGE_WITNESS.get(source, 0.0) for source in set(agreeing_sources) if source != kind]
    doubt = 1.0
    for witness in witnesses:
        doubt *= 1.0 - witness
    combined = (1.0 - doubt) * (OTHER_COUNTRY_FACTOR if other_country else 1.0)
    return round(min(max(combined, 0.0), 1.0), DIGITS)


def ambiguous_match(profile: Profile, minimum: float | None) -> ExtractionFailure | None:
    """The failure a profile below ``minimum`` becomes, listing every candidate domain and its score.

    A profile from before match confidence existed (a cached one) carries none and is never refused.
    """
    confidence = profile.get("match_confidence")
    if minimum is None or not isinstance(confidence, int | float) or confidence >= minimum:
        return None
    candidates = [c for c in profile.get("match_candidates", []) if isinstance(c, dict)]
    listed = "; ".join(
        f"{c.get('domain')} (score {float(c.get('score', 0.0)):.2f}, {c.get('outcome')})" for c in candidates
    )
    details = (
        f"match confidence {confidence:.2f} of {profile.get('domain')} is below the requested minimum "
        f"{minimum:.2f}; candidates: {listed or 'none'}"
    )
    return ExtractionFailure(ErrorType.COMPANY_ANALYSIS, AMBIGUOUS_MATCH, details)
