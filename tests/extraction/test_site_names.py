"""Company name and legal name from the signals a site gives (names.py, sources/site_identity.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cleanco import basename

from server.extraction.evidence import EVIDENCE_CHARS, quote
from server.extraction.fetcher import FetchedPage
from server.extraction.names import (
    NameSignal,
    brand_mentions,
    choose_name,
    copyright_holder_text,
    has_legal_form,
    holder_names,
    legal_basename,
    spells_acronym,
    title_parts,
)
from server.extraction.parse import parse_page
from server.extraction.resolve import name_match_score
from server.extraction.sources import base
from server.extraction.sources.site_identity import identity_findings


def _site(pages: dict[str, str], name: str, domain: str) -> dict[str, object]:
    """The identity findings of a site made of ``pages`` (path -> HTML), field -> best value."""
    parsed = []
    for path, html in pages.items():
        url = f"https://{domain}{path}"
        page = FetchedPage(url, 200, "text/html", html, datetime.now(UTC))
        parsed.append((page, parse_page(html, url, region="DE")))
    found: dict[str, object] = {}
    for finding in sorted(identity_findings(parsed, name, domain), key=lambda f: -f.confidence):
        found.setdefault(finding.field, finding)
    return found


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Apple Inc.", True, id="inc"),
        pytest.param("New Work SE", True, id="se"),
        pytest.param("Randomness and Integrity Services Ltd", True, id="ltd"),
        pytest.param("ADAC e.V.", True, id="ev"),
        pytest.param("北京微梦创科网络技术有限公司", True, id="chinese-limited-company"),
        pytest.param("Acme &", False, id="stray-ampersand"),
        pytest.param("+49 7266 4540055 |", False, id="phone-line"),
        pytest.param("IAB Ad", False, id="word-that-spells-a-form"),
        pytest.param("Rosneft", False, id="plain-brand"),
    ],
)
def test_legal_form_is_recognised_only_where_one_is_printed(name: str, expected: bool) -> None:
    assert has_legal_form(name) is expected


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Apple Inc.", id="inc"),
        pytest.param("ADAC e.V.", id="ev"),
        pytest.param("Lindqvist Deutschland GmbH & Co. KG", id="gmbh-co-kg"),
        pytest.param("Rosneft", id="plain-brand"),
        pytest.param("", id="empty"),
    ],
)
def test_a_remembered_base_name_is_cleancos_and_asked_of_it_once(name: str) -> None:
    """The legal form is stripped by cleanco once per distinct name; asking again gives the same."""
    legal_basename.cache_clear()
    first = legal_basename(name)
    again = legal_basename(name)
    assert first == again == basename(name)
    assert legal_basename.cache_info().hits == 1 and legal_basename.cache_info().misses == 1


def test_title_parts_split_brand_from_headline_and_cut_generic_page_words() -> None:
    assert title_parts("reddit: the front page of the internet") == [
        "reddit",
        "the front page of the internet",
    ]
    assert title_parts("腾讯首页") == ["腾讯"]
    assert title_parts("京东(JD.COM)-正品低价、品质保障\uff01") == ["京东(JD.COM)", "京东", "JD.COM"]
    assert title_parts("Welcome! | VK") == ["VK"]


def test_copyright_holder_stops_at_rights_and_keeps_an_abbreviations_dot() -> None:
    assert copyright_holder_text("© 2018 reddit inc. All rights reserved.") == "reddit inc."
    assert (
        copyright_holder_text("© 2010\u20132025 Orchid Health Clinics. All rights reserved.")
        == "Orchid Health Clinics"
    )
    assert copyright_holder_text("Copyright©2005-2018 360.cn 版权所有 360互联网安全中心") == "360.cn"
    assert holder_names("SINA Corporation") == (["SINA"], "SINA Corporation")


def test_a_run_on_copyright_holder_yields_prefixes_not_the_footer_menu() -> None:
    names, legal = holder_names("Baidu 使用百度前必读 意见反馈 京ICP证030173号 京公网安备11000002000001号")
    assert "Baidu" in names
    assert legal is None
    assert not any("ICP" in name for name in names)


def test_signals_that_agree_beat_a_longer_spelling_of_the_submitted_name() -> None:
    signals = [
        NameSignal("json-ld", "Umbra Games", ""),
        NameSignal("og:site_name", "Umbra Games", ""),
        NameSignal("copyright", "Umbra Games Studio", ""),
    ]
    chosen = choose_name(signals, "Umbra Games Studio AB", name_match_score)
    assert chosen is not None and chosen.value == "Umbra Games"


def test_a_headline_containing_the_brand_loses_to_the_brand() -> None:
    signals = [NameSignal("title", "ADAC Kindersitz-Test 2018", ""), NameSignal("title", "ADAC", "")]
    chosen = choose_name(signals, "ADAC", name_match_score)
    assert chosen is not None and chosen.value == "ADAC"


def test_disagreeing_signals_that_match_no_submitted_name_give_no_name() -> None:
    signals = [
        NameSignal("title", "Spring Sale", "", "a"),
        NameSignal("og:site_name", "Shop Network", "", "a"),
    ]
    assert choose_name(signals, "Zephyr Quantum Holdings", name_match_score) is None


def test_brand_mentions_find_the_legal_form_printed_after_the_brand() -> None:
    [mention] = brand_mentions("Service Über den ADAC e.V. Meldungen", "ADAC")[:1]
    assert mention.value == "ADAC e.V."
    assert "Über den ADAC e.V." in mention.evidence


def test_site_name_and_legal_name_with_evidence_from_title_and_copyright() -> None:
    html = """<html><head><title>Produkte | Nordlicht Werkzeuge</title></head><body>
      <main><p>Gute Werkzeuge seit Jahren.</p></main>
      <footer><p>© 2009\u20132025 Nordlicht Werkzeuge GmbH. Alle Rechte vorbehalten.</p></footer>
      </body></html>"""
    about = html.replace("Produkte", "Über uns")
    found = _site({"/": html, "/ueber-uns/": about}, "Nordlicht Werkzeuge", "nordlicht.example")
    name, legal = found["company_name"], found["legal_name"]
    assert name.value == "Nordlicht Werkzeuge"  # type: ignore[attr-defined]
    assert legal.value == "Nordlicht Werkzeuge GmbH"  # type: ignore[attr-defined]
    assert "Nordlicht Werkzeuge GmbH" in legal.evidence  # type: ignore[attr-defined]
    assert name.evidence  # type: ignore[attr-defined]


def test_an_icp_licence_in_the_copyright_line_never_becomes_the_name() -> None:
    html = """<html><head><title>百度一下</title></head><body><footer>
      <p>©2018 Baidu 使用百度前必读 意见反馈 京ICP证030173号</p></footer></body></html>"""
    found = _site({"/": html}, "Baidu", "baidu.example")
    assert found["company_name"].value == "Baidu"  # type: ignore[attr-defined]


def test_quotes_are_bounded_and_centred_on_the_value() -> None:
    text = "x" * 500 + " Acme GmbH " + "y" * 500
    excerpt = quote(text, "Acme GmbH")
    assert len(excerpt) == EVIDENCE_CHARS == base.EVIDENCE_CHARS
    assert "Acme GmbH" in excerpt


def test_json_ld_wrapped_in_cdata_is_read_and_names_the_site() -> None:
    html = """<html><head><title>3 findings from our survey</title>
      <script type="application/ld+json">
      <![CDATA[ {"@context": "https://schema.org", "@type": "Organization", "name": "Corvid Labs",
                 "legalName": "Corvid Labs Inc.", "sameAs": ["https://twitter.com/corvidlabs"]} ]]>
      </script>
      <script type="application/ld+json"><!-- {"@type": "BlogPosting", "headline": "3 findings",
        "publisher": {"@type": "Organization", "name": "Corvid Labs"}} --></script>
      </head><body><p>Text.</p></body></html>"""
    facts = parse_page(html, "https://corvidlabs.example/blog/3-findings")
    assert [org["legalName"] for org in facts.organizations] == ["Corvid Labs Inc."]
    assert facts.publishers == ["Corvid Labs"]
    found = _site({"/blog/3-findings": html}, "Corvid Labs", "corvidlabs.example")
    assert found["company_name"].value == "Corvid Labs"  # type: ignore[attr-defined]
    assert found["legal_name"].value == "Corvid Labs Inc."  # type: ignore[attr-defined]
    assert found["social_profiles.twitter"].value == "https://twitter.com/corvidlabs"  # type: ignore[attr-defined]


def test_logo_alt_text_is_a_name_signal_and_a_sentence_is_not() -> None:
    html = """<html><head><title>Annual Report</title></head><body><header>
      <a href="/"><img src="/img/mark.svg" alt="The Electronic Frontier Foundation"></a>
      <img class="press-logos" src="/img/press.png"
           alt="These news organizations have referred to us."></header>
      </body></html>"""
    facts = parse_page(html, "https://eff.example/report/")
    assert facts.logo_texts == ["The Electronic Frontier Foundation"]
    found = _site({"/report/": html}, "Electronic Frontier Foundation", "eff.example")
    assert found["company_name"].value == "Electronic Frontier Foundation"  # type: ignore[attr-defined]


def test_a_styled_copyright_mark_and_a_holder_spelling_out_the_acronym() -> None:
    html = """<html><head><title>Getting LEAN | IAB</title><meta property="og:site_name" content="IAB">
      </head><body><footer><div class="legal"><span class="copyright">©</span> 2015 Interactive Advertising
      Bureau | <a href="/privacy">Privacy Policy</a></div></footer></body></html>"""
    facts = parse_page(html, "https://iab.example/news/lean")
    assert facts.copyright_line is not None and facts.copyright_line.startswith("© 2015 Interactive")
    found = _site({"/news/lean": html}, "IAB", "iab.example")
    assert found["company_name"].value == "IAB"  # type: ignore[attr-defined]
    assert found["legal_name"].value == "Interactive Advertising Bureau"  # type: ignore[attr-defined]
    assert spells_acronym("Internet Assigned Numbers Authority", "IANA")
    assert not spells_acronym("Acme", "A")


@pytest.mark.parametrize(
    ("holder", "expected"),
    [
        pytest.param(
            "WEIBO 北京微梦创科网络技术有限公司",
            (["WEIBO"], "北京微梦创科网络技术有限公司"),
            id="brand-before",
        ),
        pytest.param(
            "Lanqiao蓝桥云图软件股份有限公司京公网安备11010802020088号",
            (["Lanqiao"], "蓝桥云图软件股份有限公司"),
            id="glued-both-sides",
        ),
        pytest.param("杭州青禾数据科技有限公司", ([], "杭州青禾数据科技有限公司"), id="entity-alone"),
    ],
)
def test_a_cjk_legal_entity_in_the_copyright_line_is_cut_at_its_legal_form(
    holder: str, expected: tuple[list[str], str]
) -> None:
    """The entity is the legal name; only what the line prints before it may be the brand."""
    assert holder_names(holder) == expected


def test_a_cjk_legal_entity_does_not_become_the_company_name() -> None:
    html = """<html><head></head><body><footer>
      <p>Copyright &copy; 2012-2024 QINGHE 杭州青禾数据科技有限公司</p></footer></body></html>"""
    found = _site({"/": html, "/about/": html}, "青禾数据", "qinghe.example")
    assert found["legal_name"].value == "杭州青禾数据科技有限公司"  # type: ignore[attr-defined]
    assert found["company_name"].value == "QINGHE"  # type: ignore[attr-defined]
