"""Social profiles, phones and e-mails of a site: classified, typed, the company's only (social.py,
phones.py, emails.py through sources/site_identity.py)."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import phonenumbers
import pytest

from server.extraction.emails import is_address, mailbox_type
from server.extraction.fetcher import FetchedPage
from server.extraction.markup import JoinedTexts
from server.extraction.parse import parse_page
from server.extraction.phones import (
    ENOUGH_DIGITS_RE,
    PhoneSources,
    language_country,
    phone_type_of,
    read_phones,
    tld_country,
)
from server.extraction.social import classify_url
from server.extraction.sources.site_identity import identity_findings

DOMAIN = "kestrel-tools.example"


def _findings(body: str, name: str = "Kestrel Tools", region: str = "DE", path: str = "/") -> dict[str, Any]:
    html = f"<html><head><title>{name}</title></head><body>{body}</body></html>"
    url = f"https://{DOMAIN}{path}"
    page = FetchedPage(url, 200, "text/html", html, datetime.now(UTC))
    found: dict[str, Any] = {}
    for finding in identity_findings([(page, parse_page(html, url, region=region))], name, DOMAIN):
        if finding.field.startswith("contacts."):
            found.setdefault(finding.field, []).append(finding)
        else:
            found[finding.field] = finding
    return found


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        pytest.param("https://twitter.com/share?url=https://x.example/a", "share", id="twitter-share"),
        pytest.param("https://twitter.com/intent/tweet?text=hi", "share", id="intent"),
        pytest.param("https://www.facebook.com/sharer/sharer.php?u=https://x.example/", "share", id="sharer"),
        pytest.param(
            "https://www.xing.com/spi/shares/new?url=https%3a%2f%2fx.example", "share", id="xing-share"
        ),
        pytest.param("https://twitter.com/home?status=https%3a%2f%2fx.example", "share", id="status-param"),
        pytest.param("https://twitter.com/acme/status/123", "content", id="tweet"),
        pytest.param("https://www.youtube.com/watch?v=1R9_WdXwUsE", "content", id="video"),
        pytest.param("https://github.com/django/django/pull/1", "content", id="pull-request"),
        pytest.param("https://www.linkedin.com/in/jane-doe", "person", id="linkedin-person"),
        pytest.param("https://twitter.com/account/begin_password_reset", "network", id="network-page"),
        pytest.param("http://m.weibo.com/web/cellphone.php#iphone", "network", id="network-script"),
        pytest.param("https://www.linkedin.com/company/acme", "profile", id="linkedin-company"),
        pytest.param("http://www.youtube.com/profile?user=acmevideo", "profile", id="legacy-youtube"),
    ],
)
def test_links_are_classified_from_their_url(url: str, kind: str) -> None:
    assert classify_url(url)[1] == kind


def test_legacy_hashbang_profile_urls_read_as_the_account() -> None:
    network, kind, handle, url = classify_url("http://twitter.com/#!/kestreltools")
    assert (network, kind, handle, url) == (
        "twitter",
        "profile",
        "kestreltools",
        "http://twitter.com/kestreltools",
    )


def test_share_buttons_authors_and_products_are_not_the_companys_profiles() -> None:
    found = _findings(
        """<header><a href="https://twitter.com/kestreltools">Twitter</a>
             <a href="https://www.facebook.com/kestreltools/">Facebook</a></header>
           <article><p>Great post.</p>
             <a href="https://twitter.com/share?url=https://kestrel-tools.example/blog/1">Share</a>
             <div class="author-box"><a href="https://www.instagram.com/janedoe">Jane</a></div>
           </article>
           <footer><a href="https://www.youtube.com/c/hammerhead-product">YouTube</a>
             <a href="https://www.facebook.com/kestreltools?sk=app_123">Shop</a></footer>"""
    )
    profiles = {f.split(".", 1)[1]: v.value for f, v in found.items() if f.startswith("social_profiles.")}
    assert profiles == {
        "twitter": "https://twitter.com/kestreltools",
        "facebook": "https://www.facebook.com/kestreltools/",
    }
    assert "kestreltools" in found["social_profiles.twitter"].evidence


def test_an_opaque_channel_id_in_the_footer_is_kept() -> None:
    found = _findings(
        '<footer><a href="https://twitter.com/kestreltools">T</a>'
        '<a href="https://www.youtube.com/channel/UCMQsspvWUbUp-rj7y8Y2nPg">YouTube</a></footer>'
    )
    assert (
        found["social_profiles.youtube"].value == "https://www.youtube.com/channel/UCMQsspvWUbUp-rj7y8Y2nPg"
    )


def test_a_wikipedia_article_about_something_else_is_no_profile() -> None:
    found = _findings('<footer><a href="https://en.wikipedia.org/wiki/Pacific_Time_Zone">PT</a></footer>')
    assert "social_profiles.wikipedia" not in found


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        pytest.param("Fax:", ("fax", False), id="fax"),
        pytest.param("Telefax", ("fax", False), id="telefax"),
        pytest.param("F:", ("fax", False), id="f-colon"),
        pytest.param("Kundenservice Tel.", ("support", False), id="kundenservice"),
        pytest.param("Vertrieb", ("sales", False), id="vertrieb"),
        pytest.param("客户服务热线\uff1a", ("support", False), id="chinese-customer-service"),
        pytest.param("Service Hotline:", ("general", False), id="service-hotline"),
        pytest.param(
            "Hotline for Rosneft Shareholders (Free Domestic Calls)", ("general", True), id="audience"
        ),
        pytest.param("Pannenhilfe Europa", ("general", True), id="particular-service"),
    ],
)
def test_phone_labels_type_the_line_in_the_pages_language(label: str, expected: tuple[str, bool]) -> None:
    assert phone_type_of(label, ("Rosneft",)) == expected


def test_phones_are_typed_dated_strings_and_service_lines_dropped() -> None:
    found = _findings(
        """<footer><ul>
             <li>Kundenservice Tel. 044 586 00 40</li>
             <li>Fax: 044 586 00 41</li>
             <li>Erschienen am 07.02.2019</li>
           </ul>
           <div><div class="n">058 958 91 62</div>
             <div class="t">Pannenhilfe Europa rund um die Uhr</div></div>
           </footer>""",
        region="CH",
    )
    phones = {f.value["number"]: f.value["type"] for f in found["contacts.phones"]}
    assert phones == {"+41445860040": "support", "+41445860041": "fax"}
    [support] = [f for f in found["contacts.phones"] if f.value["type"] == "support"]
    assert "Kundenservice Tel. 044 586 00 40" in support.evidence


def test_a_percent_encoded_tel_link_is_read() -> None:
    found = _findings(
        '<footer><a href="tel:+49%20%280%29%2040%20/%20210%2091%2073%2000">Anrufen</a></footer>'
    )
    assert [f.value["number"] for f in found["contacts.phones"]] == ["+4940210917300"]


def test_the_sites_tld_names_its_country() -> None:
    assert (
        tld_country("acme.de"),
        tld_country("acme.co.uk"),
        tld_country("acme.io"),
        tld_country("acme.com"),
    ) == (
        "DE",
        "GB",
        None,
        None,
    )


def test_only_the_companys_own_mailboxes_outside_articles_are_contacts() -> None:
    found = _findings(
        """<header><a href="mailto:info@kestrel-tools.example">Kontakt</a></header>
           <article><p>Members of the working group can write to
             <a href="mailto:wg@kestrel-tools.example">wg@kestrel-tools.example</a> for more.</p></article>
           <p>Our partner answers at help@partner.example and the logo is logo@2x.png</p>
           <footer>buchservice(at)kestrel-tools(dot)example</footer>"""
    )
    emails = {f.value["address"]: f.value["type"] for f in found["contacts.emails"]}
    assert emails == {"info@kestrel-tools.example": "general", "buchservice@kestrel-tools.example": "support"}


def test_image_names_are_no_addresses_and_mailbox_words_type_them() -> None:
    assert not is_address("logo@2x.png")
    assert is_address("press@acme.example")
    assert (mailbox_type("buchservice@x.example"), mailbox_type("kf@vip.x.example")) == ("support", "support")


def test_click_tracking_is_dropped_from_a_profile_url_but_its_own_query_kept() -> None:
    assert (
        classify_url("https://twitter.com/acme?utm_source=site&utm_medium=footer")[3]
        == "https://twitter.com/acme"
    )
    kept = "https://www.youtube.com/user/channelintel?sub_confirmation=1"
    assert classify_url(kept + "&fbclid=abc")[3] == kept


def test_a_language_tag_names_a_country_only_with_a_region() -> None:
    assert (language_country("de-CH"), language_country("de"), language_country("en_GB")) == (
        "CH",
        None,
        "GB",
    )


def test_a_number_range_is_no_phone_unless_labelled_as_one() -> None:
    found = _findings("<footer><p>Ports 32768-65535</p><p>Phone: 412-5550142</p></footer>", region="US")
    assert [f.value["number"] for f in found["contacts.phones"]] == ["+14125550142"]


def test_a_long_obfuscated_run_is_quoted_from_a_window_not_re_read_per_address() -> None:
    """Each address's evidence is cut from the text around it; a 400 KB string is not flattened per match."""
    text = "info (at) kestrel-tools (dot) example, " * 10_000
    found = _findings(f"<footer><span>{text}</span></footer>")
    [email] = found["contacts.emails"]
    assert email.value["address"] == "info@kestrel-tools.example"
    assert len(email.evidence) <= 200


def test_a_mailbox_on_a_mail_domain_of_the_company_is_its_own() -> None:
    from server.extraction.sources.site_identity import _on_domain

    domains = {"halvard.com", "halvard.de"}  # the site was served on its German edition too
    assert _on_domain("info@halvard.de", domains)
    assert _on_domain("info@mail.halvard.com", domains)
    assert not _on_domain("info@halvard.fr", domains)  # an edition the site does not serve
    assert not _on_domain("info@otherbrand.de", domains)


PRODUCT_PAGE = """<header><div class="service-call"><a href="/buchservice/">Buchservice</a>
  <span>(0 62 01) 60 07-4 86</span></div></header>
  <main><p>Tel. 06201 6007-0</p><p><a href="tel:+496201600799">Anrufen</a></p></main>"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            "/buecher/produkt/37219-pflege.html", {"+49620160070", "+496201600799"}, id="product-page"
        ),
        pytest.param("/", {"+4962016007486", "+49620160070", "+496201600799"}, id="home-page"),
        pytest.param("/ueber-uns/", {"+4962016007486", "+49620160070", "+496201600799"}, id="about-page"),
    ],
)
def test_off_the_companys_own_pages_only_numbers_printed_as_phone_lines_are_taken(
    path: str, expected: set[str]
) -> None:
    """A bare digit run on a product page may be anyone's; a labelled number or a tel: link is a line."""
    found = _findings(PRODUCT_PAGE, name="Lindenhof Verlag", path=path)
    assert {f.value["number"] for f in found["contacts.phones"]} == expected


def test_a_page_linking_to_itself_as_contact_is_not_the_contact_page() -> None:
    body = '<nav><a href="#kontakt">Kontakt</a></nav>' + PRODUCT_PAGE
    found = _findings(body, name="Lindenhof Verlag", path="/buecher/produkt/37219-pflege.html")
    assert "+4962016007486" not in {f.value["number"] for f in found["contacts.phones"]}


def test_a_bare_number_in_the_sites_address_is_its_line_but_not_in_an_articles() -> None:
    """``<address>`` is HTML's element for contact information; inside an article it is the author's."""
    body = """<main><article><p>Beitrag</p><address>0621 4180 230</address></article></main>
      <footer><a href="/kontakt#datenschutz">Datenschutz</a>
      <address>+49 7266 4540055 | <a href="mailto:info@x.example">info</a></address></footer>"""
    found = _findings(body, name="Lindenhof Verlag", path="/die-arbeit-mit-dwg-dateien")
    assert {f.value["number"] for f in found["contacts.phones"]} == {"+4972664540055"}


def test_numbers_read_again_ask_re_for_none_of_phonenumbers_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    """phonenumbers' own pattern cache is on: its metadata's patterns are compiled once per process."""
    sources = PhoneSources(strings=(("Tel. +1 650-253-0000, Toronto +1 416-979-1234", "", False),))
    first = read_phones(sources, "US")
    asked: list[str] = []

    def compile_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
        asked.append(pattern)
        return re.compile(pattern, flags)

    monkeypatch.setattr(phonenumbers.re_util, "re", SimpleNamespace(compile=compile_pattern))
    again = read_phones(sources, "US")
    assert (
        [phone.e164 for phone in again] == [phone.e164 for phone in first] == ["+16502530000", "+14169791234"]
    )
    assert asked == []


def test_only_strings_with_enough_digits_of_their_own_are_read_for_numbers() -> None:
    """Digits are counted string by string in the joined texts: none spills over into the next string."""
    texts = ["12345", "6 and 7", "a1b2c3d4e5f6", "Tel. 0316 / 72 34", "१२३४५६७", "12345"]
    assert JoinedTexts(texts).matching(ENOUGH_DIGITS_RE) == [2, 3]


def test_every_kind_of_whitespace_beside_a_number_reads_as_one_space() -> None:
    """What ``\\s`` matches, from tabs to ideographic spaces, collapses in labels and evidence alike."""
    spaces = "".join(char for char in map(chr, range(sys.maxunicode + 1)) if re.fullmatch(r"\s", char))
    html = f"<p>{spaces}Kundenservice{spaces}Tel.:{spaces}<span>+49 30 1234567</span>{spaces}Mo{spaces}</p>"
    (phone,) = parse_page(f"<html><body>{html}</body></html>", f"https://{DOMAIN}/", region="DE").phones
    assert (phone.label, phone.type) == ("kundenservice tel.:", "support")
    assert phone.evidence == "Kundenservice Tel.: +49 30 1234567"
