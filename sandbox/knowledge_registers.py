"""Recorded answers of the business registers for ``sandbox.knowledge_records``, under their real hosts:
Brønnøysund's Enhetsregisteret (``data.brreg.no``), recherche-entreprises (``recherche-entreprises.api.gouv.fr``)
and Companies House (``api.company-information.service.gov.uk``).

Bodies follow each service's documented format field for field (the brreg and Companies House search
shapes as real captures show them); every host also answers a query it has no entry for the way the
service does: an empty search (an unknown number is the sandbox's plain 404).
"""

# JSON literals read best unwrapped, so long lines are allowed in this file only.
# ruff: noqa: E501

from __future__ import annotations

from typing import Any

from sandbox.corpus_facts import CompanyFacts
from sandbox.knowledge_types import Files, Routes, add
from sandbox.web import SANDBOX_COMPANIES_HOUSE_KEY

BRREG_HOST = "data.brreg.no"
RECHERCHE_HOST = "recherche-entreprises.api.gouv.fr"
COMPANIES_HOUSE_HOST = "api.company-information.service.gov.uk"
BRREG_API = "https://data.brreg.no/enhetsregisteret/api"
SEARCH_SIZE = "10"
# Host-wide ``_meta.json`` keys: Companies House answers 401 to a request without the API key.
HOST_META = {
    COMPANIES_HOUSE_HOST: {"basic_auth_user": SANDBOX_COMPANIES_HOUSE_KEY}
}  # what the sources ask for (``registers.SEARCH_SIZE``)


def _link(href: str) -> dict[str, Any]:
    return {"self": {"href": href}}


def _brreg_address(
    lines: list[str], postal: str, town: str, municipality: str, number: str
) -> dict[str, Any]:
    return {"land": "Norge", "landkode": "NO", "postnummer": postal, "poststed": town, "adresse": lines,
            "kommune": municipality, "kommunenummer": number}  # fmt: skip


def _brreg_entity(
    orgnr: str, name: str, form: tuple[str, str], address: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    entity = {
        "organisasjonsnummer": orgnr, "navn": name,
        "organisasjonsform": {"kode": form[0], "beskrivelse": form[1], "_links": _link(f"{BRREG_API}/organisasjonsformer/{form[0]}")},
        "forretningsadresse": address,
        "institusjonellSektorkode": {"kode": "2100", "beskrivelse": "Private aksjeselskaper mv."},
        "registrertIForetaksregisteret": True, "registrertIStiftelsesregisteret": False,
        "registrertIFrivillighetsregisteret": False, "konkurs": False, "underAvvikling": False,
        "underTvangsavviklingEllerTvangsopplosning": False, "maalform": "Bokmål",
        **extra,
        "_links": _link(f"{BRREG_API}/enheter/{orgnr}"),
    }  # fmt: skip
    return entity


def add_brreg(files: Files, routes: Routes, facts: CompanyFacts, brreg: dict[str, Any], name: str) -> None:
    """The name search (the company and its namesake) and the company's roles."""
    orgnr = brreg["orgnr"]
    nace = {
        f"naeringskode{i + 1}": {"kode": code, "beskrivelse": label}
        for i, (code, label) in enumerate(brreg["nace"])
    }
    own = _brreg_entity(
        orgnr, facts["name"].upper(), brreg["form"],
        _brreg_address([facts["street"]], facts["postal"], facts["city"].upper(), facts["city"].upper(), "5501"),
        hjemmeside=f"www.{facts['domain']}", registreringsdatoEnhetsregisteret=brreg["registered"],
        registrertIMvaregisteret=True, antallAnsatte=brreg["employees"], harRegistrertAntallAnsatte=True,
        stiftelsesdato=brreg["founded"], sisteInnsendteAarsregnskap="2024", **nace,
    )  # fmt: skip
    other = brreg["namesake"]
    namesake = _brreg_entity(
        other["orgnr"], other["name"], ("AS", "Aksjeselskap"),
        _brreg_address(["Karl Johans gate 8"], other["postal"], other["town"], other["town"], "0301"),
        registreringsdatoEnhetsregisteret="2016-11-02", registrertIMvaregisteret=False, antallAnsatte=0,
        harRegistrertAntallAnsatte=False, stiftelsesdato="2016-10-14",
        naeringskode1={"kode": "64.200", "beskrivelse": "Holdingselskaper"},
    )  # fmt: skip
    query = f"navn={name}&size={SEARCH_SIZE}"
    search = {
        "_embedded": {"enheter": [namesake, own]},
        "_links": {"self": {"href": f"{BRREG_API}/enheter?{query}"}},
        "page": {"size": int(SEARCH_SIZE), "totalElements": 2, "totalPages": 1, "number": 0},
    }
    add(files, routes, BRREG_HOST, f"_responses/enheter-{orgnr}-search.json", search,
        "/enhetsregisteret/api/enheter", {"navn": name})  # fmt: skip
    add(
        files,
        routes,
        BRREG_HOST,
        f"_responses/enheter-{orgnr}.json",
        own,
        f"/enhetsregisteret/api/enheter/{orgnr}",
        {},
    )
    roles = []
    for order, (code, label, first, last) in enumerate(brreg["officers"]):
        roles.append({
            "type": {"kode": code, "beskrivelse": label, "_links": _link(f"{BRREG_API}/roller/rolletyper/{code}")},
            "person": {"fodselsdato": f"19{70 + order}-0{order + 3}-1{order}", "navn": {"fornavn": first, "etternavn": last}, "erDoed": False},
            "avregistrert": False, "rekkefolge": order,
        })  # fmt: skip
    auditor = {
        "type": {"kode": "REVI", "beskrivelse": "Revisor", "_links": _link(f"{BRREG_API}/roller/rolletyper/REVI")},
        "enhet": {"organisasjonsnummer": "976389387", "organisasjonsform": {"kode": "AS", "beskrivelse": "Aksjeselskap"},
                  "navn": ["NORDLYS REVISJON AS"], "erSlettet": False, "_links": _link(f"{BRREG_API}/enheter/976389387")},
        "avregistrert": False, "rekkefolge": 0,
    }  # fmt: skip
    answer = {
        "rollegrupper": [
            {"type": {"kode": "DAGL", "beskrivelse": "Daglig leder/ adm.direktør"}, "sistEndret": "2023-03-01", "roller": roles[:1]},
            {"type": {"kode": "STYR", "beskrivelse": "Styre"}, "sistEndret": "2023-03-01", "roller": roles[1:]},
            {"type": {"kode": "REVI", "beskrivelse": "Revisor"}, "sistEndret": "2019-06-12", "roller": [auditor]},
        ],
        "_links": {"self": {"href": f"{BRREG_API}/enheter/{orgnr}/roller"}, "enhet": {"href": f"{BRREG_API}/enheter/{orgnr}"}},
    }  # fmt: skip
    add(
        files,
        routes,
        BRREG_HOST,
        f"_responses/roller-{orgnr}.json",
        answer,
        f"/enhetsregisteret/api/enheter/{orgnr}/roller",
        {},
    )


def add_brreg_defaults(files: Files, routes: Routes) -> None:
    """What Enhetsregisteret answers for a name it does not know (and an unknown number)."""
    empty = {"_links": {"self": {"href": f"{BRREG_API}/enheter"}},
             "page": {"size": int(SEARCH_SIZE), "totalElements": 0, "totalPages": 0, "number": 0}}  # fmt: skip
    add(
        files,
        routes,
        BRREG_HOST,
        "_responses/enheter-search-empty.json",
        empty,
        "/enhetsregisteret/api/enheter",
        {},
    )


def _siege(
    siren: str, street: tuple[str, str, str], postal: str, town: str, naf: str, tranche: str, created: str
) -> dict[str, Any]:
    number, kind, way = street
    return {
        "activite_principale": naf, "activite_principale_registre_metier": None, "annee_tranche_effectif_salarie": "2023",
        "adresse": f"{number} {kind} {way} {postal} {town}", "caractere_employeur": "O", "cedex": None,
        "code_pays_etranger": None, "code_postal": postal, "commune": "44109", "complement_adresse": None,
        "coordonnees": "47.211,-1.566", "date_creation": created, "date_debut_activite": created,
        "date_fermeture": None, "date_mise_a_jour": None, "date_mise_a_jour_insee": "2024-03-22T09:12:45",
        "departement": postal[:2], "distribution_speciale": None, "epci": "244400404", "est_siege": True,
        "etat_administratif": "A", "geo_adresse": f"{number} {kind.title()} {way.title()} {postal} {town.title()}",
        "geo_id": f"{postal[:2]}109_3480_{number:0>5}", "indice_repetition": None, "latitude": "47.211",
        "libelle_cedex": None, "libelle_commune": town, "libelle_commune_etranger": None, "libelle_pays_etranger": None,
        "libelle_voie": way, "liste_enseignes": None, "liste_finess": None, "liste_id_bio": None, "liste_idcc": ["0650"],
        "liste_id_organisme_formation": None, "liste_rge": None, "liste_uai": None, "longitude": "-1.566",
        "nom_commercial": None, "numero_voie": number, "region": "52", "siret": f"{siren}00017",
        "statut_diffusion_etablissement": "O", "tranche_effectif_salarie": tranche, "type_voie": kind,
    }  # fmt: skip


def _legal_unit(siren: str, name: str, siege: dict[str, Any], naf: str, tranche: str, created: str,
                nature: str, officers: list[dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    return {
        "siren": siren, "nom_complet": name, "nom_raison_sociale": name, "sigle": None,
        "nombre_etablissements": 1, "nombre_etablissements_ouverts": 1, "siege": siege,
        "activite_principale": naf, "categorie_entreprise": "PME", "caractere_employeur": "O",
        "annee_categorie_entreprise": "2022", "date_creation": created, "date_fermeture": None,
        "date_mise_a_jour": "2024-11-20T02:31:50", "date_mise_a_jour_insee": "2024-03-22T09:12:45",
        "date_mise_a_jour_rne": "2024-06-12T14:58:11", "dirigeants": officers, "etat_administratif": "A",
        "nature_juridique": nature, "section_activite_principale": "C", "tranche_effectif_salarie": tranche,
        "annee_tranche_effectif_salarie": "2023", "statut_diffusion": "O", "matching_etablissements": [siege],
        "finances": {"2023": {"ca": 4_812_000, "resultat_net": 212_000}},
        "complements": {"collectivite_territoriale": None, "convention_collective_renseignee": True,
                        "liste_idcc": ["0650"], "est_achats_responsables": False, "est_alim_confiance": False,
                        "est_association": False, "est_bio": False, "est_entrepreneur_individuel": False,
                        "est_entrepreneur_spectacle": False, "est_ess": False, "est_finess": False,
                        "est_organisme_formation": False, "est_qualiopi": False, "est_service_public": False,
                        "est_societe_mission": False, "est_uai": False, "identifiant_association": None,
                        "statut_entrepreneur_spectacle": None, "type_siae": None},
    }  # fmt: skip


def add_recherche(files: Files, routes: Routes, facts: CompanyFacts, data: dict[str, Any], name: str) -> None:
    """The ``/search?q=`` answer for the company's name: its legal unit and a namesake's."""
    siren, naf, tranche, created = data["siren"], data["naf"], data["tranche"], data["created"]
    town = facts["city"].upper()
    officers = [
        {"nom": last, "prenoms": first, "annee_de_naissance": f"19{72 + i}", "date_de_naissance": f"19{72 + i}-0{i + 4}",
         "qualite": role, "nationalite": "Française", "type_dirigeant": "personne physique"}
        for i, (role, first, last) in enumerate(data["officers"])
    ]  # fmt: skip
    officers.append({"siren": "552081317", "denomination": "CABINET AUDIT OUEST", "qualite": "Commissaire aux comptes titulaire",
                     "type_dirigeant": "personne morale"})  # fmt: skip
    own = _legal_unit(siren, facts["name"].upper(), _siege(siren, data["street"], facts["postal"], town, naf, tranche, created),
                      naf, tranche, created, data["nature_juridique"], officers)  # fmt: skip
    other = data["namesake"]
    namesake = _legal_unit(other["siren"], facts["name"].upper(),
                           _siege(other["siren"], ("8", "RUE", "DE LA REPUBLIQUE"), other["postal"], other["town"], "33.12Z", "01", "2019-02-11"),
                           "33.12Z", "01", "2019-02-11", "5499", [])  # fmt: skip
    body = {
        "results": [own, namesake],
        "total_results": 2,
        "page": 1,
        "per_page": int(SEARCH_SIZE),
        "total_pages": 1,
    }
    add(files, routes, RECHERCHE_HOST, f"_responses/search-{siren}.json", body, "/search", {"q": name})


def add_recherche_defaults(files: Files, routes: Routes) -> None:
    body = {"results": [], "total_results": 0, "page": 1, "per_page": int(SEARCH_SIZE), "total_pages": 0}
    add(files, routes, RECHERCHE_HOST, "_responses/search-empty.json", body, "/search", {})


def _ch_address(premises: str, line: str, town: str, postal: str) -> dict[str, Any]:
    return {
        "premises": premises,
        "address_line_1": line,
        "locality": town,
        "postal_code": postal,
        "country": "England",
    }


def _ch_hit(
    number: str, title: str, address: dict[str, Any], created: str, status: str, ceased: str | None
) -> dict[str, Any]:
    hit = {
        "company_status": status, "address_snippet": f"{address['premises']} {address['address_line_1']}, {address['locality']}, {address['postal_code']}",
        "date_of_creation": created, "matches": {"title": [1, len(title.split()[0])]},
        "description": f"{number} - " + (f"Dissolved on {ceased}" if ceased else f"Incorporated on {created}"),
        "links": {"self": f"/company/{number}"}, "company_number": number, "title": title, "company_type": "ltd",
        "address": address, "kind": "searchresults#company",
        "description_identifier": ["dissolved-on" if ceased else "incorporated-on"],
    }  # fmt: skip
    if ceased:
        hit["date_of_cessation"] = ceased
    return hit


def add_companies_house(
    files: Files, routes: Routes, facts: CompanyFacts, data: dict[str, Any], name: str
) -> None:
    """The name search (the company and a dissolved namesake), the company profile and its officers."""
    number, other = data["number"], data["namesake"]
    premises, _, line = facts["street"].partition(" ")
    office = _ch_address(premises, line, facts["city"], facts["postal"])
    title = facts["name"].upper()
    hits = [
        _ch_hit(other["number"], title, _ch_address("3", "Park Row", other["town"], other["postal"]), "2004-06-01", "dissolved", other["dissolved"]),
        _ch_hit(number, title, office, data["created"], "active", None),
    ]  # fmt: skip
    search = {"items": hits, "items_per_page": int(SEARCH_SIZE), "kind": "search#companies", "page_number": 1,
              "start_index": 0, "total_results": len(hits)}  # fmt: skip
    add(
        files,
        routes,
        COMPANIES_HOUSE_HOST,
        f"_responses/search-{number}.json",
        search,
        "/search/companies",
        {"q": name},
    )
    profile = {
        "accounts": {"accounting_reference_date": {"day": "31", "month": "03"}, "last_accounts": {"made_up_to": "2024-03-31", "type": "total-exemption-full"},
                     "next_due": "2025-12-31", "overdue": False},
        "can_file": True, "company_name": title, "company_number": number, "company_status": "active",
        "confirmation_statement": {"last_made_up_to": "2024-03-14", "next_due": "2025-03-28", "overdue": False},
        "date_of_creation": data["created"], "etag": "4b1f0c7e2a9d", "has_been_liquidated": False, "has_charges": True,
        "has_insolvency_history": False, "jurisdiction": "england-wales",
        "links": {"self": f"/company/{number}", "filing_history": f"/company/{number}/filing-history", "officers": f"/company/{number}/officers"},
        "registered_office_address": {k: v for k, v in office.items() if k != "country"} | {"country": "United Kingdom"},
        "registered_office_is_in_dispute": False, "sic_codes": data["sic"], "type": "ltd", "undeliverable_registered_office_address": False,
    }  # fmt: skip
    add(
        files,
        routes,
        COMPANIES_HOUSE_HOST,
        f"_responses/company-{number}.json",
        profile,
        f"/company/{number}",
        {},
    )
    items = []
    for name_text, role, resigned in data["officers"]:
        item = {"name": name_text, "officer_role": role, "appointed_on": data["created"], "nationality": "British",
                "country_of_residence": "England", "occupation": "Director",
                "address": {k: v for k, v in office.items()}, "links": {"self": f"/company/{number}/appointments/x", "officer": {"appointments": "/officers/x/appointments"}}}  # fmt: skip
        if resigned:
            item["resigned_on"] = resigned
        items.append(item)
    items.append({"name": "SHEAF SECRETARIES LIMITED", "officer_role": "corporate-secretary", "appointed_on": data["created"],
                  "address": dict(office), "links": {"self": f"/company/{number}/appointments/y"}})  # fmt: skip
    active = sum(1 for item in items if "resigned_on" not in item)
    officers = {"items": items, "items_per_page": 35, "kind": "officer-list", "start_index": 0, "total_results": len(items),
                "active_count": active, "resigned_count": len(items) - active, "inactive_count": 0,
                "links": {"self": f"/company/{number}/officers"}, "etag": "9c2e1d"}  # fmt: skip
    add(
        files,
        routes,
        COMPANIES_HOUSE_HOST,
        f"_responses/officers-{number}.json",
        officers,
        f"/company/{number}/officers",
        {},
    )


def add_companies_house_defaults(files: Files, routes: Routes) -> None:
    empty = {"items": [], "items_per_page": int(SEARCH_SIZE), "kind": "search#companies", "page_number": 1,
             "start_index": 0, "total_results": 0}  # fmt: skip
    add(files, routes, COMPANIES_HOUSE_HOST, "_responses/search-empty.json", empty, "/search/companies", {})


def add_registers(
    files: Files, routes: Routes, facts: CompanyFacts, knowledge: dict[str, Any], name: str
) -> None:
    """Every register entry the company has."""
    if "brreg" in knowledge:
        add_brreg(files, routes, facts, knowledge["brreg"], name)
    if "recherche" in knowledge:
        add_recherche(files, routes, facts, knowledge["recherche"], name)
    if "companies_house" in knowledge:
        add_companies_house(files, routes, facts, knowledge["companies_house"], name)


def add_register_defaults(files: Files, routes: Routes) -> None:
    """How each register answers what it does not hold."""
    add_brreg_defaults(files, routes)
    add_recherche_defaults(files, routes)
    add_companies_house_defaults(files, routes)
