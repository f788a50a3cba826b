"""Conditional writes are atomic, as in DynamoDB: of many racing `attribute_not_exists` puts, one wins."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from localcloud.extensions import dynamodb_atomic_writes


@pytest.fixture
def table() -> Iterator[str]:
    dynamodb_atomic_writes.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="locks",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield "locks"


def _race(table: str, key: str, contenders: int) -> int:
    client = boto3.client("dynamodb", region_name="us-east-1")
    start = threading.Barrier(contenders)
    winners: list[int] = []

    def contend(number: int) -> None:
        start.wait()
        try:
            client.put_item(
                TableName=table,
                Item={"pk": {"S": key}, "owner": {"N": str(number)}},
                ConditionExpression="attribute_not_exists(pk)",
            )
            winners.append(number)
        except client.exceptions.ConditionalCheckFailedException:
            pass

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return len(winners)


def test_exactly_one_of_many_racing_conditional_puts_wins(table: str) -> None:
    # GIVEN 8 threads that start together WHEN each claims the same key THEN exactly one succeeds, every round
    assert [_race(table, f"lock-{round_}", 8) for round_ in range(25)] == [1] * 25


def test_installing_twice_wraps_each_write_once() -> None:
    dynamodb_atomic_writes.install()
    wrapped = dynamodb_atomic_writes.dynamodb.DynamoDBBackend.put_item
    dynamodb_atomic_writes.install()
    assert dynamodb_atomic_writes.dynamodb.DynamoDBBackend.put_item is wrapped
    assert not getattr(wrapped.__wrapped__, "__wrapped_by_localcloud__", False)
