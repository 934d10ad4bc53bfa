from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar
DESCRIPTOR: _descriptor.FileDescriptor

class BatchStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    batch_status_unspecified: _ClassVar[BatchStatus]
    queued: _ClassVar[BatchStatus]
    processing: _ClassVar[BatchStatus]
    completed: _ClassVar[BatchStatus]
    failed: _ClassVar[BatchStatus]
    cancelled: _ClassVar[BatchStatus]
    paused: _ClassVar[BatchStatus]

class Priority(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    priority_unspecified: _ClassVar[Priority]
    low: _ClassVar[Priority]
    normal: _ClassVar[Priority]
    high: _ClassVar[Priority]
    urgent: _ClassVar[Priority]

class ExtractionMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    extraction_mode_unspecified: _ClassVar[ExtractionMode]
    basic: _ClassVar[ExtractionMode]
    standard: _ClassVar[ExtractionMode]
    comprehensive: _ClassVar[ExtractionMode]
    contact_focused: _ClassVar[ExtractionMode]
    financial_focused: _ClassVar[ExtractionMode]

class ExportFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    export_format_unspecified: _ClassVar[ExportFormat]
    json: _ClassVar[ExportFormat]
    csv: _ClassVar[ExportFormat]
    excel: _ClassVar[ExportFormat]
batch_status_unspecified: BatchStatus
queued: BatchStatus
processing: BatchStatus
completed: BatchStatus
failed: BatchStatus
cancelled: BatchStatus
paused: BatchStatus
priority_unspecified: Priority
low: Priority
normal: Priority
high: Priority
urgent: Priority
extraction_mode_unspecified: ExtractionMode
basic: ExtractionMode
standard: ExtractionMode
comprehensive: ExtractionMode
contact_focused: ExtractionMode
financial_focused: ExtractionMode
export_format_unspecified: ExportFormat
json: ExportFormat
csv: ExportFormat
excel: ExportFormat