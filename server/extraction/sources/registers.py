"""What the business-register sources (``brreg``, ``recherche_entreprises``, ``companies_house``) share.

A register is asked only for a company of its country. Its entries are matched to the company the way a
domain is verified (``server.extraction.resolve``): the entry's name must reach ``MATCH_THRESHOLD``
against the submitted name (or the name the verified site gives itself), an entry whose register record
names another website is refused, and the entry must stand out: when two entries match equally well and
nothing else (the website the register states, the registered postcode and town printed on the company's
own pages) tells them apart, nothing is taken. The chosen entry's score is recorded in
``registration.match_score`` and in every finding's method.

A register that stays down (the fetcher's retries spent) or refuses (429, 5xx) is recorded in
``SourceContext.unavailable``: the profile says the source was unavailable, not that it found nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.errors import FetchError
from server.extraction.industry_codes import classify, code_findings, employee_band
from server.extraction.resolve import MATCH_THRESHOLD, name_match_score, registrable_domain
from server.extraction.sources import website
from server.extraction.sources.base import Finding, SourceContext

REGISTER_CONFIDENCE = 0.95  # the statutory entry, kept by the state
ADDRESS_CONFIDENCE = 0.75  # a registered office can be an agent's or a lawyer's; the site's is more current
INDUSTRY_CONFIDENCE = 0.6  # activity codes are coarse next to how a company describes itself
SECTOR_CONFIDENCE = 0.8  # ... but a code's sector places a company soundly (as ``sec_edgar``'s does)
EMPLOYEES_CONFIDENCE = 0.85  # reported to the register once a year
# The profile fields a register can state (each source's ``fields``).
FIELDS = (
    "legal_name", "identifiers", "registration", "industry", "employee_count", "employee_count_exact",
    "founded_year", "headquarters", "contacts", "people",
)  # fmt: skip
SEARCH_SIZE = 10  # entries asked per name search; a name shared by more is decided among these
URL_HOST_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?([^/?#:]+)", re.IGNORECASE)
# Each register reads the site's parsed pages (``printed_on_site``), so it is collected after the website.
AFTER = frozenset({website.SOURCE_NAME})


@dataclass(frozen=True)
class Entry:
    """One register entry that might be the company, as the register's search or record states it."""

    name: str
    record: dict[str, Any]
    path: str  # where the entry stands in its document ("_embedded.enheter[0]")
    website: str | None = None
    postal_code: str | None = None
    town: str | None = None


@dataclass(frozen=True)
class RegisterMatch:
    """The entry taken, how well its name matched (0-1) and what else vouched for it."""

    entry: Entry
    score: float
    vouched_by: tuple[str, ...] = ()

    def method(self, what: str) -> str:
        """A finding's method: what was read, and how the entry was matched."""
        also = f" + {' + '.join(self.vouched_by)}" if self.vouched_by else ""
        return f"{what} (entry matched by name {self.score:.2f}{also})"


@dataclass
class Findings:
    """Collects one register document's findings (skipping empty values)."""

    source: str
    url: str
    retrieved_at: datetime
    found: list[Finding] = field(default_factory=list)

    def add(
        self, field_path: str, value: Any, method: str, evidence: str, confidence: float = REGISTER_CONFIDENCE
    ) -> None:
        if value in (None, "", {}, []):
            return
        self.found.append(
            Finding(field_path, value, self.source, self.url, self.retrieved_at, method, confidence, evidence)
        )


def industry_codes(stated: Iterable[tuple[str, str, str | None]]) -> list[dict[str, str]]:
    """``IndustryCode`` dicts of (scheme, code, the register's label) triples, main code first: the
    register's own label, else the official list's."""
    codes = []
    for scheme, code, label in stated:
        known = classify(scheme, code)
        item = {"scheme": scheme, "code": code}
        if label or known is not None:
            item["label"] = label or (known.label if known is not None else "")
        codes.append(item)
    return codes


def add_industry(out: Findings, match: RegisterMatch, codes: list[dict[str, str]], evidence: str) -> None:
    """The main code's industry (the official list's English title), its sector and
    ``identifiers.<scheme>``, by ``industry_codes.code_findings``."""
    if not codes:
        return
    main = codes[0]
    out.found += code_findings(
        main["scheme"],
        main["code"],
        source=out.source,
        url=out.url,
        retrieved_at=out.retrieved_at,
        method=match.method(f"{main['scheme']} {main['code']}"),
        confidence=INDUSTRY_CONFIDENCE,
        evidence=evidence,
        sector_confidence=SECTOR_CONFIDENCE,  # no description: the registers' own labels are not English
    )


def band_bucket(band: str | None, scheme: str) -> str | None:
    """The contract bucket a register's employee band falls in, or None when it spans two."""
    found = employee_band(band=band, scheme=scheme) if band else None
    return found.bucket if found is not None else None


def note_outage(context: SourceContext, source: str, exc: FetchError) -> None:
    """Record that ``source`` could not be asked for this company (when ``exc`` is an outage)."""
    if exc.outage:
        context.mark_unavailable(source, exc.message)


def site_domain(url: str | None) -> str | None:
    """The registrable domain of a website as a register prints it ("www.sesam.no", "https://x.no/")."""
    if not url:
        return None
    match = URL_HOST_RE.match(url.strip())
    host = match.group(1).lower().rstrip(".") if match else ""
    return registrable_domain(host) if "." in host else None


def printed_on_site(context: SourceContext, postal_code: str | None, town: str | None) -> bool:
    """Whether the company's own pages state this postcode with this town: in a printed address, in
    their schema.org address, or in their text."""
    if not postal_code or not town:
        return False
    wanted = (_folded(postal_code), _folded(town))
    postal = re.compile(rf"(?<![\w-]){re.escape(wanted[0])}(?![\w-])")
    place = re.compile(rf"(?<!\w){re.escape(wanted[1])}(?!\w)")
    pages = context.shared.site_pages or [(context.resolution.home, context.resolution.facts)]
    for _, facts in pages:
        stated: list[tuple[Any, Any]] = [
            (placed.address.postal, placed.address.city) for placed in facts.addresses
        ]
        for organization in facts.organizations:
            for address in _schema_addresses(organization.get("address")):
                stated.append((address.get("postalCode"), address.get("addressLocality")))
        if any((_folded(str(p or "")), _folded(str(c or ""))) == wanted for p, c in stated):
            return True
        for text in (facts.text, " ".join(facts.address_lines)):
            folded = _folded(text)
            if postal.search(folded) and place.search(folded):
                return True
    return False


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _schema_addresses(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def choose_entry(context: SourceContext, entries: Iterable[Entry]) -> RegisterMatch | None:
    """The entry that is the company, or None when none matches well enough or two cannot be told apart."""
    names = [context.request.company_name, context.resolution.matched_name]
    domain = context.resolution.domain
    ranked: list[tuple[tuple[int, float], RegisterMatch]] = []
    for entry in entries:
        score = max(name_match_score(name, entry.name) for name in names if name)
        if score < MATCH_THRESHOLD:
            continue
        vouched: list[str] = []
        stated = site_domain(entry.website)
        if stated is not None:
            if stated != domain:
                continue  # the register places this entry's website elsewhere: a namesake
            vouched.append("website")
        if printed_on_site(context, entry.postal_code, entry.town):
            vouched.append("address")
        match = RegisterMatch(entry, round(score / 100.0, 3), tuple(vouched))
        ranked.append(((len(vouched), match.score), match))
    if not ranked:
        return None
    ranked.sort(key=lambda item: item[0], reverse=True)
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        return None  # two entries equally likely: guessing would be wrong half the time
    return ranked[0][1]


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (registers leave parts out or null)."""
    return value if isinstance(value, dict) else {}


def person_name(*parts: str | None) -> str:
    """A person's name from register parts, upper-case surnames in print case ("DUPONT" -> "Dupont")."""
    words = " ".join(part.strip() for part in parts if part and part.strip()).split()
    return " ".join(word.title() if word.isupper() and len(word) > 1 else word for word in words)


def iso_date(value: Any) -> str | None:
    """An ISO date ("2017-10-20") when ``value`` is one; registers leave empty strings for unknown dates."""
    text = str(value or "").strip()[:10]
    try:
        return datetime.strptime(text, "%Y-%m-%d").date().isoformat()
    except ValueError:
        return None


def founded_year(date: str | None) -> int | None:
    return int(date[:4]) if date else None
