"""SEC EDGAR as a source for US-listed companies: SIC industry and sector, business address, phone,
fiscal year end (``submissions``) and revenue, net income, assets and shares outstanding (``companyfacts``).

The company is found in ``company_tickers.json`` by its ticker (from Wikidata) or by its registered
title matching the name; outside the US a title match counts only when the filing's business address
is in the requested country (foreign issuers file with the SEC, and so do namesakes). The ticker list
is fetched and indexed once per source (``TickerIndex``) and again after ``TICKERS_TTL_SECONDS``. The
two documents are read independently, so one that fails (companyfacts runs to tens of MB) leaves what
the other states. Every request goes through ``sec_api`` (the SEC's ten requests per second, shared with
the Form D source, which reads the CIK and submissions this source leaves in ``context.shared``).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pycountry
from rapidfuzz import fuzz, process

from server.errors import FetchError
from server.extraction.candidates.derived import normalize_name
from server.extraction.industry_codes import code_findings
from server.extraction.money import money_figure
from server.extraction.normalize import headquarters_from
from server.extraction.parse import normalize_phone
from server.extraction.response_cache import KNOWLEDGE_TTL_SECONDS
from server.extraction.sources import wikidata
from server.extraction.sources import wikidata_api as wd
from server.extraction.sources.base import Finding, Source, SourceContext
from server.extraction.sources.sec_api import (
    SUBMISSIONS_MAX_BYTES,
    SUBMISSIONS_URL,
)

SOURCE_NAME = "sec_edgar"
TICKERS_URL = "https://www.sec.gov/files/company_tickers.json"
COMPANY_FACTS_URL = "https://data.sec.gov/api/xbrl/companyfacts/CIK{cik:010d}.json"
CONFIDENCE = 0.95  # statutory filings
INDUSTRY_CONFIDENCE = 0.6  # SIC codes are coarse labels next to how a company describes itself
# ... but the sector of its code is a sound placing; a filer's code can be years old, hence not CONFIDENCE.
# A code's sector outranks one read from an industry label's wording (``server.extraction.profile``).
SECTOR_CONFIDENCE = 0.8
ADDRESS_CONFIDENCE = 0.7  # the filing address can be an agent's; the site's own address ranks higher
NAME_THRESHOLD = 92.0
US = "US"
ANNUAL_FORMS = frozenset({"10-K", "10-K/A", "20-F", "40-F"})
# us-gaap concepts per figure, first present wins (filers moved from Revenues/SalesRevenueNet to the
# ASC 606 concepts in 2018).
CONCEPTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "revenue": (
        ("us-gaap", "Revenues", "USD"),
        ("us-gaap", "RevenueFromContractWithCustomerExcludingAssessedTax", "USD"),
        ("us-gaap", "RevenueFromContractWithCustomerIncludingAssessedTax", "USD"),
        ("us-gaap", "SalesRevenueNet", "USD"),
    ),
    "net_income": (("us-gaap", "NetIncomeLoss", "USD"), ("us-gaap", "ProfitLoss", "USD")),
    "total_assets": (("us-gaap", "Assets", "USD"),),
}
SHARES_CONCEPT = ("dei", "EntityCommonStockSharesOutstanding", "shares")
# The EDGAR APIs are not pages: submissions run to a few MB (``sec_api``), companyfacts to tens of MB
# for a large filer. Each gets its own body cap, far above the HTML page cap (``settings.max_page_bytes``).
COMPANY_FACTS_MAX_BYTES = 96_000_000
TICKERS_MAX_BYTES = 16_000_000
TICKERS_TTL_SECONDS = 24 * 3600.0  # the SEC regenerates company_tickers.json daily
ORDINAL_RE = re.compile(r"(\d)(St|Nd|Rd|Th)\b")
MONTHS = ("January February March April May June July August September October November December").split()


class TickerIndex:
    """``company_tickers.json`` indexed for lookups: by ticker, and by normalized title (computed once)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self._by_ticker: dict[str, dict[str, Any]] = {
            str(row.get("ticker", "")).upper(): row for row in reversed(rows)
        }
        self._titles: list[str] = [normalize_name(str(row.get("title", ""))) for row in rows]

    def find(self, name: str, ticker: str | None) -> dict[str, Any] | None:
        """The row of ``ticker``, else of the title matching ``name`` best (at least ``NAME_THRESHOLD``)."""
        if ticker and ticker.upper() in self._by_ticker:
            return self._by_ticker[ticker.upper()]
        wanted = normalize_name(name)
        if not wanted:
            return None
        best = process.extractOne(
            wanted, self._titles, scorer=fuzz.ratio, score_cutoff=NAME_THRESHOLD, processor=None
        )
        if best is None:
            return None
        position: int = best[2]
        return self.rows[position]


class SecEdgarSource(Source):
    """Reads EDGAR for a company that files with the SEC (US-listed, or a foreign issuer)."""

    name = SOURCE_NAME
    precedence = 20
    after = frozenset({wikidata.SOURCE_NAME})  # the item's ticker
    fields = frozenset(
        {"industry", "sector", "headquarters", "contacts", "identifiers", "financial_data", "legal_name"}
    )

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tickers: TickerIndex | None = None
        self._tickers_read_at = 0.0
        self._tickers_lock = asyncio.Lock()  # concurrent companies wait for one download, not one each

    async def collect(self, context: SourceContext) -> list[Finding]:
        if not context.wants("financial_data", "identifiers", "legal_name"):
            return []
        entity = context.shared.wikidata_entity
        ticker = _ticker_of(entity) if isinstance(entity, dict) else None
        country = context.request.country.upper()
        try:
            index = await self.tickers(context)
        except FetchError as exc:
            if exc.outage:
                context.mark_unavailable(SOURCE_NAME, exc.message)
            return []
        match = index.find(context.request.company_name, ticker)
        if match is None:
            return []
        cik = int(match["cik_str"])
        # Outside the US a name alone is weak evidence (foreign issuers file too, but so does a namesake):
        # without a ticker from the company's own item, the filing must place the company in its country.
        placed_by_filing = country != US and ticker is None
        found: list[Finding] = []
        try:
            submissions, page = await context.fetcher.fetch_json(
                SUBMISSIONS_URL.format(cik=cik),
                max_bytes=SUBMISSIONS_MAX_BYTES,
                source=self.name,
                cache_seconds=KNOWLEDGE_TTL_SECONDS,
            )
        except FetchError as exc:
            if exc.outage:
                context.mark_unavailable(SOURCE_NAME, exc.message)
            if placed_by_filing:
                return []
        else:
            if placed_by_filing and filing_country(submissions) != country:
                return []
            found += findings_from_submissions(submissions, page.url, page.retrieved_at)
            context.shared.sec_submissions = (submissions, page)
        context.shared.sec_cik = cik
        try:
            facts, page = await context.fetcher.fetch_json(
                COMPANY_FACTS_URL.format(cik=cik),
                max_bytes=COMPANY_FACTS_MAX_BYTES,
                source=self.name,
            )
            found += findings_from_company_facts(facts, page.url, page.retrieved_at)
        except FetchError as exc:
            # Many filers (foreign issuers, funds) have no XBRL facts (404); submissions still count.
            if exc.outage:
                context.mark_unavailable(SOURCE_NAME, exc.message)
        return found

    async def tickers(self, context: SourceContext) -> TickerIndex:
        """The ticker index, downloaded on first use and again once it is older than the TTL.

        Raises:
            FetchError: the list cannot be read (nothing is cached, so the next company tries again).
        """
        async with self._tickers_lock:
            stale = self._clock() - self._tickers_read_at > TICKERS_TTL_SECONDS
            if self._tickers is None or stale:
                document, _ = await context.fetcher.fetch_json(
                    TICKERS_URL,
                    max_bytes=TICKERS_MAX_BYTES,
                    source=self.name,
                    cache_seconds=TICKERS_TTL_SECONDS,
                )
                rows = document.values() if isinstance(document, dict) else []
                self._tickers = TickerIndex([row for row in rows if isinstance(row, dict)])
                self._tickers_read_at = self._clock()
            return self._tickers


def _ticker_of(entity: dict[str, Any]) -> str | None:
    for statement in wd.statements(entity, wd.P_EXCHANGE):
        ticker = wd.qualifier(statement, wd.P_TICKER)
        if isinstance(ticker, str):
            return ticker
    return None


def find_company(rows: list[dict[str, Any]], name: str, ticker: str | None) -> dict[str, Any] | None:
    """The ``company_tickers.json`` row of a ticker, else of a title matching the name. Pure."""
    return TickerIndex(rows).find(name, ticker)


def findings_from_submissions(document: Any, url: str, retrieved_at: datetime) -> list[Finding]:
    """Identity, SIC industry, business address, phone, listing and fiscal year end. Pure."""
    if not isinstance(document, dict):
        return []
    found: list[Finding] = []

    def add(
        field: str, value: Any, method: str, confidence: float = CONFIDENCE, path: str | None = None
    ) -> None:
        # ``path``: where the value stands in the document, when the method's key is not already it.
        if value not in (None, "", {}, []):
            found.append(
                Finding(
                    field,
                    value,
                    SOURCE_NAME,
                    url,
                    retrieved_at,
                    f"submissions {method}",
                    confidence,
                    evidence=path or method,
                )
            )

    cik = str(document.get("cik", "")).lstrip("0")
    add("identifiers.cik", cik.zfill(10) if cik else None, "cik")
    add("legal_name", document.get("name"), "name")
    sic = document.get("sic")
    if isinstance(sic, str | int) and str(sic).strip():
        found += code_findings(
            "us_sic",
            sic,
            source=SOURCE_NAME,
            url=url,
            retrieved_at=retrieved_at,
            method=f"submissions sic {str(sic).strip()}",
            confidence=INDUSTRY_CONFIDENCE,
            evidence="sic",
            description=str(document.get("sicDescription") or ""),
            description_evidence="sicDescription",
            sector_confidence=SECTOR_CONFIDENCE,
        )
    tickers, exchanges = document.get("tickers") or [], document.get("exchanges") or []
    if tickers:
        add("identifiers.ticker", tickers[0], "tickers", path="tickers[0]")
        add("financial_data.ticker", tickers[0], "tickers", path="tickers[0]")
        add("financial_data.is_public", True, "tickers", path="tickers[0]")
    if exchanges and exchanges[0]:
        add("identifiers.exchange", exchanges[0], "exchanges", path="exchanges[0]")
        add("financial_data.exchange", exchanges[0], "exchanges", path="exchanges[0]")
    add("financial_data.fiscal_year_end", fiscal_year_end(document.get("fiscalYearEnd")), "fiscalYearEnd")
    business = (document.get("addresses") or {}).get("business") or {}
    hq = business_address(business)
    add("headquarters", hq, "addresses.business", ADDRESS_CONFIDENCE)
    phone = normalize_phone(str(document.get("phone") or ""), hq.get("country_code") or US)
    if phone:
        add(
            "contacts.phones",
            {"number": phone, "type": "general", "display": document["phone"]},
            "phone",
            0.7,
        )
    return found


def filing_country(document: Any) -> str | None:
    """The ISO country of a submissions document's business address. Pure."""
    if not isinstance(document, dict):
        return None
    business = (document.get("addresses") or {}).get("business") or {}
    return business_address(business).get("country_code") if isinstance(business, dict) else None


def business_address(address: dict[str, Any]) -> dict[str, str]:
    """``Headquarters`` from an EDGAR address, in print case ("1100 15TH ST" -> "1100 15th St").

    ``stateOrCountry`` is a US state or an EDGAR country code ("2M", "M0"): a foreign address is placed
    by the country it names (``country``, else ``stateOrCountryDescription``).
    """
    region = str(address.get("stateOrCountry") or "").upper()
    in_us = bool(region) and is_us_state(region)
    foreign = address.get("country") or (None if in_us else address.get("stateOrCountryDescription"))
    street = ", ".join(
        print_case(str(part)) for part in (address.get("street1"), address.get("street2")) if part
    )
    return headquarters_from(
        city=print_case(str(address["city"])) if address.get("city") else None,
        region=region if in_us else None,
        country=US if in_us else (str(foreign) if foreign else None),
        street=street or None,
        postal=address.get("zipCode"),
    )


def print_case(text: str) -> str:
    """EDGAR's upper-case text as printed: words capitalized, ordinals lower ("15TH" -> "15th")."""
    return ORDINAL_RE.sub(lambda match: match.group(1) + match.group(2).lower(), text.title())


def is_us_state(code: str) -> bool:
    """Whether an EDGAR ``stateOrCountry`` code is a US state or territory ("CA"), not a country ("2M")."""
    return pycountry.subdivisions.get(code=f"{US}-{code}") is not None  # type: ignore[no-untyped-call]


def fiscal_year_end(value: Any) -> str | None:
    """EDGAR's ``"0928"`` as ``"September 28"``."""
    text = str(value or "")
    if len(text) != 4 or not text.isdigit() or not 1 <= int(text[:2]) <= len(MONTHS):
        return None
    return f"{MONTHS[int(text[:2]) - 1]} {int(text[2:])}"


def findings_from_company_facts(document: Any, url: str, retrieved_at: datetime) -> list[Finding]:
    """Latest annual revenue (concept fallbacks), net income, assets and shares outstanding. Pure."""
    if not isinstance(document, dict):
        return []
    facts = document.get("facts", {})
    found: list[Finding] = []
    for kind, concepts in CONCEPTS.items():
        for taxonomy, concept, unit in concepts:
            entry = latest_annual(facts, taxonomy, concept, unit)
            if entry is None:
                continue
            period = f"FY{entry['fy']}" if entry.get("fy") else str(entry.get("end", ""))
            figure = money_figure(kind, float(entry["val"]), unit, period)
            method = f"companyfacts {taxonomy}:{concept} ({entry.get('form')} {period})"
            where = _fact_path(facts, taxonomy, concept, unit, entry)
            found.append(
                Finding(
                    f"financial_data.{kind}",
                    figure,
                    SOURCE_NAME,
                    url,
                    retrieved_at,
                    method,
                    CONFIDENCE,
                    evidence=where,
                )
            )
            break
    shares = latest_entry(facts, *SHARES_CONCEPT)
    if shares is not None:
        method = f"companyfacts dei:EntityCommonStockSharesOutstanding (as of {shares.get('end')})"
        found.append(
            Finding(
                "financial_data.shares_outstanding",
                float(shares["val"]),
                SOURCE_NAME,
                url,
                retrieved_at,
                method,
                CONFIDENCE,
                evidence=_fact_path(facts, *SHARES_CONCEPT, shares),
            )
        )
    return found


def _fact_path(facts: dict[str, Any], taxonomy: str, concept: str, unit: str, entry: dict[str, Any]) -> str:
    """``facts.us-gaap.Revenues.units.USD[41]``: where one reported value stands in companyfacts."""
    units = facts.get(taxonomy, {}).get(concept, {}).get("units", {}).get(unit, [])
    index = next((i for i, candidate in enumerate(units) if candidate is entry), None)
    return f"facts.{taxonomy}.{concept}.units.{unit}" + (f"[{index}]" if index is not None else "")


def _entries(facts: dict[str, Any], taxonomy: str, concept: str, unit: str) -> list[dict[str, Any]]:
    units = facts.get(taxonomy, {}).get(concept, {}).get("units", {})
    return [entry for entry in units.get(unit, []) if isinstance(entry, dict) and "val" in entry]


def latest_annual(facts: dict[str, Any], taxonomy: str, concept: str, unit: str) -> dict[str, Any] | None:
    """The full-year (or year-end) value of the latest annual report (``fp == "FY"``, a 10-K-like form)."""
    annual = [
        entry
        for entry in _entries(facts, taxonomy, concept, unit)
        if entry.get("fp") == "FY" and entry.get("form") in ANNUAL_FORMS and _is_full_year(entry)
    ]
    return max(
        annual, key=lambda entry: (str(entry.get("end", "")), str(entry.get("filed", ""))), default=None
    )


def latest_entry(facts: dict[str, Any], taxonomy: str, concept: str, unit: str) -> dict[str, Any] | None:
    """The most recent value of a point-in-time concept."""
    entries = _entries(facts, taxonomy, concept, unit)
    return max(
        entries, key=lambda entry: (str(entry.get("end", "")), str(entry.get("filed", ""))), default=None
    )


def _is_full_year(entry: dict[str, Any]) -> bool:
    start, end = entry.get("start"), entry.get("end")
    if not end:
        return False
    if not start:
        return True  # an instant (balance-sheet) value as of the fiscal year's end
    days = (datetime.fromisoformat(str(end)) - datetime.fromisoformat(str(start))).days
    return days > 300  # a 10-K also repeats quarterly figures; only ~365-day spans are the year's
