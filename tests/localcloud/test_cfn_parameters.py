"""Parameter constraints are checked at CreateStack/UpdateStack/CreateChangeSet, before anything changes."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from templates import REGION, body, events, outputs, params, status

from localcloud.extensions import install

TEMPLATE = "parameter_constraints.yaml"
GOOD = {"Env": "dev", "Prefix": "shop", "ZoneId": "Z1UJRXOUMOOFQ8"}

# (override, CloudFormation's ValidationError message)
BROKEN = [
    ({"Env": "staging"}, "Parameter 'Env' must be one of AllowedValues"),
    ({"Prefix": "Shop"}, "Parameter 'Prefix' must match pattern ^[a-z][a-z0-9-]*$"),
    ({"Prefix": "ab"}, "Parameter 'Prefix' must contain at least 3 characters"),
    ({"Prefix": "abcdefghijklm"}, "Parameter 'Prefix' must contain at most 12 characters"),
    ({"Port": "80"}, "Parameter 'Port' must be a number not less than 1024"),
    ({"Port": "70000"}, "Parameter 'Port' must be a number not greater than 65535"),
    ({"Port": "eighty"}, "Parameter 'Port' must be a number"),
    ({"Weights": "1,heavy"}, "Parameter 'Weights' must be a number"),
    (
        {"ZoneId": "abc123"},
        "Parameter ZoneId failed to satisfy constraint: must be a Route 53 hosted zone id",
    ),
    ({"Unknown": "x"}, "Parameters: [Unknown] do not exist in the template"),
]


@pytest.fixture
def cf() -> Iterator[Any]:
    install()
    with mock_aws():
        yield boto3.client("cloudformation", region_name=REGION)


def _refused(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationError"
    return str(error["Message"])


@pytest.mark.parametrize(("override", "message"), BROKEN)
def test_create_stack_refuses_a_broken_constraint_and_creates_nothing(
    cf: Any, override: dict[str, str], message: str
) -> None:
    assert (
        _refused(
            cf.create_stack,
            StackName="p",
            TemplateBody=body(TEMPLATE),
            Parameters=params(**{**GOOD, **override}),
        )
        == message
    )
    assert cf.list_stacks()["StackSummaries"] == []
    assert boto3.client("sqs", region_name=REGION).list_queues().get("QueueUrls", []) == []


def test_values_within_every_constraint_deploy(cf: Any) -> None:
    cf.create_stack(StackName="p", TemplateBody=body(TEMPLATE), Parameters=params(**GOOD, Port="1024"))
    assert status(cf, "p") == "CREATE_COMPLETE", events(cf, "p")
    assert outputs(cf, "p")["QueueName"] == "shop-dev"


def test_update_stack_refuses_before_touching_the_stack(cf: Any) -> None:
    cf.create_stack(StackName="p", TemplateBody=body(TEMPLATE), Parameters=params(**GOOD))
    before = events(cf, "p")

    message = _refused(
        cf.update_stack,
        StackName="p",
        TemplateBody=body(TEMPLATE),
        Parameters=params(**{**GOOD, "Env": "qa"}),
    )

    assert message == "Parameter 'Env' must be one of AllowedValues"
    assert events(cf, "p") == before and status(cf, "p") == "CREATE_COMPLETE"
    stack = cf.describe_stacks(StackName="p")["Stacks"][0]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}["Env"] == "dev"


def test_create_change_set_refuses_and_leaves_no_stack_behind(cf: Any) -> None:
    message = _refused(
        cf.create_change_set,
        StackName="p",
        ChangeSetName="first",
        ChangeSetType="CREATE",
        TemplateBody=body(TEMPLATE),
        Parameters=params(**{**GOOD, "Prefix": "UPPER"}),
    )

    assert message == "Parameter 'Prefix' must match pattern ^[a-z][a-z0-9-]*$"
    assert cf.list_stacks()["StackSummaries"] == []


def test_hosted_zone_ids_look_like_aws_and_pass_such_a_pattern(cf: Any) -> None:
    zone = boto3.client("route53", region_name=REGION).create_hosted_zone(
        Name="example.com", CallerReference="r"
    )
    zone_id = zone["HostedZone"]["Id"].split("/")[-1]

    cf.create_stack(
        StackName="p", TemplateBody=body(TEMPLATE), Parameters=params(**{**GOOD, "ZoneId": zone_id})
    )

    assert zone_id.startswith("Z") and zone_id.isalnum() and zone_id.isupper()
    assert status(cf, "p") == "CREATE_COMPLETE"
