from company.v1 import enums_pb2 as _enums_pb2
from company.v1 import profile_pb2 as _profile_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union
DESCRIPTOR: _descriptor.FileDescriptor

class ResponseMetadata(_message.Message):
    __slots__ = ('trace_id', 'timestamp', 'generated_at')
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    GENERATED_AT_FIELD_NUMBER: _ClassVar[int]
    trace_id: str
    timestamp: _timestamp_pb2.Timestamp
    generated_at: _timestamp_pb2.Timestamp

    def __init__(self, trace_id: _Optional[str]=..., timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., generated_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=...) -> None:
        ...

class SubmitBatchRequest(_message.Message):
    __slots__ = ('company_names', 'extraction_mode', 'priority', 'country', 'language', 'domain_hints', 'max_concurrent', 'timeout_seconds', 'include_failed_results', 'export_format', 'request_id', 'bypass_cache', 'max_cache_age_seconds', 'min_match_confidence', 'webhook_url', 'webhook_events')

    class DomainHintsEntry(_message.Message):
        __slots__ = ('key', 'value')
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str

        def __init__(self, key: _Optional[str]=..., value: _Optional[str]=...) -> None:
            ...
    COMPANY_NAMES_FIELD_NUMBER: _ClassVar[int]
    EXTRACTION_MODE_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_HINTS_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FAILED_RESULTS_FIELD_NUMBER: _ClassVar[int]
    EXPORT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BYPASS_CACHE_FIELD_NUMBER: _ClassVar[int]
    MAX_CACHE_AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MIN_MATCH_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_URL_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_EVENTS_FIELD_NUMBER: _ClassVar[int]
    company_names: _containers.RepeatedScalarFieldContainer[str]
    extraction_mode: _enums_pb2.ExtractionMode
    priority: _enums_pb2.Priority
    country: str
    language: str
    domain_hints: _containers.ScalarMap[str, str]
    max_concurrent: int
    timeout_seconds: int
    include_failed_results: bool
    export_format: _enums_pb2.ExportFormat
    request_id: str
    bypass_cache: bool
    max_cache_age_seconds: int
    min_match_confidence: float
    webhook_url: str
    webhook_events: _containers.RepeatedScalarFieldContainer[str]

    def __init__(self, company_names: _Optional[_Iterable[str]]=..., extraction_mode: _Optional[_Union[_enums_pb2.ExtractionMode, str]]=..., priority: _Optional[_Union[_enums_pb2.Priority, str]]=..., country: _Optional[str]=..., language: _Optional[str]=..., domain_hints: _Optional[_Mapping[str, str]]=..., max_concurrent: _Optional[int]=..., timeout_seconds: _Optional[int]=..., include_failed_results: bool=..., export_format: _Optional[_Union[_enums_pb2.ExportFormat, str]]=..., request_id: _Optional[str]=..., bypass_cache: bool=..., max_cache_age_seconds: _Optional[int]=..., min_match_confidence: _Optional[float]=..., webhook_url: _Optional[str]=..., webhook_events: _Optional[_Iterable[str]]=...) -> None:
        ...

class SubmitBatchResponse(_message.Message):
    __slots__ = ('success', 'data', 'metadata')
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    success: bool
    data: SubmitBatchData
    metadata: ResponseMetadata

    def __init__(self, success: bool=..., data: _Optional[_Union[SubmitBatchData, _Mapping]]=..., metadata: _Optional[_Union[ResponseMetadata, _Mapping]]=...) -> None:
        ...

class SubmitBatchData(_message.Message):
    __slots__ = ('batch_id', 'status', 'message', 'total_companies', 'estimated_processing_time', 'priority', 'created_at', 'duplicates_merged', 'idempotent_replay')
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COMPANIES_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_PROCESSING_TIME_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_MERGED_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENT_REPLAY_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    status: _enums_pb2.BatchStatus
    message: str
    total_companies: int
    estimated_processing_time: float
    priority: _enums_pb2.Priority
    created_at: _timestamp_pb2.Timestamp
    duplicates_merged: _containers.RepeatedScalarFieldContainer[str]
    idempotent_replay: bool

    def __init__(self, batch_id: _Optional[str]=..., status: _Optional[_Union[_enums_pb2.BatchStatus, str]]=..., message: _Optional[str]=..., total_companies: _Optional[int]=..., estimated_processing_time: _Optional[float]=..., priority: _Optional[_Union[_enums_pb2.Priority, str]]=..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., duplicates_merged: _Optional[_Iterable[str]]=..., idempotent_replay: bool=...) -> None:
        ...

class GetBatchRequest(_message.Message):
    __slots__ = ('batch_id',)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str

    def __init__(self, batch_id: _Optional[str]=...) -> None:
        ...

class GetBatchResponse(_message.Message):
    __slots__ = ('success', 'data', 'metadata')
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    success: bool
    data: Batch
    metadata: ResponseMetadata

    def __init__(self, success: bool=..., data: _Optional[_Union[Batch, _Mapping]]=..., metadata: _Optional[_Union[ResponseMetadata, _Mapping]]=...) -> None:
        ...

class Batch(_message.Message):
    __slots__ = ('batch_id', 'status', 'progress', 'processing_time', 'created_at', 'started_at', 'estimated_completion', 'last_update', 'priority', 'extraction_mode', 'export_format', 'completed_at', 'country', 'language', 'max_concurrent', 'timeout_seconds', 'include_failed_results', 'webhook')
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_COMPLETION_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATE_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    EXTRACTION_MODE_FIELD_NUMBER: _ClassVar[int]
    EXPORT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FAILED_RESULTS_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    status: _enums_pb2.BatchStatus
    progress: BatchProgress
    processing_time: float
    created_at: _timestamp_pb2.Timestamp
    started_at: _timestamp_pb2.Timestamp
    estimated_completion: _timestamp_pb2.Timestamp
    last_update: _timestamp_pb2.Timestamp
    priority: _enums_pb2.Priority
    extraction_mode: _enums_pb2.ExtractionMode
    export_format: _enums_pb2.ExportFormat
    completed_at: _timestamp_pb2.Timestamp
    country: str
    language: str
    max_concurrent: int
    timeout_seconds: int
    include_failed_results: bool
    webhook: WebhookStatus

    def __init__(self, batch_id: _Optional[str]=..., status: _Optional[_Union[_enums_pb2.BatchStatus, str]]=..., progress: _Optional[_Union[BatchProgress, _Mapping]]=..., processing_time: _Optional[float]=..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., started_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., estimated_completion: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., last_update: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., priority: _Optional[_Union[_enums_pb2.Priority, str]]=..., extraction_mode: _Optional[_Union[_enums_pb2.ExtractionMode, str]]=..., export_format: _Optional[_Union[_enums_pb2.ExportFormat, str]]=..., completed_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., country: _Optional[str]=..., language: _Optional[str]=..., max_concurrent: _Optional[int]=..., timeout_seconds: _Optional[int]=..., include_failed_results: bool=..., webhook: _Optional[_Union[WebhookStatus, _Mapping]]=...) -> None:
        ...

class WebhookStatus(_message.Message):
    __slots__ = ('url', 'events', 'deliveries')
    URL_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    url: str
    events: _containers.RepeatedScalarFieldContainer[str]
    deliveries: _containers.RepeatedCompositeFieldContainer[WebhookDelivery]

    def __init__(self, url: _Optional[str]=..., events: _Optional[_Iterable[str]]=..., deliveries: _Optional[_Iterable[_Union[WebhookDelivery, _Mapping]]]=...) -> None:
        ...

class WebhookDelivery(_message.Message):
    __slots__ = ('webhook_id', 'event_type', 'state', 'attempts', 'created_at', 'next_attempt_at', 'last_attempt_at', 'last_status_code', 'last_error', 'delivered_at')
    WEBHOOK_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    webhook_id: str
    event_type: str
    state: str
    attempts: int
    created_at: _timestamp_pb2.Timestamp
    next_attempt_at: _timestamp_pb2.Timestamp
    last_attempt_at: _timestamp_pb2.Timestamp
    last_status_code: int
    last_error: str
    delivered_at: _timestamp_pb2.Timestamp

    def __init__(self, webhook_id: _Optional[str]=..., event_type: _Optional[str]=..., state: _Optional[str]=..., attempts: _Optional[int]=..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., next_attempt_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., last_attempt_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., last_status_code: _Optional[int]=..., last_error: _Optional[str]=..., delivered_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=...) -> None:
        ...

class BatchProgress(_message.Message):
    __slots__ = ('total_companies', 'completed', 'failed', 'remaining', 'completion_percentage', 'current_phase', 'in_progress', 'cancelled')

    class Phase(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        phase_unspecified: _ClassVar[BatchProgress.Phase]
        waiting: _ClassVar[BatchProgress.Phase]
        extraction: _ClassVar[BatchProgress.Phase]
        pausing: _ClassVar[BatchProgress.Phase]
        paused: _ClassVar[BatchProgress.Phase]
        cancelling: _ClassVar[BatchProgress.Phase]
        finished: _ClassVar[BatchProgress.Phase]
    phase_unspecified: BatchProgress.Phase
    waiting: BatchProgress.Phase
    extraction: BatchProgress.Phase
    pausing: BatchProgress.Phase
    paused: BatchProgress.Phase
    cancelling: BatchProgress.Phase
    finished: BatchProgress.Phase
    TOTAL_COMPANIES_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PHASE_FIELD_NUMBER: _ClassVar[int]
    IN_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    total_companies: int
    completed: int
    failed: int
    remaining: int
    completion_percentage: float
    current_phase: BatchProgress.Phase
    in_progress: int
    cancelled: int

    def __init__(self, total_companies: _Optional[int]=..., completed: _Optional[int]=..., failed: _Optional[int]=..., remaining: _Optional[int]=..., completion_percentage: _Optional[float]=..., current_phase: _Optional[_Union[BatchProgress.Phase, str]]=..., in_progress: _Optional[int]=..., cancelled: _Optional[int]=...) -> None:
        ...

class WatchBatchRequest(_message.Message):
    __slots__ = ('batch_id',)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str

    def __init__(self, batch_id: _Optional[str]=...) -> None:
        ...

class WatchBatchEventsRequest(_message.Message):
    __slots__ = ('batch_id',)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str

    def __init__(self, batch_id: _Optional[str]=...) -> None:
        ...

class WatchBatchResponse(_message.Message):
    __slots__ = ('event_type', 'batch', 'company_name', 'result', 'timestamp', 'sequence')

    class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        event_type_unspecified: _ClassVar[WatchBatchResponse.EventType]
        snapshot: _ClassVar[WatchBatchResponse.EventType]
        company_started: _ClassVar[WatchBatchResponse.EventType]
        company_succeeded: _ClassVar[WatchBatchResponse.EventType]
        company_failed: _ClassVar[WatchBatchResponse.EventType]
        status_changed: _ClassVar[WatchBatchResponse.EventType]
    event_type_unspecified: WatchBatchResponse.EventType
    snapshot: WatchBatchResponse.EventType
    company_started: WatchBatchResponse.EventType
    company_succeeded: WatchBatchResponse.EventType
    company_failed: WatchBatchResponse.EventType
    status_changed: WatchBatchResponse.EventType
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    COMPANY_NAME_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    event_type: WatchBatchResponse.EventType
    batch: Batch
    company_name: str
    result: CompanyResult
    timestamp: _timestamp_pb2.Timestamp
    sequence: int

    def __init__(self, event_type: _Optional[_Union[WatchBatchResponse.EventType, str]]=..., batch: _Optional[_Union[Batch, _Mapping]]=..., company_name: _Optional[str]=..., result: _Optional[_Union[CompanyResult, _Mapping]]=..., timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., sequence: _Optional[int]=...) -> None:
        ...

class GetResultsRequest(_message.Message):
    __slots__ = ('batch_id', 'include_failed', 'format', 'download')
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FAILED_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    DOWNLOAD_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    include_failed: bool
    format: _enums_pb2.ExportFormat
    download: bool

    def __init__(self, batch_id: _Optional[str]=..., include_failed: bool=..., format: _Optional[_Union[_enums_pb2.ExportFormat, str]]=..., download: bool=...) -> None:
        ...

class GetResultsResponse(_message.Message):
    __slots__ = ('success', 'data', 'metadata')
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    success: bool
    data: BatchResults
    metadata: ResponseMetadata

    def __init__(self, success: bool=..., data: _Optional[_Union[BatchResults, _Mapping]]=..., metadata: _Optional[_Union[ResponseMetadata, _Mapping]]=...) -> None:
        ...

class BatchResults(_message.Message):
    __slots__ = ('batch_id', 'status', 'total_companies', 'successful_extractions', 'failed_extractions', 'processing_time', 'completed_at', 'results', 'summary', 'export_url')
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COMPANIES_FIELD_NUMBER: _ClassVar[int]
    SUCCESSFUL_EXTRACTIONS_FIELD_NUMBER: _ClassVar[int]
    FAILED_EXTRACTIONS_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    EXPORT_URL_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    status: _enums_pb2.BatchStatus
    total_companies: int
    successful_extractions: int
    failed_extractions: int
    processing_time: float
    completed_at: _timestamp_pb2.Timestamp
    results: _containers.RepeatedCompositeFieldContainer[CompanyResult]
    summary: ResultsSummary
    export_url: str

    def __init__(self, batch_id: _Optional[str]=..., status: _Optional[_Union[_enums_pb2.BatchStatus, str]]=..., total_companies: _Optional[int]=..., successful_extractions: _Optional[int]=..., failed_extractions: _Optional[int]=..., processing_time: _Optional[float]=..., completed_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., results: _Optional[_Iterable[_Union[CompanyResult, _Mapping]]]=..., summary: _Optional[_Union[ResultsSummary, _Mapping]]=..., export_url: _Optional[str]=...) -> None:
        ...

class CompanyResult(_message.Message):
    __slots__ = ('company_name', 'extraction_status', 'data', 'error', 'started_at', 'finished_at', 'duration_seconds', 'from_cache', 'extracted_at', 'attempts')

    class ExtractionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        extraction_status_unspecified: _ClassVar[CompanyResult.ExtractionStatus]
        success: _ClassVar[CompanyResult.ExtractionStatus]
        failed: _ClassVar[CompanyResult.ExtractionStatus]
        cancelled: _ClassVar[CompanyResult.ExtractionStatus]
    extraction_status_unspecified: CompanyResult.ExtractionStatus
    success: CompanyResult.ExtractionStatus
    failed: CompanyResult.ExtractionStatus
    cancelled: CompanyResult.ExtractionStatus
    COMPANY_NAME_FIELD_NUMBER: _ClassVar[int]
    EXTRACTION_STATUS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    FROM_CACHE_FIELD_NUMBER: _ClassVar[int]
    EXTRACTED_AT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    company_name: str
    extraction_status: CompanyResult.ExtractionStatus
    data: _profile_pb2.CompanyProfile
    error: ExtractionError
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    duration_seconds: float
    from_cache: bool
    extracted_at: _timestamp_pb2.Timestamp
    attempts: int

    def __init__(self, company_name: _Optional[str]=..., extraction_status: _Optional[_Union[CompanyResult.ExtractionStatus, str]]=..., data: _Optional[_Union[_profile_pb2.CompanyProfile, _Mapping]]=..., error: _Optional[_Union[ExtractionError, _Mapping]]=..., started_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., finished_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., duration_seconds: _Optional[float]=..., from_cache: bool=..., extracted_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., attempts: _Optional[int]=...) -> None:
        ...

class ExtractionError(_message.Message):
    __slots__ = ('type', 'message', 'details', 'retryable', 'sources')
    TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    RETRYABLE_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    type: str
    message: str
    details: str
    retryable: bool
    sources: _containers.RepeatedCompositeFieldContainer[SourceOutcome]

    def __init__(self, type: _Optional[str]=..., message: _Optional[str]=..., details: _Optional[str]=..., retryable: bool=..., sources: _Optional[_Iterable[_Union[SourceOutcome, _Mapping]]]=...) -> None:
        ...

class SourceOutcome(_message.Message):
    __slots__ = ('source', 'outcome', 'reason')
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    source: str
    outcome: str
    reason: str

    def __init__(self, source: _Optional[str]=..., outcome: _Optional[str]=..., reason: _Optional[str]=...) -> None:
        ...

class ResultsSummary(_message.Message):
    __slots__ = ('industries', 'company_sizes', 'countries')

    class IndustriesEntry(_message.Message):
        __slots__ = ('key', 'value')
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int

        def __init__(self, key: _Optional[str]=..., value: _Optional[int]=...) -> None:
            ...

    class CompanySizesEntry(_message.Message):
        __slots__ = ('key', 'value')
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int

        def __init__(self, key: _Optional[str]=..., value: _Optional[int]=...) -> None:
            ...

    class CountriesEntry(_message.Message):
        __slots__ = ('key', 'value')
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int

        def __init__(self, key: _Optional[str]=..., value: _Optional[int]=...) -> None:
            ...
    INDUSTRIES_FIELD_NUMBER: _ClassVar[int]
    COMPANY_SIZES_FIELD_NUMBER: _ClassVar[int]
    COUNTRIES_FIELD_NUMBER: _ClassVar[int]
    industries: _containers.ScalarMap[str, int]
    company_sizes: _containers.ScalarMap[str, int]
    countries: _containers.ScalarMap[str, int]

    def __init__(self, industries: _Optional[_Mapping[str, int]]=..., company_sizes: _Optional[_Mapping[str, int]]=..., countries: _Optional[_Mapping[str, int]]=...) -> None:
        ...

class ExportResultsRequest(_message.Message):
    __slots__ = ('batch_id', 'format', 'include_failed', 'download', 'excel_compatible')
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FAILED_FIELD_NUMBER: _ClassVar[int]
    DOWNLOAD_FIELD_NUMBER: _ClassVar[int]
    EXCEL_COMPATIBLE_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    format: _enums_pb2.ExportFormat
    include_failed: bool
    download: bool
    excel_compatible: bool

    def __init__(self, batch_id: _Optional[str]=..., format: _Optional[_Union[_enums_pb2.ExportFormat, str]]=..., include_failed: bool=..., download: bool=..., excel_compatible: bool=...) -> None:
        ...

class GetStatsRequest(_message.Message):
    __slots__ = ('timeframe', 'include_details')
    TIMEFRAME_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DETAILS_FIELD_NUMBER: _ClassVar[int]
    timeframe: str
    include_details: bool

    def __init__(self, timeframe: _Optional[str]=..., include_details: bool=...) -> None:
        ...

class GetStatsResponse(_message.Message):
    __slots__ = ('success', 'data', 'metadata')
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    success: bool
    data: Stats
    metadata: ResponseMetadata

    def __init__(self, success: bool=..., data: _Optional[_Union[Stats, _Mapping]]=..., metadata: _Optional[_Union[ResponseMetadata, _Mapping]]=...) -> None:
        ...

class Stats(_message.Message):
    __slots__ = ('timeframe', 'system_stats', 'performance_metrics', 'resource_utilization', 'error_analysis', 'details', 'source_circuits')
    TIMEFRAME_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_STATS_FIELD_NUMBER: _ClassVar[int]
    PERFORMANCE_METRICS_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_UTILIZATION_FIELD_NUMBER: _ClassVar[int]
    ERROR_ANALYSIS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_CIRCUITS_FIELD_NUMBER: _ClassVar[int]
    timeframe: str
    system_stats: SystemStats
    performance_metrics: PerformanceMetrics
    resource_utilization: ResourceUtilization
    error_analysis: ErrorAnalysis
    details: StatsDetails
    source_circuits: _containers.RepeatedCompositeFieldContainer[SourceCircuit]

    def __init__(self, timeframe: _Optional[str]=..., system_stats: _Optional[_Union[SystemStats, _Mapping]]=..., performance_metrics: _Optional[_Union[PerformanceMetrics, _Mapping]]=..., resource_utilization: _Optional[_Union[ResourceUtilization, _Mapping]]=..., error_analysis: _Optional[_Union[ErrorAnalysis, _Mapping]]=..., details: _Optional[_Union[StatsDetails, _Mapping]]=..., source_circuits: _Optional[_Iterable[_Union[SourceCircuit, _Mapping]]]=...) -> None:
        ...

class SourceCircuit(_message.Message):
    __slots__ = ('host', 'state', 'consecutive_failures', 'opened_times', 'retry_in_seconds')
    HOST_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CONSECUTIVE_FAILURES_FIELD_NUMBER: _ClassVar[int]
    OPENED_TIMES_FIELD_NUMBER: _ClassVar[int]
    RETRY_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    host: str
    state: str
    consecutive_failures: int
    opened_times: int
    retry_in_seconds: float

    def __init__(self, host: _Optional[str]=..., state: _Optional[str]=..., consecutive_failures: _Optional[int]=..., opened_times: _Optional[int]=..., retry_in_seconds: _Optional[float]=...) -> None:
        ...

class SystemStats(_message.Message):
    __slots__ = ('total_batches', 'completed_batches', 'failed_batches', 'active_batches', 'total_companies_processed', 'average_processing_time', 'success_rate', 'cancelled_batches')
    TOTAL_BATCHES_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_BATCHES_FIELD_NUMBER: _ClassVar[int]
    FAILED_BATCHES_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_BATCHES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COMPANIES_PROCESSED_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_PROCESSING_TIME_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_RATE_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_BATCHES_FIELD_NUMBER: _ClassVar[int]
    total_batches: int
    completed_batches: int
    failed_batches: int
    active_batches: int
    total_companies_processed: int
    average_processing_time: float
    success_rate: float
    cancelled_batches: int

    def __init__(self, total_batches: _Optional[int]=..., completed_batches: _Optional[int]=..., failed_batches: _Optional[int]=..., active_batches: _Optional[int]=..., total_companies_processed: _Optional[int]=..., average_processing_time: _Optional[float]=..., success_rate: _Optional[float]=..., cancelled_batches: _Optional[int]=...) -> None:
        ...

class PerformanceMetrics(_message.Message):
    __slots__ = ('average_batch_size', 'fastest_batch_time', 'slowest_batch_time', 'most_common_extraction_mode', 'peak_concurrent_batches', 'cache_hit_rate', 'average_company_time')
    AVERAGE_BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    FASTEST_BATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    SLOWEST_BATCH_TIME_FIELD_NUMBER: _ClassVar[int]
    MOST_COMMON_EXTRACTION_MODE_FIELD_NUMBER: _ClassVar[int]
    PEAK_CONCURRENT_BATCHES_FIELD_NUMBER: _ClassVar[int]
    CACHE_HIT_RATE_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_COMPANY_TIME_FIELD_NUMBER: _ClassVar[int]
    average_batch_size: float
    fastest_batch_time: float
    slowest_batch_time: float
    most_common_extraction_mode: _enums_pb2.ExtractionMode
    peak_concurrent_batches: int
    cache_hit_rate: float
    average_company_time: float

    def __init__(self, average_batch_size: _Optional[float]=..., fastest_batch_time: _Optional[float]=..., slowest_batch_time: _Optional[float]=..., most_common_extraction_mode: _Optional[_Union[_enums_pb2.ExtractionMode, str]]=..., peak_concurrent_batches: _Optional[int]=..., cache_hit_rate: _Optional[float]=..., average_company_time: _Optional[float]=...) -> None:
        ...

class ResourceUtilization(_message.Message):
    __slots__ = ('cpu_usage', 'memory_usage', 'active_connections', 'queue_size', 'workers_busy', 'workers_total')
    CPU_USAGE_FIELD_NUMBER: _ClassVar[int]
    MEMORY_USAGE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_CONNECTIONS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_SIZE_FIELD_NUMBER: _ClassVar[int]
    WORKERS_BUSY_FIELD_NUMBER: _ClassVar[int]
    WORKERS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    cpu_usage: float
    memory_usage: float
    active_connections: int
    queue_size: int
    workers_busy: int
    workers_total: int

    def __init__(self, cpu_usage: _Optional[float]=..., memory_usage: _Optional[float]=..., active_connections: _Optional[int]=..., queue_size: _Optional[int]=..., workers_busy: _Optional[int]=..., workers_total: _Optional[int]=...) -> None:
        ...

class ErrorAnalysis(_message.Message):
    __slots__ = ('most_common_errors',)
    MOST_COMMON_ERRORS_FIELD_NUMBER: _ClassVar[int]
    most_common_errors: _containers.RepeatedCompositeFieldContainer[ErrorCount]

    def __init__(self, most_common_errors: _Optional[_Iterable[_Union[ErrorCount, _Mapping]]]=...) -> None:
        ...

class ErrorCount(_message.Message):
    __slots__ = ('error_type', 'count', 'percentage')
    ERROR_TYPE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    error_type: str
    count: int
    percentage: float

    def __init__(self, error_type: _Optional[str]=..., count: _Optional[int]=..., percentage: _Optional[float]=...) -> None:
        ...

class StatsDetails(_message.Message):
    __slots__ = ('by_mode', 'by_priority')

    class ByModeEntry(_message.Message):
        __slots__ = ('key', 'value')
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: BreakdownStats

        def __init__(self, key: _Optional[str]=..., value: _Optional[_Union[BreakdownStats, _Mapping]]=...) -> None:
            ...

    class ByPriorityEntry(_message.Message):
        __slots__ = ('key', 'value')
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: BreakdownStats

        def __init__(self, key: _Optional[str]=..., value: _Optional[_Union[BreakdownStats, _Mapping]]=...) -> None:
            ...
    BY_MODE_FIELD_NUMBER: _ClassVar[int]
    BY_PRIORITY_FIELD_NUMBER: _ClassVar[int]
    by_mode: _containers.MessageMap[str, BreakdownStats]
    by_priority: _containers.MessageMap[str, BreakdownStats]

    def __init__(self, by_mode: _Optional[_Mapping[str, BreakdownStats]]=..., by_priority: _Optional[_Mapping[str, BreakdownStats]]=...) -> None:
        ...

class BreakdownStats(_message.Message):
    __slots__ = ('batches', 'companies_processed', 'success_rate', 'average_company_time', 'average_queue_wait')
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    COMPANIES_PROCESSED_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_RATE_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_COMPANY_TIME_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_QUEUE_WAIT_FIELD_NUMBER: _ClassVar[int]
    batches: int
    companies_processed: int
    success_rate: float
    average_company_time: float
    average_queue_wait: float

    def __init__(self, batches: _Optional[int]=..., companies_processed: _Optional[int]=..., success_rate: _Optional[float]=..., average_company_time: _Optional[float]=..., average_queue_wait: _Optional[float]=...) -> None:
        ...

class ListBatchesRequest(_message.Message):
    __slots__ = ('page_size', 'page_token')
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str

    def __init__(self, page_size: _Optional[int]=..., page_token: _Optional[str]=...) -> None:
        ...

class ListBatchesResponse(_message.Message):
    __slots__ = ('success', 'data', 'metadata')
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    success: bool
    data: BatchPage
    metadata: ResponseMetadata

    def __init__(self, success: bool=..., data: _Optional[_Union[BatchPage, _Mapping]]=..., metadata: _Optional[_Union[ResponseMetadata, _Mapping]]=...) -> None:
        ...

class BatchPage(_message.Message):
    __slots__ = ('batches', 'next_page_token')
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    batches: _containers.RepeatedCompositeFieldContainer[Batch]
    next_page_token: str

    def __init__(self, batches: _Optional[_Iterable[_Union[Batch, _Mapping]]]=..., next_page_token: _Optional[str]=...) -> None:
        ...

class CancelBatchRequest(_message.Message):
    __slots__ = ('batch_id',)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str

    def __init__(self, batch_id: _Optional[str]=...) -> None:
        ...

class CancelBatchResponse(_message.Message):
    __slots__ = ('success', 'data', 'metadata')
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    success: bool
    data: Batch
    metadata: ResponseMetadata

    def __init__(self, success: bool=..., data: _Optional[_Union[Batch, _Mapping]]=..., metadata: _Optional[_Union[ResponseMetadata, _Mapping]]=...) -> None:
        ...

class PauseBatchRequest(_message.Message):
    __slots__ = ('batch_id',)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str

    def __init__(self, batch_id: _Optional[str]=...) -> None:
        ...

class PauseBatchResponse(_message.Message):
    __slots__ = ('success', 'data', 'metadata')
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    success: bool
    data: Batch
    metadata: ResponseMetadata

    def __init__(self, success: bool=..., data: _Optional[_Union[Batch, _Mapping]]=..., metadata: _Optional[_Union[ResponseMetadata, _Mapping]]=...) -> None:
        ...

class ResumeBatchRequest(_message.Message):
    __slots__ = ('batch_id',)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str

    def __init__(self, batch_id: _Optional[str]=...) -> None:
        ...

class ResumeBatchResponse(_message.Message):
    __slots__ = ('success', 'data', 'metadata')
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    success: bool
    data: Batch
    metadata: ResponseMetadata

    def __init__(self, success: bool=..., data: _Optional[_Union[Batch, _Mapping]]=..., metadata: _Optional[_Union[ResponseMetadata, _Mapping]]=...) -> None:
        ...

class RetryBatchRequest(_message.Message):
    __slots__ = ('batch_id', 'error_types', 'bypass_cache', 'request_id')
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_TYPES_FIELD_NUMBER: _ClassVar[int]
    BYPASS_CACHE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    error_types: _containers.RepeatedScalarFieldContainer[str]
    bypass_cache: bool
    request_id: str

    def __init__(self, batch_id: _Optional[str]=..., error_types: _Optional[_Iterable[str]]=..., bypass_cache: bool=..., request_id: _Optional[str]=...) -> None:
        ...

class RetryBatchResponse(_message.Message):
    __slots__ = ('success', 'data', 'metadata')
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    success: bool
    data: RetryBatchData
    metadata: ResponseMetadata

    def __init__(self, success: bool=..., data: _Optional[_Union[RetryBatchData, _Mapping]]=..., metadata: _Optional[_Union[ResponseMetadata, _Mapping]]=...) -> None:
        ...

class RetryBatchData(_message.Message):
    __slots__ = ('batch', 'retried_companies', 'idempotent_replay', 'message')
    BATCH_FIELD_NUMBER: _ClassVar[int]
    RETRIED_COMPANIES_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENT_REPLAY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    batch: Batch
    retried_companies: int
    idempotent_replay: bool
    message: str

    def __init__(self, batch: _Optional[_Union[Batch, _Mapping]]=..., retried_companies: _Optional[int]=..., idempotent_replay: bool=..., message: _Optional[str]=...) -> None:
        ...

class ErrorResponse(_message.Message):
    __slots__ = ('success', 'error', 'metadata')
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    success: bool
    error: ErrorBody
    metadata: ResponseMetadata

    def __init__(self, success: bool=..., error: _Optional[_Union[ErrorBody, _Mapping]]=..., metadata: _Optional[_Union[ResponseMetadata, _Mapping]]=...) -> None:
        ...

class ErrorBody(_message.Message):
    __slots__ = ('type', 'message', 'details', 'field_violations', 'code')
    TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    FIELD_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    type: str
    message: str
    details: str
    field_violations: _containers.RepeatedCompositeFieldContainer[FieldViolation]
    code: str

    def __init__(self, type: _Optional[str]=..., message: _Optional[str]=..., details: _Optional[str]=..., field_violations: _Optional[_Iterable[_Union[FieldViolation, _Mapping]]]=..., code: _Optional[str]=...) -> None:
        ...

class FieldViolation(_message.Message):
    __slots__ = ('field', 'description')
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    field: str
    description: str

    def __init__(self, field: _Optional[str]=..., description: _Optional[str]=...) -> None:
        ...