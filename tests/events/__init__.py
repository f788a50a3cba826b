"""API Gateway REST (v1) proxy events for the pet-store handlers, and a stand-in Lambda context.

`load_event("health")` reads tests/events/health.json; keyword overrides replace top-level fields, and a
dict or list `body` is serialized to JSON. `make_event` builds any request from the same base shape.
"""

import base64
import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parent


@dataclass
class FakeLambdaContext:
    """The attributes Powertools reads from the real LambdaContext."""

    function_name: str = "petstore-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:petstore-function"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name: str = "/aws/lambda/petstore-function"
    log_stream_name: str = "2026/11/22/[$LATEST]abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


@cache
def _read(name: str) -> dict[str, Any]:
    path = EVENTS_DIR / f"{name}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in EVENTS_DIR.glob("*.json")))
        raise FileNotFoundError(f"No event named {name!r} in {EVENTS_DIR}; known: {known}")
    event: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return event


def load_event(name: str, **overrides: Any) -> dict[str, Any]:
    """A fresh copy of a stored event, with top-level fields replaced by overrides."""
    event = copy.deepcopy(_read(name))
    if isinstance(overrides.get("body"), dict | list):
        overrides["body"] = json.dumps(overrides["body"])
    event.update(overrides)
    return event


def make_event(
    method: str,
    path: str,
    *,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, list[str]] | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    """Any request as API Gateway would deliver it through the ANY /{proxy+} (or ANY /) method."""
    event = copy.deepcopy(_read("_base"))
    all_headers = {**event["headers"], **(headers or {})}
    event["httpMethod"] = method
    event["path"] = path
    event["headers"] = all_headers
    event["multiValueHeaders"] = {name: [value] for name, value in all_headers.items()}
    query = {name: values for name, values in (query or {}).items() if values}
    if query:
        event["queryStringParameters"] = {name: values[-1] for name, values in query.items()}
        event["multiValueQueryStringParameters"] = query
    proxy = path.lstrip("/")
    event["resource"] = "/{proxy+}" if proxy else "/"
    event["pathParameters"] = {"proxy": proxy} if proxy else None
    event["requestContext"]["httpMethod"] = method
    event["requestContext"]["path"] = f"/{event['requestContext']['stage']}{path}"
    event["requestContext"]["resourcePath"] = event["resource"]
    if isinstance(body, bytes):
        body = base64.b64encode(body).decode("ascii")
        base64_body = True
    event["body"] = body
    event["isBase64Encoded"] = base64_body
    return event
