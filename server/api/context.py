"""Per-call context: the trace id every response and log line of one call carries."""

from __future__ import annotations

import contextvars
import secrets

_TRACE_ID: contextvars.ContextVar[str] = contextvars.ContextVar("trace_id", default="")

# Trace id prefixes in the contract's style (``batch_submit_def456``), by RPC method name.
TRACE_PREFIXES = {
    "SubmitBatch": "batch_submit",
    "GetBatch": "batch_status",
    "WatchBatch": "batch_watch",
    "WatchBatchEvents": "batch_watch",  # the REST watch stream
    "GetResults": "batch_results",
    "ExportResults": "batch_download",
    "GetStats": "batch_stats",
    "ListBatches": "batch_list",
    "CancelBatch": "batch_cancel",
    "PauseBatch": "batch_pause",
    "ResumeBatch": "batch_resume",
    "ExtractCompany": "company_extract",
}


def new_trace_id(method: str) -> str:
    prefix = TRACE_PREFIXES.get(method, "call")
    return f"{prefix}_{secrets.token_hex(6)}"


def set_trace_id(trace_id: str) -> contextvars.Token[str]:
    return _TRACE_ID.set(trace_id)


def reset_trace_id(token: contextvars.Token[str]) -> None:
    _TRACE_ID.reset(token)


def trace_id() -> str:
    """The current call's trace id ("" outside a call)."""
    return _TRACE_ID.get()
