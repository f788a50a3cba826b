"""Change sets: created stacks get Outputs, parameters survive execution, no-change sets fail like AWS."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from templates import REGION, body, keep, outputs, params, status

from localcloud.extensions import install

NO_CHANGES = (
    "The submitted information didn't contain changes. Submit different information to create a change set."
)

TABLE_TEMPLATE = {
    "Parameters": {"Label": {"Type": "String"}, "Mode": {"Type": "String", "Default": "PAY_PER_REQUEST"}},
    "Resources": {
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": {"Ref": "Mode"},
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            },
        }
    },
    "Outputs": {"Label": {"Value": {"Ref": "Label"}}, "TableName": {"Value": {"Ref": "Table"}}},
}


@pytest.fixture
def cf() -> Iterator[Any]:
    install()
    with mock_aws():
        yield boto3.client("cloudformation", region_name=REGION)


def run(cf: Any, name: str, kind: str, **kwargs: Any) -> dict[str, Any]:
    created = cf.create_change_set(StackName="s", ChangeSetName=name, ChangeSetType=kind, **kwargs)
    described = dict(cf.describe_change_set(ChangeSetName=created["Id"]))
    if described["Status"] == "CREATE_COMPLETE":
        cf.execute_change_set(ChangeSetName=created["Id"])
    return described


def test_a_stack_created_by_a_change_set_has_its_outputs_and_parameters(cf: Any) -> None:
    described = run(
        cf, "create", "CREATE", TemplateBody=json.dumps(TABLE_TEMPLATE), Parameters=params(Label="one")
    )

    assert [
        (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"])
        for c in described["Changes"]
    ] == [("Add", "Table")]
    assert status(cf, "s") == "CREATE_COMPLETE"
    assert outputs(cf, "s")["Label"] == "one"
    assert (
        outputs(cf, "s")["TableName"]
        in boto3.client("dynamodb", region_name=REGION).list_tables()["TableNames"]
    )


def test_previous_template_and_values_survive_an_executed_change_set(cf: Any) -> None:
    run(cf, "create", "CREATE", TemplateBody=json.dumps(TABLE_TEMPLATE), Parameters=params(Label="one"))
    table = outputs(cf, "s")["TableName"]

    run(cf, "label-two", "UPDATE", UsePreviousTemplate=True, Parameters=params(Label="two"))
    run(cf, "back-to-one", "UPDATE", UsePreviousTemplate=True, Parameters=params(Label="one"))

    stack = cf.describe_stacks(StackName="s")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {
        "Label": "one",
        "Mode": "PAY_PER_REQUEST",
    }
    assert outputs(cf, "s") == {"Label": "one", "TableName": table}  # the table was never replaced


def test_a_change_set_without_changes_fails_with_aws_wording_and_cannot_run(cf: Any) -> None:
    run(cf, "create", "CREATE", TemplateBody=json.dumps(TABLE_TEMPLATE), Parameters=params(Label="one"))

    created = cf.create_change_set(
        StackName="s",
        ChangeSetName="same",
        ChangeSetType="UPDATE",
        UsePreviousTemplate=True,
        Parameters=keep("Label", "Mode"),
    )
    described = cf.describe_change_set(ChangeSetName=created["Id"])

    assert (described["Status"], described["ExecutionStatus"]) == ("FAILED", "UNAVAILABLE")
    assert described["StatusReason"] == NO_CHANGES
    with pytest.raises(ClientError) as raised:
        cf.execute_change_set(ChangeSetName=created["Id"])
    assert raised.value.response["Error"]["Code"] == "InvalidChangeSetStatus"


def test_update_stack_without_changes_raises_no_updates(cf: Any) -> None:
    cf.create_stack(StackName="s", TemplateBody=json.dumps(TABLE_TEMPLATE), Parameters=params(Label="one"))

    with pytest.raises(ClientError) as raised:
        cf.update_stack(
            StackName="s", TemplateBody=json.dumps(TABLE_TEMPLATE), Parameters=params(Label="one")
        )

    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert raised.value.response["Error"]["Message"] == "No updates are to be performed."


def test_changes_list_adds_modifies_and_removes_with_replacement(cf: Any) -> None:
    run(cf, "create", "CREATE", TemplateBody=body("sam_api.yaml"), Capabilities=["CAPABILITY_IAM"])
    template = body("sam_api.yaml").replace("Runtime: python3.13", "Runtime: python3.13\n      Timeout: 9")
    template = template.replace("  Fn:\n", "  Extra:\n    Type: AWS::SQS::Queue\n  Fn:\n")

    described = run(
        cf,
        "more",
        "UPDATE",
        TemplateBody=template,
        Capabilities=["CAPABILITY_IAM"],
        Parameters=keep("StageName", "Greeting"),
    )

    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}
    assert changes["Extra"]["Action"] == "Add"
    assert (changes["Fn"]["Action"], changes["Fn"]["Replacement"]) == ("Modify", "False")
    assert changes["Fn"]["PhysicalResourceId"]
    assert status(cf, "s") == "UPDATE_COMPLETE"
    function = outputs(cf, "s")["FunctionArn"]
    assert (
        boto3.client("lambda", region_name=REGION).get_function(FunctionName=function)["Configuration"][
            "Timeout"
        ]
        == 9
    )


def test_missing_parameter_values_are_refused(cf: Any) -> None:
    with pytest.raises(ClientError) as raised:
        cf.create_change_set(
            StackName="s", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=json.dumps(TABLE_TEMPLATE)
        )

    assert raised.value.response["Error"]["Message"] == "Parameters: [Label] must have values"
    assert cf.list_stacks()["StackSummaries"] == []


def test_resources_whose_condition_is_false_are_not_in_the_changes(cf: Any) -> None:
    template = json.loads(json.dumps(TABLE_TEMPLATE))
    template["Conditions"] = {"WantsQueue": {"Fn::Equals": [{"Ref": "Label"}, "queue"]}}
    template["Resources"]["Queue"] = {"Type": "AWS::SQS::Queue", "Condition": "WantsQueue"}

    described = run(cf, "create", "CREATE", TemplateBody=json.dumps(template), Parameters=params(Label="one"))
    grown = run(cf, "grow", "UPDATE", UsePreviousTemplate=True, Parameters=params(Label="queue"))

    assert [c["ResourceChange"]["LogicalResourceId"] for c in described["Changes"]] == ["Table"]
    assert [
        (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in grown["Changes"]
    ] == [("Add", "Queue")]
    assert len(boto3.client("sqs", region_name=REGION).list_queues()["QueueUrls"]) == 1
