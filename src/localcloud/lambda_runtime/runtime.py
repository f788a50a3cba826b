"""Invokes a function version in a warm execution environment, with Lambda's results and errors."""

from __future__ import annotations

import datetime
import json
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localcloud import observability
from localcloud.lambda_runtime.bundle import unpacked
from localcloud.lambda_runtime.environment import trace_header
from localcloud.lambda_runtime.interpreter import interpreter_for
from localcloud.lambda_runtime.pool import (
    EnvironmentCrashed,
    EnvironmentTimedOut,
    FunctionPool,
    LaunchPlan,
    Worker,
)
from localcloud.lambda_runtime.spec import FunctionSpec
from localcloud.observability.dataplane_metrics import note_integration_latency

DEFAULT_CONCURRENCY = 4
UNHANDLED = "Unhandled"


class Throttled(Exception):
    """No execution environment became free in time (Lambda answers 429 TooManyRequestsException)."""


class CallerTimedOut(Exception):
    """The caller stopped waiting before the function finished; the function runs on to its own deadline."""


@dataclass(frozen=True)
class InvokeResult:
    payload: bytes
    function_error: str | None
    executed_version: str
    request_id: str
    cold_start: bool
    pid: int | None


def _timestamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class LambdaRuntime:
    def __init__(
        self, state_dir: Path, endpoint_url: str | None = None, default_concurrency: int = DEFAULT_CONCURRENCY
    ) -> None:
        self.state_dir = state_dir.resolve()
        self.endpoint_url = endpoint_url
        self.default_concurrency = default_concurrency
        self._lock = threading.Lock()
        self._pools: dict[str, tuple[str, FunctionPool]] = {}
        self._retired: list[FunctionPool] = []
        self._closed = False

    def _pool_for(self, spec: FunctionSpec) -> FunctionPool:
        key = f"{spec.arn}:{spec.version}"
        fingerprint = spec.fingerprint
        with self._lock:
            if self._closed:
                raise EnvironmentCrashed("the local cloud is shutting down")
            current = self._pools.get(key)
            if current is not None and current[0] == fingerprint:
                return current[1]
        # Interpreter lookup and unzip happen outside the lock: they can take a while on first use.
        interpreter = interpreter_for(spec.runtime)
        task_root = unpacked(self.state_dir / "code", spec.code_sha256, spec.code_bytes())
        plan = LaunchPlan(interpreter, task_root, spec, self.endpoint_url)
        limit = spec.reserved_concurrency or self.default_concurrency
        with self._lock:
            current = self._pools.get(key)
            if current is not None and current[0] == fingerprint:
                return current[1]
            pool = FunctionPool(plan, max(limit, 1))
            self._pools[key] = (fingerprint, pool)
            if current is not None:
                # New code or configuration: the old environments must never serve again.
                current[1].close()
                self._retired.append(current[1])
            return pool

    def invoke(
        self,
        spec: FunctionSpec,
        payload: bytes,
        *,
        request_id: str | None = None,
        invoked_arn: str | None = None,
        caller_timeout_s: float | None = None,
    ) -> InvokeResult:
        """Run the handler on `payload` (JSON text); raises Throttled or CallerTimedOut, else a result."""
        started = time.monotonic()
        try:
            return self._invoke(spec, payload, request_id, invoked_arn, caller_timeout_s, started)
        finally:
            # What API Gateway reports as IntegrationLatency when the data plane is the caller.
            note_integration_latency((time.monotonic() - started) * 1000)

    def _invoke(
        self,
        spec: FunctionSpec,
        payload: bytes,
        request_id: str | None,
        invoked_arn: str | None,
        caller_timeout_s: float | None,
        started: float,
    ) -> InvokeResult:
        request_id = request_id or str(uuid.uuid4())
        caller_deadline = started + caller_timeout_s if caller_timeout_s is not None else None
        pool = self._pool_for(spec)
        wait_for_slot = caller_timeout_s if caller_timeout_s is not None else spec.timeout_s
        acquired = pool.acquire(wait_for_slot)
        metrics = observability.lambda_metrics()
        if acquired is None:
            metrics.throttled(spec.name)
            raise Throttled("Rate Exceeded.")
        worker, cold = acquired
        metrics.started(spec.name)
        # Lambda's timeout clock starts when the environment is ready to run the invoke.
        running = time.monotonic()
        function_deadline = running + spec.timeout_s
        request = {
            "requestId": request_id,
            "event": payload.decode() if payload else "{}",
            "deadlineMs": int((time.time() + spec.timeout_s) * 1000),
            "traceId": trace_header(),
            "invokedFunctionArn": invoked_arn or spec.arn,
        }
        limit = function_deadline if caller_deadline is None else min(function_deadline, caller_deadline)
        try:
            result = worker.run(request, limit - time.monotonic())
        except EnvironmentTimedOut:
            if caller_deadline is not None and caller_deadline < function_deadline:
                threading.Thread(
                    target=self._finish_abandoned,
                    args=(pool, worker, spec, request_id, running, function_deadline),
                    daemon=True,
                ).start()
                raise CallerTimedOut() from None
            pool.release(worker, healthy=False)
            metrics.finished(spec.name, spec.timeout_s * 1000, error=True)
            return self._timed_out(spec, worker, request_id, cold)
        except EnvironmentCrashed as exc:
            pool.release(worker, healthy=False)
            metrics.finished(spec.name, (time.monotonic() - running) * 1000, error=True)
            return self._crashed(spec, worker, request_id, cold, str(exc))
        pool.release(worker, healthy=not result.get("fatal", False))
        duration = float(result.get("durationMs") or (time.monotonic() - running) * 1000)
        metrics.finished(spec.name, duration, error=not result["ok"])
        if result["ok"]:
            return InvokeResult(result["payload"].encode(), None, spec.version, request_id, cold, worker.pid)
        body = json.dumps(result["error"]).encode()
        return InvokeResult(body, UNHANDLED, spec.version, request_id, cold, worker.pid)

    def _finish_abandoned(
        self,
        pool: FunctionPool,
        worker: Worker,
        spec: FunctionSpec,
        request_id: str,
        running: float,
        function_deadline: float,
    ) -> None:
        """The caller gave up; the function runs on to its own end, which Lambda meters and logs."""
        metrics = observability.lambda_metrics()
        try:
            result = worker.wait(function_deadline - time.monotonic())
            pool.release(worker, healthy=True)
            metrics.finished(spec.name, (time.monotonic() - running) * 1000, error=not result["ok"])
        except EnvironmentTimedOut:
            pool.release(worker, healthy=False)
            metrics.finished(spec.name, spec.timeout_s * 1000, error=True)
            self._log_timeout(spec, worker, request_id)
        except EnvironmentCrashed:
            pool.release(worker, healthy=False)
            metrics.finished(spec.name, (time.monotonic() - running) * 1000, error=True)

    def _log_timeout(self, spec: FunctionSpec, worker: Worker, request_id: str) -> str:
        """The lines Lambda writes for an invoke it stopped: the timeout, END and a REPORT with its status."""
        message = f"{_timestamp()} {request_id} Task timed out after {spec.timeout_s:.2f} seconds"
        duration = spec.timeout_s * 1000
        self._log(worker, message)
        self._log(worker, f"END RequestId: {request_id}")
        self._log(
            worker,
            f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms"
            f"\tBilled Duration: {int(duration)} ms\tMemory Size: {spec.memory_mb} MB\tStatus: timeout",
        )
        return message

    def _timed_out(self, spec: FunctionSpec, worker: Worker, request_id: str, cold: bool) -> InvokeResult:
        message = self._log_timeout(spec, worker, request_id)
        return InvokeResult(
            json.dumps({"errorMessage": message}).encode(),
            UNHANDLED,
            spec.version,
            request_id,
            cold,
            worker.pid,
        )

    def _crashed(
        self, spec: FunctionSpec, worker: Worker, request_id: str, cold: bool, why: str
    ) -> InvokeResult:
        body: dict[str, Any] = {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {request_id} Error: {why}",
        }
        self._log(worker, body["errorMessage"])
        self._log(worker, f"END RequestId: {request_id}")
        self._log(worker, f"REPORT RequestId: {request_id}\tMemory Size: {spec.memory_mb} MB\tStatus: error")
        return InvokeResult(json.dumps(body).encode(), UNHANDLED, spec.version, request_id, cold, worker.pid)

    @staticmethod
    def _log(worker: Worker, line: str) -> None:
        observability.sink().write(worker.log_destination, line)

    def retire(self, function_name: str) -> None:
        """Stop the environments of a deleted function (busy ones when their invoke returns)."""
        with self._lock:
            keys = [
                key
                for key, (_, pool) in self._pools.items()
                if pool.plan.environment_spec.name == function_name
            ]
            pools = [self._pools.pop(key)[1] for key in keys]
            self._retired.extend(pools)
        for pool in pools:
            pool.close()

    def environment_pids(self, function_name: str) -> list[int]:
        """Process ids of the live environments of a function (all versions): for tests and status."""
        with self._lock:
            pools = [
                pool
                for key, (_, pool) in self._pools.items()
                if pool.plan.environment_spec.name == function_name
            ]
        return sorted(pid for pool in pools for pid in pool.pids())

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            pools = [pool for _, pool in self._pools.values()] + self._retired
            self._pools.clear()
            self._retired = []
        for pool in pools:
            pool.kill_all()
