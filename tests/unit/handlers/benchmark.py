"""The handler's cold-start and warm figures, each printed beside its goal and its anchor. Asserts nothing.

Run: .venv/bin/python tests/unit/handlers/benchmark.py [--imports 5] [--invokes 5000]

Every figure is taken with the variables Lambda's runtime sets in a function's environment
(AWS_LAMBDA_INITIALIZATION_TYPE, AWS_EXECUTION_ENV, ...), which Powertools reads.

- artifact: each color's bundle as `sam build` makes it (pip install -r requirements.txt -t, plus the
  sources), zipped; boto3, botocore and the X-Ray SDK must not be in it (the runtime provides boto3).
- import: median of fresh `python3.13 -I -S` processes importing `app` from the built bundle, with the
  runtime's site-packages (this venv's, for boto3) after it on sys.path, bytecode cached by a first
  run; beside a seed-style bare handler (json and if/elif, no library) measured the same way and in
  alternation with it, and beside the libraries alone (the floor: the resolver with validation,
  metrics, pydantic, with the handler's deferral of the modules they import and never use). The
  shared host's speed moves from minute to minute (the seed-style handler's import has measured 9 to
  18 ms on an idle machine), so the import is also given as a multiple of the seed-style handler's,
  a ratio measured in one run: the issue's anchor is 540-670 ms against 15 ms (36-45x), its goal
  150 ms (10x).
- import without bytecode: `sam build` unpacks wheels and copies sources without compiling them, and
  /var/task is read-only, so on AWS every cold start compiles the bundle unless its bytecode is
  shipped; measured with no __pycache__ (-B), and with the unchecked-hash bytecode a deploy compiles
  into the build (bluegreen.bytecode: the modules the handler reaches, and the code their import
  generates), beside bytecode for every module.
- first request: a fresh process imports the bundle and answers one request of the route; cold start
  is import plus that first request (Powertools builds each route's validation on its first request).
- warm: in-process p50/p99 of lambda_handler for /health, /pets and POST /orders, logging, metrics and
  validation on; the order path with a table in memory that keeps only the newest order, so its DynamoDB
  call is not timed, and logs and metrics written to /dev/null (a function's stdout is a pipe). Kept
  in memory, 3,000 orders and their log lines grew the process by about 650 fresh pages, faulted in
  during timed requests that a function, whose table is remote, never makes. The CPU p99
  (the thread's own time) beside the wall-clock p99 tells the handler's cost from a busy machine's.
  The requests run in 5 rounds, each after 500 of the seed-style handler's warm requests, whose p50
  tells the host's speed just then: each round's p99 is printed beside it. Each round first serves 5
  requests untimed: the seed-style handler's requests take the CPU's caches, and the first request
  after them measured about twice the round's median, the next two 1.4x and 1.2x (a back-to-back
  run, the issue's method, has no such requests).
- the machine's own tail: a pure-Python loop sized to each route's warm p50 and timed as many times,
  back to back, right after the route's requests: its p99 against its p50 is what this machine (timer
  interrupts, the hypervisor, other tenants) adds to any code that long, beside the route's own p99
  against p50. No goal: it tells the host's part of a p99 from the handler's.
- after an idle gap: the p50 of requests that each follow a 10 ms sleep, as a function's requests
  arriving apart do, beside the seed-style handler's measured the same way. Back to back, the CPU's
  caches (on this virtual machine, its speed too) stay warm; after a gap they are not. No goal: the
  issue's figures are back to back.
- instructions (--instructions, needs valgrind): what the host's speed does not move. Instructions of
  `import app` (callgrind, a fresh `-I -S` process, bytecode cached), and of a warm request of each
  route: the difference between processes serving 100 and 300 requests after their first 20,
  divided by 200 (PYTHONHASHSEED=0, so dictionaries collide alike in both).
"""

import argparse
import compileall
import contextlib
import hashlib
import importlib.util
import io
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from py_compile import PycInvalidationMode
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bluegreen.bytecode import compile_function, keep_generated_code  # noqa: E402
from tests.events import FakeLambdaContext, load_event  # noqa: E402
from tests.handler_loader import BUNDLES_DIR, COLORS, RELEASE_VERSIONS, TEST_ENVIRONMENT, load_bundle  # noqa: E402

BUILD_DIR = REPO_ROOT / ".aws-sam" / "bench-bundles"
RUNTIME_SITE_PACKAGES = sysconfig.get_paths()["purelib"]
FORBIDDEN_IN_BUNDLE = ("boto3", "botocore", "aws_xray_sdk")
ORDER = {"id": 1, "name": "Buddy"}
PIP_INSTALL = (sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check")
SEED_HANDLER = """import json
from datetime import datetime, timezone


def lambda_handler(event, context):
    path, method = event.get("path"), event.get("httpMethod")
    if path == "/health" and method == "GET":
        body = {"status": "healthy", "timestamp": datetime.now(timezone.utc).isoformat()}
        return {"statusCode": 200, "body": json.dumps(body)}
    elif path == "/pets" and method == "GET":
        return {"statusCode": 200, "body": json.dumps({"pets": []})}
    return {"statusCode": 404, "body": json.dumps({"message": "Not Found"})}
"""
_IMPORT_PROBE = (
    "import sys, time; sys.path[:0] = [{bundle!r}]; sys.path.append({site!r}); "
    "t, c = time.perf_counter(), time.process_time(); import {module}; "
    "print(time.perf_counter() - t, time.process_time() - c)"
)
# What the handler cannot import less than: the resolver with validation, its parameter types, pydantic,
# each after the handler's own deferral of the modules they import and never use (petstore.cold_start:
# deferred modules, lazy packages, the collector paused while importing).
DEFERRAL = "petstore.cold_start"
LIBRARY_FLOOR = (
    f"{DEFERRAL}, aws_lambda_powertools.event_handler.openapi.params, aws_lambda_powertools.metrics, pydantic"
)
# The floor's two halves: pydantic's BaseModel, and the resolver, logger and metrics without validation.
PYDANTIC_ALONE = f"{DEFERRAL}, pydantic.main"
# The REST resolver is named: with the handler's lazy packages, `aws_lambda_powertools.event_handler`
# alone no longer imports any resolver.
POWERTOOLS_WITHOUT_PYDANTIC = (
    f"{DEFERRAL}, aws_lambda_powertools.event_handler.api_gateway, aws_lambda_powertools.metrics"
)
# What both probes below run once `app` is imported: its order store in memory, the newest order only
# (the order path without its DynamoDB call; NewestOrderStore below), and the route's event.
_SERVE_FROM_MEMORY = """
sys.path.append({repo!r})
from tests.events import FakeLambdaContext
class NewestOrderStore:
    newest = None
    def put_new(self, document, *, synthetic=False): self.newest = dict(document)
    def get(self, confirmation_number):
        newest = self.newest
        return newest if newest and newest["confirmationNumber"] == confirmation_number else None
store = NewestOrderStore()
app.order_store = lambda: store
warnings.simplefilter("ignore")
event, context = json.loads({event!r}), FakeLambdaContext()
"""
# A fresh process: import the bundle, then answer one request of a route.
_FIRST_REQUEST_PROBE = (
    """
import contextlib, io, json, sys, time, warnings
sys.path[:0] = [{bundle!r}]
sys.path.append({site!r})
started = time.perf_counter()
import app
imported = time.perf_counter()
"""
    + _SERVE_FROM_MEMORY
    + """
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    before = time.perf_counter()
    status = app.lambda_handler(event, context)["statusCode"]
    answered = time.perf_counter()
print(json.dumps([imported - started, answered - before, status]))
"""
)
# A fresh process: import the bundle, then serve one route's request 20 times and `requests` times more,
# logs and metrics to /dev/null; counted by callgrind, it prints nothing.
_WARM_REQUESTS_PROBE = (
    """
import contextlib, json, os, sys, warnings
sys.path[:0] = [{bundle!r}]
sys.path.append({site!r})
import app
"""
    + _SERVE_FROM_MEMORY
    + """
sink = open(os.devnull, "w")
app.logger.registered_handler.setStream(sink)
with contextlib.redirect_stdout(sink):
    for _ in range(20 + {requests}):
        app.lambda_handler(event, context)
"""
)
# The anchors (the handler before this work) and goals.
ANCHOR_IMPORT = "540-670 ms (about 1.4 s the first time); seed-style handler 15 ms"
ANCHOR_SEED_IMPORT_MS = 15  # the seed-style handler's import in the run that measured the anchor
ANCHOR_WARM_P99 = {"GET /health": "320-500 us", "GET /pets": "225-590 us", "POST /orders": "about 575 us"}
GOAL_IMPORT_MS = 150
GOAL_WARM_P99_US = {"GET /health": 150, "GET /pets": 150, "POST /orders": 250}
WARM_ROUNDS = 5
# Untimed requests at the start of each round: they bring back into the CPU's caches what the seed-style
# handler's requests just before them took (the fifth request measured as the round's median).
REWARM_REQUESTS = 5
# Requests that each follow an idle gap, and the gap: a function whose requests arrive apart.
IDLE_GAP_REQUESTS = 200
IDLE_GAP_SECONDS = 0.010
# The loop of the machine's own tail is sized by timing this many of its iterations (median of 51 runs).
SPIN_CALIBRATION_ITERATIONS = 1_000
SPIN_CALIBRATION_RUNS = 51
# What Lambda's python3.13 runtime sets in every function's environment, as the local cloud's runtime
# does (localcloud/lambda_runtime/environment.py). Powertools reads some of them on every request: a
# variable missing costs os.getenv a KeyError.
LAMBDA_RUNTIME_ENVIRONMENT = {
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    "LANG": "en_US.UTF-8",
    "TZ": ":UTC",
}


def build_bundle(color: str) -> Path:
    """pip install -r requirements.txt -t, as sam build does, cached by the requirements' hash."""
    source = BUNDLES_DIR / color
    requirements = (source / "requirements.txt").read_bytes()
    target = BUILD_DIR / f"{color}-{hashlib.sha256(requirements).hexdigest()[:12]}"
    if not target.is_dir():
        staging = Path(tempfile.mkdtemp(dir=BUILD_DIR.parent if BUILD_DIR.parent.is_dir() else None))
        subprocess.run(
            [*PIP_INSTALL, "--requirement", str(source / "requirements.txt"), "--target", str(staging)],
            check=True,
        )
        BUILD_DIR.mkdir(parents=True, exist_ok=True)
        staging.rename(target)
    for entry in source.iterdir():  # the sources are refreshed on every run
        if entry.name.startswith((".", "__pycache__")):
            continue
        if entry.is_dir():
            shutil.copytree(
                entry, target / entry.name, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(entry, target / entry.name)
    return target


def artifact_sizes(bundle: Path, with_bytecode: bool = False) -> tuple[int, int, list[str]]:
    """Unzipped and zipped bytes (sources only, or with the bytecode a deploy ships), forbidden packages."""
    files = [p for p in bundle.rglob("*") if p.is_file() and (with_bytecode or "__pycache__" not in p.parts)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(bundle))
    present = [name for name in FORBIDDEN_IN_BUNDLE if (bundle / name).exists()]
    return sum(p.stat().st_size for p in files), buffer.tell(), present


@dataclass
class ImportTimes:
    """Seconds per fresh interpreter: wall clock, and the CPU time the process itself used."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def __iadd__(self, other: "ImportTimes") -> "ImportTimes":
        self.wall += other.wall
        self.cpu += other.cpu
        return self


def import_seconds(
    bundle: Path,
    environ: Mapping[str, str],
    runs: int,
    module: str = "app",
    *,
    write_bytecode: bool = True,
    warm_up: bool = True,
) -> ImportTimes:
    """`import app` in fresh isolated interpreters; a first, uncounted run writes the bytecode.

    Without write_bytecode the interpreter runs with -B: what a read-only /var/task allows.
    """
    probe = _IMPORT_PROBE.format(bundle=str(bundle), site=RUNTIME_SITE_PACKAGES, module=module)
    command = [sys.executable, "-I", "-S", *(() if write_bytecode else ("-B",)), "-c", probe]
    times = ImportTimes()
    for attempt in range(runs + 1 if warm_up else runs):
        done = subprocess.run(command, env=dict(environ), capture_output=True, text=True, check=True)
        if attempt or not warm_up:
            wall, cpu = done.stdout.strip().splitlines()[-1].split()
            times.wall.append(float(wall))
            times.cpu.append(float(cpu))
    return times


def interleaved_import_seconds(
    environ: Mapping[str, str], runs: int, probes: Sequence[tuple[Path, str]]
) -> list[ImportTimes]:
    """Imports of (bundle, module) measured in alternation, so a change in the host's speed weighs on
    each alike."""
    for bundle, module in probes:  # writes the bytecode
        import_seconds(bundle, environ, 0, module)
    times = [ImportTimes() for _ in probes]
    for _ in range(runs):
        for index, (bundle, module) in enumerate(probes):
            times[index] += import_seconds(bundle, environ, 1, module, warm_up=False)
    return times


def bundle_copies(bundle: Path, workdir: Path) -> tuple[Path, Path, Path]:
    """The bundle as `sam build` ships it (no bytecode), as a deploy ships it (unchecked-hash bytecode
    for the modules the handler reaches), and with unchecked-hash bytecode for every module.

    Unchecked-hash .pyc files are used without comparing the sources' timestamps, which zipping and
    unzipping do not keep exactly; a deployed bundle never changes, so nothing can make them stale.
    """
    shipped, deployed, every = workdir / "as-built", workdir / "as-deployed", workdir / "every-module"
    for target in (shipped, deployed, every):
        shutil.copytree(bundle, target, ignore=shutil.ignore_patterns("__pycache__"))
    compile_function(deployed, ["app"])  # what bluegreen.bytecode.compile_build does for each function
    keep_generated_code(deployed)
    compileall.compile_dir(every, quiet=1, invalidation_mode=PycInvalidationMode.UNCHECKED_HASH, workers=1)
    return shipped, deployed, every


def first_request_seconds(
    bundle: Path, environ: Mapping[str, str], event: dict[str, Any], runs: int, expect: int
) -> tuple[list[float], list[float]]:
    """Import and first-request times of fresh interpreters that answer one request of this route."""
    probe = _FIRST_REQUEST_PROBE.format(
        bundle=str(bundle), site=RUNTIME_SITE_PACKAGES, repo=str(REPO_ROOT), event=json.dumps(event)
    )
    command = [sys.executable, "-I", "-S", "-c", probe]
    imports, firsts = [], []
    for _ in range(runs):
        done = subprocess.run(command, env=dict(environ), capture_output=True, text=True, check=True)
        imported, answered, status = json.loads(done.stdout.strip().splitlines()[-1])
        if status != expect:
            raise SystemExit(f"first request of {event['httpMethod']} {event['path']}: got {status}")
        imports.append(imported)
        firsts.append(answered)
    return imports, firsts


class NewestOrderStore:
    """The order path without its DynamoDB call: the document is made as for the table and kept until the
    next order, as a function whose table is remote keeps none. Keeping every order grew the process
    during the timed requests (page faults a function never takes)."""

    def __init__(self) -> None:
        self.newest: dict[str, Any] | None = None

    def put_new(self, document: Mapping[str, Any], *, synthetic: bool = False) -> None:
        self.newest = dict(document)

    def get(self, confirmation_number: str) -> dict[str, Any] | None:
        newest = self.newest
        return newest if newest is not None and newest["confirmationNumber"] == confirmation_number else None


@contextlib.contextmanager
def output_discarded(log_handler: logging.StreamHandler[Any]) -> Iterator[None]:
    """Logs, and EMF metrics (printed to stdout), go where a function's go: out of the process. The
    handler is the service's logger's, shared by every load of a bundle: its stream is given back."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        previous = log_handler.setStream(sink)
        try:
            yield
        finally:
            if previous is not None:
                log_handler.setStream(previous)


@dataclass
class WarmRun:
    """A route's warm requests, in rounds; before each round, the seed-style handler's warm p50."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    round_p99s: list[float] = field(default_factory=list)
    seed_p50s: list[float] = field(default_factory=list)
    after_idle_p50: float | None = None  # the p50 of requests each after an idle gap, when measured


def warm_invoke_seconds(
    color: str,
    event: dict[str, Any],
    runs: int,
    expect: int,
    seed: Callable[[], float],
    rounds: int = WARM_ROUNDS,
    rewarm: int = REWARM_REQUESTS,
    idle_gap_requests: int = 0,
) -> WarmRun:
    """Wall and CPU time of lambda_handler per request after a first call; logs and metrics to /dev/null.

    The requests run in rounds, each after the seed-style handler's: a round's p99 beside the host's
    speed just before it shows how much of a slow round was the host's. A round's first `rewarm`
    requests are not timed (REWARM_REQUESTS). Then, with idle_gap_requests, requests each after an
    idle gap."""
    bundle = load_bundle(color)
    store = NewestOrderStore()
    bundle.app.order_store = lambda: store
    measured = WarmRun()
    with output_discarded(bundle.app.logger.registered_handler):
        status = bundle.handler(event, FakeLambdaContext())["statusCode"]
        if status != expect:
            raise SystemExit(
                f"{color} {event['httpMethod']} {event['path']}: expected {expect}, got {status}"
            )
        context = FakeLambdaContext()
        for _ in range(rounds):
            measured.seed_p50s.append(seed())
            for _ in range(rewarm):
                bundle.handler(event, context)
            timings = []
            for _ in range(max(1, runs // rounds)):
                started, cpu_started = time.perf_counter(), time.thread_time()
                bundle.handler(event, context)
                measured.cpu.append(time.thread_time() - cpu_started)
                timings.append(time.perf_counter() - started)
            measured.round_p99s.append(percentile(timings, 0.99))
            measured.wall.extend(timings)
        if idle_gap_requests:
            measured.after_idle_p50 = after_idle_gap_p50(
                lambda: bundle.handler(event, context), idle_gap_requests
            )
    return measured


def after_idle_gap_p50(call: Callable[[], object], requests: int, gap: float = IDLE_GAP_SECONDS) -> float:
    """The p50 of `requests` calls that each follow `gap` seconds of sleep."""
    timings = []
    for _ in range(requests):
        time.sleep(gap)
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return percentile(timings, 0.5)


def spin(iterations: int) -> int:
    """Fixed work: the same arithmetic every time, no I/O, nothing kept (each int it makes is freed)."""
    total = 0
    for number in range(iterations):
        total += number * number
    return total


def back_to_back_seconds(call: Callable[[], object], runs: int) -> list[float]:
    """Wall time of each of `runs` calls, one right after the other."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return timings


def spin_iterations(target: float) -> int:
    """The iterations of spin() that take about `target` seconds on this machine just now."""
    timings = back_to_back_seconds(lambda: spin(SPIN_CALIBRATION_ITERATIONS), SPIN_CALIBRATION_RUNS)
    per_iteration = statistics.median(timings) / SPIN_CALIBRATION_ITERATIONS
    return max(1, round(target / per_iteration))


def fixed_work_seconds(target: float, runs: int) -> list[float]:
    """Times of a loop sized to take about `target` seconds, run `runs` times back to back as warm requests
    are: any spread beyond its p50 is the machine's, since the work never changes."""
    iterations = spin_iterations(target)
    for _ in range(REWARM_REQUESTS):  # untimed, as each round of requests begins
        spin(iterations)
    return back_to_back_seconds(lambda: spin(iterations), runs)


def load_seed_handler(seed: Path) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The seed-style handler, imported in this process."""
    spec = importlib.util.spec_from_file_location("seed_style_app", seed / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler: Callable[[dict[str, Any], Any], dict[str, Any]] = module.lambda_handler
    return handler


def seed_warm_handler(
    handler: Callable[[dict[str, Any], Any], dict[str, Any]], event: dict[str, Any]
) -> Callable[[], float]:
    """The seed-style handler's warm p50 over 500 requests in this process, on each call: the host's
    speed, as a reference."""
    handler(event, None)

    def warm_p50() -> float:
        return percentile(back_to_back_seconds(lambda: handler(event, None), 500), 0.5)

    return warm_p50


CALLGRIND = ("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null")


def instructions(command: Sequence[str], environ: Mapping[str, str]) -> int:
    """Instructions a process executes, counted by valgrind's callgrind (the host's speed plays no part)."""
    done = subprocess.run([*CALLGRIND, *command], env=dict(environ), capture_output=True, text=True)
    collected = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or collected is None:
        raise SystemExit(f"callgrind failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    return int(collected.group(1))


def import_instructions(bundle: Path, environ: Mapping[str, str]) -> int:
    """`import app` in a fresh isolated interpreter, bytecode cached (the timed runs wrote it)."""
    probe = _IMPORT_PROBE.format(bundle=str(bundle), site=RUNTIME_SITE_PACKAGES, module="app")
    return instructions((sys.executable, "-I", "-S", "-c", probe), environ)


def request_instructions(bundle: Path, environ: Mapping[str, str], event: dict[str, Any]) -> int:
    """A warm request's instructions: processes serving 100 and 300 requests, the difference over 200."""
    environ = {**environ, "PYTHONHASHSEED": "0"}  # the two processes' dictionaries collide alike
    counts = []
    for requests in (100, 300):
        probe = _WARM_REQUESTS_PROBE.format(
            bundle=str(bundle),
            site=RUNTIME_SITE_PACKAGES,
            repo=str(REPO_ROOT),
            event=json.dumps(event),
            requests=requests,
        )
        counts.append(instructions((sys.executable, "-S", "-s", "-c", probe), environ))
    return (counts[1] - counts[0]) // 200


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--imports", type=int, default=5, help="fresh interpreters per figure (default 5)")
    parser.add_argument("--invokes", type=int, default=5000, help="warm invocations per route (default 5000)")
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions with valgrind (about 2 min)"
    )
    args = parser.parse_args()
    if args.instructions and shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind on PATH (apt-get install valgrind)")
    warnings.simplefilter("ignore")  # Powertools warns on every invocation that publishes no metric
    os.environ.update(LAMBDA_RUNTIME_ENVIRONMENT)  # for the warm requests, served in this process

    print(f"load average (1/5/15 min) at start: {load_average()} on {os.cpu_count()} CPUs")
    routes = (
        ("GET /health", load_event("health"), 200),
        ("GET /pets", load_event("pets"), 200),
        ("POST /orders", load_event("order_available", body=ORDER), 201),
    )
    with tempfile.TemporaryDirectory(prefix="seed-handler-") as seed_dir:
        seed = Path(seed_dir)
        (seed / "app.py").write_text(SEED_HANDLER)
        for color in COLORS:
            measure_color(color, seed, routes, args)
    print(f"load average (1/5/15 min) at end: {load_average()}")


def measure_color(
    color: str, seed: Path, routes: Sequence[tuple[str, dict[str, Any], int]], args: argparse.Namespace
) -> None:
    bundle = build_bundle(color)
    unzipped, zipped, forbidden = artifact_sizes(bundle)
    print(
        f"{color}: artifact {zipped / 1e6:.2f} MB zipped, {unzipped / 1e6:.1f} MB unzipped; "
        f"boto3/botocore/X-Ray SDK bundled: {', '.join(forbidden) or 'none'} "
        "[goal <= 5 MB zipped, none bundled; before 21 MB (45 MB), all three bundled]"
    )
    environ = {
        **os.environ,
        **TEST_ENVIRONMENT,
        "AWS_LAMBDA_FUNCTION_NAME": f"petstore-{color}",
        "APP_COLOR": color,
        "APP_VERSION": RELEASE_VERSIONS[color],
    }
    imports, seed_imports, floor, pydantic_alone, powertools_alone = interleaved_import_seconds(
        environ,
        args.imports,
        (
            (bundle, "app"),
            (seed, "app"),
            (bundle, LIBRARY_FLOOR),
            (bundle, PYDANTIC_ALONE),
            (bundle, POWERTOOLS_WITHOUT_PYDANTIC),
        ),
    )
    median, floor_median = statistics.median(imports.wall), statistics.median(floor.wall)
    seed_median = statistics.median(seed_imports.wall)
    print(
        f"{color}: import median {ms(median)} (min {ms(min(imports.wall))}, max {ms(max(imports.wall))}, "
        f"n={len(imports.wall)}; CPU median {ms(statistics.median(imports.cpu))}) "
        f"[goal <= {GOAL_IMPORT_MS} ms; before {ANCHOR_IMPORT}]"
    )
    print(
        f"{color}:   {median / seed_median:.1f}x the seed-style handler's import, median {ms(seed_median)} "
        f"in alternation with it [goal <= {GOAL_IMPORT_MS / ANCHOR_SEED_IMPORT_MS:.0f}x: {GOAL_IMPORT_MS} ms "
        f"where the anchor's run measured the seed-style handler at {ANCHOR_SEED_IMPORT_MS} ms; "
        f"before 36-45x]"
    )
    print(
        f"{color}:   of which the libraries alone (Powertools resolver with validation, metrics, "
        f"pydantic) median {ms(floor_median)} (CPU {ms(statistics.median(floor.cpu))}); the "
        f"handler's own modules about {ms(median - floor_median)}"
    )
    print(
        f"{color}:   the floor's halves: pydantic (BaseModel) alone median "
        f"{ms(statistics.median(pydantic_alone.wall))}; Powertools resolver, logger and metrics "
        f"without validation (no pydantic) median {ms(statistics.median(powertools_alone.wall))}"
    )
    with tempfile.TemporaryDirectory(prefix=f"{color}-bytecode-") as workdir:
        shipped, deployed, every = bundle_copies(bundle, Path(workdir))
        no_bytecode = import_seconds(shipped, environ, args.imports, write_bytecode=False)
        with_bytecode = import_seconds(deployed, environ, args.imports, write_bytecode=False)
        _, zipped_deployed, _ = artifact_sizes(deployed, with_bytecode=True)
        _, zipped_every, _ = artifact_sizes(every, with_bytecode=True)
    print(
        f"{color}: artifact as `bluegreen deploy` ships it, with unchecked-hash bytecode for the "
        f"modules the handler reaches: {zipped_deployed / 1e6:.2f} MB zipped [goal <= 5 MB; sources "
        f"only {zipped / 1e6:.2f} MB; bytecode for every module {zipped_every / 1e6:.2f} MB]"
    )
    print(
        f"{color}: import on a read-only task root: as `sam build` ships it (no bytecode) median "
        f"{ms(statistics.median(no_bytecode.wall))}; as a deploy ships it (bytecode compiled) median "
        f"{ms(statistics.median(with_bytecode.wall))} [before: about 1.4 s the first time]"
    )
    for name, event, expect in routes:
        cold_imports, firsts = first_request_seconds(bundle, environ, event, args.imports, expect)
        colds = [imported + first for imported, first in zip(cold_imports, firsts, strict=True)]
        print(
            f"{color}: first {name:<13} after a fresh import median {ms(statistics.median(firsts))}; "
            f"cold start (import + first request) median {ms(statistics.median(colds))} "
            f"(n={len(colds)})"
        )
    seed_handler, seed_event = load_seed_handler(seed), routes[0][1]
    seed_p50 = seed_warm_handler(seed_handler, seed_event)
    idle_gap_requests = min(IDLE_GAP_REQUESTS, args.invokes)
    for name, event, expect in routes:
        warm = warm_invoke_seconds(
            color, event, args.invokes, expect, seed_p50, idle_gap_requests=idle_gap_requests
        )
        route_p50, route_p99 = percentile(warm.wall, 0.5), percentile(warm.wall, 0.99)
        print(
            f"{color}: warm {name:<13} p50 {route_p50 * 1e6:4.0f} us, p99 {route_p99 * 1e6:5.0f} us "
            f"(CPU p99 {percentile(warm.cpu, 0.99) * 1e6:4.0f} us, n={len(warm.wall)}) "
            f"[goal p99 <= {GOAL_WARM_P99_US[name]} us; before p99 {ANCHOR_WARM_P99[name]}]"
        )
        print(
            f"{color}:   by round of {len(warm.wall) // len(warm.round_p99s)}: p99 "
            + ", ".join(f"{p99 * 1e6:.0f}" for p99 in warm.round_p99s)
            + " us; the host's speed just before each (the seed-style handler's warm GET /health p50) "
            + ", ".join(f"{p50 * 1e6:.1f}" for p50 in warm.seed_p50s)
            + " us"
        )
        fixed = fixed_work_seconds(route_p50, len(warm.wall))
        fixed_p50, fixed_p99 = percentile(fixed, 0.5), percentile(fixed, 0.99)
        print(
            f"{color}:   the machine's own tail: a pure-Python loop sized to this route's p50, timed "
            f"{len(fixed)} times back to back: p50 {fixed_p50 * 1e6:.0f} us, p99 {fixed_p99 * 1e6:.0f} us, "
            f"{fixed_p99 / fixed_p50:.1f}x its p50 (the route's p99: {route_p99 / route_p50:.1f}x its "
            "p50) [no goal]"
        )
        assert warm.after_idle_p50 is not None
        seed_after_idle = after_idle_gap_p50(lambda: seed_handler(seed_event, None), idle_gap_requests)
        print(
            f"{color}:   after a {IDLE_GAP_SECONDS * 1e3:.0f} ms idle gap before each request: p50 "
            f"{warm.after_idle_p50 * 1e6:.0f} us (back to back {route_p50 * 1e6:.0f} us); "
            f"the seed-style handler's GET /health p50 {seed_after_idle * 1e6:.1f} us (back to back "
            f"{warm.seed_p50s[-1] * 1e6:.1f} us), n={idle_gap_requests} [no goal]"
        )
    if args.instructions:
        print(
            f"{color}: instructions (callgrind): import {import_instructions(bundle, environ) / 1e6:.0f} M; "
            + ", ".join(
                f"warm {name} {request_instructions(bundle, environ, event) / 1e3:.0f} k"
                for name, event, _ in routes
            )
            + " a request"
        )


if __name__ == "__main__":
    main()
