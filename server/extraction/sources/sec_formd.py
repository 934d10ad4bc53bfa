"""SEC Form D as a source: money a US company raised in exempt offerings, each offering, and the officers
and directors its notices name.

The company's CIK is the one ``sec_edgar`` found (a listed company; its submissions are reused too),
else, for a US company, the EDGAR full-text search for Form D notices naming it, taken only when a
filer's name matches the requested one as closely as ``sec_edgar`` demands (``NAME_THRESHOLD``) and its
business address is in a US state. From the submissions' filing list, every ``D`` and ``D/A`` notice's
``primary_doc.xml`` is read (``server.extraction.form_d``, off the event loop) and the notices are
folded into distinct offerings (an amendment replaces what it amends). ``funding_raised`` is the sum of
the offerings' amounts sold, stated only when every notice listed was read: a notice that failed, or a
filing list longer than the one document holds, would make the sum a guess. Requests go through
``sec_api`` (ten per second for the whole process, shared with ``sec_edgar``).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from rapidfuzz import fuzz

from server.errors import FetchError
from server.extraction.candidates.derived import normalize_name
from server.extraction.fetcher import FetchedPage
from server.extraction.form_d import (
    MAX_FORM_D_BYTES,
    FiledFormD,
    FormDError,
    distinct_offerings,
    parse_form_d,
)
from server.extraction.money import money_display, money_figure
from server.extraction.sources import sec_edgar
from server.extraction.sources.base import EVIDENCE_CHARS, Finding, Source, SourceContext
from server.extraction.sources.sec_api import (
    SUBMISSIONS_MAX_BYTES,
    SUBMISSIONS_URL,
)
from server.extraction.sources.sec_edgar import NAME_THRESHOLD, US, is_us_state

log = logging.getLogger("company_batch.extraction.sec_formd")

SOURCE_NAME = "sec_formd"
SEARCH_URL = "https://efts.sec.gov/LATEST/search-index"
DOCUMENT_URL = "https://www.sec.gov/Archives/edgar/data/{cik}/{accession}/primary_doc.xml"
FORM_D_FORMS = frozenset({"D", "D/A"})
MAX_NOTICES = 40  # four seconds of the SEC's rate at most; a company with more gets no total
SEARCH_MAX_BYTES = 4_000_000
CONFIDENCE = 0.95  # statutory notices, filed by the issuer
PEOPLE_CONFIDENCE = 0.9  # the issuer's own list of its executive officers and directors
CURRENCY = "USD"  # Form D states amounts in US dollars


class SecFormDSource(Source):
    """Reads a company's Form D notices on EDGAR."""

    name = SOURCE_NAME
    precedence = 30
    after = frozenset({sec_edgar.SOURCE_NAME})  # the CIK and submissions it found
    # A mode that wants identifiers but neither money nor people (standard) gets the CIK from the one
    # search request; the filing list and notices are read only for the modes that want them.
    fields = frozenset({"financial_data", "people", "identifiers"})

    async def collect(self, context: SourceContext) -> list[Finding]:
        country = context.request.country.upper()
        how = "the CIK sec_edgar found"
        try:
            cik = context.shared.sec_cik
            if cik is None and country == US:
                match = await self._search_cik(context)
                if match is not None:
                    cik, filer, score = match
                    how = f"full-text search filer {filer!r} matching the name ({score:.0f})"
            if cik is None:
                return []
            if not context.wants("financial_data", "people"):
                # sec_edgar states a CIK it found itself; a searched one is this source's to state.
                searched = context.shared.sec_formd_search
                return [cik_finding(int(cik), how, searched)] if context.shared.sec_cik is None else []
            shared = context.shared.sec_submissions
            if shared is not None:
                submissions, page = shared
            else:
                submissions, page = await context.fetcher.fetch_json(
                    SUBMISSIONS_URL.format(cik=int(cik)), max_bytes=SUBMISSIONS_MAX_BYTES
                )
        except FetchError as exc:
            if exc.outage:
                context.mark_unavailable(SOURCE_NAME, exc.message)
            return []
        listed, complete = form_d_filings(submissions, int(cik))
        if not listed:
            return []
        read = await asyncio.gather(*(self._read(context, *filing) for filing in listed))
        notices = [notice for notice in read if notice is not None]
        complete = complete and len(notices) == len(listed)
        return findings_from_notices(notices, int(cik), page, complete=complete, found_by=how)

    async def _search_cik(self, context: SourceContext) -> tuple[int, str, float] | None:
        """The Form D filer whose name matches the company's, located in a US state: (CIK, its name,
        the match score). The search page is left in ``context.shared`` for ``cik_finding``."""
        name = context.request.company_name
        query = urlencode({"q": f'"{name}"', "forms": "D"})
        document, page = await context.fetcher.fetch_json(f"{SEARCH_URL}?{query}", max_bytes=SEARCH_MAX_BYTES)
        context.shared.sec_formd_search = page
        return cik_from_search(document, name)

    async def _read(self, context: SourceContext, accession: str, filed: str, url: str) -> FiledFormD | None:
        try:
            page = await context.fetcher.fetch(url, max_bytes=MAX_FORM_D_BYTES)
        except FetchError as exc:
            if exc.outage:
                context.mark_unavailable(SOURCE_NAME, exc.message)
            return None
        if page.truncated:
            log.info("Form D notice refused", extra={"url": url, "reason": "larger than the cap"})
            return None
        try:
            form = await asyncio.to_thread(parse_form_d, page.text)  # lxml parsing: off the loop
        except FormDError as exc:
            log.info("Form D notice refused", extra={"url": url, "reason": str(exc)[:200]})
            return None
        return FiledFormD(accession, filed, page.url, form, page.retrieved_at)


def cik_from_search(document: Any, name: str) -> tuple[int, str, float] | None:
    """The best-matching filer (at least ``NAME_THRESHOLD``) with a US business address among full-text
    search hits: its CIK, its name and the score. Pure."""
    found = document.get("hits") if isinstance(document, dict) else None
    hits = found.get("hits") if isinstance(found, dict) else None
    wanted = normalize_name(name)
    best: tuple[float, int, str] | None = None
    for hit in hits if isinstance(hits, list) else []:
        source = hit.get("_source") if isinstance(hit, dict) else None
        if not isinstance(source, dict):
            continue
        ciks, names, states = (_list(source.get(key)) for key in ("ciks", "display_names", "biz_states"))
        for index, (cik, shown) in enumerate(zip(ciks, names, strict=False)):
            state = states[index] if index < len(states) else None
            if not (isinstance(state, str) and is_us_state(state.upper())):
                continue
            # "Acme Robotics, Inc.  (CIK 0001234567)"; a listed filer also shows its tickers.
            filer = str(shown).split("(CIK", 1)[0].strip()
            score = fuzz.ratio(wanted, normalize_name(filer))
            if score >= NAME_THRESHOLD and str(cik).isdigit() and (best is None or score > best[0]):
                best = (score, int(cik), filer)
    return (best[1], best[2], best[0]) if best else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def form_d_filings(submissions: Any, cik: int) -> tuple[list[tuple[str, str, str]], bool]:
    """(accession, filing date, primary_doc.xml URL) of every Form D notice in the filing list, and
    whether that list is the company's whole Form D history. Pure."""
    filings = submissions.get("filings") if isinstance(submissions, dict) else None
    if not isinstance(filings, dict) or not isinstance(filings.get("recent"), dict):
        return [], False
    recent = filings["recent"]
    columns = [recent.get(key) or [] for key in ("form", "accessionNumber", "filingDate")]
    found = [
        (str(accession), str(filed), DOCUMENT_URL.format(cik=cik, accession=str(accession).replace("-", "")))
        for form, accession, filed in zip(*columns, strict=False)
        if form in FORM_D_FORMS and str(accession).replace("-", "").isdigit()
    ]
    # Older filings live in further documents ("files"); an offering could start there.
    complete = not filings.get("files") and len(found) <= MAX_NOTICES
    found.sort(key=lambda filing: (filing[1], filing[0]), reverse=True)
    return found[:MAX_NOTICES], complete


def cik_finding(cik: int, found_by: str, page: Any) -> Finding:
    """The CIK alone, cited to the search answer it was read from. Pure."""
    url = page.url if isinstance(page, FetchedPage) else SEARCH_URL
    when = page.retrieved_at if isinstance(page, FetchedPage) else datetime.now(UTC)
    method = f"Form D filer: {found_by}"
    return Finding(
        "identifiers.cik", f"{cik:010d}", SOURCE_NAME, url, when, method, CONFIDENCE, evidence="ciks"
    )


def findings_from_notices(
    notices: list[FiledFormD], cik: int, submissions: FetchedPage, *, complete: bool, found_by: str = ""
) -> list[Finding]:
    """CIK, legal name and people of the latest notice; when every notice was read, the offerings and
    their total. Pure."""
    if not notices:
        return []
    latest = max(notices, key=lambda notice: (notice.filing_date, notice.accession))
    found: list[Finding] = []

    def add(field: str, value: Any, notice: FiledFormD | None, method: str, evidence: str,
            confidence: float = CONFIDENCE) -> None:  # fmt: skip
        where = notice or submissions  # a notice's own URL, else the filing list's
        url, when = where.url, where.retrieved_at
        found.append(Finding(field, value, SOURCE_NAME, url, when, method, confidence, evidence=evidence))

    add("identifiers.cik", f"{cik:010d}", None, f"Form D filer: {found_by}".strip(": "), "cik")
    if latest.form.issuer_name:
        add("legal_name", latest.form.issuer_name, latest, f"Form {latest.form.submission_type} issuer",
            "primaryIssuer.entityName")  # fmt: skip
    for index, person in enumerate(latest.form.related_persons):
        if person.role:
            add("people", {"name": person.name, "role": person.role}, latest,
                f"Form {latest.form.submission_type} related person",
                f"relatedPersonsList.relatedPersonInfo[{index}]", PEOPLE_CONFIDENCE)  # fmt: skip
    if not complete:
        return found
    offerings = distinct_offerings(notices)
    for offering in offerings:
        add("financial_data.funding_rounds", funding_round(offering), offering,
            f"Form {offering.form.submission_type} offeringSalesAmounts",
            f"{offering.accession} offeringData.offeringSalesAmounts")  # fmt: skip
    sold = [(offering, offering.form.total_amount_sold) for offering in offerings]
    counted = [(offering, amount) for offering, amount in sold if amount is not None]
    if counted:
        total = sum(amount for _, amount in counted)
        figure = money_figure("funding_raised", total, CURRENCY, latest.filing_date)
        method = (
            f"Form D totalAmountSold summed over {len(counted)} offering(s), amendments replacing their "
            f"originals ({len(notices)} notice(s) read)"
        )
        add("financial_data.funding_raised", figure, latest, method, _evidence(counted))
    return found


def funding_round(offering: FiledFormD) -> dict[str, Any]:
    """A ``FundingRound`` dict (proto field names) of one offering's latest notice."""
    form = offering.form
    round_: dict[str, Any] = {
        "date": form.date_of_first_sale or offering.filing_date,
        "offering_total_indefinite": form.offering_indefinite,
        "currency": CURRENCY,
        "filing_url": offering.url,
        "form": form.submission_type,
        "accession_number": offering.accession,
        "filing_date": offering.filing_date,
    }
    if form.total_amount_sold is not None:
        round_["amount_sold"] = form.total_amount_sold
        round_["display"] = money_display(form.total_amount_sold, CURRENCY)
    if form.total_offering_amount is not None:
        round_["offering_total"] = form.total_offering_amount
    if form.industry_group:
        round_["industry_group"] = form.industry_group
    return round_


def _evidence(counted: list[tuple[FiledFormD, float]]) -> str:
    """``0001234567-24-000002: $6.3M + ...``: the figures summed and the notices they come from."""
    parts = [f"{offering.accession}: {money_display(amount, CURRENCY)}" for offering, amount in counted]
    text = " + ".join(parts)
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"
