"""AWS::Lambda::Function from a template: inline code updates and LoggingConfig (one composed patch)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from localcloud import extensions

REGION = "us-east-1"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def _template(role: str, source: str, logging: dict[str, str]) -> str:
    function = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": "probe",
            "Runtime": "python3.13",
            "Handler": "index.handler",
            "Role": role,
            "Code": {"ZipFile": source},
            "LoggingConfig": logging,
        },
    }
    return json.dumps({"Resources": {"Probe": function}})


@pytest.fixture
def clients() -> Iterator[dict[str, Any]]:
    extensions.install()
    with mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(RoleName="probe", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
        yield {
            "role": role,
            "cf": boto3.client("cloudformation", region_name=REGION),
            "lambda": boto3.client("lambda", region_name=REGION),
        }


def test_an_inline_code_update_keeps_the_new_logging_config(clients: dict[str, Any]) -> None:
    # GIVEN a stack whose function has inline code and its own log group
    cf, lam = clients["cf"], clients["lambda"]
    cf.create_stack(
        StackName="fn",
        TemplateBody=_template(
            clients["role"],
            "def handler(e, c):\n    return 1\n",
            {"LogGroup": "/custom/v1", "LogFormat": "JSON"},
        ),
    )
    assert lam.get_function_configuration(FunctionName="probe")["LoggingConfig"]["LogGroup"] == "/custom/v1"

    # WHEN an update changes the inline source and the log group, and drops LogFormat
    cf.update_stack(
        StackName="fn",
        TemplateBody=_template(
            clients["role"], "def handler(e, c):\n    return 2\n", {"LogGroup": "/custom/v2"}
        ),
    )

    # THEN the update succeeds (moto decoded inline source as base64) and LoggingConfig is the template's
    # (a property the template no longer sets is back to Lambda's default, not merged from before)
    assert cf.describe_stacks(StackName="fn")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    config = lam.get_function_configuration(FunctionName="probe")["LoggingConfig"]
    assert (config["LogGroup"], config["LogFormat"]) == ("/custom/v2", "Text")
