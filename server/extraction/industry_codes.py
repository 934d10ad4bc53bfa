"""Industry codes from registers and filings, read against the official code lists: a readable label, the
documented sector (``server.extraction.sectors``) and the contract's employee bucket of a register's band.

Schemes (``classify(scheme, code)``), each with its official list kept in ``data/industry_codes/`` (see its
README for the publishers, versions and counts):

============  ==============  ====================================================  ==================
scheme        list            written                                               e.g.
============  ==============  ====================================================  ==================
nace2         NACE Rev. 2     section letter, "62", "62.0", "62.01"                 "62.010" -> 62.01
naf           NAF rév. 2      as NACE, plus subclasses "62.01Z"                     "6201z" -> 62.01Z
uk_sic2007    UK SIC 2007     "62", "620", "6201", five-digit "62012"               "62.01/2" -> 62012
us_sic        SIC 1987        division letter, "73", "737", "7372"                  "0100" -> 01
naics         NAICS 2022/2017 "31-33", "334", "3344", "33441", "334413"             "31" -> 31-33
============  ==============  ====================================================  ==================

Codes are normalised tolerantly (dots, slashes, spaces, case; a national subclass such as Norway's SN2007
"62.010" or Italy's "62.01.00" is its NACE class; NAF's letter is dropped for NACE). A code the list lacks
is answered by its nearest listed ancestor (the SEC assigns group-level codes such as 7370 and 6770 of its
own), and the answer's ``code`` is the ancestor's: nothing claims more detail than the list holds.

Sectors are data too (``sectors_nace.csv``, ``sectors_us_sic.csv``, ``sectors_naics.csv``): the longest
listed prefix of a code's digits gives its sector, an empty sector says on purpose that no listed sector
fits (public administration, households, membership organisations, dormant companies). A code above
that detail (a NACE section, "31-33") has a sector only when every code beneath it has the same one.
NAF and UK SIC 2007 are NACE Rev. 2 to the class, so one mapping serves all three.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from server.extraction.normalize import LARGEST_EMPLOYEE_RANGE, employee_range_for
from server.extraction.sources.base import Finding

DATA_DIR = Path(__file__).resolve().parent / "data" / "industry_codes"
SCHEMES = ("nace2", "naf", "uk_sic2007", "us_sic", "naics")
EDITIONS = {
    "nace2": "NACE Rev. 2",
    "naf": "NAF rév. 2",
    "uk_sic2007": "UK SIC 2007",
    "us_sic": "SIC 1987",
    "naics2022": "NAICS 2022",
    "naics2017": "NAICS 2017",
}
TABLE_FILES = {name: f"{name}.csv" for name in EDITIONS}
SECTOR_FILES = {"nace": "sectors_nace.csv", "us_sic": "sectors_us_sic.csv", "naics": "sectors_naics.csv"}
SECTOR_FAMILY = {"nace2": "nace", "naf": "nace", "uk_sic2007": "nace", "us_sic": "us_sic", "naics": "naics"}
TABLE_SCHEME = {
    "nace2": "nace2",
    "naf": "naf",
    "uk_sic2007": "uk_sic2007",
    "us_sic": "us_sic",
    "naics2022": "naics",
    "naics2017": "naics",
}
# The lists a scheme's codes are looked up in, in order: NAICS 2022 first, then the 2017 codes it renumbered.
SCHEME_TABLES = {
    "nace2": ("nace2",),
    "naf": ("naf",),
    "uk_sic2007": ("uk_sic2007",),
    "us_sic": ("us_sic",),
    "naics": ("naics2022", "naics2017"),
}
MAX_CODE_CHARS = 16  # longer input is not a code of any of these lists
SEPARATORS_RE = re.compile(r"[\s./\-_]")
NAICS_RANGE_RE = re.compile(r"\d{2}-\d{2}")
SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to"}
)
INSEE_BANDS: dict[str, tuple[int, int | None]] = {
    "00": (0, 0),
    "01": (1, 2),
    "02": (3, 5),
    "03": (6, 9),
    "11": (10, 19),
    "12": (20, 49),
    "21": (50, 99),
    "22": (100, 199),
    "31": (200, 249),
    "32": (250, 499),
    "41": (500, 999),
    "42": (1000, 1999),
    "51": (2000, 4999),
    "52": (5000, 9999),
    "53": (10000, None),
}
"""INSEE's ``tranche_effectif_salarie`` codes (Sirene) and the head counts each stands for. "NN" (no
employee, or unknown) is deliberately absent: it says nothing about a head count."""
BAND_SCHEMES = ("insee",)
# Numbers of a printed band, thousands grouped or not ("10 000", "1,000", "5.000", "250").
BAND_NUMBER_RE = re.compile(r"\d{1,3}(?:[ \u00a0\u202f.,']\d{3})+(?!\d)|\d+")
OPEN_BAND_MARKERS = ("more", "plus", "mehr", "flere", "over", "above", "über")
BELOW_BAND_MARKERS = ("under", "less than", "fewer than", "moins de", "unter", "weniger als")


@dataclass(frozen=True)
class IndustryCode:
    """One code of an official list: what it is called and which documented sector it belongs to."""

    scheme: str  # one of ``SCHEMES``
    code: str  # as the list writes it ("62.01", "62.01Z", "62012", "7372", "31-33")
    label: str  # readable English label ("Computer programming activities")
    sector: str | None  # a sector of ``server.extraction.sectors.SECTORS``, or None when none fits
    level: str  # "section", "division", "group", "class", "subclass"; SIC and NAICS use their own terms
    edition: str  # "NACE Rev. 2", "NAICS 2017", ...
    official_label: str  # the list's own title (French for NAF, upper case for SIC 1987)
    exact: bool  # False when the list lacks the code as stated and this is its nearest listed ancestor


@dataclass(frozen=True)
class EmployeeBand:
    """A register's head-count band and the contract bucket it falls in."""

    bucket: str  # one of the contract's eight buckets ("11-50", ..., "10001+")
    low: int
    high: int | None  # None: open-ended ("10 000 salariés et plus")
    source: str  # what was read: "exact count 42", "INSEE tranche 12 (20-49)", "band '50-99'"


@dataclass(frozen=True)
class _Entry:
    code: str
    parent: str
    level: str
    label: str


class _Table:
    """One official list: its entries by code and by digits, the way codes are looked up."""

    def __init__(self, name: str, entries: list[_Entry]) -> None:
        self.name = name
        self.entries = {entry.code: entry for entry in entries}
        self.by_key = {_key(entry.code): entry.code for entry in entries}

    def find(self, key: str) -> _Entry | None:
        code = self.by_key.get(key)
        return self.entries[code] if code is not None else None


def _key(code: str) -> str:
    """The list-independent spelling of a code: upper case, no separators ("62.01Z" -> "6201Z"); a NAICS
    sector spanning numbers keeps its dash ("31-33")."""
    if NAICS_RANGE_RE.fullmatch(code):
        return code
    return SEPARATORS_RE.sub("", code.upper())


def _read_rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _load_tables() -> dict[str, _Table]:
    return {
        name: _Table(
            name, [_Entry(row["code"], row["parent"], row["level"], row["label"]) for row in _read_rows(file)]
        )
        for name, file in TABLE_FILES.items()
    }


def _load_sector_prefixes() -> dict[str, dict[str, str | None]]:
    return {
        family: {row["prefix"]: (row["sector"] or None) for row in _read_rows(file)}
        for family, file in SECTOR_FILES.items()
    }


TABLES = _load_tables()
SECTOR_PREFIXES = _load_sector_prefixes()


def _digits(code: str) -> str:
    return "".join(char for char in code if char.isdigit())


def _mapped_sector(family: str, digits: str) -> tuple[bool, str | None]:
    """(found, sector) of the longest listed prefix of ``digits``; found is False when no row applies."""
    prefixes = SECTOR_PREFIXES[family]
    for size in range(len(digits), 0, -1):
        if digits[:size] in prefixes:
            return True, prefixes[digits[:size]]
    return False, None


def _leaves(table: _Table) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for entry in table.entries.values():
        if entry.parent:
            children.setdefault(entry.parent, []).append(entry.code)
    return children


def _sector_of(
    family: str, code: str, children: dict[str, list[str]], known: dict[str, str | None]
) -> str | None:
    """A code with children has the one sector they all share; a leaf the mapping's (``known``: memo)."""
    if code not in known:
        below = children.get(code)
        if below:
            sectors = {_sector_of(family, child, children, known) for child in below}
            known[code] = sectors.pop() if len(sectors) == 1 else None
        else:
            known[code] = _mapped_sector(family, _digits(code))[1]
    return known[code]


def _sectors() -> dict[str, dict[str, str | None]]:
    found: dict[str, dict[str, str | None]] = {}
    for name, table in TABLES.items():
        children, known = _leaves(table), dict[str, str | None]()
        family = SECTOR_FAMILY[TABLE_SCHEME[name]]
        found[name] = {code: _sector_of(family, code, children, known) for code in table.entries}
    return found


SECTOR_BY_CODE = _sectors()
NAICS_SPANS = {
    str(number): code
    for code in TABLES["naics2022"].entries
    if NAICS_RANGE_RE.fullmatch(code)
    for number in range(int(code[:2]), int(code[3:]) + 1)
}


def _candidates(scheme: str, raw: str) -> list[str]:
    """Keys (``_key`` spellings) a written code may stand for in ``scheme``, most exact first."""
    text = raw.strip().upper()
    if not text or len(text) > MAX_CODE_CHARS:
        return []
    if scheme == "naics" and NAICS_RANGE_RE.fullmatch(re.sub(r"\s", "", text)):
        return [re.sub(r"\s", "", text)]
    compact = SEPARATORS_RE.sub("", text)
    if compact.isalpha():
        return [compact] if len(compact) == 1 else []
    if scheme in ("nace2", "naf") and re.fullmatch(r"[A-U]\d{2,}[A-Z]?", compact):
        compact = compact[1:]  # "J62.01": the section letter written before the code
    letter = ""
    if scheme in ("nace2", "naf") and re.fullmatch(r"\d{4}[A-Z]", compact):
        compact, letter = compact[:4], compact[4]
    if not compact.isdigit():
        return []
    if scheme == "nace2":
        if len(compact) > 6:
            return []
        return [compact[:4]] if len(compact) > 4 else [compact]
    if scheme == "naf":
        if len(compact) > 4:
            return []
        return [compact + letter, compact] if letter else [compact]
    if scheme == "uk_sic2007":
        return [compact] if 2 <= len(compact) <= 5 else []
    if scheme == "us_sic":
        if len(compact) == 3:
            return [compact, "0" + compact]  # a group ("737"), else a code whose leading zero was lost
        return [compact] if len(compact) in (2, 4) else []
    return [compact] if 2 <= len(compact) <= 6 else []  # naics


def _ancestor_keys(key: str) -> list[str]:
    """Shorter keys of the same code, nearest first ("7370" -> "737", "73")."""
    digits = key.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return [digits[:size] for size in range(len(digits) - 1, 1, -1)]


def classify(scheme: str, code: str | int) -> IndustryCode | None:
    """The listed code ``code`` stands for in ``scheme``, with its label and sector; None when it is none.

    Raises:
        ValueError: ``scheme`` is not one of ``SCHEMES`` (a programming error, not bad input).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown industry code scheme {scheme!r}; known: {', '.join(SCHEMES)}")
    keys = _candidates(scheme, str(code))
    if not keys:
        return None
    for key in keys:
        found = _lookup(scheme, key)
        if found is not None:
            return _answer(scheme, *found, exact=True)
    for ancestor in _ancestor_keys(keys[-1]):
        found = _lookup(scheme, ancestor)
        if found is not None:
            return _answer(scheme, *found, exact=False)
    return None


def _lookup(scheme: str, key: str) -> tuple[str, _Entry] | None:
    """(list, entry) of a key in the scheme's lists, in their order; a two-digit NAICS sector number
    ("31") stands for the sector spanning it ("31-33")."""
    if scheme == "naics":
        key = NAICS_SPANS.get(key, key)
    for name in SCHEME_TABLES[scheme]:
        entry = TABLES[name].find(key)
        if entry is not None:
            return name, entry
    return None


def _answer(scheme: str, table: str, entry: _Entry, *, exact: bool) -> IndustryCode:
    label = entry.label
    if scheme == "naf":
        # INSEE publishes NAF in French only; its classes are NACE Rev. 2's, which Eurostat titles in English.
        nace = TABLES["nace2"].find(_key(entry.code)[:4] if entry.level == "subclass" else _key(entry.code))
        label = nace.label if nace is not None else entry.label
    return IndustryCode(
        scheme=scheme,
        code=entry.code,
        label=readable(label),
        sector=SECTOR_BY_CODE[table][entry.code],
        level=entry.level,
        edition=EDITIONS[table],
        official_label=entry.label,
        exact=exact,
    )


def code_findings(
    scheme: str,
    code: str | int,
    *,
    source: str,
    url: str,
    retrieved_at: datetime,
    method: str,
    confidence: float,
    evidence: str | None = None,
    description: str | None = None,
    description_evidence: str | None = None,
    sector_confidence: float | None = None,
) -> list[Finding]:
    """What a source's stated industry code says: ``identifiers.<scheme>``, ``industry`` and ``sector``.

    The industry is the source's own English title of the code it assigned (``description``: the SEC's
    ``sicDescription``, from the SEC's list, which also titles codes the SIC manual lacks), else the
    official list's title; pass no description in another language (brreg's and INSEE's are Norwegian
    and French, and the list's English title serves better).
    A code no list knows states nothing: a register's typo must not become an industry. A register
    listing several codes (Companies House: up to four SIC codes) is asked for its first, main one:
    ``identifiers.<scheme>`` holds one code, and rival codes would contest each other. The sector
    finding has ``sector_confidence`` when given (a coarse code can still place a company's sector well).
    """
    found = classify(scheme, code)
    if found is None:
        return []
    stated = str(code).strip()
    read = f"{method} -> {found.edition} {found.code}"
    findings = [
        Finding(
            f"identifiers.{scheme}",
            found.code if found.exact else stated,
            source,
            url,
            retrieved_at,
            method,
            confidence,
            evidence=evidence,
        )
    ]
    label, label_evidence = found.label, evidence
    if description and description.strip():
        label, label_evidence = readable(" ".join(description.split())), description_evidence or evidence
    titled = f"{read} {found.official_label!r}"
    findings.append(
        Finding("industry", label, source, url, retrieved_at, titled, confidence, evidence=label_evidence)
    )
    if found.sector:
        mapped = f"{read}: sector list mapping of the code"
        findings.append(
            Finding(
                "sector",
                found.sector,
                source,
                url,
                retrieved_at,
                mapped,
                confidence if sector_confidence is None else sector_confidence,
                evidence=evidence,
            )
        )
    return findings


def readable(label: str) -> str:
    """A list title as a label reads: upper-case titles (SIC, NACE sections) in title case."""
    if label != label.upper():
        return label
    words = label.lower().split(" ")
    return " ".join(
        word if index and word in SMALL_WORDS else _capitalized(word) for index, word in enumerate(words)
    )


def _capitalized(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))


def employee_band(
    count: int | None = None, *, band: str | None = None, scheme: str | None = None
) -> EmployeeBand | None:
    """The contract bucket of an exact head count, or of a register's band.

    ``band`` is either a code of ``scheme`` (``"insee"``: Sirene's ``tranche_effectif_salarie``, "12" for
    20-49) or, without a scheme, a band as printed ("50-99", "10 à 19 salariés", "10000+"). Registers
    count bands from the round number the contract's buckets end at (INSEE's 10-19 against the contract's
    11-50), so a band goes to the bucket that holds it once its lowest value is left out; a band that
    still spans two buckets gives None rather than a guess. An exact count wins over a band.

    Raises:
        ValueError: ``scheme`` is not one of ``BAND_SCHEMES``.
    """
    if count is not None:
        if count < 0:
            return None
        return EmployeeBand(employee_range_for(count), count, count, f"exact count {count}")
    if band is None or not band.strip():
        return None
    if scheme is not None:
        if scheme not in BAND_SCHEMES:
            raise ValueError(f"unknown employee band scheme {scheme!r}; known: {', '.join(BAND_SCHEMES)}")
        bounds = INSEE_BANDS.get(band.strip().upper())
        if bounds is None:
            return None
        low, high = bounds
        described = f"{low}+" if high is None else f"{low}-{high}"
        return _banded(low, high, f"INSEE tranche {band.strip()} ({described})")
    parsed = _parse_band(band)
    if parsed is None:
        return None
    return _banded(*parsed, f"band {band.strip()!r}")


def _parse_band(text: str) -> tuple[int, int | None] | None:
    """(low, high) of a printed band: "50-99", "10 à 19 salariés", "10 000 et plus", "under 10"."""
    numbers = [int(re.sub(r"\D", "", number)) for number in BAND_NUMBER_RE.findall(text)]
    words = text.casefold()
    if len(numbers) == 2 and numbers[0] <= numbers[1]:
        return numbers[0], numbers[1]
    if len(numbers) != 1:
        return None
    if "+" in words or any(marker in words for marker in OPEN_BAND_MARKERS):
        return numbers[0], None
    if any(marker in words for marker in BELOW_BAND_MARKERS):
        return (1, numbers[0] - 1) if numbers[0] > 1 else None
    return numbers[0], numbers[0]


def _banded(low: int, high: int | None, source: str) -> EmployeeBand | None:
    # Leave the band's lowest value out when the band has more than one: "10-19" is 11-19 to the buckets.
    start = low + 1 if high is None or high > low else low
    first = employee_range_for(start)
    if high is None:
        return EmployeeBand(first, low, None, source) if first == LARGEST_EMPLOYEE_RANGE else None
    return EmployeeBand(first, low, high, source) if employee_range_for(high) == first else None
