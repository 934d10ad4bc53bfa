"""The token bucket on a fake clock: burst, sustained rate, retry-after, separate keys, bounded table."""

from __future__ import annotations

import pytest

from server.auth import TokenBucketLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_one_call_per_token() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(20, 40, clock=clock)
    assert [limiter.take("k") for _ in range(40)] == [0.0] * 40
    assert limiter.take("k") == pytest.approx(1 / 20)
    clock.now += 0.06  # a little more than one token's worth
    assert limiter.take("k") == 0.0
    assert limiter.take("k") > 0


def test_118_guesses_in_one_second_get_burst_plus_rate_through() -> None:
    """The issue's probe made 118 id guesses a second: at 20/s with a burst of 40, 60 pass at most."""
    clock = FakeClock()
    limiter = TokenBucketLimiter(20, 40, clock=clock)
    allowed = 0
    for i in range(118):
        clock.now = 1000.0 + i / 118
        allowed += limiter.take("guesser") == 0.0
    assert 40 <= allowed <= 40 + 20


def test_retry_after_says_when_the_next_call_passes() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(2, 1, clock=clock)
    assert limiter.take("k") == 0.0
    wait = limiter.take("k")
    assert wait == pytest.approx(0.5)
    assert limiter.wait_time("k") == pytest.approx(0.5)
    clock.now += wait
    assert limiter.wait_time("k") == 0.0
    assert limiter.take("k") == 0.0


def test_keys_have_separate_buckets_and_wait_time_spends_nothing() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(1, 2, clock=clock)
    limiter.take("a")
    limiter.take("a")
    assert limiter.take("a") > 0
    assert limiter.wait_time("b") == 0.0
    assert limiter.wait_time("b") == 0.0
    assert limiter.take("b") == 0.0


def test_idle_buckets_refill_only_up_to_the_burst() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(10, 3, clock=clock)
    limiter.take("k")
    clock.now += 3600
    assert [limiter.take("k") for _ in range(3)] == [0.0] * 3
    assert limiter.take("k") > 0


def test_the_bucket_table_is_bounded() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(1, 1, clock=clock, max_keys=100)
    for i in range(1000):
        limiter.take(f"addr-{i}")
    assert len(limiter._buckets) == 100


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_nonsense_limits_are_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        TokenBucketLimiter(rate, burst)
