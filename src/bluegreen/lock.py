"""The switch lock: one DynamoDB item written with a conditional put, so at most one switch runs at a time.

A crashed run cannot release it, so every lock carries an expiry; an expired lock may be taken over.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from bluegreen.aws import Aws
from bluegreen.errors import LockHeld, OperationFailed
from bluegreen.timeutil import iso

LOCK_KEY = {"pk": "LOCK", "sk": "switch"}
NAMES = {"#token": "token", "#expires": "expires_at"}


def default_owner(caller_arn: str) -> str:
    """Who holds the lock, as an operator would need to find them: caller ARN, host and process id."""
    return f"{caller_arn} on {socket.gethostname()} pid {os.getpid()}"


@dataclass(frozen=True)
class LockInfo:
    holder: str
    operation: str
    acquired_at: float
    expires_at: float
    record_id: str


class SwitchLock:
    """Acquire, renew and release the lock item; every write is conditional on who holds it."""

    def __init__(self, aws: Aws, table: str, holder: str, clock: Callable[[], float]) -> None:
        self._aws = aws
        self._table = table
        self.holder = holder
        self._clock = clock
        self._token = uuid.uuid4().hex  # tells two runs of the same host and pid apart (threads, tests)
        self.ttl = 0.0

    def acquire(self, operation: str, ttl: float, record_id: str = "") -> None:
        """Takes a free or expired lock; raises LockHeld naming the current holder otherwise."""
        now = self._clock()
        self.ttl = ttl
        item = {
            **LOCK_KEY,
            "holder": self.holder,
            "token": self._token,
            "operation": operation,
            "acquired_at": int(now),
            "expires_at": int(now + ttl),
            "record_id": record_id,
        }
        taken = self._aws.put_item_if(
            self._table,
            item,
            "attribute_not_exists(pk) OR #expires < :now",
            names={"#expires": "expires_at"},
            values={":now": int(now)},
        )
        if not taken:
            current = self.peek()
            if current is None:  # released between our put and our read: try once more
                return self.acquire(operation, ttl, record_id)
            raise LockHeld(current.holder, iso(current.expires_at))
        return None

    def renew(self, record_id: str = "") -> None:
        """Pushes the expiry forward; fails if the lock expired and someone else took it."""
        now = self._clock()
        ok = self._aws.update_item_if(
            self._table,
            LOCK_KEY,
            "SET #expires = :expires, record_id = :record",
            "#token = :token",
            names=NAMES,
            values={":expires": int(now + self.ttl), ":token": self._token, ":record": record_id},
        )
        if not ok:
            raise OperationFailed("lost the switch lock (it expired and another run took it)")

    def release(self) -> bool:
        """Deletes the lock only if we still hold it; False when it was no longer ours."""
        return self._aws.delete_item_if(
            self._table,
            LOCK_KEY,
            "#token = :token",
            names={"#token": "token"},
            values={":token": self._token},
        )

    def peek(self) -> LockInfo | None:
        item = self._aws.get_item(self._table, LOCK_KEY)
        if item is None:
            return None
        return LockInfo(
            holder=str(item.get("holder", "unknown")),
            operation=str(item.get("operation", "")),
            acquired_at=float(item.get("acquired_at", 0)),
            expires_at=float(item.get("expires_at", 0)),
            record_id=str(item.get("record_id", "")),
        )

    def is_active(self, info: LockInfo | None) -> bool:
        return info is not None and info.expires_at >= self._clock()
