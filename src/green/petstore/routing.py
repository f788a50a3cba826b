"""The methods each path answers, read from the routes registered on the Powertools app.

The app is the one source of the HTTP contract: what turns a wrong method into 405 with Allow is the
same route table that dispatches requests, so a route added or removed changes both at once.
"""

import re

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

RouteTable = tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]


def route_table(app: APIGatewayRestResolver) -> RouteTable:
    """Each registered path pattern with the methods it serves, in registration order.

    Call it once all routes are registered. Powertools keeps the routes in two attributes it does not
    document; a missing one fails the cold start instead of turning every 405 into a 404.
    """
    try:
        routes = [*app._static_routes, *app._dynamic_routes]
    except AttributeError as missing:
        raise RuntimeError(f"Powertools keeps its routes elsewhere now: {missing}") from None
    methods: dict[str, set[str]] = {}
    for route in routes:
        methods.setdefault(route.path, set()).add(route.method)
    return tuple((_path_pattern(path), tuple(sorted(found))) for path, found in methods.items())


def _path_pattern(template: str) -> re.Pattern[str]:
    """A path template such as /pets/<pet_id> as a pattern matching any one segment for each parameter.

    Wider than Powertools' own rule on purpose: /pets/a%20b is still the /pets/{pet_id} resource, so a
    wrong method there is 405, not 404. Trailing slashes are ignored, as the resolver ignores them.
    """
    parts = re.split(r"<[^>]+>", template.rstrip("/"))
    return re.compile("^" + "[^/]+".join(re.escape(part) for part in parts) + "/*$")


def allowed_methods(table: RouteTable, path: str) -> tuple[str, ...]:
    """Methods served at path; empty when no route has this path at all."""
    for pattern, methods in table:
        if pattern.match(path):
            return methods
    return ()
