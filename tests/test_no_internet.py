"""The test process cannot reach the internet: connections go to loopback only (pytest-socket).

Production code talks to the real web by default; tests and demos point it at the sandbox web. This
guard catches a test that forgot to: its connection fails at once instead of leaving the machine.
"""

from __future__ import annotations

import socket

import aiohttp
import pytest
from pytest_socket import SocketConnectBlockedError

TEST_NET_ADDRESS = "192.0.2.1"  # RFC 5737 documentation range: never a real server
BLOCKED = "tried to use socket.socket.connect"  # pytest-socket warns, then raises


def test_a_connection_outside_loopback_is_refused() -> None:
    with pytest.raises(SocketConnectBlockedError), pytest.warns(UserWarning, match=BLOCKED):
        socket.create_connection((TEST_NET_ADDRESS, 80), timeout=1)


async def test_an_http_client_outside_the_sandbox_is_refused() -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        with pytest.raises(SocketConnectBlockedError), pytest.warns(UserWarning, match=BLOCKED):
            await session.get(f"http://{TEST_NET_ADDRESS}/")


def test_loopback_stays_reachable() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=1):
            pass


def test_a_real_hostname_is_not_resolved() -> None:
    """The DNS guard in tests/conftest.py: a name lookup would reach the machine's DNS server."""
    with pytest.raises(socket.gaierror, match="tests resolve no real hostname"):
        socket.getaddrinfo("www.wikidata.org", 443)


def test_loopback_names_and_numeric_addresses_still_resolve() -> None:
    assert socket.getaddrinfo("localhost", 80)
    assert socket.getaddrinfo("127.1", 80)[0][4][0] == "127.0.0.1"
    assert socket.getaddrinfo("::1", 80)


async def test_aiohttp_outside_the_sandbox_fails_at_the_name() -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        with pytest.raises(aiohttp.ClientConnectorError):
            await session.get("https://www.wikidata.org/")
