"""The factory handed to every command: it builds sessions, clients and collaborators once, lazily.

Commands never create boto3 sessions or HTTP sessions themselves; tests swap what they need here.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path

import click
import requests

from bluegreen import http
from bluegreen.aws import Aws, StackEvent
from bluegreen.aws.base import BotocoreSession, Session
from bluegreen.config import Project
from bluegreen.errors import NoTerminal
from bluegreen.history import History
from bluegreen.live import ApiGatewayLiveReader, DomainStack, read_domain_stack
from bluegreen.lock import DEFAULT_LEASE, Lease
from bluegreen.operation import Operations
from bluegreen.probe import HttpHealthProber
from bluegreen.recovery import Recovery
from bluegreen.sam import Runner, Sam, run_streaming
from bluegreen.smoke import SmokeReport, SmokeSuite
from bluegreen.stacks import CloudFormationColorStacks, ColorStack, switch_table_name
from bluegreen.switch import Switcher
from bluegreen.updater import CloudFormationUpdater
from bluegreen.warm import HttpWarmSender, Warmer, WarmPolicy


class AppContext:
    def __init__(
        self,
        project_dir: Path,
        config_env: str,
        *,
        debug: bool = False,
        json_output: bool = False,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        boto_session_factory: Callable[..., Session] = BotocoreSession,
        http_session_factory: Callable[[], requests.Session] = http.new_session,
        sam_runner: Runner = run_streaming,
        heartbeat: bool = True,
    ) -> None:
        self.project = Project(project_dir, config_env)
        self.debug = debug
        self.json_output = json_output
        self.clock = clock
        self.sleep = sleep
        self._boto_session_factory = boto_session_factory
        self._http_session_factory = http_session_factory
        self._sam_runner = sam_runner
        self._heartbeat = heartbeat

    # --- output -----------------------------------------------------------------------------------------

    def say(self, line: str) -> None:
        """Progress lines: stdout normally, stderr with --json so stdout stays one JSON document."""
        click.echo(line, err=self.json_output)

    def confirm(self, question: str) -> bool:
        if not sys.stdin.isatty():
            # Never hang a pipeline on a prompt: non-interactive runs must pass --yes.
            raise NoTerminal(f"no terminal to ask {question!r}: nothing changed; pass --yes to confirm")
        return click.confirm(question, default=False, err=True)

    # --- clients ----------------------------------------------------------------------------------------

    @cached_property
    def region(self) -> str | None:
        return self.project.deploy_config("custom-domain").region

    @cached_property
    def aws(self) -> Aws:
        return Aws(self._boto_session_factory(region_name=self.region), clock=self.clock, sleep=self.sleep)

    @cached_property
    def http(self) -> requests.Session:
        return self._http_session_factory()

    @cached_property
    def who(self) -> str:
        return self.aws.caller_arn()

    # --- collaborators ----------------------------------------------------------------------------------

    @cached_property
    def colors(self) -> CloudFormationColorStacks:
        return CloudFormationColorStacks(self.aws, self.project)

    @cached_property
    def domain(self) -> DomainStack:
        return read_domain_stack(self.aws, self.project)

    @cached_property
    def live(self) -> ApiGatewayLiveReader:
        return ApiGatewayLiveReader(self.aws, self.project, self.colors)

    @cached_property
    def prober(self) -> HttpHealthProber:
        return HttpHealthProber(self.http)

    @cached_property
    def table_name(self) -> str:
        return switch_table_name(self.aws, self.project)

    @cached_property
    def history(self) -> History:
        return History(self.aws, self.table_name, self.clock)

    def domain_exists(self) -> bool:
        return self.aws.describe_stack(self.project.deploy_config("custom-domain").stack_name) is not None

    def lease(self, lease_seconds: float = DEFAULT_LEASE) -> Lease:
        return Lease(self.aws, self.table_name, self.who, self.clock, lease_seconds=lease_seconds)

    def on_event(self, event: StackEvent) -> None:
        reason = f"  {event.reason}" if event.reason else ""
        self.say(f"  {event.timestamp}  {event.logical_id:<24} {event.status}{reason}")

    @cached_property
    def operations(self) -> Operations:
        # Who is asking (STS) is read while the table is looked up (CloudFormation): independent round trips.
        caller_arn = self.aws.caller_arn  # the session is made here, not by both threads at once
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bluegreen-who") as pool:
            asking = pool.submit(caller_arn)
            history = self.history
            self.who = asking.result()  # cached as `who` would cache it
        recovery = Recovery(
            domain_exists=self.domain_exists,
            updater=self.updater,
            live=self.live,
            prober=self.prober,
            on_event=self.on_event,
        )
        return Operations(
            lease_factory=self.lease,
            history=history,
            who=self.who,
            clock=self.clock,
            say=self.say,
            recover=recovery,
            heartbeat=self._heartbeat,
        )

    def smoke_run(self, base_url: str, color: str, version: str) -> SmokeReport:
        return SmokeSuite(self.http, expect_color=color, expect_version=version or None).run(base_url)

    def smoke(self, stack: ColorStack) -> SmokeReport:
        return self.smoke_run(stack.endpoint, stack.color, stack.version)

    def sam(self) -> Sam:
        return Sam(self.project.root, self.say, self._sam_runner)

    def updater(self) -> CloudFormationUpdater:
        config = self.project.deploy_config("custom-domain")
        return CloudFormationUpdater(self.aws, config.stack_name, config.capabilities, self.clock)

    def switcher(self) -> Switcher:
        return Switcher(
            colors=self.colors,
            live=self.live,
            updater=self.updater(),
            smoke=self.smoke_run,
            alarms=self.aws.alarm_states,
            operations=self.operations,
            history=self.history,
            clock=self.clock,
            sleep=self.sleep,
            say=self.say,
            confirm=self.confirm,
            warmer=self.warmer(),
        )

    def warmer(self) -> Warmer:
        settings = self.project.switch_settings()
        return Warmer(
            WarmPolicy(floor=settings.warm_floor, cap=settings.warm_cap, paths=settings.warm_paths),
            self.aws.peak_concurrency,
            HttpWarmSender(self._http_session_factory, self.clock),
            self.clock,
        )
