"""One lxml tree per page, and the text of its elements read string by string.

The parsers used to read pages through BeautifulSoup, whose tree building cost ten times lxml's own
parse. These functions read an ``lxml.html`` tree with BeautifulSoup's semantics, so every fact comes out
the same: a page's text is its text strings (an element's text and each child's tail), each stripped and
joined with a separator; comments are no text, nor is ruby annotation (``<rt>``, ``<rp>``) unless it is
the element read; non-content elements (scripts, styles, SVG, ...) are cut out but the strings around
them stay separate strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

import lxml.html  # type: ignore[import-untyped]
from lxml import etree

# Elements whose content is no page text (code, styling, drawings, inert templates).
NON_CONTENT_TAGS = ("script", "style", "noscript", "template", "svg")
# BeautifulSoup gives strings inside these their own string type, left out of any other element's text.
RUBY_TAGS = frozenset({"rt", "rp"})
# What extruct uses for a str: the same tree serves extruct and the parsers.
ENCODING = "UTF-8"
# Every element as an ``HtmlElement`` (extruct reads ``.head``), chosen in C: lxml.html's own lookup is a
# Python call per element the parsers touch (a fifth of a tree walk's cost), for form-element classes
# nothing here uses.
HTML_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


def html_parser(*, ids: bool = False) -> Any:
    """lxml's HTML parser as ``lxml.html`` configures it, with the element classes chosen in C.

    ``ids``: the parser also fills the document's table of ``id`` attributes, which only XPath's
    ``id()`` reads (extruct's microdata ``itemref``); filling it is about a tenth of the parse.
    """
    parser = lxml.html.HTMLParser(encoding=ENCODING, collect_ids=ids)
    parser.set_element_class_lookup(HTML_CLASSES)
    return parser


Element = Any  # lxml.html.HtmlElement (lxml ships no type hints)


def parse_document(html: str, *, ids: bool = False) -> Element | None:
    """The tree of a page as ``extruct`` would parse it, or None when lxml cannot parse it at all.

    ``ids``: with the table XPath's ``id()`` reads (``html_parser``); the tree is the same without it.
    """
    try:
        return lxml.html.fromstring(html, parser=html_parser(ids=ids))
    except (etree.ParserError, ValueError):  # empty document; a str declaring an XML encoding
        return None


def document_root(tree: Element) -> Element:
    """The ``<html>`` element, also when ``lxml.html.fromstring`` handed back a fragment of the page."""
    return tree.getroottree().getroot()


def cut_non_content(root: Element, elements: Sequence[Element] | None = None) -> None:
    """Replace every non-content element by an empty comment, so its tail stays a string of its own.

    ``elements`` are the page's non-content elements when the caller has them already, in any order:
    each is replaced in its own parent, so one inside another only changes what is cut out anyway.
    """
    for element in list(elements if elements is not None else root.iter(*NON_CONTENT_TAGS)):
        parent = element.getparent()
        if parent is None:  # already cut out with an enclosing non-content element
            continue
        placeholder = etree.Comment("")
        placeholder.tail = element.tail
        parent.replace(element, placeholder)


def first_element(root: Element, tag: str) -> Element | None:
    """The first ``tag`` element at or under ``root`` in page order: ``next(root.iter(tag), None)``.

    lxml's iterator finds the match after the one it hands out before handing it out, so asking it for a
    page's first ``<title>`` or ``<body>`` walks the whole tree looking for a second one; an XPath step
    with a position stops at the first.
    """
    found = _first_element_xpath(tag)(root)
    return found[0] if found else None


def page_body(root: Element) -> Element:
    """The page's ``<body>``, or ``root`` itself when it has none."""
    body = first_element(root, "body")
    return body if body is not None else root


@cache
def _first_element_xpath(tag: str) -> Any:
    return etree.XPath(f"descendant-or-self::{tag}[1]")


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


def has_ruby(root: Element) -> bool:
    """Whether ``root`` holds ruby annotation (``<rt>``, ``<rp>``), the one text the readers leave out."""
    return next(root.iter(*RUBY_TAGS), None) is not None


def text_of(element: Element, separator: str = "", *, strip: bool = False, ruby: bool = True) -> str:
    """``element``'s text like BeautifulSoup's ``get_text(separator, strip=strip)``.

    ``ruby`` False: the caller knows the page holds no ruby annotation (``has_ruby``), so none is looked
    for around or inside ``element`` (a reader of every link would look for it thousands of times).
    """
    if not ruby and is_element(element):
        if not len(element):
            text = element.text or ""
            return text.strip() if strip else text
        texts = element.itertext()
        return separator.join(filter(None, map(str.strip, texts)) if strip else texts)
    if not len(element) and is_element(element) and next(element.iterancestors(*RUBY_TAGS), None) is None:
        text = element.text or ""  # no children (most links and labels): the text is its one string
        return text.strip() if strip else text
    if not strip:
        return separator.join(strings(element))
    return separator.join(filter(None, map(str.strip, strings(element))))


# One string of a page: (text, owner, markup). ``owner`` is the element it is text of (the element itself,
# or the parent of the node it follows); ``markup`` marks a comment's or processing instruction's own text,
# which is no page text. A plain tuple: a page has tens of thousands of them.
PageString = tuple[str, Element, bool]


MAX_BLOCK_CHARS = 100_000  # of one block: a paragraph longer than this is a run of data, not prose
MAX_BLOCKS_CHARS = 200_000  # of the page: what a company says about itself comes well before this
# Elements whose text is a block of its own: a sentence never runs from a menu into the next paragraph.
BLOCK_TAGS = frozenset(
    {
        "p", "div", "li", "dd", "dt", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
        "article", "header", "footer", "address", "blockquote", "ul", "ol", "dl", "table", "main", "aside",
        "nav", "figcaption", "figure", "form", "br", "hr", "body", "caption", "summary", "details", "option",
        "button", "label", "title",
    }
)  # fmt: skip


def page_strings(root: Element) -> list[PageString]:
    """Every string under ``root`` but whitespace (its own tail left out) in page order, in one walk.

    The readers that look for a few strings (digits for phones, "@" for e-mail, "©" for the copyright)
    filter this one list instead of each asking XPath for text nodes, which costs libxml2 more than
    walking the tree here (and a Python walk of its own for each would cost that many walks).
    """
    return read_text(root, blocks=False)[0]


def text_blocks(root: Element) -> list[str]:
    """The text of the page block by block (paragraphs, items, cells), whitespace collapsed."""
    return read_text(root, strings=False)[1]


def read_text(
    root: Element, *, strings: bool = True, blocks: bool = True
) -> tuple[list[PageString], list[str]]:
    """``page_strings`` and ``text_blocks`` of ``root``, in one walk of the tree (either may be left out).

    Blocks are read up to ``MAX_BLOCKS_CHARS`` (bounded work on any page, however long); strings to the end.
    Text that is only whitespace is neither: no reader looks for it, and a block drops it (two thirds of
    a page's text nodes are the indentation between its tags).
    """
    found: list[PageString] = []
    append = found.append
    read: list[str] = []
    current: list[str] = []
    gather = current.append
    size = 0
    open_elements: list[Element] = []  # the node's ancestors: a tail's owner without a getparent() call
    push, pop = open_elements.append, open_elements.pop
    if not strings and not blocks:
        return found, read

    def flush() -> None:  # called only with text gathered: most block tags have none
        nonlocal size
        text = " ".join(" ".join(current).split())[:MAX_BLOCK_CHARS]
        if text:
            read.append(text)
            size += len(text)
        current.clear()

    # Comments (and the placeholders of cut scripts) come as events of their own: their tails are text.
    for event, node in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if blocks and size >= MAX_BLOCKS_CHARS:
            if current:
                flush()
            blocks = False
            if not strings:
                break
        if event == "start":
            push(node)
            tag, text = node.tag, node.text  # each read of an lxml property builds a new object
            if text is not None and text.isspace():
                text = None
            if text and strings:
                append((text, node, False))
            if blocks:
                if current and tag in BLOCK_TAGS:
                    flush()
                if tag == "img":
                    alt = node.get("alt")
                    if alt and alt.strip():
                        if current:
                            flush()
                        gather(alt)
                        flush()
                if text and isinstance(tag, str):
                    gather(text)
            continue
        if event == "end":
            pop()
            if current and blocks and node.tag in BLOCK_TAGS:
                flush()
        elif strings:
            if event == "comment":
                if node.text:
                    append((node.text, open_elements[-1], True))
            else:
                append((f"{node.target} {node.text or ''}", open_elements[-1], True))
        tail = node.tail
        if tail and not tail.isspace() and node is not root:
            if strings:
                append((tail, open_elements[-1], False))
            if blocks:
                gather(tail)
    if blocks and current:
        flush()
    return found, read


# An ``<a href>`` of a page and its href as written: read once for every reader of links (the element and
# attribute reads cost more than what most readers then do with them).
Anchor = tuple[Element, str]


def page_anchors(root: Element, links: Sequence[Element] | None = None) -> list[Anchor]:
    """Every ``<a>`` under ``root`` that has an ``href``, with it, in page order.

    ``links`` are the ``<a>`` elements of ``elements_by_tag`` when the caller has them already.
    """
    links = links if links is not None else root.iter("a")
    return [(element, href) for element in links if (href := element.get("href")) is not None]


def elements_by_tag(root: Element, tags: Sequence[str]) -> dict[str, list[Element]]:
    """Each of ``tags``' elements at or under ``root``, in page order, found in one walk of the tree.

    Each ``root.iter(tag)`` walks the whole tree (in C): the readers of a few tags each share this one.
    """
    found: dict[str, list[Element]] = {tag: [] for tag in tags}
    for element in root.iter(*tags):
        found[element.tag].append(element)
    return found


def page_text(root: Element, strings: list[PageString], *, ruby: bool | None = None) -> str:
    """``text_of(root, " ", strip=True)`` from the page's ``page_strings``, without walking the tree again.

    Ruby annotation is the one case where the two differ (``text_of`` leaves ``<rt>``/``<rp>`` out): a
    page with any is read by ``text_of``. ``ruby`` is ``has_ruby(root)`` when the caller knows it.
    """
    if has_ruby(root) if ruby is None else ruby:
        return text_of(root, " ", strip=True)
    return " ".join(filter(None, (text.strip() for text, _, markup in strings if not markup)))


def texts_matching(
    texts: Sequence[str], pattern: re.Pattern[str], lowered: re.Pattern[str] | None = None
) -> list[int]:
    """Indexes of the ``texts`` where ``pattern`` may match, in order; a superset (``JoinedTexts``)."""
    return JoinedTexts(texts).matching(pattern, lowered)


def texts_holding(texts: Sequence[str], words: Sequence[str], pattern: re.Pattern[str]) -> list[int]:
    """Indexes of the ``texts`` where ``pattern`` may match, found by its ``words``; a superset."""
    return JoinedTexts(texts).holding(words, pattern)


class JoinedTexts:
    """Texts joined once, for searching them all in one call per pattern; lowered once, when first needed.

    NUL joins the texts (no character of a parsed page, so no match spans two): a match's text is the
    count of NULs before it.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self.joined = "\0".join(texts)
        self._folded: str | None = None

    def matching(self, pattern: re.Pattern[str], lowered: re.Pattern[str] | None = None) -> list[int]:
        """Indexes of the texts where ``pattern`` may match, in order; a superset.

        For an IGNORECASE ``pattern``, ``lowered`` is the pattern written for lowered text (with what
        IGNORECASE folds beyond lowering, such as a dotless i, U+0131, for "i"), searched case-sensitively
        in the lowered texts, many times faster than an IGNORECASE search string by string; when lowering
        changes the length (a character lowered to two), ``pattern`` itself searches the joined texts.
        Without ``lowered`` (a pattern case does not touch, such as "@"), the texts are searched as they are.
        """
        searched, regex = self.joined, pattern
        if lowered is not None:
            if self._folded is None:
                self._folded = self.joined.lower()
            if len(self._folded) == len(self.joined):
                searched, regex = self._folded, lowered
        found: list[int] = []
        index = read = 0  # counted on from the end of the last text searched
        while (match := regex.search(searched, read)) is not None:
            index += searched.count("\0", read, match.start())
            found.append(index)
            # The rest of a matched text is not searched: one search per text that matches, however often.
            read = searched.find("\0", match.start()) + 1
            if not read:
                break
            index += 1
        return found

    def holding(self, words: Sequence[str], pattern: re.Pattern[str]) -> list[int]:
        """Indexes of the texts where the IGNORECASE ``pattern`` may match, in order; a superset.

        ``words`` are lower-case substrings one of which every match of ``pattern`` holds, spelt without
        the letters IGNORECASE matches beyond lowering (i, s, k: U+0131, U+017F, U+212A): each is found in
        the lowered texts by a plain substring search, which skips through text far faster than a regex
        alternation tries every position. When lowering changes the length, ``pattern`` searches instead.
        """
        if self._folded is None:
            self._folded = self.joined.lower()
        folded = self._folded
        if len(folded) != len(self.joined):
            return self.matching(pattern)
        found: set[int] = set()
        for word in words:
            index = read = 0  # counted on from the end of the last text searched, as in ``matching``
            while (start := folded.find(word, read)) != -1:
                index += folded.count("\0", read, start)
                found.add(index)
                read = folded.find("\0", start) + 1
                if not read:
                    break
                index += 1
        return sorted(found)


def top_level_comments(root: Element) -> Iterator[str]:
    """Comments before and after the ``<html>`` element (their parent is the document itself)."""
    for node in [*reversed(list(root.itersiblings(preceding=True))), *root.itersiblings()]:
        if not is_element(node) and node.text:
            yield node.text


def parse_document_bytes(html: str) -> Element | None:
    """The tree of a page lxml refuses as a str (an XML declaration naming an encoding), read as UTF-8."""
    try:
        return lxml.html.document_fromstring(html.encode(ENCODING, "surrogatepass"), parser=html_parser())
    except (etree.ParserError, ValueError):  # an empty document
        return None
