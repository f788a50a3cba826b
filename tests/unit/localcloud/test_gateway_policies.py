"""The Lambda resource-policy check before API Gateway invokes a function, and static MOCK answers."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from localcloud.dataplane.api_policy import PolicyDenied, check_api_policy
from localcloud.dataplane.gateway_errors import GatewayError, Unauthorized
from localcloud.dataplane.gateway_responses import customised
from localcloud.dataplane.method_config import IntegrationResponseConfig, MethodConfig
from localcloud.dataplane.mock_integration import mock_response
from localcloud.dataplane.proxy_event import IncomingRequest
from localcloud.dataplane.resource_policy import api_gateway_may_invoke

SOURCE = "arn:aws:execute-api:eu-west-1:123456789012:abc123/live/GET/pets/{id}"


def function_with(*statements: dict[str, Any]) -> Any:
    return SimpleNamespace(policy=SimpleNamespace(statements=list(statements)))


def permission(source_arn: str | None = None, **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": "apigateway.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        **extra,
    }
    if source_arn is not None:
        statement["Condition"] = {"ArnLike": {"AWS:SourceArn": source_arn}}
    return statement


@pytest.mark.parametrize(
    ("statements", "allowed"),
    [
        ((), False),
        ((permission("arn:aws:execute-api:eu-west-1:123456789012:abc123/*/GET/pets/*"),), True),
        ((permission("arn:aws:execute-api:eu-west-1:123456789012:abc123/*/*/*"),), True),
        ((permission("arn:aws:execute-api:eu-west-1:123456789012:other/*/*/*"),), False),
        ((permission("arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/pets/*"),), False),
        ((permission(),), True),  # no SourceArn: any API may invoke (as AWS allows)
        ((permission(Principal={"Service": "events.amazonaws.com"}),), False),
        ((permission(), {**permission(), "Effect": "Deny"}), False),
        ((permission(Condition={"StringEquals": {"AWS:SourceAccount": "999999999999"}}),), False),
        ((permission(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),), False),
    ],
)
def test_only_a_matching_allow_without_a_deny_lets_api_gateway_invoke(
    statements: tuple[dict[str, Any], ...], allowed: bool
) -> None:
    assert api_gateway_may_invoke(function_with(*statements), SOURCE, "123456789012") is allowed


def mock(*responses: IntegrationResponseConfig, template: str = '{"statusCode": 200}') -> MethodConfig:
    return MethodConfig(
        authorization_type="NONE",
        authorizer=None,
        api_key_required=False,
        integration_credentials=None,
        request_templates={"application/json": template},
        passthrough_behavior="WHEN_NO_MATCH",
        integration_responses=responses,
    )


def response(status: str, pattern: str | None = None, **headers: str) -> IntegrationResponseConfig:
    return IntegrationResponseConfig(
        status_code=status,
        selection_pattern=pattern,
        response_parameters={f"method.response.header.{k.replace('_', '-')}": v for k, v in headers.items()},
        response_templates={"application/json": "{}"},
    )


def test_the_request_template_status_selects_the_integration_response_and_its_static_headers() -> None:
    config = mock(
        response("200", Access_Control_Allow_Origin="'*'"),
        response("404", "4\\d\\d"),
        template='{"statusCode": 404}',
    )

    answer = mock_response(config, None, b"")

    assert answer.status == 404
    assert mock_response(mock(response("200", Access_Control_Allow_Origin="'*'")), None, b"").headers == [
        ("Content-Type", "application/json"),
        ("Access-Control-Allow-Origin", "*"),
    ]


def test_mapping_templates_and_non_static_parameters_fail_instead_of_guessing() -> None:
    with pytest.raises(GatewayError):
        mock_response(mock(response("200"), template='{"statusCode": $input.params("s")}'), None, b"")
    with pytest.raises(GatewayError):
        mock_response(mock(response("200", X_Id="integration.response.header.id")), None, b"")
    with pytest.raises(GatewayError):
        mock_response(mock(response("500", "5\\d\\d")), None, b"")  # no default, no match


METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/live/GET/pets"


def api_with(*statements: dict[str, Any]) -> Any:
    return SimpleNamespace(policy=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))


def statement(effect: str, resource: str = "execute-api:/*", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Principal": "*", "Action": "execute-api:Invoke", "Resource": resource, **extra}


def from_network(network: str, operator: str = "IpAddress") -> dict[str, Any]:
    return {"Condition": {operator: {"aws:SourceIp": network}}}


@pytest.mark.parametrize(
    ("api", "source_ip", "has_authorizer", "denied"),
    [
        (SimpleNamespace(policy=None), "10.1.2.3", False, None),
        (api_with(statement("Allow")), "10.1.2.3", False, None),
        (api_with(statement("Allow", "execute-api:/*/POST/*")), "10.1.2.3", False, "implicit"),
        (api_with(statement("Allow", "execute-api:/*/POST/*")), "10.1.2.3", True, None),  # authorizer decides
        (
            api_with(statement("Allow"), statement("Deny", **from_network("10.0.0.0/8"))),
            "10.1.2.3",
            False,
            "explicit",
        ),
        (
            api_with(statement("Allow"), statement("Deny", **from_network("10.0.0.0/8"))),
            "192.0.2.1",
            False,
            None,
        ),
        (
            api_with(statement("Allow", **from_network("10.0.0.0/8", "NotIpAddress"))),
            "10.1.2.3",
            False,
            "implicit",
        ),
        (
            api_with(
                statement("Allow"),
                statement("Deny", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-0123"}}),
            ),
            "10.1.2.3",
            False,
            "explicit",  # a private API: no request reaches it through that VPC endpoint locally
        ),
        (
            api_with({**statement("Allow"), "Principal": {"AWS": "arn:aws:iam::1:role/x"}}),
            "10.1.2.3",
            False,
            "implicit",
        ),
        (
            api_with(statement("Deny", Condition={"DateLessThan": {"aws:CurrentTime": "2000-01-01"}})),
            "1.1.1.1",
            True,
            "explicit",
        ),
    ],
)
def test_the_api_resource_policy_allows_denies_or_defers_to_the_authorizer(
    api: Any, source_ip: str, has_authorizer: bool, denied: str | None
) -> None:
    if denied is None:
        check_api_policy(api, METHOD_ARN, source_ip, has_authorizer)
        return
    with pytest.raises(PolicyDenied) as refused:
        check_api_policy(api, METHOD_ARN, source_ip, has_authorizer)
    message = json.loads(refused.value.body)["Message"]
    assert message.startswith(
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
    )
    assert ":********9012:abc123/live/GET/pets" in message
    assert message.endswith("with an explicit deny") is (denied == "explicit")


def request_from(origin: str) -> IncomingRequest:
    return IncomingRequest("GET", "/x", "", [("Origin", origin)], b"", "10.0.0.1", "api.example.com")


def api_responding(**responses: Any) -> Any:
    return SimpleNamespace(
        gateway_responses={
            kind: SimpleNamespace(
                status_code=r.get("status"),
                response_parameters=r.get("parameters", {}),
                response_templates=r.get("templates", {}),
            )
            for kind, r in responses.items()
        }
    )


def test_a_4xx_without_its_own_gateway_response_uses_default_4xx() -> None:
    api = api_responding(DEFAULT_4XX={"parameters": {"gatewayresponse.header.Vary": "'Origin'"}})

    answer = customised(api, Unauthorized(), request_from("https://a.example"), "req-1")

    assert answer is not None and answer.status == 401
    assert ("Vary", "Origin") in answer.headers
    assert json.loads(answer.body) == {"message": "Unauthorized"}
    assert customised(api, GatewayError(), request_from("https://a.example"), "req-1") is None


def test_a_template_the_local_cloud_cannot_render_keeps_the_default_body() -> None:
    api = api_responding(
        UNAUTHORIZED={"templates": {"application/json": '{"m": "$util.escapeJavaScript(x)"}'}}
    )

    answer = customised(api, Unauthorized(), request_from("https://a.example"), "req-1")

    assert answer is not None and json.loads(answer.body) == {"message": "Unauthorized"}
