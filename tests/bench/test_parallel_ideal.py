"""The parallel-efficiency ideal: what a perfect scheduler needs for companies of the measured times."""

from __future__ import annotations

import pytest

from bench.parallel_efficiency import ideal_batch_seconds


def test_equal_companies_take_their_time_once_per_round() -> None:
    assert ideal_batch_seconds([2.0] * 20, 10) == pytest.approx(4.0)
    assert ideal_batch_seconds([2.0] * 21, 10) == pytest.approx(6.0)


def test_a_slow_company_late_in_the_order_ends_the_batch_after_the_mean_ideal() -> None:
    times = [1.0, 1.0, 1.0, 3.0]  # two slots: 1+1 and 1+3; the mean ideal would say 1.5 * 2 = 3
    assert ideal_batch_seconds(times, 2) == pytest.approx(4.0)


def test_fewer_companies_than_slots_take_the_slowest_company() -> None:
    assert ideal_batch_seconds([1.0, 2.5], 10) == pytest.approx(2.5)
