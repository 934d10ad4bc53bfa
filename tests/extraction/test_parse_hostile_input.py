"""parse_page on hostile input: what used to be quadratic, backtracking or a crash reads the same facts."""

from __future__ import annotations

from server.extraction.parse import parse_page
from server.extraction.phones import MAX_NUMBERS

URL = "https://acme.example/"


def _facts(body: str, region: str | None = None):  # type: ignore[no-untyped-def]
    return parse_page(f"<html><head><title>Acme</title></head><body>{body}</body></html>", URL, region=region)


def test_an_unparseable_href_costs_only_that_link() -> None:
    facts = _facts('<a href="http://[">broken</a><a href="/contact">Contact</a>')
    assert facts.page_links == {"contact": "https://acme.example/contact"}


def test_a_broken_microdata_itemtype_keeps_the_json_ld_records() -> None:
    facts = _facts(
        '<script type="application/ld+json">{"@type": "Organization", "name": "Acme"}</script>'
        '<div itemscope itemtype="http://["><a itemprop="url" href="http://[">x</a></div>'
    )
    assert [org["name"] for org in facts.organizations] == ["Acme"]


def test_a_tel_label_in_a_long_container_is_read_beside_the_link() -> None:
    numbers = "".join(f'Office {i}: <a href="tel:+1202555{i:04d}">+1 202 555 {i:04d}</a> ' for i in range(50))
    facts = _facts(f"<div>{numbers}Fax: <a href='tel:+12025559999'>+1 202 555 9999</a></div>")
    labels = {phone.e164: phone.label for phone in facts.phones}
    assert "office 7" in labels["+12025550007"] and "office 8" not in labels["+12025550007"]
    assert "fax" in labels["+12025559999"]


def test_tel_links_beyond_the_cap_are_not_read() -> None:
    links = "".join(f'<a href="tel:+1202555{i:04d}">x</a> ' for i in range(MAX_NUMBERS + 50))
    assert len(_facts(f"<div>{links}</div>").phones) == MAX_NUMBERS


def test_the_value_after_a_run_of_labels_is_found_once_for_all_of_them() -> None:
    facts = _facts("<table><tr>" + "<th>Industry</th>" * 2000 + "<td>Robotics</td></tr></table>")
    assert facts.industry == "Robotics"


def test_email_patterns_ignore_address_character_runs_and_overlong_local_parts() -> None:
    facts = _facts(
        "1-" * 5000 + " " + "a" * 70 + "@acme.example sales@acme.example info [at] acme [dot] example"
    )
    assert facts.emails == ["sales@acme.example", "info@acme.example"]


def test_a_number_after_thousands_of_short_digit_runs_is_still_read() -> None:
    years = " ".join(str(1900 + i % 120) for i in range(3000))
    facts = _facts(f"<p>{years}</p><p>Call +1 202 555 0123</p>")
    assert [phone.e164 for phone in facts.phones] == ["+12025550123"]


def test_prose_phones_stop_at_the_cap() -> None:
    prose = " ".join(f"<p>+1 202 555 {i:04d}.</p>" for i in range(MAX_NUMBERS + 20))
    assert len(_facts(prose).phones) <= MAX_NUMBERS


def test_a_copyright_comment_repeated_in_an_empty_parent_gives_no_line() -> None:
    facts = _facts("<footer><div>" + "<!-- (c) 2020 -->" * 2000 + "</div></footer>")
    assert facts.copyright_line is None
