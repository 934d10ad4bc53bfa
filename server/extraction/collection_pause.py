"""The cyclic garbage collector held off while a page is parsed: its passes there can free nothing.

Parsing a page builds tens of thousands of container objects that live until the parse returns (the
tree's element proxies, the page's text strings with their owners, links and their parts). Each burst
of them sets off young collections that walk them and promote them, and the survivors soon count enough
to set off a full collection, which walks the whole heap of the process (~0.1 s in a process that has
imported the server). None of these passes can free anything: ``parse_page`` builds no reference
cycles (its objects go when their last reference does; the tests check it on corpus pages), so every
pass during it is CPU spent for nothing, some 5% of the parse of the real-web pages. Held off for the
parse, the collector runs as before afterwards: anything cyclic that did come about waits for the next
collection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_collection_paused() -> Iterator[None]:
    """No cyclic garbage collection inside; the collector's state as before afterwards.

    Only the call that turned the collector off turns it back on: a collector already off (by the
    caller, or an enclosing parse) stays off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
