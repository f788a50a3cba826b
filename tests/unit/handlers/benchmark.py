"""Measure each color's cold-start import time and warm invoke time. Prints figures; asserts nothing.

Run: .venv/bin/python tests/unit/handlers/benchmark.py [--imports 7] [--invokes 1000]
"""

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.events import FakeLambdaContext, load_event  # noqa: E402
from tests.handler_loader import BUNDLES_DIR, COLORS, RELEASE_VERSIONS, TEST_ENVIRONMENT, load_bundle  # noqa: E402

_IMPORT_PROBE = "import time; t = time.perf_counter(); import app; print(time.perf_counter() - t)"
ORDERS = {"blue": {"id": 1, "name": "Buddy"}, "green": {"id": 1, "name": "Buddy"}}


def cold_import_seconds(color: str, runs: int) -> tuple[list[float], list[float]]:
    """Import time of `app` in a fresh interpreter, and the whole process's wall time, per run."""
    env = {**os.environ, **TEST_ENVIRONMENT, "APP_COLOR": color, "APP_VERSION": RELEASE_VERSIONS[color]}
    imports, processes = [], []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _IMPORT_PROBE],
            cwd=BUNDLES_DIR / color,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        processes.append(time.perf_counter() - started)
        imports.append(float(done.stdout.strip().splitlines()[-1]))
    return imports, processes


def warm_invoke_seconds(
    color: str, event_name: str, runs: int, expect: int, body: object = None
) -> list[float]:
    """Per-request time of lambda_handler after a first (cold) call, logs and metrics written to memory."""
    bundle = load_bundle(color)
    event = load_event(event_name, body=body) if body is not None else load_event(event_name)
    bundle.app.logger.registered_handler.setStream(io.StringIO())
    timings = []
    with contextlib.redirect_stdout(io.StringIO()):  # EMF metrics are printed to stdout
        status = bundle.handler(event, FakeLambdaContext())["statusCode"]
        if status != expect:
            raise SystemExit(f"{color} {event_name}: expected {expect}, got {status}")
        for _ in range(runs):
            context = FakeLambdaContext()
            started = time.perf_counter()
            bundle.handler(event, context)
            timings.append(time.perf_counter() - started)
    return timings


def _summary(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--imports", type=int, default=7, help="fresh interpreters per color")
    parser.add_argument("--invokes", type=int, default=1000, help="warm invocations per route and color")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # Powertools warns on every invocation that publishes no metric
    for color in COLORS:
        imports, processes = cold_import_seconds(color, args.imports)
        print(f"{color}: cold import of app: {_summary(imports)}; whole process: {_summary(processes)}")
        pets = warm_invoke_seconds(color, "pets", args.invokes, expect=200)
        print(f"{color}: warm GET /pets: {_summary(pets)}")
        orders = warm_invoke_seconds(color, "order_available", args.invokes, expect=201, body=ORDERS[color])
        print(f"{color}: warm POST /orders: {_summary(orders)}")


if __name__ == "__main__":
    main()
