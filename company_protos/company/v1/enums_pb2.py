"""Generated protocol buffer code."""
from google.protobuf import descriptor as _descriptor
from google.protobuf import descriptor_pool as _descriptor_pool
from google.protobuf import runtime_version as _runtime_version
from google.protobuf import symbol_database as _symbol_database
from google.protobuf.internal import builder as _builder
_runtime_version.ValidateProtobufRuntimeVersion(_runtime_version.Domain.PUBLIC, 5, 29, 0, '', 'company/v1/enums.proto')
_sym_db = _symbol_database.Default()
DESCRIPTOR = _descriptor_pool.Default().AddSerializedFile(b'\n\x16company/v1/enums.proto\x12\ncompany.v1*}\n\x0bBatchStatus\x12\x1c\n\x18batch_status_unspecified\x10\x00\x12\n\n\x06queued\x10\x01\x12\x0e\n\nprocessing\x10\x02\x12\r\n\tcompleted\x10\x03\x12\n\n\x06failed\x10\x04\x12\r\n\tcancelled\x10\x05\x12\n\n\x06paused\x10\x06*O\n\x08Priority\x12\x18\n\x14priority_unspecified\x10\x00\x12\x07\n\x03low\x10\x01\x12\n\n\x06normal\x10\x02\x12\x08\n\x04high\x10\x03\x12\n\n\x06urgent\x10\x04*\x89\x01\n\x0eExtractionMode\x12\x1f\n\x1bextraction_mode_unspecified\x10\x00\x12\t\n\x05basic\x10\x01\x12\x0c\n\x08standard\x10\x02\x12\x11\n\rcomprehensive\x10\x03\x12\x13\n\x0fcontact_focused\x10\x04\x12\x15\n\x11financial_focused\x10\x05*K\n\x0cExportFormat\x12\x1d\n\x19export_format_unspecified\x10\x00\x12\x08\n\x04json\x10\x01\x12\x07\n\x03csv\x10\x02\x12\t\n\x05excel\x10\x03b\x06proto3')
_globals = globals()
_builder.BuildMessageAndEnumDescriptors(DESCRIPTOR, _globals)
_builder.BuildTopDescriptorsAndMessages(DESCRIPTOR, 'company.v1.enums_pb2', _globals)
if not _descriptor._USE_C_DESCRIPTORS:
    DESCRIPTOR._loaded_options = None
    _globals['_BATCHSTATUS']._serialized_start = 38
    _globals['_BATCHSTATUS']._serialized_end = 163
    _globals['_PRIORITY']._serialized_start = 165
    _globals['_PRIORITY']._serialized_end = 244
    _globals['_EXTRACTIONMODE']._serialized_start = 247
    _globals['_EXTRACTIONMODE']._serialized_end = 384
    _globals['_EXPORTFORMAT']._serialized_start = 386
    _globals['_EXPORTFORMAT']._serialized_end = 461