"""The UK's Companies House public data API (``api.company-information.service.gov.uk``) as a source:
company number, status, type, incorporation date, registered office, SIC codes and officers.

The API needs a free key (``settings.companies_house_api_key``), sent as HTTP basic auth with the key as
the user name; without one the source is off and says so once, at start-up (``disabled_reason``). The
company is searched by name (``/search/companies``), matched by ``registers.choose_entry`` (the
registered postcode and town printed on the company's pages vouch for it), then its profile
(``/company/{number}``) and, when the mode wants people, its current officers are read.
"""

from __future__ import annotations

import base64
import logging
from typing import Any, Self
from urllib.parse import urlencode

from server.errors import FetchError
from server.extraction.normalize import headquarters_from
from server.extraction.sources import registers
from server.extraction.sources.base import Finding, Source, SourceContext
from server.extraction.sources.registers import Entry, Findings, RegisterMatch
from server.settings import Settings

SOURCE_NAME = "companies_house"
COUNTRY = "GB"
API_URL = "https://api.company-information.service.gov.uk"
SIC_SCHEME = "uk_sic2007"
KEY_SETTING = "COMPANY_BATCH_COMPANIES_HOUSE_API_KEY"
DISSOLVED = frozenset({"dissolved", "converted-closed", "closed"})
INSOLVENT = frozenset({"administration", "receivership", "insolvency-proceedings"})
LIQUIDATION = "liquidation"
OFFICERS_PAGE = 35  # the API's default page; a company's current officers rarely run further

log = logging.getLogger(__name__)


class CompaniesHouseSource(Source):
    """Reads a British company's Companies House entry (off without an API key)."""

    name = SOURCE_NAME
    precedence = 60
    after = registers.AFTER
    fields = frozenset(registers.FIELDS)

    def __init__(self, api_key: str | None = None) -> None:
        self._headers: dict[str, str] = {}
        self.disabled_reason: str | None = None
        if api_key:
            token = base64.b64encode(f"{api_key}:".encode()).decode("ascii")
            self._headers = {"Authorization": f"Basic {token}"}
        else:
            self.disabled_reason = f"no Companies House API key configured ({KEY_SETTING})"
            log.warning("%s source is off: %s", SOURCE_NAME, self.disabled_reason)

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(settings.companies_house_api_key)

    async def collect(self, context: SourceContext) -> list[Finding]:
        if context.request.country.upper() != COUNTRY:
            return []
        if self.disabled_reason is not None:
            return []
        query = urlencode({"q": context.request.company_name, "items_per_page": str(registers.SEARCH_SIZE)})
        try:
            document, _ = await context.fetcher.fetch_json(
                f"{API_URL}/search/companies?{query}", headers=self._headers
            )
            match = registers.choose_entry(context, search_entries(document))
            if match is None:
                return []
            number = str(match.entry.record["company_number"])
            profile, page = await context.fetcher.fetch_json(
                f"{API_URL}/company/{number}", headers=self._headers
            )
        except FetchError as exc:
            registers.note_outage(context, SOURCE_NAME, exc)
            return []
        found = findings_from_profile(profile, match, page.url, page.retrieved_at)
        if context.wants("people"):
            try:
                officers, officers_page = await context.fetcher.fetch_json(
                    f"{API_URL}/company/{number}/officers?items_per_page={OFFICERS_PAGE}",
                    headers=self._headers,
                )
            except FetchError as exc:
                registers.note_outage(context, SOURCE_NAME, exc)
            else:
                found += findings_from_officers(officers, officers_page.url, officers_page.retrieved_at)
        return found


def search_entries(document: Any) -> list[Entry]:
    """The companies of a ``/search/companies`` answer. Pure."""
    items = document.get("items") if isinstance(document, dict) else None
    entries = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict) or not item.get("company_number") or not item.get("title"):
            continue
        address = registers.mapping(item.get("address"))
        entries.append(
            Entry(
                name=str(item["title"]),
                record=item,
                path=f"items[{index}]",
                postal_code=address.get("postal_code"),
                town=address.get("locality"),
            )
        )
    return entries


def findings_from_profile(profile: Any, match: RegisterMatch, url: str, retrieved_at: Any) -> list[Finding]:
    """Number, legal name, registration (status, type, dates, SIC codes), registered office. Pure."""
    if not isinstance(profile, dict) or not profile.get("company_number"):
        return []
    out = Findings(SOURCE_NAME, url, retrieved_at)
    number = str(profile["company_number"])
    out.add("identifiers.gb_company_number", number, match.method("company_number"), "company_number")
    out.add("legal_name", profile.get("company_name"), match.method("company_name"), "company_name")
    status = str(profile.get("company_status") or "") or None
    created = registers.iso_date(profile.get("date_of_creation"))
    office = registered_office(profile.get("registered_office_address"))
    codes = registers.industry_codes(
        (SIC_SCHEME, str(code), None) for code in profile.get("sic_codes") or [] if code
    )
    registration = {
        "register": SOURCE_NAME,
        "number": number,
        "legal_form": profile.get("type"),
        "status": status,
        "bankrupt": status in INSOLVENT,
        "in_liquidation": status == LIQUIDATION,
        "dissolved": status in DISSOLVED or bool(registers.iso_date(profile.get("date_of_cessation"))),
        "incorporation_date": created,
        "registered_office": {**office, "label": "registered"} if office else None,
        "industry_codes": codes,
        "match_score": match.score,
        "url": url,
    }
    registration = {key: value for key, value in registration.items() if value not in (None, [], {})}
    out.add("registration", registration, match.method("company profile"), "company_number")
    registers.add_industry(out, match, codes, "sic_codes[0]")
    out.add(
        "founded_year", registers.founded_year(created), match.method("date_of_creation"), "date_of_creation"
    )
    if office:
        out.add(
            "contacts.addresses",
            {**{k: v for k, v in office.items() if k != "state_code"}, "label": "registered"},
            match.method("registered_office_address"),
            "registered_office_address",
            registers.ADDRESS_CONFIDENCE,
        )
    return out.found


def registered_office(address: Any) -> dict[str, str]:
    """A ``Headquarters``-shaped dict of a Companies House address (premises and lines joined)."""
    if not isinstance(address, dict):
        return {}
    first = " ".join(
        str(part).strip() for part in (address.get("premises"), address.get("address_line_1")) if part
    )
    street = ", ".join(part for part in (first, str(address.get("address_line_2") or "").strip()) if part)
    return headquarters_from(
        city=address.get("locality"),
        region=None,
        country=address.get("country") or COUNTRY,
        street=street or None,
        postal=address.get("postal_code"),
    )


def findings_from_officers(document: Any, url: str, retrieved_at: Any) -> list[Finding]:
    """Current officers with their role ("SMITH, John" -> "John Smith", "director" -> "Director"). Pure."""
    out = Findings(SOURCE_NAME, url, retrieved_at)
    items = document.get("items") if isinstance(document, dict) else None
    for index, officer in enumerate(items if isinstance(items, list) else []):
        if not isinstance(officer, dict) or officer.get("resigned_on") or not officer.get("name"):
            continue
        if "corporate" in str(officer.get("officer_role") or ""):
            continue  # a company acting as director or secretary is not a person
        surname, _, forenames = str(officer["name"]).partition(",")
        name = registers.person_name(forenames, surname)
        role = str(officer.get("officer_role") or "").replace("-", " ").capitalize()
        if name and role:
            out.add("people", {"name": name, "role": role}, "officers officer_role", f"items[{index}]")
    return out.found
