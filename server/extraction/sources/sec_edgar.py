"""SEC EDGAR as a source for US-listed companies: SIC industry, business address, phone, fiscal year
end (``submissions``) and revenue, net income, assets and shares outstanding (``companyfacts``).

The company is found in ``company_tickers.json`` by its ticker (from Wikidata) or by its registered
title matching the name. The SEC asks every client for a descriptive User-Agent with a contact; the
fetcher sends ``settings.user_agent``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rapidfuzz import fuzz

from server.errors import FetchError
from server.extraction.candidates.derived import normalize_name
from server.extraction.money import money_figure
from server.extraction.normalize import headquarters_from
from server.extraction.parse import normalize_phone
from server.extraction.sources import wikidata_api as wd
from server.extraction.sources.base import Finding, SourceContext
from server.extraction.sources.wikidata import SHARED_ENTITY

SOURCE_NAME = "sec_edgar"
TICKERS_URL = "https://www.sec.gov/files/company_tickers.json"
SUBMISSIONS_URL = "https://data.sec.gov/submissions/CIK{cik:010d}.json"
COMPANY_FACTS_URL = "https://data.sec.gov/api/xbrl/companyfacts/CIK{cik:010d}.json"
CONFIDENCE = 0.95  # statutory filings
INDUSTRY_CONFIDENCE = 0.6  # SIC codes are coarse labels next to how a company describes itself
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
MONTHS = ("January February March April May June July August September October November December").split()


class SecEdgarSource:
    """Reads EDGAR for a company listed in the US."""

    name = SOURCE_NAME
    fields = frozenset(
        {"industry", "headquarters", "contacts", "identifiers", "financial_data", "legal_name"}
    )

    def __init__(self) -> None:
        self._tickers: list[dict[str, Any]] | None = None  # company_tickers.json, read once per extractor

    async def collect(self, context: SourceContext) -> list[Finding]:
        if not context.wants("financial_data", "identifiers", "legal_name"):
            return []
        entity = context.shared.get(SHARED_ENTITY)
        ticker = _ticker_of(entity) if isinstance(entity, dict) else None
        if context.request.country.upper() != US and ticker is None:
            return []
        try:
            match = await self._find(context, ticker)
            if match is None:
                return []
            cik = int(match["cik_str"])
            submissions, sub_page = await context.fetcher.fetch_json(SUBMISSIONS_URL.format(cik=cik))
            facts, facts_page = await context.fetcher.fetch_json(COMPANY_FACTS_URL.format(cik=cik))
        except FetchError:
            return []
        return [
            *findings_from_submissions(submissions, sub_page.url, sub_page.retrieved_at),
            *findings_from_company_facts(facts, facts_page.url, facts_page.retrieved_at),
        ]

    async def _find(self, context: SourceContext, ticker: str | None) -> dict[str, Any] | None:
        if self._tickers is None:
            document, _ = await context.fetcher.fetch_json(TICKERS_URL)
            self._tickers = [row for row in document.values() if isinstance(row, dict)]
        return find_company(self._tickers, context.request.company_name, ticker)

    async def aclose(self) -> None:
        return None


def _ticker_of(entity: dict[str, Any]) -> str | None:
    for statement in wd.statements(entity, wd.P_EXCHANGE):
        ticker = wd.qualifier(statement, wd.P_TICKER)
        if isinstance(ticker, str):
            return ticker
    return None


def find_company(rows: list[dict[str, Any]], name: str, ticker: str | None) -> dict[str, Any] | None:
    """The ``company_tickers.json`` row of a ticker, else of a title matching the name. Pure."""
    if ticker:
        for row in rows:
            if str(row.get("ticker", "")).upper() == ticker.upper():
                return row
    wanted = normalize_name(name)
    best: tuple[float, dict[str, Any]] | None = None
    for row in rows:
        seen = normalize_name(str(row.get("title", "")))
        score = float(fuzz.ratio(wanted, seen)) if wanted and seen else 0.0
        if score >= NAME_THRESHOLD and (best is None or score > best[0]):
            best = (score, row)
    return best[1] if best else None


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
    add(
        "industry",
        document.get("sicDescription"),
        f"SIC {document.get('sic')}",
        INDUSTRY_CONFIDENCE,
        "sicDescription",
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
    street = ", ".join(
        str(part).title() for part in (business.get("street1"), business.get("street2")) if part
    )
    hq = headquarters_from(
        city=str(business["city"]).title() if business.get("city") else None,
        region=business.get("stateOrCountry"),
        country=US if business.get("stateOrCountry") and len(str(business["stateOrCountry"])) == 2 else None,
        street=street or None,
        postal=business.get("zipCode"),
    )
    add("headquarters", hq, "addresses.business", ADDRESS_CONFIDENCE)
    phone = normalize_phone(str(document.get("phone") or ""), US)
    if phone:
        add(
            "contacts.phones",
            {"number": phone, "type": "general", "display": document["phone"]},
            "phone",
            0.7,
        )
    return found


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
