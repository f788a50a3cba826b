"""Exports and Fn::ImportValue through change sets, as sam deploy uses them: a color finds the data tables."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from templates import REGION, events, outputs, status

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


# --- an export in use cannot go ------------------------------------------------------------------

EXPORTER = """
Parameters:
  Value: {Type: String, Default: one}
  Exported: {Type: String, Default: "yes", AllowedValues: ["yes", "no"]}
Conditions:
  Exporting: !Equals [!Ref Exported, "yes"]
Resources:
  Topic: {Type: AWS::SNS::Topic}
Outputs:
  Shared:
    Condition: Exporting
    Value: !Ref Value
    Export: {Name: !Sub "${AWS::StackName}-Shared"}
"""

USER = """
Parameters:
  Importing: {Type: String, Default: "yes"}
Conditions:
  Imports: !Equals [!Ref Importing, "yes"]
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !If [Imports, !ImportValue exporter-Shared, plain]
"""


def _update(cf: Any, stack: str, template: str, **values: str) -> None:
    cf.update_stack(
        StackName=stack,
        TemplateBody=template,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
    )


def _stack(cf: Any, name: str) -> dict[str, Any]:
    return dict(cf.describe_stacks(StackName=name)["Stacks"][0])


def test_the_data_stack_cannot_be_deleted_while_a_color_imports_its_tables(cf: Any) -> None:
    # GIVEN the data stack and a color importing its tables, both deployed as sam deploy does
    deploy(cf, "petstore-data", DATA_STACK.read_text())
    deploy(cf, "blue", json.dumps(IMPORTER))
    tables = boto3.client("dynamodb", region_name=REGION).list_tables()["TableNames"]
    # WHEN the data stack is deleted
    cf.delete_stack(StackName="petstore-data")  # AWS accepts the call
    # THEN nothing changed: the stack keeps its status, says why, and its tables and exports stay
    data = _stack(cf, "petstore-data")
    assert data["StackStatus"] == "CREATE_COMPLETE"
    assert data["StackStatusReason"].startswith("Export petstore-data-") and data[
        "StackStatusReason"
    ].endswith(" cannot be deleted as it is in use by blue")
    last = cf.describe_stack_events(StackName="petstore-data")["StackEvents"][0]
    assert (last["ResourceStatus"], last["ResourceStatusReason"]) == (
        "CREATE_COMPLETE",
        data["StackStatusReason"],
    )
    assert boto3.client("dynamodb", region_name=REGION).list_tables()["TableNames"] == tables
    assert cf.list_imports(ExportName="petstore-data-OrdersTableArn")["Imports"] == ["blue"]
    # WHEN the color goes first THEN the data stack can be deleted
    cf.delete_stack(StackName="blue")
    cf.delete_stack(StackName="petstore-data")
    assert not [s for s in cf.describe_stacks()["Stacks"] if s["StackName"] == "petstore-data"]
    assert cf.list_exports()["Exports"] == []


def test_an_update_cannot_remove_or_change_an_export_in_use(cf: Any) -> None:
    # GIVEN an export imported by another stack
    cf.create_stack(StackName="exporter", TemplateBody=EXPORTER)
    cf.create_stack(StackName="user", TemplateBody=USER)
    assert status(cf, "user") == "CREATE_COMPLETE"
    # WHEN an update changes its value THEN the update rolls back naming the export and its user
    _update(cf, "exporter", EXPORTER, Value="two")
    assert status(cf, "exporter") == "UPDATE_ROLLBACK_COMPLETE"
    rollback = [e for e in events(cf, "exporter") if e["ResourceStatus"] == "UPDATE_ROLLBACK_IN_PROGRESS"]
    assert (
        rollback[-1]["ResourceStatusReason"]
        == "Cannot update export exporter-Shared as it is in use by user."
    )
    # WHEN an update removes it THEN the same, and the export keeps its value
    _update(cf, "exporter", EXPORTER, Exported="no")
    assert status(cf, "exporter") == "UPDATE_ROLLBACK_COMPLETE"
    rollback = [e for e in events(cf, "exporter") if e["ResourceStatus"] == "UPDATE_ROLLBACK_IN_PROGRESS"]
    assert (
        rollback[-1]["ResourceStatusReason"]
        == "Cannot delete export exporter-Shared as it is in use by user."
    )
    assert {e["Name"]: e["Value"] for e in cf.list_exports()["Exports"]} == {"exporter-Shared": "one"}


def test_a_stack_that_stops_importing_releases_the_export(cf: Any) -> None:
    # GIVEN an export imported by another stack
    cf.create_stack(StackName="exporter", TemplateBody=EXPORTER)
    cf.create_stack(StackName="user", TemplateBody=USER)
    # WHEN the importer is updated to stop importing
    _update(cf, "user", USER, Importing="no")
    assert status(cf, "user") == "UPDATE_COMPLETE"
    # THEN nobody imports it, it can change, and its stack can be deleted
    with pytest.raises(cf.exceptions.ClientError, match="is not imported by any stack"):
        cf.list_imports(ExportName="exporter-Shared")
    _update(cf, "exporter", EXPORTER, Value="two")
    assert status(cf, "exporter") == "UPDATE_COMPLETE"
    assert {e["Name"]: e["Value"] for e in cf.list_exports()["Exports"]} == {"exporter-Shared": "two"}
    cf.delete_stack(StackName="exporter")
    assert [s["StackName"] for s in cf.describe_stacks()["Stacks"]] == ["user"]


def test_a_failed_importer_holds_nothing(cf: Any) -> None:
    # GIVEN an importer whose create fails after the import resolved (an unsupported resource type)
    cf.create_stack(StackName="exporter", TemplateBody=EXPORTER)
    failing = USER + "  Broken: {Type: AWS::Nope::Thing, DependsOn: Topic}\n"
    cf.create_stack(StackName="user", TemplateBody=failing)
    assert status(cf, "user") == "ROLLBACK_COMPLETE"
    # WHEN the exporter is deleted THEN it goes: a rolled-back stack imports nothing
    cf.delete_stack(StackName="exporter")
    assert "exporter" not in [s["StackName"] for s in cf.describe_stacks()["Stacks"]]
