"""API keys: issued once in clear, stored only as a SHA-256 hash, each belonging to one tenant.

A key is ``cbk_<key id>_<secret>``: the key id (12 hex characters) names the key in ``keys list`` and
``keys revoke`` and in logs; the secret is 32 bytes from ``secrets`` (256 bits). Because the secret is
random and long, a plain SHA-256 is the right hash: a slow password hash (bcrypt, argon2) defends
low-entropy human passwords against guessing, which does not apply here, and would cost milliseconds
on every RPC. The store looks a key up by its hash, so the clear key is never compared, stored or
logged.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from server.auth.principal import Principal
from server.storage.base import StoredApiKey
from server.storage.roles import ApiKeyStore

KEY_PREFIX = "cbk"
KEY_ID_BYTES = 6
KEY_SECRET_BYTES = 32
MAX_PRESENTED_KEY_LENGTH = 200
"""Longer "keys" are refused without hashing: no key this module issues is near it."""
TENANT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
"""Tenant names: lower-case, digits and ``._-``, up to 63 characters (they appear in logs and URLs)."""


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def valid_tenant(name: str) -> bool:
    return bool(TENANT_PATTERN.match(name))


@dataclass(frozen=True)
class IssuedKey:
    """A key just created: ``key`` is shown once and never again."""

    key: str
    stored: StoredApiKey


class ApiKeys:
    """Creates, checks, lists and revokes the keys kept in a store."""

    def __init__(self, store: ApiKeyStore) -> None:
        self._store = store

    async def create(self, tenant: str, *, admin: bool = False) -> IssuedKey:
        """A new key for ``tenant``.

        Raises:
            ValueError: the tenant name is not valid (see ``TENANT_PATTERN``).
        """
        if not valid_tenant(tenant):
            raise ValueError(
                f"tenant must match {TENANT_PATTERN.pattern} (lower-case letters, digits, '._-')"
            )
        key_id = secrets.token_hex(KEY_ID_BYTES)
        key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(KEY_SECRET_BYTES)}"
        stored = StoredApiKey(key_id, hash_key(key), tenant, admin, datetime.now(UTC))
        await self._store.add_api_key(stored)
        return IssuedKey(key, stored)

    async def authenticate(self, presented: str) -> Principal | None:
        """The caller a presented key names, or None for an unknown, malformed or revoked key."""
        if not presented or len(presented) > MAX_PRESENTED_KEY_LENGTH:
            return None
        stored = await self._store.api_key_by_hash(hash_key(presented))
        if stored is None or stored.revoked_at is not None:
            return None
        return Principal(stored.tenant, stored.admin, stored.key_id)

    async def list(self) -> list[StoredApiKey]:
        return await self._store.list_api_keys()

    async def revoke(self, key_id: str) -> bool:
        """Revoke a key at once (the next call with it is refused); False when none is active."""
        return await self._store.revoke_api_key(key_id, datetime.now(UTC))
