"""Client and server classes corresponding to protobuf-defined services."""
import grpc
import warnings
from ...company.v1 import extraction_service_pb2 as company_dot_v1_dot_extraction__service__pb2
GRPC_GENERATED_VERSION = '1.71.2'
GRPC_VERSION = grpc.__version__
_version_not_supported = False
try:
    from grpc._utilities import first_version_is_lower
    _version_not_supported = first_version_is_lower(GRPC_VERSION, GRPC_GENERATED_VERSION)
except ImportError:
    _version_not_supported = True
if _version_not_supported:
    raise RuntimeError(f'The grpc package installed is at version {GRPC_VERSION},' + f' but the generated code in company/v1/extraction_service_pb2_grpc.py depends on' + f' grpcio>={GRPC_GENERATED_VERSION}.' + f' Please upgrade your grpc module to grpcio>={GRPC_GENERATED_VERSION}' + f' or downgrade your generated code using grpcio-tools<={GRPC_VERSION}.')

class ExtractionServiceStub(object):
    """Extraction of a single company, answered directly (no batch is created).
    """

    def __init__(self, channel):
        """Constructor.

        Args:
            channel: A grpc.Channel.
        """
        self.ExtractCompany = channel.unary_unary('/company.v1.ExtractionService/ExtractCompany', request_serializer=company_dot_v1_dot_extraction__service__pb2.ExtractCompanyRequest.SerializeToString, response_deserializer=company_dot_v1_dot_extraction__service__pb2.ExtractCompanyResponse.FromString, _registered_method=True)

class ExtractionServiceServicer(object):
    """Extraction of a single company, answered directly (no batch is created).
    """

    def ExtractCompany(self, request, context):
        """Missing associated documentation comment in .proto file."""
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

def add_ExtractionServiceServicer_to_server(servicer, server):
    rpc_method_handlers = {'ExtractCompany': grpc.unary_unary_rpc_method_handler(servicer.ExtractCompany, request_deserializer=company_dot_v1_dot_extraction__service__pb2.ExtractCompanyRequest.FromString, response_serializer=company_dot_v1_dot_extraction__service__pb2.ExtractCompanyResponse.SerializeToString)}
    generic_handler = grpc.method_handlers_generic_handler('company.v1.ExtractionService', rpc_method_handlers)
    server.add_generic_rpc_handlers((generic_handler,))
    server.add_registered_method_handlers('company.v1.ExtractionService', rpc_method_handlers)

class ExtractionService(object):
    """Extraction of a single company, answered directly (no batch is created).
    """

    @staticmethod
    def ExtractCompany(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_unary(request, target, '/company.v1.ExtractionService/ExtractCompany', company_dot_v1_dot_extraction__service__pb2.ExtractCompanyRequest.SerializeToString, company_dot_v1_dot_extraction__service__pb2.ExtractCompanyResponse.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)