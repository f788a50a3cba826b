"""The OpenAPI documents are valid, match the code's routes, and v2 keeps every v1 operation."""

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


@pytest.mark.parametrize("color", COLORS)
def test_documented_operations_are_exactly_the_served_routes(color: str) -> None:
    # GIVEN the routing table the handler uses for 404/405 WHEN compared with the document THEN they agree
    routing = load_bundle(color).modules["routing"]
    contract = contract_for(color)
    for method, template in contract.operations:
        sample = template.replace("{pet_id}", "1")
        assert method in routing.allowed_methods(sample), f"{method} {template} documented but not routed"
    served = {
        (method, pattern.pattern.replace("[^/]+", "{pet_id}"))
        for pattern, methods in routing.ROUTES
        for method in methods
    }
    assert served == set(contract.operations)


def test_v2_keeps_every_v1_operation_and_status() -> None:
    v1, v2 = load_document("blue"), load_document("green")
    for path, item in v1["paths"].items():
        for method, operation in item.items():
            assert set(operation["responses"]) <= set(v2["paths"][path][method]["responses"]), (method, path)
            assert operation.get("requestBody") == v2["paths"][path][method].get("requestBody")


def test_v2_adds_no_required_parameter_to_v1_operations() -> None:
    for path, item in load_document("green")["paths"].items():
        if path in load_document("blue")["paths"]:
            for operation in item.values():
                assert not any(param.get("required") for param in operation.get("parameters", []))


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
