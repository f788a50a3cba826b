"""The lock as a lease: one DynamoDB item written with conditional puts, renewed while its holder lives.

The lease is short (60 s by default) and a heartbeat thread renews it while the command runs, so a killed
holder frees it within one lease. A holder on this host whose process is gone frees it at once.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from bluegreen.aws import Aws
from bluegreen.errors import LockHeld, LockLost
from bluegreen.timeutil import iso

LOCK_KEY = {"pk": "LOCK", "sk": "switch"}
DEFAULT_LEASE = 60.0


def pid_alive(pid: int) -> bool:
    """True when a process with this id runs on this host (signal 0 checks without sending anything)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return True


@dataclass(frozen=True)
class LockInfo:
    token: str
    who: str
    host: str
    pid: int
    command: str
    acquired_at: float
    expires_at: float
    record_id: str

    @property
    def holder(self) -> str:
        return f"`{self.command}` by {self.who} on {self.host} pid {self.pid} since {iso(self.acquired_at)}"

    def to_dict(self) -> dict[str, object]:
        return {
            "who": self.who,
            "host": self.host,
            "pid": self.pid,
            "command": self.command,
            "acquired_at": iso(self.acquired_at),
            "expires_at": iso(self.expires_at),
            "record_id": self.record_id,
        }


class Lease:
    """Acquire, renew and release the lock item; every write is conditional on who holds it."""

    def __init__(
        self,
        aws: Aws,
        table: str,
        who: str,
        clock: Callable[[], float],
        *,
        lease_seconds: float = DEFAULT_LEASE,
        host: str | None = None,
        pid: int | None = None,
        is_alive: Callable[[int], bool] = pid_alive,
    ) -> None:
        self._aws = aws
        self._table = table
        self.who = who
        self._clock = clock
        self.lease_seconds = lease_seconds
        self.host = host or socket.gethostname()
        self.pid = os.getpid() if pid is None else pid
        self._is_alive = is_alive
        self.token = uuid.uuid4().hex  # tells two runs of the same host and pid apart (threads, tests)
        self.record_id = ""
        self._renewing = threading.Lock()  # the heartbeat and the command renew from two threads

    def acquire(self, command: str, *, force: bool = False) -> tuple[LockInfo, str] | None:
        """Takes a free lock, or a stale one (or any, with force).

        Returns the lock taken over and why it was stale, or None when it was free. Raises LockHeld naming
        the holder when the lock is live.
        """
        for _ in range(5):  # the holder may release or renew between our reads and writes
            now = self._clock()
            item = {
                **LOCK_KEY,
                "token": self.token,
                "who": self.who,
                "host": self.host,
                "pid": self.pid,
                "command": command,
                "acquired_at": now,
                "expires_at": now + self.lease_seconds,
                "record_id": self.record_id,
            }
            if self._aws.put_item_if(self._table, item, "attribute_not_exists(pk)"):
                return None
            current = self.peek()
            if current is None:
                continue
            why = self.staleness(current)
            if why is None and not force:
                raise LockHeld(current.holder, iso(current.expires_at))
            taken = self._aws.put_item_if(
                self._table, item, "#token = :old", names={"#token": "token"}, values={":old": current.token}
            )
            if taken:
                return current, why or "broken on purpose"
        raise LockHeld("a command that keeps changing hands", "unknown")

    def staleness(self, info: LockInfo) -> str | None:
        """Why a lock may be taken over (its lease lapsed, its process is gone), or None while it is live."""
        now = self._clock()
        if info.expires_at < now:
            return f"its lease lapsed {now - info.expires_at:.0f}s ago"
        # A reused pid makes a dead holder look alive: then the lapsed lease frees it, one lease later.
        if info.host == self.host and info.pid != self.pid and not self._is_alive(info.pid):
            return f"its process (pid {info.pid} on {info.host}) is gone"
        return None

    def renew(self, record_id: str | None = None) -> None:
        """Pushes the expiry one lease forward; raises LockLost if another run took the lock."""
        with self._renewing:
            self._renew(record_id)

    def _renew(self, record_id: str | None) -> None:
        if record_id is not None:
            self.record_id = record_id
        ok = self._aws.update_item_if(
            self._table,
            LOCK_KEY,
            "SET #expires = :expires, #record = :record",
            "#token = :token",
            names={"#expires": "expires_at", "#record": "record_id", "#token": "token"},
            values={
                ":expires": self._clock() + self.lease_seconds,
                ":record": self.record_id,
                ":token": self.token,
            },
        )
        if not ok:
            raise LockLost("lost the lock: another run took it over (lease lapsed or `unlock --force`)")

    def release(self) -> bool:
        """Deletes the lock only if we still hold it; False when it was no longer ours."""
        return self._aws.delete_item_if(
            self._table, LOCK_KEY, "#token = :token", names={"#token": "token"}, values={":token": self.token}
        )

    def peek(self) -> LockInfo | None:
        item = self._aws.get_item(self._table, LOCK_KEY)
        if item is None:
            return None
        return LockInfo(
            token=str(item.get("token", "")),
            who=str(item.get("who", item.get("holder", "unknown"))),
            host=str(item.get("host", "")),
            pid=int(item.get("pid", 0)),
            command=str(item.get("command", item.get("operation", ""))),
            acquired_at=float(item.get("acquired_at", 0)),
            expires_at=float(item.get("expires_at", 0)),
            record_id=str(item.get("record_id", "")),
        )


class Heartbeat:
    """Renews the lease every third of it on a background thread while the command lives.

    A renewal that finds the lock taken marks the heartbeat lost; the command checks `ensure_held()` before
    each change, so a run that lost its lock never changes anything more.
    """

    def __init__(self, lease: Lease, interval: float | None = None) -> None:
        self._lease = lease
        self._interval = interval if interval is not None else lease.lease_seconds / 3
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost: LockLost | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._beat, name="bluegreen-lease", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def ensure_held(self) -> None:
        if self.lost is not None:
            raise self.lost

    def _beat(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._lease.renew()
            except LockLost as exc:
                self.lost = exc
                return
            except Exception:  # a transient error: the next beat, well within the lease, tries again
                continue
