"""Domains from the name with the production TLD list, and names matched across scripts.

Each test serves a few sites from a throwaway corpus on the sandbox web (real HTTPS over loopback): a
host that is not in the corpus refuses the TLS handshake, as a name that does not resolve would.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.web import SandboxWeb
from server.domain import ExtractionRequest
from server.errors import CompanyAnalysisError
from server.extraction.candidates.derived import core_words, domain_candidates, name_as_domain
from server.extraction.fetcher import WebFetcher
from server.extraction.resolve import brand_label, name_match_score, names_exactly, resolve_domain
from server.extraction.sources.registry import domain_finders
from server.extraction.sources.wikidata_api import item_names
from server.settings import Settings

PRODUCTION_TLDS = Settings().resolve_tlds


def _page(title: str, body: str = "") -> str:
    return f"<!doctype html><html><head><title>{title}</title></head><body><p>{body}</p></body></html>"


SITES: dict[str, dict[str, str]] = {
    "openfield.org": {"index.html": _page("Openfield")},
    "www.quarry-lane.com": {"index.html": _page("Quarry Lane | Stonework")},
    "halvard.com": {"_meta.json": json.dumps({"redirect_to": "https://www.halvard.de"})},
    "www.halvard.de": {"index.html": _page("Halvard Deutschland")},
    "random.org": {"index.html": _page("RANDOM.ORG - True Random Number Service")},
    "sommer.de": {"index.html": _page("Kanzlei Sommer | Rechtsanwälte in Köln")},
    "yandex.ru": {"index.html": _page("Яндекс")},
    "www.tengxun.com": {"index.html": _page("腾讯首页")},
    "egf.org": {
        "index.html": _page("EGF Annual Report 2015", "The Electric Garden Foundation thanks its members.")
    },
    "egg.org": {"index.html": _page("EGG Annual Report", "Nothing about gardens.")},
    "www.gardenpress.com": {
        "index.html": _page("EGF wins an award", "The Electric Garden Foundation won an award.")
    },
    "stall-apex.com": {"_meta.json": json.dumps({"failure": "timeout"})},
    "www.stall-apex.com": {"index.html": _page("Stall Apex")},
}


@pytest.fixture
async def small_web(tmp_path: Path) -> AsyncIterator[SandboxWeb]:
    for host, files in SITES.items():
        folder = tmp_path / "sites" / host
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text, "utf-8")
    async with SandboxWeb(tmp_path) as web:
        yield web


@pytest.fixture
async def production_tlds(small_web: SandboxWeb) -> AsyncIterator[tuple[WebFetcher, Settings]]:
    """Sandbox settings with the production TLD list and no knowledge or search services."""
    overrides = {**small_web.settings_overrides(), "knowledge_sources": [], "search_provider": "none"}
    overrides.pop("resolve_tlds")
    settings = Settings(**overrides, fetch_timeout_seconds=2.0)
    fetcher = WebFetcher(settings)
    yield fetcher, settings
    await fetcher.aclose()


async def _resolve(
    web: tuple[WebFetcher, Settings],
    name: str,
    country: str = "US",
    language: str = "en",
    hint: str | None = None,
) -> str:
    fetcher, settings = web
    request = ExtractionRequest(name, country=country, language=language, domain_hint=hint)
    return (await resolve_domain(request, fetcher, settings, domain_finders(fetcher, settings))).domain


async def test_an_org_domain_is_found_from_the_name(production_tlds: tuple[WebFetcher, Settings]) -> None:
    assert await _resolve(production_tlds, "Openfield") == "openfield.org"


async def test_a_site_served_only_at_www_is_found_through_its_bare_domain(
    production_tlds: tuple[WebFetcher, Settings],
) -> None:
    assert await _resolve(production_tlds, "Quarry Lane Ltd", country="GB") == "quarry-lane.com"


async def test_an_apex_that_hangs_is_not_retried_at_www(production_tlds: tuple[WebFetcher, Settings]) -> None:
    """A timeout means the host exists but hangs; a www. retry would only double the wait."""
    with pytest.raises(CompanyAnalysisError) as caught:
        await _resolve(production_tlds, "Stall Apex")
    assert "name candidate stall-apex.com: rejected, unreachable (Timed out" in caught.value.details
    assert "www.stall-apex.com" not in caught.value.details


async def test_a_hint_that_is_no_valid_hostname_is_rejected_not_fetched(
    production_tlds: tuple[WebFetcher, Settings],
) -> None:
    fetcher, settings = production_tlds
    request = ExtractionRequest("Openfield", domain_hint="xn--aaaaaaaaaa.com")
    resolution = await resolve_domain(request, fetcher, settings, domain_finders(fetcher, settings))
    assert resolution.notes[0] == "hint candidate xn--aaaaaaaaaa.com: rejected, not a valid hostname"
    assert resolution.domain == "openfield.org"


async def test_a_redirect_to_a_country_edition_keeps_the_brands_own_domain(
    production_tlds: tuple[WebFetcher, Settings],
) -> None:
    fetcher, settings = production_tlds
    resolution = await resolve_domain(
        ExtractionRequest("Halvard"), fetcher, settings, domain_finders(fetcher, settings)
    )
    assert resolution.domain == "halvard.com"
    assert resolution.home.host == "www.halvard.de"
    assert "halvard.de is a country edition of halvard.com" in resolution.notes[-1]


async def test_a_name_that_is_a_domain_is_tried_as_written_first(
    production_tlds: tuple[WebFetcher, Settings],
) -> None:
    fetcher, settings = production_tlds
    resolution = await resolve_domain(
        ExtractionRequest("RANDOM.ORG"), fetcher, settings, domain_finders(fetcher, settings)
    )
    assert resolution.domain == "random.org"
    assert resolution.notes == [resolution.notes[0]]  # the first candidate verified
    assert resolution.notes[0].startswith("name candidate random.org: accepted")


async def test_a_generic_leading_word_is_dropped_as_a_second_try(
    production_tlds: tuple[WebFetcher, Settings],
) -> None:
    assert await _resolve(production_tlds, "Kanzlei Sommer", country="DE", language="de") == "sommer.de"


async def test_a_cyrillic_page_name_verifies_a_latin_name(
    production_tlds: tuple[WebFetcher, Settings],
) -> None:
    assert await _resolve(production_tlds, "Yandex", country="RU", hint="yandex.ru") == "yandex.ru"


async def test_a_hinted_page_that_names_the_chinese_name_as_written_is_accepted(
    production_tlds: tuple[WebFetcher, Settings],
) -> None:
    assert await _resolve(production_tlds, "腾讯", country="CN", hint="www.tengxun.com") == "tengxun.com"


async def test_containing_the_chinese_name_is_not_enough_without_a_hint(
    production_tlds: tuple[WebFetcher, Settings],
) -> None:
    """tengxun.com derived from the name and titled "腾讯首页" scores too low: only a hint vouches."""
    with pytest.raises(CompanyAnalysisError) as caught:
        await _resolve(production_tlds, "腾讯", country="CN")
    assert "name candidate tengxun.com" in caught.value.details


async def test_a_page_calling_itself_by_the_initials_and_stating_the_full_name_verifies(
    production_tlds: tuple[WebFetcher, Settings],
) -> None:
    assert await _resolve(production_tlds, "Electric Garden Foundation") == "egf.org"


async def test_a_page_titled_with_the_initials_on_another_domain_does_not_verify(
    production_tlds: tuple[WebFetcher, Settings],
) -> None:
    """A news site's article about the company has the initials in its title and the full name in its text."""
    fetcher, settings = production_tlds
    request = ExtractionRequest("Electric Garden Foundation", domain_hint="gardenpress.com")
    resolution = await resolve_domain(request, fetcher, settings, domain_finders(fetcher, settings))
    assert resolution.notes[0].startswith(
        "hint candidate gardenpress.com (answered at www.gardenpress.com): rejected"
    )
    assert resolution.domain == "egf.org"


async def test_initials_alone_do_not_verify(production_tlds: tuple[WebFetcher, Settings]) -> None:
    """egg.org calls itself "EGG" but never states "Electric Gadget Guild": not the company."""
    with pytest.raises(CompanyAnalysisError) as caught:
        await _resolve(production_tlds, "Electric Gadget Guild")
    assert "name candidate egg.org: rejected" in caught.value.details


def test_derived_candidates_are_valid_hostnames() -> None:
    assert domain_candidates("a" * 70, "US", PRODUCTION_TLDS) == []  # a label has 63 characters at most
    assert name_as_domain("xn--aaaaaaaaaa.com") is None  # not punycode
    assert name_as_domain("xn--bcher-kva.de") == "xn--bcher-kva.de"


@pytest.mark.parametrize(
    ("name", "tlds", "expected"),
    [
        pytest.param("RANDOM.ORG", None, "random.org", id="upper-case"),
        pytest.param("iTeh.solutions", None, "iteh.solutions", id="new-gtld"),
        pytest.param("Booking.com", None, "booking.com", id="com"),
        pytest.param("Tally.example", ["example"], "tally.example", id="a-tld-resolution-tries"),
        pytest.param("Tally.example", None, None, id="unknown-suffix"),
        pytest.param("Acme Inc.", None, None, id="a-name"),
        pytest.param("Dr. Oetker", None, None, id="spaces"),
    ],
)
def test_a_name_is_a_domain_only_with_a_known_suffix(
    name: str, tlds: list[str] | None, expected: str | None
) -> None:
    assert name_as_domain(name, tlds) == expected


def test_candidates_try_the_name_as_written_then_its_label_with_the_usual_tlds() -> None:
    candidates = domain_candidates("iTeh.solutions", "AT", PRODUCTION_TLDS, "de")
    assert candidates[:3] == ["iteh.solutions", "iteh.com", "iteh.at"]
    assert "itehsolutions.com" not in candidates


def test_generic_words_are_dropped_by_language_and_the_country_name_counts() -> None:
    assert core_words(["verlagsgruppe", "beltz"], "de", "DE") == ["beltz"]
    assert core_words(["acredis", "deutschland"], "de", "DE") == ["acredis"]
    assert core_words(["greenpeace", "international"], "en", "NL") == ["greenpeace"]
    assert core_words(["the", "coca", "cola"], "en", "US") == ["coca", "cola"]
    assert core_words(["kanzlei", "sommer"], "en", "DE") == ["sommer"]  # whatever the request language
    assert core_words(["de", "vries", "bouw"], "nl", "NL") == ["vries", "bouw"]
    assert core_words(["de", "vries", "bouw"], "es", "ES") == ["de", "vries", "bouw"]  # no Spanish article
    assert core_words(["gruppe"], "de", "DE") == ["gruppe"]  # never empty


def test_the_core_name_at_com_and_the_country_tld_comes_before_rarer_tlds() -> None:
    candidates = domain_candidates("Verlagsgruppe Beltz", "DE", PRODUCTION_TLDS, "de")
    assert candidates.index("beltz.de") < candidates.index("verlagsgruppebeltz.org")
    assert candidates.index("beltz.de") < Settings().max_domain_candidates // 2


def test_initials_are_a_candidate_for_names_of_three_words() -> None:
    assert "eff.org" in domain_candidates("Electronic Frontier Foundation", "US", PRODUCTION_TLDS)
    assert "ab.com" not in domain_candidates("Alpha Beta", "US", PRODUCTION_TLDS)


def test_eu_is_tried_only_in_the_eu_registry_area() -> None:
    assert "exporo.eu" in domain_candidates("Exporo", "DE", PRODUCTION_TLDS)
    assert not any(domain.endswith(".eu") for domain in domain_candidates("Exporo", "US", PRODUCTION_TLDS))


@pytest.mark.parametrize(
    ("name", "page_name"),
    [
        pytest.param("Yandex", "Яндекс", id="cyrillic"),
        pytest.param("VKontakte", "ВКонтакте", id="cyrillic-compound"),
        pytest.param("京东", "京东(JD.COM)-正品低价", id="chinese-leading-word"),
        pytest.param("Alazán Internet", "Alazan Internet", id="accents"),
    ],
)
def test_names_in_other_scripts_match(name: str, page_name: str) -> None:
    assert name_match_score(name, page_name) >= 85


def test_a_longer_chinese_name_does_not_match_its_prefix() -> None:
    assert name_match_score("京东", "京东方") < 85  # BOE, another company


def test_names_exactly_is_word_bounded_except_in_scripts_without_spaces() -> None:
    assert names_exactly("新浪", "新浪首页")
    assert names_exactly("GitLab", "Why GitLab? Because.")
    assert not names_exactly("Git", "GitLab")
    assert not names_exactly("", "anything")


def test_brand_label_strips_the_public_suffix() -> None:
    assert brand_label("google.co.uk") == "google"
    assert brand_label("google.de") == brand_label("google.com")


def test_wikidata_labels_and_aliases_in_every_language_are_names_of_the_item() -> None:
    entity = {
        "labels": {"en": {"language": "en", "value": "JD.com"}, "zh": {"language": "zh", "value": "京东"}},
        "aliases": {"en": [{"language": "en", "value": "Jingdong"}, {"language": "en", "value": "JD.com"}]},
    }
    assert item_names(entity) == ["JD.com", "京东", "Jingdong"]
    assert item_names(None) == []
