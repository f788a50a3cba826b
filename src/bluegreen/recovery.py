"""What the run that takes over from a dead one does before going on: settle the custom-domain stack, delete
the change sets the dead run left unexecuted, clear the preview a dead switch set, and note where live traffic
is and whether it is healthy."""

from __future__ import annotations

from collections.abc import Callable

from bluegreen.aws import StackEvent
from bluegreen.history import Record
from bluegreen.live import LiveStateReader
from bluegreen.probe import HealthProber
from bluegreen.states import Action
from bluegreen.updater import Preview, StackUpdater


class Recovery:
    def __init__(
        self,
        *,
        domain_exists: Callable[[], bool],
        updater: Callable[[], StackUpdater],
        live: LiveStateReader,
        prober: HealthProber,
        on_event: Callable[[StackEvent], None],
    ) -> None:
        self._domain_exists = domain_exists
        self._updater = updater
        self._live = live
        self._prober = prober
        self._on_event = on_event

    def __call__(self, record: Record) -> str:
        if not self._domain_exists():
            return "no custom-domain stack: nothing to settle"
        updater = self._updater()
        stack = updater.settle(self._on_event)
        deleted = updater.discard_leftovers()
        preview = self._clear_preview(updater) if record.action == Action.SWITCH else ""
        live = self._live.read()
        health = self._prober.health(live.url)
        state = "healthy" if live.color and health.serves(live.color) else "UNHEALTHY"
        leftovers = f", deleted its change set(s) {', '.join(deleted)}" if deleted else ""
        return (
            f"stack {stack.status}{leftovers}{preview}; "
            f"live on {live.color or live.api_id or 'nothing'} ({state})"
        )

    def _clear_preview(self, updater: StackUpdater) -> str:
        """A switch clears its preview on the way out; a killed one could not."""
        left = updater.preview()
        if not left.active:
            return ""
        try:
            plan = updater.plan_preview(Preview(), "recover-preview-clear")
            updater.apply(plan, self._on_event)
        except Exception as exc:  # recovery goes on; the note says what is left to do
            return f", could not clear its preview of {left.color} ({exc}): run `bluegreen preview none`"
        return f", cleared its preview of {left.color}"
