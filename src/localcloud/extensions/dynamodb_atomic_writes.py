"""DynamoDB writes are atomic: a conditional write checks its condition and writes in one step.

moto evaluates the condition and then writes, with nothing in between to stop another thread of the
threaded server (or of a test) from passing the same check: two conditional puts of the switch lock
could both succeed. Every write of the backend now runs under one lock, which is what DynamoDB
guarantees per item.
Doc: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
"""

import functools
import threading
from collections.abc import Callable
from typing import Any

from localcloud.patches import Patch, register, registry

from ._moto import dynamodb

_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_write_lock = threading.RLock()


def _serialised(write: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(write)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _write_lock:
            return write(*args, **kwargs)

    return locked


register(
    __name__,
    *(
        Patch(
            dynamodb.DynamoDBBackend,
            name,
            "a conditional write checks and writes in one step",
            wrap=_serialised,
        )
        for name in _WRITES
    ),
)


def install() -> None:
    """Only these patches, for callers (tests of the switch lock) that need atomic writes and nothing else."""
    registry.apply_all(origin=__name__)
