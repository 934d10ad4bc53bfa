"""Opaque page tokens for ListBatches: where the newest-first listing continues."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime

from server.errors import FieldViolation, InvalidRequest
from server.storage.base import PageCursor

PAGE_TOKEN_FIELD = "page_token"


def encode_page_token(cursor: PageCursor) -> str:
    raw = json.dumps({"t": cursor.created_at.timestamp(), "id": cursor.batch_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_page_token(token: str) -> PageCursor:
    """The cursor in a token from a previous response.

    Raises:
        InvalidRequest: the token was not produced by ``encode_page_token``.
    """
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        created_at = datetime.fromtimestamp(float(data["t"]), UTC)
        batch_id = data["id"]
        if not isinstance(batch_id, str):
            raise TypeError("batch id must be a string")
    except (
        binascii.Error,
        ValueError,
        TypeError,
        KeyError,
        OverflowError,
        OSError,
        UnicodeDecodeError,
    ) as exc:
        raise InvalidRequest(
            [FieldViolation(PAGE_TOKEN_FIELD, "not a page token from a previous ListBatches response")]
        ) from exc
    return PageCursor(created_at, batch_id)
