"""Which pages speak for the company, and which of their statements become profile values with evidence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from server.extraction.fetcher import FetchedPage
from server.extraction.page_kind import is_about_url, is_article_url, is_home_url
from server.extraction.parse import parse_page
from server.extraction.site_facts import site_country
from server.extraction.sources.base import EVIDENCE_CHARS
from server.extraction.sources.website import findings_from_page
from server.extraction.statements import company_names

FILLER = "<p>" + "Plain words about the weather and the road ahead. " * 30 + "</p>"


def _page(head: str = "", body: str = "", *, lang: str = "en") -> str:
    head = f"<title>Acme Robotics</title>{head}"
    return f"<!DOCTYPE html><html lang='{lang}'><head>{head}</head><body>{body}</body></html>"


def _values(html: str, url: str, name: str = "Acme Robotics", domain: str = "acme.example") -> dict[str, Any]:
    facts = parse_page(html, url)
    page = FetchedPage(url, 200, "text/html", html, datetime.now(UTC))
    names = company_names(name, facts.site_name, domain=domain)
    country = site_country(domain, facts.addresses)
    found = findings_from_page(facts, page, domain, names=names, default_country=country)
    wanted = ("description", "founded_year", "employee_count_exact", "employee_count", "headquarters")
    values: dict[str, Any] = {}
    for finding in found:
        if finding.field in wanted and finding.field not in values:
            assert finding.evidence and len(finding.evidence) <= EVIDENCE_CHARS, finding
            values[finding.field] = finding.value
    return values


@pytest.mark.parametrize(
    ("url", "home"),
    [
        pytest.param("https://acme.example/", True, id="root"),
        pytest.param("https://acme.example/en-US/", True, id="language-root"),
        pytest.param("https://acme.example/de/startseite", True, id="language-home"),
        pytest.param("https://acme.example/index.html", True, id="index"),
        pytest.param("https://acme.example/legal/terms-of-use.html", False, id="legal-page"),
        pytest.param("https://acme.example/en/firefox/developer/", False, id="product-page"),
    ],
)
def test_home_urls(url: str, home: bool) -> None:
    assert is_home_url(url) is home


def test_article_and_about_urls() -> None:
    assert is_article_url("https://acme.example/blog/2024/06/25/survey/")
    assert is_article_url("https://acme.example/news/items/summer-party.html")
    assert is_article_url("https://acme.example/2019/03/hello/")
    assert is_article_url("https://acme.example/wiki/ezb/")
    assert not is_article_url("https://acme.example/blog")  # the section's index lists posts
    assert not is_article_url("https://acme.example/about/")
    assert is_about_url("https://acme.example/de/ueber-uns") and is_about_url("https://acme.example/about/")
    assert not is_about_url("https://acme.example/products/robots/")


@pytest.mark.parametrize(
    "html",
    [
        pytest.param(
            _page('<script type="application/ld+json">{"@type": "BlogPosting"}</script>'), id="schema"
        ),
        pytest.param(_page('<meta property="og:type" content="article">'), id="og-type"),
        pytest.param(_page('<meta property="article:published_time" content="2024-01-01">'), id="published"),
        pytest.param(
            _page(body=f"<header>Menu</header><article>{FILLER}</article><footer>f</footer>"), id="dom"
        ),
    ],
)
def test_article_pages_are_recognised(html: str) -> None:
    assert parse_page(html, "https://acme.example/stories-of-spring").is_article


def test_teaser_cards_and_a_wrapped_home_page_are_no_article() -> None:
    cards = "".join(f"<article class='card'><p>Card {n}</p></article>" for n in range(3))
    assert not parse_page(_page(body=cards + FILLER), "https://acme.example/products/").is_article
    wrapped = _page(body=f"<article class='page'>{FILLER}</article>")  # WordPress wraps pages too
    assert not parse_page(wrapped, "https://acme.example/").is_article


def test_description_comes_from_the_home_or_about_page_only() -> None:
    head = '<meta name="Description" content="Industrial robots for small factories.">'
    assert (
        _values(_page(head), "https://acme.example/")["description"]
        == "Industrial robots for small factories."
    )
    assert _values(_page(head), "https://acme.example/about/")["description"]
    assert "description" not in _values(_page(head), "https://acme.example/products/arm-x/")
    assert "description" not in _values(
        _page('<meta name="description" content="Description">'), "https://acme.example/"
    )


def test_an_article_states_no_description_founding_or_head_count() -> None:
    head = (
        '<meta name="description" content="A ride with our friends of the touring club.">'
        '<meta property="og:type" content="article">'
    )
    body = "<p>Pedal Union was founded in 2005. Founded in 1990, the club has a team of 30 people.</p>"
    assert _values(_page(head, body), "https://acme.example/") == {}


def test_the_website_description_of_any_page_is_the_sites_summary() -> None:
    head = """<meta name="description" content="Straffere Augenlider: informieren Sie sich heute.">
    <script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "Acme",
    "description": "Transparenz und Qualität in der Robotik"}]}</script>"""
    values = _values(_page(head), "https://acme.example/leistungen/augenlid/")
    assert values["description"] == "Transparenz und Qualität in der Robotik"


def test_prose_facts_of_the_company_itself_are_read_with_their_sentence() -> None:
    body = (
        "<p>In 2005 the city founded a robotics fund.</p>"
        "<p>Acme Robotics was founded in 1987. We employ 120 people.</p>"
    )
    values = _values(_page(body=body), "https://acme.example/about/")
    assert values["founded_year"] == 1987
    assert values["employee_count_exact"] == 120 and values["employee_count"] == "51-200"


def test_the_footer_address_is_read_even_on_an_article_page() -> None:
    body = f"""<article>{FILLER}
    <p>Meet our partner at 12 Station Road, Bishop's Stortford CM23 3BL.</p></article>
    <footer><p>Acme Robotics Ltd, 5 Market Street, Harlow CM20 1AA, United Kingdom</p></footer>"""
    hq = _values(_page(body=body), "https://acme.example/blog/2024/05/ride/")["headquarters"]
    assert hq == {
        "city": "Harlow",
        "country_code": "GB",
        "country": "United Kingdom",
        "street_address": "5 Market Street",
        "postal_code": "CM20 1AA",
    }


def test_a_body_address_counts_only_after_the_companys_name_or_on_a_contact_page() -> None:
    partner = "<p>Our partner Summit Labs is at 200 Park Ave, San Jose, CA 95113.</p>"
    own = (
        "<p>Copyright © Acme Robotics Inc. All rights reserved. "
        "Acme Robotics Inc., 1600 Champa St, Denver, CO 80202.</p>"
    )
    assert "headquarters" not in _values(_page(body=partner), "https://acme.example/about/")
    assert (
        _values(_page(body=partner + own), "https://acme.example/legal/")["headquarters"]["city"] == "Denver"
    )
    assert _values(_page(body=partner), "https://acme.example/contact/")["headquarters"]["city"] == "San Jose"


def test_an_address_without_country_takes_the_sites_country() -> None:
    body = "<div id='footer'><p>Leitnergasse 16, 8010 Graz</p></div>"
    hq = _values(_page(body=body, lang="de"), "https://iteh.at/", domain="iteh.at")["headquarters"]
    assert hq["country_code"] == "AT" and hq["city"] == "Graz" and hq["street_address"] == "Leitnergasse 16"
    assert (
        "country_code" not in _values(_page(body=body), "https://acme.io/", domain="acme.io")["headquarters"]
    )


def test_structured_address_without_country_takes_the_printed_one() -> None:
    head = """<script type="application/ld+json">{"@type": "Organization", "name": "Acme Robotics",
    "address": {"@type": "PostalAddress", "addressLocality": "Zug", "postalCode": "6300",
    "streetAddress": "Baarerstrasse 75"}}</script>"""
    body = "<footer><p>Acme Robotics AG</p><p>CH-6300 Zug - Schweiz</p></footer>"
    hq = _values(_page(head, body), "https://acme.example/blog/item/")["headquarters"]
    assert hq["country_code"] == "CH" and hq["street_address"] == "Baarerstrasse 75"


def test_json_ld_wrapped_in_cdata_is_read() -> None:
    head = """<script type="application/ld+json">
    <![CDATA[ {"@type": "Organization", "name": "Acme Robotics", "foundingDate": "2011"} ]]></script>"""
    facts = parse_page(_page(head), "https://acme.example/")
    assert facts.organizations[0]["foundingDate"] == "2011"
    assert _values(_page(head), "https://acme.example/")["founded_year"] == 2011


def test_a_footer_credit_names_the_web_agencys_address_not_the_companys() -> None:
    body = """<footer><p>Webdesign: Pixelwerk GmbH, Hauptstraße 5, 10115 Berlin</p>
    <p>Acme Robotics GmbH, Hohe Straße 12, 50667 Köln</p></footer>"""
    hq = _values(_page(body=body, lang="de"), "https://acme.de/", domain="acme.de")["headquarters"]
    assert hq["city"] == "Köln" and hq["country_code"] == "DE"


def _codes(html: str) -> dict[str, Any]:
    url = "https://acme.example/"
    facts = parse_page(html, url)
    page = FetchedPage(url, 200, "text/html", html, datetime.now(UTC))
    found = findings_from_page(facts, page, "acme.example", names=["Acme Robotics"])
    return {f.field: f for f in found if f.field in ("identifiers.naics", "industry", "sector")}


def test_a_sites_schema_org_naics_code_gives_its_title_sector_and_identifier() -> None:
    organization = '{"@type": "Organization", "name": "Acme Robotics", "naics": "333249"}'
    found = _codes(_page(f"<script type='application/ld+json'>{organization}</script>"))
    assert found["identifiers.naics"].value == "333249"
    assert found["industry"].value == "Other Industrial Machinery Manufacturing"
    assert found["sector"].value == "Industrials"
    assert found["sector"].evidence == '"naics": "333249"'
    assert "json-ld Organization.naics 333249" in found["sector"].method


def test_a_naics_value_that_is_no_code_states_nothing() -> None:
    organization = '{"@type": "Organization", "name": "Acme Robotics", "naics": "robots"}'
    assert _codes(_page(f"<script type='application/ld+json'>{organization}</script>")) == {}
