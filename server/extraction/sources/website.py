"""The company website as a source: the home page plus its own about/contact/careers pages."""

from __future__ import annotations

import asyncio
from typing import Any

from cleanco import basename

from server.errors import FetchError, PageParseError
from server.extraction.fetcher import FetchedPage
from server.extraction.normalize import (
    email_type,
    employee_count_from,
    employee_range_for,
    founded_year_from,
    headquarters_from_lines,
    headquarters_from_schema,
    phone_type,
)
from server.extraction.parse import SYNTAX_KEY, PageFacts, normalize_phone, social_network_of
from server.extraction.resolve import registrable_domain, site_country
from server.extraction.sources.base import Finding, SourceContext

SOURCE_NAME = "website"
MANAGING_DIRECTOR = "Managing Director"
# How far each way of stating a fact is trusted; structured markup is deliberate, prose is incidental.
CONFIDENCE = {
    "json-ld": 0.9,
    "microdata": 0.85,
    "link": 0.8,
    "meta": 0.7,
    "label": 0.7,
    "text": 0.6,
    "copyright": 0.5,
}


class WebsiteSource:
    """Reads the resolved company's own site within the mode's page budget."""

    name = SOURCE_NAME
    fields = frozenset(
        {
            "company_name", "legal_name", "description", "industry", "employee_count",
            "employee_count_exact", "headquarters", "founded_year", "linkedin_url", "social_profiles",
            "contacts",
        }
    )  # fmt: skip

    async def collect(self, context: SourceContext) -> list[Finding]:
        """Findings from the home page and the pages of the mode's kinds it links to."""
        resolution = context.resolution
        region = context.request.country
        # The home page was parsed (for the requested region) when its domain was verified: reuse it.
        parsed = [(resolution.home, resolution.facts)]
        crawled = await self._crawl(context)
        parsed += [
            (page, facts)
            for page, facts in zip(
                crawled, await asyncio.gather(*(self._parse(context, page) for page in crawled)), strict=True
            )
            if facts is not None
        ]
        country = next((code for _, facts in parsed if (code := site_country(facts))), None)
        if country and country != region:  # local phone numbers read right only in their country
            parsed = list(
                zip(
                    [page for page, _ in parsed],
                    await asyncio.gather(*(self._reread(context, facts, country) for _, facts in parsed)),
                    strict=True,
                )
            )
        context.shared["site_pages"] = parsed  # every page read, parsed: the site_locations source reads them
        domain = resolution.domain
        return [finding for page, facts in parsed for finding in findings_from_page(facts, page, domain)]

    async def _crawl(self, context: SourceContext) -> list[FetchedPage]:
        """Pages of the mode's kinds, most useful first; a missing page frees its slot for the next."""
        resolution = context.resolution
        links = resolution.facts.page_links
        urls = list(dict.fromkeys(links[kind] for kind in context.plan.page_kinds if kind in links))
        queue = [url for url in urls if url != resolution.home.url]
        pages: list[FetchedPage] = []
        while queue and len(pages) < context.plan.page_budget - 1:
            room = context.plan.page_budget - 1 - len(pages)
            batch, queue = queue[:room], queue[room:]
            fetched = await asyncio.gather(*(self._fetch(context, url) for url in batch))
            pages += [page for page in fetched if page is not None]
        return pages

    async def _parse(self, context: SourceContext, page: FetchedPage) -> PageFacts | None:
        try:
            return await context.parser.parse(page.text, page.url, region=context.request.country)
        except PageParseError:
            return None  # a page too costly to read is a gap like a missing one; the others still count

    async def _reread(self, context: SourceContext, facts: PageFacts, region: str) -> PageFacts:
        try:
            return await context.parser.with_region(facts, region)
        except PageParseError:
            return facts  # phones as read for the requested country rather than none

    async def _fetch(self, context: SourceContext, url: str) -> FetchedPage | None:
        try:
            return await context.fetcher.fetch(url, respect_robots=True)
        except FetchError:
            return None  # a missing about page is a gap, not a failure of the company

    async def aclose(self) -> None:
        return None


def findings_from_page(facts: PageFacts, page: FetchedPage, domain: str) -> list[Finding]:
    """Every profile value one parsed page states, with its provenance. Pure."""
    found: list[Finding] = []

    def add(field: str, value: Any, kind: str, method: str) -> None:
        if value not in (None, "", [], {}):
            found.append(
                Finding(field, value, SOURCE_NAME, page.url, page.retrieved_at, method, CONFIDENCE[kind])
            )

    for org in facts.organizations:
        _organization_findings(org, add)
    add("company_name", facts.site_name, "meta", "opengraph og:site_name")
    add("company_name", facts.copyright_holder, "copyright", "copyright line")
    add("description", facts.description, "meta", "meta description")
    for industry in facts.job_industries:
        add("industry", industry, "json-ld", "json-ld JobPosting.industry")
    add("industry", facts.industry, "label", "labelled value 'Industry'")
    add("founded_year", facts.founded_year, "text", "prose 'founded in'")
    if facts.employee_count:
        add("employee_count_exact", facts.employee_count, "text", "prose head count")
        add("employee_count", employee_range_for(facts.employee_count), "text", "prose head count")
    lines = facts.address_lines
    if lines and basename(lines[0]).strip() != lines[0].strip():  # an imprint starts with the legal name
        add("legal_name", lines[0].strip(), "label", "<address> block first line (legal form)")
        lines = lines[1:]
    add("headquarters", headquarters_from_lines(lines), "text", "<address> block")
    for manager in facts.managers:
        add("people", {"name": manager, "role": MANAGING_DIRECTOR}, "label", "imprint 'Geschäftsführer'")
    for address in facts.emails:
        if registrable_domain(address.rsplit("@", 1)[-1]) == domain:  # third-party mailboxes are not contacts
            add("contacts.emails", {"address": address, "type": email_type(address)}, "link", "mailto/prose")
    for phone in facts.phones:
        value = {"number": phone.e164, "type": phone_type(phone.label), "display": phone.display}
        add("contacts.phones", value, "link", "tel link/prose")
    for network, url in facts.social_profiles.items():
        add(f"social_profiles.{network}", url, "link", "link to profile")
    if "contact" in facts.page_links:
        add("contacts.contact_page", facts.page_links["contact"], "link", "link to contact page")
    return found


def _organization_findings(org: dict[str, Any], add: Any) -> None:
    syntax = str(org.get(SYNTAX_KEY, "json-ld"))
    kind = "microdata" if syntax == "microdata" else "json-ld"
    prefix = f"{syntax} {_type_name(org)}"
    add("company_name", _str(org.get("name")), kind, f"{prefix}.name")
    add("legal_name", _str(org.get("legalName")), kind, f"{prefix}.legalName")
    add("description", _str(org.get("description")), kind, f"{prefix}.description")
    add("headquarters", headquarters_from_schema(org.get("address")), kind, f"{prefix}.address")
    add("founded_year", founded_year_from(org.get("foundingDate")), kind, f"{prefix}.foundingDate")
    exact, upper = employee_count_from(org.get("numberOfEmployees"))
    add("employee_count_exact", exact, kind, f"{prefix}.numberOfEmployees")
    add("employee_count", employee_range_for(upper) if upper else None, kind, f"{prefix}.numberOfEmployees")
    add("industry", _str(org.get("industry")), kind, f"{prefix}.industry")
    for phone in _list(org.get("telephone")):
        number = normalize_phone(str(phone), None)
        value = {"number": number, "type": "general", "display": str(phone)} if number else None
        add("contacts.phones", value, kind, f"{prefix}.telephone")
    for email in _list(org.get("email")):
        address = str(email).removeprefix("mailto:").strip().lower()
        add("contacts.emails", {"address": address, "type": email_type(address)}, kind, f"{prefix}.email")
    for url in _list(org.get("sameAs")):
        network = social_network_of(str(url))
        if network:
            add(f"social_profiles.{network}", str(url), kind, f"{prefix}.sameAs")


def _type_name(org: dict[str, Any]) -> str:
    raw = org.get("@type", "Organization")
    return str(raw[0] if isinstance(raw, list) and raw else raw).rsplit("/", 1)[-1]


def _str(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
