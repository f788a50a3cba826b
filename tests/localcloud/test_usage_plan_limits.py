"""Usage plan throttles and quotas, and a stage's method throttle, through the data plane.

templates/usage_plan_api.yaml is deployed once per module. Rates are one token per 100 s, so what a burst
admits is decided by the burst size alone, whatever the machine's speed.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from fixtures.stack_api import StackApi, deployed_api, json_of
from templates import REGION

TOO_MANY = {"message": "Too Many Requests"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackApi]:
    with deployed_api("usage_plan_api.yaml", tmp_path_factory.mktemp("usage-plans")) as deployed:
        yield deployed


def _keyed(api: StackApi, key: str) -> tuple[int, object]:
    reply = api.call("/keyed", headers={"x-api-key": key})
    return reply.status, json_of(reply) if reply.status != 200 else reply.body.decode()


def test_a_plan_throttle_admits_its_burst_then_answers_429_per_key(api: StackApi) -> None:
    first, second, third = (_keyed(api, "throttled-key-0123456789abcdef") for _ in range(3))

    assert (first[0], second[0]) == (200, 200)
    assert third == (429, TOO_MANY)
    # Another key of the same plan has its own bucket
    assert _keyed(api, "other-key-0123456789abcdefghi")[0] == 200


def test_the_throttled_answer_says_so(api: StackApi) -> None:
    key = {"x-api-key": "throttled-key-0123456789abcdef"}
    while (reply := api.call("/keyed", headers=key)).status == 200:
        pass

    assert reply.status == 429
    assert reply.header("x-amzn-ErrorType") == "TooManyRequestsException"


def test_a_per_method_throttle_of_the_plan_applies(api: StackApi) -> None:
    apigw = boto3.client("apigateway", region_name=REGION)
    stages = apigw.get_usage_plan(usagePlanId=api.stack_outputs["MethodPlanId"])["apiStages"]
    assert stages[0]["throttle"] == {"/keyed/GET": {"burstLimit": 1, "rateLimit": 0.01}}

    first, second = (_keyed(api, "method-key-0123456789abcdefgh") for _ in range(2))

    assert first[0] == 200
    assert second == (429, TOO_MANY)


def test_a_quota_answers_limit_exceeded_once_used_up(api: StackApi) -> None:
    key = {"x-api-key": "quota-key-0123456789abcdefghi"}  # 3 a day; its throttle admits a burst of 100
    replies = [api.call("/keyed", headers=key) for _ in range(4)]

    assert [reply.status for reply in replies] == [200, 200, 200, 429]
    assert json_of(replies[-1]) == {"message": "Limit Exceeded"}
    assert replies[-1].header("x-amzn-ErrorType") == "LimitExceededException"


def test_a_stage_method_throttle_answers_429_to_anyone(api: StackApi) -> None:
    # GIVEN the stage's GET /staged takes a burst of 1, with a token every 100 s
    first, second = (api.call("/staged") for _ in range(2))

    # THEN the second request in a row is throttled, with no API key involved
    assert first.status == 200
    assert second.status == 429
    assert json_of(second) == TOO_MANY
    assert second.header("x-amzn-ErrorType") == "TooManyRequestsException"
