"""Renders ``sandbox.knowledge_facts`` as recorded responses of the real services, under their real
hostnames: Wikidata's action API, Wikipedia's REST summaries, SEC EDGAR (Form D notices and full-text
search included), GLEIF, DuckDuckGo's HTML endpoint and the business registers
(``sandbox.knowledge_registers``). Response bodies follow each service's format field for field (trimmed to what a company
needs); every host also answers unknown queries the way the service does when it finds nothing.
"""

# JSON literals read best unwrapped, so long lines are allowed in this file only.
# ruff: noqa: E501

from __future__ import annotations

import hashlib
import json
from html import escape
from typing import Any
from urllib.parse import quote

from sandbox.corpus_facts import CompanyFacts
from sandbox.knowledge_facts import COUNTRY_ITEMS, KNOWLEDGE
from sandbox.knowledge_formd import add_form_d, add_form_d_search_empty
from sandbox.knowledge_registers import add_register_defaults, add_registers
from sandbox.knowledge_services import (
    DDG_HOST,
    GLEIF_HOST,
    add_duckduckgo,
    add_gleif,
    add_sec,
    add_sec_tickers,
    ddg_page,
)
from sandbox.knowledge_types import MODIFIED, Files, Routes, add, route

WIKIDATA_HOST, WIKIPEDIA_HOST = "www.wikidata.org", "en.wikipedia.org"
WIKIDATA_HOST, WIKIPEDIA_HOST = "www.wikidata.org", "en.wikipedia.org"
ENTITY_BASE = "http://www.wikidata.org/entity/"
CURRENCIES = {"USD": "Q4917", "EUR": "Q4916", "GBP": "Q25224", "SEK": "Q122922", "CAD": "Q1104069"}
COUNTRY_LABELS = {"US": "United States", "GB": "United Kingdom", "DE": "Germany", "FR": "France",
                  "CA": "Canada", "SE": "Sweden", "NO": "Norway"}  # fmt: skip
HUMAN, BUSINESS = "Q5", "Q4830453"


def aux_id(kind: str, name: str) -> str:
    """A stable fictional item id for a city, region, industry or person of the corpus."""
    digest = int(hashlib.sha256(f"{kind}|{name}".encode()).hexdigest()[:8], 16)
    return f"Q{131_000_000 + digest % 9_000_000}"


def _item(qid: str) -> dict[str, Any]:
    return {
        "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
        "type": "wikibase-entityid",
    }


def _string(text: str) -> dict[str, Any]:
    return {"value": text, "type": "string"}


def _time(iso: str) -> dict[str, Any]:
    precision = {4: 9, 7: 10}.get(len(iso), 11)
    full = (iso + "-00-00")[:10] if precision < 11 else iso
    return {
        "value": {"time": f"+{full}T00:00:00Z", "timezone": 0, "before": 0, "after": 0, "precision": precision,
                  "calendarmodel": "http://www.wikidata.org/entity/Q1985727"},
        "type": "time",
    }  # fmt: skip


def _quantity(amount: float, unit: str | None = None) -> dict[str, Any]:
    return {"value": {"amount": f"+{amount:g}" if amount < 1e15 else f"+{int(amount)}",
                      "unit": f"{ENTITY_BASE}{unit}" if unit else "1"}, "type": "quantity"}  # fmt: skip


DATATYPES = {"wikibase-entityid": "wikibase-item", "string": "string", "time": "time", "quantity": "quantity"}


def _statement(qid: str, prop: str, value: dict[str, Any], qualifiers: dict[str, dict[str, Any]] | None = None,
               datatype: str | None = None) -> dict[str, Any]:  # fmt: skip
    digest = hashlib.sha1(f"{qid}{prop}{json.dumps(value, sort_keys=True)}".encode()).hexdigest()
    kind = datatype or DATATYPES[value["type"]]
    statement: dict[str, Any] = {
        "mainsnak": {
            "snaktype": "value",
            "property": prop,
            "hash": digest,
            "datavalue": value,
            "datatype": kind,
        },
        "type": "statement",
        "id": f"{qid}${digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}",
        "rank": "normal",
    }
    if qualifiers:
        statement["qualifiers"] = {
            p: [{"snaktype": "value", "property": p, "hash": digest[:40], "datavalue": v,
                 "datatype": DATATYPES[v["type"]] if p != "P249" else "external-id"}]
            for p, v in qualifiers.items()
        }  # fmt: skip
        statement["qualifiers-order"] = list(qualifiers)
    return statement


def _entity(qid: str, labels: dict[str, str], claims: dict[str, list[dict[str, Any]]], *,
            description: str | None = None, aliases: list[str] | None = None,
            sitelink: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "pageid": int(qid[1:]) % 10_000_000,
        "ns": 0,
        "title": qid,
        "lastrevid": 2_300_000_000 + int(qid[1:]) % 1_000_000,
        "modified": MODIFIED,
        "type": "item",
        "id": qid,
        "labels": {lang: {"language": lang, "value": value} for lang, value in labels.items()},
        "descriptions": {"en": {"language": "en", "value": description}} if description else {},
        "aliases": {"en": [{"language": "en", "value": a} for a in aliases]} if aliases else {},
        "claims": claims,
        "sitelinks": {"enwiki": {"site": "enwiki", "title": sitelink, "badges": []}} if sitelink else {},
    }


class WikidataWorld:
    """Every item the recorded answers mention: companies and the items they point to."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def simple(self, kind: str, name: str, claims: dict[str, list[dict[str, Any]]] | None = None,
               qid: str | None = None) -> str:  # fmt: skip
        qid = qid or aux_id(kind, name)
        self.items.setdefault(qid, _entity(qid, {"en": name}, claims or {}))
        return qid

    def country(self, code: str) -> str:
        qid = COUNTRY_ITEMS[code]
        return self.simple(
            "country",
            COUNTRY_LABELS[code],
            {"P297": [_statement(qid, "P297", _string(code), datatype="external-id")]},
            qid,
        )

    def company(self, facts: CompanyFacts, data: dict[str, Any]) -> str:
        """Add a corpus company's item (and the items it points to); returns its id."""
        qid = str(data["id"])
        country = self.country(facts["country"])
        city_claims = {"P17": [_statement(aux_id("city", facts["city"]), "P17", _item(country))]}
        if facts["region"]:
            code = f"{facts['country']}-{facts['region']}"
            region = self.simple(
                "region",
                code,
                {"P300": [_statement(aux_id("region", code), "P300", _string(code), datatype="external-id")]},
            )
            city_claims["P131"] = [_statement(aux_id("city", facts["city"]), "P131", _item(region))]
        city = self.simple("city", facts["city"], city_claims)
        claims: dict[str, list[dict[str, Any]]] = {
            "P31": [_statement(qid, "P31", _item(BUSINESS))],
            "P17": [_statement(qid, "P17", _item(country))],
            "P856": [_statement(qid, "P856", _string(f"https://{facts['domain']}/"), datatype="url")],
            "P159": [
                *(
                    _statement(qid, "P159", _item(self.plain_city(place)), {"P582": _time(ended)})
                    for place, ended in data.get("former_headquarters", [])
                ),
                _statement(qid, "P159", _item(city)),
                *(
                    _statement(qid, "P159", _item(self.plain_city(place)))
                    for place in data.get("other_headquarters", [])
                ),
            ],
            "P452": [_statement(qid, "P452", _item(self.simple("industry", data["industry"])))],
            "P571": [_statement(qid, "P571", _time(str(data["inception"])))],
            "P1128": [
                _statement(qid, "P1128", _quantity(n, None), {"P585": _time(day)})
                for n, day in data["employees"]
            ],
        }
        for prop, key in (("P2139", "revenue"), ("P2226", "market_cap")):
            if key in data:
                amount, currency, when = data[key]
                unit = self.simple(
                    "currency",
                    currency,
                    {
                        "P498": [
                            _statement(
                                CURRENCIES[currency], "P498", _string(currency), datatype="external-id"
                            )
                        ]
                    },
                    CURRENCIES[currency],
                )
                claims[prop] = [_statement(qid, prop, _quantity(amount, unit), {"P585": _time(when)})]
        if "exchange" in data:
            exchange_id, exchange_label = data["exchange"]
            self.simple("exchange", exchange_label, None, exchange_id)
            claims["P414"] = [_statement(qid, "P414", _item(exchange_id), {"P249": _string(data["ticker"])})]
        for prop, key in (("P112", "founders"), ("P169", "ceo")):
            names = data.get(key) or []
            for name in [names] if isinstance(names, str) else names:
                person = self.simple(
                    "person", name, {"P31": [_statement(aux_id("person", name), "P31", _item(HUMAN))]}
                )
                claims.setdefault(prop, []).append(_statement(qid, prop, _item(person)))
        if "parent" in data:
            claims["P749"] = [_statement(qid, "P749", _item(self.simple("company", data["parent"])))]
        subsidiaries = [(labels, None) for labels in data.get("subsidiaries", [])]
        for labels, ended in [*subsidiaries, *data.get("former_subsidiaries", [])]:
            subsidiary = self.subsidiary(qid, labels)
            end = {"P582": _time(ended)} if ended else None
            claims.setdefault("P355", []).append(_statement(qid, "P355", _item(subsidiary), end))
        if "lei" in data:
            claims["P1278"] = [_statement(qid, "P1278", _string(data["lei"]), datatype="external-id")]
        self.items[qid] = _entity(qid, {"en": data["label"]}, claims, description=data["description"],
                                  aliases=data["aliases"], sitelink=data.get("wikipedia"))  # fmt: skip
        return qid

    def plain_city(self, place: dict[str, str]) -> str:
        """A city item with its country (P17) only; its id."""
        city = aux_id("city", place["city"])
        country = self.country(place["country"])
        return self.simple("city", place["city"], {"P17": [_statement(city, "P17", _item(country))]})

    def subsidiary(self, parent: str, labels: dict[str, str]) -> str:
        """A subsidiary's item (labelled in each language given, parent P749 pointing back); its id."""
        qid = aux_id("company", labels["en"])
        claims = {
            "P31": [_statement(qid, "P31", _item(BUSINESS))],
            "P749": [_statement(qid, "P749", _item(parent))],
        }
        self.items.setdefault(qid, _entity(qid, labels, claims))
        return qid

    def referenced(self, qid: str) -> tuple[list[str], list[str]]:
        """The two follow-up ``wbgetentities`` id lists the Wikidata source asks for, sorted."""
        claims = self.items[qid]["claims"]
        first = {
            s["mainsnak"]["datavalue"]["value"]["id"]
            for prop in ("P452", "P159", "P17", "P414", "P112", "P169", "P749")
            for s in claims.get(prop, [])
        }
        first |= {  # current subsidiaries only: ended statements carry an end time (P582)
            s["mainsnak"]["datavalue"]["value"]["id"]
            for s in claims.get("P355", [])
            if "P582" not in s.get("qualifiers", {})
        }
        for prop in ("P2139", "P2226"):
            for s in claims.get(prop, []):
                first.add(s["mainsnak"]["datavalue"]["value"]["unit"].rsplit("/", 1)[-1])
        current = [s for s in claims["P159"] if "P582" not in s.get("qualifiers", {})] or claims["P159"][:1]
        cities = [self.items[s["mainsnak"]["datavalue"]["value"]["id"]] for s in current]
        second = {
            s["mainsnak"]["datavalue"]["value"]["id"]
            for city in cities
            for prop in ("P131", "P17")
            for s in city["claims"].get(prop, [])[:1]
        } - first
        return sorted(first), sorted(second)


def request_name(facts: CompanyFacts) -> str:
    """The name a batch asks for (two companies of one name differ only by country)."""
    return str(facts.get("request_name", facts["name"]))


def build_records(companies: list[CompanyFacts]) -> tuple[Files, Routes]:
    """Files and routes of every knowledge host."""
    files: Files = {}
    routes: Routes = {}
    world = WikidataWorld()
    by_name: dict[str, list[str]] = {}
    for facts in companies:
        data = KNOWLEDGE.get(facts["domain"], {}).get("wikidata")
        if data:
            by_name.setdefault(request_name(facts), []).append(world.company(facts, data))
    for name, qids in by_name.items():
        slug = hashlib.sha1(name.encode()).hexdigest()[:10]
        hits = [_search_hit(world.items[q]) for q in qids]
        add(files, routes, WIKIDATA_HOST, f"_responses/search-{slug}.json",
             {"searchinfo": {"search": name}, "search": hits, "search-continue": len(hits), "success": 1},
             "/w/api.php", {"action": "wbsearchentities", "search": name})  # fmt: skip
        _entitiesroute(files, routes, world, qids)
        for qid in qids:
            for ids in world.referenced(qid):
                if ids:
                    _entitiesroute(files, routes, world, ids)
    add(
        files,
        routes,
        WIKIDATA_HOST,
        "_responses/search-empty.json",
        {"searchinfo": {"search": ""}, "search": [], "success": 1},
        "/w/api.php",
        {"action": "wbsearchentities"},
    )
    for facts in companies:
        knowledge = KNOWLEDGE.get(facts["domain"], {})
        if "wikipedia_extract" in knowledge:
            _wikipedia(files, routes, knowledge)
        if "sec" in knowledge:
            add_sec(files, routes, facts, knowledge)
        if "gleif" in knowledge:
            add_gleif(files, routes, facts, knowledge["gleif"])
        if "formd" in knowledge:
            add_form_d(files, routes, facts, knowledge["formd"])
        if "search" in knowledge:
            add_duckduckgo(files, routes, facts, knowledge["search"], request_name(facts))
        add_registers(files, routes, facts, knowledge, request_name(facts))
    add_sec_tickers(files, routes, [KNOWLEDGE.get(f["domain"], {}) for f in companies])
    add_register_defaults(files, routes)
    add_form_d_search_empty(files, routes)
    add(files, routes, GLEIF_HOST, "_responses/search-empty.json",
         {"meta": {"goldenCopy": {"publishDate": MODIFIED}, "pagination": {"currentPage": 1, "perPage": 5, "from": None,
                   "to": None, "total": 0, "lastPage": 1}}, "links": {}, "data": []},
         "/api/v1/lei-records", {})  # fmt: skip
    files.setdefault(DDG_HOST, {})["_responses/no-results.html"] = ddg_page("", []).encode()
    routes.setdefault(DDG_HOST, []).append(
        route("/html/", {}, "_responses/no-results.html", content_type="text/html")
    )
    return files, routes


def _search_hit(entity: dict[str, Any]) -> dict[str, Any]:
    qid, label = entity["id"], entity["labels"]["en"]["value"]
    description = entity["descriptions"].get("en", {}).get("value", "")
    return {
        "id": qid, "title": qid, "pageid": entity["pageid"], "concepturi": f"{ENTITY_BASE}{qid}",
        "repository": "wikidata", "url": f"//www.wikidata.org/wiki/{qid}",
        "display": {"label": {"value": label, "language": "en"}, "description": {"value": description, "language": "en"}},
        "label": label, "description": description, "match": {"type": "label", "language": "en", "text": label},
    }  # fmt: skip


def _entitiesroute(files: Files, routes: Routes, world: WikidataWorld, ids: list[str]) -> None:
    ordered = sorted(set(ids))
    joined = "|".join(ordered)
    body = {"entities": {qid: world.items[qid] for qid in ordered}, "success": 1}
    name = hashlib.sha1(joined.encode()).hexdigest()[:12]
    add(files, routes, WIKIDATA_HOST, f"_responses/entities-{name}.json", body, "/w/api.php",
         {"action": "wbgetentities", "ids": joined})  # fmt: skip


def _wikipedia(files: Files, routes: Routes, knowledge: dict[str, Any]) -> None:
    data = knowledge["wikidata"]
    title = data["wikipedia"]
    key = title.replace(" ", "_")
    page = f"https://en.wikipedia.org/wiki/{quote(key)}"
    body = {
        "type": "standard", "title": title, "displaytitle": f'<span class="mw-page-title-main">{escape(title)}</span>',
        "namespace": {"id": 0, "text": ""}, "wikibase_item": data["id"],
        "titles": {"canonical": key, "normalized": title, "display": escape(title)},
        "pageid": int(data["id"][1:]) % 10_000_000, "lang": "en", "dir": "ltr", "revision": "1268000000",
        "tid": "5b7e2c1a-cf1e-11ef-8c7d-1f1e2f3a4b5c", "timestamp": MODIFIED, "description": data["description"],
        "description_source": "central",
        "content_urls": {
            "desktop": {"page": page, "revisions": f"{page}?action=history", "edit": f"{page}?action=edit",
                        "talk": f"https://en.wikipedia.org/wiki/Talk:{quote(key)}"},
            "mobile": {"page": page.replace("en.", "en.m."), "revisions": "", "edit": "", "talk": ""},
        },
        "extract": knowledge["wikipedia_extract"], "extract_html": f"<p>{escape(knowledge['wikipedia_extract'])}</p>",
    }  # fmt: skip
    add(files, routes, WIKIPEDIA_HOST, f"_responses/summary-{data['id']}.json", body,
         f"/api/rest_v1/page/summary/{key}", {})  # fmt: skip
