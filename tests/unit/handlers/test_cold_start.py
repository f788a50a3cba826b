"""Modules the libraries import but no route uses are deferred, never dropped: they load when used."""

import json
import os
import subprocess
import sys
import sysconfig

import pytest

from tests.handler_loader import BUNDLES_DIR, COLORS, RELEASE_VERSIONS, REPO_ROOT, TEST_ENVIRONMENT

SITE_PACKAGES = sysconfig.get_paths()["purelib"]

# Imports the bundle as Lambda does, answers every route (the order path with its table in memory),
# and reports the deferred modules that got loaded, with each route's status.
_EVERY_ROUTE = """
import contextlib, io, json, sys, types
sys.path[:0] = [{bundle!r}]
sys.path.append({site!r})
import app
from petstore.cold_start import DEFERRED
sys.path.append({repo!r})
from tests.events import FakeLambdaContext, load_event, make_event
class MemoryOrderStore:
    orders = {{}}
    def put_new(self, document, *, synthetic=False):
        self.orders[document["confirmationNumber"]] = document
    def get(self, confirmation_number):
        return self.orders.get(confirmation_number)
store = MemoryOrderStore()
app.order_store = lambda: store
order = load_event("order_available", body={{"id": 1, "name": "Buddy"}})
requests = [load_event("health"), load_event("pets"), order]
if {color!r} == "green":
    requests.append(load_event("pet_by_id"))
with contextlib.redirect_stdout(io.StringIO()):
    statuses = [app.lambda_handler(event, FakeLambdaContext())["statusCode"] for event in requests]
    number = json.loads(app.lambda_handler(order, FakeLambdaContext())["body"])["confirmationNumber"]
    found = app.lambda_handler(make_event("GET", "/orders/" + number), FakeLambdaContext())["statusCode"]
loaded = sorted(name for name in DEFERRED if type(sys.modules.get(name)) is types.ModuleType)
print(json.dumps({{"statuses": statuses + [found], "loaded": loaded}}))
"""

# Installs the deferral alone, then uses each deferred module: each must work as if imported eagerly.
_TOUCH = """
import io, json, sys, types
sys.path[:0] = [{bundle!r}]
sys.path.append({site!r})
import petstore.cold_start
def loaded(name):
    return type(sys.modules.get(name)) is types.ModuleType
import zipfile, gzip, asyncio, base64, traceback
import zipfile  # a second import statement must not load it
names = ("zipfile", "gzip", "asyncio", "base64", "traceback")
steps = {{"deferred after import": [loaded(name) for name in names]}}
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as archive:
    archive.writestr("pet.txt", "Buddy")
steps["zip round trip"] = zipfile.ZipFile(buffer).read("pet.txt").decode()
steps["gzip round trip"] = gzip.decompress(gzip.compress(b"Whiskers")).decode()
steps["base64 round trip"] = base64.b64decode(base64.b64encode(b"Charlie")).decode()
import logging
log = io.StringIO()
logging.basicConfig(stream=log)
try:
    raise ValueError("no such pet")
except ValueError:
    logging.getLogger("petstore").exception("failed")
steps["exception logged with its traceback"] = "ValueError: no such pet" in log.getvalue()
from asyncio import run
async def answer():
    return 42
steps["asyncio.run"] = run(answer())
import os, pwd, grp, ntpath, fnmatch, struct, zlib
from pathlib import PureWindowsPath
steps["small helpers"] = [
    pwd.getpwuid(os.getuid()).pw_uid == os.getuid(),
    grp.getgrgid(os.getgid()).gr_gid == os.getgid(),
    str(PureWindowsPath("pets/dog")) == "pets\\\\dog",
    fnmatch.fnmatch("pets.json", "*.json"),
    struct.unpack("<I", struct.pack("<I", 7)) == (7,),
    zlib.decompress(zlib.compress(b"Bella")) == b"Bella",
]
import importlib.metadata as metadata
steps["importlib.metadata"] = metadata.version("pydantic") == __import__("pydantic").VERSION
steps["loaded after use"] = [
    loaded(name) for name in ("zipfile", "gzip", "asyncio", "base64", "traceback", "importlib.metadata")
]
print(json.dumps(steps))
"""


def run_probe(probe: str, color: str) -> dict[str, object]:
    environ = {**os.environ, **TEST_ENVIRONMENT, "APP_COLOR": color, "APP_VERSION": RELEASE_VERSIONS[color]}
    environ.pop("PYDANTIC_DISABLE_PLUGINS", None)
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe], env=environ, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


@pytest.mark.parametrize("color", COLORS)
def test_every_route_answers_without_loading_a_deferred_module(color: str) -> None:
    probe = _EVERY_ROUTE.format(
        bundle=str(BUNDLES_DIR / color), site=SITE_PACKAGES, repo=str(REPO_ROOT), color=color
    )

    answer = run_probe(probe, color)

    expected = [200, 200, 201] + ([200] if color == "green" else []) + [200]
    assert answer == {"statuses": expected, "loaded": []}


@pytest.mark.parametrize("color", COLORS)
def test_a_deferred_module_loads_and_works_when_code_uses_it(color: str) -> None:
    probe = _TOUCH.format(bundle=str(BUNDLES_DIR / color), site=SITE_PACKAGES)

    answer = run_probe(probe, color)

    assert answer == {
        "deferred after import": [False, False, False, False, False],
        "zip round trip": "Buddy",
        "gzip round trip": "Whiskers",
        "base64 round trip": "Charlie",
        "exception logged with its traceback": True,
        "asyncio.run": 42,
        "small helpers": [True] * 6,
        "importlib.metadata": True,
        "loaded after use": [True, True, True, True, True, True],
    }
