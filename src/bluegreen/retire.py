"""Rules for decommissioning a color: never the live one, never one live within the grace window."""

from __future__ import annotations

from collections.abc import Iterable

from bluegreen.history import Record
from bluegreen.states import TRAFFIC_ACTIONS, Outcome
from bluegreen.timeutil import parse_iso


def last_live_at(color: str, records: Iterable[Record]) -> float | None:
    """When `color` last stopped serving, according to history (newest first), or None if unknown.

    A successful switch away from it ends its time live; a failed switch TO it may have served briefly.
    """
    for record in records:
        if record.action not in TRAFFIC_ACTIONS:
            continue
        moved_away = record.from_color == color and record.state == Outcome.SUCCEEDED
        served_briefly = record.to_color == color and record.state in (
            Outcome.ROLLED_BACK,
            Outcome.FAILED,
            Outcome.INTERRUPTED,
        )
        if moved_away or served_briefly:
            return parse_iso(record.finished_at or record.started_at)
    return None


def grace_violation(color: str, records: Iterable[Record], now: float, grace: float) -> str | None:
    ended = last_live_at(color, records)
    if ended is None or now - ended >= grace:
        return None
    minutes = (now - ended) / 60
    return f"{color} was live {minutes:.0f} min ago (grace {grace / 60:.0f} min)"
