"""A SAM API guarded by Lambda authorizers, an API key, CORS and resource policies, through the data plane.

One stack (templates/secured_api.yaml) is deployed once per module under moto.mock_aws(), then called
through the real HTTPS listener, as curl would call API Gateway.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from fixtures.https_client import Reply, fetch
from moto import mock_aws
from templates import REGION, SAM_CAPABILITIES, body, events, outputs, status

from localcloud import extensions, lambda_runtime
from localcloud.dataplane.gateway import Gateway
from localcloud.dataplane.listener import HttpsListener
from localcloud.extensions.apigateway_lookup import custom_domain_target
from localcloud.tls import LocalCertificateAuthority, ServerContexts

EXPLICIT_DENY = {"Message": "User is not authorized to access this resource with an explicit deny"}


@dataclass
class Api:
    address: str
    ca: Path
    api_id: str
    stack_outputs: dict[str, str]
    apigw: Any
    lam: Any
    cf: Any

    def call(self, path: str, method: str = "GET", headers: dict[str, str] | None = None) -> Reply:
        url = f"https://{self.api_id}.execute-api.{REGION}.amazonaws.com/live{path}"
        return fetch(self.address, self.ca, url, method=method, headers=headers)


def json_of(reply: Reply) -> Any:
    return json.loads(reply.body)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    state = tmp_path_factory.mktemp("security")
    with mock_aws():
        extensions.install()
        runtime = lambda_runtime.install(state / "state")
        cf = boto3.client("cloudformation", region_name=REGION)
        cf.create_stack(
            StackName="secured", TemplateBody=body("secured_api.yaml"), Capabilities=SAM_CAPABILITIES
        )
        assert status(cf, "secured") == "CREATE_COMPLETE", events(cf, "secured")
        found = outputs(cf, "secured")
        listener = HttpsListener(
            Gateway(lambda_runtime.current, custom_domain_target),
            "127.0.0.1",
            0,
            ServerContexts(LocalCertificateAuthority(state)),
        )
        listener.start()
        try:
            yield Api(
                f"localhost:{listener.port}",
                state / "ca.pem",
                found["ApiId"],
                found,
                boto3.client("apigateway", region_name=REGION),
                boto3.client("lambda", region_name=REGION),
                cf,
            )
        finally:
            listener.stop()
            runtime.shutdown()


def test_get_authorizers_lists_the_token_and_request_authorizers(api: Api) -> None:
    found = {a["name"]: a for a in api.apigw.get_authorizers(restApiId=api.api_id)["items"]}

    assert found["TokenAuth"]["type"] == "TOKEN"
    assert found["TokenAuth"]["identitySource"] == "method.request.header.Authorization"
    assert found["TokenAuth"]["identityValidationExpression"] == "^Bearer [a-z-]+$"
    assert found["TokenAuth"]["authorizerResultTtlInSeconds"] == 300
    assert found["RequestAuth"]["type"] == "REQUEST"
    assert found["RequestAuth"]["identitySource"] == (
        "method.request.header.X-User, method.request.querystring.tenant"
    )


def test_a_method_without_its_token_answers_401_without_calling_the_authorizer(api: Api) -> None:
    reply = api.call("/secret")

    assert reply.status == 401
    assert json_of(reply) == {"message": "Unauthorized"}
    assert reply.header("x-amzn-ErrorType") == "UnauthorizedException"


def test_a_token_failing_the_validation_expression_answers_401(api: Api) -> None:
    reply = api.call("/secret", headers={"Authorization": "Basic alice"})

    assert reply.status == 401
    assert json_of(reply) == {"message": "Unauthorized"}


def test_a_denying_policy_answers_403_explicit_deny(api: Api) -> None:
    reply = api.call("/secret", headers={"Authorization": "Bearer deny"})

    assert reply.status == 403
    assert json_of(reply) == EXPLICIT_DENY
    assert reply.header("x-amzn-ErrorType") == "AccessDeniedException"


def test_an_allowing_policy_reaches_the_handler_with_the_authorizer_context(api: Api) -> None:
    reply = api.call("/secret", headers={"Authorization": "Bearer alice"})

    assert reply.status == 200, reply.body
    authorizer = json_of(reply)["authorizer"]
    assert authorizer["principalId"] == "user-token"
    assert authorizer["tenant"] == "alice"
    assert authorizer["admin"] == "true"  # context values reach the integration as strings
    assert isinstance(authorizer["integrationLatency"], int)


def test_the_token_authorizer_result_is_cached_per_token(api: Api) -> None:
    first = json_of(api.call("/secret", headers={"Authorization": "Bearer carol"}))["authorizer"]
    again = json_of(api.call("/secret", headers={"Authorization": "Bearer carol"}))["authorizer"]
    other = json_of(api.call("/secret", headers={"Authorization": "Bearer dave"}))["authorizer"]

    assert again["call"] == first["call"]  # served from the cache: the function ran once
    assert other["call"] != first["call"]


def test_an_authorizer_raising_unauthorized_answers_401(api: Api) -> None:
    reply = api.call("/secret", headers={"Authorization": "Bearer unauthorized"})

    assert reply.status == 401
    assert json_of(reply) == {"message": "Unauthorized"}


def test_a_failing_or_malformed_authorizer_answers_500_configuration_error(api: Api) -> None:
    for token in ("broken", "nothing"):
        reply = api.call("/secret", headers={"Authorization": f"Bearer {token}"})

        assert reply.status == 500
        assert json_of(reply) == {"message": None}
        assert reply.header("x-amzn-ErrorType") == "AuthorizerConfigurationException"


def test_a_request_authorizer_needs_every_identity_source(api: Api) -> None:
    without_query = api.call("/request", headers={"X-User": "erin"})
    without_header = api.call("/request?tenant=t1")

    assert without_query.status == 401 and without_header.status == 401
    assert json_of(without_query) == {"message": "Unauthorized"}


def test_a_request_authorizer_with_ttl_0_runs_on_every_request(api: Api) -> None:
    first = api.call("/request?tenant=t1", headers={"X-User": "erin"})
    second = api.call("/request?tenant=t1", headers={"X-User": "erin"})

    assert first.status == 200, first.body
    assert json_of(first)["authorizer"]["principalId"] == "user-request"
    assert json_of(second)["authorizer"]["call"] != json_of(first)["authorizer"]["call"]


def test_a_request_authorizer_deny_answers_403(api: Api) -> None:
    reply = api.call("/request?tenant=t1", headers={"X-User": "deny"})

    assert reply.status == 403
    assert json_of(reply) == EXPLICIT_DENY


def _api_key(api: Api) -> dict[str, Any]:
    keys = api.apigw.get_api_keys(includeValues=True)["items"]
    assert len(keys) == 1
    return dict(keys[0])


def test_an_api_key_method_answers_403_without_a_valid_key(api: Api) -> None:
    for headers in ({}, {"x-api-key": "not-a-key-of-this-account-at-all"}):
        reply = api.call("/keyed", headers=headers)

        assert reply.status == 403
        assert json_of(reply) == {"message": "Forbidden"}
        assert reply.header("x-amzn-ErrorType") == "ForbiddenException"


def test_an_api_key_of_the_stage_usage_plan_reaches_the_handler(api: Api) -> None:
    key = _api_key(api)

    reply = api.call("/keyed", headers={"X-API-Key": key["value"]})

    assert reply.status == 200, reply.body
    assert json_of(reply)["apiKeyId"] == key["id"]


def test_a_disabled_api_key_answers_403(api: Api) -> None:
    key = _api_key(api)
    api.apigw.update_api_key(
        apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )
    try:
        reply = api.call("/keyed", headers={"x-api-key": key["value"]})
    finally:
        api.apigw.update_api_key(
            apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled", "value": "true"}]
        )

    assert reply.status == 403
    assert json_of(reply) == {"message": "Forbidden"}


def test_the_cors_preflight_answers_200_with_the_access_control_headers(api: Api) -> None:
    reply = api.call("/secret", method="OPTIONS", headers={"Origin": "https://shop.example.com"})

    assert reply.status == 200, reply.body
    assert reply.header("Access-Control-Allow-Origin") == "https://shop.example.com"
    assert reply.header("Access-Control-Allow-Methods") == "GET,POST,OPTIONS"
    assert reply.header("Access-Control-Allow-Headers") == "Content-Type,Authorization,X-Api-Key"
    assert reply.header("Access-Control-Max-Age") == "600"


def test_a_customised_gateway_response_changes_status_headers_and_body(api: Api) -> None:
    reply = api.call("/nowhere", headers={"Origin": "https://shop.example.com"})

    assert reply.status == 404
    assert reply.header("Access-Control-Allow-Origin") == "https://shop.example.com"
    assert json_of(reply) == {"error": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN"}


def test_binary_media_types_are_kept_on_the_api(api: Api) -> None:
    rest_api = api.apigw.get_rest_api(restApiId=api.api_id)

    assert rest_api["binaryMediaTypes"] == ["application/octet-stream", "image/png"]


@pytest.mark.parametrize("media_type", ["application/octet-stream", "image/png"])
def test_a_body_of_a_binary_media_type_reaches_the_handler_base64_encoded(api: Api, media_type: str) -> None:
    payload = b"valid UTF-8, binary only by its media type"  # so only binaryMediaTypes can base64 it
    url = f"https://{api.api_id}.execute-api.{REGION}.amazonaws.com/live/upload"

    reply = fetch(api.address, api.ca, url, method="POST", body=payload, headers={"Content-Type": media_type})

    assert reply.status == 200, reply.body
    seen = json_of(reply)
    assert seen["isBase64Encoded"] is True
    assert base64.b64decode(seen["body"]) == payload


def test_a_function_importing_boto3_without_bundling_it_works(api: Api) -> None:
    reply = api.call("/sdk")

    assert reply.status == 200, reply.body
    answer = json_of(reply)
    assert answer["boto3"] == boto3.__version__
    assert "/code/" not in answer["file"]  # from the runtime, not from the function's bundle
    assert answer["others"] == {"moto": False, "yaml": False, "requests": False}  # nothing else of the venv


def test_without_a_permission_for_api_gateway_the_method_answers_500(api: Api) -> None:
    assert api.call("/open").status == 200
    function = api.stack_outputs["AppFnName"]
    policy = json.loads(api.lam.get_policy(FunctionName=function)["Policy"])
    for statement in policy["Statement"]:
        if json.dumps(statement).endswith('/GET/open"}}}'):
            api.lam.remove_permission(FunctionName=function, StatementId=statement["Sid"])

    reply = api.call("/open")

    assert reply.status == 500
    assert json_of(reply) == {"message": "Internal server error"}
    assert reply.header("Access-Control-Allow-Origin") == "*"  # the API's DEFAULT_5XX gateway response
    assert api.call("/secret", headers={"Authorization": "Bearer alice"}).status == 200  # others keep theirs


def test_a_cognito_authorizer_fails_the_stack_naming_it(api: Api) -> None:
    api.cf.create_stack(
        StackName="cognito", TemplateBody=body("cognito_api.yaml"), Capabilities=SAM_CAPABILITIES
    )

    assert status(api.cf, "cognito") == "ROLLBACK_COMPLETE"
    reasons = [e.get("ResourceStatusReason") or "" for e in events(api.cf, "cognito")]
    assert any("Authorizer Users of type COGNITO_USER_POOLS is not supported" in r for r in reasons), reasons


@pytest.fixture(scope="module")
def cfn_api(api: Api) -> Api:
    """The same checks on an API written with plain CloudFormation resources (no SAM, no OpenAPI body)."""
    api.cf.create_stack(
        StackName="plain", TemplateBody=body("cfn_authorizer_api.yaml"), Capabilities=["CAPABILITY_IAM"]
    )
    assert status(api.cf, "plain") == "CREATE_COMPLETE", events(api.cf, "plain")
    found = outputs(api.cf, "plain")
    return Api(api.address, api.ca, found["ApiId"], found, api.apigw, api.lam, api.cf)


def _plain(cfn_api: Api, method: str = "GET", headers: dict[str, str] | None = None) -> Reply:
    url = f"https://{cfn_api.api_id}.execute-api.{REGION}.amazonaws.com/prod/hello"
    return fetch(cfn_api.address, cfn_api.ca, url, method=method, headers=headers)


def test_a_cloudformation_authorizer_is_listed_and_guards_its_method(cfn_api: Api) -> None:
    key = {"x-api-key": "cfn-key-0123456789abcdefghij"}
    listed = cfn_api.apigw.get_authorizers(restApiId=cfn_api.api_id)["items"]

    assert [a["id"] for a in listed] == [cfn_api.stack_outputs["AuthorizerId"]]
    assert _plain(cfn_api, headers=key).status == 401
    denied = _plain(cfn_api, headers={**key, "X-Token": "nope"})
    assert json_of(denied) == EXPLICIT_DENY
    assert denied.header("X-Denied-By") == "local-policy"  # the ACCESS_DENIED gateway response
    allowed = _plain(cfn_api, headers={**key, "X-Token": "allow"})
    assert allowed.status == 200, allowed.body
    assert json_of(allowed)["principalId"] == "cfn-user"


def test_a_cloudformation_api_key_in_a_usage_plan_is_required(cfn_api: Api) -> None:
    reply = _plain(cfn_api, headers={"X-Token": "allow"})

    assert reply.status == 403
    assert json_of(reply) == {"message": "Forbidden"}


def test_a_cloudformation_mock_method_answers_from_its_integration_response(cfn_api: Api) -> None:
    reply = _plain(cfn_api, method="OPTIONS")

    assert reply.status == 204
    assert reply.header("Access-Control-Allow-Origin") == "*"


def test_binary_media_types_follow_create_and_update_rest_api(cfn_api: Api) -> None:
    created = cfn_api.apigw.create_rest_api(name="binary", binaryMediaTypes=["application/pdf"])
    cfn_api.apigw.update_rest_api(
        restApiId=created["id"],
        patchOperations=[{"op": "add", "path": "/binaryMediaTypes/image~1webp"}],
    )

    assert created["binaryMediaTypes"] == ["application/pdf"]
    assert cfn_api.apigw.get_rest_api(restApiId=created["id"])["binaryMediaTypes"] == [
        "application/pdf",
        "image/webp",
    ]
    assert cfn_api.apigw.get_rest_api(restApiId=cfn_api.api_id)["binaryMediaTypes"] == ["image/gif"]


def test_the_api_resource_policy_refuses_a_denied_source_ip(cfn_api: Api) -> None:
    deny_local = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*",
            },
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*/OPTIONS/*",
                "Condition": {"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}},
            },
        ],
    }
    patch = [{"op": "replace", "path": "/policy", "value": json.dumps(deny_local)}]
    cfn_api.apigw.update_rest_api(restApiId=cfn_api.api_id, patchOperations=patch)
    try:
        reply = _plain(cfn_api, method="OPTIONS")
    finally:
        cfn_api.apigw.update_rest_api(
            restApiId=cfn_api.api_id, patchOperations=[{"op": "replace", "path": "/policy", "value": ""}]
        )

    assert reply.status == 403
    message = json_of(reply)["Message"]
    assert message.startswith(
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
    )
    assert message.endswith(f":{cfn_api.api_id}/prod/OPTIONS/hello with an explicit deny")
    assert _plain(cfn_api, method="OPTIONS").status == 204  # the policy is read on every request
