"""DynamoDB as plain dicts: conditional writes and newest-first queries for the lock and history."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

from botocore.exceptions import ClientError

from bluegreen.aws.base import AwsBase, error_code

Item = dict[str, Any]


def _decimals(value: Any) -> Any:
    """DynamoDB numbers must be Decimal; floats are converted through str to keep their digits."""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_decimals(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """Decimal back to int or float so callers see ordinary numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _attribute(value: Any) -> dict[str, Any]:
    """One value in DynamoDB's typed JSON (what boto3's TypeSerializer writes, for the types we store)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, Mapping):
        return {"M": {str(key): _attribute(item) for key, item in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [_attribute(item) for item in value]}
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB")


def _value(attribute: Mapping[str, Any]) -> Any:
    [(kind, value)] = attribute.items()
    if kind == "NULL":
        return None
    if kind in ("S", "BOOL", "B"):
        return value
    if kind == "N":
        return Decimal(value)
    if kind == "M":
        return {key: _value(item) for key, item in value.items()}
    if kind == "L":
        return [_value(item) for item in value]
    if kind == "SS" or kind == "BS":
        return set(value)
    if kind == "NS":
        return {Decimal(number) for number in value}
    raise TypeError(f"unknown DynamoDB type {kind}")


def to_ddb(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _attribute(_decimals(value)) for key, value in values.items()}


def from_ddb(item: Mapping[str, Any]) -> Item:
    return {key: _plain(_value(value)) for key, value in item.items()}


class DynamoDbApi(AwsBase):
    def put_item_if(
        self,
        table: str,
        item: Mapping[str, Any],
        condition: str,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> bool:
        """Conditional put; False when the condition did not hold."""
        kwargs: dict[str, Any] = {"TableName": table, "Item": to_ddb(item), "ConditionExpression": condition}
        if names:
            kwargs["ExpressionAttributeNames"] = dict(names)
        if values:
            kwargs["ExpressionAttributeValues"] = to_ddb(values)
        return self._conditional(self.dynamodb.put_item, kwargs)

    def update_item_if(
        self,
        table: str,
        key: Mapping[str, Any],
        update: str,
        condition: str,
        names: Mapping[str, str],
        values: Mapping[str, Any],
    ) -> bool:
        kwargs: dict[str, Any] = {
            "TableName": table,
            "Key": to_ddb(key),
            "UpdateExpression": update,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": dict(names),
            "ExpressionAttributeValues": to_ddb(values),
        }
        return self._conditional(self.dynamodb.update_item, kwargs)

    def delete_item_if(
        self,
        table: str,
        key: Mapping[str, Any],
        condition: str,
        names: Mapping[str, str],
        values: Mapping[str, Any],
    ) -> bool:
        kwargs: dict[str, Any] = {
            "TableName": table,
            "Key": to_ddb(key),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": dict(names),
            "ExpressionAttributeValues": to_ddb(values),
        }
        return self._conditional(self.dynamodb.delete_item, kwargs)

    @staticmethod
    def _conditional(fn: Callable[..., Any], kwargs: dict[str, Any]) -> bool:
        try:
            fn(**kwargs)
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get_item(self, table: str, key: Mapping[str, Any]) -> Item | None:
        response = self.dynamodb.get_item(TableName=table, Key=to_ddb(key), ConsistentRead=True)
        item = response.get("Item")
        return from_ddb(item) if item else None

    def query_newest_first(
        self,
        table: str,
        pk: str,
        limit: int | None = None,
        *,
        equals: Mapping[str, str] | None = None,
        attributes: Sequence[str] | None = None,
    ) -> list[Item]:
        """Items under partition `pk`, highest sort key first (our sort keys start with an ISO time): the
        newest `limit` of them, or of those only the ones whose string attributes have the `equals` values;
        only `attributes` of each when given.

        DynamoDB reads no more than `limit` items (a page stops at 1 MB, so the next one continues), and a
        filter or a projection leaves the rest on the server: the history grows, what a switch reads does
        not."""
        request: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        names: dict[str, str] = {}
        if equals:
            names |= {f"#f{n}": name for n, name in enumerate(equals)}
            request["FilterExpression"] = " AND ".join(f"#f{n} = :f{n}" for n in range(len(equals)))
            request["ExpressionAttributeValues"] |= {
                f":f{n}": {"S": value} for n, value in enumerate(equals.values())
            }
        if attributes:
            names |= {f"#p{n}": name for n, name in enumerate(attributes)}
            request["ProjectionExpression"] = ", ".join(f"#p{n}" for n in range(len(attributes)))
        if names:
            request["ExpressionAttributeNames"] = names
        items: list[Item] = []
        read = 0
        while True:
            if limit is not None:
                request["Limit"] = limit - read
            page = self.dynamodb.query(**request)
            read += int(page.get("ScannedCount", len(page.get("Items", []))))
            items += [from_ddb(raw) for raw in page.get("Items", [])]
            last = page.get("LastEvaluatedKey")
            if not last or (limit is not None and read >= limit):
                return items[:limit] if limit is not None else items
            request["ExclusiveStartKey"] = last
