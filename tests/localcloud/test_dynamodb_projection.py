"""A projected Query returns what moto's own projection returns, whichever path it takes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from localcloud.patches import registry

ORIGIN = "localcloud.extensions.dynamodb_projection"
RECORD = {
    "pk": {"S": "HISTORY"},
    "sk": {"S": "2026-12-01T08:00:00Z#1"},
    "action": {"S": "switch"},
    "state": {"S": "SUCCEEDED"},
    "durations": {"M": {"lock": {"N": "0.03"}, "verify": {"N": "0.2"}}},
    "measurements": {
        "M": {"verify": {"M": {"rounds": {"N": "3"}, "checks": {"L": [{"S": "a"}, {"S": "b"}]}}}}
    },
}
PROJECTIONS = [
    ("sk, #a, #s, #m", {"#a": "action", "#s": "state", "#m": "nothere"}),  # top level: one conversion
    ("sk, durations.verify, measurements.verify.checks[1]", {}),  # nested and indexed: moto's own path
]


def _query_all(projection: str, names: dict[str, str]) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    request: dict[str, Any] = {
        "TableName": "history",
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "HISTORY"}},
        "ProjectionExpression": projection,
    }
    if names:
        request["ExpressionAttributeNames"] = names
    items: list[dict[str, Any]] = client.query(**request)["Items"]
    return items


@pytest.fixture
def history() -> Iterator[None]:
    import localcloud.extensions.dynamodb_projection  # noqa: F401  (declares its patch)

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="history",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="history", Item=RECORD)
        yield


@pytest.mark.parametrize(("projection", "names"), PROJECTIONS)
def test_a_projected_query_returns_what_plain_moto_returns(
    history: None, projection: str, names: dict[str, str]
) -> None:
    # GIVEN a stored record WHEN it is queried with a projection, without the patch and with it
    patch = next(p for p in registry if p.origin == ORIGIN)
    patch.undo()
    plain = _query_all(projection, names)
    registry.apply_all(origin=ORIGIN)
    assert patch.applied
    try:
        patched = _query_all(projection, names)
    finally:
        patch.undo()
    # THEN both return the same attributes, and only those named
    assert patched == plain
    assert "durations" not in plain[0] or "lock" not in plain[0]["durations"]["M"]
    assert "nothere" not in patched[0]
