"""Stack lifecycle: dependency order, events sam deploy can stream, rollbacks, deletes that clean up."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from templates import REGION, SAM_CAPABILITIES, deploy_color, events, params, status

from localcloud.extensions import install

ORDERED = {
    "Resources": {
        "Last": {"Type": "AWS::SQS::Queue", "DependsOn": ["Middle"]},
        "Middle": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"DisplayName": {"Fn::GetAtt": ["First", "Arn"]}},
        },
        "First": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": {"Fn::Sub": "${AWS::StackName}-first"}},
        },
    }
}


@pytest.fixture
def cf() -> Iterator[Any]:
    install()
    with mock_aws():
        yield boto3.client("cloudformation", region_name=REGION)


def _completed(cf: Any, stack: str, state: str) -> list[str]:
    return [
        e["LogicalResourceId"]
        for e in events(cf, stack)
        if e["ResourceStatus"] == state and e["ResourceType"] != "AWS::CloudFormation::Stack"
    ]


def test_resources_are_created_after_what_they_reference_and_deleted_before(cf: Any) -> None:
    cf.create_stack(StackName="s", TemplateBody=json.dumps(ORDERED))
    stack_id = cf.describe_stacks(StackName="s")["Stacks"][0]["StackId"]

    cf.delete_stack(StackName="s")

    assert _completed(cf, stack_id, "CREATE_COMPLETE") == ["First", "Middle", "Last"]
    assert _completed(cf, stack_id, "DELETE_COMPLETE") == ["Last", "Middle", "First"]
    assert boto3.client("sqs", region_name=REGION).list_queues().get("QueueUrls", []) == []
    assert status(cf, stack_id) == "DELETE_COMPLETE"


def test_events_have_strictly_increasing_timestamps_and_end_with_the_stack_status(cf: Any) -> None:
    cf.create_stack(StackName="s", TemplateBody=json.dumps(ORDERED))

    stream = events(cf, "s")

    stamps = [e["Timestamp"] for e in stream]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert (stream[0]["ResourceStatus"], stream[0]["ResourceStatusReason"]) == (
        "CREATE_IN_PROGRESS",
        "User Initiated",
    )
    assert stream[-1]["LogicalResourceId"] == "s" and stream[-1]["ResourceStatus"] == "CREATE_COMPLETE"
    assert stream[-1]["PhysicalResourceId"] == stream[-1]["StackId"]  # how sam deploy spots the stack's own


def test_a_failed_create_rolls_back_what_it_created(cf: Any) -> None:
    broken = json.loads(json.dumps(ORDERED))
    broken["Resources"]["Middle"]["Properties"]["DisplayName"] = {"Fn::GetAtt": ["First", "NoSuchAttribute"]}

    cf.create_stack(StackName="s", TemplateBody=json.dumps(broken))

    assert status(cf, "s") == "ROLLBACK_COMPLETE"
    assert _completed(cf, "s", "CREATE_FAILED") == ["Middle"]
    assert _completed(cf, "s", "DELETE_COMPLETE") == ["First"]
    reasons = [
        e.get("ResourceStatusReason")
        for e in events(cf, "s")
        if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS"
    ]
    assert reasons == ["The following resource(s) failed to create: [Middle]. Rollback requested by user."]
    assert cf.describe_stacks(StackName="s")["Stacks"][0].get("Outputs") is None


def test_an_update_removes_dropped_resources_in_cleanup(cf: Any) -> None:
    cf.create_stack(StackName="s", TemplateBody=json.dumps(ORDERED))
    smaller = {"Resources": {"First": ORDERED["Resources"]["First"]}}

    cf.update_stack(StackName="s", TemplateBody=json.dumps(smaller))

    states = [e["ResourceStatus"] for e in events(cf, "s") if e["LogicalResourceId"] == "s"]
    assert states[-3:] == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"]
    assert _completed(cf, "s", "DELETE_COMPLETE") == ["Last", "Middle"]
    assert [
        r["LogicalResourceId"] for r in cf.list_stack_resources(StackName="s")["StackResourceSummaries"]
    ] == ["First"]


def test_deleting_a_color_removes_api_stage_function_alias_and_alarm(cf: Any) -> None:
    out = deploy_color(cf, "blue", Version="7")
    alias = boto3.client("lambda", region_name=REGION).get_alias(
        FunctionName=out["AliasArn"].rsplit(":", 1)[0], Name="live"
    )
    assert alias["FunctionVersion"] == "1"

    cf.delete_stack(StackName="blue")

    assert boto3.client("apigateway", region_name=REGION).get_rest_apis()["items"] == []
    assert boto3.client("lambda", region_name=REGION).list_functions()["Functions"] == []
    assert boto3.client("cloudwatch", region_name=REGION).describe_alarms()["MetricAlarms"] == []
    assert boto3.client("iam").list_roles()["Roles"] == []


def test_redeploying_a_color_with_new_code_keeps_its_api_id(cf: Any) -> None:
    out = deploy_color(cf, "blue")
    template = cf.get_template(StackName="blue")["TemplateBody"].replace('"ok"', '"ok, again"')

    cf.update_stack(
        StackName="blue",
        TemplateBody=template,
        Capabilities=SAM_CAPABILITIES,
        Parameters=params(StageName="live", Version="2"),
    )

    assert status(cf, "blue") == "UPDATE_COMPLETE"
    new_out = cf.describe_stacks(StackName="blue")["Stacks"][0]["Outputs"]
    assert {o["OutputKey"]: o["OutputValue"] for o in new_out}["ApiId"] == out["ApiId"]
    alias = boto3.client("lambda", region_name=REGION).get_alias(
        FunctionName=out["AliasArn"].rsplit(":", 1)[0], Name="live"
    )
    assert alias["FunctionVersion"] == "2"


def test_stack_resources_report_their_own_status(cf: Any) -> None:
    cf.create_stack(StackName="s", TemplateBody=json.dumps(ORDERED))
    smaller = {
        "Resources": {
            "First": ORDERED["Resources"]["First"],
            "Middle": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "changed"}},
        }
    }

    cf.update_stack(StackName="s", TemplateBody=json.dumps(smaller))

    listed = {
        r["LogicalResourceId"]: r["ResourceStatus"]
        for r in cf.list_stack_resources(StackName="s")["StackResourceSummaries"]
    }
    assert listed == {"First": "CREATE_COMPLETE", "Middle": "UPDATE_COMPLETE"}
    detail = cf.describe_stack_resource(StackName="s", LogicalResourceId="Middle")["StackResourceDetail"]
    assert detail["ResourceStatus"] == "UPDATE_COMPLETE"


CYCLE = {
    "Resources": {
        "Free": {"Type": "AWS::SQS::Queue"},
        "Ping": {"Type": "AWS::SQS::Queue", "DependsOn": "Pong"},
        "Pong": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["Ping", "Arn"]}}},
    }
}


def test_a_template_with_a_dependency_cycle_is_refused_before_anything_is_created(cf: Any) -> None:
    from botocore.exceptions import ClientError

    for call, extra in (
        (cf.create_stack, {}),
        (cf.create_change_set, {"ChangeSetName": "c", "ChangeSetType": "CREATE"}),
    ):
        with pytest.raises(ClientError) as refused:
            call(StackName="cycle", TemplateBody=json.dumps(CYCLE), **extra)
        assert refused.value.response["Error"]["Code"] == "ValidationError"
        assert refused.value.response["Error"]["Message"] == (
            "Template format error: Circular dependency between resources: [Ping, Pong]"
        )
    assert cf.list_stacks()["StackSummaries"] == []
    assert boto3.client("sqs", region_name=REGION).list_queues().get("QueueUrls", []) == []


def _table(**extra: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "TableName": "orders",
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            **extra,
        },
    }


def test_a_retained_table_is_never_recreated_to_apply_a_change(cf: Any) -> None:
    # GIVEN a retained table holding an order
    cf.create_stack(StackName="data", TemplateBody=json.dumps({"Resources": {"Orders": _table()}}))
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.put_item(TableName="orders", Item={"pk": {"S": "order-1"}})

    # WHEN a change the local cloud cannot make in place is deployed
    changed = _table(
        BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    )
    cf.update_stack(StackName="data", TemplateBody=json.dumps({"Resources": {"Orders": changed}}))

    # THEN the update fails naming why and rolls back, and the order is still there
    assert status(cf, "data") == "UPDATE_ROLLBACK_COMPLETE"
    failure = next(e for e in events(cf, "data") if e["ResourceStatus"] == "UPDATE_FAILED")
    assert failure["ResourceStatusReason"].startswith("Updating AWS::DynamoDB::Table in place (changed: ")
    assert "Retain policy forbids replacing it" in failure["ResourceStatusReason"]
    assert dynamodb.get_item(TableName="orders", Key={"pk": {"S": "order-1"}})["Item"]


def test_a_metadata_only_change_leaves_the_resource_untouched(cf: Any) -> None:
    cf.create_stack(StackName="data", TemplateBody=json.dumps({"Resources": {"Orders": _table()}}))
    boto3.client("dynamodb", region_name=REGION).put_item(TableName="orders", Item={"pk": {"S": "o"}})

    cf.update_stack(
        StackName="data",
        TemplateBody=json.dumps({"Resources": {"Orders": {**_table(), "Metadata": {"owner": "pets"}}}}),
    )

    assert status(cf, "data") == "UPDATE_COMPLETE"
    assert boto3.client("dynamodb", region_name=REGION).scan(TableName="orders")["Count"] == 1


def test_update_replace_policy_retain_keeps_the_replaced_resource(cf: Any) -> None:
    queue = {"Type": "AWS::SQS::Queue", "UpdateReplacePolicy": "Retain", "Properties": {"QueueName": "first"}}
    cf.create_stack(StackName="q", TemplateBody=json.dumps({"Resources": {"Queue": queue}}))

    renamed = {**queue, "Properties": {"QueueName": "second"}}
    cf.update_stack(StackName="q", TemplateBody=json.dumps({"Resources": {"Queue": renamed}}))

    assert status(cf, "q") == "UPDATE_COMPLETE"
    urls = boto3.client("sqs", region_name=REGION).list_queues()["QueueUrls"]
    assert sorted(url.rsplit("/", 1)[-1] for url in urls) == ["first", "second"]
