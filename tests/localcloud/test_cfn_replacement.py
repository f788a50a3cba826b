"""Replacement rules come from the resource schemas: a create-only property change replaces, others update."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.logs.models import logs_backends
from templates import ACCOUNT, REGION, body, events, outputs, params, status

from localcloud.extensions import install
from localcloud.extensions.cfn_schemas import create_only_properties, replacement

BUCKETS = ("first-bucket", "second-bucket")


@pytest.fixture
def cf() -> Iterator[Any]:
    install()
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in BUCKETS:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        client = boto3.client("cloudformation", region_name=REGION)
        client.create_stack(
            StackName="policy",
            TemplateBody=body("bucket_policy.yaml"),
            Parameters=params(PolicyBucket=BUCKETS[0]),
        )
        assert status(client, "policy") == "CREATE_COMPLETE", events(client, "policy")
        yield client


def _change_for(cf: Any, **values: str) -> dict[str, Any]:
    cf.create_change_set(
        StackName="policy",
        ChangeSetName="next",
        TemplateBody=body("bucket_policy.yaml"),
        Parameters=params(**values),
        ChangeSetType="UPDATE",
    )
    changes = cf.describe_change_set(StackName="policy", ChangeSetName="next")["Changes"]
    assert len(changes) == 1
    return dict(changes[0]["ResourceChange"])


def _policy(bucket: str) -> str | None:
    try:
        return str(boto3.client("s3", region_name=REGION).get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError:
        return None


def test_schema_create_only_properties_are_the_registry_s() -> None:
    assert create_only_properties("AWS::S3::BucketPolicy") == {"Bucket"}
    assert create_only_properties("AWS::ApiGateway::BasePathMapping") == {"BasePath", "DomainName"}
    assert create_only_properties("AWS::ApiGateway::RestApi") == frozenset()
    # A type the registry does not know cannot promise anything.
    assert replacement("Custom::Thing", {"Anything"}) == "Conditional"


def test_a_bucket_change_of_a_bucket_policy_is_shown_as_a_replacement(cf: Any) -> None:
    change = _change_for(cf, PolicyBucket=BUCKETS[1])

    assert (change["Action"], change["Replacement"]) == ("Modify", "True")
    assert [(d["Target"]["Name"], d["Target"]["RequiresRecreation"]) for d in change["Details"]] == [
        ("Bucket", "Always"),
        ("PolicyDocument", "Always"),
    ]


def test_a_policy_document_change_updates_in_place(cf: Any) -> None:
    change = _change_for(cf, PolicyBucket=BUCKETS[0], ReadAction="s3:ListBucket")

    assert (change["Replacement"], [d["Target"]["Name"] for d in change["Details"]]) == (
        "False",
        ["PolicyDocument"],
    )


def test_replacing_the_policy_moves_it_to_the_new_bucket_and_removes_the_old(cf: Any) -> None:
    # WHEN the policy's create-only Bucket changes
    cf.update_stack(
        StackName="policy",
        TemplateBody=body("bucket_policy.yaml"),
        Parameters=params(PolicyBucket=BUCKETS[1]),
    )

    # THEN a new policy exists on the new bucket, the old bucket has none, and Ref follows the new one
    assert status(cf, "policy") == "UPDATE_COMPLETE", events(cf, "policy")
    assert _policy(BUCKETS[0]) is None
    assert BUCKETS[1] in (_policy(BUCKETS[1]) or "")
    assert outputs(cf, "policy")["PolicyId"] == BUCKETS[1]
    resource = cf.describe_stack_resource(StackName="policy", LogicalResourceId="Policy")
    assert resource["StackResourceDetail"]["PhysicalResourceId"] == BUCKETS[1]


LOG_GROUP = """
Parameters:
  Days: {Type: Number, Default: 7}
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {RetentionInDays: !Ref Days}
Outputs:
  Name: {Value: !Ref Logs}
"""


def test_a_type_moto_cannot_update_is_replaced_new_first_and_survives_a_failed_replacement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    install()
    with mock_aws():
        cf = boto3.client("cloudformation", region_name=REGION)
        logs = boto3.client("logs", region_name=REGION)
        cf.create_stack(StackName="logs", TemplateBody=LOG_GROUP)
        old = outputs(cf, "logs")["Name"]
        backend = logs_backends[ACCOUNT][REGION]
        calls: list[str] = []

        def failing_create(name: str, tags: dict[str, str], **kwargs: Any) -> Any:
            calls.append(f"create {name}")
            raise RuntimeError("injected: the new log group cannot be created")

        # GIVEN a log group change (moto has no update for the type) whose new group cannot be created
        with monkeypatch.context() as patched:
            patched.setattr(backend, "create_log_group", failing_create)
            # WHEN the stack is updated
            cf.update_stack(StackName="logs", TemplateBody=LOG_GROUP, Parameters=params(Days="14"))
        # THEN it rolls back and the old group still exists, untouched: the new one was tried first
        assert status(cf, "logs") == "UPDATE_ROLLBACK_COMPLETE", events(cf, "logs")
        groups = {g["logGroupName"]: g for g in logs.describe_log_groups()["logGroups"]}
        assert list(groups) == [old] and groups[old]["retentionInDays"] == 7

        # WHEN the replacement can be made THEN the new group exists before the old one goes
        real_create, real_delete = backend.create_log_group, backend.delete_log_group

        def recording_create(name: str, tags: dict[str, str], **kwargs: Any) -> Any:
            calls.append("create")
            return real_create(name, tags, **kwargs)

        def recording_delete(name: str) -> None:
            calls.append("delete")
            real_delete(name)

        calls.clear()
        with monkeypatch.context() as patched:
            patched.setattr(backend, "create_log_group", recording_create)
            patched.setattr(backend, "delete_log_group", recording_delete)
            cf.update_stack(StackName="logs", TemplateBody=LOG_GROUP, Parameters=params(Days="14"))
        assert status(cf, "logs") == "UPDATE_COMPLETE", events(cf, "logs")
        assert calls == ["create", "delete"]
        new = outputs(cf, "logs")["Name"]
        groups = {g["logGroupName"]: g for g in logs.describe_log_groups()["logGroups"]}
        assert new != old and list(groups) == [new] and groups[new]["retentionInDays"] == 14
