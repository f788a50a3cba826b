"""Warming the target before the flip: how many environments, what a wave achieved, where it runs."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from bluegreen.aws import Aws
from bluegreen.aws.base import backoff
from bluegreen.history import History
from bluegreen.states import Action
from bluegreen.switch import SwitchOptions
from bluegreen.warm import HttpWarmSender, WarmAnswer, Warmer, WarmPolicy, function_name, peak_in_flight, warm
from tests.unit.bluegreen.fakes import FakeClock, FakeCloud, make_switcher

FAST = SwitchOptions(consecutive=3, fail_after=3, verify_timeout=10, verify_interval=0.5, assume_yes=True)
BLUE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:petstore-blue-BlueFunction-X1"


class FakeSender:
    """Answers each wave as a fleet of cold environments would: all in flight together, or one by one.
    /health names the color; any other path answers 404 (an order that does not exist)."""

    def __init__(self, color: str, *, overlapping: bool = True, failing: int = 0) -> None:
        self.color = color
        self.overlapping = overlapping
        self.failing = failing
        self.waves: list[tuple[str, int]] = []

    def send(
        self, base_url: str, paths: Sequence[str], count: int, timeout: float
    ) -> Sequence[Sequence[WarmAnswer]]:
        waves = []
        for path in paths:
            self.waves.append((f"{base_url}{path}", count))
            answers = []
            for n in range(count):
                start = 0.0 if self.overlapping else float(n)
                if n < self.failing:
                    answers.append(WarmAnswer(start, start + 0.5, 429, None))
                elif path == "/health":
                    answers.append(WarmAnswer(start, start + 0.5, 200, self.color))
                else:
                    answers.append(WarmAnswer(start, start + 0.25, 404, None))
            waves.append(answers)
        return waves


def test_target_is_the_live_peak_between_floor_and_cap() -> None:
    policy = WarmPolicy(floor=2, cap=10)
    assert [policy.target(peak) for peak in (None, 0, 1, 5, 10, 250)] == [2, 2, 2, 5, 10, 10]
    with pytest.raises(ValueError, match="floor"):
        WarmPolicy(floor=11, cap=10)


def test_function_name_from_the_stack_output_arn() -> None:
    assert function_name(BLUE_ARN) == "petstore-blue-BlueFunction-X1"
    assert function_name(f"{BLUE_ARN}:live") == "petstore-blue-BlueFunction-X1"
    assert function_name("") == "" and function_name("not-an-arn") == ""


def test_peak_in_flight_counts_only_answers_that_overlapped() -> None:
    def answer(start: float, end: float) -> WarmAnswer:
        return WarmAnswer(start, end, 200, "green")

    assert peak_in_flight([answer(0, 1), answer(0.5, 1.5), answer(0.9, 2)]) == 3
    assert peak_in_flight([answer(0, 1), answer(1, 2), answer(2, 3)]) == 1  # one environment, reused
    assert peak_in_flight([]) == 0


def test_warm_sends_one_wave_of_the_live_peak_to_the_targets_own_url() -> None:
    # GIVEN blue peaked at 5 concurrent executions, green cold
    sender = FakeSender("green")
    reads: list[tuple[str, float]] = []

    def peak(function: str, lookback: float) -> int | None:
        reads.append((function, lookback))
        return 5

    # WHEN green is warmed
    result = warm(
        "green",
        "https://green.example/Prod",
        "petstore-blue-fn",
        policy=WarmPolicy(floor=2, cap=10, lookback_seconds=300),
        concurrency=peak,
        sender=sender,
        clock=FakeClock(),
    )
    # THEN five simultaneous requests went to green's own URL and all five were in flight together
    assert reads == [("petstore-blue-fn", 300)]
    assert sender.waves == [("https://green.example/Prod/health", 5)]
    assert (result.target, result.achieved, result.answered, result.complete) == (5, 5, 5, True)
    assert result.to_dict()["live_peak"] == 5 and result.to_dict()["slowest_ms"] == 500.0


def test_a_shortfall_is_reported_not_hidden() -> None:
    # GIVEN two of four requests throttled, the others answered one after the other
    sender = FakeSender("green", overlapping=False, failing=2)
    result = warm(
        "green",
        "https://green.example/Prod",
        "fn",
        policy=WarmPolicy(floor=4, cap=10),
        concurrency=lambda function, lookback: None,
        sender=sender,
        clock=FakeClock(),
    )
    # THEN the record says 2 of 4 answered, one at a time, and why the others failed
    assert (result.target, result.achieved, result.answered, result.complete) == (4, 1, 2, False)
    assert result.errors == {"/health: HTTP 429 from unknown": 2}
    assert "PARTLY warmed green: 2/4 simultaneous requests answered, 1 in flight at once" in result.summary()


def test_each_warm_path_is_a_wave_of_its_own_and_later_ones_may_answer_404() -> None:
    # GIVEN the order path warmed after /health, one of three requests throttled on each wave
    sender = FakeSender("green", failing=1)
    result = warm(
        "green",
        "https://green.example/Prod",
        "fn",
        policy=WarmPolicy(floor=3, cap=10, paths=("/health", "/orders/ORD-00000000")),
        concurrency=lambda function, lookback: 3,
        sender=sender,
        clock=FakeClock(),
    )
    # THEN two waves of three; the 404s are fine, each throttle is counted under its path
    assert sender.waves == [
        ("https://green.example/Prod/health", 3),
        ("https://green.example/Prod/orders/ORD-00000000", 3),
    ]
    assert result.errors == {
        "/health: HTTP 429 from unknown": 1,
        "/orders/ORD-00000000: HTTP 429 from unknown": 1,
    }
    assert (result.answered, result.complete) == (2, False)
    with pytest.raises(ValueError, match="warm paths"):
        WarmPolicy(paths=("health",))


def test_an_unreadable_metric_warms_to_the_floor_and_says_so() -> None:
    def broken(function: str, lookback: float) -> int | None:
        raise RuntimeError("AccessDenied")

    result = warm(
        "green",
        "https://green.example/Prod",
        "fn",
        policy=WarmPolicy(floor=3, cap=10),
        concurrency=broken,
        sender=FakeSender("green"),
        clock=FakeClock(),
    )
    assert (result.live_peak, result.target, result.achieved) == (None, 3, 3)
    assert "ConcurrentExecutions unreadable" in result.summary()


def test_switch_warms_the_target_before_the_flip_and_records_it(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN blue live (its function peaked at 4), green idle
    cloud = FakeCloud()
    cloud.stacks["blue"] = dataclasses.replace(cloud.stacks["blue"], lambda_arn=BLUE_ARN)
    live_when_warmed: list[str | None] = []
    sender = FakeSender("green")

    def peak(function: str, lookback: float) -> int | None:
        live_when_warmed.append(cloud.color_of(cloud.mapping))
        return 4 if function == "petstore-blue-BlueFunction-X1" else None

    warmer = Warmer(WarmPolicy(floor=2, cap=8), peak, sender, clock)
    lines: list[str] = []
    # WHEN switching to green
    make_switcher(cloud, aws, table, clock, lines=lines, warmer=warmer).switch("green", FAST)
    # THEN green was warmed to 4 on its own URL while blue still served, and history keeps the figures
    assert live_when_warmed == ["blue"]
    assert sender.waves == [("https://green.execute-api.example/Prod/health", 4)]
    [record] = History(aws, table, clock).recent()
    assert record.measurements["warm"]["target"] == 4 and record.measurements["warm"]["achieved"] == 4
    assert list(record.durations).index("warm") < list(record.durations).index("change")
    assert any("warmed green: 4/4 simultaneous requests answered, 4 in flight" in line for line in lines)


def test_rollback_warms_its_target_too_and_a_dry_run_does_not(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    sender = FakeSender("green")
    warmer = Warmer(WarmPolicy(floor=2, cap=8), lambda function, lookback: None, sender, clock)
    dry_run = dataclasses.replace(FAST, dry_run=True)
    make_switcher(cloud, aws, table, clock, warmer=warmer).switch("green", dry_run)
    assert sender.waves == []
    make_switcher(cloud, aws, table, clock, warmer=warmer).switch("green", FAST)
    blue = FakeSender("blue")
    back = Warmer(WarmPolicy(floor=2, cap=8), lambda function, lookback: None, blue, clock)
    make_switcher(cloud, aws, table, clock, warmer=back).switch(None, FAST, action=Action.ROLLBACK)
    assert blue.waves == [("https://blue.execute-api.example/Prod/health", 2)]
    assert cloud.color_of(cloud.mapping) == "blue"


def test_peak_concurrency_reads_the_maximum_of_the_live_function(aws: Aws, clock: FakeClock) -> None:
    # GIVEN ConcurrentExecutions datapoints of two functions within the last minutes
    recent = datetime.fromtimestamp(clock() - 30, UTC)
    for function, value in (("blue-fn", 3.0), ("blue-fn", 7.0), ("green-fn", 40.0)):
        aws.cloudwatch.put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {
                    "MetricName": "ConcurrentExecutions",
                    "Dimensions": [{"Name": "FunctionName", "Value": function}],
                    "Timestamp": recent,
                    "Value": value,
                }
            ],
        )
    # THEN the peak is blue's own Maximum; a function with no datapoint has none
    assert aws.peak_concurrency("blue-fn", 300) == 7
    assert aws.peak_concurrency("other-fn", 300) is None


def test_polling_starts_quick_and_backs_off_to_the_interval() -> None:
    delays = backoff(0.1, 2.0)
    assert [next(delays) for _ in range(7)] == [0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0]


class GreenHealth(requests.Session):
    """GET /health answered by green, but only once `arrivals` requests are in flight together."""

    def __init__(self, arrivals: threading.Barrier, urls: list[str]) -> None:
        super().__init__()
        self._arrivals = arrivals
        self._urls = urls

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        self._urls.append(str(url))
        self._arrivals.wait(timeout=5)  # a sender that sent one at a time would break this barrier
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps({"status": "healthy", "environment": "green"}).encode()
        return response


def test_http_sender_keeps_every_request_in_flight_at_once() -> None:
    # GIVEN a target that answers only when 4 requests are in flight together
    urls: list[str] = []
    arrivals = threading.Barrier(4)
    sender = HttpWarmSender(lambda: GreenHealth(arrivals, urls), time.monotonic)
    # WHEN a wave of 4 is sent
    health, orders = sender.send("https://green.example/Prod/", ["/health", "/orders/x"], 4, timeout=10)
    # THEN each connection was opened by a first request, then each wave's four requests reached their
    # path together and were answered by green, overlapping
    health_url, orders_url = "https://green.example/Prod/health", "https://green.example/Prod/orders/x"
    assert urls == [health_url] * 4 + [health_url] * 4 + [orders_url] * 4
    assert [(a.status, a.environment) for a in [*health, *orders]] == [(200, "green")] * 8
    assert peak_in_flight(health) == 4 and peak_in_flight(orders) == 4


def test_a_failed_warm_up_is_recorded_and_the_switch_goes_on(aws: Aws, table: str, clock: FakeClock) -> None:
    # GIVEN a sender that breaks (a bug, a dead network)
    class Broken(FakeSender):
        def send(
            self, base_url: str, paths: Sequence[str], count: int, timeout: float
        ) -> Sequence[Sequence[WarmAnswer]]:
            raise OSError("network is unreachable")

    cloud = FakeCloud()
    warmer = Warmer(WarmPolicy(floor=2, cap=8), lambda function, lookback: None, Broken("green"), clock)
    lines: list[str] = []
    # WHEN switching
    make_switcher(cloud, aws, table, clock, lines=lines, warmer=warmer).switch("green", FAST)
    # THEN green is live and verified, and the record says why it was not warmed
    assert cloud.color_of(cloud.mapping) == "green"
    [record] = History(aws, table, clock).recent()
    assert record.measurements["warm"]["note"] == "the warm-up failed: OSError: network is unreachable"
    assert any("PARTLY warmed green" in line for line in lines)


def test_the_live_peak_read_ahead_is_the_one_the_warm_up_uses() -> None:
    # GIVEN a warmer told early which color is live (its read runs while the checks do)
    reads: list[str] = []

    def peak(function: str, lookback: float) -> int | None:
        reads.append(function)
        return 3

    sender = FakeSender("green")
    warmer = Warmer(WarmPolicy(floor=2, cap=8), peak, sender, FakeClock())
    blue = FakeCloud().stacks["blue"]
    blue = dataclasses.replace(blue, lambda_arn=BLUE_ARN)
    warmer.read_ahead(blue)
    # WHEN it warms green THEN the metric was read once, ahead, and the wave is its size
    result = warmer.safely(FakeCloud().stacks["green"], blue)
    assert reads == ["petstore-blue-BlueFunction-X1"]
    assert (result.live_peak, result.target) == (3, 3) and sender.waves[0][1] == 3


def test_a_read_ahead_that_failed_warms_to_the_floor_and_says_why() -> None:
    def denied(function: str, lookback: float) -> int | None:
        raise RuntimeError("AccessDenied")

    warmer = Warmer(WarmPolicy(floor=2, cap=8), denied, FakeSender("green"), FakeClock())
    blue = dataclasses.replace(FakeCloud().stacks["blue"], lambda_arn=BLUE_ARN)
    warmer.read_ahead(blue)
    result = warmer.safely(FakeCloud().stacks["green"], blue)
    assert (result.live_peak, result.target, result.answered) == (None, 2, 2)
    assert "ConcurrentExecutions unreadable (RuntimeError: AccessDenied)" in result.summary()
