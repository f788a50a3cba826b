"""Shared fixtures: no real AWS, no sockets, no real time."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from bluegreen.aws import Aws
from localcloud.extensions import dynamodb_atomic_writes
from tests.unit.bluegreen.fakes import FakeClock


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, a fixed region, and none of the operator's own settings leaking in."""
    for name in (
        "AWS_ENDPOINT_URL",
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "BLUEGREEN_CONNECT_TO",
        "BLUEGREEN_CA_BUNDLE",
        "BLUEGREEN_CONFIG_ENV",
        "BLUEGREEN_PROJECT_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture(autouse=True)
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests never open a network connection: fail loudly if one tries."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"unit test tried to open a socket: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def moto() -> Iterator[None]:
    # DynamoDB checks a condition and writes in one step; plain moto does not, and lock tests race threads.
    dynamodb_atomic_writes.install()
    with mock_aws():
        yield


@pytest.fixture
def aws(moto: None, clock: FakeClock) -> Aws:
    return Aws(boto3.Session(region_name="us-east-1"), clock=clock, sleep=clock.sleep)


@pytest.fixture
def table(aws: Aws) -> str:
    """The data stack's SwitchTable: string keys pk/sk, on-demand."""
    aws.dynamodb.create_table(
        TableName="petstore-switch",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )
    return "petstore-switch"
