"""The handler's cold-start and warm figures, each printed beside its anchor. Prints; asserts nothing.

Run: .venv/bin/python tests/unit/handlers/benchmark.py [--imports 5] [--invokes 5000]

- artifact: each color's bundle as `sam build` makes it (pip install -r requirements.txt -t, plus the
  sources), zipped; boto3, botocore and the X-Ray SDK must not be in it (the runtime provides boto3).
- import: median of fresh `python3.13 -I -S` processes importing `app` from the built bundle, with the
  runtime's site-packages (this venv's, for boto3) after it on sys.path, bytecode cached by a first
  run; beside a seed-style bare handler (json and if/elif, no library) measured the same way.
- warm: in-process p50/p99 of lambda_handler for /health, /pets and POST /orders, logging, metrics and
  validation on; the order path with an in-memory table, so its DynamoDB call is not timed.
"""

import argparse
import contextlib
import hashlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

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
    "t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
)
# What the handler cannot import less than: the resolver with validation, its parameter types, pydantic.
LIBRARY_FLOOR = "aws_lambda_powertools.event_handler.openapi.params, aws_lambda_powertools.metrics, pydantic"


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


def artifact_sizes(bundle: Path) -> tuple[int, int, list[str]]:
    """Unzipped and zipped bytes (without __pycache__, as deployed), and forbidden packages present."""
    files = [p for p in bundle.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(bundle))
    present = [name for name in FORBIDDEN_IN_BUNDLE if (bundle / name).exists()]
    return sum(p.stat().st_size for p in files), buffer.tell(), present


def import_seconds(bundle: Path, environ: Mapping[str, str], runs: int, module: str = "app") -> list[float]:
    """`import app` in fresh isolated interpreters; a first, uncounted run writes the bytecode."""
    probe = _IMPORT_PROBE.format(bundle=str(bundle), site=RUNTIME_SITE_PACKAGES, module=module)
    command = [sys.executable, "-I", "-S", "-c", probe]
    timings = []
    for attempt in range(runs + 1):
        done = subprocess.run(command, env=dict(environ), capture_output=True, text=True, check=True)
        if attempt:
            timings.append(float(done.stdout.strip().splitlines()[-1]))
    return timings


class MemoryOrderStore:
    """The order path without its DynamoDB call."""

    def __init__(self) -> None:
        self.orders: dict[str, Any] = {}

    def put_new(self, document: Mapping[str, Any], *, synthetic: bool = False) -> None:
        self.orders[document["confirmationNumber"]] = dict(document)

    def get(self, confirmation_number: str) -> dict[str, Any] | None:
        return self.orders.get(confirmation_number)


def warm_invoke_seconds(color: str, event: dict[str, Any], runs: int, expect: int) -> list[float]:
    """Per-request time of lambda_handler after a first call; logs and metrics written to memory."""
    bundle = load_bundle(color)
    store = MemoryOrderStore()
    bundle.app.order_store = lambda: store
    bundle.app.logger.registered_handler.setStream(io.StringIO())
    timings = []
    with contextlib.redirect_stdout(io.StringIO()):  # EMF metrics are printed to stdout
        status = bundle.handler(event, FakeLambdaContext())["statusCode"]
        if status != expect:
            raise SystemExit(
                f"{color} {event['httpMethod']} {event['path']}: expected {expect}, got {status}"
            )
        context = FakeLambdaContext()
        for _ in range(runs):
            started = time.perf_counter()
            bundle.handler(event, context)
            timings.append(time.perf_counter() - started)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--imports", type=int, default=5, help="fresh interpreters per bundle (default 5)")
    parser.add_argument("--invokes", type=int, default=5000, help="warm invocations per route (default 5000)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # Powertools warns on every invocation that publishes no metric

    with tempfile.TemporaryDirectory(prefix="seed-handler-") as seed:
        (Path(seed) / "app.py").write_text(SEED_HANDLER)
        seed_imports = import_seconds(Path(seed), os.environ, args.imports)
    print(f"seed-style bare handler: import median {statistics.median(seed_imports) * 1000:.1f} ms")
    print(
        "goals: artifact <= 5 MB zipped; import <= 150 ms; warm p99 <= 150 us (health, pets), 250 us (orders)"
    )
    for color in COLORS:
        bundle = build_bundle(color)
        unzipped, zipped, forbidden = artifact_sizes(bundle)
        print(
            f"{color}: artifact {zipped / 1e6:.2f} MB zipped, {unzipped / 1e6:.1f} MB unzipped; "
            f"boto3/botocore/X-Ray SDK bundled: {', '.join(forbidden) or 'none'}"
        )
        environ = {
            **os.environ,
            **TEST_ENVIRONMENT,
            "APP_COLOR": color,
            "APP_VERSION": RELEASE_VERSIONS[color],
        }
        imports = import_seconds(bundle, environ, args.imports)
        floor = import_seconds(bundle, environ, args.imports, module=LIBRARY_FLOOR)
        print(
            f"{color}: import median {statistics.median(imports) * 1000:.1f} ms "
            f"(min {min(imports) * 1000:.1f}, max {max(imports) * 1000:.1f}, n={len(imports)}); "
            f"Powertools + pydantic alone: median {statistics.median(floor) * 1000:.1f} ms"
        )
        for name, event, expect in (
            ("GET /health", load_event("health"), 200),
            ("GET /pets", load_event("pets"), 200),
            ("POST /orders", load_event("order_available", body=ORDER), 201),
        ):
            timings = warm_invoke_seconds(color, event, args.invokes, expect)
            print(
                f"{color}: warm {name:<13} p50 {percentile(timings, 0.5) * 1e6:6.0f} us, "
                f"p99 {percentile(timings, 0.99) * 1e6:6.0f} us (n={len(timings)})"
            )


if __name__ == "__main__":
    main()
