"""Orders in the data stack's DynamoDB table, shared by every release.

boto3 is imported on the first order, not with the module: /health and /pets never pay for it, and the
Lambda runtime provides it (the bundle does not carry it). An item is the order's JSON document as
attributes; the few types an order uses map to DynamoDB's S, N, BOOL and M.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Marks an order placed by a check (the switch's data gate), kept out of business figures.
SYNTHETIC_ATTRIBUTE = "synthetic"
KEY_ATTRIBUTE = "confirmationNumber"


class OrderExistsError(Exception):
    """An order with this confirmation number is already stored: the write changed nothing."""


class OrderStore(Protocol):
    def put_new(self, document: Mapping[str, Any], *, synthetic: bool = False) -> None: ...

    def get(self, confirmation_number: str) -> dict[str, Any] | None: ...


def new_dynamodb_client() -> DynamoDBClient:
    import boto3  # the first order-path request pays for it, not the cold start of every route

    client: DynamoDBClient = boto3.client("dynamodb")
    return client


class DynamoDBOrderStore:
    """Conditional writes (never overwrite an order) and strongly consistent reads by confirmation number."""

    def __init__(
        self, table_name: str, make_client: Callable[[], DynamoDBClient] = new_dynamodb_client
    ) -> None:
        self._table_name = table_name
        self._make_client = make_client
        self._client: DynamoDBClient | None = None

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = self._make_client()
        return self._client

    def put_new(self, document: Mapping[str, Any], *, synthetic: bool = False) -> None:
        item = to_item(document)
        if synthetic:
            item[SYNTHETIC_ATTRIBUTE] = {"BOOL": True}
        client = self.client
        try:
            client.put_item(
                TableName=self._table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(#key)",
                ExpressionAttributeNames={"#key": KEY_ATTRIBUTE},
            )
        except client.exceptions.ConditionalCheckFailedException:
            raise OrderExistsError(str(document[KEY_ATTRIBUTE])) from None

    def get(self, confirmation_number: str) -> dict[str, Any] | None:
        answer = self.client.get_item(
            TableName=self._table_name,
            Key={KEY_ATTRIBUTE: {"S": confirmation_number}},
            ConsistentRead=True,
        )
        item = answer.get("Item")
        return None if item is None else from_item(item)


def to_item(document: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON object as DynamoDB attributes; None values are left out (absent, not null)."""
    return {name: _to_attribute(value) for name, value in document.items() if value is not None}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _from_attribute(value) for name, value in item.items()}


def _to_attribute(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, Mapping):
        return {"M": to_item(value)}
    raise TypeError(f"an order holds no {type(value).__name__} values")


def _from_attribute(attribute: Mapping[str, Any]) -> Any:
    (kind, value), *_ = attribute.items()
    if kind == "N":
        return int(value)
    if kind == "M":
        return from_item(value)
    if kind in ("S", "BOOL"):
        return value
    raise TypeError(f"an order holds no DynamoDB {kind} attribute")
