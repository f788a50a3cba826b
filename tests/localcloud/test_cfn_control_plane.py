"""Control-plane details clients rely on: managed policies, permission ids, rollback events, loud failures."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from templates import REGION, body, events, outputs, params, status

from localcloud.extensions import install
from localcloud.extensions.cfn_unsupported import reason

CAPABILITIES = ["CAPABILITY_IAM"]


@pytest.fixture
def cf() -> Iterator[Any]:
    install()
    with mock_aws():
        yield boto3.client("cloudformation", region_name=REGION)


def _statement_ids(function_name: str) -> set[str]:
    policy = boto3.client("lambda", region_name=REGION).get_policy(FunctionName=function_name)["Policy"]
    return {statement["Sid"] for statement in json.loads(policy)["Statement"]}


def test_the_api_gateway_logging_managed_policy_exists_and_attaches(cf: Any) -> None:
    iam = boto3.client("iam", region_name=REGION)
    arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"

    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    cf.create_stack(StackName="perm", TemplateBody=body("permissions.yaml"), Capabilities=CAPABILITIES)

    assert policy["PolicyName"] == "AmazonAPIGatewayPushToCloudWatchLogs"
    assert "logs:PutLogEvents" in json.dumps(document["Document"])
    assert status(cf, "perm") == "CREATE_COMPLETE", events(cf, "perm")
    role = _physical(cf, "Role")
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert arn in {p["PolicyArn"] for p in attached}

    cf.delete_stack(StackName="perm")  # detaches, then deletes the role

    assert role not in [r["RoleName"] for r in iam.list_roles()["Roles"]]


def test_a_role_naming_a_policy_that_does_not_exist_fails_like_iam(cf: Any) -> None:
    template = body("permissions.yaml").replace("AWSLambdaBasicExecutionRole", "NoSuchPolicy")

    cf.create_stack(StackName="perm", TemplateBody=template, Capabilities=CAPABILITIES)

    assert status(cf, "perm") == "ROLLBACK_COMPLETE"
    failure = next(e for e in events(cf, "perm") if e["ResourceStatus"] == "CREATE_FAILED")
    assert (failure["LogicalResourceId"], failure["ResourceStatusReason"]) == (
        "Role",
        "Policy arn:aws:iam::aws:policy/service-role/NoSuchPolicy does not exist or is not attachable.",
    )
    assert boto3.client("iam", region_name=REGION).list_roles()["Roles"] == []


def _physical(cf: Any, logical_id: str) -> str:
    found = cf.describe_stack_resource(StackName="perm", LogicalResourceId=logical_id)
    return str(found["StackResourceDetail"]["PhysicalResourceId"])


def test_permissions_have_physical_ids_that_name_their_statements_and_leave_with_them(cf: Any) -> None:
    cf.create_stack(StackName="perm", TemplateBody=body("permissions.yaml"), Capabilities=CAPABILITIES)
    function = outputs(cf, "perm")["FunctionName"]
    ids = {name: _physical(cf, name) for name in ("ApiInvoke", "EventsInvoke")}

    assert all(ids.values()) and _statement_ids(function) == set(ids.values())
    assert all(
        e["PhysicalResourceId"]
        for e in events(cf, "perm")
        if e["ResourceType"] == "AWS::Lambda::Permission" and e["ResourceStatus"] == "CREATE_COMPLETE"
    )

    # WHEN an update drops the API's permission THEN its statement leaves the function's policy
    cf.update_stack(
        StackName="perm",
        TemplateBody=body("permissions.yaml"),
        Parameters=params(AllowApi="false"),
        Capabilities=CAPABILITIES,
    )
    assert status(cf, "perm") == "UPDATE_COMPLETE", events(cf, "perm")
    assert _statement_ids(function) == {ids["EventsInvoke"]}


ROLLBACK = {
    "Resources": {
        "Kept": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "kept", "DelaySeconds": 1}},
    }
}
FAILING_UPDATE = {
    "Resources": {
        "Kept": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "kept", "DelaySeconds": 2}},
        "Added": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "added"}},
        "Broken": {
            "Type": "AWS::SNS::Topic",
            "DependsOn": ["Kept", "Added"],
            "Properties": {"TopicName": {"Fn::GetAtt": ["Kept", "NoSuchAttribute"]}},
        },
    }
}


def test_an_update_rollback_reports_every_resource_it_touches(cf: Any) -> None:
    cf.create_stack(StackName="roll", TemplateBody=json.dumps(ROLLBACK))
    created = len(events(cf, "roll"))

    cf.update_stack(StackName="roll", TemplateBody=json.dumps(FAILING_UPDATE))

    stream = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in events(cf, "roll")[created:]]
    rollback = stream[stream.index(("roll", "UPDATE_ROLLBACK_IN_PROGRESS")) :]
    assert rollback == [
        ("roll", "UPDATE_ROLLBACK_IN_PROGRESS"),
        ("Kept", "UPDATE_IN_PROGRESS"),
        ("Kept", "UPDATE_COMPLETE"),
        ("roll", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"),
        ("Added", "DELETE_IN_PROGRESS"),
        ("Added", "DELETE_COMPLETE"),
        ("roll", "UPDATE_ROLLBACK_COMPLETE"),
    ]
    reason_event = next(e for e in events(cf, "roll") if e["ResourceStatus"] == "UPDATE_ROLLBACK_IN_PROGRESS")
    assert reason_event["ResourceStatusReason"] == "The following resource(s) failed to create: [Broken]. "
    queue = boto3.client("sqs", region_name=REGION).get_queue_url(QueueName="kept")["QueueUrl"]
    attributes = boto3.client("sqs", region_name=REGION).get_queue_attributes(
        QueueUrl=queue, AttributeNames=["DelaySeconds"]
    )
    assert attributes["Attributes"]["DelaySeconds"] == "1"


def test_a_property_value_the_local_cloud_cannot_honour_fails_the_stack_naming_it(cf: Any) -> None:
    template = {
        "Resources": {
            "Api": {
                "Type": "AWS::ApiGateway::RestApi",
                "Properties": {"Name": "a", "BodyS3Location": {"Bucket": "b", "Key": "openapi.yaml"}},
            }
        }
    }

    cf.create_stack(StackName="s3body", TemplateBody=json.dumps(template))

    assert status(cf, "s3body") == "ROLLBACK_COMPLETE"
    failure = next(e for e in events(cf, "s3body") if e["ResourceStatus"] == "CREATE_FAILED")
    assert failure["ResourceStatusReason"] == (
        "RestApi BodyS3Location (an OpenAPI document in S3) is not supported by the local cloud"
    )
    assert boto3.client("apigateway", region_name=REGION).get_rest_apis()["items"] == []


def test_cognito_authorizers_are_refused_by_name() -> None:
    assert reason("AWS::ApiGateway::Authorizer", {"Type": "COGNITO_USER_POOLS"}) == (
        "An authorizer of Type COGNITO_USER_POOLS is not supported by the local cloud"
    )
    assert reason("AWS::ApiGateway::Authorizer", {"Type": "TOKEN"}) is None
