"""Recorded answers of SEC EDGAR, GLEIF and DuckDuckGo's HTML endpoint for ``sandbox.knowledge_records``,
and the Wikidata service that answers any set of ids from the recorded entities."""

# JSON and HTML literals read best unwrapped, so long lines are allowed in this file only.
# ruff: noqa: E501

from __future__ import annotations

import hashlib
import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sandbox.corpus_facts import CompanyFacts
from sandbox.knowledge_types import MODIFIED, Files, Routes, add, route

if TYPE_CHECKING:
    from aiohttp import web

    from sandbox.corpus_format import SiteSpec

WIKIDATA_API_PATH = "/w/api.php"
WBGETENTITIES_MAX_IDS = 50  # what the real API answers an anonymous client at most per request
_ENTITY_INDEX: dict[Path, dict[str, Any]] = {}


def wikidata_entities(site: SiteSpec, request: web.Request) -> bytes | None:
    """``wbgetentities`` for any ``ids=a|b|c`` on a host whose routes record entities, as the real API
    answers it: each recorded entity by id, ``missing`` for the others, ``toomanyvalues`` past 50 ids.
    None for every other request (the recorded routes answer those)."""
    query = request.query
    if request.path != WIKIDATA_API_PATH or query.get("action") != "wbgetentities" or not query.get("ids"):
        return None
    index = _entities_of(site)
    if not index:
        return None
    ids = list(dict.fromkeys(part for part in query["ids"].split("|") if part))
    if len(ids) > WBGETENTITIES_MAX_IDS:
        error = {
            "code": "toomanyvalues",
            "info": f'Too many values supplied for parameter "ids". The limit is {WBGETENTITIES_MAX_IDS}.',
        }
        return json.dumps({"error": error}).encode()
    entities = {qid: index.get(qid, {"id": qid, "missing": ""}) for qid in ids}
    return json.dumps({"entities": entities, "success": 1}, ensure_ascii=False).encode()


def _entities_of(site: SiteSpec) -> dict[str, Any]:
    """Every entity the site's recorded ``wbgetentities`` answers hold, by id (read once per site)."""
    if site.root not in _ENTITY_INDEX:
        found: dict[str, Any] = {}
        for recorded in site.routes:
            if recorded.query.get("action") == "wbgetentities" and recorded.body_file is not None:
                body = json.loads(recorded.body_file.read_text(encoding="utf-8"))
                for qid, entity in body.get("entities", {}).items():
                    if isinstance(entity, dict) and "missing" not in entity:
                        found.setdefault(qid, entity)
        _ENTITY_INDEX[site.root] = found
    return _ENTITY_INDEX[site.root]


SEC_HOST, SEC_DATA_HOST, GLEIF_HOST, DDG_HOST = (
    "www.sec.gov",
    "data.sec.gov",
    "api.gleif.org",
    "html.duckduckgo.com",
)
DDG_REGIONS = {"US": "us-en", "GB": "uk-en", "DE": "de-de", "FR": "fr-fr", "CA": "ca-en", "SE": "se-sv"}


def _fy_entries(values: dict[int, float], accn_prefix: str, *, instant: bool = False) -> list[dict[str, Any]]:
    entries = []
    for year, value in sorted(values.items()):
        entry = {"end": f"{year}-12-31", "val": value, "accn": f"{accn_prefix}-{year % 100 + 1:02d}-000004",
                 "fy": year, "fp": "FY", "form": "10-K", "filed": f"{year + 1}-02-20", "frame": f"CY{year}"}  # fmt: skip
        if not instant:
            entry["start"] = f"{year}-01-01"
            # A 10-K repeats the fourth quarter: same fiscal year and form, a three-month span.
            entries.append(
                {**entry, "start": f"{year}-10-01", "val": round(value * 0.27), "frame": f"CY{year}Q4"}
            )
        else:
            entry["frame"] = f"CY{year}Q4I"
        entries.append(entry)
    return entries


def add_sec(files: Files, routes: Routes, facts: CompanyFacts, knowledge: dict[str, Any]) -> None:
    """submissions and companyfacts of one filer."""
    sec = knowledge["sec"]
    cik = sec["cik"]
    accn = f"{cik:010d}"
    street = facts["street"].upper()
    business = {"street1": street, "street2": None, "city": facts["city"].upper(), "stateOrCountry": facts["region"],
                "zipCode": facts["postal"], "stateOrCountryDescription": facts["region"], "isForeignLocation": 0,
                "foreignStateTerritory": None, "country": None, "countryCode": None}  # fmt: skip
    submissions = {
        "cik": str(cik), "entityType": "operating", "sic": sec["sic"], "sicDescription": sec["sic_description"],
        "ownerOrg": "04 Manufacturing", "insiderTransactionForOwnerExists": 0, "insiderTransactionForIssuerExists": 1,
        "name": facts["name"], "tickers": [knowledge["wikidata"]["ticker"]],
        "exchanges": [sec["exchange"]], "ein": "770000001", "lei": None, "description": "", "website": "",
        "investorWebsite": "", "category": "Large accelerated filer", "fiscalYearEnd": sec["fiscal_year_end"],
        "stateOfIncorporation": "DE", "stateOfIncorporationDescription": "DE",
        "addresses": {"mailing": dict(business), "business": business}, "phone": sec["phone"], "flags": "",
        "formerNames": [],
        "filings": {"recent": {"accessionNumber": [f"{accn}-25-000004"], "filingDate": ["2025-02-20"],
                               "reportDate": ["2024-12-31"], "form": ["10-K"], "primaryDocument": ["obsd-20241231.htm"]},
                    "files": []},
    }  # fmt: skip
    us_gaap = {
        sec["revenue_concept"]: (
            "Revenue from Contract with Customer, Excluding Assessed Tax",
            sec["revenue"],
            False,
        ),
        "NetIncomeLoss": ("Net Income (Loss) Attributable to Parent", sec["net_income"], False),
        "Assets": ("Assets", sec["assets"], True),
    }
    company_facts = {
        "cik": cik, "entityName": facts["name"],
        "facts": {
            "dei": {"EntityCommonStockSharesOutstanding": {
                "label": "Entity Common Stock, Shares Outstanding",
                "description": "Indicate number of shares or other units outstanding of each of registrant's classes.",
                "units": {"shares": [{"end": "2025-01-31", "val": sec["shares"], "accn": f"{accn}-25-000004",
                                      "fy": 2024, "fp": "FY", "form": "10-K", "filed": "2025-02-20",
                                      "frame": "CY2025Q1I"}]}}},
            "us-gaap": {concept: {"label": label, "description": label, "units": {"USD": _fy_entries(values, accn, instant=instant)}}
                        for concept, (label, values, instant) in us_gaap.items()},
        },
    }  # fmt: skip
    company_facts["facts"]["us-gaap"].update(_disclosures(sec.get("disclosure_concepts", 0), accn))
    add(files, routes, SEC_DATA_HOST, f"_responses/submissions-{cik}.json", submissions,
         f"/submissions/CIK{cik:010d}.json", {})  # fmt: skip
    add(files, routes, SEC_DATA_HOST, f"_responses/companyfacts-{cik}.json", company_facts,
         f"/api/xbrl/companyfacts/CIK{cik:010d}.json", {})  # fmt: skip


def _disclosures(count: int, accn: str) -> dict[str, Any]:
    """``count`` further concepts with fifteen years of quarterly values, as a large filer's document has.

    Real companyfacts documents run to tens of MB; these make the corpus's larger than the HTML page cap.
    """
    concepts: dict[str, Any] = {}
    for number in range(count):
        entries = [
            {"start": f"{year}-{month:02d}-01", "end": f"{year}-{month + 2:02d}-28", "val": 1000 * number + year,
             "accn": f"{accn}-{year % 100:02d}-{month:06d}", "fy": year, "fp": f"Q{(month + 2) // 3}",
             "form": "10-Q", "filed": f"{year}-{month + 3:02d}-15", "frame": f"CY{year}Q{(month + 2) // 3}"}
            for year in range(2010, 2025) for month in (1, 4, 7, 10)
        ]  # fmt: skip
        label = f"Other Disclosure {number:04d}"
        concepts[f"OtherDisclosure{number:04d}"] = {
            "label": label,
            "description": label,
            "units": {"USD": entries},
        }
    return concepts


# Listed companies that are not in the corpus: a real tickers file lists ~10,000; these make name
# matching work for its living (near-miss titles included).
OTHER_LISTINGS = [
    (1799101, "ACMR", "ACME ROBOTIC SYSTEMS HOLDINGS LTD"),
    (1799102, "NWFG", "NORTHWIND FINANCIAL GROUP INC"),
    (1799103, "MRDN", "MERIDIAN BANCORP OF TEXAS"),
    (1799104, "OBSN", "OBSERVANT NETWORKS INC"),
]


def add_sec_tickers(files: Files, routes: Routes, knowledge: list[dict[str, Any]]) -> None:
    """company_tickers.json: the corpus filers and a few others."""
    rows = [(k["sec"]["cik"], k["wikidata"]["ticker"], k["sec"]["title"]) for k in knowledge if "sec" in k]
    body = {
        str(i): {"cik_str": cik, "ticker": ticker, "title": title}
        for i, (cik, ticker, title) in enumerate(rows + OTHER_LISTINGS)
    }
    add(files, routes, SEC_HOST, "_responses/company_tickers.json", body, "/files/company_tickers.json", {})


def _gleif_address(
    lines: list[str], city: str, region: str | None, country: str, postal: str
) -> dict[str, Any]:
    return {"language": "en", "addressLines": lines, "addressNumber": None, "addressNumberWithinBuilding": None,
            "mailRouting": None, "city": city, "region": region, "country": country, "postalCode": postal}  # fmt: skip


def add_gleif(files: Files, routes: Routes, facts: CompanyFacts, gleif: dict[str, Any]) -> None:
    lei = gleif["lei"]
    region = f"{facts['country']}-{facts['region']}" if facts["region"] else None
    record = {
        "type": "lei-records", "id": lei,
        "attributes": {
            "lei": lei,
            "entity": {
                "legalName": {"name": facts["name"], "language": "en"}, "otherNames": [], "transliteratedOtherNames": [],
                "legalAddress": _gleif_address([gleif["legal_street"]], gleif["legal_city"], gleif["legal_region"],
                                               "US" if gleif["legal_region"] == "US-DE" else facts["country"], gleif["legal_postal"]),
                "headquartersAddress": _gleif_address([facts["street"]], facts["city"], region, facts["country"], facts["postal"]),
                "registeredAt": {"id": "RA000602", "other": None}, "registeredAs": f"{int(hashlib.sha1(lei.encode()).hexdigest()[:8], 16) % 10**7:07d}",
                "jurisdiction": region or facts["country"], "category": "GENERAL",
                "legalForm": {"id": "XTIQ", "other": None}, "status": "ACTIVE",
                "expiration": {"date": None, "reason": None}, "creationDate": "2012-06-06T15:53:00Z",
            },
            "registration": {"initialRegistrationDate": "2012-06-06T15:53:00Z", "lastUpdateDate": MODIFIED,
                             "status": "ISSUED", "nextRenewalDate": "2025-06-05T00:00:00Z",
                             "corroborationLevel": "FULLY_CORROBORATED"},
            "bic": None, "mic": None, "ocid": None, "conformityFlag": "CONFORMING",
        },
        "links": {"self": f"https://api.gleif.org/api/v1/lei-records/{lei}"},
    }  # fmt: skip
    meta = {"goldenCopy": {"publishDate": MODIFIED}}
    add(files, routes, GLEIF_HOST, f"_responses/lei-{lei}.json", {"meta": meta, "data": record},
         f"/api/v1/lei-records/{lei}", {})  # fmt: skip
    if gleif.get("search"):
        page = {"currentPage": 1, "perPage": 5, "from": 1, "to": 1, "total": 1, "lastPage": 1}
        add(files, routes, GLEIF_HOST, f"_responses/search-{lei}.json",
             {"meta": {**meta, "pagination": page}, "links": {}, "data": [record]}, "/api/v1/lei-records",
             {"filter[fulltext]": facts["name"], "filter[entity.legalAddress.country]": facts["country"]})  # fmt: skip


def _ddg_result(url: str, title: str, snippet: str, ad: bool = False) -> str:
    link = f"//duckduckgo.com/l/?uddg={quote(url, safe='')}&amp;rut={hashlib.sha1(url.encode()).hexdigest()}"
    shown = url.split("//", 1)[-1].rstrip("/")
    return f"""<div class="result results_links results_links_deep {"result--ad" if ad else "web-result"} ">
  <div class="links_main links_deep result__body">
    <h2 class="result__title"><a rel="nofollow" class="result__a" href="{link}">{escape(title)}</a></h2>
    <div class="result__extras"><div class="result__extras__url"><span class="result__icon"><a rel="nofollow" href="{link}"><img class="result__icon__img" width="16" height="16" alt="" src="//external-content.duckduckgo.com/ip3/{shown.split("/")[0]}.ico" name="i15" /></a></span><a class="result__url" href="{link}">{escape(shown)}</a></div></div>
    <a class="result__snippet" href="{link}">{escape(snippet)}</a>
    <div class="clear"></div>
  </div>
</div>"""


def ddg_page(query: str, results: list[str]) -> str:
    body = "\n".join(results) if results else '<div class="no-results">No results.</div>'
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html><head><meta http-equiv="content-type" content="text/html; charset=UTF-8"><meta name="referrer" content="origin">
<title>{escape(query)} at DuckDuckGo</title><link rel="stylesheet" href="/dist/h.css" type="text/css"></head>
<body class="body--html"><div class="header"><form action="/html/" method="post" id="search_form"><input type="text" name="q" value="{escape(query)}" class="search__input"></form></div>
<div id="links" class="results">
{_ddg_result("https://ads.duckduckgo.example/sponsored", "Sponsored: Compare business software", "Ad", ad=True) if results else ""}
{body}
</div></body></html>
"""


def add_duckduckgo(files: Files, routes: Routes, facts: CompanyFacts, kinds: list[str], name: str) -> None:
    """The result page of a search for the company's name (its region's, for same-name companies)."""
    brand, domain = facts["brand"], facts["domain"]
    slug = domain.split(".")[0]
    made = {
        "linkedin": (f"https://www.linkedin.com/company/{slug}", f"{brand} | LinkedIn", f"{brand} | followers on LinkedIn."),
        "crunchbase": (f"https://www.crunchbase.com/organization/{slug}", f"{brand} - Crunchbase Company Profile", "Funding, investors."),
        "facebook": (f"https://www.facebook.com/{slug.replace('-', '')}", f"{brand} | Facebook", "Reviews and photos."),
        "site": (f"https://{domain}/", f"{brand} | {facts['tagline']}", f"{facts['tagline']}."),
    }  # fmt: skip
    results = [_ddg_result(*made[kind]) for kind in kinds]
    region = DDG_REGIONS.get(facts["country"], "wt-wt")
    file = f"_responses/search-{hashlib.sha1((name + region).encode()).hexdigest()[:10]}.html"
    files.setdefault(DDG_HOST, {})[file] = ddg_page(name, results).encode()
    query = {"q": name, "kl": region} if "request_name" in facts else {"q": name}
    routes.setdefault(DDG_HOST, []).append(route("/html/", query, file, content_type="text/html"))
