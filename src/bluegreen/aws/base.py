"""What every service part of `Aws` shares: one session, clients made once, botocore's retries."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_acm import ACMClient
    from mypy_boto3_apigateway import APIGatewayClient
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_route53 import Route53Client
    from mypy_boto3_sts import STSClient

# botocore's standard retry mode: throttling, 5xx and connection errors are retried with jittered
# exponential backoff, up to this many attempts per call (and per page of a paginated read).
RETRY_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 6}, connect_timeout=10, read_timeout=60
)


def backoff(first: float, ceiling: float, quick_for: float = 0.0) -> Iterator[float]:
    """Poll delays: `first` until `quick_for` seconds have been waited, then doubling up to `ceiling`.
    Most local (and many AWS) operations settle within the first second, and a fixed short delay there
    notices it at most `first` late (doubling from the start could overshoot a 0.9 s update by 0.6 s);
    a long one is polled at `ceiling`, which keeps DescribeStacks far below its throttling rate."""
    delay = min(first, ceiling)
    waited = 0.0
    while waited + delay <= quick_for + 1e-9:
        yield delay
        waited += delay
    if waited:
        delay = min(delay * 2, ceiling)
    while True:
        yield delay
        delay = min(delay * 2, ceiling)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


FIRST_POLL = 0.1
QUICK_POLLS_FOR = 1.0  # seconds polled every FIRST_POLL before backing off


class Session(Protocol):
    """What `Aws` needs of a session: boto3.Session's `client` (tests pass boto3 sessions to moto)."""

    def client(self, service_name: str, *, config: Config) -> Any: ...


class BotocoreSession:
    """boto3.Session's `client` on a plain botocore session. The same clients, credentials and
    AWS_ENDPOINT_URL, without importing boto3 (and s3transfer, multiprocessing...) at every start."""

    def __init__(self, region_name: str | None = None) -> None:
        self._session = botocore.session.Session()
        self._region = region_name

    def client(self, service_name: str, *, config: Config) -> Any:
        return self._session.create_client(service_name, region_name=self._region, config=config)


class AwsBase:
    """Clients are created lazily from one session; the endpoint comes from AWS_ENDPOINT_URL."""

    def __init__(
        self,
        session: Session,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        poll_interval: float = 2.0,
        config: Config = RETRY_CONFIG,
    ) -> None:
        self._session = session
        # Clock and sleep drive our own polling (following a stack update), never botocore's retries:
        # the first poll comes after FIRST_POLL seconds, the delay doubles up to poll_interval.
        self.clock = clock
        self.sleep = sleep
        self.poll_interval = poll_interval
        self._config = config
        self._clients: dict[str, Any] = {}
        # Clients are thread-safe, a session is not: a switch makes clients from its background threads
        # (the flip's change set, the warm-up's metric read) while the main thread makes others.
        self._clients_lock = threading.Lock()

    def _client(self, name: str) -> Any:
        with self._clients_lock:
            if name not in self._clients:
                self._clients[name] = self._session.client(name, config=self._config)
            return self._clients[name]

    def pages(self, client: Any, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """A paginated read through botocore's paginator (each page retried by the retry mode)."""
        yield from client.get_paginator(operation).paginate(**kwargs)

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
