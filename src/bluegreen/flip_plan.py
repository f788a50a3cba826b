"""The flip's change set, created on a background thread while the checks and the warm-up run.

Creating a change set changes nothing: it only has to exist (and name the target) by the time the switch
executes it. A check that stops the switch deletes it, so a refused switch leaves no change set behind; a
killed one leaves it to recovery, which deletes the change sets of dead runs.
"""

from __future__ import annotations

from collections.abc import Callable

from bluegreen.background import Background
from bluegreen.stacks import ColorStack
from bluegreen.updater import Plan, StackUpdater


class FlipPlan:
    def __init__(self, updater: StackUpdater, target: ColorStack, label: str, *, clear_preview: bool) -> None:
        self._updater = updater
        self._target = target
        self._label = label
        self._clear_preview = clear_preview
        self._pending: Background[Plan] | None = None

    def _make(self) -> Plan:
        return self._updater.plan(
            self._target.api_id, self._target.stage, self._label, clear_preview=self._clear_preview
        )

    def start(self) -> None:
        """Starts creating the change set; call once, with the stack settled."""
        if self._pending is None:
            self._pending = Background(self._make, name="bluegreen-flip-plan")

    def result(self) -> Plan:
        """The change set: the background one once it is ready (its error raised here), else made now."""
        pending, self._pending = self._pending, None
        return pending.result() if pending is not None else self._make()

    def discard(self, say: Callable[[str], None]) -> None:
        """Deletes the background change set, if one was made; never raises (the reason the switch stopped
        matters more, and recovery deletes a change set left behind)."""
        pending, self._pending = self._pending, None
        plan = pending.outcome() if pending is not None else None
        if plan is None:
            return  # none started, or its creation failed: nothing to delete
        try:
            self._updater.discard(plan)
        except Exception as exc:
            say(f"could not delete the switch's unused change set ({type(exc).__name__}: {exc})")
