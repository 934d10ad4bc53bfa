"""Generated protocol buffer code."""
from google.protobuf import descriptor as _descriptor
from google.protobuf import descriptor_pool as _descriptor_pool
from google.protobuf import runtime_version as _runtime_version
from google.protobuf import symbol_database as _symbol_database
from google.protobuf.internal import builder as _builder
_runtime_version.ValidateProtobufRuntimeVersion(_runtime_version.Domain.PUBLIC, 5, 29, 0, '', 'company/v1/extraction_service.proto')
_sym_db = _symbol_database.Default()
from ...company.v1 import batch_service_pb2 as company_dot_v1_dot_batch__service__pb2
from ...company.v1 import enums_pb2 as company_dot_v1_dot_enums__pb2
from google.api import annotations_pb2 as google_dot_api_dot_annotations__pb2
DESCRIPTOR = _descriptor_pool.Default().AddSerializedFile(b'\n#company/v1/extraction_service.proto\x12\ncompany.v1\x1a\x1ecompany/v1/batch_service.proto\x1a\x16company/v1/enums.proto\x1a\x1cgoogle/api/annotations.proto"\xff\x02\n\x15ExtractCompanyRequest\x12\x14\n\x0ccompany_name\x18\x01 \x01(\t\x123\n\x0fextraction_mode\x18\x02 \x01(\x0e2\x1a.company.v1.ExtractionMode\x12\x14\n\x07country\x18\x03 \x01(\tH\x00\x88\x01\x01\x12\x15\n\x08language\x18\x04 \x01(\tH\x01\x88\x01\x01\x12\x13\n\x0bdomain_hint\x18\x05 \x01(\t\x12\x1c\n\x0ftimeout_seconds\x18\x06 \x01(\x05H\x02\x88\x01\x01\x12\x14\n\x0cbypass_cache\x18\x07 \x01(\x08\x12"\n\x15max_cache_age_seconds\x18\x08 \x01(\x05H\x03\x88\x01\x01\x12!\n\x14min_match_confidence\x18\x14 \x01(\x01H\x04\x88\x01\x01B\n\n\x08_countryB\x0b\n\t_languageB\x12\n\x10_timeout_secondsB\x18\n\x16_max_cache_age_secondsB\x17\n\x15_min_match_confidence"\x82\x01\n\x16ExtractCompanyResponse\x12\x0f\n\x07success\x18\x01 \x01(\x08\x12\'\n\x04data\x18\x02 \x01(\x0b2\x19.company.v1.CompanyResult\x12.\n\x08metadata\x18\x03 \x01(\x0b2\x1c.company.v1.ResponseMetadata2\x90\x01\n\x11ExtractionService\x12{\n\x0eExtractCompany\x12!.company.v1.ExtractCompanyRequest\x1a".company.v1.ExtractCompanyResponse""\x82\xd3\xe4\x93\x02\x1c"\x17/api/v1/company/extract:\x01*b\x06proto3')
_globals = globals()
_builder.BuildMessageAndEnumDescriptors(DESCRIPTOR, _globals)
_builder.BuildTopDescriptorsAndMessages(DESCRIPTOR, 'company.v1.extraction_service_pb2', _globals)
if not _descriptor._USE_C_DESCRIPTORS:
    DESCRIPTOR._loaded_options = None
    _globals['_EXTRACTIONSERVICE'].methods_by_name['ExtractCompany']._loaded_options = None
    _globals['_EXTRACTIONSERVICE'].methods_by_name['ExtractCompany']._serialized_options = b'\x82\xd3\xe4\x93\x02\x1c"\x17/api/v1/company/extract:\x01*'
    _globals['_EXTRACTCOMPANYREQUEST']._serialized_start = 138
    _globals['_EXTRACTCOMPANYREQUEST']._serialized_end = 521
    _globals['_EXTRACTCOMPANYRESPONSE']._serialized_start = 524
    _globals['_EXTRACTCOMPANYRESPONSE']._serialized_end = 654
    _globals['_EXTRACTIONSERVICE']._serialized_start = 657
    _globals['_EXTRACTIONSERVICE']._serialized_end = 801