"""Every command that changes the mapping or a color stack runs inside `Operations.locked`: the lock (a
lease with a heartbeat), recovery of runs that died holding it, and the run's history record.

A dead run (its lease lapsed, its process is gone, or `unlock --force` broke its lock) is recorded
INTERRUPTED after `recover` settled what it left (a stack update in progress, an unexecuted change set).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from bluegreen.errors import LockHeld, OperationFailed
from bluegreen.history import History, Record
from bluegreen.lock import DEFAULT_LEASE, Heartbeat, Lease, LockInfo
from bluegreen.states import Action, Outcome, Phase

# Settles what an interrupted run left behind; returns a note for its record.
Recover = Callable[[Record], str]
LeaseFactory = Callable[[float], Lease]


class Run:
    """One locked command: its phases, measurements and (once begun) its history record."""

    def __init__(
        self,
        history: History,
        lease: Lease,
        heartbeat: Heartbeat | None,
        who: str,
        action: Action,
        command: str,
        clock: Callable[[], float],
        say: Callable[[str], None],
    ) -> None:
        self._history = history
        self._lease = lease
        self._heartbeat = heartbeat
        self.who = who
        self.action = action
        self.command = command
        self._clock = clock
        self._say = say
        self.record: Record | None = None
        self.durations: dict[str, float] = {}
        self.measurements: dict[str, Any] = {}
        self._before_finish: list[Callable[[], None]] = []

    def before_finish(self, cleanup: Callable[[], None]) -> None:
        """Runs `cleanup` once, just before the outcome is written (whatever it is), so what it measured
        is on the record. A killed run never gets there: recovery or the next run settles what it left."""
        self._before_finish.append(cleanup)

    def begin(self, **fields: Any) -> Record:
        """Writes the STARTED record (from here a kill leaves a trace) and ties it to the lock."""
        record = self._history.new_record(self.who, str(self.action), command=self.command, **fields)
        record.durations = self.durations
        record.measurements = self.measurements
        self.record = self._history.append(record)
        self._lease.renew(record.record_id)
        return record

    def ensure_held(self) -> None:
        """Raises LockLost if another run took the lock: call before every change."""
        if self._heartbeat is not None:
            self._heartbeat.ensure_held()
        self._lease.renew()

    def check_held(self) -> None:
        """Between phases and rounds: the heartbeat's verdict when one runs (it renews on its own), else a
        renewal. Every change still calls ensure_held, which renews synchronously."""
        if self._heartbeat is not None:
            self._heartbeat.ensure_held()
        else:
            self._lease.renew()

    @contextlib.contextmanager
    def phase(self, name: Phase) -> Iterator[None]:
        started = self._clock()
        self._say(f"== {name}")
        if self.record is not None:
            self._history.set_phase(self.record, name)
            self.check_held()
        ok = False
        try:
            yield
            ok = True
        finally:
            took = self._clock() - started
            self.durations[str(name)] = round(self.durations.get(str(name), 0.0) + took, 3)
            self._say(f"-- {name} {'done' if ok else 'FAILED'} in {took:.2f}s")

    def finish(self, outcome: Outcome, reason: str = "") -> None:
        while self._before_finish:
            self._before_finish.pop()()
        if self.record is not None and self.record.state == Outcome.STARTED:
            self._history.finish(self.record, outcome, reason or self.record.reason)

    def finish_quietly(self, outcome: Outcome, reason: str) -> None:
        """Best effort on the way out of a failure: the original error matters more."""
        with contextlib.suppress(Exception):
            self.finish(outcome, reason)


class Operations:
    def __init__(
        self,
        *,
        lease_factory: LeaseFactory,
        history: History,
        who: str,
        clock: Callable[[], float],
        say: Callable[[str], None],
        recover: Recover,
        heartbeat: bool = True,
    ) -> None:
        self._lease_factory = lease_factory
        self._history = history
        self._who = who
        self._clock = clock
        self._say = say
        self._recover = recover
        self._heartbeat = heartbeat

    @contextlib.contextmanager
    def locked(
        self,
        action: Action,
        command: str,
        *,
        lease_seconds: float = DEFAULT_LEASE,
        force_reason: str | None = None,
        record_refusal: bool = True,
    ) -> Iterator[Run]:
        lease = self._lease_factory(lease_seconds)
        started = self._clock()
        try:
            taken = lease.acquire(command, force=force_reason is not None)
        except LockHeld as exc:
            if record_refusal:
                self._append_refusal(action, command, str(exc))
            raise
        heartbeat = Heartbeat(lease) if self._heartbeat else None
        if heartbeat is not None:
            heartbeat.start()
        run = Run(self._history, lease, heartbeat, self._who, action, command, self._clock, self._say)
        run.durations[str(Phase.LOCK)] = round(self._clock() - started, 3)

        def close(outcome: Outcome, reason: str) -> None:
            run.finish_quietly(outcome, reason)
            if heartbeat is not None:
                heartbeat.stop()
            with contextlib.suppress(Exception):
                lease.release()

        try:
            self._recover_dead_runs(run, taken, force_reason)
            yield run
        except KeyboardInterrupt:
            phase = run.record.phase if run.record else "start"
            close(Outcome.INTERRUPTED, f"interrupted by the operator (SIGINT) at phase {phase}")
            raise
        except Exception as exc:
            close(Outcome.FAILED, f"{type(exc).__name__}: {exc}")
            raise
        # Any other BaseException (a simulated kill in tests) leaves the lock and record as a kill would.
        close(Outcome.SUCCEEDED, "")

    def _recover_dead_runs(
        self, run: Run, taken: tuple[LockInfo, str] | None, force_reason: str | None
    ) -> None:
        """Records left STARTED belong to dead runs (we hold the lock now): settle and mark them."""
        dead = {record.record_id: record for record in self._history.started()}
        why = "its lock was free"
        if taken is not None:
            info, staleness = taken
            why = (
                f"lock broken by {self._who}: {force_reason}"
                if force_reason
                else f"lock taken over: {staleness}"
            )
            self._say(f"took over the lock held by {info.holder}: {force_reason or staleness}")
            if info.record_id and info.record_id not in dead:
                record = self._history.get(info.record_id)
                if record is not None and record.state == Outcome.STARTED:
                    dead[record.record_id] = record
        if not dead:
            return
        with run.phase(Phase.RECOVER):
            for record in dead.values():
                self._say(
                    f"interrupted {record.action} {record.route} by {record.who} at phase "
                    f"{record.phase or 'start'} ({record.started_at}): recovering"
                )
                note = self._recover(record)
                self._say(note)
                with contextlib.suppress(OperationFailed):  # another recoverer got there first
                    self._history.finish(record, Outcome.INTERRUPTED, f"{why}; {note}")

    def _append_refusal(self, action: Action, command: str, reason: str) -> None:
        record = self._history.new_record(
            self._who, str(action), command=command, state=Outcome.REFUSED, reason=reason
        )
        with contextlib.suppress(Exception):  # the refusal itself is the important message
            self._history.append(record)
