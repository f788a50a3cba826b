"""Import one color's Lambda bundle in isolation.

Both src/blue and src/green have a top-level `app` module and a `petstore` package, exactly as Lambda
sees them. Each color is imported under its own module name with its folder first on sys.path, with the
environment its stack sets, and its modules are purged from sys.modules afterwards so the other color
gets its own copies.
"""

import base64
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.events import FakeLambdaContext

REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLES_DIR = REPO_ROOT / "src"
COLORS = ("blue", "green")
RELEASE_VERSIONS = {"blue": "v1.0.0", "green": "v2.0.0"}
OPENAPI_DIR = REPO_ROOT / "architecture" / "openapi"

# What the template sets; the tables are moto's (tests/order_tables.py), never a real account's.
TEST_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": "petstore",
    "POWERTOOLS_METRICS_NAMESPACE": "PetStore",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "ORDERS_TABLE_NAME": "petstore-orders-test",
    "IDEMPOTENCY_TABLE_NAME": "petstore-idempotency-test",
}
_BUNDLE_PACKAGES = ("app", "petstore")


@dataclass(frozen=True)
class Bundle:
    """One color's code as imported: its `app` module and its `petstore.*` modules by short name."""

    color: str
    app: ModuleType
    modules: dict[str, ModuleType]

    @property
    def handler(self) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        handler: Callable[[dict[str, Any], Any], dict[str, Any]] = self.app.lambda_handler
        return handler


def _purge_bundle_modules() -> dict[str, ModuleType]:
    purged = {}
    for name in list(sys.modules):
        if name.split(".", 1)[0] in _BUNDLE_PACKAGES:
            purged[name] = sys.modules.pop(name)
    return purged


def import_bundle(color: str, environ: dict[str, str] | None = None) -> Bundle:
    """Import src/<color>/app.py afresh. APP_COLOR/APP_VERSION are set only for the import, then restored."""
    if color not in COLORS:
        raise ValueError(f"color must be one of {COLORS}; got {color!r}")
    folder = BUNDLES_DIR / color
    release_env = {"APP_COLOR": color, "APP_VERSION": RELEASE_VERSIONS[color]} if environ is None else environ
    os.environ.update(TEST_ENVIRONMENT)
    saved = {name: os.environ.get(name) for name in ("APP_COLOR", "APP_VERSION")}
    for name in saved:
        os.environ.pop(name, None)
    os.environ.update(release_env)
    _purge_bundle_modules()
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location(f"petstore_{color}_app", folder / "app.py")
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {folder / 'app.py'}")
        module = importlib.util.module_from_spec(spec)
        with warnings.catch_warnings():
            # Powertools Metrics keep their dimensions process-wide; Lambda never imports two colors.
            warnings.filterwarnings("ignore", message="Dimension 'environment' has already been added")
            spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(folder))
        imported = _purge_bundle_modules()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    modules = {name.removeprefix("petstore."): mod for name, mod in imported.items() if "." in name}
    return Bundle(color=color, app=module, modules=modules)


@dataclass(frozen=True)
class HttpReply:
    """A Lambda proxy response as the HTTP client sees it."""

    status: int
    headers: dict[str, list[str]]
    body: str

    def header(self, name: str) -> str | None:
        """The header's values joined as HTTP would, matched without regard to case."""
        for key, values in self.headers.items():
            if key.lower() == name.lower():
                return ", ".join(values)
        return None

    def json(self) -> Any:
        return json.loads(self.body)


def to_reply(response: dict[str, Any]) -> HttpReply:
    headers: dict[str, list[str]] = {}
    for name, value in (response.get("headers") or {}).items():
        headers.setdefault(name, []).append(str(value))
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers[name] = [str(value) for value in values]
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8")
    return HttpReply(status=int(response["statusCode"]), headers=headers, body=body)


def invoke(bundle: Bundle, event: dict[str, Any], context: Any = None) -> HttpReply:
    """Call the color's lambda_handler the way Lambda does, and read its answer as HTTP."""
    return to_reply(bundle.handler(event, context if context is not None else FakeLambdaContext()))


@cache
def load_bundle(color: str) -> Bundle:
    """The color's bundle, imported once per test session (imports cost about a second)."""
    return import_bundle(color)
