"""The phases a run goes through and the outcomes it ends in: typed, stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    LOCK = "lock"
    RECOVER = "recover"
    PREFLIGHT = "preflight"
    PREVIEW = "preview"
    DATA_GATE = "data-gate"
    WARM = "warm"
    CHANGE = "change"
    VERIFY = "verify"
    BAKE = "bake"
    ROLLBACK = "rollback"
    VERIFY_PREVIOUS = "verify-previous"
    BUILD = "build"
    DEPLOY = "deploy"
    DELETE = "delete"
    UNLOCK = "unlock"


class Outcome(StrEnum):
    STARTED = "STARTED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ROLLED_BACK = "ROLLED_BACK"
    REFUSED = "REFUSED"
    CANCELLED = "CANCELLED"
    INTERRUPTED = "INTERRUPTED"
    NOOP = "NOOP"
    DRY_RUN = "DRY_RUN"


class Action(StrEnum):
    SWITCH = "switch"
    ROLLBACK = "rollback"
    DEPLOY = "deploy"
    DECOMMISSION = "decommission"
    UNLOCK = "unlock"
    PREVIEW = "preview"


# Actions that move live traffic: what `rollback` and the decommission grace window look at.
TRAFFIC_ACTIONS = frozenset({Action.SWITCH, Action.ROLLBACK})
