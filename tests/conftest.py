"""Suite-wide guard: no test resolves a real hostname (pytest-socket already refuses non-loopback connects).

pytest-socket stops connections outside loopback, but a name lookup happens in libc before any connect,
and asks the machine's DNS server: a test that forgot the sandbox settings would still tell the network
which real host it was after. Here only loopback names and numeric addresses resolve (a numeric one
never leaves the machine, whatever its spelling: "127.1", "2130706433"); any other name fails at once
with the error a name that does not exist gives.

It also holds ``uv`` (the Makefile's) and ``built_wheel``, the production wheel built once for the
packaging tests.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})
_real_getaddrinfo = socket.getaddrinfo


def _numeric(host: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host.split("%", 1)[0])
            return True
        except OSError:
            continue
    try:
        socket.inet_aton(host)  # legacy IPv4 spellings libc also reads without asking DNS
        return True
    except OSError:
        return False


def resolves_locally(host: Any) -> bool:
    """Whether resolving ``host`` needs no DNS server."""
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    return name == "" or name.lower() in LOOPBACK_NAMES or _numeric(name)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not resolves_locally(host):
        raise socket.gaierror(socket.EAI_NONAME, f"tests resolve no real hostname ({host!r})")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]


@pytest.fixture(scope="session")
def uv() -> Path:
    """The uv every Makefile target uses (``make venv`` installs it)."""
    return ROOT / ".uv" / "bin" / "uv"


@pytest.fixture(scope="session")
def built_wheel(uv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``uv build`` makes of this checkout, offline (hatchling comes from uv's cache)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [uv, "build", "--wheel", "--offline", "--quiet", "--out-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("*.whl")
    return wheel
