"""The one typed wrapper around boto3: every AWS call the tool makes goes through `Aws`.

Throttling is retried here with exponential backoff; clock and sleep are injected so tests need no real time.
The endpoint comes from boto3's standard configuration (AWS_ENDPOINT_URL), never from this code.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError

from bluegreen.errors import ConfigError, OperationFailed

if TYPE_CHECKING:
    from mypy_boto3_acm import ACMClient
    from mypy_boto3_apigateway import APIGatewayClient
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.type_defs import ParameterTypeDef
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_route53 import Route53Client
    from mypy_boto3_sts import STSClient

T = TypeVar("T")

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "RequestThrottled",
        "PriorRequestNotComplete",
    }
)
SETTLED_SUFFIXES = ("_COMPLETE", "_FAILED")
IN_PROGRESS_SUFFIX = "_IN_PROGRESS"

Item = dict[str, Any]


@dataclass(frozen=True)
class StackInfo:
    name: str
    stack_id: str
    status: str
    status_reason: str
    outputs: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StackEvent:
    event_id: str
    timestamp: str
    logical_id: str
    resource_type: str
    status: str
    reason: str


@dataclass(frozen=True)
class ResourceChange:
    action: str
    logical_id: str
    resource_type: str
    replacement: str
    details: tuple[str, ...]


@dataclass(frozen=True)
class ChangeSetInfo:
    change_set_id: str
    status: str
    reason: str
    changes: tuple[ResourceChange, ...]

    @property
    def is_empty(self) -> bool:
        """True when CloudFormation refused the change set because nothing would change."""
        text = self.reason.lower()
        return self.status == "FAILED" and ("didn't contain changes" in text or "no updates" in text)


@dataclass(frozen=True)
class BasePathMapping:
    base_path: str
    rest_api_id: str
    stage: str


def _decimals(value: Any) -> Any:
    """DynamoDB numbers must be Decimal; floats are converted through str to keep their digits."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
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


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class Aws:
    """Clients are created lazily from one boto3 session; methods return plain, typed values."""

    def __init__(
        self,
        session: boto3.Session,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 6,
        base_delay: float = 0.5,
        poll_interval: float = 2.0,
    ) -> None:
        self._session = session
        self.clock = clock
        self.sleep = sleep
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self.poll_interval = poll_interval
        # Our own retry loop handles throttling with the injected sleep; botocore would sleep for real.
        self._config = Config(retries={"total_max_attempts": 1, "mode": "standard"})
        self._clients: dict[str, Any] = {}
        self._serializer = TypeSerializer()
        self._deserializer = TypeDeserializer()

    def _client(self, name: str) -> Any:
        if name not in self._clients:
            self._clients[name] = self._session.client(name, config=self._config)  # type: ignore[call-overload]
        return self._clients[name]

    @property
    def cloudformation(self) -> CloudFormationClient:
        client: CloudFormationClient = self._client("cloudformation")
        return client

    @property
    def apigateway(self) -> APIGatewayClient:
        client: APIGatewayClient = self._client("apigateway")
        return client

    @property
    def cloudwatch(self) -> CloudWatchClient:
        client: CloudWatchClient = self._client("cloudwatch")
        return client

    @property
    def dynamodb(self) -> DynamoDBClient:
        client: DynamoDBClient = self._client("dynamodb")
        return client

    @property
    def sts(self) -> STSClient:
        client: STSClient = self._client("sts")
        return client

    @property
    def route53(self) -> Route53Client:
        client: Route53Client = self._client("route53")
        return client

    @property
    def acm(self) -> ACMClient:
        client: ACMClient = self._client("acm")
        return client

    def call(self, fn: Callable[..., T], **kwargs: Any) -> T:
        """Calls `fn(**kwargs)`, retrying throttling errors with exponential backoff."""
        for attempt in range(1, self._max_attempts + 1):
            try:
                return fn(**kwargs)
            except ClientError as exc:
                if error_code(exc) not in THROTTLING_CODES or attempt == self._max_attempts:
                    raise
                self.sleep(self._base_delay * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def pages(
        self,
        fn: Callable[..., Any],
        token_in: str = "NextToken",
        token_out: str = "NextToken",
        **kwargs: Any,
    ) -> Iterator[dict[str, Any]]:
        """A paginated read, page by page, each page retried on throttling (botocore's paginators cannot
        retry a page with our injected sleep, and a throttled read is safe to repeat)."""
        while True:
            page: dict[str, Any] = self.call(fn, **kwargs)
            yield page
            token = page.get(token_out)
            if not token:
                return
            kwargs = {**kwargs, token_in: token}

    # --- STS -------------------------------------------------------------------------------------------

    def caller_arn(self) -> str:
        return self.call(self.sts.get_caller_identity)["Arn"]

    # --- CloudFormation --------------------------------------------------------------------------------

    def describe_stack(self, stack_name: str) -> StackInfo | None:
        """The stack as it is now, or None when it does not exist."""
        try:
            stacks = self.call(self.cloudformation.describe_stacks, StackName=stack_name)["Stacks"]
        except ClientError as exc:
            if error_code(exc) == "ValidationError" and "does not exist" in str(exc):
                return None
            raise
        if not stacks:
            return None
        stack = stacks[0]
        return StackInfo(
            name=stack["StackName"],
            stack_id=stack.get("StackId", ""),
            status=stack["StackStatus"],
            status_reason=stack.get("StackStatusReason", ""),
            outputs={o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs", [])},
            parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])},
        )

    def require_stack(self, stack_name: str) -> StackInfo:
        stack = self.describe_stack(stack_name)
        if stack is None:
            raise ConfigError(f"stack {stack_name} does not exist (deploy it first)")
        return stack

    def create_update_change_set(
        self,
        stack_name: str,
        change_set_name: str,
        parameters: Sequence[ParameterTypeDef],
        capabilities: Sequence[str],
        description: str,
    ) -> str:
        """An UPDATE change set on the stack's current template; returns its id."""
        response = self.call(
            self.cloudformation.create_change_set,
            StackName=stack_name,
            ChangeSetName=change_set_name,
            ChangeSetType="UPDATE",
            UsePreviousTemplate=True,
            Parameters=list(parameters),
            Capabilities=list(capabilities),
            Description=description,
        )
        return response["Id"]

    def wait_change_set(self, stack_name: str, change_set_id: str, timeout: float = 300.0) -> ChangeSetInfo:
        """Waits for the change set to be created (or fail) and returns it with its changes."""
        waiter = self.cloudformation.get_waiter("change_set_create_complete")
        delay = max(1, int(self.poll_interval))
        # A FAILED change set (for example "no changes") is described below, not raised.
        with contextlib.suppress(WaiterError):
            waiter.wait(
                StackName=stack_name,
                ChangeSetName=change_set_id,
                WaiterConfig={"Delay": delay, "MaxAttempts": max(1, int(timeout / delay))},
            )
        return self.describe_change_set(stack_name, change_set_id)

    def describe_change_set(self, stack_name: str, change_set_id: str) -> ChangeSetInfo:
        changes: list[ResourceChange] = []
        status, reason = "", ""
        pages = self.pages(
            self.cloudformation.describe_change_set, StackName=stack_name, ChangeSetName=change_set_id
        )
        for page in pages:
            status = page.get("Status", "")
            reason = page.get("StatusReason", "")
            for change in page.get("Changes", []):
                rc = change.get("ResourceChange", {})
                details = tuple(
                    d.get("Target", {}).get("Name", "") or d.get("Target", {}).get("Attribute", "")
                    for d in rc.get("Details", [])
                )
                changes.append(
                    ResourceChange(
                        action=rc.get("Action", ""),
                        logical_id=rc.get("LogicalResourceId", ""),
                        resource_type=rc.get("ResourceType", ""),
                        replacement=rc.get("Replacement", ""),
                        details=tuple(d for d in details if d),
                    )
                )
        return ChangeSetInfo(
            change_set_id=change_set_id, status=status, reason=reason, changes=tuple(changes)
        )

    def execute_change_set(self, stack_name: str, change_set_id: str) -> None:
        self.call(self.cloudformation.execute_change_set, StackName=stack_name, ChangeSetName=change_set_id)

    def delete_change_set(self, stack_name: str, change_set_id: str) -> None:
        self.call(self.cloudformation.delete_change_set, StackName=stack_name, ChangeSetName=change_set_id)

    def stack_events(self, stack_name: str) -> Iterator[StackEvent]:
        """Events newest first; callers stop iterating once they reach one they have seen."""
        for page in self.pages(self.cloudformation.describe_stack_events, StackName=stack_name):
            for event in page.get("StackEvents", []):
                yield StackEvent(
                    event_id=event["EventId"],
                    timestamp=event["Timestamp"].isoformat() if "Timestamp" in event else "",
                    logical_id=event.get("LogicalResourceId", ""),
                    resource_type=event.get("ResourceType", ""),
                    status=event.get("ResourceStatus", ""),
                    reason=event.get("ResourceStatusReason", ""),
                )

    def latest_event_id(self, stack_name: str) -> str | None:
        return next((event.event_id for event in self.stack_events(stack_name)), None)

    def follow_stack(
        self,
        stack_name: str,
        on_event: Callable[[StackEvent], None],
        since_event_id: str | None,
        timeout: float,
    ) -> StackInfo:
        """Polls until the stack settles, reporting new events in order; returns the settled stack."""
        deadline = self.clock() + timeout
        last_seen = since_event_id
        while True:
            fresh: list[StackEvent] = []
            for event in self.stack_events(stack_name):
                if event.event_id == last_seen:
                    break
                fresh.append(event)
            for event in reversed(fresh):
                on_event(event)
            if fresh:
                last_seen = fresh[0].event_id
            stack = self.require_stack(stack_name)
            if not stack.status.endswith(IN_PROGRESS_SUFFIX):
                return stack
            if self.clock() >= deadline:
                raise OperationFailed(f"stack {stack_name} still {stack.status} after {timeout:.0f}s")
            self.sleep(self.poll_interval)

    def delete_stack(self, stack_name: str, timeout: float = 1800.0) -> None:
        self.call(self.cloudformation.delete_stack, StackName=stack_name)
        delay = max(1, int(self.poll_interval))
        try:
            self.cloudformation.get_waiter("stack_delete_complete").wait(
                StackName=stack_name,
                WaiterConfig={"Delay": delay, "MaxAttempts": max(1, int(timeout / delay))},
            )
        except WaiterError as exc:
            raise OperationFailed(f"deleting stack {stack_name} failed: {exc}") from None

    # --- API Gateway -----------------------------------------------------------------------------------

    def base_path_mappings(self, domain_name: str) -> list[BasePathMapping]:
        mappings: list[BasePathMapping] = []
        pages = self.pages(
            self.apigateway.get_base_path_mappings, "position", "position", domainName=domain_name
        )
        for page in pages:
            for item in page.get("items", []):
                mappings.append(
                    BasePathMapping(
                        base_path=item.get("basePath", ""),
                        rest_api_id=item.get("restApiId", ""),
                        stage=item.get("stage", ""),
                    )
                )
        return mappings

    # --- CloudWatch ------------------------------------------------------------------------------------

    def alarm_states(self, alarm_names: Sequence[str]) -> dict[str, str]:
        """State per alarm name; a name CloudWatch does not know is reported as MISSING."""
        states = dict.fromkeys(alarm_names, "MISSING")
        names = list(alarm_names)
        for start in range(0, len(names), 100):  # AlarmNames accepts at most 100 names per call
            for page in self.pages(self.cloudwatch.describe_alarms, AlarmNames=names[start : start + 100]):
                for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
                    states[alarm["AlarmName"]] = alarm.get("StateValue", "INSUFFICIENT_DATA")
        return states

    # --- Route 53 and ACM ------------------------------------------------------------------------------

    def public_hosted_zone_for(self, domain_name: str) -> str | None:
        """The id of the closest public hosted zone enclosing the domain's parent (api.x.com -> x.com)."""
        labels = domain_name.rstrip(".").split(".")
        for start in range(1, len(labels) - 1):
            zone_name = ".".join(labels[start:]) + "."
            response = self.call(self.route53.list_hosted_zones_by_name, DNSName=zone_name, MaxItems="10")
            for zone in response.get("HostedZones", []):
                private = zone.get("Config", {}).get("PrivateZone", False)
                if zone["Name"] == zone_name and not private:
                    return zone["Id"].rsplit("/", 1)[-1]
        return None

    def issued_certificate_for(self, domain_name: str) -> str | None:
        """An ISSUED ACM certificate covering the domain, preferring an exact name over a wildcard."""
        wildcard = "*." + domain_name.split(".", 1)[-1]
        exact: str | None = None
        covering: str | None = None
        for page in self.pages(self.acm.list_certificates, CertificateStatuses=["ISSUED"]):
            for cert in page.get("CertificateSummaryList", []):
                names = {cert.get("DomainName", ""), *cert.get("SubjectAlternativeNameSummaries", [])}
                if domain_name in names and exact is None:
                    exact = cert["CertificateArn"]
                elif wildcard in names and covering is None:
                    covering = cert["CertificateArn"]
        return exact or covering

    # --- DynamoDB (plain-dict items) -------------------------------------------------------------------

    def _to_ddb(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {key: self._serializer.serialize(_decimals(value)) for key, value in values.items()}

    def _from_ddb(self, item: Mapping[str, Any]) -> Item:
        return {key: _plain(self._deserializer.deserialize(value)) for key, value in item.items()}

    def put_item_if(
        self,
        table: str,
        item: Mapping[str, Any],
        condition: str,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> bool:
        """Conditional put; False when the condition did not hold."""
        kwargs: dict[str, Any] = {
            "TableName": table,
            "Item": self._to_ddb(item),
            "ConditionExpression": condition,
        }
        if names:
            kwargs["ExpressionAttributeNames"] = dict(names)
        if values:
            kwargs["ExpressionAttributeValues"] = self._to_ddb(values)
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
            "Key": self._to_ddb(key),
            "UpdateExpression": update,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": dict(names),
            "ExpressionAttributeValues": self._to_ddb(values),
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
            "Key": self._to_ddb(key),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": dict(names),
            "ExpressionAttributeValues": self._to_ddb(values),
        }
        return self._conditional(self.dynamodb.delete_item, kwargs)

    def _conditional(self, fn: Callable[..., Any], kwargs: dict[str, Any]) -> bool:
        try:
            self.call(fn, **kwargs)
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get_item(self, table: str, key: Mapping[str, Any]) -> Item | None:
        response = self.call(
            self.dynamodb.get_item, TableName=table, Key=self._to_ddb(key), ConsistentRead=True
        )
        item = response.get("Item")
        return self._from_ddb(item) if item else None

    def query_newest_first(self, table: str, pk: str, limit: int | None = None) -> list[Item]:
        """Items under partition `pk`, highest sort key first (our sort keys start with an ISO time)."""
        kwargs: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        items: list[Item] = []
        for page in self.pages(self.dynamodb.query, "ExclusiveStartKey", "LastEvaluatedKey", **kwargs):
            for raw in page.get("Items", []):
                items.append(self._from_ddb(raw))
                if limit is not None and len(items) >= limit:
                    return items
        return items
