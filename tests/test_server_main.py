"""``python -m server``'s garbage collector: start-up's objects frozen, full collections rare."""

from __future__ import annotations

import gc
from typing import Any

from server.__main__ import settle_garbage_collector

PYTHON_FULL_COLLECTION_EVERY = 10
"""Python's default: middle-generation collections between two full ones."""


def test_a_serving_process_runs_full_collections_far_less_often_than_python_would() -> None:
    """Objects that live long (as an open stream's do) pile up in the oldest generation, and no full
    collection walks them within several times Python's default number of younger collections."""
    threshold = gc.get_threshold()
    collections = {1: 0, 2: 0}

    def count(phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info["generation"] in collections:
            collections[info["generation"]] += 1

    gc.callbacks.append(count)
    try:
        settle_garbage_collector()
        assert gc.get_freeze_count() > 0
        long_lived: list[list[list[None]]] = []
        while collections[1] < 5 * PYTHON_FULL_COLLECTION_EVERY:
            long_lived.append([[] for _ in range(100)])
        assert collections[2] == 0
    finally:
        gc.callbacks.remove(count)
        gc.unfreeze()
        gc.set_threshold(*threshold)
