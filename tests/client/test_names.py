"""Tests of reading company names from files and NAME=DOMAIN hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from client.names import names_from_csv, names_from_file, names_from_text, parse_domain_hints


def test_text_names_skip_blank_lines_and_comments() -> None:
    text = "Acme\n\n  # a comment\n  Globex Corp  \r\nInitech\n"
    assert names_from_text(text) == ["Acme", "Globex Corp", "Initech"]


def test_csv_names_take_the_first_column_and_skip_a_header() -> None:
    text = 'company_name,domain\r\nAcme,acme.example\r\n"Globex, Inc.",globex.example\r\n,empty.example\r\n'
    assert names_from_csv(text) == ["Acme", "Globex, Inc."]


def test_csv_without_header_keeps_the_first_row() -> None:
    assert names_from_csv("Acme\nGlobex\n") == ["Acme", "Globex"]


def test_file_suffix_chooses_the_reader_and_a_bom_is_ignored(tmp_path: Path) -> None:
    csv_file = tmp_path / "names.CSV"
    csv_file.write_text("\ufeffName,country\nZürich Ünïcode AG,CH\n", encoding="utf-8")
    text_file = tmp_path / "names.txt"
    text_file.write_text("Acme, Inc.\n株式会社テスト\n", encoding="utf-8")
    assert names_from_file(csv_file) == ["Zürich Ünïcode AG"]
    assert names_from_file(text_file) == ["Acme, Inc.", "株式会社テスト"]


def test_domain_hints_split_on_the_last_equals_sign() -> None:
    assert parse_domain_hints(["Acme=acme.example", "A=B Corp = ab.example"]) == {
        "Acme": "acme.example",
        "A=B Corp": "ab.example",
    }


@pytest.mark.parametrize("pair", ["acme.example", "=acme.example", "Acme=", "Acme= "])
def test_malformed_domain_hints_are_rejected(pair: str) -> None:
    with pytest.raises(ValueError, match="NAME=DOMAIN"):
        parse_domain_hints([pair])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            'Firma;Land\nMüller GmbH;DE\n"Dupont; Fils";FR\n', ["Müller GmbH", "Dupont; Fils"], id="semicolon"
        ),
        pytest.param("name\tcountry\nGlobex, Inc.\tUS\nAcme\tUS\n", ["Globex, Inc.", "Acme"], id="tab"),
        pytest.param(
            'company,country\n"Globex, Inc.",US\nAcme,US\n', ["Globex, Inc.", "Acme"], id="comma-quoted"
        ),
        pytest.param("Acme Robotics\nGlobex\n", ["Acme Robotics", "Globex"], id="one-column"),
    ],
)
def test_csv_delimiter_is_read_from_the_file(text: str, expected: list[str]) -> None:
    assert names_from_csv(text) == expected
