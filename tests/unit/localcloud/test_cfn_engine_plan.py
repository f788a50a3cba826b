"""The engine's plan: one decision per resource, in dependency order, that change sets show and updates run.

Pure: a stack stand-in over the applied resources; no backend is called.
"""

from dataclasses import dataclass, field
from typing import Any

from localcloud.extensions.cfn_engine import Action, How, PlannedChange, plan


@dataclass
class _Resource:
    physical_resource_id: str


@dataclass
class _ResourceMap:
    lc_applied: dict[str, tuple[dict[str, Any], dict[str, str]]]
    _parsed_resources: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Stack:
    resource_map: _ResourceMap
    stack_id: str = "arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1"
    name: str = "s"
    region_name: str = "eu-west-1"
    account_id: str = "123456789012"


def _stack(resources: dict[str, dict[str, Any]], values: dict[str, str] | None = None) -> _Stack:
    """A stack whose `resources` exist, applied with parameter `values`."""
    applied = {
        name: ({**json, "Properties": json.get("Properties") or {}}, dict(values or {}))
        for name, json in resources.items()
    }
    parsed = {name: _Resource(f"{name.lower()}-1") for name in resources}
    return _Stack(_ResourceMap(applied, parsed))


def _queue(name: str, **extra: Any) -> dict[str, Any]:
    return {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": name}, **extra}


def _topic_naming(target: str) -> dict[str, Any]:
    return {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": [target, "QueueName"]}}}


def _summary(changes: list[PlannedChange]) -> list[tuple[str, str, str]]:
    return [(str(c.action), c.logical_id, str(c.how)) for c in changes]


def test_new_resources_are_planned_after_the_new_resources_they_reference() -> None:
    # GIVEN a stack with one queue
    stack = _stack({"Base": _queue("base")})

    # WHEN A (listed first) references B, both new
    template = {"Resources": {"A": _topic_naming("B"), "B": _queue("b"), "Base": _queue("base")}}

    # THEN B comes first; the unchanged queue is not in the plan
    assert _summary(plan(stack, template, {})) == [("Add", "B", "create"), ("Add", "A", "create")]


def test_a_create_only_change_replaces_and_its_dependents_follow_as_dynamic_updates() -> None:
    stack = _stack({"Notice": _topic_naming("Queue"), "Queue": _queue("first")})
    template = {"Resources": {"Notice": _topic_naming("Queue"), "Queue": _queue("second")}}

    changes = plan(stack, template, {})

    assert _summary(changes) == [("Modify", "Queue", "replace"), ("Modify", "Notice", "update")]
    queue, notice = changes
    assert (queue.replacement, queue.changed, queue.physical_id) == ("True", {"QueueName"}, "queue-1")
    assert (notice.changed, notice.dynamic) == (frozenset(), {"DisplayName"})


def test_removed_resources_and_those_whose_condition_turns_false_are_removed() -> None:
    stack = _stack({"Gone": _queue("gone"), "Optional": _queue("optional"), "Kept": _queue("kept")})
    template = {
        "Parameters": {"Wanted": {"Type": "String"}},
        "Conditions": {"IsWanted": {"Fn::Equals": [{"Ref": "Wanted"}, "yes"]}},
        "Resources": {"Optional": _queue("optional", Condition="IsWanted"), "Kept": _queue("kept")},
    }

    changes = plan(stack, template, {"Wanted": "no"})

    assert _summary(changes) == [("Remove", "Gone", "delete"), ("Remove", "Optional", "delete")]


def _logs_change(name: str | None = None, **attributes: Any) -> PlannedChange:
    """The plan for a log group whose retention changes from 7 to 14 days through a parameter."""
    properties: dict[str, Any] = {"RetentionInDays": {"Ref": "Days"}}
    if name:
        properties["LogGroupName"] = name
    logs = {"Type": "AWS::Logs::LogGroup", "Properties": properties, **attributes}
    template = {"Parameters": {"Days": {"Type": "Number"}}, "Resources": {"Logs": logs}}
    stack = _stack(template["Resources"], {"Days": "7"})
    (change,) = plan(stack, template, {"Days": "14"})
    return change


def test_a_parameter_change_of_a_type_without_update_replaces_new_first_when_the_name_is_generated() -> None:
    change = _logs_change()

    assert (change.action, change.how, change.replacement, change.changed) == (
        Action.MODIFY,
        How.REPLACE,
        "True",
        {"RetentionInDays"},
    )


def test_a_template_named_resource_without_update_is_replaced_old_first() -> None:
    assert _logs_change("orders").how is How.REPLACE_OLD_FIRST


def test_a_retained_resource_without_update_is_refused_naming_why() -> None:
    change = _logs_change(DeletionPolicy="Retain")

    assert change.how is How.REFUSE
    assert change.reason == (
        "Updating AWS::Logs::LogGroup in place (changed: RetentionInDays) is not supported by the local "
        "cloud; its Retain policy forbids replacing it instead"
    )


def test_a_metadata_only_change_touches_nothing() -> None:
    stack = _stack({"Queue": _queue("q")})
    template = {"Resources": {"Queue": _queue("q", Metadata={"owner": "pets"})}}

    (change,) = plan(stack, template, {})

    assert (change.how, change.replacement, change.changed) == (How.ATTRIBUTES, "False", frozenset())


def test_a_rollback_re_points_what_references_a_restored_resource() -> None:
    # GIVEN the rollback gave Queue its old resource back (its physical id changed again)
    stack = _stack({"Notice": _topic_naming("Queue"), "Queue": _queue("first")})
    template = {"Resources": {"Notice": _topic_naming("Queue"), "Queue": _queue("first")}}

    # WHEN the previous template is planned with Queue renewed THEN only its dependent is updated
    assert plan(stack, template, {}) == []
    assert _summary(plan(stack, template, {}, renewed={"Queue"})) == [("Modify", "Notice", "update")]


def test_a_replacement_that_depends_on_a_replaced_reference_is_conditional() -> None:
    # GIVEN a bucket policy whose create-only Bucket refers to a bucket
    policy = {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": {"Statement": []}},
    }
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "first"}}
    stack = _stack({"Policy": policy, "Bucket": bucket})

    # WHEN the bucket is renamed (replaced)
    renamed = {**bucket, "Properties": {"BucketName": "second"}}
    changes = plan(stack, {"Resources": {"Policy": policy, "Bucket": renamed}}, {})

    # THEN the policy will be replaced if the bucket's name really changes: Conditional, as AWS shows it
    assert _summary(changes) == [("Modify", "Bucket", "replace"), ("Modify", "Policy", "replace")]
    assert [(c.replacement, c.dynamic) for c in changes] == [
        ("True", frozenset()),
        ("Conditional", {"Bucket"}),
    ]
