"""The data stack's tables for handler tests: in moto, in process (no socket), one set per test package.

Conftests that invoke the handlers import `order_tables` (autouse, package scope: starting moto per
test would multiply the suite's time). The bundles, imported once per session, keep their boto3
clients: moto answers any client while a mock is active, and no other test package sees a mock it
did not start. Tests use fresh keys and numbers, so they never depend on each other's orders.
"""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.handler_loader import TEST_ENVIRONMENT

ORDERS_TABLE = TEST_ENVIRONMENT["ORDERS_TABLE_NAME"]
IDEMPOTENCY_TABLE = TEST_ENVIRONMENT["IDEMPOTENCY_TABLE_NAME"]


def create_tables(region: str = TEST_ENVIRONMENT["AWS_DEFAULT_REGION"]) -> None:
    """The orders and idempotency tables as stacks/data-stack.yaml declares their keys."""
    client = boto3.client("dynamodb", region_name=region)
    existing = set(client.list_tables()["TableNames"])
    for name, key in ((ORDERS_TABLE, "confirmationNumber"), (IDEMPOTENCY_TABLE, "id")):
        if name not in existing:
            client.create_table(
                TableName=name,
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            )


def stored_order(confirmation_number: str) -> dict[str, Any] | None:
    """The raw item as DynamoDB holds it, to check what a handler wrote."""
    client = boto3.client("dynamodb", region_name=TEST_ENVIRONMENT["AWS_DEFAULT_REGION"])
    item: dict[str, Any] | None = client.get_item(
        TableName=ORDERS_TABLE, Key={"confirmationNumber": {"S": confirmation_number}}
    ).get("Item")
    return item


@pytest.fixture(scope="package", autouse=True)
def order_tables() -> Iterator[None]:
    with mock_aws():
        create_tables()
        yield
