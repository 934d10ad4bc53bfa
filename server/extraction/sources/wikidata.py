"""Wikidata as a source: industry, headquarters, head count, inception, financials, listing, people, LEI,
subsidiaries, and a second head office (a further current P159 value) as a location. The valuation is
the latest market capitalization (P2226) with its date and currency: the one valuation an open record
states for a listed company (and for a private one only where its item states it).

The item is the one that proposed the domain during resolution, else the search hit whose official
website (P856) is on the resolved domain. Three ``wbgetentities`` requests at most (more only for over
50 referenced items): the item, the items it points to (labels of industry, people, parent and
subsidiaries; the HQ cities), and the HQ cities' regions and countries.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from server.domain import ExtractionRequest
from server.errors import FetchError
from server.extraction.candidates.base import CandidateFinder
from server.extraction.candidates.hint import hint_domain
from server.extraction.candidates.wikidata import COUNTRY_ITEMS, WikidataFinder
from server.extraction.fetcher import WebFetcher
from server.extraction.money import money_figure
from server.extraction.normalize import employee_range_for, headquarters_from
from server.extraction.resolve import registrable_domain, same_brand
from server.extraction.sources import wikidata_api as wd
from server.extraction.sources.base import Finding, Source, SourceContext

SOURCE_NAME = "wikidata"
CONFIDENCE = 0.8  # community-curated, referenced statements; the company's own markup ranks higher
PEOPLE_ROLES = {wd.P_FOUNDER: "Founder", wd.P_CEO: "Chief Executive Officer"}
MONEY_KINDS = {wd.P_REVENUE: "revenue", wd.P_MARKET_CAP: "market_cap"}
CO_HEADQUARTERS_LABEL = "headquarters"
# ``PostalAddress`` fields of a location (a ``Headquarters`` dict also has ``state_code``, which it lacks).
LOCATION_KEYS = ("street_address", "city", "state", "postal_code", "country", "country_code")


class WikidataSource(Source):
    """Reads the company's Wikidata item."""

    name = SOURCE_NAME
    precedence = 80
    after = frozenset[str]()  # reads nothing another source found
    fields = frozenset(
        {
            "industry", "headquarters", "employee_count", "employee_count_exact", "founded_year",
            "financial_data", "identifiers", "people", "parent_company", "aliases", "subsidiaries",
            "locations",
            "description",  # through the item's Wikipedia article (the wikipedia source)
        }
    )  # fmt: skip

    @classmethod
    def domain_finders(cls, fetcher: WebFetcher) -> list[CandidateFinder]:
        return [WikidataFinder(fetcher)]  # an item's official website is a candidate domain

    def upcoming(self, fetcher: WebFetcher, requests: Sequence[ExtractionRequest]) -> None:
        """Read ahead for the coming companies while Wikidata is idle (``wd.read_ahead``)."""
        wd.read_ahead(
            fetcher,
            {
                wd.search_url(request.company_name, request.language): functools.partial(
                    read_ahead_for, fetcher, request
                )
                for request in requests
            },
        )

    async def collect(self, context: SourceContext) -> list[Finding]:
        """Findings from the item; none when no item is the resolved company's."""
        language = context.request.language
        try:
            entity = context.resolution.wikidata_entity or await self._find_item(context)
            if entity is None:
                return []
            context.shared.wikidata_entity = entity
            context.shared_done.set()  # Wikipedia, SEC and GLEIF key on the item, not on what it points to
            referenced = await referenced_items(context.fetcher, entity, language)
        except FetchError:
            return []  # Wikidata unreachable: a gap in the profile, not a failure of the company
        return findings_from_item(entity, referenced, language)

    async def _find_item(self, context: SourceContext) -> dict[str, Any] | None:
        named = await wd.named_items(context.fetcher, context.request)
        for entity_id in named.ids:
            entity = named.document.entities.get(entity_id)
            if entity is not None and _on_domain(entity, context.resolution.domain):
                return entity
        return None


async def referenced_items(
    fetcher: WebFetcher, entity: dict[str, Any], language: str
) -> dict[str, dict[str, Any]]:
    """The items the company's item points to (``referenced_ids``), and its head-office cities'
    regions and countries: two ``wbgetentities`` requests (more only past 50 ids)."""
    ids = referenced_ids(entity)
    if not ids:
        return {}
    found = dict((await wd.get_entities(fetcher, ids, language)).entities)
    second = sorted(
        {
            target
            for city in headquarters_cities(entity)
            for prop in (wd.P_ADMIN_AREA, wd.P_COUNTRY)
            for target in wd.item_ids(found.get(city, {}), prop)[:1]
        }
        - set(found)
    )
    if second:
        found.update((await wd.get_entities(fetcher, second, language)).entities)
    return found


async def read_ahead_for(fetcher: WebFetcher, request: ExtractionRequest) -> None:
    """The Wikidata calls of the company's extraction that are known before it runs: the search for
    its name and the items it names; with a domain hint, also what the item on the hinted domain
    points to (the item the source will choose when the hint is the resolved domain). Past the search
    only with a response cache: entities answered ahead are kept nowhere else."""
    if fetcher.responses is None:
        await wd.search_entities(fetcher, request.company_name, request.language)
        return
    named = await wd.named_items(fetcher, request)
    hinted = hint_domain(request.domain_hint) if request.domain_hint else ""
    if not hinted:
        return
    for entity_id in named.ids:
        entity = named.document.entities.get(entity_id)
        if entity is not None and _on_domain(entity, registrable_domain(hinted)):
            await referenced_items(fetcher, entity, request.language)
            return


def _on_domain(entity: dict[str, Any], domain: str) -> bool:
    """Whether the item's official website (P856) is the domain, or a country edition of its brand."""
    for website in wd.strings(entity, wd.P_WEBSITE):
        host = (urlsplit(website).hostname or "").lower()
        if host and same_brand(registrable_domain(host), domain):
            return True
    return False


def headquarters_cities(entity: dict[str, Any]) -> list[str]:
    """The headquarters city (the first current P159 value, preferred first), then any further current
    ones: a company with two head offices states both. A past one carries an end time (P582); it is the
    headquarters only when the item states no current one."""
    current = wd.current_item_ids(entity, wd.P_HEADQUARTERS)
    return current or wd.item_ids(entity, wd.P_HEADQUARTERS)[:1]


def referenced_ids(entity: dict[str, Any]) -> list[str]:
    """Items the source needs labels of: targets of the properties it reads, current subsidiaries and
    money units. Sorted."""
    ids = {target for prop in wd.REFERENCING_PROPERTIES for target in wd.item_ids(entity, prop)}
    ids.update(wd.current_item_ids(entity, wd.P_SUBSIDIARY))
    for prop in MONEY_KINDS:
        for statement in wd.statements(entity, prop):
            quantity = wd.quantity_of(wd.main_value(statement))
            if quantity and quantity[1]:
                ids.add(quantity[1])
    return sorted(ids)


def findings_from_item(
    entity: dict[str, Any], referenced: dict[str, dict[str, Any]], language: str
) -> list[Finding]:
    """Every profile value one item states. Pure."""
    entity_id = str(entity.get("id", ""))
    url = wd.entity_url(entity_id)
    now = datetime.now().astimezone()
    found: list[Finding] = []

    def add(field: str, value: Any, prop: str, path: str, confidence: float = CONFIDENCE) -> None:
        if value not in (None, "", [], {}):
            method = f"wikidata {entity_id} {prop}"
            found.append(Finding(field, value, SOURCE_NAME, url, now, method, confidence, evidence=path))

    def label_of(item_id: str) -> str | None:
        return wd.label(referenced.get(item_id), language)

    def item_path(prop: str, item_id: str) -> str:
        return claim_path(entity, prop, lambda value: isinstance(value, dict) and value.get("id") == item_id)

    add("identifiers.wikidata_id", entity_id, "id", "id")
    for index, alias in enumerate(wd.aliases(entity, language)):
        add("aliases", alias, "aliases", f"aliases.{language}[{index}]")
    for industry in wd.item_ids(entity, wd.P_INDUSTRY)[:1]:
        add("industry", label_of(industry), wd.P_INDUSTRY, item_path(wd.P_INDUSTRY, industry))
    cities = headquarters_cities(entity)
    for index, city in enumerate(cities):
        place = _city_address(entity, city, referenced, language)
        where = item_path(wd.P_HEADQUARTERS, city)
        if index == 0:
            add("headquarters", place, wd.P_HEADQUARTERS, where)
        elif place.get("city"):  # a second head office: a location besides the headquarters
            location = {key: value for key, value in place.items() if key in LOCATION_KEYS}
            add("locations", {**location, "label": CO_HEADQUARTERS_LABEL}, wd.P_HEADQUARTERS, where)
    employees = _latest_quantity(entity, wd.P_EMPLOYEES)
    if employees is not None:
        count, when, where = int(employees[0]), employees[1], employees[2]
        add("employee_count_exact", count, f"{wd.P_EMPLOYEES} ({when or 'undated'})", where)
        add("employee_count", employee_range_for(count), f"{wd.P_EMPLOYEES} ({when or 'undated'})", where)
    for statement in wd.statements(entity, wd.P_INCEPTION)[:1]:
        inception = wd.time_of(wd.main_value(statement))
        if inception:
            add(
                "founded_year",
                inception[0],
                wd.P_INCEPTION,
                statement_path(entity, wd.P_INCEPTION, statement),
            )
    for prop, kind in MONEY_KINDS.items():
        money = _money(entity, prop, kind, referenced)
        if money is not None:
            add(f"financial_data.{kind}", money[0], prop, money[1])
            if kind == "market_cap":  # what the market values the company at, on that date
                valuation = {**money[0], "kind": "valuation"}
                add("financial_data.valuation", valuation, f"{prop} (market capitalization)", money[1])
    for statement in wd.statements(entity, wd.P_EXCHANGE)[:1]:
        exchange = wd.main_value(statement)
        exchange_label = label_of(exchange["id"]) if isinstance(exchange, dict) else None
        ticker = wd.qualifier(statement, wd.P_TICKER)
        where = statement_path(entity, wd.P_EXCHANGE, statement)
        ticker_path = f"{where}.qualifiers.{wd.P_TICKER}[0]"
        add("identifiers.exchange", exchange_label, wd.P_EXCHANGE, where)
        add("financial_data.exchange", exchange_label, wd.P_EXCHANGE, where)
        ticker_text = ticker if isinstance(ticker, str) else None
        add("identifiers.ticker", ticker_text, f"{wd.P_EXCHANGE}/{wd.P_TICKER}", ticker_path)
        add("financial_data.ticker", ticker_text, f"{wd.P_EXCHANGE}/{wd.P_TICKER}", ticker_path)
        add("financial_data.is_public", True, wd.P_EXCHANGE, where)
    for prop, role in PEOPLE_ROLES.items():
        for person in wd.item_ids(entity, prop):
            name = label_of(person)
            add("people", {"name": name, "role": role} if name else None, prop, item_path(prop, person))
    for parent in wd.item_ids(entity, wd.P_PARENT)[:1]:
        add("parent_company", label_of(parent), wd.P_PARENT, item_path(wd.P_PARENT, parent))
    for subsidiary in wd.current_item_ids(entity, wd.P_SUBSIDIARY):  # divested ones carry an end time
        add("subsidiaries", label_of(subsidiary), wd.P_SUBSIDIARY, item_path(wd.P_SUBSIDIARY, subsidiary))
    for lei in wd.strings(entity, wd.P_LEI)[:1]:
        add(
            "identifiers.lei",
            lei,
            wd.P_LEI,
            claim_path(entity, wd.P_LEI, functools.partial(operator.eq, lei)),
        )
    return found


def claim_path(entity: dict[str, Any], prop: str, matches: Callable[[Any], bool]) -> str:
    """``claims.P159[1]``: where in the item the first statement of ``prop`` whose value ``matches`` is
    (the index in the item's own list, which is the record a reader opens). Pure."""
    for index, claim in enumerate(entity.get("claims", {}).get(prop, [])):
        if isinstance(claim, dict) and claim.get("rank") != "deprecated" and matches(wd.main_value(claim)):
            return f"claims.{prop}[{index}]"
    return f"claims.{prop}"


def statement_path(entity: dict[str, Any], prop: str, statement: dict[str, Any]) -> str:
    """``claims.P414[0]``: where one statement (as ``wd.statements`` returned it) stands in the item."""
    for index, claim in enumerate(entity.get("claims", {}).get(prop, [])):
        if claim is statement:
            return f"claims.{prop}[{index}]"
    return f"claims.{prop}"


def _latest_quantity(entity: dict[str, Any], prop: str) -> tuple[float, str | None, str] | None:
    """The quantity with the latest point in time (P585), its date and its claim path; undated values
    rank last."""
    best: tuple[str, float, dict[str, Any]] | None = None
    for statement in wd.statements(entity, prop):
        quantity = wd.quantity_of(wd.main_value(statement))
        if quantity is None:
            continue
        when = wd.time_of(wd.qualifier(statement, wd.P_POINT_IN_TIME))
        key = when[1] if when else ""
        if best is None or key > best[0]:
            best = (key, quantity[0], statement)
    return (best[1], best[0] or None, statement_path(entity, prop, best[2])) if best else None


def _money(
    entity: dict[str, Any], prop: str, kind: str, referenced: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], str] | None:
    """The latest figure of a money property in a currency with an ISO code, and its claim path."""
    best: tuple[str, tuple[dict[str, Any], str]] | None = None
    for statement in wd.statements(entity, prop):
        quantity = wd.quantity_of(wd.main_value(statement))
        if quantity is None or quantity[1] is None:
            continue
        codes = wd.strings(referenced.get(quantity[1], {}), wd.P_ISO_CURRENCY)
        if not codes:
            continue
        when = wd.time_of(wd.qualifier(statement, wd.P_POINT_IN_TIME))
        period = when[1] if when else ""
        if best is None or period > best[0]:
            best = (
                period,
                (money_figure(kind, quantity[0], codes[0], period), statement_path(entity, prop, statement)),
            )
    return best[1] if best else None


def _city_address(
    entity: dict[str, Any], city_id: str, referenced: dict[str, dict[str, Any]], language: str
) -> dict[str, str]:
    """A head office city as a ``Headquarters`` dict: city, region, country (the item's if the city's
    is unknown)."""
    city = referenced.get(city_id, {})
    country_ids = wd.item_ids(city, wd.P_COUNTRY)[:1] or wd.item_ids(entity, wd.P_COUNTRY)[:1]
    country_code = None
    for country_id in country_ids:
        codes = wd.strings(referenced.get(country_id, {}), wd.P_ISO_ALPHA2)
        country_code = codes[0] if codes else COUNTRY_ITEMS.get(country_id)
    region = None
    for region_id in wd.item_ids(city, wd.P_ADMIN_AREA)[:1]:
        region_entity = referenced.get(region_id, {})
        iso = wd.strings(region_entity, wd.P_ISO_SUBDIVISION)
        region = iso[0].split("-", 1)[-1] if iso else wd.label(region_entity, language)
    return headquarters_from(city=wd.label(city, language), region=region, country=country_code)
