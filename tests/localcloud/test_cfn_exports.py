"""Exports and Fn::ImportValue through change sets, as sam deploy uses them: a color finds the data tables."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from templates import REGION, outputs, status

from localcloud.extensions import install

DATA_STACK = Path(__file__).resolve().parents[2] / "stacks" / "data-stack.yaml"
IMPORTER = {
    "Parameters": {"DataStackName": {"Type": "String", "Default": "petstore-data"}},
    "Resources": {
        "Topic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": {"Fn::ImportValue": {"Fn::Sub": "${DataStackName}-OrdersTableName"}}},
        }
    },
    "Outputs": {"Arn": {"Value": {"Fn::ImportValue": {"Fn::Sub": "${DataStackName}-OrdersTableArn"}}}},
}


@pytest.fixture
def cf() -> Iterator[Any]:
    install()
    with mock_aws():
        yield boto3.client("cloudformation", region_name=REGION)


def deploy(cf: Any, stack: str, template: str) -> None:
    created = cf.create_change_set(
        StackName=stack, ChangeSetName="deploy", ChangeSetType="CREATE", TemplateBody=template
    )
    cf.execute_change_set(ChangeSetName=created["Id"])


def test_a_stack_imports_what_the_data_stack_exports(cf: Any) -> None:
    # GIVEN the data stack deployed through a change set
    deploy(cf, "petstore-data", DATA_STACK.read_text())
    data = outputs(cf, "petstore-data")
    exports = {export["Name"]: export["Value"] for export in cf.list_exports()["Exports"]}
    assert exports["petstore-data-OrdersTableName"] == data["OrdersTableName"]
    assert exports["petstore-data-IdempotencyTableArn"] == data["IdempotencyTableArn"]
    # WHEN another stack imports them by the data stack's name
    deploy(cf, "importer", json.dumps(IMPORTER))
    # THEN it resolves them to the data stack's tables
    assert status(cf, "importer") == "CREATE_COMPLETE"
    assert outputs(cf, "importer")["Arn"] == data["OrdersTableArn"]


def test_an_import_of_a_missing_export_fails_the_stack(cf: Any) -> None:
    # GIVEN no data stack WHEN a color imports its tables THEN the stack fails instead of half-working
    deploy(cf, "importer", json.dumps(IMPORTER))
    assert status(cf, "importer") == "ROLLBACK_COMPLETE"
