"""What the libraries do at import and no request of this API needs, left until it is needed.

Importing this module, before the libraries, installs an import hook and pauses the garbage collector;
app.py calls finish() once imported. Nothing is left out: whatever the libraries offer still works, it
only loads when first used.

Deferred modules: each module named in DEFERRED is created empty when first imported and executed the
first time one of its attributes is read (importlib.util.LazyLoader, the standard library's recipe).
Powertools' AppSync resolvers import asyncio (with ssl, sockets, subprocesses, threads), its
CodePipeline event imports zipfile and tempfile, its Logger imports random for sampling. One refinement
of the recipe: an `import x` of a module already imported reads `x.__spec__` (to see whether it is
still being initialised), which would load a lazy module at its second `import` statement, and a
`from x import y` reads `x.__path__` (to see whether x is a package) before y. A deferred module answers
`__spec__` and `__path__` without loading and hands every other attribute to LazyLoader's module.

Forwarded functions: a module in FORWARDED is deferred like those above, but other modules import
functions from it (`from m import f`, which reads f at once). Until the module loads, such a name is
a forwarder: a function that loads the module on its first call and calls the module's own function.
pydantic's attribute docstrings build an ast visitor at import, which loads ast (a twentieth of the
import) for a feature (use_attribute_docstrings) no model here sets.

Lazy packages: the packages in LAZY_PACKAGES import, in their `__init__`, a class for every event
source or resolver Powertools knows (about 40 event classes, six resolvers), of which this API uses the
API Gateway REST ones, or a tool it never runs (the OpenAPI package's merge). Such a package is created
without running its `__init__` (PEP 562 style): a name it exports loads the one module that defines it
on first read; a submodule is imported as usual; any other name (`__all__`, a name a later Powertools
adds) runs the real `__init__` first, so every attribute the eager package has still resolves, to the
same object.

Garbage collector: an import allocates tens of thousands of objects that live as long as the process,
and the collector, triggered every 2000 allocations, scans them again and again for cycles that are not
there (a tenth of the import). It is paused (its first threshold raised, so a failed import still
collects) until finish(), which moves what the import made to the permanent generation (gc.freeze: the
warm requests' collections no longer scan it) and restores the thresholds.

Generated code: the standard library compiles, at run time, what no bytecode cache holds. dataclasses
compiles each dataclass's methods from source (the libraries define about 50), typing compiles each
string annotation into a ForwardRef (about 700, pydantic-core's TypedDicts), namedtuple and
typing_inspection a function each, and re compiles each regular expression (about 35) with its parser
and compiler, written in Python: together about a third of the import. While the handler imports,
those modules compile through GeneratedCode: code objects by (mode, source text), and for a regular
expression the program re's compiler (re._compiler.compile) hands _sre.compile, recorded the first time
and handed to _sre.compile directly afterwards. They are kept in this package's __pycache__ beside its
bytecode (written by finish() like a .pyc: when bytecode may be written and the folder is writable) and
read back by the next cold start. Each depends only on its source text and the interpreter: the file
names the bytecode's magic number, the regular-expression engine's and the optimization level, and a
stale or foreign file is ignored, so what the cache serves is what compiling would make.
keep_generated_code() writes the file in a build, which ships it as it ships bytecode (Lambda's code
folder is read-only).

Pydantic looks for plugins on the first model it builds, reading every installed distribution's
metadata (importlib.metadata, several ms); this bundle ships none, so the lookup is switched off
(PYDANTIC_DISABLE_PLUGINS, unless the environment sets it).
Docs: https://docs.python.org/3/library/importlib.html#implementing-lazy-imports,
https://peps.python.org/pep-0562/, https://docs.python.org/3/library/gc.html#gc.freeze,
https://docs.pydantic.dev/latest/concepts/plugins/
"""

import _sre  # type: ignore[import-not-found]  # the regular-expression engine, no stubs
import builtins
import contextlib
import gc
import importlib.util
import marshal
import os
import re
import sys
import types
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.machinery import ModuleSpec, PathFinder
from typing import Any, cast

DEFERRED = frozenset(
    {
        "ast",  # inspect's source tools and the parsing of builtins' signatures
        "asyncio",  # Powertools' AppSync resolvers; the REST resolver never awaits
        # Powertools' JMESPath queries (with the jmespath library): Logger's correlation_id_path, which
        # this handler does not use (it reads the request id directly), envelopes and idempotency keys
        "aws_lambda_powertools.utilities.jmespath_utils",
        "base64",  # base64-encoded bodies and Powertools' envelope helpers
        "fnmatch",  # pathlib's glob patterns
        "gzip",  # Powertools' JMESPath functions, for gzip-compressed envelopes
        "grp",  # pathlib's Path.group()
        "importlib.metadata",  # pydantic's plugin lookup, switched off below
        "ntpath",  # pathlib's Windows paths
        "pwd",  # pathlib's Path.owner() and home directory
        "random",  # Logger's debug sampling, read only when a sampling rate is set
        "struct",  # binary formats: base64's base85, archives
        "subprocess",  # pydantic's git version probe, for bug reports
        "tempfile",  # Powertools' CodePipeline event, for artifacts
        "traceback",  # logging's exception formatting, when an error is logged
        "zipfile",  # Powertools' CodePipeline event, for artifacts
        "zlib",  # compression, for gzip and zip
    }
)


# Deferred modules whose functions other modules import by name: {module: those names}.
FORWARDED: dict[str, frozenset[str]] = {
    # pydantic's attribute docstrings (ConfigDict(use_attribute_docstrings=True)); it loads ast
    "pydantic._internal._docs_extraction": frozenset({"extract_docstrings_from_cls"}),
}


def _exports(modules: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """{submodule: names it defines} as {name: submodule}."""
    return {name: module for module, names in modules.items() for name in names}


# Each package's `__init__` re-exports these names from these submodules (aws-lambda-powertools 3.37).
LAZY_PACKAGES: dict[str, dict[str, str]] = {
    "aws_lambda_powertools.event_handler": _exports(
        {
            "api_gateway": (
                "ALBResolver",
                "APIGatewayHttpResolver",
                "ApiGatewayResolver",
                "APIGatewayRestResolver",
                "CORSConfig",
                "Response",
            ),
            "appsync": ("AppSyncResolver",),
            "bedrock_agent": ("BedrockAgentResolver", "BedrockResponse"),
            "bedrock_agent_function": ("BedrockAgentFunctionResolver", "BedrockFunctionResponse"),
            "depends": ("DependencyResolutionError", "Depends"),
            "events_appsync.appsync_events": ("AppSyncEventsResolver",),
            "http_resolver": ("HttpResolver", "HttpResolverLocal"),
            "lambda_function_url": ("LambdaFunctionUrlResolver",),
            "request": ("Request",),
            "vpc_lattice": ("VPCLatticeResolver", "VPCLatticeV2Resolver"),
        }
    ),
    # OpenAPI documents merged from several resolvers' files (an AST scan of each file)
    "aws_lambda_powertools.event_handler.openapi": _exports(
        {"exceptions": ("OpenAPIMergeError",), "merge": ("OpenAPIMerge",)}
    ),
    "aws_lambda_powertools.utilities.data_classes": _exports(
        {
            "alb_event": ("ALBEvent",),
            "api_gateway_proxy_event": ("APIGatewayProxyEvent", "APIGatewayProxyEventV2"),
            "api_gateway_websocket_event": ("APIGatewayWebSocketEvent",),
            "appsync_resolver_event": ("AppSyncResolverEvent",),
            "appsync_resolver_events_event": ("AppSyncResolverEventsEvent",),
            "aws_config_rule_event": ("AWSConfigRuleEvent",),
            "bedrock_agent_event": ("BedrockAgentEvent",),
            "bedrock_agent_function_event": ("BedrockAgentFunctionEvent",),
            "cloud_watch_alarm_event": (
                "CloudWatchAlarmConfiguration",
                "CloudWatchAlarmData",
                "CloudWatchAlarmEvent",
                "CloudWatchAlarmMetric",
                "CloudWatchAlarmMetricStat",
                "CloudWatchAlarmState",
            ),
            "cloud_watch_custom_widget_event": ("CloudWatchDashboardCustomWidgetEvent",),
            "cloud_watch_logs_event": ("CloudWatchLogsEvent",),
            "cloudformation_custom_resource_event": ("CloudFormationCustomResourceEvent",),
            "code_deploy_lifecycle_hook_event": ("CodeDeployLifecycleHookEvent",),
            "code_pipeline_job_event": ("CodePipelineJobEvent",),
            "connect_contact_flow_event": ("ConnectContactFlowEvent",),
            "dynamo_db_stream_event": ("DynamoDBStreamEvent",),
            "event_bridge_event": ("EventBridgeEvent",),
            "event_source": ("event_source",),
            "kafka_event": ("KafkaEvent",),
            "kinesis_firehose_event": (
                "KinesisFirehoseDataTransformationRecord",
                "KinesisFirehoseDataTransformationRecordMetadata",
                "KinesisFirehoseDataTransformationResponse",
                "KinesisFirehoseEvent",
            ),
            "kinesis_stream_event": ("KinesisStreamEvent",),
            "lambda_function_url_event": ("LambdaFunctionUrlEvent",),
            "s3_batch_operation_event": (
                "S3BatchOperationEvent",
                "S3BatchOperationResponse",
                "S3BatchOperationResponseRecord",
            ),
            "s3_event": ("S3Event", "S3EventBridgeNotificationEvent"),
            "secrets_manager_event": ("SecretsManagerEvent",),
            "ses_event": ("SESEvent",),
            "sns_event": ("SNSEvent",),
            "sqs_event": ("SQSEvent", "SQSRecord"),
            "transfer_family_event": ("TransferFamilyAuthorizer", "TransferFamilyAuthorizerResponse"),
            "vpc_lattice": ("VPCLatticeEvent", "VPCLatticeEventV2"),
        }
    ),
}

# No collection while importing: gen 0 waits for this many allocations (a bundle import makes ~40 000).
IMPORT_COLLECTION_THRESHOLD = 200_000


# Modules that compile source text they generate, and the builtin each calls to do it. None of them
# has a `from __future__` import (the builtins would pass its flags on; GeneratedCode passes none).
GENERATED_CODE_COMPILERS = {
    "collections": "eval",  # namedtuple's __new__
    "dataclasses": "exec",  # each dataclass's methods
    "typing": "compile",  # ForwardRef, for each string annotation
    "typing_inspection.typing_objects": "exec",  # pydantic's checks, one function per typing object
}
_GENERATED_CODE_FORMAT = 2  # bump when the file's layout changes


class GeneratedCode:
    """Code objects compiled from generated source text, by (mode, source), and regular expressions'
    programs, by ("re", pattern, flags), read from and saved to a file.

    Its exec, eval and compile take the builtins' place in GENERATED_CODE_COMPILERS, and its regex
    re's compiler, while the handler imports.
    Only what those modules call is served from the cache (source text, file name "<string>", no flags);
    any other call goes to the builtin unchanged.
    """

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.codes = self._read(path)
        self.used: dict[tuple[Any, ...], Any] = {}  # what this process compiled or reused
        self.compiled = 0  # of which compiled here: the file is rewritten when nonzero
        current = re._compiler.compile  # type: ignore[attr-defined]
        # re's own compiler (another cache's, left by an import that failed, wraps it)
        self.regex_compile = getattr(getattr(current, "__self__", None), "regex_compile", current)
        self.always_save = False  # even where bytecode is not written: a build writing the file it ships

    @staticmethod
    def _read(path: str | None) -> dict[tuple[Any, ...], Any]:
        if path is None:
            return {}
        try:
            with open(path, "rb") as file:
                header, codes = marshal.loads(file.read())  # at once: marshal.load reads piece by piece
        except (OSError, EOFError, ValueError, TypeError):
            return {}  # none yet, unreadable or truncated: compile as if there were none
        if header != _file_header() or not isinstance(codes, dict):
            return {}  # another interpreter's or another layout's
        return codes

    def code(self, source: str, mode: str) -> types.CodeType:
        key = (mode, source)
        code = self.codes.get(key)
        if code is None:
            code = builtins.compile(source, "<string>", mode, dont_inherit=True)
            self.codes[key] = code
            self.compiled += 1
        self.used[key] = code
        return code

    def exec(self, source: Any, /, globals: Any = None, locals: Any = None, *, closure: Any = None) -> None:
        if globals is None:  # the caller's namespace, as the builtin would take it
            frame = sys._getframe(1)
            globals, locals = frame.f_globals, frame.f_locals if locals is None else locals
        if isinstance(source, str):
            source = self.code(source, "exec")
        builtins.exec(source, globals, locals, closure=closure)

    def eval(self, source: Any, /, globals: Any = None, locals: Any = None) -> Any:
        if globals is None:  # the caller's namespace, as the builtin would take it
            frame = sys._getframe(1)
            globals, locals = frame.f_globals, frame.f_locals if locals is None else locals
        if isinstance(source, str):
            source = self.code(source.lstrip(" \t"), "eval")  # the builtin ignores leading blanks
        return builtins.eval(source, globals, locals)

    def regex(self, pattern: Any, flags: int = 0) -> Any:
        """re's compiler (re._compiler.compile) with the program of a pattern's text from the cache: the
        arguments re passes to _sre.compile, recorded the first time."""
        if not isinstance(pattern, (str, bytes)) or flags & re.DEBUG:  # re.Scanner's parsed patterns
            return self.regex_compile(pattern, flags)
        key = ("re", pattern, int(flags))
        program = self.codes.get(key)
        if program is not None:
            self.used[key] = program
            text, final_flags, code, groups, groupindex, indexgroup = program
            return _sre.compile(text, final_flags, list(code), groups, dict(groupindex), indexgroup)
        recorder = _RecordingSre()
        re._compiler._sre = recorder  # type: ignore[attr-defined]
        try:
            compiled = self.regex_compile(pattern, flags)
        finally:
            re._compiler._sre = _sre  # type: ignore[attr-defined]
        if recorder.arguments is not None:
            # re's opcodes and flags are int subclasses, which marshal cannot write: plain ints
            text, final_flags, code, groups, groupindex, indexgroup = recorder.arguments
            program = (text, int(final_flags), [int(op) for op in code], groups, groupindex, indexgroup)
            self.codes[key] = self.used[key] = program
            self.compiled += 1
        return compiled

    def compile(self, source: Any, filename: Any, mode: str, *args: Any, **keywords: Any) -> Any:
        if isinstance(source, str) and filename == "<string>" and not args and not keywords:
            return self.code(source, mode)
        return builtins.compile(source, filename, mode, *args, **keywords)

    def save(self) -> None:
        """Keep what this import used (only that: what a library no longer generates is dropped)."""
        if self.path is None or not (self.compiled or self.always_save):
            return
        if sys.dont_write_bytecode and not self.always_save:
            return
        try:
            data = marshal.dumps((_file_header(), self.used))
        except ValueError:  # something marshal cannot write: no file rather than a failed cold start
            return
        staging = f"{self.path}.{os.getpid()}"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(staging, "wb") as file:
                file.write(data)
            os.replace(staging, self.path)  # readers see the old file or the new one, never half of one
        except OSError:  # a read-only code folder (/var/task): this cold start stays as fast as it was
            with contextlib.suppress(OSError):
                os.unlink(staging)


def _file_header() -> tuple[int, bytes, int, int]:
    return (_GENERATED_CODE_FORMAT, importlib.util.MAGIC_NUMBER, _sre.MAGIC, sys.flags.optimize)


class _RecordingSre:
    """Stands in for _sre in re._compiler while it compiles a pattern: records what it hands _sre.compile."""

    def __init__(self) -> None:
        self.arguments: tuple[Any, ...] | None = None

    def compile(self, *arguments: Any) -> Any:
        self.arguments = arguments
        return _sre.compile(*arguments)

    def __getattr__(self, name: str) -> Any:
        return getattr(_sre, name)


def generated_code_path() -> str | None:
    """This package's __pycache__, where its bytecode goes (None when bytecode has no place)."""
    try:
        bytecode = importlib.util.cache_from_source(__file__)
    except (NotImplementedError, ValueError):
        return None
    return bytecode.removesuffix(".pyc") + ".generated-code"


class DeferringFinder:
    """A meta path finder: the spec the other finders give, its loader made lazy for DEFERRED modules
    and LAZY_PACKAGES, and seeding GENERATED_CODE_COMPILERS with the cache's builtins while importing.
    Installed once per process; it also keeps the collector's thresholds to restore."""

    defers_unused_modules = True  # marks the hook, installed once per process

    def __init__(
        self,
        names: frozenset[str],
        packages: Mapping[str, Mapping[str, str]],
        forwarded: Mapping[str, frozenset[str]],
    ) -> None:
        self.names = names
        self.forwarded = forwarded
        self.packages = packages
        self.collector_thresholds: tuple[int, ...] | None = None  # while paused: those to restore
        self.generated_code: GeneratedCode | None = None  # while importing: serves GENERATED_CODE_COMPILERS

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> ModuleSpec | None:
        generating = self.generated_code is not None and name in GENERATED_CODE_COMPILERS
        deferred = name in self.names or name in self.forwarded
        if not deferred and name not in self.packages and not generating:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: ModuleSpec | None = finder.find_spec(name, path, target)
            if spec is None:
                continue
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                if generating:
                    builtin = GENERATED_CODE_COMPILERS[name]
                    compiler = getattr(self.generated_code, builtin)
                    spec.loader = _SeedingLoader(spec.loader, {builtin: compiler})  # type: ignore[assignment]
                elif name in self.packages:
                    spec.loader = _LazyPackageLoader(spec.loader, self.packages[name])  # type: ignore[assignment]
                else:
                    spec.loader = _DeferringLoader(spec.loader, self.forwarded.get(name, frozenset()))
            return spec
        return None


class _DeferringLoader(importlib.util.LazyLoader):
    def __init__(self, loader: Any, forwarded: frozenset[str]) -> None:
        super().__init__(loader)
        self.forwarded = forwarded

    def exec_module(self, module: types.ModuleType) -> None:
        if self.forwarded:
            _FORWARDERS[module.__name__] = {name: _forwarder(module, name) for name in self.forwarded}
        super().exec_module(module)  # the module is now LazyLoader's: its next attribute read loads it
        module.__class__ = _answering_spec(type(module))


# {module: {name: forwarder}} for the FORWARDED modules imported so far.
_FORWARDERS: dict[str, dict[str, Any]] = {}


def _forwarder(module: types.ModuleType, name: str) -> Any:
    def forward(*args: Any, **kwargs: Any) -> Any:
        return vars(module)[name](*args, **kwargs)  # reading the module's __dict__ loads it

    forward.__name__ = forward.__qualname__ = name
    return forward


@cache
def _answering_spec(lazy_module: type[types.ModuleType]) -> type[types.ModuleType]:
    class DeferredModule(types.ModuleType):
        def __getattribute__(self, attribute: str) -> object:
            # Read by every `import` of the module (`__spec__`) and `from` import (`__path__`, absent
            # but for packages): set before it loads.
            if attribute == "__spec__" or attribute == "__path__":
                return object.__getattribute__(self, attribute)
            forwarders = _FORWARDERS.get(object.__getattribute__(self, "__name__"))
            if forwarders is not None and attribute in forwarders:
                return forwarders[attribute]
            object.__setattr__(self, "__class__", lazy_module)
            return getattr(self, attribute)

        def __delattr__(self, attribute: str) -> None:
            object.__setattr__(self, "__class__", lazy_module)
            delattr(self, attribute)

    return DeferredModule


class _SeedingLoader:
    """Executes the module as its own loader would, with names set in it first (they shadow builtins)."""

    def __init__(self, loader: Any, names: Mapping[str, object]) -> None:
        self.loader = loader
        self.names = names

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        module: types.ModuleType | None = self.loader.create_module(spec)
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        vars(module).update(self.names)
        self.loader.exec_module(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)  # get_source, is_package, resource readers: the real loader's


class _LazyPackageLoader:
    """Creates the package as its own loader would, without executing its `__init__`."""

    def __init__(self, loader: Any, exports: Mapping[str, str]) -> None:
        self.loader = loader  # the real one: it runs `__init__` when a name outside `exports` is read
        self.exports = exports

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        module: types.ModuleType | None = self.loader.create_module(spec)
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__class__ = LazyPackage

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)  # get_source, is_package, resource readers: the real loader's


class LazyPackage(types.ModuleType):
    """A package whose `__init__` has not run: names load on first read (only missing ones get here)."""

    def __getattr__(self, name: str) -> Any:
        loader = _lazy_loader(self)
        package = self.__name__
        submodule = loader.exports.get(name)
        if submodule is not None:
            value = getattr(_import(f"{package}.{submodule}"), name)
            types.ModuleType.__setattr__(self, name, value)
            return value
        if not name.startswith("__") and PathFinder.find_spec(f"{package}.{name}", self.__path__):
            return _import(f"{package}.{name}")  # a submodule, as `from package import x` finds it
        # Any other name: the package as if imported eagerly, from now on.
        types.ModuleType.__setattr__(self, "__class__", types.ModuleType)
        loader.loader.exec_module(self)
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    def __dir__(self) -> list[str]:
        return sorted(set(self.__dict__) | set(_lazy_loader(self).exports))

    def __setattr__(self, name: str, value: Any) -> None:
        # Importing a submodule binds it on its package; where `__init__` would have rebound that name
        # to what the submodule exports (data_classes.event_source, a function), keep the export.
        if isinstance(value, types.ModuleType) and _lazy_loader(self).exports.get(name) == name:
            value = getattr(value, name)
        types.ModuleType.__setattr__(self, name, value)


def _lazy_loader(package: types.ModuleType) -> _LazyPackageLoader:
    return cast(_LazyPackageLoader, cast(ModuleSpec, package.__spec__).loader)


def _import(name: str) -> types.ModuleType:
    """importlib.import_module through the interpreter's own import (what -X importtime reports)."""
    __import__(name)
    return sys.modules[name]


def _installed_finder() -> DeferringFinder | None:
    for finder in sys.meta_path:
        if getattr(finder, "defers_unused_modules", False):
            return cast(DeferringFinder, finder)
    return None


def install(
    names: frozenset[str] = DEFERRED,
    packages: Mapping[str, Mapping[str, str]] = LAZY_PACKAGES,
    forwarded: Mapping[str, frozenset[str]] = FORWARDED,
) -> None:
    finder = _installed_finder()
    if finder is None:
        finder = DeferringFinder(names, packages, forwarded)
        sys.meta_path.insert(0, finder)
    if finder.collector_thresholds is None:
        finder.collector_thresholds = gc.get_threshold()
        gc.set_threshold(IMPORT_COLLECTION_THRESHOLD, *finder.collector_thresholds[1:])
    if finder.generated_code is None:
        finder.generated_code = GeneratedCode(generated_code_path())
        for name, builtin in GENERATED_CODE_COMPILERS.items():
            # A module-level name shadows the builtin for that module's code alone; a module not yet
            # imported gets it from the finder, before its code runs.
            if name in sys.modules:
                setattr(sys.modules[name], builtin, getattr(finder.generated_code, builtin))
        re._compiler.compile = finder.generated_code.regex  # type: ignore[attr-defined]
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def keep_generated_code() -> None:
    """Write the file of generated code a deploy ships (bluegreen.bytecode runs this in the build, where
    bytecode writing is off): import every module of this package, whose imports generate what the
    handler's import does, then finish() as app.py would. Needs none of the function's settings."""
    finder = _installed_finder()
    if finder is None or finder.generated_code is None:
        raise RuntimeError("the handler was imported already in this process: nothing left to record")
    finder.generated_code.always_save = True
    import pkgutil  # here: no cold start needs it

    package = __name__.rpartition(".")[0]
    for module in pkgutil.iter_modules(sys.modules[package].__path__, f"{package}."):
        importlib.import_module(module.name)
    finish()


def finish() -> None:
    """The handler is imported: keep what it made out of future collections, resume collecting, give
    the modules that generate code their builtins back and keep that code for the next cold start."""
    finder = _installed_finder()
    if finder is None:
        return
    if finder.collector_thresholds is not None:
        gc.freeze()
        gc.set_threshold(*finder.collector_thresholds)
        finder.collector_thresholds = None
    if finder.generated_code is not None:
        for name, builtin in GENERATED_CODE_COMPILERS.items():
            if name in sys.modules:
                vars(sys.modules[name]).pop(builtin, None)
        re._compiler.compile = finder.generated_code.regex_compile  # type: ignore[attr-defined]
        finder.generated_code.save()
        finder.generated_code = None


install()
