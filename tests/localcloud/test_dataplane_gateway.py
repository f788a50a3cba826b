"""The HTTPS data plane: API Gateway REST proxy behaviour for stage URLs and custom domains."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from fixtures.bundles import zip_of
from fixtures.https_client import fetch
from moto import mock_aws
from moto.apigateway.models import apigateway_backends

from localcloud import extensions, lambda_runtime
from localcloud.dataplane.gateway import Gateway
from localcloud.dataplane.listener import HttpsListener
from localcloud.extensions.apigateway_lookup import custom_domain_target
from localcloud.tls import LocalCertificateAuthority, ServerContexts

REGION = "us-east-1"
DOMAIN = "api.petstore.example.com"


@dataclass
class Plane:
    address: str
    ca: Path
    apigw: Any
    blue_api: str
    green_api: str

    def stage_url(self, api_id: str, path: str) -> str:
        return f"https://{api_id}.execute-api.{REGION}.amazonaws.com{path}"

    def get(self, url: str, **kwargs: Any) -> Any:
        return fetch(self.address, self.ca, url, **kwargs)


def _lambda_uri(function_arn: str) -> str:
    return f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def _proxy_method(
    apigw: Any, api_id: str, resource_id: str, method: str, function_arn: str, timeout_ms: int | None = None
) -> None:
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=method, authorizationType="NONE")
    extra = {"timeoutInMillis": timeout_ms} if timeout_ms else {}
    apigw.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=method,
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=_lambda_uri(function_arn),
        **extra,
    )


def _api(apigw: Any, name: str, function_arn: str, slow_arn: str) -> str:
    api_id = apigw.create_rest_api(name=name, endpointConfiguration={"types": ["REGIONAL"]})["id"]
    # moto's CreateRestApi drops binaryMediaTypes (and its patch "add" stores ""), so set its model directly.
    apigateway_backends["123456789012"][REGION].apis[api_id].binaryMediaTypes = [
        "image/png",
        "application/octet-stream",
    ]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    pet = apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="{petId}")["id"]
    slow = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="slow")["id"]
    for resource in (root, proxy):
        _proxy_method(apigw, api_id, resource, "ANY", function_arn)
    for resource in (pets, pet):
        _proxy_method(apigw, api_id, resource, "GET", function_arn)
    _proxy_method(apigw, api_id, slow, "GET", slow_arn, timeout_ms=1000)
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"color": name})
    return api_id


def _issued_certificate() -> str:
    """A custom domain needs an ISSUED certificate that covers it; DNS validation completes at once here,
    as the local cloud server configures it."""
    from localcloud.extensions._moto import settings

    acm = boto3.client("acm", region_name=REGION)
    previous, settings.ACM_VALIDATION_WAIT = settings.ACM_VALIDATION_WAIT, 0
    try:  # the read validates it; the setting is restored for whatever runs next
        arn = str(acm.request_certificate(DomainName=DOMAIN, ValidationMethod="DNS")["CertificateArn"])
        acm.describe_certificate(CertificateArn=arn)
    finally:
        settings.ACM_VALIDATION_WAIT = previous
    return arn


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plane]:
    state = tmp_path_factory.mktemp("dataplane")
    with mock_aws():
        extensions.install()
        runtime = lambda_runtime.install(state / "state")
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role = boto3.client("iam", region_name=REGION).create_role(
            RoleName="api-role", AssumeRolePolicyDocument=json.dumps(trust)
        )["Role"]["Arn"]
        lam = boto3.client("lambda", region_name=REGION)
        arns = {
            name: lam.create_function(
                FunctionName=name,
                Runtime="python3.13",
                Role=role,
                Handler="api.handler",
                Code={"ZipFile": zip_of("api")},
                Timeout=10,
            )["FunctionArn"]
            for name in ("api-fn", "slow-fn")
        }
        apigw = boto3.client("apigateway", region_name=REGION)
        blue = _api(apigw, "blue", arns["api-fn"], arns["slow-fn"])
        green = _api(apigw, "green", arns["api-fn"], arns["slow-fn"])
        for name in arns:  # API Gateway may invoke a function only when its resource policy allows it
            lam.add_permission(
                FunctionName=name,
                StatementId="from-any-api-of-the-account",
                Action="lambda:InvokeFunction",
                Principal="apigateway.amazonaws.com",
                SourceArn=f"arn:aws:execute-api:{REGION}:123456789012:*",
            )
        apigw.create_domain_name(
            domainName=DOMAIN,
            regionalCertificateArn=_issued_certificate(),
            endpointConfiguration={"types": ["REGIONAL"]},
            securityPolicy="TLS_1_2",
        )
        apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=blue, stage="prod")
        listener = HttpsListener(
            Gateway(lambda_runtime.current, custom_domain_target),
            "127.0.0.1",
            0,
            ServerContexts(LocalCertificateAuthority(state)),
        )
        listener.start()
        try:
            yield Plane(f"localhost:{listener.port}", state / "ca.pem", apigw, blue, green)
        finally:
            listener.stop()
            runtime.shutdown()


def event_of(reply: Any) -> dict[str, Any]:
    assert reply.status == 200, reply.body
    event: dict[str, Any] = json.loads(reply.body)["event"]
    return event


def test_stage_url_root_reaches_the_root_resource(plane: Plane) -> None:
    event = event_of(plane.get(plane.stage_url(plane.blue_api, "/prod/")))

    assert event["resource"] == "/"
    assert event["path"] == "/"
    assert event["requestContext"]["path"] == "/prod/"
    assert event["requestContext"]["stage"] == "prod"
    assert event["requestContext"]["apiId"] == plane.blue_api
    assert event["pathParameters"] is None
    assert event["stageVariables"] == {"color": "blue"}


def test_literal_resource_wins_over_the_greedy_proxy(plane: Plane) -> None:
    event = event_of(plane.get(plane.stage_url(plane.blue_api, "/prod/pets")))

    assert event["resource"] == "/pets"
    assert event["path"] == "/pets"
    assert event["requestContext"]["path"] == "/prod/pets"


def test_path_parameter_is_extracted(plane: Plane) -> None:
    event = event_of(plane.get(plane.stage_url(plane.blue_api, "/prod/pets/42")))

    assert event["resource"] == "/pets/{petId}"
    assert event["pathParameters"] == {"petId": "42"}


def test_greedy_proxy_takes_the_rest_of_the_path(plane: Plane) -> None:
    event = event_of(plane.get(plane.stage_url(plane.blue_api, "/prod/a/b/c"), method="DELETE"))

    assert event["resource"] == "/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b/c"}
    assert event["httpMethod"] == "DELETE"


def test_query_strings_single_and_multi_value(plane: Plane) -> None:
    event = event_of(plane.get(plane.stage_url(plane.blue_api, "/prod/pets?a=1&a=2&b=x%20y&empty=")))

    assert event["queryStringParameters"] == {"a": "2", "b": "x y", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x y"], "empty": [""]}


def test_no_query_string_gives_nulls(plane: Plane) -> None:
    event = event_of(plane.get(plane.stage_url(plane.blue_api, "/prod/pets")))

    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["body"] is None
    assert event["isBase64Encoded"] is False


def test_headers_and_request_context(plane: Plane) -> None:
    reply = plane.get(
        plane.stage_url(plane.blue_api, "/prod/pets"), headers={"X-Custom": "v1", "User-Agent": "t/1"}
    )
    event = event_of(reply)

    assert event["headers"]["X-Custom"] == "v1"
    assert event["multiValueHeaders"]["X-Custom"] == ["v1"]
    assert event["headers"]["X-Forwarded-Proto"] == "https"
    assert event["headers"]["Host"] == f"{plane.blue_api}.execute-api.{REGION}.amazonaws.com"
    context = event["requestContext"]
    assert context["requestId"] == reply.header("x-amzn-RequestId")
    assert context["extendedRequestId"] == reply.header("x-amz-apigw-id")
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "t/1"
    assert context["domainName"] == f"{plane.blue_api}.execute-api.{REGION}.amazonaws.com"
    assert context["accountId"] == "123456789012"
    assert context["protocol"] == "HTTP/1.1"
    assert context["resourcePath"] == "/pets"
    assert context["httpMethod"] == "GET"
    assert abs(context["requestTimeEpoch"] / 1000 - time.time()) < 30


def test_text_body_is_passed_as_is(plane: Plane) -> None:
    body = json.dumps({"name": "Rex"}).encode()
    event = event_of(
        plane.get(
            plane.stage_url(plane.blue_api, "/prod/x"),
            method="POST",
            body=body,
            headers={"Content-Type": "application/json"},
        )
    )

    assert event["body"] == '{"name": "Rex"}'
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize("payload", [b"plain text but a binary media type", bytes(range(256))])
def test_binary_media_type_body_is_base64_encoded(plane: Plane, payload: bytes) -> None:
    event = event_of(
        plane.get(
            plane.stage_url(plane.blue_api, "/prod/upload"),
            method="PUT",
            body=payload,
            headers={"Content-Type": "application/octet-stream"},
        )
    )

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_powertools_resolves_the_event(plane: Plane) -> None:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    event = event_of(plane.get(plane.stage_url(plane.blue_api, "/prod/pets/7?verbose=1")))
    app = APIGatewayRestResolver()

    @app.get("/pets/<pet_id>")
    def get_pet(pet_id: str) -> dict[str, Any]:
        return {
            "id": pet_id,
            "verbose": app.current_event.get_query_string_value("verbose"),
            "requestId": app.current_event.request_context.request_id,
        }

    result = app.resolve(event, None)  # type: ignore[arg-type]

    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {
        "id": "7",
        "verbose": "1",
        "requestId": event["requestContext"]["requestId"],
    }


@pytest.mark.parametrize(
    "url",
    [
        "https://nosuchapi.execute-api.us-east-1.amazonaws.com/prod/pets",
        "https://{blue}.execute-api.us-east-1.amazonaws.com/nostage/pets",
        "https://{blue}.execute-api.us-east-1.amazonaws.com/",
        "https://unknown.example.com/pets",
    ],
)
def test_unknown_api_stage_or_host_is_missing_authentication_token(plane: Plane, url: str) -> None:
    reply = plane.get(url.format(blue=plane.blue_api))

    assert reply.status == 403
    assert json.loads(reply.body) == {"message": "Missing Authentication Token"}
    assert reply.header("x-amzn-RequestId")


def test_method_missing_on_the_matched_resource_is_403(plane: Plane) -> None:
    reply = plane.get(plane.stage_url(plane.blue_api, "/prod/pets"), method="POST", body=b"{}")

    assert reply.status == 403
    assert json.loads(reply.body) == {"message": "Missing Authentication Token"}


@pytest.mark.parametrize("mode", ["raise", "malformed"])
def test_handler_error_or_malformed_response_is_502(plane: Plane, mode: str) -> None:
    reply = plane.get(plane.stage_url(plane.blue_api, f"/prod/x?mode={mode}"))

    assert reply.status == 502
    assert json.loads(reply.body) == {"message": "Internal server error"}


def test_integration_timeout_is_504(plane: Plane) -> None:
    started = time.monotonic()
    reply = plane.get(plane.stage_url(plane.blue_api, "/prod/slow?mode=sleep&seconds=3"))
    elapsed = time.monotonic() - started

    assert reply.status == 504
    assert json.loads(reply.body) == {"message": "Endpoint request timed out"}
    assert 0.9 < elapsed < 2.5


def test_response_headers_merge_multi_value_headers(plane: Plane) -> None:
    reply = plane.get(plane.stage_url(plane.blue_api, "/prod/x?mode=multi"))

    assert reply.status == 201
    assert reply.header_values("Set-Cookie") == ["a=1", "b=2"]
    assert reply.header_values("X-Single") == ["two"]  # multiValueHeaders win for a key in both maps
    assert reply.body == b""


def test_binary_response_is_decoded_when_the_client_accepts_it(plane: Plane) -> None:
    binary = plane.get(
        plane.stage_url(plane.blue_api, "/prod/x?mode=binary"), headers={"Accept": "image/png"}
    )
    text = plane.get(
        plane.stage_url(plane.blue_api, "/prod/x?mode=binary"), headers={"Accept": "application/json"}
    )

    assert binary.status == 200
    assert binary.body == bytes(range(256))
    assert binary.header("Content-Type") == "image/png"
    assert base64.b64decode(text.body) == bytes(range(256))


def test_custom_domain_routes_through_the_live_mapping(plane: Plane) -> None:
    event = event_of(plane.get(f"https://{DOMAIN}/pets/9"))

    assert event["requestContext"]["apiId"] == plane.blue_api
    assert event["path"] == "/pets/9"
    assert event["requestContext"]["path"] == "/pets/9"
    assert event["requestContext"]["domainName"] == DOMAIN
    assert event["requestContext"]["domainPrefix"] == "api"
    assert event["pathParameters"] == {"petId": "9"}


def test_switching_the_mapping_moves_the_next_request(plane: Plane) -> None:
    plane.apigw.update_base_path_mapping(
        domainName=DOMAIN,
        basePath="(none)",
        patchOperations=[
            {"op": "replace", "path": "/restapiId", "value": plane.green_api},
            {"op": "replace", "path": "/stage", "value": "prod"},
        ],
    )
    try:
        event = event_of(plane.get(f"https://{DOMAIN}/pets"))
        assert event["requestContext"]["apiId"] == plane.green_api
        assert event["stageVariables"] == {"color": "green"}
    finally:
        plane.apigw.update_base_path_mapping(
            domainName=DOMAIN,
            basePath="(none)",
            patchOperations=[{"op": "replace", "path": "/restapiId", "value": plane.blue_api}],
        )


def test_certificate_is_valid_for_custom_domain_and_stage_hosts(plane: Plane) -> None:
    host, port = plane.address.rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(plane.ca))
    names = []
    for server_name in (DOMAIN, f"{plane.blue_api}.execute-api.{REGION}.amazonaws.com"):
        with (
            socket.create_connection((host, int(port))) as raw,
            context.wrap_socket(raw, server_hostname=server_name) as tls,
        ):
            names.append(tls.getpeercert()["subjectAltName"])

    assert names == [(("DNS", DOMAIN),), (("DNS", f"*.execute-api.{REGION}.amazonaws.com"),)]


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion:DeprecationWarning")  # old versions on purpose
def test_tls_below_1_2_is_refused(plane: Plane) -> None:
    host, port = plane.address.rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(plane.ca))
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    with socket.create_connection((host, int(port))) as raw, pytest.raises(ssl.SSLError):
        context.wrap_socket(raw, server_hostname=DOMAIN)


def test_disabled_execute_api_endpoint_answers_forbidden(plane: Plane) -> None:
    api_id = plane.apigw.create_rest_api(name="no-default-endpoint")["id"]
    root = plane.apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    plane.apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    plane.apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    plane.apigw.create_deployment(restApiId=api_id, stageName="prod")
    plane.apigw.update_rest_api(
        restApiId=api_id,
        patchOperations=[{"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "True"}],
    )

    reply = plane.get(plane.stage_url(api_id, "/prod/"))

    assert reply.status == 403
    assert json.loads(reply.body) == {"message": "Forbidden"}


def test_a_chunked_request_body_reaches_the_function_whole(plane: Plane) -> None:
    body = (chunk for chunk in [b'{"name": ', b'"Rex"}'])  # http.client sends an iterable body chunked

    event = event_of(
        plane.get(
            plane.stage_url(plane.blue_api, "/prod/x"),
            method="POST",
            body=body,
            headers={"Content-Type": "application/json"},
        )
    )

    assert event["body"] == '{"name": "Rex"}'
