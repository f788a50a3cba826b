"""One way to change third-party code at run time, so no change can rot unnoticed.

A `Patch` names its target (owner object + attribute), refuses to apply when the target is gone (a moto
upgrade renamed it), remembers what it replaced so it can be undone, and lives in one `PatchRegistry`
that `localcloud patches` lists. Two patches on one target are refused: the second would silently
shadow the first.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

_ABSENT = object()  # the owner had no attribute of its own under that name


class PatchError(RuntimeError):
    """A patch cannot be registered or applied; the message names the target."""


def describe_owner(owner: Any) -> str:
    if inspect.ismodule(owner):
        return str(owner.__name__)
    return f"{owner.__module__}.{owner.__qualname__}"


@dataclass(eq=False)
class Patch:
    """Set `owner.name` to `new` (or to `wrap(original)`, computed when applied).

    `adds=True` declares an attribute the owner lacks today; otherwise a missing target is an error.
    """

    owner: Any
    name: str
    reason: str
    new: Any = None
    wrap: Callable[[Any], Any] | None = None
    adds: bool = False
    after: Callable[[], None] | None = None  # e.g. clear a cache that holds the old value
    origin: str = ""  # the extension module that declared it (set by the registry)
    applied: bool = field(default=False, init=False)
    _saved: Any = field(default=_ABSENT, init=False, repr=False)

    def __post_init__(self) -> None:
        if (self.new is None) == (self.wrap is None):
            raise PatchError(f"{self.target}: give exactly one of new= or wrap=")

    @property
    def target(self) -> str:
        return f"{describe_owner(self.owner)}.{self.name}"

    def apply(self) -> None:
        if self.applied:
            return
        present = hasattr(self.owner, self.name)
        if not present and not self.adds:
            raise PatchError(f"patch target {self.target} not found (declared by {self.origin or '?'})")
        if present and self.adds:
            raise PatchError(f"patch target {self.target} already exists; the patch meant to add it")
        self._saved = vars(self.owner).get(self.name, _ABSENT)
        if self.wrap is not None:
            replacement = self._wrapped(inspect.getattr_static(self.owner, self.name))
        else:
            replacement = self.new
        setattr(self.owner, self.name, replacement)
        self.applied = True
        if self.after:
            self.after()

    def _wrapped(self, raw: Any) -> Any:
        assert self.wrap is not None
        # Keep the descriptor kind: a wrapped classmethod stays a classmethod.
        if isinstance(raw, classmethod):
            return classmethod(self.wrap(raw.__func__))
        if isinstance(raw, staticmethod):
            return staticmethod(self.wrap(raw.__func__))
        return self.wrap(raw)

    def undo(self) -> None:
        if not self.applied:
            return
        if self._saved is _ABSENT:
            delattr(self.owner, self.name)
        else:
            setattr(self.owner, self.name, self._saved)
        self._saved = _ABSENT
        self.applied = False
        if self.after:
            self.after()


class PatchRegistry:
    """Every patch, in the order it was declared; applied and undone as a whole."""

    def __init__(self) -> None:
        self._patches: list[Patch] = []
        self._lock = threading.RLock()

    def register(self, origin: str, *patches: Patch) -> tuple[Patch, ...]:
        with self._lock:
            taken = {(id(p.owner), p.name): p for p in self._patches}
            for patch in patches:
                clash = taken.get((id(patch.owner), patch.name))
                if clash is not None and clash is not patch:
                    raise PatchError(f"{patch.target} is patched twice ({clash.origin} and {origin})")
                if clash is None:
                    patch.origin = origin
                    self._patches.append(patch)
                    taken[(id(patch.owner), patch.name)] = patch
        return patches

    def apply_all(self, origin: str | None = None) -> None:
        """Apply every patch (or those of one module); if one fails, undo what this call applied and raise."""
        with self._lock:
            done: list[Patch] = []
            try:
                for patch in self._patches:
                    if not patch.applied and origin in (None, patch.origin):
                        patch.apply()
                        done.append(patch)
            except BaseException:
                for patch in reversed(done):
                    patch.undo()
                raise

    def undo_all(self) -> None:
        with self._lock:
            for patch in reversed(self._patches):
                patch.undo()

    def __iter__(self) -> Iterator[Patch]:
        return iter(list(self._patches))

    def __len__(self) -> int:
        return len(self._patches)


registry = PatchRegistry()


def register(origin: str, *patches: Patch) -> tuple[Patch, ...]:
    """Declare patches in the process-wide registry (call at module import, with `__name__`)."""
    return registry.register(origin, *patches)
