"""The boto3 wrapper: retries with injected sleep, paginated reads, lookups (moto and Stubber)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.stub import Stubber
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bluegreen.aws import RETRY_CONFIG, Aws


class _Raw:
    """The raw body botocore reads from an HTTP response."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: object) -> bytes:
        return self._body


IDENTITY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
    b"<Arn>arn:aws:iam::1:user/alice</Arn><UserId>A</UserId><Account>1</Account>"
    b"</GetCallerIdentityResult></GetCallerIdentityResponse>"
)


def _wire(aws: Aws, answers: list[tuple[int, bytes] | Exception]) -> list[str]:
    """Answers STS requests on the wire (below botocore's retry loop) from `answers`, in order."""
    sent: list[str] = []

    def answer(request: AWSPreparedRequest, **_: object) -> AWSResponse:
        sent.append(request.url)
        item = answers.pop(0)
        if isinstance(item, Exception):
            raise item
        status, body = item
        return AWSResponse(request.url, status, {"Content-Type": "text/xml"}, _Raw(body))

    aws.sts.meta.events.register("before-send.sts.GetCallerIdentity", answer)
    return sent


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore sleeps between retries with time.sleep: record the delays instead of waiting."""
    delays: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", delays.append)
    return delays


def test_transient_5xx_and_connection_errors_are_retried_by_botocore_standard_mode(
    no_backoff: list[float],
) -> None:
    # GIVEN STS answers 503, then resets the connection, then throttles, then answers
    aws = Aws(boto3.Session(region_name="us-east-1"))
    error = b"<ErrorResponse><Error><Code>%s</Code><Message>m</Message></Error></ErrorResponse>"
    sent = _wire(
        aws,
        [
            (503, error % b"ServiceUnavailable"),
            EndpointConnectionError(endpoint_url="https://sts.amazonaws.com"),
            (400, error % b"Throttling"),
            (200, IDENTITY),
        ],
    )
    # WHEN / THEN the call succeeds after three backed-off retries
    assert aws.caller_arn() == "arn:aws:iam::1:user/alice"
    assert len(sent) == 4 and len(no_backoff) == 3


def test_errors_that_are_not_transient_are_raised_at_once(no_backoff: list[float]) -> None:
    aws = Aws(boto3.Session(region_name="us-east-1"))
    sent = _wire(aws, [(403, b"<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>")])
    with pytest.raises(ClientError, match="AccessDenied"):
        aws.caller_arn()
    assert len(sent) == 1 and no_backoff == []


def test_retries_stop_after_the_configured_attempts(no_backoff: list[float]) -> None:
    aws = Aws(boto3.Session(region_name="us-east-1"))
    busy = (503, b"<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error></ErrorResponse>")
    sent = _wire(aws, [busy] * 10)
    with pytest.raises(ClientError, match="ServiceUnavailable"):
        aws.caller_arn()
    assert len(sent) == RETRY_CONFIG.retries["total_max_attempts"]  # type: ignore[index]


def test_paginated_reads_follow_tokens() -> None:
    aws = Aws(boto3.Session(region_name="us-east-1"))
    with Stubber(aws.apigateway) as stub:
        stub.add_response(
            "get_base_path_mappings",
            {"items": [{"basePath": "v1", "restApiId": "a", "stage": "s"}], "position": "p2"},
            {"domainName": "d"},
        )
        stub.add_response(
            "get_base_path_mappings",
            {"items": [{"basePath": "(none)", "restApiId": "b", "stage": "s"}]},
            {"domainName": "d", "position": "p2"},
        )
        mappings = aws.base_path_mappings("d")
        stub.assert_no_pending_responses()
    assert [m.rest_api_id for m in mappings] == ["a", "b"]


def test_missing_stack_is_none_and_outputs_parameters_are_read(aws: Aws) -> None:
    assert aws.describe_stack("nope") is None
    template = {
        "Parameters": {"ActiveApiId": {"Type": "String"}},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"ActiveApiId": {"Value": {"Ref": "ActiveApiId"}}},
    }
    aws.cloudformation.create_stack(
        StackName="s",
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "ActiveApiId", "ParameterValue": "abc"}],
    )
    stack = aws.describe_stack("s")
    assert stack is not None and stack.status == "CREATE_COMPLETE"
    assert stack.outputs == {"ActiveApiId": "abc"} and stack.parameters == {"ActiveApiId": "abc"}


def test_alarm_states_report_alarm_and_missing(aws: Aws) -> None:
    aws.cloudwatch.put_metric_alarm(
        AlarmName="green-5xx",
        MetricName="5XXError",
        Namespace="AWS/ApiGateway",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    aws.cloudwatch.set_alarm_state(AlarmName="green-5xx", StateValue="ALARM", StateReason="test")
    assert aws.alarm_states(["green-5xx", "green-gone"]) == {"green-5xx": "ALARM", "green-gone": "MISSING"}


def test_public_hosted_zone_is_the_parent_and_never_private(aws: Aws) -> None:
    aws.route53.create_hosted_zone(
        Name="example.com",
        CallerReference="private",
        VPC={"VPCRegion": "us-east-1", "VPCId": "vpc-1"},
        HostedZoneConfig={"Comment": "", "PrivateZone": True},
    )
    assert aws.public_hosted_zone_for("api.example.com") is None
    zone = aws.route53.create_hosted_zone(Name="example.com", CallerReference="public")["HostedZone"]["Id"]
    assert aws.public_hosted_zone_for("api.example.com") == zone.rsplit("/", 1)[-1]
    assert aws.public_hosted_zone_for("api.other.org") is None


def _self_signed(*names: str) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


def test_issued_certificate_prefers_exact_name_over_wildcard(aws: Aws) -> None:
    cert, key = _self_signed("*.example.com")
    wildcard = aws.acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
    aws.acm.request_certificate(DomainName="api.example.com")  # PENDING_VALIDATION: must be ignored
    assert aws.issued_certificate_for("api.example.com") == wildcard
    cert, key = _self_signed("api.example.com")
    exact = aws.acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
    assert aws.issued_certificate_for("api.example.com") == exact
    assert aws.issued_certificate_for("api.other.org") is None


def test_base_path_mappings_are_read_from_api_gateway(aws: Aws) -> None:
    api = aws.apigateway.create_rest_api(name="blue")["id"]
    root = aws.apigateway.get_resources(restApiId=api)["items"][0]["id"]
    aws.apigateway.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    aws.apigateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    aws.apigateway.create_deployment(restApiId=api, stageName="Prod")
    aws.apigateway.create_domain_name(
        domainName="api.example.com",
        regionalCertificateArn="arn:cert",
        endpointConfiguration={"types": ["REGIONAL"]},
    )
    aws.apigateway.create_base_path_mapping(domainName="api.example.com", restApiId=api, stage="Prod")
    [mapping] = aws.base_path_mappings("api.example.com")
    assert (mapping.base_path, mapping.rest_api_id, mapping.stage) == ("(none)", api, "Prod")


def test_dynamodb_numbers_round_trip_as_plain_numbers(aws: Aws, table: str) -> None:
    assert aws.put_item_if(
        table, {"pk": "P", "sk": "1", "n": 3, "f": 1.25, "d": {"x": 0.5}}, "attribute_not_exists(sk)"
    )
    assert not aws.put_item_if(table, {"pk": "P", "sk": "1"}, "attribute_not_exists(sk)")
    assert aws.get_item(table, {"pk": "P", "sk": "1"}) == {
        "pk": "P",
        "sk": "1",
        "n": 3,
        "f": 1.25,
        "d": {"x": 0.5},
    }


def test_items_are_written_and_read_as_boto3_would_write_and_read_them() -> None:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    from bluegreen.aws.items import from_ddb, to_ddb

    # GIVEN a history record's kinds of values: text, numbers, flags, nothing, nested maps and lists
    record = {
        "pk": "history",
        "count": 3,
        "seconds": 0.125,
        "ok": True,
        "missing": None,
        "durations": {"lock": 0.05, "change": 1.5},
        "steps": [{"name": "health", "status": 200}, "note"],
    }
    # WHEN written: the same typed JSON as boto3's serializer (floats through Decimal(str))
    written = to_ddb(record)
    expected = {key: TypeSerializer().serialize(value) for key, value in to_ddb_input(record).items()}
    assert written == expected
    # THEN read back (by us or by boto3), the values are the ones written
    assert from_ddb(written) == record
    assert TypeDeserializer().deserialize(written["durations"]) == {
        "lock": Decimal("0.05"),
        "change": Decimal("1.5"),
    }


def to_ddb_input(record: dict[str, Any]) -> dict[str, Any]:
    """The record as boto3's serializer accepts it: floats as Decimal(str(float))."""

    def convert(value: Any) -> Any:
        if isinstance(value, float):
            return Decimal(str(value))
        if isinstance(value, dict):
            return {key: convert(item) for key, item in value.items()}
        if isinstance(value, list):
            return [convert(item) for item in value]
        return value

    return {key: convert(value) for key, value in record.items()}


class SlowSession:
    """A session whose client creation takes a while and notes when two creations overlap."""

    def __init__(self) -> None:
        self.created: list[str] = []
        self.overlapped = False
        self._creating = 0

    def client(self, service_name: str, *, config: Any) -> Any:
        self._creating += 1
        self.overlapped |= self._creating > 1
        time.sleep(0.05)
        self.created.append(service_name)
        self._creating -= 1
        return object()


def test_clients_made_from_several_threads_are_made_one_at_a_time_and_once_each() -> None:
    # GIVEN a switch's threads asking for clients at the same moment (a session is not thread-safe)
    session = SlowSession()
    aws = Aws(session)  # type: ignore[arg-type]
    names = ["cloudwatch", "cloudformation", "cloudwatch", "dynamodb"]
    threads = [threading.Thread(target=aws._client, args=(name,)) for name in names]
    # WHEN they all start together
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN no two creations overlapped, and each service got exactly one client
    assert not session.overlapped
    assert sorted(session.created) == ["cloudformation", "cloudwatch", "dynamodb"]
