"""Search providers against recorded answers in the sandbox, and the official-site exclusion list."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from sandbox.web import SandboxWeb
from server.extraction.fetcher import WebFetcher
from server.extraction.search.base import build_search_provider, excluded_reason
from server.extraction.search.brave import BraveSearch
from server.extraction.search.duckduckgo import DuckDuckGoSearch, parse_results, target_of
from server.extraction.search.searxng import SearxngSearch
from server.settings import Settings


async def test_duckduckgo_results_skip_ads_and_unwrap_redirect_links(fetcher: WebFetcher) -> None:
    results = await DuckDuckGoSearch(fetcher).search("Acme Robotics Inc.", country="US", language="en")
    assert [r.url for r in results] == [
        "https://www.linkedin.com/company/acme-robotics",
        "https://www.crunchbase.com/organization/acme-robotics",
        "https://acme-robotics.example/",
    ]
    assert [r.rank for r in results] == [1, 2, 3]
    assert results[2].title.startswith("Acme Robotics |")


async def test_duckduckgo_region_selects_the_country_specific_answer(fetcher: WebFetcher) -> None:
    provider = DuckDuckGoSearch(fetcher)
    british = await provider.search("Meridian Foods", country="GB", language="en")
    american = await provider.search("Meridian Foods", country="US", language="en")
    assert [r.url for r in british] == ["https://meridianfoods.test/"]
    assert [r.url for r in american] == ["https://meridianfoods.example/"]


async def test_duckduckgo_unknown_query_has_no_results(fetcher: WebFetcher) -> None:
    assert (
        await DuckDuckGoSearch(fetcher).search("Zephyr Quantum Holdings", country="US", language="en") == []
    )


def test_a_result_page_is_read_without_building_a_beautifulsoup_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Result pages are read on the event loop, once per query: from lxml's tree (``markup``), whose
    parse costs a tenth of BeautifulSoup's tree building; results are found by class, ads skipped."""

    def no_soup(*args: object, **kwargs: object) -> None:
        raise AssertionError("a BeautifulSoup tree was built")

    monkeypatch.setattr(BeautifulSoup, "__init__", no_soup)
    html = (
        '<div class="results"><div class="result result--ad"><a class="result__a" href="https://ad.example/">'
        'Ad</a></div><div class="web-result result"><h2><a class="result__a big" href="'
        '//duckduckgo.com/l/?uddg=https%3A%2F%2Facme.example%2F">Acme<script>track()</script> <!-- x -->'
        "Robotics</a></h2>"
        '<div><span class="result__snippet">Acme makes robots.</span></div></div>'
        '<div class="result"><a class="result__url" href="https://nolink.example/">no title</a></div>'
        "</div>"
    )
    results = parse_results(html, "https://html.duckduckgo.com/html/")
    assert [(r.url, r.title, r.snippet, r.rank) for r in results] == [
        ("https://acme.example/", "Acme Robotics", "Acme makes robots.", 1)
    ]


def test_a_result_page_that_declares_an_xml_encoding_is_read_all_the_same() -> None:
    html = (
        '<?xml version="1.0" encoding="utf-8"?><html><body><div class="result">'
        '<a class="result__a" href="https://acme.example/">Acme Robotics</a></div></body></html>'
    )
    results = parse_results(html, "https://html.duckduckgo.com/html/")
    assert [(r.url, r.title) for r in results] == [("https://acme.example/", "Acme Robotics")]


def test_redirect_target_is_decoded_and_plain_links_are_kept() -> None:
    wrapped = "https://duckduckgo.com/l/?uddg=https%3A%2F%2Fwww.acme.com%2Fabout&rut=x"
    assert target_of(wrapped) == "https://www.acme.com/about"
    assert target_of("https://www.acme.com/") == "https://www.acme.com/"


def _api_corpus(root: Path, host: str, path: str, query: dict[str, str], body: object) -> None:
    site = root / "sites" / host
    (site / "_responses").mkdir(parents=True)
    (site / "_responses" / "answer.json").write_text(json.dumps(body))
    route = {"method": "GET", "path": path, "query": query, "status": 200, "content_type": "application/json",
             "body_file": "_responses/answer.json"}  # fmt: skip
    (site / "_meta.json").write_text(json.dumps({"routes": [route]}))


@pytest.fixture
async def api_fetcher(tmp_path: Path) -> AsyncIterator[WebFetcher]:
    searx = {
        "query": "Acme",
        "number_of_results": 0,
        "results": [
            {
                "url": "https://acme.example/",
                "title": "Acme",
                "content": "Robots",
                "engine": "duckduckgo",
                "parsed_url": ["https", "acme.example", "/", "", "", ""],
                "engines": ["duckduckgo"],
                "positions": [1],
                "score": 1.0,
                "category": "general",
            }
        ],
        "answers": [],
        "corrections": [],
        "infoboxes": [],
        "suggestions": [],
        "unresponsive_engines": [],
    }
    brave = {
        "type": "search",
        "query": {"original": "Acme"},
        "web": {
            "type": "search",
            "results": [
                {
                    "title": "Acme",
                    "url": "https://acme.example/",
                    "description": "Robots",
                    "is_source_local": False,
                    "meta_url": {
                        "scheme": "https",
                        "netloc": "acme.example",
                        "hostname": "acme.example",
                        "path": "",
                    },
                }
            ],
        },
    }
    _api_corpus(
        tmp_path, "searx.example", "/search", {"q": "Acme", "format": "json", "language": "en-US"}, searx
    )
    _api_corpus(tmp_path, "api.search.brave.com", "/res/v1/web/search", {"q": "Acme", "country": "US"}, brave)
    async with SandboxWeb(tmp_path) as web:
        web_fetcher = WebFetcher(Settings(**web.settings_overrides()))
        yield web_fetcher
        await web_fetcher.aclose()


async def test_searxng_json_results_are_read_in_order(api_fetcher: WebFetcher) -> None:
    results = await SearxngSearch(api_fetcher, "https://searx.example").search(
        "Acme", country="US", language="en"
    )
    assert [(r.url, r.snippet, r.rank) for r in results] == [("https://acme.example/", "Robots", 1)]


async def test_brave_web_results_are_read_in_order(api_fetcher: WebFetcher) -> None:
    results = await BraveSearch(api_fetcher, "key").search("Acme", country="US", language="en")
    assert [(r.url, r.title) for r in results] == [("https://acme.example/", "Acme")]


@pytest.mark.parametrize(
    ("host", "excluded"),
    [
        pytest.param("www.linkedin.com", True, id="social"),
        pytest.param("de.wikipedia.org", True, id="encyclopedia"),
        pytest.param("www.crunchbase.com", True, id="directory"),
        pytest.param("www.reuters.com", True, id="news"),
        pytest.param("acme-robotics.example", False, id="company"),
    ],
)
def test_directories_social_networks_and_news_are_never_official_sites(host: str, excluded: bool) -> None:
    assert (excluded_reason(host) is not None) is excluded


def test_provider_choice_follows_settings_and_needs_its_configuration(fetcher: WebFetcher) -> None:
    assert (
        build_search_provider("duckduckgo", fetcher, searxng_url=None, brave_api_key=None).name
        == "duckduckgo"
    )
    assert build_search_provider("none", fetcher, searxng_url=None, brave_api_key=None).name == "none"
    with pytest.raises(ValueError, match="brave_api_key"):
        build_search_provider("brave", fetcher, searxng_url=None, brave_api_key=None)
    with pytest.raises(ValueError, match="unknown"):
        build_search_provider("altavista", fetcher, searxng_url=None, brave_api_key=None)
