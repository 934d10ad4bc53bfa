"""Pure normalizers from printed values to profile values: addresses, countries, head counts, contacts."""

from __future__ import annotations

import re
from typing import Any

import pycountry

EMPLOYEE_RANGES = (
    (10, "1-10"),
    (50, "11-50"),
    (200, "51-200"),
    (500, "201-500"),
    (1000, "501-1000"),
    (5000, "1001-5000"),
    (10000, "5001-10000"),
)
LARGEST_EMPLOYEE_RANGE = "10001+"
COUNTRY_ALIASES = {
    "usa": "US",
    "u.s.a.": "US",
    "uk": "GB",
    "deutschland": "DE",
    "england": "GB",
    "sverige": "SE",
}
EMAIL_TYPES = {
    "sales": (
        "sales",
        "vertrieb",
        "wholesale",
        "distribution",
        "orders",
        "bestellung",
        "ventes",
        "commercial",
    ),
    "support": ("support", "help", "service", "kundendienst", "patients", "assistance"),
    "press": ("press", "presse", "media", "pr"),
    "careers": ("careers", "jobs", "hr", "karriere", "recruiting", "talent"),
    "investors": ("investors", "ir", "investor"),
    "privacy": ("privacy", "datenschutz", "dpo"),
}
US_CITY_LINE_RE = re.compile(r"^(?P<city>[^,]+),\s*(?P<state>[A-Z]{2})\s+(?P<postal>\d{5}(?:-\d{4})?)$")
EU_CITY_LINE_RE = re.compile(r"^(?P<postal>\d{4,5}|\d{3}\s\d{2})\s+(?P<city>\D+)$")


def employee_range_for(count: int) -> str:
    """The contract's employee bucket ("51-200", ...) for an exact head count."""
    return next((label for limit, label in EMPLOYEE_RANGES if count <= limit), LARGEST_EMPLOYEE_RANGE)


def country_code_for(value: str) -> str | None:
    """ISO 3166-1 alpha-2 code for a country name or code, or None when unknown."""
    text = value.strip()
    if text.lower() in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[text.lower()]
    try:
        country = pycountry.countries.lookup(text)
    except LookupError:
        return None
    return str(country.alpha_2)


def headquarters_from(
    *,
    city: str | None,
    region: str | None,
    country: str | None,
    street: str | None = None,
    postal: str | None = None,
    default_country: str | None = None,
) -> dict[str, str]:
    """A ``Headquarters`` dict (proto field names) from printed parts; unknown parts are left out."""
    hq: dict[str, str] = {}
    code = country_code_for(country) if country else None
    code = code or (country_code_for(default_country) if default_country and not country else None)
    if city:
        hq["city"] = city.strip()
    found_country = pycountry.countries.get(alpha_2=code) if code else None
    if code and found_country is not None:
        hq["country_code"] = code
        hq["country"] = str(found_country.name)
    if region and region.strip():
        subdivision = _subdivision(code, region.strip())
        if subdivision is not None:
            hq["state"], hq["state_code"] = subdivision
        else:
            hq["state"] = region.strip()
    if street:
        hq["street_address"] = street.strip()
    if postal:
        hq["postal_code"] = postal.strip()
    return hq


def _subdivision(country_code: str | None, region: str) -> tuple[str, str] | None:
    if not country_code:
        return None
    # pycountry's subdivision lookups are untyped.
    found = pycountry.subdivisions.get(code=f"{country_code}-{region.upper()}")  # type: ignore[no-untyped-call]
    if found is not None:
        return str(found.name), str(found.code)
    for subdivision in pycountry.subdivisions.get(country_code=country_code) or []:  # type: ignore[no-untyped-call]
        if str(subdivision.name).lower() == region.lower():
            return str(subdivision.name), str(subdivision.code)
    return None


def headquarters_from_schema(address: Any, default_country: str | None = None) -> dict[str, str]:
    """``Headquarters`` from a schema.org PostalAddress (dict) or a one-line address string."""
    if isinstance(address, list):
        address = address[0] if address else {}
    if not isinstance(address, dict):
        return {}
    country = address.get("addressCountry")
    if isinstance(country, dict):
        country = country.get("name")
    return headquarters_from(
        city=_text(address.get("addressLocality")),
        region=_text(address.get("addressRegion")),
        country=_text(country),
        street=_text(address.get("streetAddress")),
        postal=_text(address.get("postalCode")),
        default_country=default_country,
    )


def headquarters_from_lines(lines: list[str]) -> dict[str, str]:
    """``Headquarters`` from a printed ``<address>`` block: street, "City, ST 12345"/"12345 City", country."""
    if len(lines) < 2:
        return {}
    country_line = lines[-1] if country_code_for(lines[-1]) else None
    body = lines[:-1] if country_line else lines
    for pattern in (US_CITY_LINE_RE, EU_CITY_LINE_RE):  # US first: "2700 E Shields Ave" is no EU city line
        for index, line in enumerate(body):
            match = pattern.match(line)
            if match:
                parts = match.groupdict()
                return headquarters_from(
                    city=parts["city"],
                    region=parts.get("state"),
                    country=country_line or ("US" if pattern is US_CITY_LINE_RE else None),
                    street=", ".join(body[:index]) or None,
                    postal=parts["postal"],
                )
    return {}


def email_type(address: str) -> str:
    """What a mailbox is for, from its local part; "general" when nothing says otherwise."""
    local = address.split("@", 1)[0].lower()
    for kind, words in EMAIL_TYPES.items():
        if local in words or any(local.startswith(word + ".") for word in words):
            return kind
    return "general"


def founded_year_from(value: Any) -> int | None:
    """The year of a schema.org foundingDate ("2009", "2009-03-01")."""
    match = re.match(r"\s*((?:1[5-9]|20)\d{2})", str(value)) if value is not None else None
    return int(match.group(1)) if match else None


def employee_count_from(value: Any) -> tuple[int | None, int | None]:
    """(exact, upper bound) from a schema.org numberOfEmployees (number, string or QuantitativeValue)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        exact = _int(value.get("value"))
        if exact is not None:
            return exact, exact
        return None, _int(value.get("maxValue")) or _int(value.get("minValue"))
    exact = _int(value)
    return exact, exact


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    digits = re.sub(r"[,\s.]", "", str(value))
    return int(digits) if digits.isdigit() else None


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).strip() if value is not None and str(value).strip() else None
