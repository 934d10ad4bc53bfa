"""Client and server classes corresponding to protobuf-defined services."""
import grpc
import warnings
from ...company.v1 import batch_service_pb2 as company_dot_v1_dot_batch__service__pb2
from google.api import httpbody_pb2 as google_dot_api_dot_httpbody__pb2
GRPC_GENERATED_VERSION = '1.71.2'
GRPC_VERSION = grpc.__version__
_version_not_supported = False
try:
    from grpc._utilities import first_version_is_lower
    _version_not_supported = first_version_is_lower(GRPC_VERSION, GRPC_GENERATED_VERSION)
except ImportError:
    _version_not_supported = True
if _version_not_supported:
    raise RuntimeError(f'The grpc package installed is at version {GRPC_VERSION},' + f' but the generated code in company/v1/batch_service_pb2_grpc.py depends on' + f' grpcio>={GRPC_GENERATED_VERSION}.' + f' Please upgrade your grpc module to grpcio>={GRPC_GENERATED_VERSION}' + f' or downgrade your generated code using grpcio-tools<={GRPC_VERSION}.')

class BatchServiceStub(object):
    """Batch extraction of company profiles. The HTTP bindings are the REST
    contract in shared/api/batch-processing.md, served by Envoy's JSON
    transcoder. Every unary response carries the contract's envelope:
    `success`, `data`, `metadata`.
    """

    def __init__(self, channel):
        """Constructor.

        Args:
            channel: A grpc.Channel.
        """
        self.SubmitBatch = channel.unary_unary('/company.v1.BatchService/SubmitBatch', request_serializer=company_dot_v1_dot_batch__service__pb2.SubmitBatchRequest.SerializeToString, response_deserializer=company_dot_v1_dot_batch__service__pb2.SubmitBatchResponse.FromString, _registered_method=True)
        self.GetBatch = channel.unary_unary('/company.v1.BatchService/GetBatch', request_serializer=company_dot_v1_dot_batch__service__pb2.GetBatchRequest.SerializeToString, response_deserializer=company_dot_v1_dot_batch__service__pb2.GetBatchResponse.FromString, _registered_method=True)
        self.WatchBatch = channel.unary_stream('/company.v1.BatchService/WatchBatch', request_serializer=company_dot_v1_dot_batch__service__pb2.WatchBatchRequest.SerializeToString, response_deserializer=company_dot_v1_dot_batch__service__pb2.WatchBatchResponse.FromString, _registered_method=True)
        self.WatchBatchEvents = channel.unary_stream('/company.v1.BatchService/WatchBatchEvents', request_serializer=company_dot_v1_dot_batch__service__pb2.WatchBatchEventsRequest.SerializeToString, response_deserializer=google_dot_api_dot_httpbody__pb2.HttpBody.FromString, _registered_method=True)
        self.GetResults = channel.unary_unary('/company.v1.BatchService/GetResults', request_serializer=company_dot_v1_dot_batch__service__pb2.GetResultsRequest.SerializeToString, response_deserializer=company_dot_v1_dot_batch__service__pb2.GetResultsResponse.FromString, _registered_method=True)
        self.ExportResults = channel.unary_unary('/company.v1.BatchService/ExportResults', request_serializer=company_dot_v1_dot_batch__service__pb2.ExportResultsRequest.SerializeToString, response_deserializer=google_dot_api_dot_httpbody__pb2.HttpBody.FromString, _registered_method=True)
        self.GetStats = channel.unary_unary('/company.v1.BatchService/GetStats', request_serializer=company_dot_v1_dot_batch__service__pb2.GetStatsRequest.SerializeToString, response_deserializer=company_dot_v1_dot_batch__service__pb2.GetStatsResponse.FromString, _registered_method=True)
        self.ListBatches = channel.unary_unary('/company.v1.BatchService/ListBatches', request_serializer=company_dot_v1_dot_batch__service__pb2.ListBatchesRequest.SerializeToString, response_deserializer=company_dot_v1_dot_batch__service__pb2.ListBatchesResponse.FromString, _registered_method=True)
        self.CancelBatch = channel.unary_unary('/company.v1.BatchService/CancelBatch', request_serializer=company_dot_v1_dot_batch__service__pb2.CancelBatchRequest.SerializeToString, response_deserializer=company_dot_v1_dot_batch__service__pb2.CancelBatchResponse.FromString, _registered_method=True)
        self.PauseBatch = channel.unary_unary('/company.v1.BatchService/PauseBatch', request_serializer=company_dot_v1_dot_batch__service__pb2.PauseBatchRequest.SerializeToString, response_deserializer=company_dot_v1_dot_batch__service__pb2.PauseBatchResponse.FromString, _registered_method=True)
        self.ResumeBatch = channel.unary_unary('/company.v1.BatchService/ResumeBatch', request_serializer=company_dot_v1_dot_batch__service__pb2.ResumeBatchRequest.SerializeToString, response_deserializer=company_dot_v1_dot_batch__service__pb2.ResumeBatchResponse.FromString, _registered_method=True)
        self.RetryBatch = channel.unary_unary('/company.v1.BatchService/RetryBatch', request_serializer=company_dot_v1_dot_batch__service__pb2.RetryBatchRequest.SerializeToString, response_deserializer=company_dot_v1_dot_batch__service__pb2.RetryBatchResponse.FromString, _registered_method=True)

class BatchServiceServicer(object):
    """Batch extraction of company profiles. The HTTP bindings are the REST
    contract in shared/api/batch-processing.md, served by Envoy's JSON
    transcoder. Every unary response carries the contract's envelope:
    `success`, `data`, `metadata`.
    """

    def SubmitBatch(self, request, context):
        """Queues a batch. REST answers 202 Accepted.
        """
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

    def GetBatch(self, request, context):
        """The batch's status document.
        """
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

    def WatchBatch(self, request, context):
        """A snapshot, then one event per change, ending after the final status.
        """
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

    def WatchBatchEvents(self, request, context):
        """REST: WatchBatch's events as server-sent events, one `data:` line of
        WatchBatchResponse JSON each. The server renders each event's JSON once
        for all its watchers; Envoy passes the bytes through.
        """
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

    def GetResults(self, request, context):
        """Results so far (partial while the batch runs) with a summary.
        """
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

    def ExportResults(self, request, context):
        """The results as a file (JSON, CSV or Excel). Envoy also routes
        `.../results?format=csv|excel` and `.../results?download=true` here.
        """
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

    def GetStats(self, request, context):
        """System statistics over a time frame.
        """
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

    def ListBatches(self, request, context):
        """Batches, newest first.
        """
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

    def CancelBatch(self, request, context):
        """Stops running extractions promptly; finished results are kept.
        """
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

    def PauseBatch(self, request, context):
        """Lets running companies finish and starts no new ones.
        """
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

    def ResumeBatch(self, request, context):
        """Continues a paused batch.
        """
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

    def RetryBatch(self, request, context):
        """Runs the failed companies of a completed or failed batch again; successes are kept. The batch is
        queued again and finishes anew. REST answers 202 Accepted.
        """
        context.set_code(grpc.StatusCode.UNIMPLEMENTED)
        context.set_details('Method not implemented!')
        raise NotImplementedError('Method not implemented!')

def add_BatchServiceServicer_to_server(servicer, server):
    rpc_method_handlers = {'SubmitBatch': grpc.unary_unary_rpc_method_handler(servicer.SubmitBatch, request_deserializer=company_dot_v1_dot_batch__service__pb2.SubmitBatchRequest.FromString, response_serializer=company_dot_v1_dot_batch__service__pb2.SubmitBatchResponse.SerializeToString), 'GetBatch': grpc.unary_unary_rpc_method_handler(servicer.GetBatch, request_deserializer=company_dot_v1_dot_batch__service__pb2.GetBatchRequest.FromString, response_serializer=company_dot_v1_dot_batch__service__pb2.GetBatchResponse.SerializeToString), 'WatchBatch': grpc.unary_stream_rpc_method_handler(servicer.WatchBatch, request_deserializer=company_dot_v1_dot_batch__service__pb2.WatchBatchRequest.FromString, response_serializer=company_dot_v1_dot_batch__service__pb2.WatchBatchResponse.SerializeToString), 'WatchBatchEvents': grpc.unary_stream_rpc_method_handler(servicer.WatchBatchEvents, request_deserializer=company_dot_v1_dot_batch__service__pb2.WatchBatchEventsRequest.FromString, response_serializer=google_dot_api_dot_httpbody__pb2.HttpBody.SerializeToString), 'GetResults': grpc.unary_unary_rpc_method_handler(servicer.GetResults, request_deserializer=company_dot_v1_dot_batch__service__pb2.GetResultsRequest.FromString, response_serializer=company_dot_v1_dot_batch__service__pb2.GetResultsResponse.SerializeToString), 'ExportResults': grpc.unary_unary_rpc_method_handler(servicer.ExportResults, request_deserializer=company_dot_v1_dot_batch__service__pb2.ExportResultsRequest.FromString, response_serializer=google_dot_api_dot_httpbody__pb2.HttpBody.SerializeToString), 'GetStats': grpc.unary_unary_rpc_method_handler(servicer.GetStats, request_deserializer=company_dot_v1_dot_batch__service__pb2.GetStatsRequest.FromString, response_serializer=company_dot_v1_dot_batch__service__pb2.GetStatsResponse.SerializeToString), 'ListBatches': grpc.unary_unary_rpc_method_handler(servicer.ListBatches, request_deserializer=company_dot_v1_dot_batch__service__pb2.ListBatchesRequest.FromString, response_serializer=company_dot_v1_dot_batch__service__pb2.ListBatchesResponse.SerializeToString), 'CancelBatch': grpc.unary_unary_rpc_method_handler(servicer.CancelBatch, request_deserializer=company_dot_v1_dot_batch__service__pb2.CancelBatchRequest.FromString, response_serializer=company_dot_v1_dot_batch__service__pb2.CancelBatchResponse.SerializeToString), 'PauseBatch': grpc.unary_unary_rpc_method_handler(servicer.PauseBatch, request_deserializer=company_dot_v1_dot_batch__service__pb2.PauseBatchRequest.FromString, response_serializer=company_dot_v1_dot_batch__service__pb2.PauseBatchResponse.SerializeToString), 'ResumeBatch': grpc.unary_unary_rpc_method_handler(servicer.ResumeBatch, request_deserializer=company_dot_v1_dot_batch__service__pb2.ResumeBatchRequest.FromString, response_serializer=company_dot_v1_dot_batch__service__pb2.ResumeBatchResponse.SerializeToString), 'RetryBatch': grpc.unary_unary_rpc_method_handler(servicer.RetryBatch, request_deserializer=company_dot_v1_dot_batch__service__pb2.RetryBatchRequest.FromString, response_serializer=company_dot_v1_dot_batch__service__pb2.RetryBatchResponse.SerializeToString)}
    generic_handler = grpc.method_handlers_generic_handler('company.v1.BatchService', rpc_method_handlers)
    server.add_generic_rpc_handlers((generic_handler,))
    server.add_registered_method_handlers('company.v1.BatchService', rpc_method_handlers)

class BatchService(object):
    """Batch extraction of company profiles. The HTTP bindings are the REST
    contract in shared/api/batch-processing.md, served by Envoy's JSON
    transcoder. Every unary response carries the contract's envelope:
    `success`, `data`, `metadata`.
    """

    @staticmethod
    def SubmitBatch(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_unary(request, target, '/company.v1.BatchService/SubmitBatch', company_dot_v1_dot_batch__service__pb2.SubmitBatchRequest.SerializeToString, company_dot_v1_dot_batch__service__pb2.SubmitBatchResponse.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)

    @staticmethod
    def GetBatch(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_unary(request, target, '/company.v1.BatchService/GetBatch', company_dot_v1_dot_batch__service__pb2.GetBatchRequest.SerializeToString, company_dot_v1_dot_batch__service__pb2.GetBatchResponse.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)

    @staticmethod
    def WatchBatch(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_stream(request, target, '/company.v1.BatchService/WatchBatch', company_dot_v1_dot_batch__service__pb2.WatchBatchRequest.SerializeToString, company_dot_v1_dot_batch__service__pb2.WatchBatchResponse.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)

    @staticmethod
    def WatchBatchEvents(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_stream(request, target, '/company.v1.BatchService/WatchBatchEvents', company_dot_v1_dot_batch__service__pb2.WatchBatchEventsRequest.SerializeToString, google_dot_api_dot_httpbody__pb2.HttpBody.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)

    @staticmethod
    def GetResults(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_unary(request, target, '/company.v1.BatchService/GetResults', company_dot_v1_dot_batch__service__pb2.GetResultsRequest.SerializeToString, company_dot_v1_dot_batch__service__pb2.GetResultsResponse.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)

    @staticmethod
    def ExportResults(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_unary(request, target, '/company.v1.BatchService/ExportResults', company_dot_v1_dot_batch__service__pb2.ExportResultsRequest.SerializeToString, google_dot_api_dot_httpbody__pb2.HttpBody.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)

    @staticmethod
    def GetStats(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_unary(request, target, '/company.v1.BatchService/GetStats', company_dot_v1_dot_batch__service__pb2.GetStatsRequest.SerializeToString, company_dot_v1_dot_batch__service__pb2.GetStatsResponse.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)

    @staticmethod
    def ListBatches(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_unary(request, target, '/company.v1.BatchService/ListBatches', company_dot_v1_dot_batch__service__pb2.ListBatchesRequest.SerializeToString, company_dot_v1_dot_batch__service__pb2.ListBatchesResponse.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)

    @staticmethod
    def CancelBatch(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_unary(request, target, '/company.v1.BatchService/CancelBatch', company_dot_v1_dot_batch__service__pb2.CancelBatchRequest.SerializeToString, company_dot_v1_dot_batch__service__pb2.CancelBatchResponse.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)

    @staticmethod
    def PauseBatch(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_unary(request, target, '/company.v1.BatchService/PauseBatch', company_dot_v1_dot_batch__service__pb2.PauseBatchRequest.SerializeToString, company_dot_v1_dot_batch__service__pb2.PauseBatchResponse.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)

    @staticmethod
    def ResumeBatch(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_unary(request, target, '/company.v1.BatchService/ResumeBatch', company_dot_v1_dot_batch__service__pb2.ResumeBatchRequest.SerializeToString, company_dot_v1_dot_batch__service__pb2.ResumeBatchResponse.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)

    @staticmethod
    def RetryBatch(request, target, options=(), channel_credentials=None, call_credentials=None, insecure=False, compression=None, wait_for_ready=None, timeout=None, metadata=None):
        return grpc.experimental.unary_unary(request, target, '/company.v1.BatchService/RetryBatch', company_dot_v1_dot_batch__service__pb2.RetryBatchRequest.SerializeToString, company_dot_v1_dot_batch__service__pb2.RetryBatchResponse.FromString, options, channel_credentials, insecure, call_credentials, compression, wait_for_ready, timeout, metadata, _registered_method=True)