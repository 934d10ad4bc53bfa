"""The company website as a source: the home page plus its own about/contact/careers pages."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from server.errors import FetchError, PageParseError
from server.extraction.fetcher import FetchedPage
from server.extraction.industry_codes import code_findings
from server.extraction.names import has_legal_form
from server.extraction.normalize import (
    employee_count_from,
    employee_range_for,
    founded_year_from,
    headquarters_from_lines,
    headquarters_from_schema,
)
from server.extraction.parse import SYNTAX_KEY, PageFacts
from server.extraction.phones import language_country, tld_country
from server.extraction.resolve import site_country
from server.extraction.site_facts import company_facts
from server.extraction.site_facts import site_country as printed_site_country
from server.extraction.sources.base import EVIDENCE_CHARS, Finding, Source, SourceContext
from server.extraction.sources.site_identity import identity_findings
from server.extraction.statements import company_names

SOURCE_NAME = "website"
MANAGING_DIRECTOR = "Managing Director"
# How far each way of stating a fact is trusted; structured markup is deliberate, prose is incidental.
# Set from what each way of reading got right on pages nobody on the team wrote (``make eval``'s real
# corpus): a lone link, label or prose match is a weak witness until another signal agrees with it.
CONFIDENCE = {
    "json-ld": 0.9,
    "microdata": 0.85,
    "meta": 0.7,
    "link": 0.6,
    "copyright": 0.5,
    "label": 0.5,
    "text": 0.4,
}


class WebsiteSource(Source):
    """Reads the resolved company's own site within the mode's page budget."""

    name = SOURCE_NAME
    precedence = 10
    after = frozenset[str]()  # reads nothing another source found
    fields = frozenset(
        {
            "company_name", "legal_name", "description", "industry", "sector", "employee_count",
            "employee_count_exact", "headquarters", "founded_year", "linkedin_url", "social_profiles",
            "contacts", "identifiers",
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
        # No address printed: the TLD's country, else the one the page's language tag names ("de-CH").
        country = country or tld_country(resolution.domain) or language_country(resolution.facts.language)
        if country and country != region:  # local phone numbers read right only in their country
            parsed = list(
                zip(
                    [page for page, _ in parsed],
                    await asyncio.gather(*(self._reread(context, facts, country) for _, facts in parsed)),
                    strict=True,
                )
            )
        context.shared.site_pages = parsed  # every page read, parsed: the site_locations source reads them
        domain = resolution.domain
        names = company_names(
            context.request.company_name,
            *(facts.site_name for _, facts in parsed),
            *(
                str(org["name"])
                for _, facts in parsed
                for org in facts.organizations
                if isinstance(org.get("name"), str)
            ),
            domain=domain,
        )
        home_country = printed_site_country(
            domain, [placed for _, facts in parsed for placed in facts.addresses]
        )
        found = [
            finding
            for page, facts in parsed
            for finding in findings_from_page(facts, page, domain, names=names, default_country=home_country)
        ]
        return found + identity_findings(parsed, context.request.company_name, domain)

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
            return await context.fetcher.fetch(url, respect_robots=True, source=self.name)
        except FetchError:
            return None  # a missing about page is a gap, not a failure of the company


def findings_from_page(
    facts: PageFacts,
    page: FetchedPage,
    domain: str,
    *,
    names: list[str] | None = None,
    default_country: str | None = None,
) -> list[Finding]:
    """Every profile value one parsed page states, with its provenance. Pure.

    ``names`` are the names the company goes by (a founding statement's subject must be one of them);
    ``default_country`` is the site's country, for addresses that print none.
    """
    found: list[Finding] = []

    def add(field: str, value: Any, kind: str, method: str, evidence: str | None = None) -> None:
        if value not in (None, "", [], {}):
            quote = _bounded(evidence)
            found.append(
                Finding(
                    field, value, SOURCE_NAME, page.url, page.retrieved_at, method, CONFIDENCE[kind], quote
                )
            )

    for org in facts.organizations:
        _organization_findings(org, add, default_country)
        found += _naics_findings(org, page)
    # company_name, legal_name, social profiles, phones and e-mails: ``site_identity`` (over all pages).
    for industry in facts.job_industries:
        add("industry", industry, "json-ld", "json-ld JobPosting.industry", f'"industry": "{industry}"')
    add("industry", facts.industry, "label", "labelled value 'Industry'", facts.industry)
    for fact in company_facts(facts, page.url, names or company_names(domain=domain), default_country):
        add(fact.field, fact.value, fact.kind, fact.method, fact.evidence)
    lines = facts.address_lines
    if lines and has_legal_form(lines[0]):  # an imprint starts with the legal name (read by site_identity)
        lines = lines[1:]
    add("headquarters", headquarters_from_lines(lines), "text", "<address> block", ", ".join(lines))
    for manager in facts.managers:
        add("people", {"name": manager, "role": MANAGING_DIRECTOR}, "label", "imprint 'Geschäftsführer'")
    if "contact" in facts.page_links:
        add("contacts.contact_page", facts.page_links["contact"], "link", "link to contact page")
    return found


def _organization_findings(org: dict[str, Any], add: Any, default_country: str | None = None) -> None:
    syntax = str(org.get(SYNTAX_KEY, "json-ld"))
    kind = "microdata" if syntax == "microdata" else "json-ld"
    prefix = f"{syntax} {_type_name(org)}"
    add("description", _str(org.get("description")), kind, f"{prefix}.description", _said(org, "description"))
    headquarters = headquarters_from_schema(org.get("address"), default_country)
    add("headquarters", headquarters, kind, f"{prefix}.address", _said(org, "address"))
    founded = founded_year_from(org.get("foundingDate"))
    add("founded_year", founded, kind, f"{prefix}.foundingDate", _said(org, "foundingDate"))
    exact, upper = employee_count_from(org.get("numberOfEmployees"))
    staff = _said(org, "numberOfEmployees")
    add("employee_count_exact", exact, kind, f"{prefix}.numberOfEmployees", staff)
    add(
        "employee_count",
        employee_range_for(upper) if upper else None,
        kind,
        f"{prefix}.numberOfEmployees",
        staff,
    )
    add("industry", _str(org.get("industry")), kind, f"{prefix}.industry", _said(org, "industry"))


def _naics_findings(org: dict[str, Any], page: FetchedPage) -> list[Finding]:
    """schema.org's ``naics``: the company's own NAICS code, read against the official list (its title,
    sector and ``identifiers.naics``); a code the list does not know states nothing."""
    code = _str(org.get("naics"))
    if code is None:
        return []
    syntax = str(org.get(SYNTAX_KEY, "json-ld"))
    kind = "microdata" if syntax == "microdata" else "json-ld"
    return code_findings(
        "naics",
        code,
        source=SOURCE_NAME,
        url=page.url,
        retrieved_at=page.retrieved_at,
        method=f"{syntax} {_type_name(org)}.naics {code}",
        confidence=CONFIDENCE[kind],
        evidence=_bounded(_said(org, "naics")),
    )


def _said(org: dict[str, Any], key: str) -> str | None:
    """A structured value as the page states it: ``"foundingDate": "2011"``."""
    if org.get(key) in (None, "", [], {}):
        return None
    value = (
        {k: v for k, v in org[key].items() if not k.startswith("@")}
        if isinstance(org[key], dict)
        else org[key]
    )
    return f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"


def _bounded(evidence: str | None) -> str | None:
    """At most ``EVIDENCE_CHARS`` of a quote."""
    if not evidence:
        return None
    text = " ".join(evidence.split())
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1].rstrip() + "…"


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
