"""Token buckets and quota periods of the data plane, on fake clocks (no socket, no real time)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from localcloud.dataplane.throttling import (
    Limits,
    QuotaExceeded,
    Throttled,
    Throttling,
    TokenBucket,
    quota_window,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_admits_its_burst_then_refills_at_its_rate() -> None:
    # GIVEN a full bucket of 3 refilled at 2 tokens a second
    bucket = TokenBucket(Limits(rate=2.0, burst=3), now=0.0)
    # WHEN 4 requests arrive at once THEN 3 pass
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    # WHEN half a second passes THEN one more token is there, and no more
    assert [bucket.take(0.5), bucket.take(0.5)] == [True, False]
    # WHEN a long time passes THEN the bucket holds its burst, never more
    assert [bucket.take(100.0) for _ in range(4)] == [True, True, True, False]


def test_a_zero_burst_throttles_everything() -> None:
    assert TokenBucket(Limits(rate=100.0, burst=0), now=0.0).take(10.0) is False


def _plan(**fields: object) -> SimpleNamespace:
    return SimpleNamespace(id="plan1", api_stages=[{"apiId": "api", "stage": "live"}], **fields)


def test_plan_buckets_are_per_key_and_follow_changed_limits() -> None:
    clock = FakeClock()
    throttling = Throttling(clock=clock)
    plan = _plan(throttle={"rateLimit": 1, "burstLimit": 1}, quota={})
    throttling.check_plan(plan, "key-a", "api", "live", "/pets", "GET")
    with pytest.raises(Throttled):
        throttling.check_plan(plan, "key-a", "api", "live", "/pets", "GET")
    throttling.check_plan(plan, "key-b", "api", "live", "/pets", "GET")  # its own bucket
    clock.now += 1.0
    throttling.check_plan(plan, "key-a", "api", "live", "/pets", "GET")  # refilled
    # WHEN the plan's limits change THEN the key gets a fresh bucket of the new size
    plan.throttle = {"rateLimit": 1, "burstLimit": 5}
    for _ in range(5):
        throttling.check_plan(plan, "key-a", "api", "live", "/pets", "GET")


def test_a_quota_counts_per_period_and_starts_again_in_the_next() -> None:
    day = [datetime(2026, 12, 1, 23, 59, tzinfo=UTC)]
    throttling = Throttling(clock=FakeClock(), wall_clock=lambda: day[0])
    plan = _plan(throttle={}, quota={"limit": 2, "period": "DAY"})
    for _ in range(2):
        throttling.check_plan(plan, "key", "api", "live", "/pets", "GET")
    with pytest.raises(QuotaExceeded):
        throttling.check_plan(plan, "key", "api", "live", "/pets", "GET")
    day[0] = datetime(2026, 12, 2, 0, 0, 1, tzinfo=UTC)
    throttling.check_plan(plan, "key", "api", "live", "/pets", "GET")


@pytest.mark.parametrize(
    ("period", "offset", "now", "start"),
    [
        ("DAY", 0, datetime(2026, 12, 1, 13, 5, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        ("WEEK", 0, datetime(2026, 12, 3, 9, 0, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)),  # a Monday
        ("WEEK", 2, datetime(2026, 11, 30, 9, 0, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC)),
        ("MONTH", 0, datetime(2026, 12, 31, 23, 0, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        ("MONTH", 9, datetime(2026, 12, 5, tzinfo=UTC), datetime(2026, 11, 10, tzinfo=UTC)),
        ("MONTH", 9, datetime(2026, 12, 10, 1, 0, tzinfo=UTC), datetime(2026, 12, 10, tzinfo=UTC)),
    ],
)
def test_quota_periods_start_where_the_offset_says(
    period: str, offset: int, now: datetime, start: datetime
) -> None:
    assert quota_window(period, offset, now) == start


def test_a_stage_method_setting_wins_over_the_stage_wide_one() -> None:
    throttling = Throttling(clock=FakeClock())
    stage = SimpleNamespace(
        name="live",
        method_settings={
            "*/*": {"throttlingRateLimit": 100.0, "throttlingBurstLimit": 100},
            "pets/POST": {"throttlingRateLimit": 0.0, "throttlingBurstLimit": 1},
        },
    )
    throttling.check_stage("api", stage, "/pets", "POST")
    with pytest.raises(Throttled):
        throttling.check_stage("api", stage, "/pets", "POST")
    for _ in range(50):
        throttling.check_stage("api", stage, "/pets", "GET")  # the stage default, its own bucket


def test_the_stage_default_gives_each_method_a_bucket_of_its_own() -> None:
    # GIVEN a stage default of a burst of 2 and no refill
    throttling = Throttling(clock=FakeClock())
    stage = SimpleNamespace(
        name="live", method_settings={"*/*": {"throttlingRateLimit": 0.0, "throttlingBurstLimit": 2}}
    )
    # WHEN GET /health spends its burst
    for _ in range(2):
        throttling.check_stage("api", stage, "/health", "GET")
    # THEN GET /health is throttled while POST /orders still has its own burst
    with pytest.raises(Throttled):
        throttling.check_stage("api", stage, "/health", "GET")
    throttling.check_stage("api", stage, "/orders", "POST")
    throttling.check_stage("api", stage, "/orders", "POST")
