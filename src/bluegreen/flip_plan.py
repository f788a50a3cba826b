"""The flip's change set, created on a background thread while the checks and the warm-up run.

Creating a change set changes nothing: it only has to exist (and name the target) by the time the switch
executes it. A check that stops the switch deletes it, so a refused switch leaves no change set behind; a
killed one leaves it to recovery, which deletes the change sets of dead runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from bluegreen.stacks import ColorStack
from bluegreen.updater import Plan, StackUpdater


class FlipPlan:
    def __init__(self, updater: StackUpdater, target: ColorStack, label: str, *, clear_preview: bool) -> None:
        self._updater = updater
        self._target = target
        self._label = label
        self._clear_preview = clear_preview
        self._thread: threading.Thread | None = None
        self._plan: Plan | None = None
        self._error: BaseException | None = None

    def _make(self) -> Plan:
        return self._updater.plan(
            self._target.api_id, self._target.stage, self._label, clear_preview=self._clear_preview
        )

    def _create(self) -> None:
        try:
            self._plan = self._make()
        except BaseException as exc:  # handed to whoever waits for the plan, kills included
            self._error = exc

    def start(self) -> None:
        """Starts creating the change set; call once, with the stack settled."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._create, name="bluegreen-flip-plan", daemon=True)
            self._thread.start()

    def result(self) -> Plan:
        """The change set: the background one once it is ready (its error raised here), else made now."""
        if self._thread is None:
            return self._make()
        self._thread.join()
        self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        plan, self._plan = self._plan, None
        assert plan is not None
        return plan

    def discard(self, say: Callable[[str], None]) -> None:
        """Deletes the background change set, if one was started; never raises (the reason the switch
        stopped matters more, and recovery deletes a change set left behind)."""
        if self._thread is None:
            return
        self._thread.join()
        self._thread = None
        plan, self._plan, self._error = self._plan, None, None
        if plan is None:
            return  # its creation failed: nothing to delete
        try:
            self._updater.discard(plan)
        except Exception as exc:
            say(f"could not delete the switch's unused change set ({type(exc).__name__}: {exc})")
