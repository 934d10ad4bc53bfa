"""France's company search of the State (``recherche-entreprises.api.gouv.fr``, INSEE's Sirene register
with the RNE's officers) as a source: SIREN, legal name, legal category, NAF code, employee band, creation
date, head office (siège) and officers (dirigeants). Open data, no key.

One ``/search?q=`` answer carries everything; the hit is matched by ``registers.choose_entry`` (its head
office's postcode and town printed on the company's pages vouch for it). The legal category is INSEE's
numeric ``nature_juridique`` code as the API states it; the employee band is INSEE's tranche code, mapped
to the contract's ranges only where a tranche lies inside one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from server.errors import FetchError
from server.extraction.normalize import headquarters_from
from server.extraction.sources import registers
from server.extraction.sources.base import Finding, Source, SourceContext
from server.extraction.sources.registers import Entry, Findings, RegisterMatch

SOURCE_NAME = "recherche_entreprises"
COUNTRY = "FR"
SEARCH_URL = "https://recherche-entreprises.api.gouv.fr/search"
NAF_SCHEME = "naf"
INSEE_BANDS = "insee"  # ``industry_codes.employee_band`` scheme of Sirene's tranche codes
CLOSED = "C"  # etat_administratif: "A" active, "C" cessée
PHYSICAL_PERSON = "personne physique"


class RechercheEntreprisesSource(Source):
    """Reads a French company's entry in the Sirene-based company search."""

    name = SOURCE_NAME
    precedence = 50
    after = registers.AFTER
    fields = frozenset(registers.FIELDS)

    async def collect(self, context: SourceContext) -> list[Finding]:
        if context.request.country.upper() != COUNTRY:
            return []
        query = urlencode({"q": context.request.company_name, "per_page": str(registers.SEARCH_SIZE)})
        try:
            document, page = await context.fetcher.fetch_json(f"{SEARCH_URL}?{query}")
        except FetchError as exc:
            registers.note_outage(context, SOURCE_NAME, exc)
            return []
        match = registers.choose_entry(context, search_entries(document))
        if match is None:
            return []
        return findings_from_result(match, page.url, page.retrieved_at)


def search_entries(document: Any) -> list[Entry]:
    """The legal units of a ``/search`` answer. Pure."""
    results = document.get("results") if isinstance(document, dict) else None
    entries = []
    for index, result in enumerate(results if isinstance(results, list) else []):
        if not isinstance(result, dict) or not result.get("siren"):
            continue
        name = result.get("nom_raison_sociale") or result.get("nom_complet")
        if not name:
            continue
        siege = registers.mapping(result.get("siege"))
        entries.append(
            Entry(
                name=str(name),
                record=result,
                path=f"results[{index}]",
                postal_code=siege.get("code_postal"),
                town=siege.get("libelle_commune"),
            )
        )
    return entries


def findings_from_result(match: RegisterMatch, url: str, retrieved_at: Any) -> list[Finding]:
    """SIREN, legal name, registration, NAF code, band, creation date, head office, officers. Pure."""
    result, path = match.entry.record, match.entry.path
    out = Findings(SOURCE_NAME, url, retrieved_at)
    siren = str(result.get("siren") or "")
    out.add("identifiers.fr_siren", siren, match.method("siren"), f"{path}.siren")
    out.add("legal_name", match.entry.name, match.method("nom_raison_sociale"), f"{path}.nom_raison_sociale")
    siege = registers.mapping(result.get("siege"))
    office = head_office(siege)
    created = registers.iso_date(result.get("date_creation"))
    closed = result.get("etat_administratif") == CLOSED
    naf = result.get("activite_principale")
    codes = registers.industry_codes([(NAF_SCHEME, str(naf), None)] if naf else [])
    band = result.get("tranche_effectif_salarie")
    registration = {
        "register": SOURCE_NAME,
        "number": siren,
        "legal_form": str(result["nature_juridique"]) if result.get("nature_juridique") else None,
        "status": "dissolved" if closed else "active",
        "bankrupt": False,
        "in_liquidation": False,
        "dissolved": closed,
        "incorporation_date": created,
        "registered_office": {**office, "label": "headquarters"} if office else None,
        "industry_codes": codes,
        "employee_band": str(band) if band and band != "NN" else None,
        "match_score": match.score,
        "url": url,
    }
    registration = {key: value for key, value in registration.items() if value not in (None, [], {})}
    out.add("registration", registration, match.method("legal unit"), path)
    registers.add_industry(out, match, codes, f"{path}.activite_principale")
    bucket = registers.band_bucket(str(band) if band else None, INSEE_BANDS)
    out.add(
        "employee_count",
        bucket,
        match.method(f"tranche_effectif_salarie {band}"),
        f"{path}.tranche_effectif_salarie",
        registers.EMPLOYEES_CONFIDENCE,
    )
    founded = registers.founded_year(created)
    out.add("founded_year", founded, match.method("date_creation"), f"{path}.date_creation")
    out.add("headquarters", office, match.method("siege"), f"{path}.siege", registers.ADDRESS_CONFIDENCE)
    if office:
        out.add(
            "contacts.addresses",
            {**{k: v for k, v in office.items() if k != "state_code"}, "label": "headquarters"},
            match.method("siege"),
            f"{path}.siege",
            registers.ADDRESS_CONFIDENCE,
        )
    for index, officer in enumerate(result.get("dirigeants") or []):
        person = officer_of(officer)
        if person:
            out.add("people", person, match.method("dirigeants"), f"{path}.dirigeants[{index}]")
    return out.found


def head_office(siege: dict[str, Any]) -> dict[str, str]:
    """A ``Headquarters`` dict of the ``siege`` (street from its parts, town in print case). Pure."""
    street = " ".join(
        str(part).strip()
        for part in (siege.get("numero_voie"), siege.get("indice_repetition"), siege.get("type_voie"),
                     siege.get("libelle_voie"))
        if part and str(part).strip()
    )  # fmt: skip
    town = str(siege.get("libelle_commune") or "").strip()
    return headquarters_from(
        city=town.title() if town.isupper() else town or None,
        region=None,
        country=COUNTRY if siege else None,
        street=street.title() if street.isupper() else street or None,
        postal=siege.get("code_postal"),
    )


def officer_of(officer: Any) -> dict[str, str] | None:
    """A physical person among the ``dirigeants`` with their ``qualite``; legal persons are skipped."""
    if not isinstance(officer, dict) or officer.get("type_dirigeant") != PHYSICAL_PERSON:
        return None
    name = registers.person_name(officer.get("prenoms"), officer.get("nom"))
    role = officer.get("qualite")
    return {"name": name, "role": str(role)} if name and role else None
