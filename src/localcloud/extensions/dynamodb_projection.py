"""A projected read converts each item once: moto converted the whole item again for every attribute named.

moto's `Item.project` turns the item into plain JSON once per ProjectionExpression path, so a Query naming
16 attributes of 10 history records converted (and deep-copied) the records 160 times: about 0.1 s of the
server's CPU for one small read. A projection of top-level attributes only (no nested path, no list index)
now picks them from one conversion: the same item. Any other projection takes moto's own path.
Doc: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
"""

from collections.abc import Callable
from typing import Any

from localcloud.patches import Patch, register

from ._moto import dynamodb

_items: Any = dynamodb.dynamo_type


def _top_level_names(projection_expressions: list[list[str]]) -> list[str] | None:
    """The attribute names when every path is one plain name (no `a.b`, no `a[1]`), else None."""
    if any(len(path) != 1 or "[" in path[0] for path in projection_expressions):
        return None
    return [path[0] for path in projection_expressions]


def _converting_once(project: Callable[..., Any]) -> Callable[..., Any]:
    def converted_once(self: Any, projection_expressions: list[list[str]]) -> Any:
        names = _top_level_names(projection_expressions)
        if names is None:
            return project(self, projection_expressions)
        plain = self.to_regular_json()
        picked = {name: plain[name] for name in names if name in plain}
        return _items.Item(
            hash_key=self.hash_key,
            range_key=self.range_key,
            attrs=_items.serializer.serialize(picked)["M"],
        )

    return converted_once


register(
    __name__,
    Patch(
        _items.Item,
        "project",
        "a projection of top-level names converts each item once",
        wrap=_converting_once,
    ),
)
