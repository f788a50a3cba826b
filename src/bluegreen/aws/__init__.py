"""The one typed wrapper around boto3: every AWS call the tool makes goes through `Aws`.

`Aws` is assembled from one part per service (cloudformation, gateway, alarms, items, discovery) sharing
one session and one botocore config: the standard retry mode retries throttling, 5xx and connection errors
with backoff. Clock and sleep are injected for the tool's own polling, so tests need no real time. The
endpoint comes from boto3's standard configuration (AWS_ENDPOINT_URL), never from this code.
"""

from __future__ import annotations

from bluegreen.aws.alarms import CloudWatchApi
from bluegreen.aws.base import RETRY_CONFIG, error_code
from bluegreen.aws.cloudformation import (
    IN_PROGRESS_SUFFIX,
    SETTLED_SUFFIXES,
    ChangeSetInfo,
    ChangeSetSummary,
    CloudFormationApi,
    ResourceChange,
    StackEvent,
    StackInfo,
)
from bluegreen.aws.discovery import DiscoveryApi
from bluegreen.aws.gateway import ApiGatewayApi, BasePathMapping
from bluegreen.aws.items import DynamoDbApi, Item


class Aws(CloudFormationApi, ApiGatewayApi, CloudWatchApi, DynamoDbApi, DiscoveryApi):
    """The one boundary: plain, typed values in and out; each service's calls live in its own module."""


__all__ = [
    "IN_PROGRESS_SUFFIX",
    "RETRY_CONFIG",
    "SETTLED_SUFFIXES",
    "Aws",
    "BasePathMapping",
    "ChangeSetInfo",
    "ChangeSetSummary",
    "Item",
    "ResourceChange",
    "StackEvent",
    "StackInfo",
    "error_code",
]
