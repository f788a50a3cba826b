"""The preview rule on the live hostname: requests carrying `X-Bluegreen-Preview: <color>` reach that
color's stage, everyone else follows the live mapping.

It is set, moved and cleared like the switch moves the mapping: a change set on the custom-domain stack
that changes only PreviewColor/PreviewApiId/PreviewApiStage, under the lock, recorded in history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from bluegreen.aws import StackEvent
from bluegreen.errors import BlueGreenError, OperationFailed, Unhealthy, UsageError
from bluegreen.live import LiveStateReader
from bluegreen.operation import Operations, Run
from bluegreen.preflight import PREVIEW_HEADER
from bluegreen.stacks import ColorStackReader, check_color, other_color
from bluegreen.states import Action, Outcome, Phase
from bluegreen.updater import Plan, Preview, StackUpdater

NONE = "none"
CLEAR_COMMAND = "bluegreen preview none"

# Which color answers GET /health on a base URL with these headers (None: no usable answer).
AnsweredBy = Callable[[str, dict[str, str]], str | None]


def http_answered_by(session: requests.Session) -> AnsweredBy:
    def answered_by(base_url: str, headers: dict[str, str]) -> str | None:
        try:
            # no-cache: a cached answer would hide which color really serves the header.
            response = session.get(
                f"{base_url.rstrip('/')}/health", headers={"Cache-Control": "no-cache", **headers}
            )
            body = response.json()
        except (requests.RequestException, ValueError):
            return None
        environment = body.get("environment") if isinstance(body, dict) else None
        return environment if response.status_code == 200 and isinstance(environment, str) else None

    return answered_by


def show_plan(plan: Plan, say: Callable[[str], None]) -> list[str]:
    lines = [
        f"{c.action} {c.logical_id} ({c.resource_type}) replacement={c.replacement or 'n/a'}"
        + (f" [{', '.join(c.details)}]" if c.details else "")
        for c in plan.changes
    ]
    target = plan.preview.label() if plan.preview else "?"
    say(f"change set: preview -> {target}" + ("" if lines else " (no resource changes)"))
    for line in lines:
        say(f"  {line}")
    return lines


def apply_preview(
    updater: StackUpdater,
    run: Run,
    preview: Preview,
    label: str,
    on_event: Callable[[StackEvent], None],
    say: Callable[[str], None],
) -> list[str]:
    """Plans and executes the preview change under the held lock; the change set's lines."""
    plan = updater.plan_preview(preview, label)
    lines = show_plan(plan, say)
    try:
        run.ensure_held()  # never execute a change after losing the lock
    except BlueGreenError:
        updater.discard(plan)
        raise
    updater.apply(plan, on_event)
    return lines


def clear_after(
    run: Run,
    updater: StackUpdater,
    on_event: Callable[[StackEvent], None],
    say: Callable[[str], None],
    clock: Callable[[], float],
    measurements: dict[str, Any],
) -> None:
    """Clears the preview before `run` records its outcome, whatever it is; never raises."""

    def clear() -> None:
        if measurements.get("cleared"):
            return  # the switch's own update cleared it
        started = clock()
        try:
            if not updater.preview().active:
                measurements["cleared"] = True
                return
            say("clearing the preview")
            apply_preview(updater, run, Preview(), "preview-clear", on_event, say)
            measurements["cleared"] = True
            measurements["clear_seconds"] = round(clock() - started, 3)
            say(f"preview cleared in {clock() - started:.2f}s")
        except Exception as exc:  # the outcome being recorded matters more; say what is left to do
            measurements["cleared"] = False
            measurements["clear_error"] = f"{type(exc).__name__}: {exc}"
            say(f"could not clear the preview ({type(exc).__name__}: {exc}); run `{CLEAR_COMMAND}`")

    run.before_finish(clear)


@dataclass(frozen=True)
class PreviewOptions:
    dry_run: bool = False
    assume_yes: bool = False
    timeout: float = 60.0  # until the hostname serves the new preview
    interval: float = 0.5
    lease_seconds: float = 60.0


@dataclass
class PreviewResult:
    state: Outcome
    before: Preview
    after: Preview
    message: str
    changes: list[str] = field(default_factory=list)
    seconds: float | None = None  # from the change's execution to the header being served as asked
    record_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": str(Action.PREVIEW),
            "state": str(self.state),
            "from": self.before.color or NONE,
            "to": self.after.color or NONE,
            "preview": {"color": self.after.color, "api_id": self.after.api_id, "stage": self.after.stage},
            "message": self.message,
            "changes": self.changes,
            "served_after_seconds": self.seconds,
            "record_id": self.record_id,
        }


class Previewer:
    def __init__(
        self,
        *,
        colors: ColorStackReader,
        live: LiveStateReader,
        updater: StackUpdater,
        operations: Operations,
        answered_by: AnsweredBy,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        say: Callable[[str], None],
        confirm: Callable[[str], bool],
        on_event: Callable[[StackEvent], None],
    ) -> None:
        self._colors = colors
        self._live = live
        self._updater = updater
        self._operations = operations
        self._answered_by = answered_by
        self._clock = clock
        self._sleep = sleep
        self._say = say
        self._confirm = confirm
        self._on_event = on_event
        self.record_id = ""

    def preview(self, color: str, options: PreviewOptions) -> PreviewResult:
        """Previews `color` (blue or green) on the live hostname, or clears the preview (`none`)."""
        if color != NONE:
            check_color(color)
        with self._operations.locked(
            Action.PREVIEW,
            f"preview {color}",
            lease_seconds=options.lease_seconds,
            record_refusal=not options.dry_run,
        ) as run:
            return self._preview_locked(run, color, options)

    def _preview_locked(self, run: Run, color: str, options: PreviewOptions) -> PreviewResult:
        live = self._live.read()
        if live.stack_status.endswith("_IN_PROGRESS"):
            self._say(f"custom-domain stack is {live.stack_status}: waiting for it to settle")
            self._updater.settle(self._on_event)
            live = self._live.read()
        if color != NONE and color == live.color:
            raise UsageError(
                f"{color} is live on {live.domain_name}: preview the idle color "
                f"(bluegreen preview {other_color(color)}) or clear it (bluegreen preview none)"
            )
        before = self._updater.preview()
        if color == NONE:
            after = Preview()
        else:
            stack = self._colors.describe(color)
            problem = stack.problem()
            if problem:
                raise OperationFailed(f"cannot preview {color}: {problem}")
            after = Preview(color, stack.api_id, stack.stage)
        if before == after:
            message = f"preview is already {after.label()} on {live.domain_name}: nothing to do"
            self._say(message)
            return PreviewResult(Outcome.NOOP, before, after, message)
        if not options.dry_run:
            run.begin(
                from_color=before.color or NONE, to_color=after.color or NONE, reason=f"preview {color}"
            )
            self.record_id = run.record.record_id if run.record else ""
        self._say(f"preview {before.label()} -> {after.label()} on {live.domain_name}")
        result = PreviewResult(Outcome.STARTED, before, after, "", record_id=self.record_id)
        with run.phase(Phase.CHANGE):
            plan = self._updater.plan_preview(after, f"preview-{color}")
            result.changes = show_plan(plan, self._say)
            if options.dry_run:
                self._updater.discard(plan)
                result.state = Outcome.DRY_RUN
                result.message = f"dry run: change set shown and deleted; preview stays {before.label()}"
                self._say(result.message)
                return result
            question = f"Set the preview on {live.domain_name} to {after.label()}?"
            if not options.assume_yes and not self._confirm(question):
                self._updater.discard(plan)
                run.finish(Outcome.CANCELLED, "declined at the confirmation prompt")
                raise OperationFailed("preview cancelled at the prompt; nothing changed")
            try:
                run.ensure_held()
            except BlueGreenError:
                self._updater.discard(plan)
                raise
            self._updater.apply(plan, self._on_event)
        with run.phase(Phase.VERIFY):
            result.seconds = self._wait_until_served(live.url, color, live.color, options, run)
        run.measurements["preview"] = {"served_after_seconds": round(result.seconds, 3)}
        result.state = Outcome.SUCCEEDED
        header = f"{PREVIEW_HEADER}: {color}" if color != NONE else f"{PREVIEW_HEADER} (any value)"
        served = f"served by {color}" if color != NONE else f"served by the live color ({live.color or '?'})"
        result.message = (
            f"preview {after.label()}: {live.url} with {header} is {served} after {result.seconds:.2f}s"
        )
        run.finish(Outcome.SUCCEEDED, "")
        self._say(result.message)
        return result

    def _wait_until_served(
        self, url: str, color: str, live_color: str | None, options: PreviewOptions, run: Run
    ) -> float:
        """Seconds until the header reaches the previewed color (for none: a header of any color no longer
        leaves the live color). Not served in time fails the command; the preview stays as deployed."""
        started = self._clock()
        probes = [c for c in ("blue", "green") if c != live_color] if color == NONE else [color]
        expected = color if color != NONE else live_color
        while True:
            run.ensure_held()
            answers = {probe: self._answered_by(url, {PREVIEW_HEADER: probe}) for probe in probes}
            if expected is not None and all(answer == expected for answer in answers.values()):
                return self._clock() - started
            if expected is None and all(answer is not None for answer in answers.values()):
                return self._clock() - started  # nothing mapped is a color: any answer will do
            if self._clock() - started >= options.timeout:
                seen = ", ".join(f"{probe}: {answer or 'no answer'}" for probe, answer in answers.items())
                run.finish(Outcome.FAILED, f"preview deployed but not served within {options.timeout:g}s")
                raise Unhealthy(
                    f"the preview change is deployed but the hostname did not serve it within "
                    f"{options.timeout:g}s (header -> {seen}); check `bluegreen status`"
                )
            self._sleep(options.interval)
