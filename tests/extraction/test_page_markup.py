"""How pages are read as text: the lxml reading states what the BeautifulSoup one did, edge cases too."""

from __future__ import annotations

from server.extraction.markup import cut_non_content, document_root, parse_document, text_of
from server.extraction.parse import PageFacts, parse_page

URL = "https://acme.example/"


def _facts(html: str) -> PageFacts:
    return parse_page(html, URL, region="US")


def _root(html: str) -> object:
    tree = parse_document(html)
    assert tree is not None
    root = document_root(tree)
    cut_non_content(root)
    return root


def test_text_on_either_side_of_a_script_stays_two_words() -> None:
    html = "<html><body><p>Founded<script>var x;</script>in 1999</p></body></html>"
    assert text_of(_root(html), " ", strip=True) == "Founded in 1999"
    assert [statement.value for statement in _facts(html).founding] == [1999]


def test_ruby_annotation_and_comments_are_not_page_text() -> None:
    root = _root("<html><body><p>漢<rt>kan</rt>字<!-- note --> end</p></body></html>")
    assert text_of(root, " ", strip=True) == "漢 字 end"


def test_meta_and_links_inside_noscript_or_svg_state_nothing() -> None:
    facts = _facts(
        '<html><head><noscript><meta name="description" content="hidden"></noscript>'
        '<meta name="description" content="shown"></head><body>'
        '<svg><a href="https://twitter.com/hidden">t</a></svg>'
        '<a href="https://www.linkedin.com/company/acme">in</a></body></html>'
    )
    assert facts.description == "shown"
    assert [link.url for link in facts.social_links] == ["https://www.linkedin.com/company/acme"]


def test_copyright_in_a_footer_comment_gives_the_printed_text_around_it() -> None:
    facts = _facts(
        "<html><body><footer><p>Links</p><!-- (c) 2021 Foo Inc --><span>Foo Inc</span></footer></body></html>"
    )
    assert facts.copyright_line == "Links Foo Inc"


def test_page_declaring_an_xml_encoding_is_still_read() -> None:
    facts = _facts(
        '<?xml version="1.0" encoding="UTF-8"?><html lang="en"><head><title>Acme | Home</title></head>'
        "<body><address>Acme GmbH<br/>Hauptstr. 1<br/>10115 Berlin</address></body></html>"
    )
    assert facts.title == "Acme | Home" and facts.language == "en"
    assert facts.address_lines == ["Acme GmbH", "Hauptstr. 1", "10115 Berlin"]


def test_empty_page_states_nothing() -> None:
    assert _facts("") == PageFacts(url=URL)


def test_labelled_value_is_the_next_value_cell_after_the_label() -> None:
    facts = _facts(
        "<html><body><dl><dt>Industry :</dt><dt>x</dt><dd> Robotics <b>and</b> AI</dd></dl></body></html>"
    )
    assert facts.industry == "Robotics and AI"


def test_page_without_html_element_is_read_whole() -> None:
    facts = _facts('<div><p>© 2022 Frag Co. All rights reserved.</p><a href="/about-us">About</a></div>')
    assert facts.copyright_holder == "Frag Co"
    assert facts.page_links == {"about": "https://acme.example/about-us"}
