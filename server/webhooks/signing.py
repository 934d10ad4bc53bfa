"""Standard Webhooks signatures (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``).

The signature is ``v1,`` + base64 HMAC-SHA256 over ``id.timestamp.body`` with the secret's bytes; a
secret is spelled ``whsec_`` + base64 of its bytes. The ``standardwebhooks`` package (the convention's
reference implementation) signs and verifies; a receiver can use it, or ``companyctl webhook verify``.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from datetime import datetime

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
TOLERANCE_NOTE = "a signature older or newer than 5 minutes is refused (the convention's replay window)"


class SignatureInvalid(Exception):
    """A delivery's headers do not verify against the secret and body."""


def new_secret() -> str:
    """A fresh random secret (256 bits), ``whsec_`` + base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signed_headers(secret: str, message_id: str, at: datetime, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers for sending ``body`` as message ``message_id`` at ``at``."""
    signature = Webhook(secret).sign(message_id, at, body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def verify(secret: str, headers: Mapping[str, str], body: str | bytes) -> None:
    """Check a delivery (``TOLERANCE_NOTE``). Raises ``SignatureInvalid`` with the reason."""
    try:
        Webhook(secret).verify(body, dict(headers), json_parse=False)
    except WebhookVerificationError as exc:
        raise SignatureInvalid(str(exc)) from exc
    except (ValueError, TypeError) as exc:  # a secret or signature that is not base64, a bare "v1"
        raise SignatureInvalid(f"malformed secret or signature: {exc}") from exc
