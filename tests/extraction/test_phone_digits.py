"""The matcher's pre-filter drops only strings in which phonenumbers' matcher finds no number."""

from __future__ import annotations

import random
import sys
import unicodedata

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType, phonenumbermatcher, phonenumberutil

from server.extraction.phone_digits import (
    CANDIDATE_RE,
    DIGIT_LIKE_RE,
    INTERNATIONAL_DIGITS,
    digits_needed,
    enough_digits,
    international_digits,
    may_be_number,
    may_hold_number,
    national_reading,
    valid_matches,
)
from server.extraction.phones import PhoneSources, read_phones

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
FORMATS = (PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.E164)
TYPES = tuple(value for name, value in vars(PhoneNumberType).items() if name.isupper() and name != "UNKNOWN")


def _matches(text: str, region: str) -> list[str]:
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    return [match.raw_string for match in matcher]


def _examples(region: str) -> list[phonenumbers.PhoneNumber]:
    found = (phonenumbers.example_number_for_type(region, kind) for kind in TYPES)
    return [number for number in found if number is not None]


def test_the_international_bound_is_the_one_the_installed_metadata_gives() -> None:
    assert INTERNATIONAL_DIGITS == international_digits()


def test_every_character_phonenumbers_reads_as_a_digit_in_a_candidate_is_counted() -> None:
    """Digits of every script, and the letters its vanity-number reading maps (looked up in upper case);
    a character with a digit's value that is not counted never stands in a candidate of the matcher."""
    letters = phonenumberutil._ALPHA_PHONE_MAPPINGS
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.digit(char, None) is None and char.upper() not in letters:
            continue
        if DIGIT_LIKE_RE.match(char):
            continue
        text = f"1{char}2 34{char} ext {char}5 +{char}6 7-{char}"
        for found in CANDIDATE_RE.finditer(text):
            assert char not in found.group(), hex(code)


def test_a_region_needs_at_least_one_digit_and_no_more_than_its_shortest_numbers() -> None:
    for region in REGIONS:
        without_plus, with_plus = digits_needed(region)
        assert 1 <= with_plus <= without_plus
        for number in _examples(region):
            national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
            assert len(DIGIT_LIKE_RE.findall(national)) >= without_plus, (region, national)


@pytest.mark.parametrize("region", ["US", "DE", "GB", "FR", "CN", "AT", "CH", "SM", "AR", "IN"])
def test_fewer_digits_than_a_region_needs_give_no_candidate_and_no_number(region: str) -> None:
    without_plus, with_plus = digits_needed(region)
    rng = random.Random(region)
    for _ in range(50):
        short = "".join(rng.choice("0123456789") for _ in range(without_plus - 1))
        spaced = " ".join(short)
        international = "+" + "".join(rng.choice("0123456789") for _ in range(with_plus - 1))
        for text in (short, spaced, f"Tel. {short}", f"({short[:2]}) {short[2:]}", international):
            assert not may_hold_number(text, region)
            assert _matches(text, region) == []


@pytest.mark.parametrize("region", REGIONS)
def test_every_example_number_of_every_region_is_still_found(region: str) -> None:
    """phonenumbers' own example numbers, the shortest of each region among them, in every format."""
    for number in _examples(region):
        for form in FORMATS:
            text = f"Call us: {phonenumbers.format_number(number, form)} (weekdays)"
            if _matches(text, region):
                assert may_hold_number(text, region), text


def _mangled_texts() -> list[tuple[str, str]]:
    """(region, text): every region's example numbers cut short, spread over words, beside dates, in other
    scripts' digits."""
    rng = random.Random(8)
    arabic = str.maketrans("0123456789", "".join(chr(0x0660 + digit) for digit in range(10)))
    fullwidth = str.maketrans("0123456789", "".join(chr(0xFF10 + digit) for digit in range(10)))
    texts = []
    for region in REGIONS:
        for number in _examples(region):
            printed = phonenumbers.format_number(number, rng.choice(FORMATS))
            cut = rng.randrange(1, len(printed) + 1)
            variants = (
                printed[:cut],
                printed[cut:],
                printed.replace(" ", " and ", 1),
                f"18.08.2010 {printed[:cut]} ext. 12",
                printed.translate(arabic),
                printed.translate(fullwidth),
                f"{printed[: cut // 2]}x{printed[cut // 2 :]}",
                f"({printed[:cut]}) {printed[cut:]} / {printed[: cut // 2]}-{printed}",
            )
            texts += [(region, text) for text in variants]
    return texts


def test_the_filter_never_drops_a_string_with_a_number_in_mangled_text() -> None:
    for region, text in _mangled_texts():
        if _matches(text, region):
            assert may_hold_number(text, region), (region, text)


def _found(matches: list[phonenumbers.PhoneNumberMatch]) -> list[tuple[int, str, str]]:
    return [
        (m.start, m.raw_string, phonenumbers.format_number(m.number, PhoneNumberFormat.E164)) for m in matches
    ]


def test_valid_matches_are_the_matchers_own_in_mangled_text() -> None:
    for region, text in _mangled_texts():
        matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
        assert _found(valid_matches(text, region)) == _found(list(matcher)), (region, text)


@pytest.mark.parametrize(
    ("region", "text"),
    [
        pytest.param(
            "US", "Rendered at 2018-02-09 20:30:34 (0 62 01) 60 07-4 86, call 415-555-0132", id="US"
        ),
        pytest.param("DE", "Tel. (0 62 01) 60 07-4 86 / Fax 0 62 01/60 07-4 87 (Mo-Fr 8-17)", id="DE"),
    ],
)
def test_valid_matches_parse_no_piece_too_short_for_a_number(
    region: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matcher's pieces of a candidate ("8", "(0", "17") are answered before phonenumbers parses them."""
    parsed = _recording_parse(monkeypatch)
    found = _found(valid_matches(text, region))
    ours = parsed[:]
    parsed.clear()
    assert found == _found(
        list(phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID))
    )
    assert ours
    assert all(enough_digits(piece, region) for piece in ours), ours
    assert len(parsed) > len(ours)


def _recording_parse(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The numbers the matcher hands phonenumbers' ``parse`` from now on, in order (this test only)."""
    parsed: list[str] = []
    parse = phonenumbermatcher.parse

    def recording(number: str, region: str | None, **kwargs: bool) -> phonenumbers.PhoneNumber:
        parsed.append(number)
        return parse(number, region, **kwargs)

    monkeypatch.setattr(phonenumbermatcher, "parse", recording)
    return parsed


def _is_valid_reading(piece: str, region: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(piece, region))
    except phonenumbers.NumberParseException:
        return False


def _plain_variants(rng: random.Random, number: phonenumbers.PhoneNumber) -> list[str]:
    """A number's digits changed, cut, lengthened and prefixed, written with the separators of plain text."""
    digits = list(phonenumbers.national_significant_number(number))
    changed = [rng.choice("0123456789") if rng.random() < 0.3 else digit for digit in digits]
    runs = [
        "".join(changed),
        "".join(digits[1:]),
        "".join(digits) + rng.choice("0123456789"),
        rng.choice("0123456789") + "".join(digits),
        f"0{''.join(digits)}",
        f"{number.country_code}{''.join(digits)}",
    ]
    return [
        "".join(f"{digit}{rng.choice(['', '', ' ', '-', '.', '/'])}" for digit in run).strip(" -./")
        for run in runs
    ] + [f"({run[:3]}) {run[3:]}" for run in runs]


def test_a_plain_piece_read_as_a_valid_number_is_never_answered_no() -> None:
    """Every region's example numbers as printed and with their digits changed: valid => asked."""
    rng = random.Random(11)
    answered_no = 0
    for region in REGIONS:
        for number in _examples(region):
            pieces = [phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)]
            for _ in range(4):
                pieces += _plain_variants(rng, number)
            for piece in pieces:
                if _is_valid_reading(piece, region):
                    assert may_be_number(piece, region), (region, piece)
                elif not may_be_number(piece, region):
                    answered_no += 1
    assert answered_no > 1_000  # the rule answers, not only the library


def test_a_plain_run_that_no_prefix_starts_is_read_as_its_own_digits() -> None:
    """The reading ``may_be_number`` rests on, for random runs of digits and separators in every region."""
    rng = random.Random(12)
    read_as_is = 0
    for region in REGIONS:
        reading = national_reading(region)
        assert reading is not None, region
        for _ in range(60):
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(2, 18)))
            if reading.prefixed.match(digits):
                continue
            piece = "".join(
                f"{digit}{rng.choice(['', '', ' ', '-', '.', '/', ') ', ' ('])}" for digit in digits
            )
            try:
                number = phonenumbers.parse(piece, region, keep_raw_input=True)
            except phonenumbers.NumberParseException:
                continue
            assert (number.country_code, number.extension) == (
                phonenumbers.country_code_for_region(region),
                None,
            )
            assert phonenumbers.national_significant_number(number) == digits, (region, piece)
            read_as_is += 1
    assert read_as_is > 5_000


@pytest.mark.parametrize(
    ("region", "piece", "expected"),
    [
        pytest.param("US", "2018-08-08", False, id="a-date-in-the-us"),
        pytest.param("US", "20180808", False, id="eight-digits-in-the-us"),
        pytest.param("US", "415-555-0132", True, id="a-us-number"),
        pytest.param("US", "1-415-555-0132", True, id="a-us-number-with-its-code"),
        pytest.param("FR", "2018-08-08", False, id="a-date-in-france"),
        pytest.param("FR", "01 42 68 53 00", True, id="a-french-number"),
        pytest.param("GB", "2018.08.08", False, id="a-date-in-britain"),
        pytest.param("DE", "2018", False, id="a-year-in-germany"),
        pytest.param("DE", "30 1234567", True, id="a-german-number-without-its-prefix"),
        pytest.param("US", "555-0132 ext. 12", True, id="an-extension-is-read-by-the-library"),
    ],
)
def test_a_plain_run_of_digits_that_is_no_national_number_is_answered_no(
    region: str, piece: str, expected: bool
) -> None:
    assert may_be_number(piece, region) is expected
    if not expected:
        assert not _is_valid_reading(piece, region)


def test_read_phones_reads_the_same_numbers_with_the_filter() -> None:
    strings = (
        ("Founded 1998, 120 people, 2009-2025", "", False),
        ("Tel. +49 30 1234567 oder 030 7654321", "", False),
        ("Call (415) 555-0132 today", "", False),
    )
    for region in ("US", "DE"):
        phones = read_phones(PhoneSources(strings=strings), region)
        expected = {number for text, _, _ in strings for number in _e164s(text, region)}
        assert {phone.e164 for phone in phones} == expected


def _e164s(text: str, region: str) -> list[str]:
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    return [phonenumbers.format_number(match.number, PhoneNumberFormat.E164) for match in matcher]
