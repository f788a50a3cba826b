"""The local cloud's state on disk: moto's backends and the service metrics, pickled as one snapshot.

A snapshot is written to a temporary file and renamed over the previous one, so a crash (even `kill -9`)
mid-write leaves the last complete snapshot in place. Locks and events inside moto's models cannot be
pickled; they are written as markers and come back as fresh, unlocked ones.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

log = logging.getLogger("localcloud.state")

SNAPSHOT = "state.pickle"
FORMAT = 1
# The services the blue/green flow uses; each is one of moto's BackendDicts.
SERVICES = (
    "acm",
    "apigateway",
    "apigatewayv2",
    "cloudformation",
    "cloudwatch",
    "dynamodb",
    "iam",
    "lambda",
    "logs",
    "route53",
    "s3",
    "ssm",
    "sts",
)

_PRIVATE_KEYS = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)
_PUBLIC_KEYS = (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey)
_LOCK_TYPES: tuple[type, ...] = (type(threading.Lock()), type(threading.RLock()))


def _new_lock() -> Any:
    return threading.Lock()


def _new_rlock() -> Any:
    return threading.RLock()


def _new_event() -> threading.Event:
    return threading.Event()


def _private_key(pem: bytes) -> Any:
    return serialization.load_pem_private_key(pem, password=None)


def _public_key(pem: bytes) -> Any:
    return serialization.load_pem_public_key(pem)


def _certificate(pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem)


def _weak_values(items: dict[Any, Any]) -> weakref.WeakValueDictionary[Any, Any]:
    return weakref.WeakValueDictionary(items)


def _defaultdict_of(factory: type, items: dict[Any, Any]) -> defaultdict[Any, Any]:
    return defaultdict(factory, items)


class _Pickler(pickle.Pickler):
    """Pickles moto's models, replacing synchronisation objects by constructors of fresh ones."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _LOCK_TYPES):
            return (_new_rlock if type(obj) is type(threading.RLock()) else _new_lock), ()
        if isinstance(obj, threading.Event):
            return _new_event, ()
        if isinstance(obj, threading.Thread):
            return type(None), ()
        # ACM keeps cryptography's key and certificate objects (Rust-backed): saved as PEM.
        if isinstance(obj, _PRIVATE_KEYS):
            pem = obj.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            return _private_key, (pem,)
        if isinstance(obj, _PUBLIC_KEYS):
            pem = obj.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            return _public_key, (pem,)
        if isinstance(obj, x509.Certificate):
            return _certificate, (obj.public_bytes(serialization.Encoding.PEM),)
        if isinstance(obj, weakref.WeakValueDictionary):
            # Its values are also held strongly elsewhere in the snapshot, so they survive the load.
            return _weak_values, (dict(obj.items()),)
        if isinstance(obj, defaultdict) and getattr(obj.default_factory, "__name__", "") == "<lambda>":
            # moto builds defaultdicts from lambdas (`lambda: {}`): keep the kind of default they make.
            made = type(obj.default_factory())  # type: ignore[misc]
            if made not in (dict, list, set, int):
                raise pickle.PicklingError(f"defaultdict factory making {made.__name__} cannot be saved")
            return _defaultdict_of, (made, dict(obj))
        return NotImplemented


def _backend_dicts(names: Iterable[str]) -> dict[str, Any]:
    from localcloud.extensions._moto import get_backend

    found: dict[str, Any] = {}
    for name in names:
        try:
            found[name] = get_backend(name)
        except (KeyError, ModuleNotFoundError, ValueError):
            log.warning("moto has no %s backend; it is not persisted", name)
    return found


def dump(path: Path, extra: dict[str, Any]) -> int:
    """Write every service's backends plus `extra` to `path` atomically; returns the size in bytes."""
    backends = _backend_dicts(SERVICES)
    # dict(...) copies the account -> region mapping so concurrent requests do not resize it mid-pickle.
    payload = {
        "format": FORMAT,
        "services": {name: {k: dict(v) for k, v in dict.items(b)} for name, b in backends.items()},
        "extra": extra,
    }
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(payload)
    data = buffer.getvalue()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return len(data)


class SnapshotError(RuntimeError):
    """A snapshot exists but cannot be restored (damaged, or written by another moto or format)."""


def load(path: Path) -> dict[str, Any] | None:
    """Put a snapshot's backends back into moto; returns its `extra`, or None when there is none."""
    if not path.exists():
        return None
    try:
        with open(path, "rb") as handle:
            # Only this process writes the file, in the user's own state dir (created 0700).
            payload = pickle.load(handle)
    except Exception as exc:
        raise SnapshotError(f"cannot read the state snapshot {path}: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise SnapshotError(f"{path} is not a format {FORMAT} state snapshot")
    backends = _backend_dicts(payload["services"])
    for name, accounts in payload["services"].items():
        target = backends.get(name)
        if target is None:
            continue
        for account_id, regions in accounts.items():
            account = target[account_id]  # BackendDict creates the account's region mapping
            for region, backend in regions.items():
                dict.__setitem__(account, region, backend)
    extra: dict[str, Any] = payload.get("extra") or {}
    return extra


class Snapshotter:
    """Writes a snapshot within `interval_s` of a control-plane change, within `metrics_interval_s` of a
    metrics-only change (the data plane changes metrics all the time), and once more on stop."""

    def __init__(
        self,
        path: Path,
        extra: Callable[[], dict[str, Any]],
        control_generation: Callable[[], int],
        metrics_generation: Callable[[], int],
        interval_s: float = 2.0,
        metrics_interval_s: float = 10.0,
    ) -> None:
        self.path = path
        self._extra = extra
        self._control = control_generation
        self._metrics = metrics_generation
        self._interval_s = interval_s
        self._metrics_interval_s = metrics_interval_s
        self._saved = (control_generation(), metrics_generation())
        self._saved_at = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._write_lock = threading.Lock()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="state-snapshots", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            control, metrics = self._control(), self._metrics()
            metrics_due = time.monotonic() - self._saved_at >= self._metrics_interval_s
            if control != self._saved[0] or (metrics != self._saved[1] and metrics_due):
                self.save()

    def save(self) -> bool:
        with self._write_lock:
            generations = (self._control(), self._metrics())
            try:
                size = dump(self.path, self._extra())
            except Exception:  # a failed snapshot keeps the previous one; the next attempt may succeed
                log.exception("writing the state snapshot failed")
                return False
            self._saved, self._saved_at = generations, time.monotonic()
            log.debug("state snapshot written (%d bytes)", size)
            return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.save()
