"""Check a real handler response against a color's OpenAPI document.

Routes the request the way the document describes it: a documented path and method must answer one of
its documented statuses with a body valid against that response's schema; a documented path with an
undocumented method must answer components/responses/MethodNotAllowed (Allow = the documented methods);
any other path must answer components/responses/NotFound. Trailing slashes are ignored, as documented.
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.handler_loader import OPENAPI_DIR, HttpReply

_DOC_URI = "urn:petstore:openapi"
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class ContractViolation(AssertionError):
    """A response the document does not allow; the text says which rule and why."""


@dataclass(frozen=True)
class _Route:
    template: str
    pattern: re.Pattern[str]
    item: dict[str, Any]

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(method.upper() for method in _HTTP_METHODS if method in self.item)


class OpenApiContract:
    def __init__(self, document: dict[str, Any]):
        self.document = document
        registry: Registry[Any] = Registry().with_resource(
            _DOC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
        )
        self._registry = registry
        self._validators: dict[str, OAS31Validator] = {}
        self._routes = [
            _Route(template, re.compile(re.sub(r"\\{[^}/]+\\}", "[^/]+", re.escape(template))), item)
            for template, item in document["paths"].items()
        ]

    @property
    def operations(self) -> list[tuple[str, str]]:
        """Every documented (METHOD, path template)."""
        return [(method, route.template) for route in self._routes for method in route.methods]

    def validate_schema(self, instance: Any, pointer: str) -> None:
        """Validate against the schema at a JSON pointer of the document, e.g. /components/schemas/Pet."""
        validator = self._validators.get(pointer)
        if validator is None:
            validator = OAS31Validator({"$ref": f"{_DOC_URI}#{pointer}"}, registry=self._registry)
            self._validators[pointer] = validator
        try:
            validator.validate(instance)
        except ValidationError as error:
            raise ContractViolation(f"body does not match {pointer}: {error.message[:300]}") from None

    def check(self, method: str, path: str, reply: HttpReply) -> None:
        """Raise ContractViolation unless reply is what the document promises for METHOD path."""
        method = method.upper()
        path = path.rstrip("/")  # the documents say trailing slashes are ignored
        route = next((route for route in self._routes if route.pattern.fullmatch(path)), None)
        if route is None:
            self._check_response(reply, "/components/responses/NotFound", expected_status=404)
            return
        if method not in route.methods:
            self._check_response(reply, "/components/responses/MethodNotAllowed", expected_status=405)
            allowed = sorted(part.strip() for part in (reply.header("Allow") or "").split(","))
            if allowed != sorted(route.methods):
                raise ContractViolation(f"Allow is {reply.header('Allow')!r}; documented: {route.methods}")
            return
        responses = route.item[method.lower()]["responses"]
        if str(reply.status) not in responses:
            raise ContractViolation(
                f"{method} {route.template} answered {reply.status}, not documented ({', '.join(responses)})"
            )
        base = f"/paths/{_escape(route.template)}/{method.lower()}/responses/{reply.status}"
        self._check_response(reply, base, expected_status=reply.status)

    def _check_response(self, reply: HttpReply, pointer: str, expected_status: int) -> None:
        if reply.status != expected_status:
            raise ContractViolation(f"status {reply.status}; expected {expected_status} ({pointer})")
        response = self._resolve(pointer)
        content_type = (reply.header("Content-Type") or "").split(";")[0].strip()
        if content_type not in response.get("content", {}):
            raise ContractViolation(f"Content-Type {content_type!r} not documented at {pointer}")
        try:
            body = json.loads(reply.body)
        except ValueError:
            raise ContractViolation(f"body is not JSON: {reply.body[:200]!r}") from None
        self.validate_schema(body, f"{self._pointer_of(pointer)}/content/{_escape(content_type)}/schema")
        for name, header in response.get("headers", {}).items():
            value = reply.header(name)
            if value is None:
                if header.get("required"):
                    raise ContractViolation(f"required header {name} missing ({pointer})")
                continue
            self.validate_schema(value, f"{self._pointer_of(pointer)}/headers/{_escape(name)}/schema")

    def _pointer_of(self, pointer: str) -> str:
        """Follow a response $ref so header and schema pointers are taken from the real definition."""
        node = self._node(pointer)
        while "$ref" in node:
            pointer = node["$ref"].removeprefix("#")
            node = self._node(pointer)
        return pointer

    def _resolve(self, pointer: str) -> dict[str, Any]:
        return self._node(self._pointer_of(pointer))

    def _node(self, pointer: str) -> dict[str, Any]:
        node: Any = self.document
        for part in pointer.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        if not isinstance(node, dict):
            raise ContractViolation(f"{pointer} is not an object in the document")
        return node


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def load_document(color: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(Path(OPENAPI_DIR / f"{color}.yaml").read_text(encoding="utf-8"))
    return document


@cache
def contract_for(color: str) -> OpenApiContract:
    return OpenApiContract(load_document(color))
