"""The cyclic garbage collector is held off while a page is parsed, and the parse leaves nothing for it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.extraction.collection_pause import cyclic_collection_paused
from server.extraction.fetcher import decode_body
from server.extraction.parse import parse_page

SITES = Path(__file__).resolve().parents[2] / "sandbox" / "corpus" / "sites"
# A page big enough that parsing it allocates well past the young generation's threshold many times.
BIG_PAGE = (
    "<html><body>"
    + "".join(
        f'<div class="row"><p>Office {n}: call <a href="tel:+1-412-555-{n:04d}">+1 412 555 {n:04d}</a>'
        f' or write to <a href="mailto:office{n}@acme.example">office{n}@acme.example</a>.</p>'
        f'<a href="/offices/{n}">Office {n}</a></div>'
        for n in range(2_000)
    )
    + "</body></html>"
)


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of every collection the cyclic collector runs while the test runs."""
    seen: list[int] = []

    def record(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(record)
    try:
        yield seen
    finally:
        gc.callbacks.remove(record)


def test_parsing_a_page_runs_no_cyclic_collection(collections: list[int]) -> None:
    assert gc.isenabled()
    gc.collect()  # the young generation empty: no collection falls due before the parse starts
    collections.clear()
    facts = parse_page(BIG_PAGE, "https://acme.example/")
    during = len(collections)  # read before anything allocates: the next allocation may collect
    # At most the young collection that falls due as the collector comes back on, at the very end.
    assert during <= 1
    assert set(collections[:during]) <= {0}
    assert gc.isenabled()  # on again for everything after the parse
    assert len(facts.phones) == 100  # the page was read whole (MAX_NUMBERS of its tel: links)


@pytest.mark.parametrize("page", sorted(SITES.glob("*/index.html"))[:20], ids=lambda page: page.parent.name)
def test_parsing_a_page_leaves_no_reference_cycles(page: Path) -> None:
    """Why pausing is free: every object the parse made is gone with its last reference."""
    html = decode_body(page.read_bytes(), "text/html")
    gc.collect()
    gc.disable()
    try:
        parse_page(html, f"https://{page.parent.name}/")
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    try:
        with cyclic_collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_is_on_again_when_the_parse_fails() -> None:
    with pytest.raises(RuntimeError), cyclic_collection_paused():
        assert not gc.isenabled()
        raise RuntimeError("page failed")
    assert gc.isenabled()
