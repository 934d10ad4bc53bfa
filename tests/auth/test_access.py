"""Call admission without a server: bearer parsing, the client address, auth on/off, failure limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.api.access import CallAccess, bearer_key, client_address
from server.auth import ANONYMOUS, ApiKeys, TokenBucketLimiter
from server.errors import RateLimited, Unauthenticated
from server.settings import Settings
from server.storage import open_store


@pytest.mark.parametrize(
    ("value", "key"),
    [
        pytest.param("Bearer abc", "abc", id="bearer"),
        pytest.param("bearer  abc ", "abc", id="case-and-spaces"),
        pytest.param("Basic abc", None, id="basic"),
        pytest.param("Bearer", None, id="no-key"),
        pytest.param("abc", None, id="no-scheme"),
        pytest.param(b"Bearer abc", None, id="binary"),
    ],
)
def test_bearer_key(value: object, key: str | None) -> None:
    assert bearer_key({"authorization": value}) == key


def test_no_authorization_header_has_no_key() -> None:
    assert bearer_key({}) is None


@pytest.mark.parametrize(
    ("peer", "forwarded", "address"),
    [
        pytest.param("ipv4:203.0.113.9:5000", None, "203.0.113.9", id="direct-v4"),
        pytest.param("ipv6:[2001:db8::1]:5000", None, "2001:db8::1", id="direct-v6"),
        pytest.param("ipv4:127.0.0.1:5000", "198.51.100.1, 203.0.113.7", "203.0.113.7", id="via-envoy"),
        pytest.param("ipv6:[::1]:5000", "203.0.113.7", "203.0.113.7", id="via-envoy-v6"),
        # A remote client cannot pick its own bucket by sending x-forwarded-for.
        pytest.param("ipv4:203.0.113.9:5000", "10.0.0.1", "203.0.113.9", id="spoofed"),
    ],
)
def test_client_address(peer: str, forwarded: str | None, address: str) -> None:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    assert client_address(peer, headers) == address


@pytest.mark.parametrize(
    ("host", "auth", "enabled"),
    [
        pytest.param("127.0.0.1", "auto", False, id="loopback-v4"),
        pytest.param("localhost", "auto", False, id="localhost"),
        pytest.param("::1", "auto", False, id="loopback-v6"),
        pytest.param("0.0.0.0", "auto", True, id="all-v4"),
        pytest.param("[::]", "auto", True, id="all-v6"),
        pytest.param("10.1.2.3", "auto", True, id="private"),
        pytest.param("server.internal", "auto", True, id="hostname"),
        pytest.param("127.0.0.1", "on", True, id="forced-on"),
        pytest.param("0.0.0.0", "off", False, id="forced-off"),
    ],
)
def test_auth_is_on_beyond_loopback_unless_set(host: str, auth: str, enabled: bool) -> None:
    settings = Settings(_env_file=None, grpc_host=host, auth=auth)  # type: ignore[arg-type]
    assert settings.auth_enabled() is enabled


async def test_with_auth_off_every_caller_is_anonymous_and_limited_per_address() -> None:
    access = CallAccess(None, TokenBucketLimiter(0.001, 2))
    assert await access.admit({}, "ipv4:203.0.113.9:1") is ANONYMOUS
    assert await access.admit({"authorization": "Bearer junk"}, "ipv4:203.0.113.9:2") is ANONYMOUS
    with pytest.raises(RateLimited):
        await access.admit({}, "ipv4:203.0.113.9:3")
    assert await access.admit({}, "ipv4:203.0.113.10:1") is ANONYMOUS  # another address


async def test_failed_key_checks_spend_the_address_bucket_before_any_lookup(tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'keys.sqlite3'}")
    try:
        keys = ApiKeys(store)
        good = (await keys.create("alpha")).key
        access = CallAccess(keys, TokenBucketLimiter(0.001, 2))
        bad = {"authorization": "Bearer cbk_0_nope"}
        for _ in range(2):
            with pytest.raises(Unauthenticated):
                await access.admit(bad, "ipv4:203.0.113.9:1")
        with pytest.raises(RateLimited):  # this address has used up its failures
            await access.admit({"authorization": f"Bearer {good}"}, "ipv4:203.0.113.9:1")
        principal = await access.admit({"authorization": f"Bearer {good}"}, "ipv4:203.0.113.10:1")
        assert (principal.tenant, principal.admin) == ("alpha", False)
    finally:
        await store.close()
