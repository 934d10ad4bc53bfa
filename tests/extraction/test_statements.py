"""Founding years and head counts are read only from statements whose subject is the company."""

from __future__ import annotations

import re
import sys

import lxml.html  # type: ignore[import-untyped]
import pytest

from server.extraction.markup import texts_holding
from server.extraction.statements import (
    FOUNDING_HINT_RE,
    FOUNDING_HINT_WORDS,
    company_names,
    founding_statements,
    headcount_statements,
    refers_to_company,
    text_blocks,
)

NAMES = company_names("Acme Robotics", "Acme Robotics Inc.", domain="acme-robotics.example")


def _founded(html: str, names: list[str] = NAMES) -> int | None:
    blocks = text_blocks(lxml.html.fromstring(html))
    return next((s.value for s in founding_statements(blocks) if refers_to_company(s.subject, names)), None)


def _headcount(html: str, names: list[str] = NAMES) -> int | None:
    blocks = text_blocks(lxml.html.fromstring(html))
    return next((s.value for s in headcount_statements(blocks) if refers_to_company(s.subject, names)), None)


@pytest.mark.parametrize(
    ("html", "year"),
    [
        pytest.param(
            "<p>Acme Robotics Inc. was founded in March 1987 in Pittsburgh.</p>", 1987, id="name-en"
        ),
        pytest.param("<p>Founded in 1996, Acme builds robots.</p>", 1996, id="opening-participle"),
        pytest.param("<p>We were founded in 2001 by two engineers.</p>", 2001, id="we"),
        pytest.param("<p>Gegründet 2008. Seitdem wachsen wir.</p>", 2008, id="gegruendet-opening"),
        pytest.param(
            "<p>Die Acme Robotics GmbH wurde im Jahr 1990 gegründet.</p>", 1990, id="wurde-gegruendet"
        ),
        pytest.param("<p>Fondée en 1975, la société fabrique des robots.</p>", 1975, id="fondee-opening"),
        pytest.param("<p>Notre entreprise a été fondée en 1982 à Lyon.</p>", 1982, id="notre-entreprise"),
        pytest.param("<p>La empresa fue fundada en 1999.</p>", 1999, id="la-empresa"),
        pytest.param(
            '<div><img src="logo.svg" alt="Acme Robotics"></div><h3>was founded in 1990 to build robots</h3>',
            1990,
            id="logo-alt-as-subject",
        ),
        pytest.param("<p>Acme Robotics S.p.A. è stata fondata nel 1961.</p>", 1961, id="it"),
        pytest.param("<p>A Acme Robotics foi fundada em 1972.</p>", 1972, id="pt"),
        pytest.param("<p>Acme Robotics B.V. is in 1984 opgericht.</p>", 1984, id="nl-year-first"),
        pytest.param("<p>Opgericht in 1993, bouwt Acme robots.</p>", 1993, id="nl-opening"),
        pytest.param("<p>ACME was founded in 1993.</p>", None, id="unknown-acronym-is-not-a-name"),
        pytest.param("<p>In 2005 the EU founded a robotics agency.</p>", None, id="someone-else-founded"),
        pytest.param("<p>The Robotics Trust was founded in 1970.</p>", None, id="another-subject"),
        pytest.param(
            "<p>Nr. 1 in der Schweiz seit 2008</p><li>Seit 2008</li>", None, id="since-is-no-founding"
        ),
        pytest.param("<h3>was founded in 1990</h3>", None, id="no-subject-at-all"),
    ],
)
def test_founding_year_needs_the_company_as_subject(html: str, year: int | None) -> None:
    assert _founded(html) == year


def test_initials_and_domain_label_name_the_company() -> None:
    assert "eff" in company_names("Electronic Frontier Foundation")  # initials
    assert "eff" in company_names("Something Else", domain="eff.org")  # the domain's label
    names = company_names("Electronic Frontier Foundation", domain="eff.org")
    assert _founded("<p>EFF was founded in 1990 to protect the rights of users.</p>", names) == 1990


def test_a_statement_keeps_the_sentence_as_printed() -> None:
    blocks = text_blocks(lxml.html.fromstring("<p>Intro text. Acme Robotics was founded in 1987. More.</p>"))
    [statement] = founding_statements(blocks)
    assert statement.quote == "Acme Robotics was founded in 1987."


@pytest.mark.parametrize(
    ("html", "count"),
    [
        pytest.param("<p>Founded in 1996, a team of 8,200 employees.</p>", 8200, id="team-of"),
        pytest.param("<p>ein Team von 120 Mitarbeitern</p>", 120, id="team-von"),
        pytest.param("<p>une équipe de 40 salariés</p>", 40, id="equipe-de"),
        pytest.param("<p>Acme Robotics employs 500 people worldwide.</p>", 500, id="name-employs"),
        pytest.param("<p>Heute beschäftigen wir 45 Mitarbeiter.</p>", 45, id="german-v2-order"),
        pytest.param(
            "<p>With more than 300 employees we serve 40 countries.</p>", 300, id="first-person-count"
        ),
        pytest.param("<p>Our meeting room has room for 5 people.</p>", None, id="room-for-5-people"),
        pytest.param("<p>4378 people reacting</p>", None, id="people-reacting"),
        pytest.param("<p>The client employs 300 people.</p>", None, id="someone-else-employs"),
        pytest.param("<p>Over 500 employees of the city joined the strike.</p>", None, id="bare-count-no-we"),
    ],
)
def test_head_count_needs_the_company_as_subject(html: str, count: int | None) -> None:
    assert _headcount(html) == count


def test_blocks_keep_sentences_from_running_into_the_next_paragraph() -> None:
    root = lxml.html.fromstring("<div><nav>Menu<br>Shop</nav><p>First <b>bold</b> text</p>tail</div>")
    assert text_blocks(root) == ["Menu", "Shop", "First bold text", "tail"]


def test_a_run_of_numbers_without_sentence_end_is_no_statement() -> None:
    """Hostile input: an 80 KB run of digit groups before "employees" is data, read in linear time."""
    run = "<p>" + "111 " * 20_000 + "employees we have</p>"
    assert _headcount(run) is None
    assert _headcount("<p>" + "111 " * 20_000 + ". We have 40 employees.</p>") == 40


def test_text_after_a_comment_or_a_cut_script_stays_in_its_block() -> None:
    """lxml walks comments as events of their own: their tails are the rest of the sentence."""
    from server.extraction.markup import cut_non_content, document_root, parse_document
    from server.extraction.statements import text_blocks

    root = document_root(parse_document("<p>Acme <!-- c --> was founded<script>x</script> in 2001.</p>"))
    cut_non_content(root)
    assert text_blocks(root) == ["Acme was founded in 2001."]


@pytest.mark.parametrize(
    "sentence",
    [
        "Founded in 1990.", "ESTABLISHED 1990", "Incorporated in Delaware", "Gegründet 1990",
        "fondée en 1990", "Créées en 1990", "fundada en 1990", "creada en 1990", "fondata nel 1990",
        "Opgericht in 1990",
        "e\u017ftabli\u017fhed 1990", "\u0131ncorporated", "FOUNDED", "Gegr\u00dcndet", "opger\u0131cht",
    ],
)  # fmt: skip
def test_every_spelling_the_founding_hint_matches_is_found_by_its_words(sentence: str) -> None:
    blocks = ["Nothing here", sentence, "Nor here"]
    assert FOUNDING_HINT_RE.search(sentence)
    assert texts_holding(blocks, FOUNDING_HINT_WORDS, FOUNDING_HINT_RE) == [1]
    assert [s.value for s in founding_statements(blocks)] == [
        s.value for s in founding_statements([sentence])
    ]


def test_the_founding_words_hold_no_letter_ignorecase_matches_beyond_lowering() -> None:
    """Every character IGNORECASE takes for a letter of the words lowers to it (or changes length)."""
    every_character = "".join(map(chr, range(sys.maxunicode + 1)))
    for letter in {char for word in FOUNDING_HINT_WORDS for char in word}:
        for found in re.finditer(re.escape(letter), every_character, re.IGNORECASE):
            char = found.group()
            assert char.lower() == letter or len(char.lower()) != 1, (hex(ord(char)), letter)
