"""The stack engine runs its plan: dependency order, old resources deleted last, rollbacks that restore."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.logs.models import logs_backends
from templates import ACCOUNT, REGION, events, outputs, params, status

from localcloud.extensions import install


@pytest.fixture
def cf() -> Iterator[Any]:
    install()
    with mock_aws():
        yield boto3.client("cloudformation", region_name=REGION)


def _queue(name: str, **extra: Any) -> dict[str, Any]:
    return {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": name}, **extra}


def _topic_naming(target: str) -> dict[str, Any]:
    return {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": [target, "QueueName"]}}}


def _steps(cf: Any, stack: str, since: int = 0) -> list[tuple[str, str]]:
    """(logical id, status) of every event after the first `since` ones, stack events included."""
    return [(e["LogicalResourceId"], e["ResourceStatus"]) for e in events(cf, stack)[since:]]


def _queues() -> list[str]:
    urls = boto3.client("sqs", region_name=REGION).list_queues().get("QueueUrls", [])
    return sorted(url.rsplit("/", 1)[-1] for url in urls)


def _physical(cf: Any, stack: str, logical_id: str) -> str:
    detail = cf.describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)["StackResourceDetail"]
    return str(detail["PhysicalResourceId"])


def test_an_added_resource_is_created_after_the_new_resource_it_references(cf: Any) -> None:
    # GIVEN a stack with one queue
    cf.create_stack(StackName="s", TemplateBody=json.dumps({"Resources": {"Base": _queue("base")}}))
    seen = len(events(cf, "s"))

    # WHEN an update adds A, listed first, that references B, also new
    grown = {"Resources": {"A": _topic_naming("B"), "B": _queue("b"), "Base": _queue("base")}}
    cf.update_stack(StackName="s", TemplateBody=json.dumps(grown))

    # THEN B exists before A is created
    assert status(cf, "s") == "UPDATE_COMPLETE"
    created = [name for name, state in _steps(cf, "s", seen) if state == "CREATE_COMPLETE"]
    assert created == ["B", "A"]


def test_removed_resources_are_deleted_dependents_first_after_the_updates(cf: Any) -> None:
    # GIVEN Leaf references Mid, which references Root; Keep stays
    template = {
        "Resources": {
            "Root": _queue("root"),
            "Leaf": {"Type": "AWS::SQS::Queue", "DependsOn": "Mid"},
            "Mid": _topic_naming("Root"),
            "Keep": _queue("keep"),
        }
    }
    cf.create_stack(StackName="s", TemplateBody=json.dumps(template))
    seen = len(events(cf, "s"))

    # WHEN all three go and Keep changes
    cf.update_stack(
        StackName="s", TemplateBody=json.dumps({"Resources": {"Keep": _queue("keep", DependsOn=[])}})
    )

    # THEN Keep is updated first, then the cleanup deletes Leaf, Mid, Root in that order
    assert status(cf, "s") == "UPDATE_COMPLETE"
    steps = [step for step in _steps(cf, "s", seen) if step[1].endswith("COMPLETE") or "CLEANUP" in step[1]]
    assert steps == [
        ("Keep", "UPDATE_COMPLETE"),
        ("s", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
        ("Leaf", "DELETE_COMPLETE"),
        ("Mid", "DELETE_COMPLETE"),
        ("Root", "DELETE_COMPLETE"),
        ("s", "UPDATE_COMPLETE"),
    ]
    assert _queues() == ["keep"]


REPLACEABLE = {"Resources": {"Notice": _topic_naming("Queue"), "Queue": _queue("first")}}


def test_a_replacement_creates_the_new_resource_updates_dependents_and_deletes_the_old_in_cleanup(
    cf: Any,
) -> None:
    cf.create_stack(StackName="s", TemplateBody=json.dumps(REPLACEABLE))
    old = _physical(cf, "s", "Queue")
    seen = len(events(cf, "s"))
    renamed = {"Resources": {"Notice": _topic_naming("Queue"), "Queue": _queue("second")}}

    # WHEN the queue's create-only QueueName changes, through a change set
    cf.create_change_set(
        StackName="s", ChangeSetName="rename", TemplateBody=json.dumps(renamed), ChangeSetType="UPDATE"
    )
    shown = cf.describe_change_set(StackName="s", ChangeSetName="rename")["Changes"]
    cf.execute_change_set(StackName="s", ChangeSetName="rename")

    # THEN the change set showed the replacement and the dependent it re-points
    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in shown}
    assert (changes["Queue"]["Action"], changes["Queue"]["Replacement"]) == ("Modify", "True")
    assert (changes["Notice"]["Action"], changes["Notice"]["Replacement"]) == ("Modify", "False")
    assert [
        (d["Target"]["Name"], d["Evaluation"], d["ChangeSource"], d["Target"]["RequiresRecreation"])
        for d in changes["Notice"]["Details"]
    ] == [("DisplayName", "Dynamic", "ResourceReference", "Never")]
    # AND execution ran it in that order: new queue, its dependent, then the old queue in cleanup
    assert status(cf, "s") == "UPDATE_COMPLETE"
    steps = [step for step in _steps(cf, "s", seen) if step[1].endswith("COMPLETE") or "CLEANUP" in step[1]]
    assert steps == [
        ("Queue", "UPDATE_COMPLETE"),
        ("Notice", "UPDATE_COMPLETE"),
        ("s", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
        ("Queue", "DELETE_COMPLETE"),
        ("s", "UPDATE_COMPLETE"),
    ]
    deleted = next(e for e in events(cf, "s")[seen:] if e["ResourceStatus"] == "DELETE_COMPLETE")
    assert deleted["PhysicalResourceId"] == old
    assert _queues() == ["second"]
    listed = cf.list_stack_resources(StackName="s")["StackResourceSummaries"]
    assert {r["LogicalResourceId"]: r["ResourceStatus"] for r in listed}["Queue"] == "UPDATE_COMPLETE"


def test_a_failed_step_after_a_replacement_rolls_back_to_the_very_same_old_resource(cf: Any) -> None:
    # GIVEN a stack whose queue (holding a message) and its dependent exist
    cf.create_stack(StackName="s", TemplateBody=json.dumps(REPLACEABLE))
    old = _physical(cf, "s", "Queue")
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.send_message(QueueUrl=old, MessageBody="order-1")
    topic = boto3.client("sns", region_name=REGION)

    # WHEN an update replaces the queue and then fails on a resource created after it
    broken = {
        "Resources": {
            "Notice": _topic_naming("Queue"),
            "Queue": _queue("second"),
            "Broken": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"DisplayName": {"Fn::GetAtt": ["Queue", "Nope"]}},
            },
        }
    }
    cf.update_stack(StackName="s", TemplateBody=json.dumps(broken))

    # THEN the stack rolls back: the original queue was never deleted and is the stack's again,
    # the dependent names it again, and the queue the update made is gone
    assert status(cf, "s") == "UPDATE_ROLLBACK_COMPLETE", events(cf, "s")
    assert _physical(cf, "s", "Queue") == old
    assert _queues() == ["first"]
    received = sqs.receive_message(QueueUrl=old).get("Messages", [])
    assert [m["Body"] for m in received] == ["order-1"]
    name = topic.get_topic_attributes(TopicArn=_physical(cf, "s", "Notice"))["Attributes"]["DisplayName"]
    assert name == "first"
    assert [t["TopicArn"] for t in topic.list_topics()["Topics"]] == [_physical(cf, "s", "Notice")]
    assert "Broken" not in {
        r["LogicalResourceId"] for r in cf.list_stack_resources(StackName="s")["StackResourceSummaries"]
    }


NAMED_LOGS = """
Parameters:
  Days: {Type: Number, Default: 7}
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: orders, RetentionInDays: !Ref Days}
Outputs:
  Name: {Value: !Ref Logs}
"""


def test_a_named_resource_replaced_old_first_is_created_again_when_its_replacement_fails(
    cf: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a named log group (moto has no update for the type: the old group must go first)
    cf.create_stack(StackName="logs", TemplateBody=NAMED_LOGS)
    backend = logs_backends[ACCOUNT][REGION]
    real_create = backend.create_log_group
    attempts: list[str] = []

    def fails_once(name: str, tags: dict[str, str], **kwargs: Any) -> Any:
        attempts.append(name)
        if len(attempts) == 1:
            raise RuntimeError("injected: the new log group cannot be created")
        return real_create(name, tags, **kwargs)

    # WHEN the update's create of the new group fails
    monkeypatch.setattr(backend, "create_log_group", fails_once)
    cf.update_stack(StackName="logs", TemplateBody=NAMED_LOGS, Parameters=params(Days="14"))

    # THEN the rollback creates the group again, as it was
    assert status(cf, "logs") == "UPDATE_ROLLBACK_COMPLETE", events(cf, "logs")
    groups = boto3.client("logs", region_name=REGION).describe_log_groups()["logGroups"]
    assert [(g["logGroupName"], g.get("retentionInDays")) for g in groups] == [("orders", 7)]
    assert outputs(cf, "logs")["Name"] == "orders"


def _plan_rename(cf: Any, change_set: str, queue: str) -> None:
    template = {"Resources": {"Notice": _topic_naming("Queue"), "Queue": _queue(queue)}}
    cf.create_change_set(
        StackName="s", ChangeSetName=change_set, TemplateBody=json.dumps(template), ChangeSetType="UPDATE"
    )


def test_a_change_set_planned_before_an_update_is_obsolete_and_changes_nothing(cf: Any) -> None:
    from botocore.exceptions import ClientError

    # GIVEN a change set planned against the stack as it was
    cf.create_stack(StackName="s", TemplateBody=json.dumps(REPLACEABLE))
    _plan_rename(cf, "stale", "third")

    # WHEN the stack is updated another way, then the change set is executed
    renamed = {"Resources": {"Notice": _topic_naming("Queue"), "Queue": _queue("second")}}
    cf.update_stack(StackName="s", TemplateBody=json.dumps(renamed))
    with pytest.raises(ClientError) as refused:
        cf.execute_change_set(StackName="s", ChangeSetName="stale")

    # THEN it is refused as OBSOLETE and the stack keeps what the update made
    assert refused.value.response["Error"]["Code"] == "InvalidChangeSetStatus"
    assert cf.describe_change_set(StackName="s", ChangeSetName="stale")["ExecutionStatus"] == "OBSOLETE"
    assert status(cf, "s") == "UPDATE_COMPLETE"
    assert _queues() == ["second"]


def test_executing_a_change_set_deletes_the_stack_s_other_change_sets(cf: Any) -> None:
    cf.create_stack(StackName="s", TemplateBody=json.dumps(REPLACEABLE))
    _plan_rename(cf, "chosen", "second")
    _plan_rename(cf, "other", "third")

    cf.execute_change_set(StackName="s", ChangeSetName="chosen")

    listed = cf.list_change_sets(StackName="s")["Summaries"]
    assert [(c["ChangeSetName"], c["ExecutionStatus"]) for c in listed] == [("chosen", "EXECUTE_COMPLETE")]
    assert _queues() == ["second"]
