"""Who may make a call: the API key check and the rate limit every company.v1 RPC passes first.

With auth on, a call carries ``authorization: Bearer <key>`` (REST: the HTTP header, which Envoy
forwards as gRPC metadata; native gRPC: the metadata entry). The key's tenant becomes the call's
``Principal`` (``current_principal()`` in the servicers). With auth off every caller is
``ANONYMOUS`` and sees everything, as before keys existed.

Rate limits: one token bucket per key; with auth off one per client address. Failed key checks spend
from a bucket of the client address, and a client whose failures bucket is empty is refused before
its key is even looked up, so guessing keys (or batch ids without a key) is as slow as the rate.
The client address is the gRPC peer, or, when the peer is on loopback (the Envoy in front of the
server, which appends the address it saw to ``x-forwarded-for``), the last ``x-forwarded-for`` entry.
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Mapping
from typing import Any

from server.auth import ANONYMOUS, ApiKeys, Principal, TokenBucketLimiter
from server.errors import RateLimited, Unauthenticated

_PRINCIPAL: contextvars.ContextVar[Principal] = contextvars.ContextVar("principal", default=ANONYMOUS)

AUTHORIZATION_KEY = "authorization"
FORWARDED_FOR_KEY = "x-forwarded-for"
_BEARER = "bearer "


def current_principal() -> Principal:
    """The caller of the current RPC (``ANONYMOUS`` outside a call or with auth off)."""
    return _PRINCIPAL.get()


def set_principal(principal: Principal) -> contextvars.Token[Principal]:
    return _PRINCIPAL.set(principal)


def reset_principal(token: contextvars.Token[Principal]) -> None:
    _PRINCIPAL.reset(token)


def bearer_key(headers: Mapping[str, Any]) -> str | None:
    """The key of an ``authorization: Bearer <key>`` entry (scheme case-insensitive), else None."""
    value = headers.get(AUTHORIZATION_KEY)
    if not isinstance(value, str) or not value[: len(_BEARER)].lower() == _BEARER:
        return None
    key = value[len(_BEARER) :].strip()
    return key or None


def client_address(peer: str, headers: Mapping[str, Any]) -> str:
    """The caller's address: the gRPC peer, or what a local proxy says it saw (see module doc)."""
    host = _peer_host(peer)
    forwarded = headers.get(FORWARDED_FOR_KEY)
    if isinstance(forwarded, str) and forwarded.strip() and _is_loopback(host):
        return forwarded.rsplit(",", 1)[-1].strip()
    return host


def _peer_host(peer: str) -> str:
    """``ipv4:1.2.3.4:5678`` -> ``1.2.3.4``; ``ipv6:[::1]:5678`` -> ``::1``; anything else as is."""
    kind, _, rest = peer.partition(":")
    if kind == "ipv6" and rest.startswith("["):
        return rest[1:].split("]", 1)[0]
    if kind == "ipv4":
        return rest.rsplit(":", 1)[0]
    return peer


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.startswith("unix:")


class CallAccess:
    """Authenticates and rate-limits one call; ``keys=None`` means auth is off, ``limiter=None`` no limit."""

    def __init__(self, keys: ApiKeys | None, limiter: TokenBucketLimiter | None) -> None:
        self._keys = keys
        self._limiter = limiter

    async def admit(self, headers: Mapping[str, Any], peer: str) -> Principal:
        """The call's principal.

        Raises:
            Unauthenticated: auth is on and no valid key came with the call.
            RateLimited: the key (or the address) has no tokens left.
        """
        address = client_address(peer, headers)
        if self._keys is None:
            self._spend(f"addr:{address}")
            return ANONYMOUS
        failures = f"fail:{address}"
        if self._limiter is not None:
            wait = self._limiter.wait_time(failures)
            if wait > 0:
                raise RateLimited(wait, self._limiter.rate, self._limiter.burst)
        key = bearer_key(headers)
        principal = await self._keys.authenticate(key) if key is not None else None
        if principal is None:
            if self._limiter is not None:
                self._limiter.take(failures)
            raise Unauthenticated("missing API key" if key is None else "invalid or revoked API key")
        self._spend(f"key:{principal.key_id}")
        return principal

    def _spend(self, bucket: str) -> None:
        if self._limiter is None:
            return
        wait = self._limiter.take(bucket)
        if wait > 0:
            raise RateLimited(wait, self._limiter.rate, self._limiter.burst)
