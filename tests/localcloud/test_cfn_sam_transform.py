"""The SAM transform runs inside the local CloudFormation (create_stack, update_stack, create_change_set)."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from templates import REGION, SAM_CAPABILITIES, body, events, keep, outputs, params, status

from localcloud.extensions import install

BROKEN_SAM = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: index.handler
      InlineCode: "x = 1"
      Events:
        Bad: {Type: Api, Properties: {Path: /x}}
"""


@pytest.fixture
def cf() -> Iterator[Any]:
    install()
    with mock_aws():
        yield boto3.client("cloudformation", region_name=REGION)


def test_sam_stack_creates_the_api_function_and_stage(cf: Any) -> None:
    cf.create_stack(
        StackName="blue",
        TemplateBody=body("sam_api.yaml"),
        Parameters=params(StageName="v1"),
        Capabilities=SAM_CAPABILITIES,
    )

    assert status(cf, "blue") == "CREATE_COMPLETE"
    out = outputs(cf, "blue")
    apigw = boto3.client("apigateway", region_name=REGION)
    stage = apigw.get_stage(restApiId=out["ApiId"], stageName="v1")
    assert out["ApiStage"] == "v1" and stage["tracingEnabled"] is True
    assert stage["methodSettings"]["*/*"]["metricsEnabled"] is True
    assert out["ApiEndpoint"] == f"https://{out['ApiId']}.execute-api.{REGION}.amazonaws.com/v1"
    function = boto3.client("lambda", region_name=REGION).get_function(FunctionName=out["FunctionArn"])
    assert function["Configuration"]["Environment"]["Variables"] == {"GREETING": "hello"}


def test_get_template_returns_original_by_default_and_processed_on_request(cf: Any) -> None:
    cf.create_stack(StackName="blue", TemplateBody=body("sam_api.yaml"), Capabilities=SAM_CAPABILITIES)

    original = cf.get_template(StackName="blue")
    processed = cf.get_template(StackName="blue", TemplateStage="Processed")["TemplateBody"]

    assert original["TemplateBody"] == body("sam_api.yaml")
    assert original["StagesAvailable"] == ["Original", "Processed"]
    processed = processed if isinstance(processed, dict) else json.loads(processed)
    assert "Transform" not in processed
    types = {r["Type"] for r in processed["Resources"].values()}
    assert {"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage", "AWS::Lambda::Function"} <= types


def test_update_stack_re_runs_the_transform_with_new_parameter_values(cf: Any) -> None:
    cf.create_stack(StackName="blue", TemplateBody=body("sam_api.yaml"), Capabilities=SAM_CAPABILITIES)

    cf.update_stack(
        StackName="blue",
        UsePreviousTemplate=True,
        Capabilities=SAM_CAPABILITIES,
        Parameters=[*keep("StageName"), *params(Greeting="bonjour")],
    )

    assert status(cf, "blue") == "UPDATE_COMPLETE"
    function = boto3.client("lambda", region_name=REGION).get_function(
        FunctionName=outputs(cf, "blue")["FunctionArn"]
    )
    assert function["Configuration"]["Environment"]["Variables"] == {"GREETING": "bonjour"}


def test_invalid_sam_document_is_refused_with_the_transform_error(cf: Any) -> None:
    with pytest.raises(ClientError) as refused:
        cf.create_stack(StackName="broken", TemplateBody=BROKEN_SAM)

    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert "Transform AWS::Serverless-2016-10-31 failed with: " in refused.value.response["Error"]["Message"]


def test_invalid_sam_document_fails_the_change_set_not_the_call(cf: Any) -> None:
    created = cf.create_change_set(
        StackName="broken", ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=BROKEN_SAM
    )

    described = cf.describe_change_set(ChangeSetName=created["Id"])
    assert described["Status"] == "FAILED"
    assert described["StatusReason"].startswith("Transform AWS::Serverless-2016-10-31 failed with: ")
    assert status(cf, "broken") == "REVIEW_IN_PROGRESS"


def test_a_resource_type_the_local_cloud_cannot_create_fails_instead_of_a_false_success(cf: Any) -> None:
    template = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Thing": {"Type": "AWS::AppRunner::Service", "Properties": {}},
        }
    }

    cf.create_stack(StackName="odd", TemplateBody=json.dumps(template))

    assert status(cf, "odd") == "ROLLBACK_COMPLETE"
    failed = [e for e in events(cf, "odd") if e["ResourceStatus"] == "CREATE_FAILED"]
    assert [e["LogicalResourceId"] for e in failed] == ["Thing"]
    assert boto3.client("sqs", region_name=REGION).list_queues().get("QueueUrls", []) == []


def test_stage_settings_update_in_place_and_a_new_stage_name_replaces_the_stage(cf: Any) -> None:
    cf.create_stack(StackName="blue", TemplateBody=body("sam_api.yaml"), Capabilities=SAM_CAPABILITIES)
    api_id = outputs(cf, "blue")["ApiId"]
    quieter = body("sam_api.yaml").replace("TracingEnabled: true", "TracingEnabled: false")

    cf.update_stack(
        StackName="blue",
        TemplateBody=quieter,
        Capabilities=SAM_CAPABILITIES,
        Parameters=keep("StageName", "Greeting"),
    )
    apigw = boto3.client("apigateway", region_name=REGION)
    assert apigw.get_stage(restApiId=api_id, stageName="live")["tracingEnabled"] is False

    cf.update_stack(
        StackName="blue",
        TemplateBody=quieter,
        Capabilities=SAM_CAPABILITIES,
        Parameters=[*params(StageName="v2"), *keep("Greeting")],
    )

    stages = {s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]}
    assert status(cf, "blue") == "UPDATE_COMPLETE"
    assert "v2" in stages and "live" not in stages
    assert outputs(cf, "blue")["ApiId"] == api_id


@pytest.mark.parametrize(
    ("capabilities", "missing"),
    [([], "CAPABILITY_AUTO_EXPAND"), (["CAPABILITY_AUTO_EXPAND"], "CAPABILITY_IAM")],
)
def test_create_stack_requires_the_capabilities_of_a_sam_template(
    cf: Any, capabilities: list[str], missing: str
) -> None:
    with pytest.raises(ClientError) as refused:
        cf.create_stack(StackName="blue", TemplateBody=body("sam_api.yaml"), Capabilities=capabilities)

    error = refused.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InsufficientCapabilitiesException",
        f"Requires capabilities : [{missing}]",
    )
    assert cf.list_stacks()["StackSummaries"] == []


NAMED_ROLE_SAM = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: named-role
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: index.handler
      Role: !GetAtt Role.Arn
      InlineCode: "def handler(event, context): return {}"
"""


def test_a_change_set_needs_no_auto_expand_but_named_iam_needs_its_capability(cf: Any) -> None:
    with pytest.raises(ClientError) as refused:
        cf.create_change_set(
            StackName="n",
            ChangeSetName="c",
            ChangeSetType="CREATE",
            TemplateBody=NAMED_ROLE_SAM,
            Capabilities=["CAPABILITY_IAM"],
        )
    accepted = cf.create_change_set(
        StackName="n",
        ChangeSetName="c",
        ChangeSetType="CREATE",
        TemplateBody=NAMED_ROLE_SAM,
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )

    assert refused.value.response["Error"]["Message"] == "Requires capabilities : [CAPABILITY_NAMED_IAM]"
    assert cf.describe_change_set(ChangeSetName=accepted["Id"])["Status"] == "CREATE_COMPLETE"
