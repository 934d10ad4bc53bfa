"""What kind of page a page is: the site's home, an about page, an article, or some other page. Pure.

A page states facts about its company only where the company speaks about itself. A news article, a
blog post, a wiki entry or a partner's story is about something else: its summary is no description of
the company, and "founded in 2005" in its body is someone else's founding. So the website source asks
this module, per page, whether the page is an article (then only its site furniture is read: structured
Organization records, footer, imprint) and whether it is the home or about page (the only pages whose
meta description describes the company rather than the page).

An article is recognised by what publishers mark (schema.org Article types, ``og:type=article``,
``article:published_time``), by an ``<article>`` element holding most of the page's main text, or by a
URL laid out the way publishing systems lay out posts (``/blog/...``, ``/news/...``, ``/2024/06/25/...``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from server.extraction.markup import Element, page_body, text_of

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
        "OpinionNewsArticle",
        "AnalysisNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "SocialMediaPosting",
        "DiscussionForumPosting",
    }
)
ARTICLE_OG_TYPES = frozenset({"article", "blog", "news"})
ARTICLE_META = ("article:published_time", "article:author", "article:section")
# Path segments under which publishing systems file posts, in the languages the service reads.
ARTICLE_PATH_SEGMENTS = frozenset(
    {
        "blog", "blogs", "news", "article", "articles", "artikel", "wiki", "press-release",
        "press-releases", "pressemitteilung", "pressemitteilungen", "stories", "story", "post", "posts",
        "aktuelles", "aktuell", "neuigkeiten", "actualites", "actualités", "actualite", "noticias",
        "magazine", "magazin", "journal", "insights",
    }
)  # fmt: skip
DATED_PATH_RE = re.compile(r"/(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])(?:/|$)")
# A home page may be a language root: "/", "/en/", "/de-DE/", "/index.html", "/en/home".
HOME_SEGMENT_RE = re.compile(
    r"^(?:[a-z]{2}(?:[-_][a-z]{2,4})?|(?:index|home|start|startseite|accueil|inicio)(?:\.\w{2,5})?)$"
)
ABOUT_SEGMENT_WORDS = (
    "about", "ueber-uns", "uber-uns", "über-uns", "unternehmen", "a-propos", "qui-sommes-nous",
    "who-we-are", "our-story", "company", "sobre-nosotros", "quienes-somos", "chi-siamo",
)  # fmt: skip
# Site furniture around an article: its text is not the article's.
FURNITURE_TAGS = ("header", "nav", "footer", "aside")
ARTICLE_SHARE = 0.5  # an <article> holding at least this share of the main text makes the page one
MIN_ARTICLE_CHARS = 400  # teaser cards (<article class="card">) are no article page


def is_article_page(
    url: str,
    root: Element,
    items: Iterable[dict[str, Any]],
    opengraph: dict[str, str],
    metas: Iterable[Element] | None = None,
) -> bool:
    """Whether the page is a news article, blog post or similar, which states nothing about the company.

    Args:
        url: the page's final URL.
        root: the page's tree, non-content elements already cut.
        items: the page's top-level JSON-LD and microdata nodes.
        opengraph: the page's ``og:*`` values.
        metas: the page's ``<meta>`` elements, when the caller has them already.
    """
    if any(_types(item) & ARTICLE_TYPES for item in items):
        return True
    if opengraph.get("og:type", "").strip().lower() in ARTICLE_OG_TYPES:
        return True
    if any(
        tag.get("property") in ARTICLE_META for tag in (metas if metas is not None else root.iter("meta"))
    ):
        return True
    if is_article_url(url):
        return True
    # Some publishing systems wrap every page in <article>, the home and about pages too.
    return not (is_home_url(url) or is_about_url(url)) and _article_dominates(root)


def is_article_url(url: str) -> bool:
    """Whether the URL's path is laid out like a post's: a publishing section or a dated path."""
    path = urlsplit(url).path.lower()
    segments = [segment for segment in path.split("/") if segment]
    if len(segments) < 2:  # "/blog" itself is the section's index, "/news" a listing
        return False
    return any(segment in ARTICLE_PATH_SEGMENTS for segment in segments[:-1]) or bool(
        DATED_PATH_RE.search(path)
    )


def is_home_url(url: str) -> bool:
    """Whether the URL is a site's home page: its root, or a language root of it."""
    segments = [segment for segment in urlsplit(url).path.lower().split("/") if segment]
    return len(segments) <= 2 and all(HOME_SEGMENT_RE.match(segment) for segment in segments)


def is_about_url(url: str) -> bool:
    """Whether the URL is the site's about page (``/about/``, ``/de/ueber-uns``, ``/company``)."""
    segments = [segment for segment in urlsplit(url).path.lower().split("/") if segment]
    if not segments or len(segments) > 3:
        return False
    return any(word in segments[-1] for word in ABOUT_SEGMENT_WORDS)


def _article_dominates(root: Element) -> bool:
    body = page_body(root)
    longest = max((len(text_of(article, " ", strip=True)) for article in body.iter("article")), default=0)
    if longest < MIN_ARTICLE_CHARS:  # most pages have no <article> at all: no need to measure the page
        return False
    furniture = sum(len(text_of(element, " ", strip=True)) for element in _outermost(body, FURNITURE_TAGS))
    main = len(text_of(body, " ", strip=True)) - furniture
    return longest >= ARTICLE_SHARE * max(main, 1)


def _outermost(body: Element, tags: tuple[str, ...]) -> list[Element]:
    """Elements of these tags not inside another of them (so no text is counted twice)."""
    return [element for element in body.iter(*tags) if next(element.iterancestors(*tags), None) is None]


def _types(item: dict[str, Any]) -> set[str]:
    raw = item.get("@type", [])
    names = raw if isinstance(raw, list) else [raw]
    return {str(name).rsplit("/", 1)[-1] for name in names}
