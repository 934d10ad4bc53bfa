"""One lxml tree per page, and the text of its elements read string by string.

The parsers used to read pages through BeautifulSoup, whose tree building cost ten times lxml's own
parse. These functions read an ``lxml.html`` tree with BeautifulSoup's semantics, so every fact comes out
the same: a page's text is its text strings (an element's text and each child's tail), each stripped and
joined with a separator; comments are no text, nor is ruby annotation (``<rt>``, ``<rp>``) unless it is
the element read; non-content elements (scripts, styles, SVG, ...) are cut out but the strings around
them stay separate strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import lxml.html  # type: ignore[import-untyped]
from lxml import etree

# Elements whose content is no page text (code, styling, drawings, inert templates).
NON_CONTENT_TAGS = ("script", "style", "noscript", "template", "svg")
# BeautifulSoup gives strings inside these their own string type, left out of any other element's text.
RUBY_TAGS = frozenset({"rt", "rp"})
# What extruct uses for a str: the same tree serves extruct and the parsers.
ENCODING = "UTF-8"

Element = Any  # lxml.html.HtmlElement (lxml ships no type hints)


def parse_document(html: str) -> Element | None:
    """The tree of a page as ``extruct`` would parse it, or None when lxml cannot parse it at all."""
    parser = lxml.html.HTMLParser(encoding=ENCODING)
    try:
        return lxml.html.fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):  # empty document; a str declaring an XML encoding
        return None


def document_root(tree: Element) -> Element:
    """The ``<html>`` element, also when ``lxml.html.fromstring`` handed back a fragment of the page."""
    return tree.getroottree().getroot()


def cut_non_content(root: Element) -> None:
    """Replace every non-content element by an empty comment, so its tail stays a string of its own."""
    for element in list(root.iter(*NON_CONTENT_TAGS)):
        parent = element.getparent()
        if parent is None:  # already cut out with an enclosing non-content element
            continue
        placeholder = etree.Comment("")
        placeholder.tail = element.tail
        parent.replace(element, placeholder)


def is_element(node: Element) -> bool:
    """Whether ``node`` is an element (not a comment or processing instruction)."""
    return isinstance(node.tag, str)


def strings(element: Element) -> Iterator[str]:
    """The text strings of ``element`` in page order, unstripped (BeautifulSoup's ``_all_strings``)."""
    kind = next((node.tag for node in element.iterancestors(*RUBY_TAGS)), None)
    if kind is None and next(element.iter(*RUBY_TAGS), None) is None:
        # No ruby around or inside: lxml's own text iterator (comments left out) gives the same strings.
        return element.itertext()  # type: ignore[no-any-return]
    wanted = element.tag if element.tag in RUBY_TAGS else None
    return _strings(element, kind, wanted)


def _strings(element: Element, kind: str | None, wanted: str | None) -> Iterator[str]:
    if element.tag in RUBY_TAGS:
        kind = element.tag
    if element.text and kind == wanted:
        yield element.text
    for child in element:
        if is_element(child):
            yield from _strings(child, kind, wanted)
        if child.tail and kind == wanted:
            yield child.tail


def text_of(element: Element, separator: str = "", *, strip: bool = False) -> str:
    """``element``'s text like BeautifulSoup's ``get_text(separator, strip=strip)``."""
    if not strip:
        return separator.join(strings(element))
    return separator.join(
        stripped for stripped in (string.strip() for string in strings(element)) if stripped
    )


def strings_with_parents(container: Element) -> Iterator[tuple[str, Element]]:
    """Every string under ``container`` with the element it sits in, comments' own text included.

    BeautifulSoup's ``find_all(string=...)`` matches comments too; a match's parent is then read whole.
    """
    if container.text:
        yield container.text, container
    for child in container:
        if is_element(child):
            yield from strings_with_parents(child)
        elif isinstance(child, etree._ProcessingInstruction):
            yield f"{child.target} {child.text or ''}", container
        elif child.text:
            yield child.text, container
        if child.tail:
            yield child.tail, container


def top_level_comments(root: Element) -> Iterator[str]:
    """Comments before and after the ``<html>`` element (their parent is the document itself)."""
    for node in [*reversed(list(root.itersiblings(preceding=True))), *root.itersiblings()]:
        if not is_element(node) and node.text:
            yield node.text


def parse_document_bytes(html: str) -> Element | None:
    """The tree of a page lxml refuses as a str (an XML declaration naming an encoding), read as UTF-8."""
    parser = lxml.html.HTMLParser(encoding=ENCODING)
    try:
        return lxml.html.document_fromstring(html.encode(ENCODING, "surrogatepass"), parser=parser)
    except (etree.ParserError, ValueError):  # an empty document
        return None
