"""Direct API Gateway calls on custom domains: AWS's conflict errors, atomic swaps, guarded API deletion."""

import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from templates import REGION, issued_certificate

from localcloud.extensions import install
from localcloud.extensions.apigateway_lookup import live_target

DOMAIN = "api.example.com"


def _api_with_stage(apigw: Any, name: str, stage: str) -> str:
    api_id = str(apigw.create_rest_api(name=name)["id"])
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api_id, stageName=stage)
    return api_id


@pytest.fixture
def apigw() -> Iterator[Any]:
    install()
    with mock_aws():
        client = boto3.client("apigateway", region_name=REGION)
        client.create_domain_name(
            domainName=DOMAIN,
            regionalCertificateArn=issued_certificate("*.example.com"),
            endpointConfiguration={"types": ["REGIONAL"]},
        )
        yield client


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_a_second_mapping_next_to_an_empty_base_path_is_a_conflict(apigw: Any) -> None:
    blue, green = _api_with_stage(apigw, "blue", "live"), _api_with_stage(apigw, "green", "live")
    apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=blue, stage="live")

    for base_path in ("", "v2"):
        with pytest.raises(ClientError) as raised:
            apigw.create_base_path_mapping(
                domainName=DOMAIN, restApiId=green, stage="live", basePath=base_path
            )
        assert _error(raised) == (
            "ConflictException",
            "Only one base path mapping is allowed if the base path is empty.",
        )
    assert live_target(DOMAIN) == (blue, "live")


def test_the_same_base_path_twice_is_a_conflict(apigw: Any) -> None:
    blue = _api_with_stage(apigw, "blue", "live")
    apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=blue, stage="live", basePath="v1")

    with pytest.raises(ClientError) as raised:
        apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=blue, stage="live", basePath="v1")

    assert _error(raised) == ("ConflictException", "Base path already exists for this domain name")


def test_update_base_path_mapping_swaps_api_and_stage(apigw: Any) -> None:
    blue, green = _api_with_stage(apigw, "blue", "live"), _api_with_stage(apigw, "green", "next")
    apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=blue, stage="live")

    apigw.update_base_path_mapping(
        domainName=DOMAIN,
        basePath="(none)",
        patchOperations=[
            {"op": "replace", "path": "/restapiId", "value": green},
            {"op": "replace", "path": "/stage", "value": "next"},
        ],
    )

    mapping = apigw.get_base_path_mapping(domainName=DOMAIN, basePath="(none)")
    assert (mapping["restApiId"], mapping["stage"]) == (green, "next")
    assert live_target(DOMAIN) == (green, "next")


def test_a_reader_never_sees_the_new_api_with_the_old_stage(apigw: Any) -> None:
    blue, green = _api_with_stage(apigw, "blue", "live"), _api_with_stage(apigw, "green", "next")
    apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=blue, stage="live")
    from moto.apigateway.models import apigateway_backends

    backend = apigateway_backends["123456789012"][REGION]
    allowed = {(blue, "live"), (green, "next")}
    seen: set[tuple[str, str] | None] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.add(live_target(DOMAIN))

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible to expose torn reads
    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 30
    try:
        # At least 5000 flips, and on until the reader has seen both targets (a loaded machine may
        # not schedule it during the first ones)
        i = 0
        while (i < 5000 or len(seen) < 2) and time.monotonic() < deadline:
            i += 1
            api, stage = (green, "next") if i % 2 == 0 else (blue, "live")
            backend.update_base_path_mapping(
                DOMAIN,
                "(none)",
                [
                    {"op": "replace", "path": "/restapiId", "value": api},
                    {"op": "replace", "path": "/stage", "value": stage},
                ],
            )
    finally:
        done.set()
        reader.join()
        sys.setswitchinterval(previous)

    assert seen <= allowed and len(seen) == 2


def test_delete_rest_api_is_refused_while_mapped(apigw: Any) -> None:
    blue = _api_with_stage(apigw, "blue", "live")
    apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=blue, stage="live")

    with pytest.raises(ClientError) as raised:
        apigw.delete_rest_api(restApiId=blue)

    assert _error(raised) == (
        "BadRequestException",
        f"Deleting RestApi {blue} failed. Please remove all base "
        "path mappings related to the RestApi in your domains.",
    )
    apigw.delete_base_path_mapping(domainName=DOMAIN, basePath="(none)")
    apigw.delete_rest_api(restApiId=blue)
    assert apigw.get_rest_apis()["items"] == []


def test_live_target_is_none_for_an_unknown_domain(apigw: Any) -> None:
    assert live_target("nobody.example.com") is None


def test_create_domain_name_api_keeps_the_access_mode_and_the_regional_zone(apigw: Any) -> None:
    created = apigw.create_domain_name(
        domainName="tls13.example.com",
        regionalCertificateArn=issued_certificate("*.example.com"),
        endpointConfiguration={"types": ["REGIONAL"]},
        securityPolicy="SecurityPolicy_TLS13_1_3_2025_09",
        endpointAccessMode="STRICT",
    )

    assert created["regionalHostedZoneId"] == "ZLY8HYME6SFDD"
    assert apigw.get_domain_name(domainName="tls13.example.com")["endpointAccessMode"] == "STRICT"


def test_create_domain_name_api_refuses_an_enhanced_policy_without_access_mode_and_duplicates(
    apigw: Any,
) -> None:
    with pytest.raises(ClientError) as missing_mode:
        apigw.create_domain_name(
            domainName="x.example.com",
            securityPolicy="SecurityPolicy_TLS13_1_3_2025_09",
            regionalCertificateArn=issued_certificate("*.example.com"),
        )
    with pytest.raises(ClientError) as duplicate:
        apigw.create_domain_name(
            domainName=DOMAIN, regionalCertificateArn=issued_certificate("*.example.com")
        )

    assert _error(missing_mode)[0] == "BadRequestException"
    assert _error(duplicate) == ("ConflictException", "The domain name you provided already exists.")


def test_domain_names_show_tags_as_a_map_and_a_regional_name_has_no_distribution(apigw: Any) -> None:
    apigw.create_domain_name(
        domainName="tagged.example.com",
        regionalCertificateArn=issued_certificate("*.example.com"),
        endpointConfiguration={"types": ["REGIONAL"]},
        tags={"team": "pets"},
    )

    found = apigw.get_domain_name(domainName="tagged.example.com")
    listed = {d["domainName"]: d for d in apigw.get_domain_names()["items"]}

    assert found["tags"] == {"team": "pets"} == listed["tagged.example.com"]["tags"]
    assert "distributionDomainName" not in found and "distributionHostedZoneId" not in found
    assert found["regionalDomainName"].endswith(f".execute-api.{REGION}.amazonaws.com")


def _refusal(apigw: Any, domain: str, arn: str, endpoint: str = "REGIONAL") -> str:
    key = "regionalCertificateArn" if endpoint == "REGIONAL" else "certificateArn"
    with pytest.raises(ClientError) as raised:
        apigw.create_domain_name(domainName=domain, endpointConfiguration={"types": [endpoint]}, **{key: arn})
    code, message = _error(raised)
    assert code == "BadRequestException"
    assert domain not in [d["domainName"] for d in apigw.get_domain_names()["items"]]
    return message


def test_a_certificate_that_does_not_exist_is_refused(apigw: Any) -> None:
    missing = f"arn:aws:acm:{REGION}:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    assert _refusal(apigw, "new.example.com", missing) == "The provided certificate does not exist"


def test_a_certificate_still_pending_validation_is_refused(
    apigw: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from localcloud.extensions._moto import settings

    monkeypatch.setattr(settings, "ACM_VALIDATION_WAIT", 3600)
    acm = boto3.client("acm", region_name=REGION)
    pending = acm.request_certificate(DomainName="pending.example.com", ValidationMethod="DNS")[
        "CertificateArn"
    ]

    assert "is in status PENDING_VALIDATION" in _refusal(apigw, "pending.example.com", pending)


@pytest.mark.parametrize(
    ("certificate_name", "domain", "covered"),
    [
        ("*.example.com", "pets.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.b.example.com", False),
        ("api.example.com", "API.example.com", True),
        ("api.example.com", "www.example.com", False),
    ],
)
def test_a_certificate_must_cover_the_name_with_acm_wildcard_rules(
    apigw: Any, certificate_name: str, domain: str, covered: bool
) -> None:
    arn = issued_certificate(certificate_name)
    if covered:
        apigw.create_domain_name(
            domainName=domain, regionalCertificateArn=arn, endpointConfiguration={"types": ["REGIONAL"]}
        )
        return
    assert _refusal(apigw, domain, arn).startswith(
        f"The certificate {arn} does not cover the domain name {domain}"
    )


def test_a_certificate_of_the_wrong_region_is_refused(apigw: Any) -> None:
    other = issued_certificate("api2.example.com", region="us-east-1")
    regional = issued_certificate("api2.example.com")

    assert _refusal(apigw, "api2.example.com", other) == (
        f"Invalid certificate ARN: {other}. Certificate must be in '{REGION}'."
    )
    # An edge-optimized name takes a us-east-1 certificate, whatever the API's region.
    assert _refusal(apigw, "api2.example.com", regional, endpoint="EDGE") == (
        f"Invalid certificate ARN: {regional}. Certificate must be in 'us-east-1'."
    )
