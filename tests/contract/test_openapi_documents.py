"""The OpenAPI documents are valid, match what the app generates, and v2 keeps every v1 operation."""

from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.contract.openapi_contract import ContractViolation, contract_for, load_document
from tests.handler_loader import COLORS, RELEASE_VERSIONS, HttpReply, load_bundle


@pytest.mark.parametrize("color", COLORS)
def test_document_is_valid_openapi(color: str) -> None:
    validate(load_document(color))


@pytest.mark.parametrize("color", COLORS)
def test_document_version_is_the_release_version(color: str) -> None:
    assert load_document(color)["info"]["version"] == RELEASE_VERSIONS[color]


def _generated(color: str) -> dict[str, Any]:
    """The OpenAPI document the color's Powertools app generates from its routes and models."""
    app = load_bundle(color).app.app
    schema: dict[str, Any] = app.get_openapi_schema().model_dump(
        by_alias=True, exclude_none=True, mode="json"
    )
    return schema


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "delete", "patch", "head", "options"}
    }


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _skeleton(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """What a client depends on: object fields (required marked *), item shapes, JSON types."""
    schema = _resolve(schema, document)
    variants = [variant for variant in schema.get("anyOf", []) if variant.get("type") != "null"]
    if variants:
        return _skeleton(variants[0], document)
    if schema.get("type") == "object" or "properties" in schema:
        required = set(schema.get("required", []))
        return {
            name + ("*" if name in required else ""): _skeleton(field, document)
            for name, field in schema.get("properties", {}).items()
        }
    if schema.get("type") == "array":
        return [_skeleton(schema["items"], document)]
    return schema.get("type")


def _parameters(operation: dict[str, Any]) -> set[tuple[str, str, bool]]:
    # HTTP header names are case-insensitive; Powertools lower-cases them.
    return {
        (param["name"].lower() if param["in"] == "header" else param["name"], param["in"], param["required"])
        for param in operation.get("parameters", [])
    }


def _drop_required_marks(skeleton: Any) -> Any:
    if isinstance(skeleton, dict):
        return {name.rstrip("*"): _drop_required_marks(value) for name, value in skeleton.items()}
    if isinstance(skeleton, list):
        return [_drop_required_marks(item) for item in skeleton]
    return skeleton


@pytest.mark.parametrize("color", COLORS)
def test_the_document_describes_exactly_what_the_app_generates(color: str) -> None:
    # GIVEN the Powertools app, the one source of the contract, and the published document
    generated, documented = _generated(color), load_document(color)
    # THEN they have the same operations, with the same ids and parameters
    assert set(_operations(generated)) == set(_operations(documented))
    for key, operation in _operations(documented).items():
        produced = _operations(generated)[key]
        assert produced["operationId"] == operation["operationId"], key
        assert _parameters(produced) == _parameters(operation), key
        # AND the same request body, required fields included
        if "requestBody" in operation:
            media = "application/json"
            assert _skeleton(produced["requestBody"]["content"][media]["schema"], generated) == _skeleton(
                operation["requestBody"]["content"][media]["schema"], documented
            ), key
        # AND the same success status and answer fields. The generated schemas mark fields with a
        # default (a constant such as status: healthy) optional; the answers always carry them.
        success = next(status for status in operation["responses"] if status.startswith("2"))
        assert set(produced["responses"]) & {"200", "201"} == {success}, key
        schemas = [
            _drop_required_marks(
                _skeleton(doc["responses"][success]["content"]["application/json"]["schema"], source)
            )
            for doc, source in ((produced, generated), (operation, documented))
        ]
        assert schemas[0] == schemas[1], key


def test_v2_keeps_every_v1_operation_and_status() -> None:
    v1, v2 = load_document("blue"), load_document("green")
    for path, item in v1["paths"].items():
        for method, operation in item.items():
            assert set(operation["responses"]) <= set(v2["paths"][path][method]["responses"]), (method, path)
            assert operation.get("requestBody") == v2["paths"][path][method].get("requestBody")


def test_v2_adds_no_required_parameter_to_v1_operations() -> None:
    v1 = _operations(load_document("blue"))
    for key, operation in _operations(load_document("green")).items():
        if key in v1:
            required = {param["name"] for param in operation.get("parameters", []) if param.get("required")}
            assert required <= {param["name"] for param in v1[key].get("parameters", []) if param["required"]}


JSON = {"Content-Type": ["application/json"]}


def reply(status: int, body: str, headers: dict[str, list[str]] | None = None) -> HttpReply:
    return HttpReply(status=status, headers=JSON if headers is None else headers, body=body)


@pytest.mark.parametrize(
    ("method", "path", "bad_reply"),
    [
        ("GET", "/health", reply(200, '{"status":"healthy","environment":"blue","version":"v1.0.0"}')),
        ("GET", "/health", reply(201, "{}")),
        ("GET", "/pets", reply(200, '{"environment":"blue","version":"v1","pets":[]}')),
        ("GET", "/pets", reply(200, "not json")),
        ("GET", "/pets", reply(200, '{"environment":"blue","version":"v1.0.0","pets":[]}', {"X": ["y"]})),
        ("POST", "/orders", reply(400, '{"message":""}')),
        ("POST", "/orders", reply(404, '{"detail":"x"}')),
        ("DELETE", "/pets", reply(405, '{"message":"no"}')),
        (
            "DELETE",
            "/pets",
            reply(405, '{"message":"no"}', {"Content-Type": ["application/json"], "Allow": ["PUT"]}),
        ),
        ("GET", "/nowhere", reply(400, '{"message":"no"}')),
    ],
)
def test_the_contract_check_catches_responses_the_document_forbids(
    method: str, path: str, bad_reply: HttpReply
) -> None:
    # GIVEN a response that breaks the blue document WHEN checked THEN the check fails
    with pytest.raises(ContractViolation):
        contract_for("blue").check(method, path, bad_reply)
