"""Warm execution environments: worker processes per function version, reused until code or config changes."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from localcloud import observability
from localcloud.lambda_runtime import worker as worker_module
from localcloud.lambda_runtime.environment import build_environment, log_stream_name
from localcloud.lambda_runtime.spec import FunctionSpec
from localcloud.observability.logs import Destination

WORKER_SCRIPT = Path(worker_module.__file__).resolve()


class EnvironmentTimedOut(Exception):
    """The function ran past its deadline; its environment was discarded."""


class EnvironmentCrashed(Exception):
    """The worker process exited or broke the protocol mid-invoke."""


@dataclass(frozen=True)
class LaunchPlan:
    """Everything needed to start one execution environment of a function version."""

    interpreter: str
    task_root: Path
    environment_spec: FunctionSpec
    endpoint_url: str | None


def _forward_output(output: IO[bytes], destination: Destination) -> None:
    """Each line the function prints becomes a log event in its log group (until the process ends)."""
    sink = observability.sink()
    with output:
        for line in iter(output.readline, b""):
            sink.write(destination, line.decode("utf-8", "replace").rstrip("\n"))


class Worker:
    """One execution environment: a python3.13 process that imported the handler once."""

    def __init__(self, plan: LaunchPlan) -> None:
        request_read, self._request_write = os.pipe()
        self._result_read, result_write = os.pipe()
        stream = log_stream_name(plan.environment_spec.version)
        env = build_environment(plan.environment_spec, str(plan.task_root), stream, plan.endpoint_url)
        try:
            self.process = subprocess.Popen(
                [
                    plan.interpreter,
                    "-I",
                    "-S",
                    "-u",
                    str(WORKER_SCRIPT),
                    str(plan.task_root),
                    str(request_read),
                    str(result_write),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=plan.task_root,
                pass_fds=(request_read, result_write),
            )
        finally:
            os.close(request_read)
            os.close(result_write)
        self.invocations = 0
        spec = plan.environment_spec
        self.log_stream = stream
        self.log_destination: Destination = (spec.account_id, spec.region, spec.log_group, stream)
        assert self.process.stdout is not None
        threading.Thread(
            target=_forward_output,
            args=(self.process.stdout, self.log_destination),
            name=f"logs-{self.process.pid}",
            daemon=True,
        ).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, request: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Send one invoke and wait for its result, at most timeout_s seconds."""
        try:
            worker_module.write_frame(self._request_write, request)
        except OSError as exc:
            raise EnvironmentCrashed(str(exc)) from exc
        return self.wait(timeout_s)

    def wait(self, timeout_s: float) -> dict[str, Any]:
        """The result of the invoke in flight, waiting at most timeout_s seconds."""
        try:
            ready, _, _ = select.select([self._result_read], [], [], max(timeout_s, 0.0))
        except (OSError, ValueError) as exc:  # the pool was shut down under us
            raise EnvironmentCrashed(str(exc)) from exc
        if not ready:
            raise EnvironmentTimedOut()
        try:
            result = worker_module.read_frame(self._result_read)
        except (OSError, ValueError) as exc:
            raise EnvironmentCrashed(str(exc)) from exc
        if result is None:
            self.process.wait(timeout=5)
            raise EnvironmentCrashed(f"Runtime exited with error: exit status {self.process.returncode}")
        self.invocations += 1
        return result

    def stop(self) -> None:
        for fd in (self._request_write, self._result_read):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class FunctionPool:
    """At most `limit` concurrent environments of one function version; idle ones stay warm."""

    def __init__(self, plan: LaunchPlan, limit: int) -> None:
        self.plan = plan
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._closed = False

    def acquire(self, wait_s: float) -> tuple[Worker, bool] | None:
        """A warm worker (False) or a freshly started one (True); None if none frees up in wait_s seconds."""
        if not self._slots.acquire(timeout=max(wait_s, 0.0)):
            return None
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker, False
                self._all.discard(worker)
                worker.stop()
        try:
            worker = Worker(self.plan)
        except BaseException:
            self._slots.release()
            raise
        with self._lock:
            self._all.add(worker)
        return worker, True

    def release(self, worker: Worker, healthy: bool) -> None:
        with self._lock:
            keep = healthy and not self._closed and worker.alive()
            if keep:
                self._idle.append(worker)
            else:
                self._all.discard(worker)
        if not keep:
            worker.stop()
        self._slots.release()

    def close(self) -> None:
        """Stop idle environments now; busy ones stop when they hand their result back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            for worker in idle:
                self._all.discard(worker)
        for worker in idle:
            worker.stop()

    def kill_all(self) -> None:
        with self._lock:
            self._closed = True
            everything, self._idle = list(self._all), []
            self._all.clear()
        for worker in everything:
            worker.stop()

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(worker.pid for worker in self._all)
