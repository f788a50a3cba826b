"""Modules the libraries import when they load but no request of this API uses, loaded on first use.

Importing this module, before the libraries, installs an import hook: each module named in DEFERRED
is created empty when first imported and executed the first time one of its attributes is read
(importlib.util.LazyLoader, the standard library's lazy-import recipe). Nothing is left out: code that
uses a deferred module gets it loaded, exactly as it would have been at import. Powertools' AppSync
resolvers import asyncio (with ssl, sockets, subprocesses, threads), its CodePipeline event imports
zipfile and tempfile, its Logger imports random for sampling: a fifth of the import for nothing the
REST routes run.

One refinement of the recipe: an `import x` of a module already imported reads `x.__spec__` (to see
whether it is still being initialised), which would load a lazy module at its second `import`
statement. A deferred module answers `__spec__` without loading and hands every other attribute to
LazyLoader's module, which loads it.

Pydantic looks for plugins on the first model it builds, reading every installed distribution's
metadata (importlib.metadata, several ms); this bundle ships none, so the lookup is switched off
(PYDANTIC_DISABLE_PLUGINS, unless the environment sets it).
Docs: https://docs.python.org/3/library/importlib.html#implementing-lazy-imports,
https://docs.pydantic.dev/latest/concepts/plugins/
"""

import importlib.util
import os
import sys
import types
from collections.abc import Sequence
from functools import cache
from importlib.machinery import ModuleSpec

DEFERRED = frozenset(
    {
        "asyncio",  # Powertools' AppSync resolvers; the REST resolver never awaits
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


class DeferringFinder:
    """A meta path finder: the spec the other finders give, its loader made lazy for DEFERRED modules."""

    defers_unused_modules = True  # marks the hook, installed once per process

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> ModuleSpec | None:
        if name not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: ModuleSpec | None = finder.find_spec(name, path, target)
            if spec is None:
                continue
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _DeferringLoader(spec.loader)
            return spec
        return None


class _DeferringLoader(importlib.util.LazyLoader):
    def exec_module(self, module: types.ModuleType) -> None:
        super().exec_module(module)  # the module is now LazyLoader's: its next attribute read loads it
        module.__class__ = _answering_spec(type(module))


@cache
def _answering_spec(lazy_module: type[types.ModuleType]) -> type[types.ModuleType]:
    class DeferredModule(types.ModuleType):
        def __getattribute__(self, attribute: str) -> object:
            if attribute == "__spec__":  # read by every `import` of the module: set before it loads
                return object.__getattribute__(self, attribute)
            object.__setattr__(self, "__class__", lazy_module)
            return getattr(self, attribute)

        def __delattr__(self, attribute: str) -> None:
            object.__setattr__(self, "__class__", lazy_module)
            delattr(self, attribute)

    return DeferredModule


def install(names: frozenset[str] = DEFERRED) -> None:
    if not any(getattr(finder, "defers_unused_modules", False) for finder in sys.meta_path):
        sys.meta_path.insert(0, DeferringFinder(names))
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


install()
