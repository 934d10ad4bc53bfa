from . import batch_service_pb2
from . import enums_pb2
from . import extraction_service_pb2
from . import profile_pb2
