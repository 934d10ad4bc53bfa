from company.v1 import batch_service_pb2 as _batch_service_pb2
from company.v1 import enums_pb2 as _enums_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union
DESCRIPTOR: _descriptor.FileDescriptor

class ExtractCompanyRequest(_message.Message):
    __slots__ = ('company_name', 'extraction_mode', 'country', 'language', 'domain_hint', 'timeout_seconds', 'bypass_cache', 'max_cache_age_seconds', 'min_match_confidence')
    COMPANY_NAME_FIELD_NUMBER: _ClassVar[int]
    EXTRACTION_MODE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_HINT_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    BYPASS_CACHE_FIELD_NUMBER: _ClassVar[int]
    MAX_CACHE_AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MIN_MATCH_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    company_name: str
    extraction_mode: _enums_pb2.ExtractionMode
    country: str
    language: str
    domain_hint: str
    timeout_seconds: int
    bypass_cache: bool
    max_cache_age_seconds: int
    min_match_confidence: float

    def __init__(self, company_name: _Optional[str]=..., extraction_mode: _Optional[_Union[_enums_pb2.ExtractionMode, str]]=..., country: _Optional[str]=..., language: _Optional[str]=..., domain_hint: _Optional[str]=..., timeout_seconds: _Optional[int]=..., bypass_cache: bool=..., max_cache_age_seconds: _Optional[int]=..., min_match_confidence: _Optional[float]=...) -> None:
        ...

class ExtractCompanyResponse(_message.Message):
    __slots__ = ('success', 'data', 'metadata')
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    success: bool
    data: _batch_service_pb2.CompanyResult
    metadata: _batch_service_pb2.ResponseMetadata

    def __init__(self, success: bool=..., data: _Optional[_Union[_batch_service_pb2.CompanyResult, _Mapping]]=..., metadata: _Optional[_Union[_batch_service_pb2.ResponseMetadata, _Mapping]]=...) -> None:
        ...