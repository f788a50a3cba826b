"""Switch orchestration in named phases: lock, recover, preflight (the target's own URL), preview (its
smoke suite through the live hostname behind the preview rule), data gate, warm (the target to the live
color's concurrency), change, verify, bake, rollback, record. The preview is cleared before the outcome
is recorded, whatever the outcome.

Every collaborator that touches AWS or HTTP is injected, so the same code runs against AWS, the local cloud,
moto and the fakes the fault-injection tests use.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bluegreen import COLORS
from bluegreen.aws import StackEvent
from bluegreen.data_gate import describe as describe_gate
from bluegreen.errors import (
    BlueGreenError,
    ChangeFailed,
    ConfigError,
    LockLost,
    NoTerminal,
    OperationFailed,
    Unhealthy,
    UsageError,
)
from bluegreen.flip_plan import FlipPlan
from bluegreen.history import History, Record
from bluegreen.live import LiveState, LiveStateReader
from bluegreen.operation import Operations, Run
from bluegreen.preflight import BehindDomainChecks, preview_smoke_until_served
from bluegreen.preview import apply_preview, clear_after
from bluegreen.smoke import SmokeReport
from bluegreen.stacks import ColorStack, ColorStackReader, check_color, other_color
from bluegreen.states import Action, Outcome, Phase
from bluegreen.updater import Plan, Preview, StackUpdater
from bluegreen.verify import AlarmReader, Verification, bake_live, verify_live
from bluegreen.warm import Warmer


@dataclass(frozen=True)
class SwitchOptions:
    consecutive: int = 3
    fail_after: int = 3
    verify_timeout: float = 120.0
    verify_interval: float = 0.5
    preflight_timeout: float = 60.0
    bake_seconds: float = 0.0
    bake_interval: float = 5.0
    dry_run: bool = False
    assume_yes: bool = False
    lease_seconds: float = 60.0

    def __post_init__(self) -> None:
        for name in (
            "verify_timeout",
            "verify_interval",
            "preflight_timeout",
            "bake_seconds",
            "bake_interval",
        ):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise UsageError(f"--{name.replace('_', '-')} must be a finite number >= 0, not {value}")
        if self.verify_interval > self.verify_timeout:
            raise UsageError(
                f"--verify-interval ({self.verify_interval:g}s) must not exceed --verify-timeout "
                f"({self.verify_timeout:g}s)"
            )
        if self.consecutive < 1 or self.fail_after < 1:
            raise UsageError("--consecutive and --fail-after must be at least 1")


@dataclass
class SwitchResult:
    action: str
    state: Outcome
    from_color: str | None
    to_color: str
    message: str
    durations: dict[str, float] = field(default_factory=dict)
    verification: Verification | None = None
    changes: list[str] = field(default_factory=list)
    record_id: str = ""
    measurements: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ver = self.verification
        return {
            "action": self.action,
            "state": str(self.state),
            "from": self.from_color,
            "to": self.to_color,
            "message": self.message,
            "durations": self.durations,
            "convergence_seconds": ver.seconds if ver and ver.converged else None,
            "changes": self.changes,
            "record_id": self.record_id,
            "measurements": self.measurements,
        }


class Refused(BlueGreenError):
    """Preflight said no: nothing was changed."""


@dataclass(frozen=True)
class Previous:
    """Where live traffic went before the change: what a rollback restores."""

    color: str | None
    version: str
    api_id: str
    stage: str


# Runs the smoke suite once against a base URL, expecting a color and a version.
SmokeRunner = Callable[[str, str, str], SmokeReport]


class Switcher:
    def __init__(
        self,
        *,
        colors: ColorStackReader,
        live: LiveStateReader,
        updater: StackUpdater,
        smoke: SmokeRunner,
        alarms: AlarmReader,
        operations: Operations,
        history: History,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        say: Callable[[str], None],
        confirm: Callable[[str], bool],
        behind_domain: BehindDomainChecks | None = None,
        warmer: Warmer | None = None,
    ) -> None:
        self._colors = colors
        self._behind_domain = behind_domain
        self._live = live
        self._updater = updater
        self._smoke = smoke
        self._alarms = alarms
        self._operations = operations
        self._history = history
        self._clock = clock
        self._sleep = sleep
        self._say = say
        self._confirm = confirm
        self._warmer = warmer
        self._run: Run | None = None

    def use_checks(self, behind_domain: BehindDomainChecks) -> Switcher:
        """The preview smoke and the data gate a switch runs before the flip."""
        self._behind_domain = behind_domain
        return self

    # --- entry points ---------------------------------------------------------------------------------

    @property
    def record(self) -> Record | None:
        """The history record of the current (or last) run, once one was written."""
        return self._run.record if self._run else None

    def switch(
        self, target: str | None, options: SwitchOptions, action: Action = Action.SWITCH
    ) -> SwitchResult:
        """Moves live traffic to `target`; None (rollback) picks the target under the lock, after recovery."""
        if target is not None:
            check_color(target)
        if action == Action.SWITCH and self._behind_domain is None:
            raise ConfigError("this switcher has no preview smoke or data gate wired (use_checks)")
        self._run = None
        with self._operations.locked(
            action,
            f"{action} {target or ''}".strip(),
            lease_seconds=options.lease_seconds,
            record_refusal=not options.dry_run,
        ) as run:
            self._run = run
            return self._run_locked(run, target, options, action)

    def rollback_target(self, live: LiveState) -> str:
        """Undo the last traffic move: an interrupted switch goes back to where it came from (an interrupted
        rollback is completed); else the color live before the last successful switch; else the other."""
        last = self._history.last_traffic_move()
        if last is not None and last.state == Outcome.INTERRUPTED:
            target = last.to_color if last.action == Action.ROLLBACK else last.from_color
            if target in COLORS:
                return target
        if last is not None and last.from_color in COLORS and last.from_color != live.color:
            return last.from_color
        if live.color is None:
            raise UsageError(
                "cannot tell which color to roll back to (live API is neither color); use switch"
            )
        return other_color(live.color)

    # --- the switch itself ----------------------------------------------------------------------------

    def _run_locked(
        self, run: Run, target: str | None, options: SwitchOptions, action: Action
    ) -> SwitchResult:
        live = self._live.read()
        if live.stack_status.endswith("_IN_PROGRESS"):
            # Another update (a deploy domain, say) is running: a change set now would be refused.
            self._say(f"custom-domain stack is {live.stack_status}: waiting for it to settle")
            self._updater.settle(self._on_event)
            live = self._live.read()
        if target is None:
            target = self.rollback_target(live)
            self._say(f"rollback target: {target}")
        if live.color == target and not live.drifted:
            message = f"{target} is already live on {live.domain_name}: nothing to do"
            self._say(message)
            return SwitchResult(action, Outcome.NOOP, live.color, target, message, run.durations)
        if live.drifted:
            self._say(
                f"note: mapping serves {live.api_id}/{live.stage} but the stack says "
                f"{live.param_api_id}/{live.param_stage} (drift)"
            )
        target_stack = live.color_stack(target, self._colors)
        live_stack = live.color_stack(live.color, self._colors) if live.color else None
        from_version = live_stack.version if live_stack else ""
        previous = Previous(live.color, from_version, live.api_id, live.stage)
        if not options.dry_run:
            run.begin(
                from_color=live.color or live.api_id,
                to_color=target,
                from_version=from_version,
                to_version=target_stack.version,
            )
        self._say(
            f"{action} {live.color or live.api_id or '?'}->{target} "
            f"({from_version or '?'} -> {target_stack.version or '?'}) on {live.domain_name}"
        )

        # The flip's change set is created in the background while the checks and the warm-up run (a
        # switch: once its preview is set, as the same update clears it); deleted if they stop the switch.
        flip = FlipPlan(self._updater, target_stack, str(action), clear_preview=action == Action.SWITCH)
        if self._warmer is not None and not options.dry_run:
            self._warmer.read_ahead(live_stack)
        try:
            try:
                if action != Action.SWITCH or options.dry_run:
                    flip.start()
                with run.phase(Phase.PREFLIGHT):
                    self._preflight(target_stack, options)
                if action == Action.SWITCH:
                    self._preflight_behind_domain(run, live, live_stack, target_stack, options, flip)
            except Refused as exc:
                flip.discard(self._say)
                run.finish(Outcome.REFUSED, str(exc))
                raise Unhealthy(f"refused to switch to {target}: {exc}; nothing changed") from None

            if self._warmer is not None and not options.dry_run:
                # After the checks, right before the flip: the checks' own requests never queue behind it.
                self._warm(run, self._warmer, live_stack, target_stack)
        except Exception:
            flip.discard(self._say)
            raise
        result = SwitchResult(
            action, Outcome.STARTED, live.color, target, "", run.durations, measurements=run.measurements
        )
        result.record_id = run.record.record_id if run.record else ""
        try:
            with run.phase(Phase.CHANGE):
                plan = flip.result()
                result.changes = self._show_plan(plan)
                if plan.empty:
                    raise ChangeFailed(
                        f"CloudFormation sees nothing to change, yet {live.api_id}/{live.stage} is mapped: "
                        "the stack already names the target (drift); re-run deploy domain"
                    )
                if options.dry_run:
                    self._updater.discard(plan)
                    result.state = Outcome.DRY_RUN
                    result.message = f"dry run: change set shown and deleted; {target} not live"
                    self._say(result.message)
                    return result
                try:
                    confirmed = options.assume_yes or self._confirm(
                        f"Make {target} live on {live.domain_name}?"
                    )
                except NoTerminal as exc:
                    self._updater.discard(plan)
                    run.finish(Outcome.CANCELLED, str(exc))
                    raise
                if not confirmed:
                    self._updater.discard(plan)
                    run.finish(Outcome.CANCELLED, "declined at the confirmation prompt")
                    raise OperationFailed("switch cancelled at the prompt; nothing changed")
                try:
                    run.ensure_held()  # never execute a change after losing the lock
                except BlueGreenError:
                    self._updater.discard(plan)
                    raise
                self._updater.apply(plan, self._on_event)
                if plan.clears_preview:
                    cleared = run.measurements.setdefault("preview", {})
                    cleared.update(cleared=True, cleared_with_switch=True)
                    self._say("preview cleared by the same update")
        except ChangeFailed as exc:
            self._change_failed(run, previous, target, options, str(exc))
        except BlueGreenError:
            raise
        except Exception as exc:
            # The update may or may not have happened: treat it like a failure after the change.
            self._roll_back(
                run, previous, target, options, f"change phase error: {type(exc).__name__}: {exc}"
            )

        failure: str | None = None
        verification: Verification | None = None
        try:
            with run.phase(Phase.VERIFY):
                verification = self._verify(live.url, target, target_stack.version, options, early=True)
                result.verification = verification
                run.measurements["verify"] = verification.to_dict()
                if run.record is not None and verification.converged:
                    run.record.convergence_seconds = round(verification.seconds, 3)
                self._say(verification.summary())
                if not verification.converged:
                    # Raised inside the phase, so the phase ends FAILED before the rollback starts.
                    raise Unhealthy(f"verification failed: {verification.summary()}")
            if failure is None and options.bake_seconds > 0:
                with run.phase(Phase.BAKE):
                    bake = bake_live(
                        lambda: self._smoke(live.url, target, target_stack.version),
                        self._alarms,
                        target_stack.alarm_names,
                        seconds=options.bake_seconds,
                        interval=options.bake_interval,
                        fail_after=options.fail_after,
                        clock=self._clock,
                        sleep=self._sleep,
                        say=self._say,
                        heartbeat=run.check_held,
                    )
                    run.measurements["bake"] = bake.to_dict()
                    if bake.failure is not None:
                        raise Unhealthy(bake.failure)
                    self._say(f"bake: {options.bake_seconds:.0f}s of live smoke passed, no alarm")
        except LockLost:
            raise  # whoever took the lock recovers this run; a lockless rollback would race it
        except BlueGreenError as exc:
            failure = str(exc)
        except Exception as exc:
            failure = f"{type(exc).__name__}: {exc}"
        if failure is not None:
            first_failure = verification.first_failure_at if verification else None
            self._roll_back(run, previous, target, options, failure, first_failure)

        result.state = Outcome.SUCCEEDED
        took = f" in {verification.elapsed:.2f}s" if verification else ""
        result.message = (
            f"{target} ({target_stack.version or '?'}) is live on {live.domain_name}, verified{took}"
        )
        run.finish(Outcome.SUCCEEDED, "")
        self._say(result.message)
        self._say("  phases: " + ", ".join(f"{name} {took:.2f}s" for name, took in run.durations.items()))
        return result

    def _warm(
        self, run: Run, warmer: Warmer, live_stack: ColorStack | None, target_stack: ColorStack
    ) -> None:
        """Starts as many of the target's environments as the live color runs."""
        with run.phase(Phase.WARM):
            warming = warmer.safely(target_stack, live_stack)
            run.measurements["warm"] = warming.to_dict()
            self._say(f"  {warming.summary()}")

    def _preflight(self, target_stack: ColorStack, options: SwitchOptions) -> None:
        """The target's smoke suite on its own URL. No answer in time (a cold start) is retried until the
        deadline; a definite wrong answer refuses at once."""
        problem = target_stack.problem()
        if problem:
            raise Refused(problem)
        deadline = self._clock() + options.preflight_timeout
        attempt = 0
        while True:
            attempt += 1
            report = self._smoke(target_stack.endpoint, target_stack.color, target_stack.version)
            for check in report.results:
                self._say(f"  {check.line()}")
            if report.passed:
                return
            if report.definitely_broken or self._clock() >= deadline:
                names = ", ".join(check.name for check in report.failures)
                raise Refused(f"smoke suite failed on {target_stack.endpoint}: {names}")
            self._say(
                f"  no answer yet (cold start?): attempt {attempt}, retrying until the preflight deadline"
            )
            self._sleep(min(1.0, max(0.0, deadline - self._clock())))

    def _preflight_behind_domain(
        self,
        run: Run,
        live: LiveState,
        live_stack: ColorStack | None,
        target_stack: ColorStack,
        options: SwitchOptions,
        flip: FlipPlan,
    ) -> None:
        """The target's smoke suite through the live hostname behind the preview rule, then the data gate.

        A rollback skips both: it is the way out of a broken live color, which the gate would need and
        the extra stack update would delay."""
        checks = self._behind_domain
        assert checks is not None  # switch() refuses to start without them
        if options.dry_run:
            self._say("dry run: no preview smoke or data gate (setting the preview is a stack update)")
            return
        target = target_stack.color
        with run.phase(Phase.PREVIEW):
            measured: dict[str, Any] = run.measurements.setdefault("preview", {})
            clear_after(run, self._updater, self._on_event, self._say, self._clock, measured)
            started = self._clock()
            try:
                apply_preview(
                    self._updater,
                    run,
                    Preview(target, target_stack.api_id, target_stack.stage),
                    f"preview-{target}",
                    self._on_event,
                    self._say,
                )
            except ChangeFailed as exc:
                raise Refused(f"could not preview {target} on the live hostname: {exc}") from None
            measured["set_seconds"] = round(self._clock() - started, 3)
            flip.start()  # the stack is settled with the preview set: the flip's change set can be made
            smoke = preview_smoke_until_served(
                lambda: checks.preview_smoke(live.url, target, target_stack.version),
                target,
                timeout=options.preflight_timeout,
                clock=self._clock,
                sleep=self._sleep,
                say=self._say,
                heartbeat=run.check_held,
            )
            measured.update(smoke.to_dict())
            if not smoke.passed:
                raise Refused(smoke.reason)
            self._say(f"  preview smoke passed on {live.url} ({smoke.rounds} round(s))")
        with run.phase(Phase.DATA_GATE):
            if live_stack is None:
                note = f"no live color ({live.api_id or 'nothing'} mapped): no release to read orders back"
                run.measurements["data_gate"] = {"skipped": note}
                self._say(f"  data gate: {note}")
                return
            gate = checks.data_gate(target_stack, live_stack)
            run.measurements["data_gate"] = gate.to_dict()
            for step in gate.steps:
                verdict = "PASS" if step.ok else "FAIL"
                status = step.status or "---"
                self._say(f"  {verdict}  {step.name:<28} {status}  {step.ms:7.1f} ms  {step.detail}".rstrip())
            self._say(f"  {describe_gate(gate)}")
            if not gate.passed:
                raise Refused(describe_gate(gate))

    def _show_plan(self, plan: Plan) -> list[str]:
        lines = [
            f"{c.action} {c.logical_id} ({c.resource_type}) replacement={c.replacement or 'n/a'}"
            + (f" [{', '.join(c.details)}]" if c.details else "")
            for c in plan.changes
        ]
        self._say("change set:" + ("" if lines else " (no resource changes)"))
        for name, before, after in plan.parameter_changes():
            self._say(f"  parameter {name}: {before or '-'} -> {after or '-'}")
        for line in lines:
            self._say(f"  {line}")
        return lines

    def _verify(
        self, url: str, color: str, version: str, options: SwitchOptions, *, early: bool
    ) -> Verification:
        run = self._run
        return verify_live(
            lambda: self._smoke(url, color, version),
            color,
            consecutive=options.consecutive,
            fail_after=options.fail_after if early else None,
            timeout=options.verify_timeout,
            interval=options.verify_interval,
            clock=self._clock,
            sleep=self._sleep,
            say=self._say,
            heartbeat=run.check_held if run else (lambda: None),
        )

    def _change_failed(
        self, run: Run, previous: Previous, target: str, options: SwitchOptions, reason: str
    ) -> None:
        """CloudFormation rolled its own update back: prove live still serves the previous color."""
        self._say(f"change failed: {reason}")
        if previous.color is None:
            run.finish(Outcome.FAILED, reason)
            raise ChangeFailed(f"switch to {target} failed: {reason}")
        with run.phase(Phase.VERIFY_PREVIOUS):
            ver = self._verify(self._live.read().url, previous.color, previous.version, options, early=False)
            run.measurements["verify_previous"] = ver.to_dict()
        self._say(ver.summary())
        still = (
            f"live still on {previous.color}" if ver.converged else f"live NOT confirmed on {previous.color}"
        )
        run.finish(Outcome.FAILED, f"{reason}; {still}")
        raise ChangeFailed(f"switch to {target} failed: {reason}; {still}")

    def _roll_back(
        self,
        run: Run,
        previous: Previous,
        target: str,
        options: SwitchOptions,
        failure: str,
        first_failure_at: float | None = None,
    ) -> None:
        self._say(f"FAILED: {failure}")
        if not previous.api_id:
            run.finish(Outcome.FAILED, f"{failure}; nothing mapped before, no rollback")
            raise OperationFailed(
                f"switch to {target} failed ({failure}); no previous mapping to roll back to"
            )
        label = previous.color or previous.api_id
        self._say(f"rolling back to {label}")
        ver: Verification | None = None
        try:
            with run.phase(Phase.ROLLBACK):
                self._updater.settle(self._on_event)
                plan = self._updater.plan(previous.api_id, previous.stage, "auto-rollback")
                self._show_plan(plan)
                self._updater.apply(plan, self._on_event)
                if previous.color:
                    ver = self._verify(
                        self._live.read().url, previous.color, previous.version, options, early=False
                    )
                    run.measurements["verify_previous"] = ver.to_dict()
        except LockLost:
            raise
        except Exception as exc:
            reason = (
                f"{failure}; rollback to {label} FAILED: {exc}. Live may be on {target} or {label}: "
                f"run `bluegreen status`, then `bluegreen switch {label} --yes`"
            )
            run.finish(Outcome.FAILED, reason)
            raise OperationFailed(f"switch to {target} failed and so did the rollback: {reason}") from None
        if first_failure_at is not None:
            # From the first failed live round to live verified back on the previous color.
            run.measurements["recovery_seconds"] = round(self._clock() - first_failure_at, 3)
        if ver is not None:
            self._say(ver.summary())
        if ver is None or ver.converged:
            recovered = run.measurements.get("recovery_seconds")
            took = f" ({recovered:.1f}s after the first failed live round)" if recovered is not None else ""
            run.finish(Outcome.ROLLED_BACK, f"{failure}; rolled back to {label}{took}")
            raise OperationFailed(
                f"switch to {target} failed ({failure}); rolled back to {label}, live verified{took}"
            )
        reason = (
            f"{failure}; rolled back to {label} but it did not verify: {ver.summary()}. "
            f"Run `bluegreen status` and `bluegreen smoke live`"
        )
        run.finish(Outcome.FAILED, reason)
        raise OperationFailed(f"switch to {target} failed: {reason}")

    def _on_event(self, event: StackEvent) -> None:
        reason = f"  {event.reason}" if event.reason else ""
        self._say(f"  {event.timestamp}  {event.logical_id:<24} {event.status}{reason}")
