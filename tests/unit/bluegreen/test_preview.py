"""The preview rule: the command (on, move, off through change sets, under the lock, recorded) and the
switch's use of it (preview smoke and data gate refuse; the preview is cleared whatever the outcome)."""

from __future__ import annotations

import json

import pytest

from bluegreen.aws import Aws
from bluegreen.errors import LockHeld, OperationFailed, Unhealthy, UsageError
from bluegreen.history import History, Record
from bluegreen.lock import Lease
from bluegreen.preflight import PreviewSmoke, preview_smoke_until_served
from bluegreen.preview import Previewer, PreviewOptions
from bluegreen.smoke import CheckResult, SmokeReport
from bluegreen.states import Action, Outcome
from bluegreen.switch import SwitchOptions
from bluegreen.updater import CloudFormationUpdater, Preview
from tests.unit.bluegreen.fakes import DOMAIN, FakeClock, FakeCloud, make_operations, make_switcher

FAST = SwitchOptions(consecutive=3, fail_after=3, verify_timeout=10, verify_interval=0.5, assume_yes=True)
YES = PreviewOptions(assume_yes=True, timeout=5, interval=0.5)
ALICE = "arn:aws:iam::123456789012:user/alice"


def records(aws: Aws, table: str, clock: FakeClock) -> list[Record]:
    return History(aws, table, clock).recent()


def answered_by(cloud: FakeCloud) -> object:
    """The live hostname: the preview rule for its exact header value, else the mapping."""

    def answer(url: str, headers: dict[str, str]) -> str | None:
        assert url == f"https://{DOMAIN}"
        rule = cloud.preview_rule
        if rule.active and headers.get("X-Bluegreen-Preview") == rule.color:
            return cloud.color_of((rule.api_id, rule.stage))
        return cloud.color_of(cloud.mapping)

    return answer


def make_previewer(
    cloud: FakeCloud, aws: Aws, table: str, clock: FakeClock, lines: list[str] | None = None
) -> Previewer:
    out = lines if lines is not None else []
    return Previewer(
        colors=cloud,
        live=cloud,
        updater=cloud,
        operations=make_operations(cloud, aws, table, clock, ALICE, out),
        answered_by=answered_by(cloud),  # type: ignore[arg-type]
        clock=clock,
        sleep=clock.sleep,
        say=out.append,
        confirm=lambda question: True,
        on_event=lambda event: None,
    )


# --- the command ----------------------------------------------------------------------------------------


def test_preview_on_move_and_off_go_through_change_sets_and_are_recorded(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN blue live and no preview
    cloud = FakeCloud()
    previewer = make_previewer(cloud, aws, table, clock)
    # WHEN green is previewed, then the preview removed
    on = previewer.preview("green", YES)
    clock.advance(1)  # history orders records by their start time
    off = previewer.preview("none", YES)
    # THEN each is one executed preview change set; the live mapping never moved
    assert (on.state, off.state) == (Outcome.SUCCEEDED, Outcome.SUCCEEDED)
    assert on.after == Preview("green", "api-green", "Prod") and not off.after.active
    assert cloud.preview_history == ["green", ""]
    assert cloud.executed == [] and cloud.mapping == ("api-blue", "Prod")
    newest, oldest = records(aws, table, clock)
    assert (oldest.action, oldest.from_color, oldest.to_color, oldest.state) == (
        Action.PREVIEW,
        "none",
        "green",
        Outcome.SUCCEEDED,
    )
    assert (newest.from_color, newest.to_color) == ("green", "none")
    assert "served_after_seconds" in oldest.measurements["preview"]
    assert Lease(aws, table, "x", clock).peek() is None  # released


def test_preview_moves_from_one_color_to_the_other_in_one_change(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN green previewed, then green made live by hand (no preview clear) and blue idle
    cloud = FakeCloud()
    cloud.preview_rule = Preview("green", "api-green", "Prod")
    cloud.mapping = cloud.params = ("api-green", "Prod")
    # WHEN blue is previewed THEN the rule moves in one change set
    result = make_previewer(cloud, aws, table, clock).preview("blue", YES)
    assert result.before.color == "green" and result.after.color == "blue"
    assert cloud.preview_history == ["blue"]


def test_previewing_the_live_color_is_a_usage_error_and_changes_nothing(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    with pytest.raises(UsageError, match=r"blue is live on api\.example\.com: preview the idle") as caught:
        make_previewer(cloud, aws, table, clock).preview("blue", YES)
    assert caught.value.exit_code == 2
    assert cloud.plans == [] and not cloud.preview_rule.active


def test_preview_again_is_a_noop_and_dry_run_changes_nothing(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    previewer = make_previewer(cloud, aws, table, clock)
    assert previewer.preview("none", YES).state == Outcome.NOOP
    dry = previewer.preview("green", PreviewOptions(dry_run=True))
    assert dry.state == Outcome.DRY_RUN and cloud.discarded and not cloud.preview_rule.active
    assert records(aws, table, clock) == []


def test_preview_waits_for_the_lock_holder_it_never_races(aws: Aws, table: str, clock: FakeClock) -> None:
    # GIVEN a switch holds the lock
    cloud = FakeCloud()
    holder = Lease(aws, table, "arn:aws:iam::123456789012:user/bob", clock)
    holder.acquire("switch green")
    # WHEN a preview starts THEN it is refused naming the holder, and no change set is made
    with pytest.raises(LockHeld, match="bob"):
        make_previewer(cloud, aws, table, clock).preview("green", YES)
    assert cloud.plans == []
    [record] = records(aws, table, clock)
    assert record.action == Action.PREVIEW and record.state == Outcome.REFUSED


def test_a_preview_the_hostname_never_serves_fails_and_says_so(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    previewer = make_previewer(cloud, aws, table, clock)
    previewer._answered_by = lambda url, headers: "blue"  # the rule never reaches the hostname
    with pytest.raises(Unhealthy, match="did not serve it within 5s"):
        previewer.preview("green", YES)
    [record] = records(aws, table, clock)
    assert record.state == Outcome.FAILED


# --- the switch -----------------------------------------------------------------------------------------


def test_switch_previews_the_target_then_clears_it_after_success(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    lines: list[str] = []
    result = make_switcher(cloud, aws, table, clock, lines=lines).switch("green", FAST)
    assert result.state == Outcome.SUCCEEDED and cloud.color_of(cloud.mapping) == "green"
    # own URL, then behind the domain with the header, then the data gate both ways, then the flip
    assert cloud.smoke_rounds[:2] == [("own", "green"), ("preview", "green")]
    assert cloud.data_gates == [("green", "blue")]
    assert cloud.preview_history == ["green", ""] and not cloud.preview_rule.active
    # the flip itself cleared the preview: two stack updates, not three
    [flip] = cloud.executed
    assert flip.clears_preview and (flip.api_id, flip.preview) == ("api-green", None)
    assert [plan.preview for plan in cloud.plans if plan.preview is not None] == [
        Preview("green", "api-green", "Prod")
    ]
    [record] = records(aws, table, clock)
    assert record.state == Outcome.SUCCEEDED
    assert {"preflight", "preview", "data-gate", "change", "verify"} <= set(record.durations)
    assert record.measurements["preview"]["passed"] is True
    assert record.measurements["preview"]["cleared"] is True
    assert record.measurements["preview"]["cleared_with_switch"] is True
    assert record.measurements["data_gate"]["passed"] is True
    assert any("preview cleared by the same update" in line for line in lines)
    # the operator sees where the time went, phase by phase
    [phases] = [line for line in lines if line.startswith("  phases: ")]
    assert all(f"{name} " in phases for name in ("lock", "preflight", "preview", "change", "verify"))


def test_a_refused_switch_deletes_the_flip_change_set_made_during_the_checks(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN the flip's change set is created while the preview smoke and the data gate run
    cloud = FakeCloud()
    cloud.data_gate_fails = "read on blue (live): HTTP 500, expected 200"
    # WHEN the data gate refuses the switch
    with pytest.raises(Unhealthy, match="refused to switch to green"):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    # THEN that change set was made, never executed, and is deleted; the preview is cleared on its own
    [flip] = [plan for plan in cloud.plans if plan.preview is None]
    assert flip.clears_preview and flip in cloud.discarded
    assert cloud.executed == [] and cloud.leftover_change_sets == []
    assert cloud.preview_history == ["green", ""] and cloud.color_of(cloud.mapping) == "blue"


def test_a_failing_data_gate_refuses_with_its_reason_and_clears_the_preview(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    cloud.data_gate_fails = "read on blue (live): HTTP 500, expected 200"
    with pytest.raises(Unhealthy, match=r"refused to switch to green: data gate failed: read on blue"):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert cloud.executed == [] and cloud.color_of(cloud.mapping) == "blue"
    assert not cloud.preview_rule.active
    [record] = records(aws, table, clock)
    assert record.state == Outcome.REFUSED and "HTTP 500" in record.reason
    assert record.measurements["data_gate"]["passed"] is False


def test_preview_is_cleared_after_a_rollback(aws: Aws, table: str, clock: FakeClock) -> None:
    # GIVEN green passes every preflight check but fails as soon as it takes live traffic
    cloud = FakeCloud()
    cloud.unhealthy_after_switch = "green"
    with pytest.raises(OperationFailed, match="rolled back to blue"):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert cloud.color_of(cloud.mapping) == "blue"
    assert cloud.preview_history == ["green", ""]
    [record] = records(aws, table, clock)
    assert record.state == Outcome.ROLLED_BACK and record.measurements["preview"]["cleared"] is True


def test_preview_is_cleared_after_a_failed_change(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.fail_update = "Rate exceeded"
    with pytest.raises(OperationFailed, match="Rate exceeded"):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert not cloud.preview_rule.active and cloud.preview_history == ["green", ""]


def test_a_preview_that_cannot_be_cleared_is_said_in_one_line_with_the_command(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN a switch the data gate refuses (the flip, which clears the preview too, never runs)
    cloud = FakeCloud()
    cloud.fail_preview_clear = True
    cloud.data_gate_fails = "read on blue (live): HTTP 500, expected 200"
    lines: list[str] = []
    with pytest.raises(Unhealthy, match="data gate failed"):
        make_switcher(cloud, aws, table, clock, lines=lines).switch("green", FAST)
    # THEN the switch's own outcome stands, and the operator is told what to run
    assert any("could not clear the preview" in line and "`bluegreen preview none`" in line for line in lines)
    [record] = records(aws, table, clock)
    assert record.state == Outcome.REFUSED and record.measurements["preview"]["cleared"] is False


def test_a_rollback_command_skips_the_preview_and_the_data_gate(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    make_switcher(cloud, aws, table, clock).switch("green", FAST)
    cloud.healthy["green"] = False
    cloud.preview_history.clear()
    result = make_switcher(cloud, aws, table, clock).switch(None, FAST, action=Action.ROLLBACK)
    assert result.state == Outcome.SUCCEEDED and cloud.color_of(cloud.mapping) == "blue"
    assert cloud.preview_history == [] and cloud.data_gates == [("green", "blue")]


def test_dry_run_switch_sets_no_preview(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    options = SwitchOptions(dry_run=True)
    assert make_switcher(cloud, aws, table, clock).switch("green", options).state == Outcome.DRY_RUN
    assert cloud.preview_history == [] and cloud.data_gates == []


# --- the change set against moto ----------------------------------------------------------------------

TEMPLATE = {
    "Parameters": {
        key: {"Type": "String", "Default": ""}
        for key in ("ActiveApiId", "ActiveApiStage", "PreviewColor", "PreviewApiId", "PreviewApiStage")
    },
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "ActiveApiId"}}}},
}


def test_preview_change_set_changes_only_the_preview_parameters(aws: Aws, clock: FakeClock) -> None:
    aws.cloudformation.create_stack(
        StackName="d",
        TemplateBody=json.dumps(TEMPLATE),
        Parameters=[
            {"ParameterKey": "ActiveApiId", "ParameterValue": "api-blue"},
            {"ParameterKey": "ActiveApiStage", "ParameterValue": "Prod"},
            {"ParameterKey": "PreviewColor", "ParameterValue": "none-yet"},
            {"ParameterKey": "PreviewApiId", "ParameterValue": ""},
            {"ParameterKey": "PreviewApiStage", "ParameterValue": ""},
        ],
    )
    updater = CloudFormationUpdater(aws, "d", [], clock)
    plan = updater.plan_preview(Preview("green", "api-green", "Prod"), "preview-green")
    stack = updater.apply(plan, lambda event: None)
    assert stack.parameters == {
        "ActiveApiId": "api-blue",
        "ActiveApiStage": "Prod",
        "PreviewColor": "green",
        "PreviewApiId": "api-green",
        "PreviewApiStage": "Prod",
    }
    assert updater.preview() == Preview("green", "api-green", "Prod")


def test_the_switch_change_set_moves_the_mapping_and_clears_the_preview_in_one_update(
    aws: Aws, clock: FakeClock
) -> None:
    # GIVEN green previewed while blue is live
    aws.cloudformation.create_stack(
        StackName="d",
        TemplateBody=json.dumps(TEMPLATE),
        Parameters=[
            {"ParameterKey": "ActiveApiId", "ParameterValue": "api-blue"},
            {"ParameterKey": "ActiveApiStage", "ParameterValue": "Prod"},
            {"ParameterKey": "PreviewColor", "ParameterValue": "green"},
            {"ParameterKey": "PreviewApiId", "ParameterValue": "api-green"},
            {"ParameterKey": "PreviewApiStage", "ParameterValue": "Prod"},
        ],
    )
    updater = CloudFormationUpdater(aws, "d", [], clock)
    # WHEN the switch plans the flip with the preview cleared
    plan = updater.plan("api-green", "Prod", "switch", clear_preview=True)
    assert plan.clears_preview
    assert plan.parameter_changes() == [
        ("ActiveApiId", "api-blue", "api-green"),
        ("PreviewColor", "green", ""),
        ("PreviewApiId", "api-green", ""),
        ("PreviewApiStage", "Prod", ""),
    ]
    # THEN one update moves the mapping and empties the preview
    stack = updater.apply(plan, lambda event: None)
    assert stack.parameters == {
        "ActiveApiId": "api-green",
        "ActiveApiStage": "Prod",
        "PreviewColor": "",
        "PreviewApiId": "",
        "PreviewApiStage": "",
    }
    assert not updater.preview().active


def test_a_rollback_change_set_leaves_the_preview_as_it_is(aws: Aws, clock: FakeClock) -> None:
    aws.cloudformation.create_stack(
        StackName="d",
        TemplateBody=json.dumps(TEMPLATE),
        Parameters=[
            {"ParameterKey": "ActiveApiId", "ParameterValue": "api-green"},
            {"ParameterKey": "ActiveApiStage", "ParameterValue": "Prod"},
            {"ParameterKey": "PreviewColor", "ParameterValue": "blue"},
            {"ParameterKey": "PreviewApiId", "ParameterValue": "api-blue"},
            {"ParameterKey": "PreviewApiStage", "ParameterValue": "Prod"},
        ],
    )
    updater = CloudFormationUpdater(aws, "d", [], clock)
    plan = updater.plan("api-blue", "Prod", "rollback")
    assert not plan.clears_preview
    updater.apply(plan, lambda event: None)
    assert updater.preview() == Preview("blue", "api-blue", "Prod")


def test_a_stack_without_the_preview_parameters_names_the_deploy_to_run(aws: Aws, clock: FakeClock) -> None:
    aws.cloudformation.create_stack(
        StackName="d",
        TemplateBody=json.dumps({**TEMPLATE, "Parameters": {"ActiveApiId": {"Type": "String"}}}),
        Parameters=[{"ParameterKey": "ActiveApiId", "ParameterValue": "api-blue"}],
    )
    with pytest.raises(OperationFailed, match="run `bluegreen deploy domain` first"):
        CloudFormationUpdater(aws, "d", [], clock).plan_preview(Preview("green", "a", "Prod"), "p")


# --- the preview smoke's judgement ----------------------------------------------------------------------


def _report(color: str, *, passed: bool, status: int = 201) -> SmokeReport:
    checks = [
        CheckResult("health", True, 200, 1.0),
        CheckResult("order-available-pet", passed, 201 if passed else status, 1.0),
    ]
    return SmokeReport(f"https://{DOMAIN}", checks, environments={color})


def _judge(reports: list[SmokeReport], clock: FakeClock, timeout: float = 10) -> tuple[PreviewSmoke, int]:
    left = list(reports)
    beats: list[None] = []
    result = preview_smoke_until_served(
        lambda: left.pop(0) if len(left) > 1 else left[0],
        "green",
        timeout=timeout,
        clock=clock,
        sleep=clock.sleep,
        say=lambda line: None,
        heartbeat=lambda: beats.append(None),
    )
    return result, len(beats)


def test_rounds_still_answered_by_the_live_color_wait_for_the_rule(clock: FakeClock) -> None:
    # GIVEN the rule reaches the hostname after two rounds
    reports = [_report("blue", passed=False, status=422), _report("blue", passed=True)]
    result, beats = _judge([*reports, _report("green", passed=True)], clock)
    # THEN the blue answers are propagation, not failure; the lock is renewed every round
    assert result.passed and result.rounds == 3 and beats == 3


def test_a_definite_failure_from_the_target_refuses_at_once(clock: FakeClock) -> None:
    result, _ = _judge([_report("green", passed=False, status=500), _report("green", passed=True)], clock)
    assert not result.passed and result.rounds == 1
    assert "behind the preview rule: order-available-pet" in result.reason


def test_a_rule_that_never_reaches_the_hostname_refuses_at_the_deadline(clock: FakeClock) -> None:
    result, _ = _judge([_report("blue", passed=True)], clock, timeout=3)
    assert not result.passed
    assert "never served green behind the preview rule within 3s" in result.reason
