"""Defaults shared by the async client, the blocking client and the CLI."""

from __future__ import annotations

DEFAULT_TARGET = "localhost:8000"
"""Envoy's port: it serves REST and, on the same port, native gRPC."""

TARGET_ENV_VAR = "COMPANYCTL_TARGET"

DEFAULT_CALL_TIMEOUT = 30.0
"""Seconds a unary call may take; batches run in the background, so calls answer quickly."""

DEFAULT_EXTRACT_TIMEOUT = 300
"""The server's default per-company timeout (seconds), which bounds ``ExtractCompany``."""

EXTRACT_TIMEOUT_MARGIN = 30.0
"""Extra seconds beyond the per-company timeout for the server to answer ``ExtractCompany``."""

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
"""Results of 100 companies with provenance can exceed gRPC's default 4 MiB limit."""

CHANNEL_OPTIONS: tuple[tuple[str, int], ...] = (("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),)


def extract_deadline(timeout_seconds: int | None) -> float:
    """How long to wait for ``ExtractCompany``: the per-company timeout plus a margin."""
    return (timeout_seconds or DEFAULT_EXTRACT_TIMEOUT) + EXTRACT_TIMEOUT_MARGIN


API_KEY_ENV_VAR = "COMPANY_BATCH_API_KEY"
"""Where ``companyctl`` reads the API key when ``--api-key`` is not given."""


def api_key_metadata(api_key: str | None) -> tuple[tuple[str, str], ...]:
    """The ``authorization: Bearer <key>`` metadata entry for ``api_key`` (nothing without a key)."""
    return (("authorization", f"Bearer {api_key}"),) if api_key else ()
