"""What a phone number needs to be one: lossless pre-filters for phonenumbers' matcher. Pure.

``PhoneNumberMatcher`` costs ~0.1-0.3 ms a string (it parses and validates every digit run it finds),
and most digit-bearing strings of a page (dates, prices, codes) hold no number. A number it accepts is
valid (``Leniency.VALID``), so its national significant number is as long as its region allows: every one
of those digits comes from a character of the matcher's candidate (a decimal digit, or under phonenumbers'
vanity-number reading an ASCII letter) except the digits a region's national-prefix transform rule writes
in. So a candidate with fewer such characters than the bound below holds no number, and a string none of
whose candidates reaches it gives no match. The candidates are found as the matcher finds them: its own
pattern, searched from where it searches, cut where it cuts (``may_hold_number``). The bounds come from
phonenumbers' metadata, per default region (``digits_needed``):

- a number written without a plus sign is read in the default region's country code (directly, or after
  a leading country code, which only adds digits): at least the shortest possible length of any region of
  that code, less the digits the region's transform rules (its own, then the code's main region's) may add;
  or it starts with the region's international prefix (at least that pattern's shortest match) and is
  then read as an international number;
- a number written after a plus sign has a country code and a number valid under it: at least the code's
  length plus that shortest possible length, less the digits the code's main region's transform adds,
  over all country codes.

Within a string that passes, the matcher parses and validates each candidate and then pieces of it (split
at slashes, brackets, dashes, stops and spaces): "2018-08-08", "(0", "20180808". ``valid_matches`` answers
a piece itself when the answer is certainly "no number" (``may_be_number``): too few digits by the bound
above, or a plain run of digits that is no national number of the region. A piece of only ASCII digits and
separators (no plus, no letter, none of the marks an extension needs: ``;``, ``,``, ``#``, ``~``) is read
by ``phonenumbers.parse`` as its digits: an international number only after the region's international
prefix or its country code, and a national prefix stripped only where the region's pattern for one
matches. When none of those (nor a leading zero, which it may keep apart) starts the digits, they are the
national significant number, unchanged, and valid only if their count is a possible length of a region of
that country code and a region's general pattern matches them (what ``is_valid_number`` checks first).
"""

from __future__ import annotations

import re
import re._parser as sre_parser  # type: ignore[import-not-found]  # the stdlib's own regex parser
from dataclasses import dataclass
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import phonenumbermatcher, phonenumberutil
from phonenumbers.phonemetadata import PhoneMetadata

# Characters phonenumbers turns into a digit: decimal digits (normalised to ASCII), and under its reading
# of vanity numbers ("1-800-FLOWERS") the ASCII letters, looked up in upper case (so also the dotless i
# and the long s, which IGNORECASE matches here).
DIGIT_LIKE_RE = re.compile(r"[\dA-Z]", re.IGNORECASE)
PLUS_RE = re.compile(f"[{re.escape(phonenumberutil._PLUS_CHARS)}]")
# What the matcher searches for, and where it cuts a candidate before reading it ("... / x").
CANDIDATE_RE = phonenumbermatcher._PATTERN
SECOND_NUMBER_RE: re.Pattern[str] = getattr(phonenumbermatcher, "_SECOND_NUMBER_START_PATTERN")  # noqa: B009
# A piece of a candidate that phonenumbers reads as nothing but its digits (see the module's docstring).
PLAIN_PIECE_RE = re.compile(r"[0-9 ()./-]+")
SEPARATORS = str.maketrans("", "", " ()./-")  # what is left of a plain piece is its digits
# A backreference or conditional: a pattern that holds one means something else joined with others.
GROUP_REFERENCE_RE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


def shortest_match(pattern: str) -> int:
    """The fewest characters a regular expression matches (its width, as the stdlib's parser reckons it)."""
    parsed: Any = sre_parser.parse(pattern)
    return int(parsed.getwidth()[0])


def _shortest_national(metadata: PhoneMetadata) -> int:
    """The fewest digits a valid national significant number of ``metadata``'s region has."""
    desc = metadata.general_desc
    if desc is None:
        return 1
    if desc.possible_length:
        return min(desc.possible_length)
    return shortest_match(desc.national_number_pattern) if desc.national_number_pattern else 1


def _written_digits(metadata: PhoneMetadata | None) -> int:
    """Digits the region's national-prefix transform rule may write in (``"0549\\1"``: at most 5)."""
    rule = metadata.national_prefix_transform_rule if metadata is not None else None
    return sum(char.isdigit() for char in rule or "")


def _main_metadata(country_code: int) -> PhoneMetadata | None:
    region = phonenumbers.region_code_for_country_code(country_code)
    return PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)


@cache
def _shortest_under_code(country_code: int) -> int:
    """The fewest national digits a valid number of any region of ``country_code`` has."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    found = [
        _shortest_national(metadata)
        for region in regions
        if (metadata := PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)) is not None
    ]
    return min(found, default=1)


# ``international_digits()``, which reads every region's metadata (~0.2 s a process, most of it regions no
# page of ours names): the tests check this figure against it for the phonenumbers release installed.
INTERNATIONAL_DIGITS = 6


def international_digits() -> int:
    """The fewest digit-like characters of a number written with its country code, any code."""
    return max(
        1,
        min(
            len(str(code)) + _shortest_under_code(code) - _written_digits(_main_metadata(code))
            for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        ),
    )


@cache
def digits_needed(region: str) -> tuple[int, int]:
    """(without a plus sign, with one): the fewest digit-like characters a number read in ``region`` has."""
    international = INTERNATIONAL_DIGITS
    metadata = PhoneMetadata.metadata_for_region(region.upper())
    if metadata is None:  # phonenumbers reads no number without a plus in an unknown region
        return international, international
    code = metadata.country_code
    assert code is not None
    # The region's own rule (reading a leading country code), then the code's region's (or its own again).
    written = _written_digits(metadata) + max(
        _written_digits(metadata), _written_digits(_main_metadata(code))
    )
    national = _shortest_under_code(code) - written
    prefix = metadata.international_prefix
    dialled = (shortest_match(prefix) if prefix else 0) + international
    without_plus = max(1, min(national, dialled))
    return without_plus, min(without_plus, international)


def enough_digits(text: str, region: str) -> bool:
    """Whether ``text`` has the digit-like characters a number read from it as in ``region`` needs."""
    without_plus, with_plus = digits_needed(region)
    needed = with_plus if PLUS_RE.search(text) else without_plus
    return len(text) >= needed and len(DIGIT_LIKE_RE.findall(text)) >= needed


@dataclass(frozen=True)
class NationalReading:
    """How ``phonenumbers.parse`` may read a run of plain digits in a region, from its metadata.

    ``prefixed`` matches the start of digits that may be read with a prefix (a leading zero, the country
    code, the international prefix, the national prefix); other digits are a national number as they
    stand, valid only if as long as one of ``lengths`` and matched by ``numbers``.
    """

    prefixed: re.Pattern[str]
    lengths: frozenset[int]
    numbers: re.Pattern[str]


@cache
def national_reading(region: str) -> NationalReading | None:
    """``region``'s ``NationalReading``; None where its metadata gives none (a region of its code described
    by pattern alone, or a pattern that refers to its own groups, which joining the patterns would renumber).
    """
    metadata = PhoneMetadata.metadata_for_region(region.upper())
    if metadata is None or metadata.country_code is None:
        return None
    code = metadata.country_code
    prefixes = ["0", str(code)]
    prefixes += [
        pattern
        for pattern in (metadata.international_prefix, metadata.national_prefix_for_parsing)
        if pattern
    ]
    lengths: set[int] = set()
    numbers: list[str] = []
    for other in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ()):
        described = PhoneMetadata.metadata_for_region_or_calling_code(code, other)
        desc = described.general_desc if described is not None else None
        if desc is None or not desc.national_number_pattern:
            continue  # a region without a general description validates no number
        if not desc.possible_length:
            return None  # its numbers are matched by pattern only
        lengths.update(desc.possible_length)
        numbers.append(desc.national_number_pattern)
    if not numbers or any(GROUP_REFERENCE_RE.search(pattern) for pattern in [*prefixes, *numbers]):
        return None
    return NationalReading(
        re.compile("|".join(f"(?:{pattern})" for pattern in prefixes)),
        frozenset(lengths),
        re.compile("|".join(f"(?:{pattern})" for pattern in dict.fromkeys(numbers))),
    )


def may_be_number(piece: str, region: str) -> bool:
    """False when ``phonenumbers.parse(piece, region)`` certainly gives no valid number (or raises)."""
    if not enough_digits(piece, region):
        return False
    reading = national_reading(region)
    if reading is None or PLAIN_PIECE_RE.fullmatch(piece) is None:
        return True
    digits = piece.translate(SEPARATORS)
    if reading.prefixed.match(digits) is not None:
        return True
    return len(digits) in reading.lengths and reading.numbers.fullmatch(digits) is not None


def may_hold_number(text: str, region: str) -> bool:
    """False when ``PhoneNumberMatcher(text, region, leniency=VALID)`` certainly finds no number.

    The candidates are the matcher's own, in its order: it reads one, and only if it finds no number
    there moves on from that candidate's end; so while no candidate can hold a number, the same ones.
    """
    index = 0
    while (found := CANDIDATE_RE.search(text, index)) is not None:
        candidate = found.group()
        cut = SECOND_NUMBER_RE.search(candidate)
        if cut is not None:
            candidate = candidate[: cut.start()]
        if enough_digits(candidate, region):
            return True
        index = found.start() + len(candidate)
    return False


def valid_matches(text: str, region: str) -> list[phonenumbers.PhoneNumberMatch]:
    """What ``PhoneNumberMatcher(text, region, leniency=VALID)`` finds, the same matches in the same order."""
    return list(_PrefilteredMatcher(text, region)) if may_hold_number(text, region) else []


class _PrefilteredMatcher(phonenumbers.PhoneNumberMatcher):
    """phonenumbers' matcher at ``Leniency.VALID`` that answers a piece that is no number itself.

    ``_parse_and_verify`` is where the matcher reads each candidate and piece of one; a None from it is
    what the library would have answered (``may_be_number``), and the matcher counts it as a try as it
    counts its own. Should a release stop calling it, the matcher reads every piece itself:
    slower, the same matches.
    """

    def __init__(self, text: str, region: str) -> None:
        super().__init__(text, region, leniency=phonenumbers.Leniency.VALID)
        self._region = region

    def _parse_and_verify(self, candidate: str, offset: int) -> phonenumbers.PhoneNumberMatch | None:
        if not may_be_number(candidate, self._region):
            return None
        return super()._parse_and_verify(candidate, offset)
