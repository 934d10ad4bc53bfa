"""Pure page parsers and normalizers, read against committed corpus pages (no event loop)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.extraction import parse as parse_module
from server.extraction.markup import cut_non_content, document_root, elements_by_tag, parse_document
from server.extraction.normalize import (
    email_type,
    employee_range_for,
    headquarters_from_lines,
    headquarters_from_schema,
)
from server.extraction.parse import (
    INDUSTRY_LABELS,
    PAGE_ELEMENT_TAGS,
    PAGE_KEYWORDS,
    absolute_links,
    copyright_holder,
    find_address_lines,
    find_labelled_value,
    first_of,
    parse_page,
)

SITES = Path(__file__).resolve().parents[2] / "sandbox" / "corpus" / "sites"


def _parse(host: str, path: str = "", region: str = "US") -> object:
    html = (SITES / host / path / "index.html").read_text("utf-8")
    return parse_page(html, f"https://{host}/{path + '/' if path else ''}", region=region)


def test_json_ld_organization_is_read_from_the_home_page() -> None:
    facts = _parse("acme-robotics.example")
    [org] = facts.organizations
    assert org["name"] == "Acme Robotics"
    assert org["address"]["addressLocality"] == "Pittsburgh"
    assert org["numberOfEmployees"]["value"] == 340
    assert facts.site_name == "Acme Robotics"
    assert facts.description == "Collaborative robots for small and mid-size factories."
    assert facts.copyright_holder == "Acme Robotics Inc"


def test_microdata_organization_and_social_links_are_read() -> None:
    facts = _parse("cedarandstone.test")
    [org] = facts.organizations
    assert org["_syntax"] == "microdata"
    assert org["address"]["addressRegion"] == "OR"
    profiles = {link.network: link.url for link in facts.social_links if link.kind == "profile"}
    assert profiles == {
        "linkedin": "https://www.linkedin.com/company/cedarandstone",
        "instagram": "https://www.instagram.com/cedarandstone",
    }


ORGANIZATION_TYPE = 'itemtype="https://schema.org/Organization"'
NAME_SPAN = '<span itemprop="name">Cedar and Stone</span>'
BY_ID = '<footer><span id="brand" itemprop="name">Cedar and Stone</span></footer>'


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"<div itemscope {ORGANIZATION_TYPE}>{NAME_SPAN}</div>", id="lower-case"),
        pytest.param(f"<div ItemScope {ORGANIZATION_TYPE}>{NAME_SPAN}</div>", id="mixed-case"),
        # The page is parsed without the table of ids that XPath's id() reads: it is read again with it.
        pytest.param(f'<div itemscope {ORGANIZATION_TYPE} itemref="brand"></div>{BY_ID}', id="itemref"),
        pytest.param(f'<div itemscope {ORGANIZATION_TYPE} ItemRef="brand"></div>{BY_ID}', id="mixed-itemref"),
    ],
)
def test_microdata_is_read_however_the_page_spells_its_attributes(body: str) -> None:
    html = f"<html><body>{body}</body></html>"
    [org] = parse_page(html, "https://cedarandstone.test/").organizations
    assert (org["name"], org["_syntax"]) == ("Cedar and Stone", "microdata")


def test_a_page_without_json_ld_scripts_or_microdata_is_not_handed_to_extruct(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """extruct would walk the whole tree for nothing; a type only the lenient reader accepts still reads."""
    calls: list[list[str]] = []
    extract = parse_module.extruct.extract

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["syntaxes"])
        return extract(*args, **kwargs)

    monkeypatch.setattr(parse_module.extruct, "extract", counted)
    record = '{"@type": "Organization", "name": "Cedar and Stone"}'
    plain = "<html><head><script>var a = 1;</script></head><body><p>Hello</p></body></html>"
    assert parse_page(plain, "https://cedarandstone.test/").organizations == []
    loose = f'<html><head><script type=" Application/LD+JSON ">{record}</script></head><body></body></html>'
    assert [org["name"] for org in parse_page(loose, "https://cedarandstone.test/").organizations] == [
        "Cedar and Stone"
    ]
    assert calls == []
    typed = f'<html><head><script type="application/ld+json">{record}</script></head><body></body></html>'
    assert [org["name"] for org in parse_page(typed, "https://cedarandstone.test/").organizations] == [
        "Cedar and Stone"
    ]
    assert calls == [["json-ld"]]


def test_links_to_about_contact_and_careers_pages_are_found_in_other_languages() -> None:
    facts = _parse("kestrel-aerospace.example")
    assert facts.page_links == {
        "about": "https://kestrel-aerospace.example/ueber-uns/",
        "contact": "https://kestrel-aerospace.example/kontakt/",
        "careers": "https://kestrel-aerospace.example/karriere/",
        "impressum": "https://kestrel-aerospace.example/imprint/",
    }
    assert facts.language == "de"


def test_contact_page_yields_emails_and_labelled_phone_numbers() -> None:
    facts = _parse("ironclad-security.example", "contact")
    assert facts.emails == [
        f"{box}@ironclad-security.example" for box in ("info", "sales", "support", "press")
    ]
    assert [(p.e164, p.type) for p in facts.phones] == [
        ("+15125550100", "general"),
        ("+15125550101", "sales"),
        ("+15125550102", "support"),
    ]


def test_plain_prose_site_states_founding_year_and_printed_address() -> None:
    about = _parse("driftwoodcoffee.example", "about")
    contact = _parse("driftwoodcoffee.example", "contact")
    assert [statement.value for statement in about.founding] == [2011]
    assert about.headcounts == []
    assert [p.e164 for p in contact.phones] == ["+18315550199"]
    assert headquarters_from_lines(contact.address_lines) == {
        "city": "Santa Cruz",
        "state": "California",
        "state_code": "US-CA",
        "country": "United States",
        "country_code": "US",
        "street_address": "310 Seabright Ave",
        "postal_code": "95062",
    }


def test_local_phone_numbers_need_the_site_country() -> None:
    assert _parse("atelier-lumiere.example", "contact", region="US").phones == []
    assert [p.e164 for p in _parse("atelier-lumiere.example", "contact", region="FR").phones] == [
        "+33472550123"
    ]


def test_about_page_prose_gives_head_count_and_labelled_industry() -> None:
    facts = _parse("baeckerei-sonnenschein.example", "ueber-uns", region="DE")
    assert [statement.value for statement in facts.founding] == [1962]
    assert [statement.value for statement in facts.headcounts] == [45]
    assert facts.industry == "Bäckerei"


def test_job_posting_industry_is_read_from_careers_page() -> None:
    assert _parse("acme-robotics.example", "careers").job_industries == ["Industrial Robotics"]


def test_parked_page_states_no_company() -> None:
    facts = _parse("harborpoint.example")
    assert facts.organizations == [] and facts.site_name is None and facts.copyright_holder is None


@pytest.mark.parametrize(
    ("line", "holder"),
    [
        pytest.param(
            "© 2009\u20132025 Acme Robotics Inc. All rights reserved.", "Acme Robotics Inc", id="range"
        ),
        pytest.param(
            "Copyright © 2025 Kestrel Aerospace. Alle Rechte vorbehalten.", "Kestrel Aerospace", id="de"
        ),
        pytest.param("© Pinecrest Software 2025", "Pinecrest Software", id="year-last"),
    ],
)
def test_copyright_holder_drops_symbol_years_and_rights(line: str, holder: str) -> None:
    assert copyright_holder(line) == holder


@pytest.mark.parametrize(
    ("count", "bucket"),
    [
        (1, "1-10"),
        (10, "1-10"),
        (11, "11-50"),
        (200, "51-200"),
        (201, "201-500"),
        (1450, "1001-5000"),
        (10000, "5001-10000"),
        (10001, "10001+"),
    ],
)
def test_employee_range_buckets_follow_the_contract(count: int, bucket: str) -> None:
    assert employee_range_for(count) == bucket


def test_schema_address_with_region_name_gets_iso_codes() -> None:
    hq = headquarters_from_schema(
        {"addressLocality": "Munich", "addressRegion": "Bayern", "addressCountry": "DE"}
    )
    assert hq == {
        "city": "Munich",
        "country": "Germany",
        "country_code": "DE",
        "state": "Bayern",
        "state_code": "DE-BY",
    }


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("info@a.example", "general"),
        ("sales@a.example", "sales"),
        ("presse@a.example", "press"),
        ("jobs@a.example", "careers"),
        ("investors@a.example", "investors"),
    ],
)
def test_email_type_comes_from_the_mailbox_name(address: str, kind: str) -> None:
    assert email_type(address) == kind


def test_obfuscated_email_addresses_are_read_back() -> None:
    facts = _parse("pelicanbayoutfitters.example", "contact")
    assert {"info@pelicanbayoutfitters.example", "tours@pelicanbayoutfitters.example"} <= set(facts.emails)


def test_impressum_states_legal_name_first_and_its_managing_director() -> None:
    facts = _parse("nordstern-logistik.example", "impressum", region="DE")
    assert facts.address_lines[0] == "Nordstern Logistik GmbH"
    assert facts.managers == ["Jens Albrecht"]


def test_phone_numbers_read_again_for_another_region_equal_a_fresh_parse_for_it() -> None:
    as_us = _parse("atelier-lumiere.example", "contact", region="US")
    as_fr = as_us.with_region("FR")
    assert as_fr == _parse("atelier-lumiere.example", "contact", region="FR")
    assert [p.e164 for p in as_fr.phones] == ["+33472550123"]


@pytest.mark.parametrize(
    "href",
    [
        pytest.param("/about/team?x=1#y?z#w", id="query-and-fragment"),
        pytest.param("/", id="root"),
        pytest.param("/a#frag", id="fragment"),
        pytest.param("https://Other.example:8443/p?q", id="absolute"),
        pytest.param("http://user@host.example?q#f/g", id="absolute-query-no-path"),
        pytest.param("https://[::1]:8080/x", id="absolute-ipv6"),
        pytest.param("contact.html", id="relative"),
        pytest.param("/./x", id="dot-segment"),
        pytest.param("/a?", id="empty-query"),
        pytest.param("/a b", id="space"),
        pytest.param("https://cdn.example/setup.exe ", id="absolute-trailing-space"),
        pytest.param("https://cdn.example/a b?c", id="absolute-space"),
        pytest.param("https://cdn.example#f?g", id="absolute-fragment-before-query"),
        pytest.param("#team", id="page-fragment"),
        pytest.param("#", id="empty-page-fragment"),
        pytest.param("#a#b?c d", id="page-fragment-with-marks"),
        pytest.param("#a\tb", id="page-fragment-with-tab"),
        pytest.param("//cdn.example/x?y#z", id="protocol-relative"),
        pytest.param("//cdn.example", id="protocol-relative-host-only"),
        pytest.param("//cdn.example/x?#", id="protocol-relative-empty-query-and-fragment"),
        pytest.param("//cdn.example/x?", id="protocol-relative-empty-query"),
        pytest.param("//cdn.example/x#", id="protocol-relative-empty-fragment"),
        pytest.param("//cdn.example/a;p?q", id="protocol-relative-params"),
        pytest.param("//cdn.example/a b", id="protocol-relative-space"),
        pytest.param("//[::1]/x", id="protocol-relative-ipv6"),
        pytest.param("//b\u00fccher.example/", id="protocol-relative-non-ascii-host"),
        pytest.param("///x", id="protocol-relative-no-host"),
        pytest.param("mailto:info@acme.example", id="mailto"),
        pytest.param("javascript:void(0)", id="javascript"),
        pytest.param("HTTP:other", id="other-scheme-no-host"),
        pytest.param("https:relative", id="same-scheme-no-host"),
        pytest.param("ftp://files.example/a", id="ftp"),
    ],
)
def test_a_link_has_the_url_and_parts_urljoin_and_urlsplit_give_it(href: str) -> None:
    base = "https://Acme.example:443/products/index.html"
    (link,) = absolute_links(lxml.html.fromstring(f'<p><a href="{href}">x</a></p>'), base)
    assert link.url == urljoin(base, href)
    assert link.parts == urlsplit(link.url) and link.host == urlsplit(link.url).hostname


@pytest.mark.parametrize(
    "base",
    [
        pytest.param("https://acme.example", id="no-path"),
        pytest.param("https://acme.example/a;p?q=1#old", id="params-query-fragment"),
        pytest.param("https://acme.example/a?#", id="empty-query-and-fragment"),
        pytest.param("http://acme.example/./b/../c", id="dot-segments"),
    ],
)
def test_a_fragment_of_the_page_has_the_url_and_parts_urljoin_and_urlsplit_give_it(base: str) -> None:
    (link,) = absolute_links(lxml.html.fromstring('<p><a href="#team">x</a></p>'), base)
    assert link.url == urljoin(base, "#team") and link.parts == urlsplit(link.url)


def test_the_fragments_of_a_page_are_resolved_with_one_join_at_most(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table of contents links dozens of them: the page URL is put back together once, not per link."""
    joins: list[str] = []

    def counted(base: str, href: str) -> str:
        joins.append(href)
        return urljoin(base, href)

    monkeypatch.setattr(parse_module, "urljoin", counted)
    base = "https://acme.example/guide?lang=en"
    page = "".join(f'<a href="#part-{number}">{number}</a>' for number in range(20))
    links = absolute_links(lxml.html.fromstring(f"<p>{page}</p>"), base)
    assert [link.url for link in links] == [urljoin(base, f"#part-{number}") for number in range(20)]
    assert len(joins) <= 1


HREF_PIECES = st.sampled_from(
    [
        "https://", "http://", "HTTP://", "//", "/", "acme.example", "[::1]", ":8080", "p", "?", "#", "q=1",
        ";", "/.", "..", " ", "\t", "\\", "b\u00fc", "mailto:", "x",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(href=st.lists(HREF_PIECES, min_size=1, max_size=8).map("".join))
def test_any_link_has_the_url_and_parts_urljoin_and_urlsplit_give_it(href: str) -> None:
    """An href the fast forms take or refuse (spaces, brackets, dot segments, empty parts) alike; an
    absolute http(s) one is kept as written (urljoin would drop an empty "?" or "#" of it)."""
    base = "https://Acme.example:443/products/index.html"
    root = lxml.html.fromstring("<p><a>x</a></p>")
    root.find("a").set("href", href)
    links = absolute_links(root, base)
    try:
        written = urlsplit(href)
        url = href if written.scheme in ("http", "https") and written.netloc else urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:  # a link nobody can follow: none is read
        assert links == []
        return
    (link,) = links
    assert (link.url, link.parts, link.host) == (url, parts, parts.hostname)


@pytest.mark.parametrize(
    "href",
    [
        pytest.param("//cdn.example/x?y#z", id="protocol-relative"),
        pytest.param("mailto:info@acme.example", id="mailto"),
        pytest.param("javascript:void(0)", id="javascript"),
        pytest.param("tel:+16502530000", id="tel"),
    ],
)
def test_protocol_relative_links_and_links_of_another_scheme_are_resolved_without_a_join(
    href: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """urljoin gives them the base's scheme or back as they are: the fast path gives what it gives."""
    base = "https://acme.example/products/index.html"
    expected = urljoin(base, href)

    def no_join(*args: object) -> str:
        raise AssertionError("joined")

    monkeypatch.setattr(parse_module, "urljoin", no_join)
    (link,) = absolute_links(lxml.html.fromstring(f'<p><a href="{href}">x</a></p>'), base)
    assert link.url == expected and link.parts == urlsplit(expected)


@pytest.mark.parametrize(
    ("line", "managers"),
    [
        pytest.param("Geschäftsführerin: Anna Berg", ["Anna Berg"], id="de-feminine"),
        pytest.param("Managing Directors: Max Muster", ["Max Muster"], id="en-plural"),
        pytest.param("Directeur général : Jean Dupont", ["Jean Dupont"], id="fr"),
        pytest.param("Gérant: Paul Martin Registergericht: Wien", ["Paul Martin"], id="next-label-ends-it"),
        pytest.param("XGeschäftsführer: Max Muster", [], id="title-inside-a-word"),
    ],
)
def test_an_imprints_managers_are_read_after_their_title(line: str, managers: list[str]) -> None:
    html = f"<html><body><p>{line}</p></body></html>"
    assert parse_page(html, "https://acme.example/impressum/").managers == managers


WORDS = st.lists(st.text(alphabet="abc-/", min_size=1, max_size=4), min_size=1, max_size=5)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="abc-/ \0", max_size=40), words=WORDS)
def test_the_first_of_some_words_starts_where_their_alternation_first_matches(
    text: str, words: list[str]
) -> None:
    """Words that overlap, prefix one another or repeat: the leftmost start is the alternation's."""
    match = re.compile("|".join(map(re.escape, words))).search(text)
    assert first_of(text, words) == (match.start() if match else -1)


def test_the_info_page_words_are_found_where_their_alternation_finds_them() -> None:
    text = "/de/\0/karriere/jobs kontakt\0/about-us ueber-uns\0/investor-relations/presse"
    for words in PAGE_KEYWORDS.values():
        match = re.compile("|".join(map(re.escape, words))).search(text)
        assert first_of(text, words) == (match.start() if match else -1)


LABELLED_PAGES = [
    pytest.param("<dl><dt>Industry</dt><dd>Robotics</dd></dl>", id="dt-only"),
    pytest.param("<table><tr><th>Branche:</th><td>Maschinenbau</td></tr></table>", id="th-only"),
    pytest.param(
        "<table><tr><th>Founded</th><td>1990</td></tr></table>"
        "<dl><dt>Sector</dt><dd>Energy</dd></dl><table><tr><th>Industry</th><td>Mining</td></tr></table>",
        id="th-dt-th-the-first-label-in-page-order-wins",
    ),
    pytest.param(
        "<dl><dt>Industry</dt><dd></dd><dt>Secteur</dt><dd>Banque</dd></dl><table><tr><th>Sector</th>"
        "<td>Retail</td></tr></table>",
        id="an-empty-value-is-passed-over",
    ),
    pytest.param("<p>Industry: none here</p>", id="no-labels"),
]


@pytest.mark.parametrize("body", LABELLED_PAGES)
def test_the_labelled_value_from_the_pages_element_lists_is_the_one_a_walk_finds(body: str) -> None:
    """``elements_by_tag``'s lists give the label terms in page order, or leave the reader to walk."""
    root = document_root(parse_document(f"<html><body>{body}</body></html>"))
    cut_non_content(root)
    elements = elements_by_tag(root, PAGE_ELEMENT_TAGS)
    terms = parse_module._label_terms(elements)
    walked = find_labelled_value(root, INDUSTRY_LABELS)
    assert find_labelled_value(root, INDUSTRY_LABELS, terms) == walked
    assert terms is None or [term.tag for term in terms] == [term.tag for term in root.iter("dt", "th")]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("<address>Acme Inc.<br>1 Main St</address><address>x</address>", id="two"),
        pytest.param("<p>No address here</p>", id="none"),
    ],
)
def test_address_lines_from_the_pages_address_elements_are_those_of_the_first(body: str) -> None:
    root = document_root(parse_document(f"<html><body>{body}</body></html>"))
    addresses = elements_by_tag(root, PAGE_ELEMENT_TAGS)["address"]
    assert find_address_lines(root, addresses) == find_address_lines(root)
