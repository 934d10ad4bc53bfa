"""What each extraction mode asks for: its profile fields and its page budget, in one place.

mode               pages  fields (besides company_name, domain, website)
basic              2      description, industry, employee_count, headquarters
standard           4      basic + founded_year, linkedin_url, social_profiles, contacts
comprehensive      6      standard + employee_count_exact, legal_name, financial_data
contact_focused    3      headquarters, linkedin_url, social_profiles, contacts
financial_focused  3      industry, employee_count(_exact), founded_year, headquarters, financial_data

Pages are the home page plus the site's own about/contact/careers pages, in the mode's order of
interest. ``not_found`` in a profile lists the mode's fields that no source stated.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.domain import ExtractionMode

IDENTITY_FIELDS = ("company_name", "domain", "website")
BASIC_FIELDS = (*IDENTITY_FIELDS, "description", "industry", "employee_count", "headquarters")
STANDARD_FIELDS = (*BASIC_FIELDS, "founded_year", "linkedin_url", "social_profiles", "contacts")


@dataclass(frozen=True)
class ModePlan:
    """The fields a mode asks for, and which site pages (beyond the home page) it may read."""

    fields: tuple[str, ...]
    page_budget: int  # home page included
    page_kinds: tuple[str, ...]  # "about" / "contact" / "careers", most useful first


MODE_PLANS: dict[ExtractionMode, ModePlan] = {
    ExtractionMode.BASIC: ModePlan(BASIC_FIELDS, 2, ("about",)),
    ExtractionMode.STANDARD: ModePlan(STANDARD_FIELDS, 4, ("about", "contact", "careers")),
    ExtractionMode.COMPREHENSIVE: ModePlan(
        (*STANDARD_FIELDS, "employee_count_exact", "legal_name", "financial_data"),
        6,
        ("about", "contact", "careers"),
    ),
    ExtractionMode.CONTACT_FOCUSED: ModePlan(
        (*IDENTITY_FIELDS, "headquarters", "linkedin_url", "social_profiles", "contacts"),
        3,
        ("contact", "about"),
    ),
    ExtractionMode.FINANCIAL_FOCUSED: ModePlan(
        (
            *IDENTITY_FIELDS,
            "industry",
            "employee_count",
            "employee_count_exact",
            "founded_year",
            "headquarters",
            "financial_data",
        ),
        3,
        ("about", "careers"),
    ),
}


def plan_for(mode: ExtractionMode) -> ModePlan:
    """The plan of one extraction mode."""
    return MODE_PLANS[mode]
