"""What each extraction mode asks for: its profile fields, its page budget and the pages it reads.

mode               pages  fields (besides company_name, domain, website; ``confidence`` always)
basic              3      description, industry, sector, employee_count, headquarters, founded_year,
                          linkedin_url
standard           4      basic + legal_name, aliases, employee_count_exact, contacts (main phone,
                          e-mails), social_profiles, identifiers (ticker, exchange, register numbers ...),
                          registration (the business-register entry), parent_company
comprehensive      6      standard + people (founders, CEO, Form D officers and directors, register
                          officers), locations, subsidiaries, financial_data (identifiers then include
                          LEI, CIK and the Wikidata id)
contact_focused    4      headquarters, contacts (contact page, e-mails and phones with their type,
                          addresses), social_profiles, linkedin_url
financial_focused  3      legal_name, industry, sector, employee_count(_exact), founded_year,
                          headquarters, identifiers, registration, financial_data (public/private,
                          ticker, exchange, fiscal year end, revenue, net income, assets, market cap,
                          shares outstanding, valuation, funding raised and funding rounds, with
                          amount, currency, period and display)

financial_focused and comprehensive ask for the financial keys of ``FINANCIAL_KEYS``: ``not_found``
names each one no source stated (``financial_data.valuation``); basic asks for none of them.

Pages are the home page plus the site's own pages of the kinds listed, found by link text and URL in
the site's language, most useful first, within the budget; a page that does not exist frees its slot
for the next kind. Basic reads three pages because small sites print their address only on the contact
page. Knowledge sources are asked only when the
mode wants a field they can state. ``not_found`` lists the mode's fields that no source stated.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.domain import ExtractionMode

IDENTITY_FIELDS = ("company_name", "domain", "website")
BASIC_FIELDS = (
    *IDENTITY_FIELDS,
    "description",
    "industry",
    "sector",
    "employee_count",
    "headquarters",
    "founded_year",
    "linkedin_url",
)
FINANCIAL_KEYS = (
    "funding_raised", "valuation", "revenue", "net_income", "total_assets", "funding_rounds",
)  # fmt: skip
STANDARD_FIELDS = (
    *BASIC_FIELDS,
    "legal_name",
    "aliases",
    "employee_count_exact",
    "contacts",
    "social_profiles",
    "identifiers",
    "registration",
    "parent_company",
)


@dataclass(frozen=True)
class ModePlan:
    """The fields a mode asks for, and which site pages (beyond the home page) it may read."""

    fields: tuple[str, ...]
    page_budget: int  # home page included
    page_kinds: tuple[str, ...]  # see ``parse.PAGE_KEYWORDS``, most useful first
    # ``financial_data`` keys the mode asks for: ``not_found`` names the missing ones
    # ("financial_data.valuation"); a figure of that kind (``total_assets``) counts as stated.
    financial: tuple[str, ...] = ()


MODE_PLANS: dict[ExtractionMode, ModePlan] = {
    ExtractionMode.BASIC: ModePlan(BASIC_FIELDS, 3, ("about", "contact")),
    ExtractionMode.STANDARD: ModePlan(STANDARD_FIELDS, 4, ("about", "contact", "impressum", "careers")),
    ExtractionMode.COMPREHENSIVE: ModePlan(
        (*STANDARD_FIELDS, "people", "locations", "subsidiaries", "financial_data"),
        6,
        ("about", "contact", "impressum", "careers", "investors", "press"),
        FINANCIAL_KEYS,
    ),
    ExtractionMode.CONTACT_FOCUSED: ModePlan(
        (*IDENTITY_FIELDS, "headquarters", "contacts", "social_profiles", "linkedin_url"),
        4,
        ("contact", "impressum", "about"),
    ),
    ExtractionMode.FINANCIAL_FOCUSED: ModePlan(
        (
            *IDENTITY_FIELDS,
            "legal_name",
            "industry",
            "sector",
            "employee_count",
            "employee_count_exact",
            "founded_year",
            "headquarters",
            "identifiers",
            "registration",
            "financial_data",
        ),
        3,
        ("about", "investors", "impressum", "contact"),
        FINANCIAL_KEYS,
    ),
}


def plan_for(mode: ExtractionMode) -> ModePlan:
    """The plan of one extraction mode."""
    return MODE_PLANS[mode]
