"""One call run on a background thread while the caller goes on; its result (or error) taken later."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Background[T]:
    def __init__(self, call: Callable[[], T], name: str = "bluegreen-background") -> None:
        self._result: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(call,), name=name, daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], T]) -> None:
        try:
            self._result = call()
        except BaseException as exc:  # handed to whoever takes the result, kills included
            self._error = exc

    def result(self) -> T:
        """Waits for the call; its value, or its error raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]

    def outcome(self) -> T | None:
        """Waits for the call; its value, or None when it failed."""
        self._thread.join()
        return None if self._error is not None else self._result
