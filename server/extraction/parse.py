"""Pure parsers: one HTML page in, the facts it states out. No I/O, no event loop.

``parse_page`` reads what a company site says about itself: title, meta description, OpenGraph,
schema.org Organization records (JSON-LD and microdata, via extruct), contact details, social profiles,
copyright line, plain-prose statements (founding year, head count, industry) and links to the
about/contact/careers pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Any, NamedTuple
from urllib.parse import SplitResult, urljoin, urlsplit

import extruct
from lxml import etree  # type: ignore[import-untyped]

from server.extraction.addresses import PlacedAddress, page_addresses
from server.extraction.collection_pause import cyclic_collection_paused
from server.extraction.emails import EmailFact, find_email_facts
from server.extraction.jsonld import JSONLD_TYPE, jsonld_items, lenient_jsonld, publisher_names
from server.extraction.markup import (
    NON_CONTENT_TAGS,
    Anchor,
    Element,
    JoinedTexts,
    PageString,
    cut_non_content,
    document_root,
    elements_by_tag,
    first_element,
    has_ruby,
    page_anchors,
    page_strings,
    page_text,
    parse_document,
    parse_document_bytes,
    read_text,
    text_of,
    top_level_comments,
)
from server.extraction.names import logo_texts
from server.extraction.page_kind import is_article_page
from server.extraction.phones import PhoneFact as PhoneFact  # re-exported: the facts' phone type
from server.extraction.phones import PhoneSources, phone_sources_of, read_phones
from server.extraction.phones import normalize_phone as normalize_phone  # re-exported for the sources
from server.extraction.social import SocialLink, social_links
from server.extraction.statements import Statement, founding_statements, headcount_statements

ORGANIZATION_TYPES = frozenset(
    {
        "Organization",
        "Corporation",
        "LocalBusiness",
        "Company",
        "NGO",
        "EducationalOrganization",
        "MedicalOrganization",
        "SportsOrganization",
        "OnlineBusiness",
        "Store",
        "ProfessionalService",
    }
)
NON_ORGANIZATION_TYPES = frozenset(
    {"WebSite", "WebPage", "JobPosting", "BreadcrumbList", "Product", "Person", "Place"}
)

# Link words (path or anchor text, lower case) that identify a site's own info pages, several languages.
PAGE_KEYWORDS = {
    "about": (
        "about",
        "ueber-uns",
        "uber-uns",
        "über uns",
        "unternehmen",
        "a-propos",
        "à propos",
        "qui-sommes",
        "company",
        "who-we-are",
        "our-story",
    ),
    "contact": ("contact", "kontakt", "contacto", "get-in-touch"),
    "impressum": ("impressum", "imprint", "mentions-legales", "mentions légales", "legal-notice"),
    "careers": ("careers", "career", "jobs", "karriere", "carrieres", "carrières", "join-us", "work-with-us"),
    "investors": ("investors", "investor-relations", "investor relations", "investoren"),
    "press": ("/press", "/presse", "newsroom", "pressroom"),
}
COPYRIGHT_RE = re.compile(r"(?:©|&copy;|\(c\)|copyright)\s*(.{2,160})", re.IGNORECASE)
# What either pattern needs (same alternatives, same flags): a string without it is neither.
COPYRIGHT_MARK_RE = re.compile(r"©|&copy;|\(c\)|copyright", re.IGNORECASE)
# The same in lowered text: IGNORECASE also takes a dotless i (U+0131) for "i", which lowering keeps.
LOWER_COPYRIGHT_MARK_RE = re.compile("©|&copy;|\\(c\\)|copyr[i\u0131]ght")
BARE_COPYRIGHT_MARK_RE = re.compile(r"^\s*(?:©|\(c\))\s*$", re.IGNORECASE)  # the symbol styled on its own
YEAR_SPAN_RE = re.compile(r"\b(?:19|20)\d{2}\b(?:\s*[-\u2013\u2014]\s*\b(?:19|20)\d{2}\b)?")
RIGHTS_RE = re.compile(
    r"\b(all rights reserved|alle rechte vorbehalten|tous droits réservés|todos los derechos reservados)"
    r"\b.*$",
    re.IGNORECASE,
)
# "/about/team?x=1#y": a root-relative path urljoin only appends to the origin (the caller also refuses
# "/." anywhere: dot segments are rewritten). No "//" (protocol-relative), ";" (params), characters it
# strips or rewrites (whitespace, controls, backslash), and no empty "?" or "#" (it drops them).
# Its groups are the parts urlsplit gives it (path up to the first "?" or "#", query up to the first "#").
PLAIN_ROOT_PATH_RE = re.compile(
    r"(?P<path>/(?!/)[^\s\\;?#]*+)(?:\?(?P<query>[^\s\\#]++))?(?:#(?P<fragment>[^\s\\]++))?"
)
# "https://host:port/path?query#fragment" in lower-case scheme: no character urlsplit strips or removes
# (C0 controls, space); a non-empty netloc. Its groups are the parts urlsplit gives such an href: the
# netloc up to the first "/", "?" or "#", the path up to the first "?" or "#", the query up to the first "#".
# Every part is possessive (as in the root-relative pattern): giving a character back to the part after it
# never makes an href match, and retrying every split of one with a space in it cost a dozen microseconds.
PLAIN_ABSOLUTE_RE = re.compile(
    r"(?P<scheme>https?)://(?P<netloc>[^/?#\x00-\x20]++)(?P<path>[^?#\x00-\x20]*+)"
    r"(?:\?(?P<query>[^#\x00-\x20]*+))?(?:#(?P<fragment>[^\x00-\x20]*+))?"
)
URL_BYTES_REMOVED_RE = re.compile("[\t\r\n]")  # what urlsplit removes from anywhere in a URL
PAGES_RESOLVED_AT_ONCE = 16  # page URLs whose fragment-free form is kept: a parse resolves one page's links
INDUSTRY_LABELS = frozenset({"industry", "branche", "secteur", "sector", "industrie"})
# Written from its first letter on (each title's rest behind that letter, the word boundary checked from
# behind), so re skips to the letters G, M and D in C instead of trying every position of the page text.
MANAGER_RE = re.compile(
    r"[GMD](?<=\b[GMD])(?:(?<=G)eschäftsführer(?:in)?|(?<=G)eschäftsführung|(?<=M)anaging Directors?"
    r"|(?<=G)érant|(?<=D)irecteur général)\s*:\s*"
    r"([A-ZÄÖÜ][\w'-]+(?:\s+[A-ZÄÖÜ][\w'-]+\b(?!\s*:)){1,3})"  # a next label ("Registergericht:") ends it
)
WHITESPACE_RE = re.compile(r"\s+")
PHONE_LABEL_RE = re.compile(r"[\w\s]+", re.UNICODE)
SYNTAX_KEY = "_syntax"  # which markup a structured record came from: "json-ld" or "microdata"
MAX_TEXT_CHARS = 200_000  # prose scanned for statements; pages beyond this are mostly noise
LABEL_TAGS = ("dt", "th")  # <dt>Industry</dt><dd>X</dd>, <th>Industry</th><td>X</td>
VALUE_TAGS = frozenset({"dd", "td"})
# Phone numbers read from prose and from tel: links; a page printing more is a directory (or an
# attack), not the company's contacts.


@dataclass(frozen=True)
class PageFacts:
    """What one page states. Lists keep page order; nothing is invented."""

    url: str
    title: str | None = None
    description: str | None = None
    site_name: str | None = None
    language: str | None = None
    organizations: list[dict[str, Any]] = field(default_factory=list)
    job_industries: list[str] = field(default_factory=list)
    copyright_line: str | None = None
    copyright_holder: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[PhoneFact] = field(default_factory=list)
    page_links: dict[str, str] = field(default_factory=dict)  # "about"/"contact"/"careers" -> URL
    industry: str | None = None
    address_lines: list[str] = field(default_factory=list)
    managers: list[str] = field(default_factory=list)  # "Geschäftsführer: ..." of an imprint
    # A news article, blog post or the like: its body states nothing about the company (page_kind).
    is_article: bool = False
    website_description: str | None = None  # schema.org WebSite.description: the site's own summary
    founding: list[Statement] = field(default_factory=list)  # "X was founded in 1990", with subject
    headcounts: list[Statement] = field(default_factory=list)  # "a team of 40 people", with subject
    addresses: list[PlacedAddress] = field(default_factory=list)  # printed postal addresses
    logo_texts: list[str] = field(default_factory=list)  # alt text of the site's logo images
    publishers: list[str] = field(default_factory=list)  # JSON-LD publisher names of the page's articles
    social_links: list[SocialLink] = field(default_factory=list)  # every social link, classified
    email_facts: list[EmailFact] = field(default_factory=list)  # every address, where it sits
    # The page's text (as scanned for statements), for reading the brand's legal form where it is printed.
    text: str = field(default="", repr=False, compare=False)
    # Not a fact: the raw material of ``phones``, for ``with_region`` (local numbers need their country).
    phone_sources: PhoneSources = field(default_factory=PhoneSources, repr=False, compare=False)

    def with_region(self, region: str | None) -> PageFacts:
        """The same facts with phone numbers read as in ``region``, without parsing the page again."""
        return replace(self, phones=read_phones(self.phone_sources, region))


@cyclic_collection_paused()  # the parse builds no reference cycles: a collection during it frees nothing
def parse_page(html: str, url: str, *, region: str | None = None) -> PageFacts:
    """Everything a page states about its company. ``region`` (ISO country) helps read local phone numbers."""
    tree = parse_document(html)
    # extruct reads the same tree; what it cannot parse from the str it reads nothing from, as before.
    structured_read = tree is not None
    tree = tree if tree is not None else parse_document_bytes(html)
    if tree is None:  # nothing lxml can read (an empty document) states nothing
        return PageFacts(url=url)
    root = document_root(tree)
    uncut = elements_by_tag(root, UNCUT_ELEMENT_TAGS)  # one walk for the readers before the cut
    structured = _structured_data(tree, url, html, uncut["script"]) if structured_read else {}
    opengraph = _opengraph(root, heads=structured_read, elements=uncut)
    cut_non_content(root, [element for tag in NON_CONTENT_TAGS for element in uncut[tag]])
    # One walk: the strings for the readers that look for a few of them, the blocks for the statements.
    strings, blocks = read_text(root)
    ruby = has_ruby(root)  # the page's links are read without looking for it around each
    text = page_text(root, strings, ruby=ruby)[:MAX_TEXT_CHARS]
    joined = JoinedTexts([string for string, _, _ in strings])  # for the readers that look for a few
    elements = elements_by_tag(root, PAGE_ELEMENT_TAGS)
    copyright_line = find_copyright_line(root, strings, joined, elements["footer"])
    title = first_element(root, "title")
    html_tag = first_element(root, "html")
    anchors = page_anchors(root, elements["a"])  # one read of the links for every reader of them
    links = absolute_links(root, url, anchors)
    phone_sources = phone_sources_of(root, strings, anchors, joined)
    # bounded patterns, per text string: no run of "1-1-1-" stalls it
    email_facts = find_email_facts(root, strings, anchors, joined)
    items = _items(structured)
    return PageFacts(
        url=url,
        title=_clean(text_of(title)) if title is not None else None,
        description=_meta_content(elements["meta"], "description") or opengraph.get("og:description"),
        site_name=opengraph.get("og:site_name"),
        language=str(html_tag.get("lang")) if html_tag is not None and html_tag.get("lang") else None,
        organizations=organizations_from(structured),
        job_industries=[
            str(item["industry"])
            for item in _items(structured)
            if _types(item) & {"JobPosting"} and item.get("industry")
        ],
        copyright_line=copyright_line,
        copyright_holder=copyright_holder(copyright_line) if copyright_line else None,
        emails=[fact.address for fact in email_facts],
        phones=read_phones(phone_sources, region),
        social_links=social_links(links),
        logo_texts=logo_texts(root, elements["img"]),
        publishers=publisher_names(structured.get("json-ld", [])),
        email_facts=email_facts,
        text=text,
        page_links=find_page_links(links, url, ruby=ruby),
        industry=find_labelled_value(root, INDUSTRY_LABELS, _label_terms(elements)),
        address_lines=find_address_lines(root, elements["address"]),
        managers=_unique(match.strip() for match in MANAGER_RE.findall(text)),
        is_article=is_article_page(url, root, items, opengraph, elements["meta"]),
        website_description=next(
            (
                _clean(str(item["description"]))
                for item in items
                if "WebSite" in _types(item)
                and isinstance(item.get("description"), str)
                and item["description"].strip()
            ),
            None,
        ),
        founding=founding_statements(blocks),
        headcounts=headcount_statements(blocks),
        addresses=page_addresses(root, blocks),
        phone_sources=phone_sources,
    )


# The tags the readers of the whole page look up before its non-content is cut (JSON-LD scripts,
# OpenGraph heads and metas, the non-content itself), found in one walk of it.
UNCUT_ELEMENT_TAGS = ("head", "meta", *NON_CONTENT_TAGS)
# The tags several readers look up, found in one walk of the page once its non-content is cut (each
# reader's own lookup would walk the whole tree again, in C: a few percent of the parse each).
PAGE_ELEMENT_TAGS = ("a", "img", "footer", "meta", "address", *LABEL_TAGS)
STRUCTURED_SYNTAXES = ("json-ld", "microdata")  # OpenGraph is read by ``_opengraph``
MICRODATA_MARK = "itemscope"
MICRODATA_REFERENCE = "itemref"  # an item's properties in elements elsewhere, found by XPath's id()


def _has_attribute(tree: Element, html: str, name: str) -> bool:
    """Whether an element of the page has attribute ``name`` (lower case), or its source holds the name.

    Pages spell attributes in lower case, found by a plain substring search; any other page is asked in
    C for the attribute (the HTML parser lowers attribute names), cheaper than lowering the whole source.
    """
    return name in html or bool(_attribute_xpath(name)(tree))


@cache
def _attribute_xpath(name: str) -> Any:
    return etree.XPath(f"boolean(//@{name})")


def _structured_data(
    tree: Element, url: str, html: str, scripts: Sequence[Element]
) -> dict[str, list[dict[str, Any]]]:
    # ``scripts``: the page's ``<script>`` elements (``elements_by_tag``'s walk before the cut).
    # Microdata is read from elements with an ``itemscope`` attribute: without one, extruct's two XPath
    # walks of the whole tree would find nothing. JSON-LD is read from the scripts whose type is exactly
    # ``JSONLD_TYPE`` (extruct's XPath): without one (most pages), its walk of the tree would find none.
    marked = _has_attribute(tree, html, MICRODATA_MARK)
    typed = any(script.get("type") == JSONLD_TYPE for script in scripts)
    read = {"microdata": marked, "json-ld": typed}
    syntaxes = [syntax for syntax in STRUCTURED_SYNTAXES if read[syntax]]
    if marked and _has_attribute(tree, html, MICRODATA_REFERENCE):
        # extruct finds an ``itemref``'s elements with XPath's id(), which reads the table of ids the
        # parse leaves out: this page is read again with it (the same tree, plus the table).
        tree = parse_document(html, ids=True)
    data = _extruct(tree, url, syntaxes) if syntaxes else {}  # a syntax left out reads as none found
    # Blocks extruct could not read (wrapped in CDATA or a comment) are read leniently.
    lenient = jsonld_items(lenient_jsonld(document_root(tree), scripts))
    if len(lenient) > len(data.get("json-ld", [])):
        data["json-ld"] = lenient
    return data


def _extruct(tree: Element, url: str, syntaxes: list[str]) -> dict[str, list[dict[str, Any]]]:
    """extruct's reading of ``syntaxes`` in ``tree``, each syntax alone when reading them together fails."""
    try:
        data: dict[str, list[dict[str, Any]]] = extruct.extract(
            tree, base_url=url, syntaxes=syntaxes, uniform=True, errors="ignore"
        )
    except (ValueError, KeyError):
        # extruct raises on some malformed documents (a syntax it failed on is missing when it makes the
        # output uniform: KeyError): read each syntax alone, so one broken itemtype costs only its own.
        data = {}
        for syntax in syntaxes:
            try:
                one = extruct.extract(tree, base_url=url, syntaxes=[syntax], uniform=True, errors="ignore")
                data.update(one)
            except (ValueError, KeyError):
                continue
    return data


def _items(structured: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """JSON-LD and microdata nodes (``@graph`` flattened), each tagged with ``SYNTAX_KEY``."""
    items: list[dict[str, Any]] = []
    for syntax in ("json-ld", "microdata"):
        for item in structured.get(syntax, []):
            graph = item.get("@graph") if isinstance(item, dict) else None
            nodes = graph if isinstance(graph, list) else [item]
            items.extend({**node, SYNTAX_KEY: syntax} for node in nodes if isinstance(node, dict))
    return items


def _types(item: dict[str, Any]) -> set[str]:
    raw = item.get("@type", [])
    names = raw if isinstance(raw, list) else [raw]
    return {str(name).rsplit("/", 1)[-1] for name in names}


def organizations_from(structured: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """schema.org Organization-like records (any subtype), JSON-LD first, then microdata."""
    found = []
    for item in _items(structured):
        types = _types(item)
        if types & ORGANIZATION_TYPES or (
            not types & NON_ORGANIZATION_TYPES
            and item.get("name")
            and ("address" in item or "sameAs" in item)
        ):
            found.append(item)
    return found


def _opengraph(
    root: Element, *, heads: bool = True, elements: dict[str, list[Element]] | None = None
) -> dict[str, str]:
    """The page's ``og:*`` values: as extruct's OpenGraph reader gives them, then any other ``og:`` meta.

    extruct's reading, written out (its ``head`` property scans the whole tree twice over): per
    ``<head>``, its own ``<meta property content>`` children, the first value of each property (a later
    non-empty one replacing an empty one), ``og:type`` moved out of the properties; a later head's
    values win. Then every ``og:`` meta of the page adds what is still missing, first one first.
    ``heads`` is False for a page extruct never read (lxml refused its str): only the second reading.
    ``elements`` are the page's ``<head>`` and ``<meta>`` elements (``elements_by_tag``), when the caller
    has them already.
    """
    values: dict[str, str] = {}
    for head in (elements["head"] if elements is not None else root.iter("head")) if heads else ():
        flattened: dict[str, str] = {}
        for meta in head.iterchildren("meta"):
            prop, content = meta.get("property"), meta.get("content")
            if prop is None or content is None:
                continue
            if prop not in flattened:
                flattened[prop] = content
            elif content.strip() and not flattened[prop].strip():
                flattened[prop] = content
        flattened.pop("og:type", None)
        values.update({k: v for k, v in flattened.items() if k.startswith("og:")})
    for tag in elements["meta"] if elements is not None else root.iter("meta"):
        prop = tag.get("property")
        if prop is not None and prop.startswith("og:"):
            values.setdefault(prop, tag.get("content", ""))
    return {k: _clean(v) for k, v in values.items() if v and v.strip()}


def _meta_content(metas: Sequence[Element], name: str) -> str | None:
    # Names are case-insensitive in HTML: <meta name=Description> is the description.
    tag = next((meta for meta in metas if (meta.get("name") or "").lower() == name), None)
    content = tag.get("content") if tag is not None else None
    return _clean(str(content)) if content and str(content).strip() else None


def find_copyright_line(
    root: Element,
    strings: Sequence[PageString] | None = None,
    joined: JoinedTexts | None = None,
    footers: Sequence[Element] | None = None,
) -> str | None:
    """The footer's copyright statement, e.g. "© 2009-2025 Acme Robotics Inc. All rights reserved.".

    ``strings`` are the page's ``page_strings`` (comments' text among them) when the caller has them,
    ``joined`` the ``JoinedTexts`` of their texts, ``footers`` its ``<footer>`` elements.
    """
    footers = list(footers if footers is not None else root.iter("footer"))
    # Only a string with a mark can be (or sit beside) the statement: the rest of the page is not read.
    strings = strings if strings is not None else page_strings(root)
    joined = joined if joined is not None else JoinedTexts([string for string, _, _ in strings])
    indexes = joined.matching(COPYRIGHT_MARK_RE, LOWER_COPYRIGHT_MARK_RE)
    marked = [(strings[index][0], strings[index][1]) for index in indexes]
    read: set[Element] = set()  # a parent whose text is empty stays empty: thousands of comments in it
    for container in reversed(footers or [root]):
        for string, parent in marked:
            if parent is not container and container not in parent.iterancestors():
                continue
            if BARE_COPYRIGHT_MARK_RE.match(string) and parent.getparent() is not None:
                # <span class="copyright">©</span> 2015 Acme: the line is around it
                parent = parent.getparent()
                string = text_of(parent, " ", strip=True)
            if parent not in read and COPYRIGHT_RE.search(string):
                read.add(parent)
                line = _clean(text_of(parent, " ", strip=True))
                if line:
                    return line
    if not footers:  # a comment beside <html> sits in the document, whose text is the whole page
        for comment in top_level_comments(root):
            if COPYRIGHT_RE.search(comment) and (line := _clean(text_of(root, " ", strip=True))):
                return line
    return None


def copyright_holder(line: str) -> str | None:
    """The company named in a copyright line, without symbol, years and "all rights reserved"."""
    match = COPYRIGHT_RE.search(line)
    if not match:
        return None
    holder = RIGHTS_RE.sub("", match.group(1))
    holder = YEAR_SPAN_RE.sub("", holder)
    holder = re.sub(r"^(?:©|copyright)\s*", "", holder.strip(), flags=re.IGNORECASE)
    holder = holder.strip(" .,-\u2013|")
    return holder or None


def resolve_href(base_url: str, href: str, base: SplitResult | None = None) -> tuple[str, SplitResult]:
    """An href made absolute, with its parts, as ``urljoin`` makes it.

    Four forms skip the join: an absolute http(s) href, and one of another scheme than the base's,
    which it gives back unchanged, a plain root-relative path, which it appends to the base's origin,
    and a plain protocol-relative one, which it gives the base's scheme. ``base`` is
    ``urlsplit(base_url)`` when the caller resolves many hrefs against it.
    """
    # Each fast form is told by its first characters: an href is tried against the one it may be.
    root_path = PLAIN_ROOT_PATH_RE.fullmatch(href) if href[:1] == "/" else None
    if root_path is not None and "/." not in href:
        base = base if base is not None else urlsplit(base_url)
        if base.scheme in ("http", "https") and base.netloc:
            # The parts urlsplit would give the joined URL: the base's origin, then the href's own parts
            # (the pattern admits nothing urlsplit would clean).
            return f"{base.scheme}://{base.netloc}{href}", SplitResult(
                base.scheme, base.netloc, *root_path.groups("")
            )
    plain = _plain_absolute_parts(href) if href[:4] == "http" else None
    if plain is not None:
        return href, plain
    if href[:2] == "//" and ";" not in href:
        # Protocol-relative: urljoin reads it in the base's scheme and puts it back together through
        # urlunparse, which drops an empty query or fragment and moves params (";"): without those, the
        # base's scheme and the href as written.
        base = base if base is not None else urlsplit(base_url)
        rest, hash_mark, fragment = href.partition("#")
        _, question_mark, query = rest.partition("?")
        if (
            base.scheme in ("http", "https")
            and bool(fragment) >= bool(hash_mark)
            and bool(query) >= bool(question_mark)
        ):
            url = f"{base.scheme}:{href}"
            plain = _plain_absolute_parts(url)
            if plain is not None:
                return url, plain
    if href[:1] == "#" and len(href) > 1 and not URL_BYTES_REMOVED_RE.search(href):
        # A fragment of the page itself: urljoin puts the base back together without its fragment (the
        # same for every fragment) and appends this one, which urlsplit gives as it is written.
        page, page_parts = _page_without_fragment(base_url)
        if page_parts.scheme in ("http", "https"):
            return f"{page}{href}", SplitResult(
                page_parts.scheme, page_parts.netloc, page_parts.path, page_parts.query, href[1:]
            )
    parts = urlsplit(href)
    if parts.scheme in ("http", "https") and parts.netloc:
        return href, parts
    if parts.scheme and parts.scheme != (base if base is not None else urlsplit(base_url)).scheme:
        return href, parts  # "mailto:", "javascript:": urljoin gives an href of another scheme back as is
    url = urljoin(base_url, href)
    return url, urlsplit(url)


@lru_cache(maxsize=PAGES_RESOLVED_AT_ONCE)
def _page_without_fragment(base_url: str) -> tuple[str, SplitResult]:
    """The page URL as urljoin gives it for a bare "#" (put back together, no fragment), with its parts."""
    page = urljoin(base_url, "#")
    return page, urlsplit(page)


def _plain_absolute_parts(href: str) -> SplitResult | None:
    """``urlsplit(href)`` of an absolute http(s) href with nothing urlsplit strips or checks, else None."""
    plain = PLAIN_ABSOLUTE_RE.fullmatch(href)
    if plain is None:
        return None
    parts = SplitResult(*plain.groups(""))
    # A non-ASCII netloc urlsplit normalizes to check it, brackets (IPv6) it checks: it reads those.
    if not parts.netloc.isascii() or "[" in parts.netloc or "]" in parts.netloc:
        return None
    return parts  # what urlsplit gives it, without its Python-level scan


class PageLink(NamedTuple):
    """An ``<a href>`` of the page: its absolute URL, the URL's parts, the element and the URL's host."""

    url: str
    parts: SplitResult
    element: Element
    host: str | None  # ``parts.hostname``, a property that parses the netloc on every read


def absolute_links(root: Element, base_url: str, anchors: Sequence[Anchor] | None = None) -> list[PageLink]:
    """Every ``<a>`` with an ``href``, resolved against the page URL once for all readers.

    ``anchors`` are the page's ``page_anchors`` when the caller has them already.
    """
    links: list[PageLink] = []
    # menus repeat the same hrefs
    resolved: dict[str, tuple[str, SplitResult, str | None]] = {}
    base = urlsplit(base_url)
    # Most links stay on the page's own site or go to a few others: each netloc's host is read once.
    hosts: dict[str, str | None] = {base.netloc: base.hostname}
    for element, href in anchors if anchors is not None else page_anchors(root):
        known = resolved.get(href)
        if known is None:
            try:
                url, parts = resolve_href(base_url, href, base)
            except ValueError:  # "http://[": a link nobody can follow says nothing
                continue
            if parts.netloc not in hosts:
                hosts[parts.netloc] = parts.hostname
            known = resolved[href] = (url, parts, hosts[parts.netloc])
        url, parts, host = known
        links.append(PageLink(url, parts, element, host))
    return links


def first_of(text: str, words: Sequence[str]) -> int:
    """Where the first of ``words`` in ``text`` starts (-1: none), as a regex alternation of them finds it.

    One substring search per word, each only up to where an earlier word was found: str.find skips
    through text far faster than re tries the alternation at every position.
    """
    first = -1
    for word in words:
        end = len(text) if first == -1 else first + len(word) - 1  # an occurrence starting before it
        found = text.find(word, 0, end)
        if found != -1:
            first = found
    return first


def find_page_links(links: list[PageLink], base_url: str, *, ruby: bool = True) -> dict[str, str]:
    """Same-site links to the about, contact and careers pages (first match of each).

    Each link's path and text are read once and joined (NUL between, no word holds one): each kind's
    words are then looked for in them all at once, the first found naming its link. ``ruby`` False: the
    page holds no ruby annotation (``has_ruby``), none is looked for around each link.
    """
    base_host = urlsplit(base_url).hostname
    # cutting the fragment changes neither host, scheme nor path
    own = [link for link in links if link.host == base_host and link.parts.scheme in ("http", "https")]
    haystacks = "\0".join(
        f"{link.parts.path} {text_of(link.element, ' ', strip=True, ruby=ruby)}" for link in own
    ).lower()
    firsts = []  # (link index, kind's place, kind): the order the kinds are met in, link by link
    for place, (kind, words) in enumerate(PAGE_KEYWORDS.items()):
        start = first_of(haystacks, words)
        if start != -1:
            firsts.append((haystacks.count("\0", 0, start), place, kind))
    return {kind: own[index].url.split("#", 1)[0] for index, _, kind in sorted(firsts)}


def _label_terms(elements: dict[str, list[Element]]) -> list[Element] | None:
    """The page's ``LABEL_TAGS`` elements in page order from ``elements_by_tag``'s lists, when one tag's
    list is all of them; None when the page has both (their order is the tree's)."""
    present = [elements[tag] for tag in LABEL_TAGS if elements[tag]]
    return None if len(present) > 1 else (present[0] if present else [])


def find_labelled_value(
    root: Element, labels: frozenset[str], terms: Sequence[Element] | None = None
) -> str | None:
    """The value printed beside a label: ``<dt>Industry</dt><dd>X</dd>`` or ``<th>``/``<td>`` pairs.

    ``terms`` are the page's ``LABEL_TAGS`` elements in page order when the caller has them already.
    """
    following: dict[Element, Element | None] = {}
    for term in terms if terms is not None else root.iter(*LABEL_TAGS):
        if _clean(text_of(term)).strip(" :").lower() in labels:
            value = _next_value_cell(term, following)
            if value is not None and _clean(text_of(value)):
                return _clean(text_of(value, " ", strip=True))
    return None


def _next_value_cell(term: Element, following: dict[Element, Element | None]) -> Element | None:
    """The first dd/td sibling after ``term``; ``following`` remembers it for every sibling walked past.

    A row of thousands of labels would otherwise make each one scan all the siblings after it.
    """
    walked = []
    found = None
    for sibling in term.itersiblings():
        if sibling in following:  # the first value at or after this sibling is already known
            found = following[sibling]
            break
        if sibling.tag in VALUE_TAGS:
            found = sibling
            break
        walked.append(sibling)
    for sibling in walked:
        following[sibling] = found
    return found


def find_address_lines(root: Element, addresses: Sequence[Element] | None = None) -> list[str]:
    """Lines of the first ``<address>`` element, as printed.

    ``addresses`` are the page's ``<address>`` elements in page order when the caller has them already
    (most pages have none: asked for the first, XPath walks the whole tree).
    """
    address = first_element(root, "address") if addresses is None else next(iter(addresses), None)
    if address is None:
        return []
    return [line for line in (_clean(s) for s in text_of(address, "\n").split("\n")) if line]


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(values))


def _clean(value: str) -> str:
    return WHITESPACE_RE.sub(" ", value).strip()
