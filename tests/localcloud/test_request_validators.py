"""Request validators through the data plane: required parameters and body models, as SAM declares them.

templates/validated_api.yaml is deployed once per module; requests go through the real HTTPS listener.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from fixtures.stack_api import StackApi, deployed_api, json_of
from templates import REGION

ORDER = {"customer": "ada", "items": [{"sku": "ABC-1", "quantity": 2}]}
JSON = {"Content-Type": "application/json", "X-Tenant": "t1"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackApi]:
    with deployed_api("validated_api.yaml", tmp_path_factory.mktemp("validators")) as deployed:
        yield deployed


def test_the_body_imports_the_validators_models_and_method_settings(api: StackApi) -> None:
    apigw = boto3.client("apigateway", region_name=REGION)
    validators = {v["name"]: v for v in apigw.get_request_validators(restApiId=api.api_id)["items"]}
    assert validators["body-and-params"]["validateRequestBody"] is True
    assert validators["params-only"]["validateRequestBody"] is False
    assert {m["name"] for m in apigw.get_models(restApiId=api.api_id)["items"]} >= {"order", "item"}


def test_a_valid_order_reaches_the_function(api: StackApi) -> None:
    reply = api.call("/orders", "POST", JSON, json.dumps(ORDER).encode())

    assert reply.status == 200, reply.body
    assert json.loads(json_of(reply)["body"]) == ORDER


def test_a_missing_required_header_is_400_before_the_body_is_checked(api: StackApi) -> None:
    reply = api.call("/orders", "POST", {"Content-Type": "application/json"}, b"not json")

    assert reply.status == 400
    assert json_of(reply) == {"message": "Missing required request parameters: [X-Tenant]"}
    assert reply.header("x-amzn-ErrorType") == "BadRequestException"


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        json.dumps({"customer": "ada"}).encode(),  # items missing
        json.dumps({**ORDER, "items": []}).encode(),  # minItems
        json.dumps({**ORDER, "items": [{"sku": "abc", "quantity": 1}]}).encode(),  # the referenced model
        b"",  # read as {}: required properties missing
    ],
    ids=["not-json", "missing-property", "empty-array", "nested-model", "empty-body"],
)
def test_a_body_that_breaks_the_model_is_400_with_the_apis_gateway_response(
    api: StackApi, payload: bytes
) -> None:
    reply = api.call("/orders", "POST", JSON, payload)

    assert reply.status == 400
    # The API customises BAD_REQUEST_BODY; the message is AWS's
    assert json_of(reply) == {"error": "Invalid request body", "type": "BAD_REQUEST_BODY"}


def test_a_body_of_another_content_type_is_not_validated(api: StackApi) -> None:
    reply = api.call("/orders", "POST", {"Content-Type": "text/plain", "X-Tenant": "t1"}, b"free text")

    assert reply.status == 200


def test_required_query_strings_are_checked_and_blank_ones_count_as_missing(api: StackApi) -> None:
    assert api.call("/orders/search?q=pets").status == 200
    for path in ("/orders/search", "/orders/search?q=", "/orders/search?page=2"):
        reply = api.call(path)
        assert reply.status == 400, path
        assert json_of(reply) == {"message": "Missing required request parameters: [q]"}


def test_a_params_only_validator_leaves_the_body_alone(api: StackApi) -> None:
    reply = api.call("/orders/search?q=x", "GET", {"Content-Type": "application/json"}, b"not json")

    assert reply.status == 200


def test_a_method_without_a_validator_is_not_validated(api: StackApi) -> None:
    assert api.call("/open", "POST", {"Content-Type": "application/json"}, b"not json").status == 200


@pytest.fixture(scope="module")
def cfn_api(tmp_path_factory: pytest.TempPathFactory, api: StackApi) -> Iterator[StackApi]:
    # Inside the first module fixture's mock (one moto state), a stack written without SAM
    with deployed_api(
        "validated_cfn_api.yaml", tmp_path_factory.mktemp("cfn-validators"), stack="cfn"
    ) as found:
        yield found


def test_cloudformation_validator_and_model_are_enforced(cfn_api: StackApi) -> None:
    apigw = boto3.client("apigateway", region_name=REGION)
    validator = apigw.get_request_validator(
        restApiId=cfn_api.api_id, requestValidatorId=cfn_api.stack_outputs["ValidatorId"]
    )
    assert (validator["name"], validator["validateRequestBody"]) == ("all", True)
    json_body = {"Content-Type": "application/json"}

    created = cfn_api.call("/pets?shop=north", "POST", json_body, b'{"name": "rex", "age": 3}')
    no_shop = cfn_api.call("/pets", "POST", json_body, b'{"name": "rex"}')
    bad_age = cfn_api.call("/pets?shop=north", "POST", json_body, b'{"name": "rex", "age": -1}')

    assert created.status == 201, created.body
    assert (no_shop.status, json_of(no_shop)) == (
        400,
        {"message": "Missing required request parameters: [shop]"},
    )
    assert (bad_age.status, json_of(bad_age)) == (400, {"message": "Invalid request body"})
