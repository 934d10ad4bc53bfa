"""Messages print as Envoy's transcoder prints them: protobuf's C++ JSON rules, not a JSON library's."""

from __future__ import annotations

import json

from google.protobuf import descriptor_pb2, empty_pb2, json_format
from google.protobuf.unknown_fields import UnknownFieldSet

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import enums_pb2, profile_pb2
from server.api.convert import JSON_PRINT_OPTIONS
from server.api.transcoded_json import message_json


def test_fields_come_in_field_number_order_defaults_included_and_unset_optionals_left_out() -> None:
    progress = pb.BatchProgress(total_companies=3, remaining=3)
    text = message_json(progress)
    assert text == (
        '{"total_companies":3,"completed":0,"failed":0,"remaining":3,"completion_percentage":0,'
        '"current_phase":"phase_unspecified","in_progress":0,"cancelled":0}'
    )
    profile = profile_pb2.CompanyProfile(company_name="Acme")
    printed = json.loads(message_json(profile))
    assert "industry" not in printed and "headquarters" not in printed  # fields with presence, unset
    assert printed["aliases"] == [] and printed["provenance"] == {} and printed["confidence"] == 0


def test_doubles_print_as_c_does_with_15_then_17_digits() -> None:
    def confidence(value: float) -> str:
        return (
            message_json(profile_pb2.CompanyProfile(confidence=value)).split('"confidence":')[1].split(",")[0]
        )

    assert confidence(100.0) == "100"  # not Python's 100.0
    assert confidence(0.1) == "0.1"
    assert confidence(0.1234567890123456) == "0.12345678901234559"  # Python's repr: 0.1234567890123456
    assert confidence(1e-7) == "1e-07"
    assert confidence(1e21) == "1e+21"
    assert confidence(float("nan")) == '"NaN"'


def test_strings_escape_what_the_c_printer_escapes_and_nothing_else() -> None:
    name = 'A <b>&</b> "q" \\ \n\t\x01\x7f\u00ad\u200b\u2028\ufeff é 株式 🚀 \U000e0041'
    text = message_json(profile_pb2.CompanyProfile(company_name=name))
    quoted = text.split('"company_name":')[1].split(',"aliases"')[0]
    assert quoted == (
        '"A \\u003cb\\u003e&\\u003c/b\\u003e \\"q\\" \\\\ \\n\\t\\u0001\\u007f\\u00ad\\u200b\\u2028\\ufeff'
        ' é 株式 🚀 \\udb40\\udc41"'
    )
    assert json.loads(quoted) == name


def test_enums_print_by_name_timestamps_in_rfc_3339_and_64_bit_integers_quoted() -> None:
    batch = pb.Batch(status=2)
    batch.created_at.FromSeconds(1_717_243_205)
    batch.last_update.FromNanoseconds(1_717_243_205_120_000_000)
    printed = json.loads(message_json(batch))
    assert printed["status"] == enums_pb2.BatchStatus.Name(2)
    assert printed["created_at"] == "2024-06-01T12:00:05Z"
    assert printed["last_update"] == "2024-06-01T12:00:05.120Z"
    option = descriptor_pb2.UninterpretedOption(negative_int_value=-5, string_value=b"\xff\x00")
    assert message_json(option) == '{"name":[],"negative_int_value":"-5","string_value":"/wA="}'


def test_a_map_prints_its_entries_in_the_order_they_are_serialised() -> None:
    profile = profile_pb2.CompanyProfile()
    for key in (f"network{i}" for i in range(40)):
        profile.social_profiles[key] = f"https://{key}.example/"
    printed = message_json(profile).split('"social_profiles":')[1].split("},")[0] + "}"
    wire_order = [entry.key for entry in _map_entries(profile.SerializeToString())]
    assert list(json.loads(printed)) == wire_order


def test_the_json_reads_back_as_the_same_message() -> None:
    profile = profile_pb2.CompanyProfile(company_name="Acme", confidence=0.92, match_confidence=0.5)
    profile.headquarters.city = "Berlin"
    profile.provenance["industry"].source = "website"
    assert json_format.Parse(message_json(profile), profile_pb2.CompanyProfile()) == profile
    assert json.loads(message_json(profile)) == json_format.MessageToDict(profile, **JSON_PRINT_OPTIONS)


def _map_entries(raw: bytes) -> list[profile_pb2.CompanyProfile.SocialProfilesEntry]:
    """The ``social_profiles`` entries of a serialised profile, in the order they are on the wire."""
    field = profile_pb2.CompanyProfile.DESCRIPTOR.fields_by_name["social_profiles"].number
    entries = UnknownFieldSet(empty_pb2.Empty.FromString(raw))
    return [
        profile_pb2.CompanyProfile.SocialProfilesEntry.FromString(entry.data)
        for entry in entries
        if entry.field_number == field
    ]
