"""Import one color's Lambda bundle in isolation.

Both src/blue and src/green have a top-level `app` module and a `petstore` package, exactly as Lambda
sees them. Each color is imported under its own module name with its folder first on sys.path, with the
environment its stack sets, and its modules are purged from sys.modules afterwards so the other color
gets its own copies.
"""

import importlib.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLES_DIR = REPO_ROOT / "src"
COLORS = ("blue", "green")
RELEASE_VERSIONS = {"blue": "v1.0.0", "green": "v2.0.0"}
OPENAPI_DIR = REPO_ROOT / "architecture" / "openapi"

# What the template sets, plus what keeps tests off the network (no X-Ray daemon to reach).
TEST_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": "petstore",
    "POWERTOOLS_METRICS_NAMESPACE": "PetStore",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "AWS_DEFAULT_REGION": "eu-west-1",
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


@cache
def load_bundle(color: str) -> Bundle:
    """The color's bundle, imported once per test session (imports cost about a second)."""
    return import_bundle(color)
