"""The CloudFormation updater: exact change-set parameters (Stubber) and the whole path against moto."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
from botocore.stub import ANY, Stubber

from bluegreen.aws import Aws, StackEvent, StackInfo
from bluegreen.aws.base import backoff
from bluegreen.updater import CloudFormationUpdater, switch_parameters
from tests.unit.bluegreen.fakes import FakeClock

PARAMS = [
    "PublicHostedZoneId",
    "CustomDomainName",
    "CertificateArn",
    "ActiveApiId",
    "ActiveApiStage",
    "SecurityPolicy",
]


def test_switch_parameters_change_only_the_api_and_stage() -> None:
    parameters = switch_parameters(PARAMS, "api-green", "Prod")
    by_key = {p["ParameterKey"]: p for p in parameters}
    assert set(by_key) == set(PARAMS)
    for key in ("PublicHostedZoneId", "CustomDomainName", "CertificateArn", "SecurityPolicy"):
        assert by_key[key] == {"ParameterKey": key, "UsePreviousValue": True}
    assert by_key["ActiveApiId"] == {"ParameterKey": "ActiveApiId", "ParameterValue": "api-green"}
    assert by_key["ActiveApiStage"] == {"ParameterKey": "ActiveApiStage", "ParameterValue": "Prod"}


def test_change_set_call_uses_previous_template_and_previous_values(clock: FakeClock) -> None:
    aws = Aws(boto3.Session(region_name="us-east-1"), clock=clock, sleep=clock.sleep)
    stack = {
        "StackName": "petstore-custom-domain",
        "StackId": "id",
        "StackStatus": "UPDATE_COMPLETE",
        "CreationTime": "2026-01-01T00:00:00Z",
        "Parameters": [{"ParameterKey": k, "ParameterValue": "v"} for k in PARAMS],
    }
    with Stubber(aws.cloudformation) as stub:
        stub.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": "petstore-custom-domain"})
        stub.add_response(
            "create_change_set",
            {"Id": "cs-arn", "StackId": "id"},
            {
                "StackName": "petstore-custom-domain",
                "ChangeSetName": ANY,
                "ChangeSetType": "UPDATE",
                "UsePreviousTemplate": True,
                "Parameters": switch_parameters(PARAMS, "api-green", "Prod"),
                "Capabilities": ["CAPABILITY_AUTO_EXPAND"],
                "Description": ANY,
            },
        )
        # Still being created at the first poll: polled again after a short delay.
        stub.add_response("describe_change_set", {"Status": "CREATE_IN_PROGRESS", "ChangeSetId": "cs-arn"})
        stub.add_response(
            "describe_change_set",
            {
                "Status": "CREATE_COMPLETE",
                "ChangeSetId": "cs-arn",
                "Changes": [
                    {
                        "Type": "Resource",
                        "ResourceChange": {
                            "Action": "Modify",
                            "LogicalResourceId": "LiveMapping",
                            "ResourceType": "AWS::ApiGateway::BasePathMapping",
                            "Replacement": "False",
                            "Details": [{"Target": {"Attribute": "Properties", "Name": "RestApiId"}}],
                        },
                    }
                ],
            },
        )
        updater = CloudFormationUpdater(aws, "petstore-custom-domain", ["CAPABILITY_AUTO_EXPAND"], clock)
        plan = updater.plan("api-green", "Prod", "switch")
        stub.assert_no_pending_responses()
    assert not plan.empty
    [change] = plan.changes
    assert (change.logical_id, change.replacement, change.details) == ("LiveMapping", "False", ("RestApiId",))


TEMPLATE = {
    "Parameters": {
        "CustomDomainName": {"Type": "String"},
        "ActiveApiId": {"Type": "String"},
        "ActiveApiStage": {"Type": "String"},
    },
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "ActiveApiId"}}}},
}


def test_plan_and_apply_against_moto_update_only_the_two_parameters(aws: Aws, clock: FakeClock) -> None:
    aws.cloudformation.create_stack(
        StackName="d",
        TemplateBody=json.dumps(TEMPLATE),
        Parameters=[
            {"ParameterKey": "CustomDomainName", "ParameterValue": "api.example.com"},
            {"ParameterKey": "ActiveApiId", "ParameterValue": "api-blue"},
            {"ParameterKey": "ActiveApiStage", "ParameterValue": "Prod"},
        ],
    )
    updater = CloudFormationUpdater(aws, "d", [], clock)
    events: list[StackEvent] = []
    plan = updater.plan("api-green", "Prod", "switch")
    stack = updater.apply(plan, events.append)
    assert stack.status == "UPDATE_COMPLETE"
    assert stack.parameters == {
        "CustomDomainName": "api.example.com",
        "ActiveApiId": "api-green",
        "ActiveApiStage": "Prod",
    }
    assert events == []  # complete at the first poll: no DescribeStackEvents (it lists the whole history)


def _event(number: int, logical_id: str, status: str) -> StackEvent:
    return StackEvent(f"e{number}", f"t{number}", logical_id, "", status, "")


class Scripted(Aws):
    """DescribeStacks answers a script of statuses; the events are the stack's history, newest first."""

    def __init__(self, clock: FakeClock, statuses: list[str], history: list[list[StackEvent]]) -> None:
        super().__init__(boto3.Session(region_name="us-east-1"), clock=clock, sleep=clock.sleep)
        self.statuses = statuses
        self.history = history  # the history as each DescribeStackEvents call sees it
        self.event_reads = 0

    def require_stack(self, stack_name: str) -> StackInfo:
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return StackInfo(stack_name, "id", status, "")

    def stack_events(self, stack_name: str) -> Iterator[StackEvent]:
        seen = self.history[min(self.event_reads, len(self.history) - 1)]
        self.event_reads += 1
        return iter(seen)


OLDER_UPDATE = [
    _event(2, "d", "UPDATE_COMPLETE"),
    _event(1, "d", "UPDATE_IN_PROGRESS"),
]


def test_an_update_still_running_reports_its_own_events_once_each_and_none_older(clock: FakeClock) -> None:
    running = [_event(4, "LiveMapping", "UPDATE_IN_PROGRESS"), _event(3, "d", "UPDATE_IN_PROGRESS")]
    done = [_event(6, "d", "UPDATE_COMPLETE"), _event(5, "LiveMapping", "UPDATE_COMPLETE"), *running]
    aws = Scripted(
        clock, ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"], [running + OLDER_UPDATE, done + OLDER_UPDATE]
    )
    events: list[StackEvent] = []
    stack = aws.follow_stack("d", events.append, None, timeout=60)
    assert stack.status == "UPDATE_COMPLETE"
    assert [event.event_id for event in events] == ["e3", "e4", "e5", "e6"]


def test_a_failed_update_reports_its_events_even_when_settled_at_the_first_poll(clock: FakeClock) -> None:
    failed = [
        _event(5, "d", "UPDATE_ROLLBACK_COMPLETE"),
        _event(4, "LiveMapping", "UPDATE_FAILED"),
        _event(3, "d", "UPDATE_IN_PROGRESS"),
    ]
    aws = Scripted(clock, ["UPDATE_ROLLBACK_COMPLETE"], [failed + OLDER_UPDATE])
    events: list[StackEvent] = []
    assert aws.follow_stack("d", events.append, None, timeout=60).status == "UPDATE_ROLLBACK_COMPLETE"
    assert [event.status for event in events] == [
        "UPDATE_IN_PROGRESS",
        "UPDATE_FAILED",
        "UPDATE_ROLLBACK_COMPLETE",
    ]


def test_polls_are_quick_for_the_first_second_then_back_off_to_the_interval() -> None:
    delays = backoff(0.1, 2.0, quick_for=1.0)
    assert [next(delays) for _ in range(16)] == [0.1] * 10 + [0.2, 0.4, 0.8, 1.6, 2.0, 2.0]


def test_dry_run_discard_deletes_the_change_set_and_leaves_the_stack(aws: Aws, clock: FakeClock) -> None:
    aws.cloudformation.create_stack(
        StackName="d",
        TemplateBody=json.dumps(TEMPLATE),
        Parameters=[
            {"ParameterKey": "CustomDomainName", "ParameterValue": "api.example.com"},
            {"ParameterKey": "ActiveApiId", "ParameterValue": "api-blue"},
            {"ParameterKey": "ActiveApiStage", "ParameterValue": "Prod"},
        ],
    )
    updater = CloudFormationUpdater(aws, "d", [], clock)
    updater.discard(updater.plan("api-green", "Prod", "dry-run"))
    assert aws.cloudformation.list_change_sets(StackName="d")["Summaries"] == []
    stack = aws.describe_stack("d")
    assert stack is not None and stack.parameters["ActiveApiId"] == "api-blue"


def test_leftovers_of_a_killed_run_are_deleted_but_not_other_change_sets(aws: Aws, clock: FakeClock) -> None:
    # GIVEN a run killed between creating its change set and executing it, and someone else's change set
    aws.cloudformation.create_stack(
        StackName="d",
        TemplateBody=json.dumps(TEMPLATE),
        Parameters=[
            {"ParameterKey": "CustomDomainName", "ParameterValue": "api.example.com"},
            {"ParameterKey": "ActiveApiId", "ParameterValue": "api-blue"},
            {"ParameterKey": "ActiveApiStage", "ParameterValue": "Prod"},
        ],
    )
    updater = CloudFormationUpdater(aws, "d", [], clock)
    updater.plan("api-green", "Prod", "switch")
    ours = [n for n in _names(aws) if n.startswith("bluegreen-switch-")]
    assert len(ours) == 1
    aws.cloudformation.create_change_set(
        StackName="d",
        ChangeSetName="someone-elses",
        ChangeSetType="UPDATE",
        UsePreviousTemplate=True,
        Parameters=[
            {"ParameterKey": "CustomDomainName", "UsePreviousValue": True},
            {"ParameterKey": "ActiveApiId", "ParameterValue": "api-other"},
            {"ParameterKey": "ActiveApiStage", "UsePreviousValue": True},
        ],
    )
    # WHEN the recovering run cleans up THEN only ours goes, and the stack is untouched
    assert updater.discard_leftovers() == ours
    assert _names(aws) == ["someone-elses"]
    stack = aws.describe_stack("d")
    assert stack is not None and stack.parameters["ActiveApiId"] == "api-blue"


def _names(aws: Aws) -> list[str]:
    return [c["ChangeSetName"] for c in aws.cloudformation.list_change_sets(StackName="d")["Summaries"]]
