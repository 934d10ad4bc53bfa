"""What truth.json expects on top of a site's own statements, from the recorded knowledge services.

The rules mirror the documented merge (``server.extraction.profile``) without importing it: a
service's value fills a field the site leaves empty; where a site and a service state the same fact
they agree by construction (``sandbox.knowledge_facts``); statutory sources (SEC, GLEIF) give the
legal name and filings' figures.
"""

from __future__ import annotations

from typing import Any

import pycountry

from sandbox.corpus_facts import CompanyFacts
from sandbox.knowledge_facts import EXPECTED_SECTORS, KNOWLEDGE
from sandbox.knowledge_formd import notice_path

EMPLOYEE_BUCKETS = (
    (10, "1-10"),
    (50, "11-50"),
    (200, "51-200"),
    (500, "201-500"),
    (1000, "501-1000"),
    (5000, "1001-5000"),
    (10000, "5001-10000"),
)
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
MONTHS = "January February March April May June July August September October November December".split()


def employee_bucket(count: int) -> str:
    """The contract's employee range for an exact count."""
    return next((label for limit, label in EMPLOYEE_BUCKETS if count <= limit), "10001+")


def display(amount: float, currency: str) -> str:
    """The money display the contract shows ("$2.41B")."""
    for threshold, letter in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if amount >= threshold:
            number = f"{amount / threshold:.2f}".rstrip("0").rstrip(".")
            return f"{CURRENCY_SYMBOLS.get(currency, currency + ' ')}{number}{letter}"
    return f"{CURRENCY_SYMBOLS.get(currency, currency + ' ')}{amount:g}"


def apply_knowledge(profile: dict[str, Any], facts: CompanyFacts) -> None:
    """Add what the knowledge services state about the company to its expected profile."""
    knowledge = KNOWLEDGE.get(facts["domain"], {})
    wikidata, sec, gleif = knowledge.get("wikidata"), knowledge.get("sec"), knowledge.get("gleif")
    identifiers: dict[str, Any] = {}
    financial: dict[str, Any] = {}
    if wikidata:
        identifiers["wikidata_id"] = wikidata["id"]
        if wikidata["aliases"]:
            profile["aliases"] = list(wikidata["aliases"])
        profile.setdefault("industry", wikidata["industry"])
        latest = max(wikidata["employees"], key=lambda pair: pair[1])[0]
        profile.setdefault("employee_count_exact", latest)
        profile.setdefault("employee_count", employee_bucket(latest))
        profile.setdefault("founded_year", wikidata["inception"])
        if "headquarters" not in profile:
            profile["headquarters"] = _city_only(facts)
        people = [{"name": name, "role": "Founder"} for name in wikidata.get("founders", [])]
        if wikidata.get("ceo"):
            people.append({"name": wikidata["ceo"], "role": "Chief Executive Officer"})
        if people:
            profile["people"] = profile.get("people", []) + people
        if wikidata.get("parent"):
            profile["parent_company"] = wikidata["parent"]
        if wikidata.get("other_headquarters"):  # a second head office is a location besides the HQ
            profile["locations"] = [
                {**_place(place["city"], place["country"]), "label": "headquarters"}
                for place in wikidata["other_headquarters"]
            ]
        if wikidata.get("subsidiaries"):  # read in English, the language eval asks in
            profile["subsidiaries"] = [labels["en"] for labels in wikidata["subsidiaries"]]
        if wikidata.get("lei"):
            identifiers["lei"] = wikidata["lei"]
        if wikidata.get("exchange"):
            identifiers["ticker"] = financial["ticker"] = wikidata["ticker"]
            identifiers["exchange"] = financial["exchange"] = wikidata["exchange"][1]
            financial["is_public"] = True
        for key in ("revenue", "market_cap"):
            if key in wikidata:
                amount, currency, _ = wikidata[key]
                financial[key] = display(amount, currency)
        if "market_cap" in wikidata:  # a listed company's valuation is its market capitalization
            financial["valuation"] = financial["market_cap"]
    if "wikipedia_extract" in knowledge:
        profile.setdefault("description", knowledge["wikipedia_extract"])
    if sec:
        identifiers["cik"] = f"{sec['cik']:010d}"
        identifiers["us_sic"] = sec["sic"]
        identifiers["exchange"] = financial["exchange"] = sec["exchange"]  # filings outrank Wikidata
        latest_year = max(sec["revenue"])
        financial["revenue"] = display(sec["revenue"][latest_year], "USD")
        financial["net_income"] = display(sec["net_income"][latest_year], "USD")
        financial["shares_outstanding"] = float(sec["shares"])
        month, day = int(sec["fiscal_year_end"][:2]), int(sec["fiscal_year_end"][2:])
        financial["fiscal_year_end"] = f"{MONTHS[month - 1]} {day}"
        profile["legal_name"] = facts["name"]
    if gleif:
        identifiers["lei"] = gleif["lei"]
        profile["legal_name"] = facts["name"]
    _apply_registers(profile, facts, knowledge, identifiers)
    if "formd" in knowledge:
        _apply_form_d(profile, identifiers, financial, facts, knowledge["formd"])
    if identifiers:
        profile["identifiers"] = identifiers
    if financial:
        profile["financial_data"] = financial
    if profile.get("industry") in EXPECTED_SECTORS:
        profile["sector"] = EXPECTED_SECTORS[profile["industry"]]


def _apply_registers(
    profile: dict[str, Any], facts: CompanyFacts, knowledge: dict[str, Any], identifiers: dict[str, Any]
) -> None:
    """A register entry gives the number, the legal name and the main code's title as the industry (where
    the site states none); Brønnøysund also the head count; officers (physical persons still in office)
    join the people."""
    people: list[dict[str, str]] = []
    if brreg := knowledge.get("brreg"):
        identifiers["no_orgnr"] = brreg["orgnr"]
        identifiers["nace2"] = brreg["nace_class"]
        profile.setdefault("legal_name", facts["name"].upper())  # as the site prints it, else in capitals
        profile.setdefault("industry", brreg["industry"])
        profile.setdefault("employee_count_exact", brreg["employees"])
        profile.setdefault("employee_count", employee_bucket(brreg["employees"]))
        profile.setdefault("founded_year", int(brreg["founded"][:4]))
        people = [{"name": f"{first} {last}", "role": role} for _, role, first, last in brreg["officers"]]
    if recherche := knowledge.get("recherche"):
        identifiers["fr_siren"] = recherche["siren"]
        identifiers["naf"] = recherche["naf"]
        profile.setdefault("legal_name", facts["name"].upper())  # as the site prints it, else in capitals
        profile.setdefault("industry", recherche["industry"])
        profile.setdefault("founded_year", int(recherche["created"][:4]))
        people = [
            {"name": f"{first} {last.title()}", "role": role} for role, first, last in recherche["officers"]
        ]
    if house := knowledge.get("companies_house"):
        identifiers["gb_company_number"] = house["number"]
        identifiers["uk_sic2007"] = house["sic"][0]
        profile.setdefault("legal_name", facts["name"].upper())  # as the site prints it, else in capitals
        profile.setdefault("industry", house["industry"])
        profile.setdefault("founded_year", int(house["created"][:4]))
        for name, role, resigned in house["officers"]:
            if not resigned:
                surname, _, forenames = name.partition(", ")
                people.append({"name": f"{forenames} {surname.title()}", "role": role.capitalize()})
    if people:
        profile["people"] = people + profile.get("people", [])


def _apply_form_d(
    profile: dict[str, Any],
    identifiers: dict[str, Any],
    financial: dict[str, Any],
    facts: CompanyFacts,
    formd: dict[str, Any],
) -> None:
    """A Form D filer's CIK, legal name, officers and directors, offerings and their total."""
    cik = formd["cik"]
    identifiers["cik"] = f"{cik:010d}"
    profile["legal_name"] = facts["name"]
    profile["people"] = profile.get("people", []) + [
        {"name": f"{first} {last}", "role": clarification or ", ".join(relationships)}
        for first, last, relationships, clarification in formd["persons"]
    ]
    amended = {filing["amends"] for filing in formd["filings"] if filing.get("amends")}
    offerings = sorted(
        (filing for filing in formd["filings"] if filing["accession"] not in amended),
        key=lambda filing: (filing["first_sale"], filing["accession"]),
    )
    rounds = []
    for filing in offerings:
        indefinite = filing["total"] == "Indefinite"
        accession = filing["accession"]
        rounds.append({
            "date": filing["first_sale"], "amount_sold": float(filing["sold"]),
            "display": display(filing["sold"], "USD"), "offering_total_indefinite": indefinite,
            **({} if indefinite else {"offering_total": float(filing["total"])}), "currency": "USD",
            "filing_url": f"https://www.sec.gov{notice_path(cik, accession)}",
            "form": "D/A" if filing.get("amends") else "D", "accession_number": accession,
            "filing_date": filing["filed"], "industry_group": formd["industry_group"],
        })  # fmt: skip
    financial["funding_rounds"] = rounds
    financial["funding_raised"] = display(sum(filing["sold"] for filing in offerings), "USD")


def _place(city: str, code: str) -> dict[str, str]:
    country = pycountry.countries.get(alpha_2=code)
    return {"city": city, "country": country.name if country else code, "country_code": code}


def _city_only(facts: CompanyFacts) -> dict[str, str]:
    country = pycountry.countries.get(alpha_2=facts["country"])
    hq = {
        "city": facts["city"],
        "country": country.name if country else facts["country"],
        "country_code": facts["country"],
    }
    if facts["region"]:
        code = f"{facts['country']}-{facts['region']}"
        subdivision = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
        hq["state"], hq["state_code"] = subdivision.name, subdivision.code
    return hq
