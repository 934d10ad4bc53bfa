"""Authentication and tenancy: API keys (stored hashed), the caller a key names, per-key rate limits."""

from server.auth.keys import ApiKeys, IssuedKey, hash_key, valid_tenant
from server.auth.principal import ANONYMOUS, Principal
from server.auth.ratelimit import TokenBucketLimiter

__all__ = [
    "ANONYMOUS",
    "ApiKeys",
    "IssuedKey",
    "Principal",
    "TokenBucketLimiter",
    "hash_key",
    "valid_tenant",
]
