"""The AWS Common Runtime's native library, loaded the first time it is called instead of at every start.

botocore imports the CRT (`awscrt`) whenever it is installed, and SAM CLI installs it (`boto3[crt]`). The CRT
serves SigV4a signing, the CRC32C/CRC64NVME checksums and the credentials of a profile signed in with
`aws login` (botocore's login provider signs its token refresh with the CRT's EC keys). Its Python modules
are light; its native library `_awscrt` (12 MB, with its own TLS and crypto stacks) made up a quarter of a
`bluegreen switch`'s start-up instructions, though no command calls it unless one of those features does.

So `_awscrt` is imported as a stand-in module, and the library itself is loaded on the first read of one of
its names. The CRT's Python modules read those names only inside functions (a test checks it), so importing
them, and botocore's check for the CRT, load nothing; calling them loads it, once, and from then on the
stand-in holds the library's own objects. Nothing is switched off: botocore sees the CRT as installed.
Docs: https://docs.python.org/3/reference/import.html#finders-and-loaders,
https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sign-in.html
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
import types
from importlib.machinery import ModuleSpec, PathFinder
from typing import Any

NATIVE_LIBRARY = "_awscrt"

_loading = threading.Lock()  # two threads' first calls load the library once


class DeferredNativeModule(types.ModuleType):
    """Stands in for the native library until one of its names is read."""

    def __getattr__(self, name: str) -> Any:  # only names the stand-in does not have get here
        if name.startswith("__") and not native_library_loaded():
            raise AttributeError(name)  # importlib's probes (__path__, __file__) are no reason to load
        return getattr(_load(self), name)


class _DeferringLoader(importlib.abc.Loader):
    def __init__(self, native_spec: ModuleSpec) -> None:
        self.native_spec = native_spec

    def create_module(self, spec: ModuleSpec) -> types.ModuleType:
        return DeferredNativeModule(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        pass  # the library runs its initialisation when it is loaded


_loaded: dict[str, types.ModuleType] = {}


def _load(stand_in: DeferredNativeModule) -> types.ModuleType:
    with _loading:
        native = _loaded.get(NATIVE_LIBRARY)
        if native is None:
            loader = stand_in.__spec__.loader  # type: ignore[union-attr]
            native_spec = loader.native_spec  # type: ignore[union-attr]
            # Out of sys.modules first: loaded while the stand-in held its name, the library came back as
            # the stand-in, filled with its names (CPython 3.13), and sys.modules kept the stand-in.
            sys.modules.pop(NATIVE_LIBRARY, None)
            native = importlib.util.module_from_spec(native_spec)
            native_spec.loader.exec_module(native)
            sys.modules[NATIVE_LIBRARY] = _loaded[NATIVE_LIBRARY] = native
            # The CRT's modules keep the stand-in they imported: it takes the library's names, so their
            # later calls find them directly, not through __getattr__ and this lock.
            stand_in.__dict__.update((k, v) for k, v in vars(native).items() if not k.startswith("__"))
    return native


def native_library_loaded() -> bool:
    return NATIVE_LIBRARY in _loaded


class DeferringFinder:
    """A meta path finder: the native library's spec, with a loader that makes the stand-in."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if name != NATIVE_LIBRARY:
            return None
        native_spec = PathFinder.find_spec(name, path)
        if native_spec is None:
            return None  # the CRT is not installed: botocore's import fails as it would have
        return importlib.util.spec_from_loader(name, _DeferringLoader(native_spec))


def defer_native_library() -> None:
    """Before botocore's first import; does nothing if the library is already imported or deferred."""
    if NATIVE_LIBRARY in sys.modules or any(isinstance(f, DeferringFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, DeferringFinder())
