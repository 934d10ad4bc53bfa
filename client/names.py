"""Reading company names and domain hints the way the CLI accepts them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

CSV_SUFFIX = ".csv"
COMMENT_PREFIX = "#"
NAME_HEADERS = frozenset(
    {
        "company_name", "company_names", "company", "name", "company name",
        "firma", "unternehmen", "firmenname", "entreprise", "société", "societe", "nom", "empresa",
        "nombre", "azienda", "bedrijf", "naam",
    }
)  # fmt: skip
"""A first CSV row whose first cell is one of these (any case) is a header, not a company."""
FILE_ENCODING = "utf-8-sig"  # spreadsheets often save UTF-8 with a BOM


def names_from_text(text: str) -> list[str]:
    """One name per line; blank lines and lines starting with ``#`` are skipped."""
    names = (line.strip() for line in text.splitlines())
    return [name for name in names if name and not name.startswith(COMMENT_PREFIX)]


CSV_DELIMITERS = ",;\t"
"""Comma, semicolon (what Excel writes where the decimal mark is a comma) and tab."""
SNIFF_CHARS = 64 * 1024


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The file's own delimiter and quoting; plain comma-separated when nothing else stands out."""
    try:
        return csv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters=CSV_DELIMITERS)
    except csv.Error:  # one column, or too little text to tell
        return csv.excel


def names_from_csv(text: str) -> list[str]:
    """The first column of each row, skipping a header row and empty cells; the delimiter is sniffed."""
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    rows = [row for row in reader if row and row[0].strip()]
    if rows and rows[0][0].strip().lower() in NAME_HEADERS:
        rows = rows[1:]
    return [row[0].strip() for row in rows]


def names_from_file(path: Path) -> list[str]:
    """Names from a ``.csv`` file (first column) or any other text file (one per line)."""
    text = path.read_text(encoding=FILE_ENCODING)
    return names_from_csv(text) if path.suffix.lower() == CSV_SUFFIX else names_from_text(text)


def parse_domain_hints(pairs: Iterable[str]) -> dict[str, str]:
    """``NAME=DOMAIN`` pairs as a mapping; the last ``=`` splits, since names may contain one.

    Raises:
        ValueError: a pair has no ``=`` or an empty side.
    """
    hints: dict[str, str] = {}
    for pair in pairs:
        name, separator, domain = pair.rpartition("=")
        name, domain = name.strip(), domain.strip()
        if not separator or not name or not domain:
            raise ValueError(f"expected NAME=DOMAIN, got {pair!r}")
        hints[name] = domain
    return hints
