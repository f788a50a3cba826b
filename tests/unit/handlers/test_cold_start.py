"""What the libraries import but no route uses is deferred, never dropped: it loads when used.

Covers petstore/cold_start.py: deferred modules, lazy packages (every name they export still resolves,
to the object the eager package has) and the collector paused while the handler imports.
"""

import importlib.util
import json
import marshal
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

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
from petstore.cold_start import DEFERRED, FORWARDED, LAZY_PACKAGES
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
deferred = DEFERRED | set(FORWARDED)
loaded = sorted(name for name in deferred if type(sys.modules.get(name)) is types.ModuleType)
exporting = sorted(
    package + "." + module
    for package, exports in LAZY_PACKAGES.items()
    for module in set(exports.values())
    if package + "." + module in sys.modules
)
print(json.dumps({{"statuses": statuses + [found], "loaded": loaded, "exporting modules loaded": exporting}}))
"""

# What the REST resolver itself imports from the two lazy packages: its own module, its request and
# dependency types, and the event classes of the HTTP sources it can be given (ALB, HTTP API, function
# URL, VPC Lattice, Bedrock agent), OpenAPI's exceptions. No AppSync, Bedrock-function or HTTP-server
# resolver; no SQS, S3, Kinesis, DynamoDB or other non-HTTP event class; no OpenAPI merge.
REST_RESOLVER_MODULES = [
    "aws_lambda_powertools.event_handler.api_gateway",
    "aws_lambda_powertools.event_handler.depends",
    "aws_lambda_powertools.event_handler.openapi.exceptions",
    "aws_lambda_powertools.event_handler.request",
    "aws_lambda_powertools.utilities.data_classes.alb_event",
    "aws_lambda_powertools.utilities.data_classes.api_gateway_proxy_event",
    "aws_lambda_powertools.utilities.data_classes.bedrock_agent_event",
    "aws_lambda_powertools.utilities.data_classes.lambda_function_url_event",
    "aws_lambda_powertools.utilities.data_classes.vpc_lattice",
]

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
from aws_lambda_powertools.utilities import jmespath_utils
steps["jmespath deferred"] = not loaded("aws_lambda_powertools.utilities.jmespath_utils")
steps["jmespath query"] = jmespath_utils.query(envelope="detail.pet", data={{"detail": {{"pet": "Max"}}}})
steps["loaded after use"] = [
    loaded(name) for name in ("zipfile", "gzip", "asyncio", "base64", "traceback", "importlib.metadata")
]
print(json.dumps(steps))
"""


def run_probe(probe: str, color: str, *flags: str) -> dict[str, object]:
    environ = {**os.environ, **TEST_ENVIRONMENT, "APP_COLOR": color, "APP_VERSION": RELEASE_VERSIONS[color]}
    environ.pop("PYDANTIC_DISABLE_PLUGINS", None)
    done = subprocess.run(
        [sys.executable, "-I", "-S", *flags, "-c", probe],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
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
    assert answer == {
        "statuses": expected,
        "loaded": [],
        "exporting modules loaded": REST_RESOLVER_MODULES,
    }


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
        "jmespath deferred": True,
        "jmespath query": "Max",
        "loaded after use": [True, True, True, True, True, True],
    }


# Imports the bundle, then a model that takes its fields' descriptions from their docstrings, which
# pydantic reads with a module of FORWARDED (the handler's modules import its function by name).
_ATTRIBUTE_DOCSTRINGS = """
import json, sys, types
sys.path[:0] = [{bundle!r}, {models!r}]
sys.path.append({site!r})
import app
def loaded():
    return [type(sys.modules.get(name)) is types.ModuleType for name in ("ast", {forwarded!r})]
before = loaded()
import documented
print(json.dumps({{
    "loaded before": before,
    "description": documented.Pet.model_fields["name"].description,
    "loaded after": loaded(),
}}))
"""
_DOCUMENTED_MODEL = '''
from pydantic import BaseModel, ConfigDict


class Pet(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)

    name: str
    """What the pet answers to."""
'''


@pytest.mark.parametrize("color", COLORS)
def test_a_forwarded_function_loads_its_module_and_works_when_called(color: str, tmp_path: Path) -> None:
    # GIVEN the handler imported, and with it pydantic's attribute docstrings deferred (and ast)
    (tmp_path / "documented.py").write_text(_DOCUMENTED_MODEL)
    probe = _ATTRIBUTE_DOCSTRINGS.format(
        bundle=str(BUNDLES_DIR / color),
        models=str(tmp_path),
        site=SITE_PACKAGES,
        forwarded="pydantic._internal._docs_extraction",
    )

    # WHEN a model asks for its attributes' docstrings THEN the modules load, and the docstring is read
    answer = run_probe(probe, color)

    assert answer == {
        "loaded before": [False, False],
        "description": "What the pet answers to.",
        "loaded after": [True, True],
    }


# Every public name of a package (its __all__, and the submodules its __init__ imports), described by
# what it is, so two processes can compare: one imports the package eagerly, the other lazily.
_PACKAGE_NAMES = """
import json, sys, types
sys.path[:0] = [{bundle!r}]
sys.path.append({site!r})
if {lazy!r}:
    import petstore.cold_start
import importlib
package = importlib.import_module({package!r})
lazy_before_reads = type(package).__name__
def describe(value):
    if isinstance(value, types.ModuleType):
        return "module " + value.__name__
    return getattr(value, "__module__", "?") + "." + getattr(value, "__qualname__", repr(value))
names = {{name: describe(getattr(package, name)) for name in {names!r}}}
star = {{}}
exec("from " + {package!r} + " import *", star)
print(json.dumps({{
    "package": lazy_before_reads,
    "names": names,
    "star import": sorted(name for name in star if name != "__builtins__"),
}}))
"""


def public_names(package: str) -> list[str]:
    """The package's names as imported eagerly: __all__ and the non-private attributes its __init__ set."""
    probe = (
        f"import importlib, json; package = importlib.import_module({package!r}); "
        "names = set(package.__all__) | {n for n in vars(package) if not n.startswith('_')}; "
        "print(json.dumps(sorted(names)))"
    )
    done = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=True)
    names: list[str] = json.loads(done.stdout)
    return names


@pytest.mark.parametrize(
    "package",
    [
        "aws_lambda_powertools.event_handler",
        "aws_lambda_powertools.event_handler.openapi",
        "aws_lambda_powertools.utilities.data_classes",
    ],
)
def test_a_lazy_package_resolves_every_public_name_to_the_eager_object(package: str) -> None:
    # GIVEN a package the cold start imports lazily, and every name it has when imported eagerly
    names = public_names(package)
    assert len(names) >= 4
    probes = {
        lazy: _PACKAGE_NAMES.format(
            bundle=str(BUNDLES_DIR / "blue"), site=SITE_PACKAGES, lazy=lazy, package=package, names=names
        )
        for lazy in (False, True)
    }

    # WHEN each name is read from the lazy package and from the eager one
    eager, lazy = run_probe(probes[False], "blue"), run_probe(probes[True], "blue")

    # THEN the lazy package was lazy, and each name is the same class, function or module
    assert (eager["package"], lazy["package"]) == ("module", "LazyPackage")
    assert lazy["names"] == eager["names"]
    assert lazy["star import"] == eager["star import"]


# The corners of a lazy package: names loaded on demand, in an order no eager import would take.
_LAZY_CORNERS = """
import json, sys
sys.path[:0] = [{bundle!r}]
sys.path.append({site!r})
import petstore.cold_start
import aws_lambda_powertools.utilities.data_classes.event_source
from aws_lambda_powertools.utilities import data_classes
steps = {{}}
steps["event_source after its submodule"] = type(data_classes.event_source).__name__
from aws_lambda_powertools.utilities.data_classes import SQSEvent
event = SQSEvent({{"Records": [{{"messageId": "m-1", "body": "Buddy"}}]}})
steps["SQS event parsed"] = [record.body for record in event.records]
steps["sqs module loaded"] = "aws_lambda_powertools.utilities.data_classes.sqs_event" in sys.modules
steps["s3 module loaded with it"] = "aws_lambda_powertools.utilities.data_classes.s3_event" in sys.modules
steps["kinesis module loaded"] = (
    "aws_lambda_powertools.utilities.data_classes.kinesis_stream_event" in sys.modules
)
steps["listed before loading"] = "KinesisStreamEvent" in dir(data_classes)
source = data_classes.__loader__.get_source(data_classes.__name__)
steps["its loader reads its source"] = source == open(data_classes.__file__).read()
steps["its loader knows it is a package"] = data_classes.__loader__.is_package(data_classes.__name__)
try:
    data_classes.NoSuchEvent
except AttributeError as error:
    steps["unknown name"] = str(error)
steps["kinesis module loaded after the eager __init__ ran"] = (
    "aws_lambda_powertools.utilities.data_classes.kinesis_stream_event" in sys.modules
)
from aws_lambda_powertools.event_handler import AppSyncResolver
steps["resolver"] = AppSyncResolver.__name__
print(json.dumps(steps))
"""


DATA_CLASSES = "aws_lambda_powertools.utilities.data_classes"


def test_a_lazy_package_loads_what_is_read_and_runs_its_init_for_an_unknown_name() -> None:
    answer = run_probe(_LAZY_CORNERS.format(bundle=str(BUNDLES_DIR / "blue"), site=SITE_PACKAGES), "blue")

    assert answer == {
        "event_source after its submodule": "function",  # as the eager __init__ leaves it
        "SQS event parsed": ["Buddy"],
        "sqs module loaded": True,
        "s3 module loaded with it": True,  # sqs_event imports S3Event from the package
        "kinesis module loaded": False,
        "listed before loading": True,
        "its loader reads its source": True,
        "its loader knows it is a package": True,
        "unknown name": f"module {DATA_CLASSES!r} has no attribute 'NoSuchEvent'",
        "kinesis module loaded after the eager __init__ ran": True,
        "resolver": "AppSyncResolver",
    }


# The collector during and after the handler's import: paused while it imports, then as before.
_COLLECTOR = """
import gc, json, os, sys
sys.path[:0] = [{bundle!r}]
sys.path.append({site!r})
gc.set_threshold(700, 11, 12)
import petstore.cold_start  # what app.py imports first; then the libraries and the handler's modules
collections = []
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(info["generation"]))
failed = None
try:
    import app
except RuntimeError as error:
    failed = type(error).__name__
steps = {{"import failed": failed, "collections while importing": len(collections)}}
steps["thresholds after"] = list(gc.get_threshold())
collected_by_import = len(collections)
steps["objects frozen"] = gc.get_freeze_count() > 10000
cycles = []
for _ in range(250000):  # more allocations than any threshold: the collector must run
    cycle = []
    cycle.append(cycle)
del cycle
steps["collects afterwards"] = len(collections) > collected_by_import
print(json.dumps(steps))
"""


@pytest.mark.parametrize("color", COLORS)
def test_the_collector_is_paused_while_the_handler_imports_then_restored(color: str) -> None:
    probe = _COLLECTOR.format(bundle=str(BUNDLES_DIR / color), site=SITE_PACKAGES)

    answer = run_probe(probe, color)

    assert answer == {
        "import failed": None,
        "collections while importing": 0,  # at 700 allocations a collection, dozens without the pause
        "thresholds after": [700, 11, 12],
        "objects frozen": True,
        "collects afterwards": True,
    }


def test_a_failed_import_leaves_the_collector_running() -> None:
    # GIVEN a function deployed without its version: its import fails after the libraries loaded
    probe = _COLLECTOR.format(bundle=str(BUNDLES_DIR / "blue"), site=SITE_PACKAGES)
    environ = {**os.environ, **TEST_ENVIRONMENT, "APP_COLOR": "blue"}
    environ.pop("APP_VERSION", None)

    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe], env=environ, capture_output=True, text=True, check=True
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])

    # THEN nothing is frozen, yet garbage is still collected (the pause only raised a threshold)
    assert answer["import failed"] == "ConfigurationError"
    assert answer["objects frozen"] is False
    assert answer["collects afterwards"] is True


# A cold start of a copy of the bundle: what the generated-code cache served, and whether its code is
# what compile makes. Bytecode writing follows the interpreter's flags (-B in some tests).
_GENERATED_CODE = """
import builtins, contextlib, io, json, os, sys
sys.path[:0] = [{bundle!r}]
sys.path.append({site!r})
import petstore.cold_start as cold_start
cache = cold_start._installed_finder().generated_code
read_from_file = set(cache.codes)
import importlib
def shadowed():
    return sorted(
        name for name, builtin in cold_start.GENERATED_CODE_COMPILERS.items()
        if builtin in vars(importlib.import_module(name))
    )
while_importing = shadowed()
import app
sys.path.append({repo!r})
from tests.events import FakeLambdaContext, load_event
with contextlib.redirect_stdout(io.StringIO()):
    status = app.lambda_handler(load_event("health"), FakeLambdaContext())["statusCode"]
import re, _sre
def made_afresh(key, cached):
    if key[0] == "re":  # a pattern's program: the Pattern equals re's own (same flags and code)
        _, pattern, flags = key
        return _sre.compile(*cached) == cache.regex_compile(pattern, flags)
    mode, source = key
    return cached == builtins.compile(source, "<string>", mode, dont_inherit=True)
fresh = all(made_afresh(key, cached) for key, cached in cache.used.items())
regexes = sum(key[0] == "re" for key in cache.used)
print(json.dumps({{
    "shadowed while importing": while_importing,
    "shadowed after": shadowed(),
    "compiled": cache.compiled,
    "served": len(cache.used) - cache.compiled,
    "same as compile makes": fresh,
    "regular expressions": regexes,
    "kinds compiled": sorted({{key[0] for key in cache.used if key not in read_from_file}}),
    "re's own compiler after": re._compiler.compile is cache.regex_compile,
    "file": os.path.exists(cache.path),
    "health": status,
}}))
"""


# The modules whose generated code the cache serves (petstore.cold_start.GENERATED_CODE_COMPILERS).
GENERATING_MODULES = ["collections", "dataclasses", "typing", "typing_inspection.typing_objects"]


def test_no_module_whose_code_is_cached_passes_future_flags_to_what_it_compiles() -> None:
    # The builtins compile with their caller's `from __future__` flags; the cache compiles with none.
    for name in GENERATING_MODULES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None
        assert "from __future__" not in Path(spec.origin).read_text(encoding="utf-8"), name


def copy_bundle(color: str, destination: Path) -> Path:
    """The color's sources in a folder of their own: the cache is written beside its bytecode."""
    bundle = destination / color
    shutil.copytree(BUNDLES_DIR / color, bundle, ignore=shutil.ignore_patterns("__pycache__"))
    return bundle


def cold_start(bundle: Path, color: str, *flags: str) -> dict[str, object]:
    probe = _GENERATED_CODE.format(bundle=str(bundle), site=SITE_PACKAGES, repo=str(REPO_ROOT))
    return run_probe(probe, color, *flags)


def generated_code_file(bundle: Path) -> Path:
    files = list((bundle / "petstore" / "__pycache__").glob("cold_start.*.generated-code"))
    assert len(files) == 1, files
    return files[0]


@pytest.mark.parametrize("color", COLORS)
def test_the_code_an_import_generates_is_kept_and_the_next_cold_start_compiles_none(
    color: str, tmp_path: Path
) -> None:
    # GIVEN a bundle never imported, in a writable folder
    bundle = copy_bundle(color, tmp_path)

    # WHEN it cold-starts twice
    first, second = cold_start(bundle, color), cold_start(bundle, color)

    # THEN the first compiles what dataclasses and typing generate, and keeps it; the second reuses it
    # all, code equal to what compile makes; the builtins are the modules' own again after the import
    assert first["compiled"] > 200 and first["served"] == 0
    assert second["compiled"] == 0 and second["served"] == first["compiled"]
    for answer in (first, second):
        assert answer["shadowed while importing"] == GENERATING_MODULES
        assert answer["shadowed after"] == []
        assert answer["same as compile makes"] is True
        assert answer["regular expressions"] > 20
        assert answer["re's own compiler after"] is True
        assert answer["file"] is True
        assert answer["health"] == 200


@pytest.mark.parametrize(
    "content",
    [b"not marshal data", marshal.dumps(((0, b"\x00\x00\r\n", 0), {})), b""],
    ids=["damaged", "another interpreter's", "empty"],
)
def test_a_damaged_or_foreign_generated_code_file_is_ignored_and_replaced(
    content: bytes, tmp_path: Path
) -> None:
    # GIVEN a bundle whose generated-code file is not one this interpreter wrote
    bundle = copy_bundle("blue", tmp_path)
    cold_start(bundle, "blue")
    generated_code_file(bundle).write_bytes(content)

    # WHEN it cold-starts
    answer = cold_start(bundle, "blue")

    # THEN it compiles as if there were no file, answers, and the next cold start reuses the new file
    assert answer["compiled"] > 200 and answer["health"] == 200
    assert cold_start(bundle, "blue")["compiled"] == 0


def test_where_bytecode_is_not_written_no_generated_code_is_either(tmp_path: Path) -> None:
    # GIVEN bytecode writing off (-B), and a bundle whose __pycache__ cannot be a folder
    quiet, blocked = copy_bundle("blue", tmp_path / "quiet"), copy_bundle("blue", tmp_path / "blocked")
    (blocked / "petstore" / "__pycache__").write_text("a file where the folder would be")

    # WHEN each cold-starts
    answers = [cold_start(quiet, "blue", "-B"), cold_start(blocked, "blue")]

    # THEN both answer, compiling what they need, and neither writes the file
    for answer in answers:
        assert answer["compiled"] > 200 and answer["health"] == 200
        assert answer["file"] is False


@pytest.mark.parametrize("color", COLORS)
def test_a_build_keeps_the_generated_code_without_the_functions_settings(color: str, tmp_path: Path) -> None:
    # GIVEN a bundle being built: bytecode writing off, none of the function's environment
    bundle = copy_bundle(color, tmp_path)
    keep = (
        f"import sys; sys.path[:0] = [{str(bundle)!r}]; sys.path.append({SITE_PACKAGES!r}); "
        "import petstore.cold_start as c; c.keep_generated_code()"
    )
    environ = {key: value for key, value in os.environ.items() if key not in TEST_ENVIRONMENT}
    subprocess.run([sys.executable, "-I", "-S", "-B", "-c", keep], env=environ, check=True)

    # WHEN the function cold-starts where nothing can be written (-B)
    answer = cold_start(bundle, color, "-B")

    # THEN what its import generates was in the build's file, but for the regular expressions of its
    # routes, which only the handler's import (not run at build time) registers
    assert generated_code_file(bundle).stat().st_size > 0
    assert answer["served"] > 200 and answer["compiled"] < 20
    assert answer["kinds compiled"] == ["re"]
    assert answer["health"] == 200


# Calls the cache does not serve: they go to the builtin as the caller made them.
_UNSERVED_CALLS = """
import json, sys
sys.path[:0] = [{bundle!r}]
import petstore.cold_start as cold_start
cache = cold_start.GeneratedCode(None)
pet = "Buddy"
cache.exec("found = pet")  # no namespace: the caller's, as the builtin's
named = cache.compile("1 + 1", "pets.py", "eval")
flagged = cache.compile("x: int", "<string>", "exec", 0, True)
counter = []
cache.exec(compile("counter.append(len(counter))", "<x>", "exec"), globals())
print(json.dumps({{
    "found": found,
    "named file": named.co_filename,
    "cached": sorted(mode for mode, _ in cache.used),
    "code objects run": counter,
}}))
"""


def test_calls_the_generated_code_cache_does_not_serve_behave_as_the_builtins() -> None:
    answer = run_probe(_UNSERVED_CALLS.format(bundle=str(BUNDLES_DIR / "blue")), "blue")

    assert answer == {"found": "Buddy", "named file": "pets.py", "cached": ["exec"], "code objects run": [0]}


# Regular expressions while the cache serves re's compiler, and after an import that never finished.
_REGEX_CALLS = """
import json, re, sys
sys.path[:0] = [{bundle!r}]
import petstore.cold_start as cold_start
first = cold_start._installed_finder().generated_code
original = first.regex_compile
pattern = re.compile(r"^ORD-(?P<hex>[0-9A-F]{{8}})$", re.IGNORECASE)
reader = cold_start.GeneratedCode(None)  # a later cold start: reads what the first recorded
reader.codes = dict(first.used)
served = reader.regex(r"^ORD-(?P<hex>[0-9A-F]{{8}})$", re.IGNORECASE)
scanner = re.Scanner([(r"[0-9]+", lambda _, token: int(token)), (r"\\s+", None)])
after_failed_import = cold_start.GeneratedCode(None)  # re._compiler.compile is still the first's
print(json.dumps({{
    "served equals re's": served == original(r"^ORD-(?P<hex>[0-9A-F]{{8}})$", re.IGNORECASE),
    "served compiled nothing": reader.compiled,
    "match": pattern.match("ord-0a1b2c3d").group("hex"),
    "scanner": scanner.scan("12 34")[0],
    "unwraps to re's own": after_failed_import.regex_compile is original,
    "re's own": original.__module__,
}}))
"""


def test_regular_expressions_from_the_cache_equal_and_match_as_re_compiles_them() -> None:
    answer = run_probe(_REGEX_CALLS.format(bundle=str(BUNDLES_DIR / "blue")), "blue")

    assert answer == {
        "served equals re's": True,
        "served compiled nothing": 0,
        "match": "0a1b2c3d",
        "scanner": [12, 34],
        "unwraps to re's own": True,
        "re's own": "re._compiler",
    }
