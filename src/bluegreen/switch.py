"""Switch orchestration in named phases: lock, recover, preflight, change, verify, bake, rollback, record.

Every collaborator that touches AWS or HTTP is injected, so the same code runs against AWS, the local cloud,
moto and the fakes the fault-injection tests use.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bluegreen import history as h
from bluegreen.aws import StackEvent
from bluegreen.errors import BlueGreenError, ChangeFailed, OperationFailed, Unhealthy, UsageError
from bluegreen.history import History, Record
from bluegreen.live import LiveState, LiveStateReader
from bluegreen.lock import SwitchLock
from bluegreen.probe import HealthProber
from bluegreen.smoke import SmokeReport
from bluegreen.stacks import ColorStack, ColorStackReader, check_color, other_color
from bluegreen.updater import Plan, StackUpdater
from bluegreen.verify import Convergence, wait_for_color


@dataclass(frozen=True)
class SwitchOptions:
    consecutive: int = 5
    verify_timeout: float = 120.0
    verify_interval: float = 0.5
    bake_seconds: float = 0.0
    bake_interval: float = 5.0
    dry_run: bool = False
    assume_yes: bool = False
    lock_ttl: float | None = None

    def ttl(self) -> float:
        # Renewed at every phase start; long enough for the slowest phase (a CloudFormation update or bake).
        return self.lock_ttl or 900.0 + 2 * self.verify_timeout + self.bake_seconds


@dataclass
class SwitchResult:
    action: str
    state: str
    from_color: str | None
    to_color: str
    message: str
    durations: dict[str, float] = field(default_factory=dict)
    convergence: Convergence | None = None
    changes: list[str] = field(default_factory=list)
    record_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        conv = self.convergence
        return {
            "action": self.action,
            "state": self.state,
            "from": self.from_color,
            "to": self.to_color,
            "message": self.message,
            "durations": self.durations,
            "convergence_seconds": conv.seconds if conv and conv.converged else None,
            "changes": self.changes,
            "record_id": self.record_id,
        }


class Refused(BlueGreenError):
    """Preflight said no: nothing was changed."""


@dataclass(frozen=True)
class Previous:
    """Where live traffic went before the change: what a rollback restores."""

    color: str | None
    api_id: str
    stage: str


SmokeRunner = Callable[[ColorStack], SmokeReport]
AlarmReader = Callable[[Sequence[str]], dict[str, str]]


class Switcher:
    def __init__(
        self,
        *,
        colors: ColorStackReader,
        live: LiveStateReader,
        updater: StackUpdater,
        prober: HealthProber,
        smoke: SmokeRunner,
        alarms: AlarmReader,
        lock: SwitchLock,
        history: History,
        who: str,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        say: Callable[[str], None],
        confirm: Callable[[str], bool],
    ) -> None:
        self._colors = colors
        self._live = live
        self._updater = updater
        self._prober = prober
        self._smoke = smoke
        self._alarms = alarms
        self._lock = lock
        self._history = history
        self._who = who
        self._clock = clock
        self._sleep = sleep
        self._say = say
        self._confirm = confirm
        self._record: Record | None = None
        self._durations: dict[str, float] = {}

    # --- entry points ---------------------------------------------------------------------------------

    @property
    def record(self) -> Record | None:
        """The history record of the current (or last) run, once one was written."""
        return self._record

    def switch(self, target: str, options: SwitchOptions, action: str = "switch") -> SwitchResult:
        check_color(target)
        self._record = None
        self._durations = {}
        try:
            with self._phase("lock"):
                self._lock.acquire(action, options.ttl())
        except OperationFailed as exc:
            if not options.dry_run:
                self._append_refusal(action, target, str(exc))
            raise
        try:
            result = self._run_locked(target, options, action)
        except Exception as exc:
            if self._record is not None and self._record.state == h.STARTED:
                with contextlib.suppress(Exception):  # keep the original error; the record is best effort
                    self._finish(h.FAILED, f"{type(exc).__name__}: {exc}")
            self._lock.release()
            raise
        except KeyboardInterrupt:
            # Leave the record STARTED: the next run reports it as interrupted and recovers.
            # A hard kill skips even this; the lock then expires on its own.
            self._lock.release()
            raise
        self._lock.release()
        return result

    def rollback_target(self, live: LiveState) -> str:
        """The color live before the last successful switch; else the other color."""
        last = self._history.last_succeeded_switch()
        if last is not None and last.from_color in ("blue", "green") and last.from_color != live.color:
            return last.from_color
        if live.color is None:
            raise UsageError(
                "cannot tell which color to roll back to (live API is neither color); use switch"
            )
        return other_color(live.color)

    def recover(self) -> list[Record]:
        """Marks switches that died mid-way INTERRUPTED after making sure the stack has settled."""
        stale = self._history.started()
        mine = self._record.record_id if self._record else None
        recovered = []
        for record in stale:
            if record.record_id == mine:
                continue
            self._say(
                f"interrupted {record.action} {record.route} by {record.who} at phase "
                f"{record.phase or 'start'} ({record.started_at}): recovering"
            )
            stack = self._updater.settle(self._on_event)
            live = self._live.read()
            health = self._prober.health(live.url)
            state = "healthy" if live.color and health.serves(live.color) else "UNHEALTHY"
            serving = live.color or live.api_id
            note = f"recovered by {self._who}: stack {stack.status}, live on {serving} ({state})"
            self._say(note)
            with contextlib.suppress(OperationFailed):  # another recoverer got there first
                self._history.finish(record, h.INTERRUPTED, note)
            recovered.append(record)
        return recovered

    # --- the switch itself ----------------------------------------------------------------------------

    def _run_locked(self, target: str, options: SwitchOptions, action: str) -> SwitchResult:
        if self._history.started():
            with self._phase("recover"):
                self.recover()
        live = self._live.read()
        if live.stack_status.endswith("_IN_PROGRESS"):
            # Another update (a deploy domain, say) is running: a change set now would be refused.
            self._say(f"custom-domain stack is {live.stack_status}: waiting for it to settle")
            self._updater.settle(self._on_event)
            live = self._live.read()
        if live.color == target and not live.drifted:
            message = f"{target} is already live on {live.domain_name}: nothing to do"
            self._say(message)
            return SwitchResult(action, "NOOP", live.color, target, message, self._durations)
        if live.drifted:
            self._say(
                f"note: mapping serves {live.api_id}/{live.stage} but the stack says "
                f"{live.param_api_id}/{live.param_stage} (drift)"
            )
        previous = Previous(live.color, live.api_id, live.stage)
        target_stack = self._colors.describe(target)
        from_version = self._colors.describe(live.color).version if live.color else ""
        record = self._history.new_record(
            self._who,
            action,
            from_color=live.color or live.api_id,
            to_color=target,
            from_version=from_version,
            to_version=target_stack.version,
        )
        record.durations = self._durations
        if not options.dry_run:
            self._record = self._history.append(record)
            self._lock.renew(record.record_id)
        self._say(
            f"{action} {record.route} ({from_version or '?'} -> {target_stack.version or '?'}) "
            f"on {live.domain_name}"
        )

        try:
            with self._phase("preflight"):
                self._preflight(target_stack)
        except Refused as exc:
            self._finish(h.REFUSED, str(exc))
            raise Unhealthy(f"refused to switch to {target}: {exc}; nothing changed") from None

        result = SwitchResult(
            action, h.STARTED, live.color, target, "", self._durations, record_id=record.record_id
        )
        try:
            with self._phase("change"):
                plan = self._updater.plan(target_stack.api_id, target_stack.stage, action)
                result.changes = self._show_plan(plan)
                if plan.empty:
                    raise ChangeFailed(
                        f"CloudFormation sees nothing to change, yet {live.api_id}/{live.stage} is mapped: "
                        "the stack already names the target (drift); re-run deploy domain"
                    )
                if options.dry_run:
                    self._updater.discard(plan)
                    result.state, result.message = (
                        "DRY_RUN",
                        f"dry run: change set shown and deleted; {target} not live",
                    )
                    self._say(result.message)
                    return result
                if not options.assume_yes and not self._confirm(f"Make {target} live on {live.domain_name}?"):
                    self._updater.discard(plan)
                    self._finish(h.CANCELLED, "declined at the confirmation prompt")
                    raise OperationFailed("switch cancelled at the prompt; nothing changed")
                self._updater.apply(plan, self._on_event)
        except ChangeFailed as exc:
            self._change_failed(previous, target, options, str(exc))
        except BlueGreenError:
            raise
        except Exception as exc:
            # The update may or may not have happened: treat it like a failure after the change.
            self._roll_back(previous, target, options, f"change phase error: {type(exc).__name__}: {exc}")

        failure = None
        try:
            with self._phase("verify"):
                conv = self._verify(live.url, target, options)
                result.convergence = conv
                record.convergence_seconds = round(conv.seconds, 3) if conv.converged else None
                self._say(conv.summary())
                if not conv.converged:
                    failure = f"verification failed: {conv.summary()}; last error: {conv.last_error}"
            if failure is None and options.bake_seconds > 0:
                with self._phase("bake"):
                    failure = self._bake(live.url, target_stack, options)
        except Exception as exc:
            failure = f"{type(exc).__name__}: {exc}"
        if failure is not None:
            self._roll_back(previous, target, options, failure)

        result.state = h.SUCCEEDED
        conv_text = f" in {result.convergence.seconds:.2f}s" if result.convergence else ""
        result.message = (
            f"{target} ({target_stack.version or '?'}) is live on {live.domain_name}, verified{conv_text}"
        )
        self._finish(h.SUCCEEDED, "")
        self._say(result.message)
        return result

    def _preflight(self, target_stack: ColorStack) -> None:
        problem = target_stack.problem()
        if problem:
            raise Refused(problem)
        report = self._smoke(target_stack)
        for check in report.results:
            self._say(f"  {check.line()}")
        if not report.passed:
            names = ", ".join(check.name for check in report.failures)
            raise Refused(f"smoke suite failed on {target_stack.endpoint}: {names}")

    def _show_plan(self, plan: Plan) -> list[str]:
        lines = [
            f"{c.action} {c.logical_id} ({c.resource_type}) replacement={c.replacement or 'n/a'}"
            + (f" [{', '.join(c.details)}]" if c.details else "")
            for c in plan.changes
        ]
        self._say(
            f"change set: ActiveApiId={plan.api_id} ActiveApiStage={plan.stage}"
            + ("" if lines else " (no resource changes)")
        )
        for line in lines:
            self._say(f"  {line}")
        return lines

    def _verify(self, url: str, color: str, options: SwitchOptions) -> Convergence:
        return wait_for_color(
            self._prober,
            url,
            color,
            consecutive=options.consecutive,
            timeout=options.verify_timeout,
            interval=options.verify_interval,
            clock=self._clock,
            sleep=self._sleep,
        )

    def _bake(self, url: str, target_stack: ColorStack, options: SwitchOptions) -> str | None:
        end = self._clock() + options.bake_seconds
        while True:
            health = self._prober.health(url)
            if not health.serves(target_stack.color):
                return f"bake: live answered {health.environment or '-'} ({health.error or 'wrong color'})"
            if target_stack.alarm_names:
                states = self._alarms(target_stack.alarm_names)
                firing = sorted(name for name, state in states.items() if state == "ALARM")
                if firing:
                    return f"bake: alarm(s) in ALARM: {', '.join(firing)}"
            remaining = end - self._clock()
            if remaining <= 0:
                self._say(f"bake: {options.bake_seconds:.0f}s healthy, no alarm")
                return None
            self._sleep(min(options.bake_interval, remaining))

    def _change_failed(self, previous: Previous, target: str, options: SwitchOptions, reason: str) -> None:
        """CloudFormation rolled its own update back: prove live still serves the previous color."""
        self._say(f"change failed: {reason}")
        if previous.color is None:
            self._finish(h.FAILED, reason)
            raise ChangeFailed(f"switch to {target} failed: {reason}")
        with self._phase("verify-previous"):
            conv = self._verify(self._live.read().url, previous.color, options)
        self._say(conv.summary())
        still = (
            f"live still on {previous.color}" if conv.converged else f"live NOT confirmed on {previous.color}"
        )
        self._finish(h.FAILED, f"{reason}; {still}")
        raise ChangeFailed(f"switch to {target} failed: {reason}; {still}")

    def _roll_back(self, previous: Previous, target: str, options: SwitchOptions, failure: str) -> None:
        self._say(f"FAILED: {failure}")
        if not previous.api_id:
            self._finish(h.FAILED, f"{failure}; nothing mapped before, no rollback")
            raise OperationFailed(
                f"switch to {target} failed ({failure}); no previous mapping to roll back to"
            )
        label = previous.color or previous.api_id
        self._say(f"rolling back to {label}")
        try:
            with self._phase("rollback"):
                self._updater.settle(self._on_event)
                plan = self._updater.plan(previous.api_id, previous.stage, "auto-rollback")
                self._show_plan(plan)
                self._updater.apply(plan, self._on_event)
                conv = (
                    self._verify(self._live.read().url, previous.color, options) if previous.color else None
                )
        except Exception as exc:
            reason = f"{failure}; rollback to {label} FAILED: {exc}"
            self._finish(h.FAILED, reason)
            raise OperationFailed(f"switch to {target} failed and so did the rollback: {reason}") from None
        if conv is not None:
            self._say(conv.summary())
        if conv is None or conv.converged:
            self._finish(h.ROLLED_BACK, f"{failure}; rolled back to {label}")
            raise OperationFailed(
                f"switch to {target} failed ({failure}); rolled back to {label}, live verified"
            )
        reason = f"{failure}; rolled back to {label} but it did not verify: {conv.summary()}"
        self._finish(h.FAILED, reason)
        raise OperationFailed(f"switch to {target} failed: {reason}")

    # --- plumbing ---------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _phase(self, name: str) -> Iterator[None]:
        started = self._clock()
        self._say(f"== {name}")
        if self._record is not None:
            self._history.set_phase(self._record, name)
            self._lock.renew(self._record.record_id)
        ok = False
        try:
            yield
            ok = True
        finally:
            took = self._clock() - started
            self._durations[name] = round(self._durations.get(name, 0.0) + took, 3)
            self._say(f"-- {name} {'done' if ok else 'FAILED'} in {took:.2f}s")

    def _finish(self, state: str, reason: str) -> None:
        if self._record is not None:
            self._record.durations = self._durations
            self._history.finish(self._record, state, reason)

    def _append_refusal(self, action: str, target: str, reason: str) -> None:
        record = self._history.new_record(self._who, action, to_color=target, state=h.REFUSED, reason=reason)
        record.durations = self._durations
        with contextlib.suppress(Exception):  # the refusal itself is the important message
            self._history.append(record)

    def _on_event(self, event: StackEvent) -> None:
        reason = f"  {event.reason}" if event.reason else ""
        self._say(f"  {event.timestamp}  {event.logical_id:<24} {event.status}{reason}")
