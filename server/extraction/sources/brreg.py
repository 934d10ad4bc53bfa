"""Norway's Central Coordinating Register for Legal Entities (Brønnøysundregistrene, ``data.brreg.no``)
as a source: organisation number, legal name, organisation form, status flags, NACE codes, employees,
founding date, business address and the officers of the roles endpoint. Open data, no key.

The entity is searched by name (``/enheter?navn=``) and matched by ``registers.choose_entry`` (its
``hjemmeside`` and business postcode vouch for it); the officers come from ``/enheter/{orgnr}/roller``
when the mode wants people. A deleted entity (``slettedato``) is reported as such, with its number.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from server.errors import FetchError
from server.extraction.normalize import headquarters_from
from server.extraction.sources import registers
from server.extraction.sources.base import Finding, Source, SourceContext
from server.extraction.sources.registers import Entry, Findings, RegisterMatch

SOURCE_NAME = "brreg"
COUNTRY = "NO"
API_URL = "https://data.brreg.no/enhetsregisteret/api"
NACE_FIELDS = ("naeringskode1", "naeringskode2", "naeringskode3")
NACE_SCHEME = "nace2"  # SN2007, Norway's standard, is NACE Rev. 2 with a fifth national digit


class BrregSource(Source):
    """Reads a Norwegian company's entry in Enhetsregisteret."""

    name = SOURCE_NAME
    precedence = 40
    after = registers.AFTER
    fields = frozenset(registers.FIELDS)

    async def collect(self, context: SourceContext) -> list[Finding]:
        if context.request.country.upper() != COUNTRY:
            return []
        query = urlencode({"navn": context.request.company_name, "size": str(registers.SEARCH_SIZE)})
        try:
            document, page = await context.fetcher.fetch_json(f"{API_URL}/enheter?{query}")
        except FetchError as exc:
            registers.note_outage(context, SOURCE_NAME, exc)
            return []
        match = registers.choose_entry(context, search_entries(document))
        if match is None:
            return []
        found = findings_from_entity(match, page.url, page.retrieved_at)
        if context.wants("people"):
            orgnr = match.entry.record.get("organisasjonsnummer")
            try:
                roles, roles_page = await context.fetcher.fetch_json(f"{API_URL}/enheter/{orgnr}/roller")
            except FetchError as exc:
                registers.note_outage(context, SOURCE_NAME, exc)
            else:
                found += findings_from_roles(roles, roles_page.url, roles_page.retrieved_at)
        return found


def search_entries(document: Any) -> list[Entry]:
    """The entities of an ``/enheter`` search answer (none when it found nothing). Pure."""
    embedded = document.get("_embedded") if isinstance(document, dict) else None
    hits = embedded.get("enheter") if isinstance(embedded, dict) else None
    return [
        entry_of(hit, f"_embedded.enheter[{index}]")
        for index, hit in enumerate(hits if isinstance(hits, list) else [])
        if isinstance(hit, dict) and hit.get("organisasjonsnummer") and hit.get("navn")
    ]


def entry_of(record: dict[str, Any], path: str) -> Entry:
    """One entity (a search hit or an ``/enheter/{orgnr}`` record) as a match candidate. Pure."""
    address = record.get("forretningsadresse") or record.get("postadresse") or {}
    return Entry(
        name=str(record["navn"]),
        record=record,
        path=path,
        website=record.get("hjemmeside"),
        postal_code=address.get("postnummer") if isinstance(address, dict) else None,
        town=address.get("poststed") if isinstance(address, dict) else None,
    )


def findings_from_entity(match: RegisterMatch, url: str, retrieved_at: Any) -> list[Finding]:
    """Number, legal name, registration, NACE codes, employees, founding date, address. Pure."""
    record, path = match.entry.record, match.entry.path
    out = Findings(SOURCE_NAME, url, retrieved_at)
    orgnr = str(record.get("organisasjonsnummer") or "")
    out.add("identifiers.no_orgnr", orgnr, match.method("organisasjonsnummer"), f"{path}.organisasjonsnummer")
    out.add("legal_name", record.get("navn"), match.method("navn"), f"{path}.navn")
    codes = industry_codes(record)
    # Only the founding date: the register's own registration date is 1995 or later for every entity
    # older than the register.
    founded = registers.iso_date(record.get("stiftelsesdato"))
    address = business_address(record.get("forretningsadresse"))
    form = registers.mapping(record.get("organisasjonsform"))
    flags = status_flags(record)
    registration = {
        "register": SOURCE_NAME,
        "number": orgnr,
        "legal_form": f"{form['beskrivelse']} ({form['kode']})" if form.get("beskrivelse") else None,
        **flags,
        "incorporation_date": founded,
        "registered_office": {**address, "label": "registered"} if address else None,
        "industry_codes": codes,
        "match_score": match.score,
        "url": url,
    }
    registration = {key: value for key, value in registration.items() if value not in (None, [], {})}
    out.add("registration", registration, match.method("entity"), path)
    registers.add_industry(out, match, codes, f"{path}.naeringskode1")
    employees = record.get("antallAnsatte")
    counted = record.get("harRegistrertAntallAnsatte")
    if isinstance(employees, int) and (counted is True or (counted is None and employees > 0)):
        out.add(
            "employee_count_exact",
            employees,
            match.method("antallAnsatte"),
            f"{path}.antallAnsatte",
            registers.EMPLOYEES_CONFIDENCE,
        )
    out.add(
        "founded_year",
        registers.founded_year(founded),
        match.method("stiftelsesdato"),
        f"{path}.stiftelsesdato",
    )
    hq = {key: value for key, value in address.items() if key != "label"}
    out.add(
        "headquarters", hq, match.method("forretningsadresse"), f"{path}.forretningsadresse",
        registers.ADDRESS_CONFIDENCE,
    )  # fmt: skip
    if address:
        out.add(
            "contacts.addresses",
            {**{k: v for k, v in address.items() if k != "state_code"}, "label": "registered"},
            match.method("forretningsadresse"),
            f"{path}.forretningsadresse",
            registers.ADDRESS_CONFIDENCE,
        )
    return out.found


def status_flags(record: dict[str, Any]) -> dict[str, Any]:
    """``status`` and the bankrupt / liquidation / dissolved flags of an entity. Pure."""
    bankrupt = record.get("konkurs") is True
    forced = record.get("underTvangsavviklingEllerTvangsopplosning") is True
    liquidation = record.get("underAvvikling") is True or forced
    deleted = bool(registers.iso_date(record.get("slettedato")))
    status = "deleted" if deleted else "bankrupt" if bankrupt else "liquidation" if liquidation else "active"
    return {"status": status, "bankrupt": bankrupt, "in_liquidation": liquidation, "dissolved": deleted}


def industry_codes(record: dict[str, Any]) -> list[dict[str, str]]:
    """The entity's NACE codes (``naeringskode1`` first) with the register's labels. Pure."""
    stated = [
        (NACE_SCHEME, str(item["kode"]), str(item["beskrivelse"]) if item.get("beskrivelse") else None)
        for key in NACE_FIELDS
        if (item := registers.mapping(record.get(key))).get("kode")
    ]
    return registers.industry_codes(stated)


def business_address(address: Any) -> dict[str, str]:
    """A ``Headquarters``-shaped dict of a brreg address (``adresse`` lines, ``postnummer``, ``poststed``)."""
    if not isinstance(address, dict):
        return {}
    lines = [str(line).strip() for line in address.get("adresse") or [] if line and str(line).strip()]
    town = str(address.get("poststed") or "").strip()
    return headquarters_from(
        city=town.title() if town.isupper() else town or None,
        region=None,
        country=address.get("landkode") or address.get("land"),
        street=", ".join(lines) or None,
        postal=address.get("postnummer"),
    )


def findings_from_roles(document: Any, url: str, retrieved_at: Any) -> list[Finding]:
    """The people of a ``/roller`` answer with their role; entities (auditors, owners) and people who
    left or died are skipped. Pure."""
    out = Findings(SOURCE_NAME, url, retrieved_at)
    groups = document.get("rollegrupper") if isinstance(document, dict) else None
    for g, group in enumerate(groups if isinstance(groups, list) else []):
        for r, role in enumerate(group.get("roller") or [] if isinstance(group, dict) else []):
            person = role.get("person") if isinstance(role, dict) else None
            if not isinstance(person, dict) or role.get("avregistrert") or role.get("fratraadt"):
                continue
            if person.get("erDoed"):
                continue
            names = registers.mapping(person.get("navn"))
            name = registers.person_name(
                names.get("fornavn"), names.get("mellomnavn"), names.get("etternavn")
            )
            kind = role.get("type") or {}
            title = kind.get("beskrivelse") or kind.get("kode")
            if name and title:
                out.add(
                    "people",
                    {"name": name, "role": str(title)},
                    f"roller {kind.get('kode')}",
                    f"rollegrupper[{g}].roller[{r}]",
                )
    return out.found
