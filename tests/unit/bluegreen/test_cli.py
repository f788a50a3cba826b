"""The CLI end to end over moto: exit codes, one-line errors, status, smoke, switch, history, deploy."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from bluegreen.cli import main
from bluegreen.states import Outcome
from tests.unit.bluegreen.fakes import FakeClock
from tests.unit.bluegreen.world import DOMAIN, World, build_world


@pytest.fixture
def world(moto: None, tmp_path: Path, clock: FakeClock) -> World:
    return build_world(tmp_path, clock)


def run_cli(
    world: World | None,
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    domain_follows_stack: bool = False,
) -> tuple[int, str, str]:
    kwargs = {"context_factory": world.context_factory(domain_follows_stack)} if world else {}
    prefix = ["--project-dir", str(world.root)] if world else []
    with pytest.raises(SystemExit) as exited:
        main([*prefix, *args], **kwargs)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_bad_color_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(None, ["switch", "purple"], capsys)
    assert code == 2 and "purple" in err


def test_missing_samconfig_is_a_configuration_error_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(None, ["--project-dir", str(tmp_path), "smoke", "blue"], capsys)
    assert code == 2
    assert err.strip().count("\n") == 0 and "samconfig not found" in err and "Traceback" not in err


def test_debug_reraises_for_the_traceback(tmp_path: Path) -> None:
    from bluegreen.errors import ConfigError

    with pytest.raises(ConfigError):
        main(["--debug", "--project-dir", str(tmp_path), "smoke", "blue"])


def test_help_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (
        [],
        ["status"],
        ["deploy"],
        ["smoke"],
        ["switch"],
        ["rollback"],
        ["history"],
        ["decommission"],
        ["unlock"],
    ):
        code, out, _ = run_cli(None, [*command, "--help"], capsys)
        assert code == 0 and "Usage: bluegreen" in out


def test_status_healthy_and_in_sync_exits_zero(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(world, ["status", "--json"], capsys)
    report = json.loads(out)
    assert code == 0, report["problems"]
    assert report["live"]["color"] == "blue" and report["live"]["drifted"] is False
    assert [(c["color"], c["healthy"], c["live"]) for c in report["colors"]] == [
        ("blue", True, True),
        ("green", True, False),
    ]


def test_status_reports_drift_from_the_actual_mapping_and_exits_one(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.remap("green")  # someone moved the mapping behind CloudFormation's back
    code, out, err = run_cli(world, ["status"], capsys)
    assert code == 1
    assert "live     green" in out and "DRIFTED" in out
    assert "drift" in err


def test_status_exits_one_when_a_color_is_unhealthy(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.pet_apis["green"].faults.add("health-500")
    code, out, _ = run_cli(world, ["status"], capsys)
    assert code == 1 and "UNHEALTHY" in out


def test_smoke_color_prints_one_line_per_check(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(world, ["smoke", "green"], capsys)
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:-1]] == ["PASS"] * 6


def test_smoke_live_says_which_color_and_version_answered(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(world, ["smoke", "live"], capsys)
    assert code == 0 and out.splitlines()[-1] == "answered by blue 1.0.0"
    code, out, _ = run_cli(world, ["smoke", "live", "--json"], capsys)
    assert json.loads(out)["answered_by"] == [{"color": "blue", "version": "1.0.0"}]


def test_smoke_unhealthy_url_exits_one(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.pet_apis["blue"].faults.add("bad-json-502")
    code, out, err = run_cli(world, ["smoke", world.endpoint("blue"), "--json"], capsys)
    assert code == 1 and json.loads(out)["passed"] is False and "1 of 6 smoke checks failed" in err


def test_smoke_rejects_an_unknown_target(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(world, ["smoke", "purple"], capsys)
    assert code == 2 and "blue, green, live or an http(s) URL" in err


def test_switch_through_cloudformation_changes_only_the_api_and_records_history(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # The live hostname follows the stack's ActiveApiId, as API Gateway does after the real update.
    code, out, err = run_cli(world, ["switch", "green", "--yes", "--json"], capsys, domain_follows_stack=True)
    assert code == 0, err
    result = json.loads(out)
    assert result["state"] == Outcome.SUCCEEDED and result["convergence_seconds"] == 0
    assert world.domain_parameter("ActiveApiId") == world.apis["green"]
    assert world.domain_parameter("CertificateArn") == "arn:cert"  # untouched (UsePreviousValue)
    assert world.domain_parameter("SecurityPolicy") == "TLS_1_2"
    code, out, _ = run_cli(world, ["history", "--json"], capsys)
    [record] = json.loads(out)
    assert (record["action"], record["from_color"], record["to_color"], record["state"]) == (
        "switch",
        "blue",
        "green",
        Outcome.SUCCEEDED,
    )
    assert record["who"].endswith(":123456789012:user/moto")  # from sts get_caller_identity


def test_switch_that_never_converges_rolls_back_through_cloudformation(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # The live hostname keeps answering blue (the mapping never moves): verification fails, rollback runs.
    code, out, err = run_cli(
        world,
        ["switch", "green", "--yes", "--verify-timeout", "5", "--verify-interval", "0.5", "--json"],
        capsys,
    )
    assert code == 1
    assert json.loads(out)["state"] == Outcome.ROLLED_BACK  # --json reports the failure on stdout too
    assert "rolled back to blue, live verified" in err.splitlines()[-1]
    assert world.domain_parameter("ActiveApiId") == world.apis["blue"]
    code, out, _ = run_cli(world, ["history"], capsys)
    assert "ROLLED_BACK" in out


def test_switch_dry_run_leaves_stack_and_history_alone(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(world, ["switch", "green", "--dry-run"], capsys)
    assert code == 0 and "dry run" in out
    assert world.domain_parameter("ActiveApiId") == world.apis["blue"]
    summaries = world.cf.list_change_sets(StackName="petstore-custom-domain")["Summaries"]
    assert [s["ChangeSetName"] for s in summaries if s["ChangeSetName"].startswith("bluegreen-")] == []
    code, out, _ = run_cli(world, ["history"], capsys)
    assert "no history yet" in out


def test_switch_to_the_live_color_is_a_noop(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(world, ["switch", "blue", "--yes"], capsys)
    assert code == 0 and "already live" in out


def test_switch_refuses_an_unhealthy_target(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.pet_apis["green"].faults.add("health-500")
    code, _, err = run_cli(world, ["switch", "green", "--yes"], capsys)
    assert code == 1 and "refused to switch to green" in err
    assert world.domain_parameter("ActiveApiId") == world.apis["blue"]


def test_deploy_refuses_the_live_color_unless_forced(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(world, ["deploy", "blue"], capsys)
    assert code == 1 and "blue is LIVE" in err and world.sam_calls == []
    code, _, err = run_cli(world, ["deploy", "blue", "--force"], capsys)
    assert code == 0, err
    build, deploy = world.sam_calls
    assert build[1:3] == ["build", "--template-file"] and deploy[1] == "deploy"
    config = deploy[deploy.index("--config-file") + 1]
    assert Path(config).is_absolute() and config.endswith("samconfig/blue.toml")
    assert deploy[deploy.index("--template-file") + 1].endswith(".aws-sam/blue/build/template.yaml")
    assert "--no-fail-on-empty-changeset" in deploy


def test_deploy_idle_color_with_nothing_to_change_says_so(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.sam_output = ["No changes to deploy. Stack petstore-green is up to date"]
    code, out, _ = run_cli(world, ["deploy", "green"], capsys)
    assert code == 0 and "nothing to change" in out


def test_deploy_domain_passes_every_parameter_keeping_the_live_color(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    from tests.unit.bluegreen.test_aws import _self_signed

    zone = boto3.client("route53").create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"][
        "Id"
    ]
    cert, key = _self_signed(DOMAIN)
    arn = boto3.client("acm", region_name="us-east-1").import_certificate(Certificate=cert, PrivateKey=key)[
        "CertificateArn"
    ]
    world.remap("green")
    code, _, err = run_cli(world, ["deploy", "domain"], capsys)
    assert code == 0, err
    [deploy] = world.sam_calls
    overrides = dict(item.split("=", 1) for item in deploy[deploy.index("--parameter-overrides") + 1].split())
    assert overrides == {
        "CustomDomainName": DOMAIN,
        "ActiveApiId": world.apis["green"],
        "ActiveApiStage": "Prod",
        "PublicHostedZoneId": zone.rsplit("/", 1)[-1],
        "CertificateArn": arn,
    }


def test_decommission_refuses_the_live_color_and_a_recently_live_one(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(world, ["decommission", "blue", "--yes"], capsys)
    assert code == 1 and "it is live" in err
    code, _, err = run_cli(world, ["switch", "green", "--yes"], capsys, domain_follows_stack=True)
    assert code == 0, err
    world.remap("green")  # what the real update did to the mapping
    code, _, err = run_cli(world, ["decommission", "blue", "--yes", "--grace", "1h"], capsys)
    assert code == 1 and "was live 0 min ago" in err
    world.clock.advance(3601)
    code, out, err = run_cli(world, ["decommission", "blue", "--yes"], capsys)
    assert code == 0, err
    assert "deleted petstore-blue" in out
    assert "petstore-blue" not in [
        s["StackName"]
        for s in world.cf.list_stacks(StackStatusFilter=["CREATE_COMPLETE", "UPDATE_COMPLETE"])[
            "StackSummaries"
        ]
    ]
    code, out, _ = run_cli(world, ["history", "--json"], capsys)
    assert json.loads(out)[0]["action"] == "decommission" and json.loads(out)[0]["state"] == Outcome.SUCCEEDED


def test_status_and_switch_report_an_interrupted_switch_and_recover(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a switch that died in its change phase on another host: its record is STARTED, its lease lapsed
    from bluegreen.aws import Aws
    from bluegreen.history import History
    from bluegreen.lock import Lease

    aws = Aws(boto3.Session(region_name="us-east-1"), clock=world.clock, sleep=world.clock.sleep)
    history = History(aws, world.table_name(), world.clock)
    dead = history.append(
        history.new_record("arn:aws:iam::1:user/carol", "switch", from_color="blue", to_color="green")
    )
    history.set_phase(dead, "change")
    lease = Lease(aws, world.table_name(), "arn:aws:iam::1:user/carol", world.clock, host="ci-9", pid=9)
    lease.acquire("switch green")
    lease.renew(dead.record_id)
    world.clock.advance(61)
    # WHEN status runs, it shows the stale lock and the interrupted switch, and exits 1
    code, out, _ = run_cli(world, ["status"], capsys)
    assert code == 1
    assert "lock     STALE: `switch green` by carol on ci-9 pid 9" in out
    assert "interrupted switch blue->green by carol at phase change" in out
    # AND the next switch takes the lock over, recovers it (INTERRUPTED) and leaves live on a healthy color
    code, out, err = run_cli(world, ["switch", "blue", "--yes"], capsys)
    assert code == 0, err
    assert "interrupted switch blue->green" in out and "blue is already live" in out
    code, out, _ = run_cli(world, ["history", "--json"], capsys)
    states = {r["record_id"]: r["state"] for r in json.loads(out)}
    assert states[dead.record_id] == "INTERRUPTED"
    code, out, _ = run_cli(world, ["status"], capsys)
    assert code == 0 and "lock     free" in out


def test_rollback_after_a_switch_returns_to_the_previous_color(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(world, ["switch", "green", "--yes"], capsys, domain_follows_stack=True)
    assert code == 0, err
    world.remap("green")  # what the real update did to the mapping
    code, out, err = run_cli(world, ["rollback", "--yes", "--json"], capsys, domain_follows_stack=True)
    assert code == 0, err
    assert json.loads(out)["to"] == "blue" and "rollback target: blue" in err
    assert world.domain_parameter("ActiveApiId") == world.apis["blue"]


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[3] / "src"), "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "bluegreen", "switch", "purple"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2 and "purple" in done.stderr


def test_deploy_domain_will_not_move_traffic_without_force(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(world, ["deploy", "domain", "--color", "green"], capsys)
    assert code == 1 and "bluegreen switch green" in err and world.sam_calls == []


@pytest.mark.parametrize(
    "options",
    [
        ["--bake", "nan"],
        ["--bake", "inf"],
        ["--bake", "1e308"],
        ["--lock-ttl", "inf"],
        ["--lock-ttl", "1e300"],
        ["--verify-timeout", "1e308"],
        ["--verify-interval", "30", "--verify-timeout", "10"],
    ],
)
def test_numeric_options_accept_only_finite_values_in_range(
    world: World, capsys: pytest.CaptureFixture[str], options: list[str]
) -> None:
    code, _, err = run_cli(world, ["switch", "green", "--yes", *options], capsys)
    assert code == 2
    assert err.strip().count("\n") == 0 and "Traceback" not in err and "usage error" in err
    assert world.domain_parameter("ActiveApiId") == world.apis["blue"]


def test_unlock_breaks_a_held_lock_on_the_record(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    from bluegreen.aws import Aws
    from bluegreen.history import History
    from bluegreen.lock import Lease

    # GIVEN carol's switch holds the lock (alive, on another host)
    aws = Aws(boto3.Session(region_name="us-east-1"), clock=world.clock, sleep=world.clock.sleep)
    history = History(aws, world.table_name(), world.clock)
    hers = history.append(history.new_record("carol", "switch", from_color="blue", to_color="green"))
    lease = Lease(aws, world.table_name(), "carol", world.clock, host="ci-9", pid=9)
    lease.acquire("switch green")
    lease.renew(hers.record_id)
    code, _, err = run_cli(world, ["unlock", "--reason", "stuck"], capsys)
    assert code == 2 and "--force" in err  # never by accident
    # WHEN an operator breaks it on purpose, a second later
    world.clock.advance(1)
    code, out, err = run_cli(world, ["unlock", "--force", "--reason", "carol's laptop died"], capsys)
    # THEN the lock is free, her run is INTERRUPTED, and the unlock is on record with its reason
    assert code == 0, err
    assert "broken and recorded" in out and lease.peek() is None
    code, out, _ = run_cli(world, ["history", "--json"], capsys)
    latest, *_ = json.loads(out)
    by_id = {r["record_id"]: r for r in json.loads(out)}
    assert latest["action"] == "unlock" and "carol's laptop died" in latest["reason"]
    assert by_id[hers.record_id]["state"] == "INTERRUPTED"
    assert "lock broken by" in by_id[hers.record_id]["reason"]
    code, out, _ = run_cli(world, ["unlock", "--force", "--reason", "again"], capsys)
    assert code == 0 and "no lock is held" in out


def test_status_shows_alarm_states_and_exits_one_when_the_live_color_alarms(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    for color in ("blue", "green"):
        cloudwatch.put_metric_alarm(
            AlarmName=f"{color}-5xx",
            MetricName="5XXError",
            Namespace="AWS/ApiGateway",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
        cloudwatch.set_alarm_state(AlarmName=f"{color}-5xx", StateValue="OK", StateReason="t")
    code, out, _ = run_cli(world, ["status"], capsys)
    assert code == 0 and "healthy  1 OK" in out
    cloudwatch.set_alarm_state(AlarmName="green-5xx", StateValue="ALARM", StateReason="idle color")
    code, _, _ = run_cli(world, ["status"], capsys)
    assert code == 0  # the idle color's alarm does not make live unhealthy
    cloudwatch.set_alarm_state(AlarmName="blue-5xx", StateValue="ALARM", StateReason="fault injected")
    code, out, _ = run_cli(world, ["status", "--json"], capsys)
    report = json.loads(out)
    assert code == 1 and "live blue has alarm(s) in ALARM: blue-5xx" in report["problems"]
    assert report["colors"][0]["alarms"] == {"blue-5xx": "ALARM"}


def test_history_works_before_any_domain_stack_and_says_when_the_data_stack_is_missing(
    moto: None, tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.unit.bluegreen.world import write_project

    world = World(root=write_project(tmp_path), clock=clock)
    code, _, err = run_cli(world, ["history"], capsys)
    assert code == 2 and "data stack petstore-data does not exist" in err and "deploy data" in err
    world.create_data()
    code, out, err = run_cli(world, ["history"], capsys)
    assert code == 0, err
    assert "no history yet" in out


def test_deploy_data_runs_sam_deploy_of_the_data_stack_without_a_build(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(world, ["deploy", "data"], capsys)
    assert code == 0, err
    assert "petstore-data: deployed" in out
    [deploy] = world.sam_calls
    assert deploy[1] == "deploy" and deploy[deploy.index("--config-file") + 1].endswith("samconfig/data.toml")
    assert deploy[deploy.index("--template-file") + 1].endswith("stacks/data-stack.yaml")


def test_deploy_rechecks_under_the_lock_that_its_color_is_not_live(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a switch makes green live while `deploy green` is building
    plain_runner = world.runner

    def switch_during_build(argv: object, echo: object, cwd: object = None) -> tuple[int, list[str]]:
        result = plain_runner(argv, echo)
        if list(argv)[1] == "build":  # type: ignore[call-overload]
            world.remap("green")
        return result

    world.runner = switch_during_build  # type: ignore[method-assign]
    # WHEN the deploy reaches its lock THEN it refuses: untested code never reaches the live color
    code, _, err = run_cli(world, ["deploy", "green"], capsys)
    assert code == 1 and "green is LIVE" in err
    assert [call[1] for call in world.sam_calls] == ["build"]


def test_a_switch_while_a_deploy_holds_the_lock_is_refused(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN `deploy green` is running sam deploy (holding the lock)
    plain_runner = world.runner
    seen: dict[str, tuple[int, str]] = {}

    def switch_during_deploy(argv: object, echo: object, cwd: object = None) -> tuple[int, list[str]]:
        if list(argv)[1] == "deploy":  # type: ignore[call-overload]
            with pytest.raises(SystemExit) as exited:
                main(["--project-dir", str(world.root), "switch", "green", "--yes"], **world_kwargs)
            seen["switch"] = (int(exited.value.code or 0), capsys.readouterr().err)
        return plain_runner(argv, echo)

    world.runner = switch_during_deploy  # type: ignore[method-assign]
    world_kwargs = {"context_factory": world.context_factory()}
    code, _, err = run_cli(world, ["deploy", "green"], capsys)
    # THEN the switch was refused naming the deploy, and the deploy went on
    assert code == 0, err
    switch_code, switch_err = seen["switch"]
    assert switch_code == 1 and "`deploy green`" in switch_err
    assert world.domain_parameter("ActiveApiId") == world.apis["blue"]


def test_deleting_the_live_color_is_refused_before_anything_is_touched(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(world, ["decommission", "blue", "--yes", "--force"], capsys)
    assert code == 1 and "refusing to delete blue: it is live" in err and "nothing touched" in err
    assert (
        world.cf.describe_stacks(StackName="petstore-blue")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    )
    code, out, _ = run_cli(world, ["history"], capsys)
    assert "no history yet" in out  # refused before the lock: nothing started


def test_a_color_can_be_deleted_once_the_domain_stack_is_gone(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.cf.delete_stack(StackName="petstore-custom-domain")
    code, out, err = run_cli(world, ["decommission", "green", "--yes", "--force"], capsys)
    assert code == 0, err
    assert "deleted petstore-green" in out


def test_preview_command_sets_and_clears_the_rule_through_the_stack(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN blue live; WHEN green is previewed THEN only the Preview* parameters change, and the live
    # hostname sends the header to green while everyone else stays on blue
    code, out, err = run_cli(world, ["preview", "green", "--yes", "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["to"] == "green"
    assert world.domain_parameter("PreviewColor") == "green"
    assert world.domain_parameter("PreviewApiId") == world.apis["green"]
    assert world.domain_parameter("ActiveApiId") == world.apis["blue"]
    assert world.domain_parameter("CertificateArn") == "arn:cert"  # untouched (UsePreviousValue)
    # WHEN it is removed THEN all three are empty again
    code, _, err = run_cli(world, ["preview", "none", "--yes"], capsys)
    assert code == 0, err
    assert [world.domain_parameter(k) for k in ("PreviewColor", "PreviewApiId", "PreviewApiStage")] == [
        ""
    ] * 3
    code, out, _ = run_cli(world, ["history", "--json"], capsys)
    assert [r["action"] for r in json.loads(out)] == ["preview", "preview"]


def test_preview_of_the_live_color_is_refused_in_one_line_with_exit_two(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(world, ["preview", "blue", "--yes"], capsys)
    assert code == 2
    assert err.strip().count("\n") == 0 and "blue is live" in err


def test_the_switch_smoke_and_data_gate_orders_are_all_marked_synthetic(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(world, ["switch", "green", "--yes"], capsys, domain_follows_stack=True)
    assert code == 0, err
    placed = world.pet_apis["blue"].synthetic + world.pet_apis["green"].synthetic
    assert len(placed) >= 4 and all(placed)  # own-URL, preview, data gate both ways, verify rounds
    assert world.domain_parameter("PreviewColor") == ""  # cleared at the end
