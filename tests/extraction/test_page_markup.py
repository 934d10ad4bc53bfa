"""How pages are read as text: the lxml reading states what the BeautifulSoup one did, edge cases too."""

from __future__ import annotations

import re
from pathlib import Path

import extruct
import lxml.html  # type: ignore[import-untyped]
import pytest

from server.extraction.emails import find_email_facts
from server.extraction.jsonld import lenient_jsonld
from server.extraction.markup import (
    NON_CONTENT_TAGS,
    JoinedTexts,
    cut_non_content,
    document_root,
    elements_by_tag,
    first_element,
    has_ruby,
    page_anchors,
    page_strings,
    page_text,
    parse_document,
    read_text,
    text_blocks,
    text_of,
    texts_matching,
)
from server.extraction.names import logo_texts
from server.extraction.page_kind import is_article_page
from server.extraction.parse import (
    PAGE_ELEMENT_TAGS,
    UNCUT_ELEMENT_TAGS,
    PageFacts,
    _opengraph,
    absolute_links,
    find_copyright_line,
    parse_page,
)
from server.extraction.phones import phone_sources_of

URL = "https://acme.example/"


def _facts(html: str) -> PageFacts:
    return parse_page(html, URL, region="US")


def _root(html: str) -> object:
    tree = parse_document(html)
    assert tree is not None
    root = document_root(tree)
    cut_non_content(root)
    return root


def test_a_page_is_parsed_without_the_table_of_ids_unless_asked() -> None:
    """Only XPath's id() reads the table (extruct's itemref): the rest of the tree is the same."""
    html = '<html><body><p id="a">Acme</p></body></html>'
    plain, with_ids = parse_document(html), parse_document(html, ids=True)
    assert plain.xpath('id("a")') == []
    assert [element.text for element in with_ids.xpath('id("a")')] == ["Acme"]
    assert lxml.html.tostring(plain) == lxml.html.tostring(with_ids)


def test_text_on_either_side_of_a_script_stays_two_words() -> None:
    html = "<html><body><p>Founded<script>var x;</script>in 1999</p></body></html>"
    assert text_of(_root(html), " ", strip=True) == "Founded in 1999"
    assert [statement.value for statement in _facts(html).founding] == [1999]


def test_ruby_annotation_and_comments_are_not_page_text() -> None:
    root = _root("<html><body><p>漢<rt>kan</rt>字<!-- note --> end</p></body></html>")
    assert text_of(root, " ", strip=True) == "漢 字 end"
    assert page_text(root, page_strings(root)) == "漢 字 end"


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


MIXED_PAGE = (
    "<html><head><title>Acme</title></head><body><!-- (c) note --><p>First <b>bold</b> tail<!-- c -->"
    "after</p><div>Call +49 30 1234567<br>x</div><img alt='Acme logo'> was founded<ul><li>one</li></ul>"
    "end</body></html>"
)


def test_one_walk_gives_every_text_node_in_page_order_with_the_element_it_is_text_of() -> None:
    root = _root(MIXED_PAGE)
    strings, blocks = read_text(root)
    # The text nodes XPath finds, each with the element whose text it is (a tail's is its node's parent).
    nodes = [
        (str(node), node.getparent().getparent() if node.is_tail else node.getparent())
        for node in root.xpath("//text()")
    ]
    assert [(text, owner) for text, owner, markup in strings if not markup] == nodes
    assert [text for text, _, markup in strings if markup] == [" (c) note ", " c "]
    assert blocks == text_blocks(root) == read_text(root, strings=False)[1]
    assert page_strings(root) == strings
    assert page_text(root, strings) == text_of(root, " ", strip=True)


def test_blocks_stop_at_their_bound_while_strings_run_to_the_end() -> None:
    paragraph = "word " * 30_000  # 150 000 characters: two such blocks pass MAX_BLOCKS_CHARS
    root = _root(
        f"<html><body><p>{paragraph}</p><p>{paragraph}</p><p>{paragraph}</p><p>last</p></body></html>"
    )
    strings, blocks = read_text(root)
    assert len(blocks) == 2 and "last" not in blocks
    assert strings[-1][0] == "last"


def test_texts_matching_finds_every_text_an_ignorecase_pattern_matches_also_past_case_folds() -> None:
    pattern = re.compile("copyright|founded", re.IGNORECASE)
    lowered = re.compile("copyr[i\u0131]ght|founded")
    texts = ["Menu", "COPYRIGHT 2020", "nothing", "copyr\u0131ght", "Founded", "a\u0130b", "x"]
    assert texts_matching(texts, pattern, lowered) == [1, 3, 4]
    # "\u0130" lowers to two characters: the positions no longer hold, so the pattern itself searches.
    assert texts_matching([*texts, "copyr\u0130ght"], pattern, lowered) == [1, 3, 4, 7]
    assert texts_matching([], pattern, lowered) == []


def test_opengraph_is_read_as_extruct_reads_it() -> None:
    html = (
        "<html><head><meta property='og:title' content=''><meta property='og:title' content='Acme'>"
        "<meta property='og:type' content='article'><meta property='og:site_name' content='First'>"
        "<meta property='og:site_name' content='Second'><meta property='og:image' content='a.png'>"
        "</head><body><meta property='og:description' content='In the body'>"
        "<meta property='og:site_name' content='Body'></body></html>"
    )
    tree = parse_document(html)
    data = extruct.extract(tree, syntaxes=["opengraph"], uniform=True)
    from_extruct = {k: v for item in data["opengraph"] for k, v in item.items() if k.startswith("og:")}
    assert from_extruct == {"og:title": "Acme", "og:site_name": "First", "og:image": "a.png"}
    values = _opengraph(document_root(tree))
    assert {key: values[key] for key in from_extruct} == from_extruct
    # What extruct leaves out comes from every og: meta of the page, first one first.
    assert (values["og:type"], values["og:description"]) == ("article", "In the body")
    got = _facts(html)
    assert got.site_name == "First" and got.description == "In the body"
    assert got.is_article  # og:type, which extruct moves out of the properties, is read from the metas


def test_joined_texts_name_each_matching_text_once_and_search_past_a_matched_one() -> None:
    joined = JoinedTexts(["a@b and c@d", "none", "", "x@y", "©2020 ACME", "@"])
    assert joined.matching(re.compile("@")) == [0, 3, 5]
    assert joined.matching(re.compile("acme", re.IGNORECASE), re.compile("acme")) == [4]
    assert JoinedTexts([]).matching(re.compile("@")) == []


def test_readers_handed_the_pages_shared_reads_find_what_they_find_reading_the_tree_alone() -> None:
    """parse_page reads the links and joins the strings once for all readers: each gives the same."""
    sites = Path(__file__).resolve().parents[2] / "sandbox" / "corpus" / "sites"
    url = "https://meridianfoods.example/contact/"
    root = _root((sites / "meridianfoods.example" / "contact" / "index.html").read_text("utf-8"))
    cut_non_content(root)
    strings, _ = read_text(root)
    anchors = page_anchors(root)
    joined = JoinedTexts([text for text, _, _ in strings])
    sources = phone_sources_of(root, strings, anchors, joined)
    assert sources == phone_sources_of(root) and sources.links
    email_facts = find_email_facts(root, strings, anchors, joined)
    assert email_facts == find_email_facts(root) and len(email_facts) >= 2
    links = absolute_links(root, url, anchors)
    assert links == absolute_links(root, url) and links
    line = find_copyright_line(root, strings, joined)
    assert line == find_copyright_line(root) and line


def test_whitespace_between_tags_is_no_string_and_no_block_text() -> None:
    root = _root(
        "<html><body>\n  <div>\n    <p>Call\n <b>+49 30 1234567</b>\u00a0</p>\n  </div>\n</body></html>"
    )
    strings, blocks = read_text(root)
    assert [text for text, _, _ in strings] == ["Call\n ", "+49 30 1234567"]
    assert blocks == ["Call +49 30 1234567"]
    assert page_text(root, strings) == text_of(root, " ", strip=True)


def test_an_element_of_a_page_without_ruby_reads_the_same_text_without_looking_for_it() -> None:
    root = _root(MIXED_PAGE)
    assert not has_ruby(root)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for separator, strip in (("", False), (" ", True), ("\n", False)):
            assert text_of(element, separator, strip=strip, ruby=False) == text_of(
                element, separator, strip=strip
            )
    assert has_ruby(_root("<html><body><ruby>漢<rt>kan</rt></ruby></body></html>"))


FIRST_ELEMENT_PAGE = (
    "<!-- before --><html><head><title>One</title></head><body><div><p>a<b>b</b></p>"
    "<section><p>nested <span><p>inner</p></span></p></section></div><title>Two</title>"
    "<address>Street 1<address>inner</address></address><p>tail</p><address>last</address></body></html>"
)


@pytest.mark.parametrize(
    "tag", ["html", "head", "title", "body", "p", "b", "span", "address", "section", "table"]
)
def test_the_first_element_of_a_tag_is_the_one_lxml_iterates_first(tag: str) -> None:
    """The tree itself (html), a tag met twice, nested in itself, after text, and absent (table)."""
    root = _root(FIRST_ELEMENT_PAGE)
    assert first_element(root, tag) is next(root.iter(tag), None)
    inner = next(root.iter("section"))
    assert first_element(inner, tag) is next(inner.iter(tag), None)


def test_the_elements_of_several_tags_are_found_in_one_walk_in_page_order() -> None:
    """Each tag's elements as its own walk finds them: the tree itself, nested in one another, in tails."""
    root = _root(
        "<html><body><footer><a href='/a'>a<a href='/b'>b</a></a><img alt='x'></footer>"
        "<div><footer>inner <footer>nested</footer></footer>tail<img></div>"
        "<a name='no-href'>c</a></body></html>"
    )
    tags = ("html", "a", "footer", "img", "meta")
    found = elements_by_tag(root, tags)
    assert list(found) == list(tags)
    for tag in tags:
        assert found[tag] == list(root.iter(tag))
    assert found["html"] == [root] and len(found["footer"]) == 3 and found["meta"] == []
    assert page_anchors(root, found["a"]) == page_anchors(root)


def test_readers_handed_the_pages_elements_find_what_they_find_walking_the_tree() -> None:
    root = _root(
        "<html><head><meta name='description' content='d'>"
        "<meta property='article:published_time' content='2024-05-01'></head><body>"
        "<a href='/'><img src='/l.png' alt='Acme Robotics'></a><img class='hero' alt='A robot'>"
        "<footer><p>\u00a9 2009-2025 Acme Robotics Inc. All rights reserved.</p></footer></body></html>"
    )
    elements = elements_by_tag(root, PAGE_ELEMENT_TAGS)
    strings, _ = read_text(root)
    joined = JoinedTexts([text for text, _, _ in strings])
    line = find_copyright_line(root, strings, joined, elements["footer"])
    assert line == find_copyright_line(root) == "\u00a9 2009-2025 Acme Robotics Inc. All rights reserved."
    assert logo_texts(root, elements["img"]) == logo_texts(root) == ["Acme Robotics"]
    assert is_article_page(URL, root, [], {}, elements["meta"]) is is_article_page(URL, root, [], {}) is True
    assert _facts(str(lxml.html.tostring(root, encoding=str))).description == "d"


UNCUT_PAGE = (
    "<html><head><meta property='og:title' content='Acme'><script>var a;</script>"
    '<script type="application/ld+json"><!-- {"@type": "Organization", "name": "Acme"} --></script></head>'
    "<body><noscript><p>Enable <script>x</script>scripts <svg><text>drawn</text></svg></p></noscript>"
    "<p>Kept<style>p {}</style>text</p><svg><style>s</style><template><b>t</b></template></svg>"
    "<meta property='og:site_name' content='Acme Site'><template><p>inert</p></template>tail</body></html>"
)


def test_readers_of_the_uncut_page_handed_its_one_walk_read_what_their_own_walks_read() -> None:
    """One ``elements_by_tag`` walk before the cut serves the JSON-LD, OpenGraph readers and the cut."""
    own, shared = document_root(parse_document(UNCUT_PAGE)), document_root(parse_document(UNCUT_PAGE))
    uncut = elements_by_tag(shared, UNCUT_ELEMENT_TAGS)
    assert (
        lenient_jsonld(shared, uncut["script"])
        == lenient_jsonld(own)
        == [{"@type": "Organization", "name": "Acme"}]
    )
    assert _opengraph(shared, elements=uncut) == _opengraph(own)
    assert _opengraph(shared, heads=False, elements=uncut) == _opengraph(own, heads=False)
    # Tag by tag, not in page order (a script inside a noscript is cut before it): the same tree.
    cut_non_content(shared, [element for tag in NON_CONTENT_TAGS for element in uncut[tag]])
    cut_non_content(own)
    assert lxml.html.tostring(shared) == lxml.html.tostring(own)
    assert text_of(shared, " ", strip=True) == "Kept text tail"
