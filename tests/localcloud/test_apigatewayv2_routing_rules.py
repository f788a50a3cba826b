"""Routing rules on a REST custom domain through the apigatewayv2 API and CloudFormation, AWS errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from templates import issued_certificate

from localcloud.extensions import install
from localcloud.extensions.apigateway_lookup import custom_domain_target

REGION = "us-east-1"
DOMAIN = "api.example.com"
PREVIEW = {"Header": "X-Bluegreen-Preview", "ValueGlob": "green"}


@pytest.fixture
def cloud() -> Iterator[dict[str, Any]]:
    install()
    with mock_aws():
        apigw = boto3.client("apigateway", region_name=REGION)
        apis = {}
        for color in ("blue", "green"):
            api = apigw.create_rest_api(name=color)["id"]
            root = apigw.get_resources(restApiId=api)["items"][0]["id"]
            apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
            apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
            apigw.create_deployment(restApiId=api, stageName="live")
            apis[color] = api
        yield {
            "apigw": apigw,
            "v2": boto3.client("apigatewayv2", region_name=REGION),
            "cf": boto3.client("cloudformation", region_name=REGION),
            **apis,
        }


def make_domain(cloud: dict[str, Any], mode: str = "ROUTING_RULE_THEN_BASE_PATH_MAPPING") -> None:
    cloud["apigw"].create_domain_name(
        domainName=DOMAIN,
        regionalCertificateArn=issued_certificate(DOMAIN, REGION),
        endpointConfiguration={"types": ["REGIONAL"]},
        routingMode=mode,
    )
    cloud["apigw"].create_base_path_mapping(domainName=DOMAIN, restApiId=cloud["blue"], stage="live")


def preview_rule(cloud: dict[str, Any], priority: int = 100, **extra: Any) -> dict[str, Any]:
    rule: dict[str, Any] = cloud["v2"].create_routing_rule(
        DomainName=DOMAIN,
        Priority=priority,
        Conditions=extra.get("Conditions", [{"MatchHeaders": {"AnyOf": [PREVIEW]}}]),
        Actions=[{"InvokeApi": {"ApiId": cloud["green"], "Stage": "live"}}],
    )
    return rule


def error_of(call: Any, **kwargs: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def _regional() -> dict[str, Any]:
    """A REGIONAL endpoint with an ISSUED certificate covering the domain."""
    return {
        "regionalCertificateArn": issued_certificate(DOMAIN, REGION),
        "endpointConfiguration": {"types": ["REGIONAL"]},
    }


def test_routing_mode_is_set_on_create_reported_and_updated_in_place(cloud: dict[str, Any]) -> None:
    apigw = cloud["apigw"]
    regional = _regional()
    apigw.create_domain_name(domainName=DOMAIN, **regional)
    assert apigw.get_domain_name(domainName=DOMAIN)["routingMode"] == "BASE_PATH_MAPPING_ONLY"

    updated = apigw.update_domain_name(
        domainName=DOMAIN,
        patchOperations=[{"op": "replace", "path": "/routingMode", "value": "ROUTING_RULE_ONLY"}],
    )

    assert updated["routingMode"] == "ROUTING_RULE_ONLY"
    assert apigw.get_domain_name(domainName=DOMAIN)["routingMode"] == "ROUTING_RULE_ONLY"


def test_unknown_routing_mode_and_unsupported_patches_are_refused(cloud: dict[str, Any]) -> None:
    apigw = cloud["apigw"]
    regional = _regional()
    status, code, message = error_of(
        apigw.create_domain_name, domainName=DOMAIN, routingMode="RULES_PLEASE", **regional
    )
    assert (status, code) == (400, "BadRequestException")
    assert "RULES_PLEASE" in message
    apigw.create_domain_name(domainName=DOMAIN, **regional)
    status, code, _ = error_of(
        apigw.update_domain_name,
        domainName=DOMAIN,
        patchOperations=[
            {"op": "replace", "path": "/certificateArn", "value": regional["regionalCertificateArn"]}
        ],
    )
    assert (status, code) == (400, "BadRequestException")  # refused, never a silent no-op


def test_create_get_list_put_delete_a_rule(cloud: dict[str, Any]) -> None:
    make_domain(cloud)
    v2 = cloud["v2"]
    created = preview_rule(cloud)
    rule_id = created["RoutingRuleId"]
    assert created["RoutingRuleArn"].endswith(f":/domainnames/{DOMAIN}/routingrules/{rule_id}")
    assert created["Conditions"] == [{"MatchHeaders": {"AnyOf": [PREVIEW]}}]
    assert created["Actions"] == [
        {"InvokeApi": {"ApiId": cloud["green"], "Stage": "live", "StripBasePath": False}}
    ]

    fetched = v2.get_routing_rule(DomainName=DOMAIN, RoutingRuleId=rule_id)
    assert fetched["Priority"] == 100
    v2.put_routing_rule(
        DomainName=DOMAIN,
        RoutingRuleId=rule_id,
        Priority=7,
        Conditions=[{"MatchHeaders": {"AnyOf": [{"Header": "X-Bluegreen-Preview", "ValueGlob": "blue"}]}}],
        Actions=[{"InvokeApi": {"ApiId": cloud["blue"], "Stage": "live"}}],
    )
    listed = v2.list_routing_rules(DomainName=DOMAIN)["RoutingRules"]
    assert [(r["RoutingRuleId"], r["Priority"]) for r in listed] == [(rule_id, 7)]
    assert listed[0]["Actions"][0]["InvokeApi"]["ApiId"] == cloud["blue"]

    v2.delete_routing_rule(DomainName=DOMAIN, RoutingRuleId=rule_id)
    assert v2.list_routing_rules(DomainName=DOMAIN)["RoutingRules"] == []
    status, code, _ = error_of(v2.get_routing_rule, DomainName=DOMAIN, RoutingRuleId=rule_id)
    assert (status, code) == (404, "NotFoundException")


def test_rules_list_in_priority_order_and_a_priority_is_unique(cloud: dict[str, Any]) -> None:
    make_domain(cloud)
    late = preview_rule(cloud, 500)
    early = preview_rule(cloud, 5)

    listed = cloud["v2"].list_routing_rules(DomainName=DOMAIN)["RoutingRules"]
    assert [r["RoutingRuleId"] for r in listed] == [early["RoutingRuleId"], late["RoutingRuleId"]]
    status, code, _ = error_of(preview_rule, cloud=cloud, priority=5)
    assert (status, code) == (409, "ConflictException")


BAD_CONDITIONS = {
    "three header conditions": [{"MatchHeaders": {"AnyOf": [PREVIEW]}}] * 3,
    "two base paths": [{"MatchBasePaths": {"AnyOf": ["a"]}}, {"MatchBasePaths": {"AnyOf": ["b"]}}],
    "two values in one anyOf": [{"MatchHeaders": {"AnyOf": [PREVIEW, PREVIEW]}}],
    "wildcard in the middle": [{"MatchHeaders": {"AnyOf": [{"Header": "x-v", "ValueGlob": "gr*en"}]}}],
    "restricted header": [{"MatchHeaders": {"AnyOf": [{"Header": "Authorization", "ValueGlob": "*"}]}}],
    "base path with a leading slash": [{"MatchBasePaths": {"AnyOf": ["/orders"]}}],
}


@pytest.mark.parametrize("conditions", BAD_CONDITIONS.values(), ids=BAD_CONDITIONS.keys())
def test_invalid_conditions_are_400_and_create_nothing(cloud: dict[str, Any], conditions: Any) -> None:
    make_domain(cloud)
    status, code, _ = error_of(preview_rule, cloud=cloud, Conditions=conditions)
    assert (status, code) == (400, "BadRequestException")
    assert cloud["v2"].list_routing_rules(DomainName=DOMAIN)["RoutingRules"] == []


def test_priority_above_the_maximum_is_400(cloud: dict[str, Any]) -> None:
    make_domain(cloud)
    status, code, message = error_of(preview_rule, cloud=cloud, priority=1_000_001)
    assert (status, code) == (400, "BadRequestException")
    assert "1000000" in message


def test_unknown_domain_api_or_stage_is_refused(cloud: dict[str, Any]) -> None:
    v2 = cloud["v2"]
    status, code, _ = error_of(v2.list_routing_rules, DomainName="nobody.example.com")
    assert (status, code) == (404, "NotFoundException")
    make_domain(cloud)
    for api_id, stage, expected in (("nosuchapi1", "live", 404), (cloud["green"], "nostage", 400)):
        status, _, _ = error_of(
            v2.create_routing_rule,
            DomainName=DOMAIN,
            Priority=1,
            Conditions=[],
            Actions=[{"InvokeApi": {"ApiId": api_id, "Stage": stage}}],
        )
        assert status == expected


def test_a_mapping_only_domain_takes_no_rule(cloud: dict[str, Any]) -> None:
    make_domain(cloud, mode="BASE_PATH_MAPPING_ONLY")
    status, code, message = error_of(preview_rule, cloud=cloud)
    assert (status, code) == (400, "BadRequestException")
    assert "BASE_PATH_MAPPING_ONLY" in message


def test_data_plane_target_follows_the_rule_only_with_the_header(cloud: dict[str, Any]) -> None:
    make_domain(cloud)
    preview_rule(cloud)

    with_header = custom_domain_target(DOMAIN, [("x-bluegreen-preview", "green")], "/health")
    without = custom_domain_target(DOMAIN, [], "/health")

    assert with_header is not None and with_header.rest_api_id == cloud["green"]
    assert without is not None and without.rest_api_id == cloud["blue"]


STACK = {
    "Parameters": {
        "Color": {"Type": "String"},
        "ApiId": {"Type": "String"},
        "Priority": {"Type": "Number"},
        "CertificateArn": {"Type": "String"},
    },
    "Resources": {
        "Domain": {
            "Type": "AWS::ApiGateway::DomainName",
            "Properties": {
                "DomainName": DOMAIN,
                "RegionalCertificateArn": {"Ref": "CertificateArn"},
                "EndpointConfiguration": {"Types": ["REGIONAL"]},
                "RoutingMode": "ROUTING_RULE_THEN_BASE_PATH_MAPPING",
            },
        },
        "Preview": {
            "Type": "AWS::ApiGatewayV2::RoutingRule",
            "Properties": {
                "DomainNameArn": {"Fn::GetAtt": ["Domain", "DomainNameArn"]},
                "Priority": {"Ref": "Priority"},
                "Conditions": [
                    {
                        "MatchHeaders": {
                            "AnyOf": [{"Header": "X-Bluegreen-Preview", "ValueGlob": {"Ref": "Color"}}]
                        }
                    }
                ],
                "Actions": [{"InvokeApi": {"ApiId": {"Ref": "ApiId"}, "Stage": "live"}}],
            },
        },
    },
    "Outputs": {
        "Ref": {"Value": {"Ref": "Preview"}},
        "Id": {"Value": {"Fn::GetAtt": ["Preview", "RoutingRuleId"]}},
        "Arn": {"Value": {"Fn::GetAtt": ["Preview", "RoutingRuleArn"]}},
    },
}


def _outputs(cf: Any) -> dict[str, str]:
    stack = cf.describe_stacks(StackName="preview")["Stacks"][0]
    assert stack["StackStatus"] in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}, stack["StackStatus"]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _params(**values: str) -> list[dict[str, str]]:
    values = {"CertificateArn": issued_certificate(DOMAIN, REGION), **values}
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


def test_cloudformation_rule_updates_in_place_and_goes_with_the_stack(cloud: dict[str, Any]) -> None:
    cf, v2 = cloud["cf"], cloud["v2"]
    cf.create_stack(
        StackName="preview",
        TemplateBody=json.dumps(STACK),
        Parameters=_params(Color="green", ApiId=cloud["green"], Priority="100"),
    )
    first = _outputs(cf)
    assert first["Ref"] == first["Arn"] and first["Arn"].endswith(f"/routingrules/{first['Id']}")
    assert cloud["apigw"].get_domain_name(domainName=DOMAIN)["routingMode"] == (
        "ROUTING_RULE_THEN_BASE_PATH_MAPPING"
    )

    cf.update_stack(
        StackName="preview",
        TemplateBody=json.dumps(STACK),
        Parameters=_params(Color="blue", ApiId=cloud["blue"], Priority="50"),
    )

    second = _outputs(cf)
    assert second["Id"] == first["Id"], "Conditions, Actions and Priority update the same rule in place"
    (rule,) = v2.list_routing_rules(DomainName=DOMAIN)["RoutingRules"]
    assert rule["Priority"] == 50
    assert rule["Conditions"][0]["MatchHeaders"]["AnyOf"][0]["ValueGlob"] == "blue"
    assert rule["Actions"][0]["InvokeApi"]["ApiId"] == cloud["blue"]
    cf.delete_stack(StackName="preview")
    assert cloud["apigw"].get_domain_names()["items"] == []


def test_cloudformation_invalid_rule_fails_the_stack_naming_the_reason(cloud: dict[str, Any]) -> None:
    cf = cloud["cf"]
    cf.create_stack(
        StackName="preview",
        TemplateBody=json.dumps(STACK),
        Parameters=_params(Color="green", ApiId=cloud["green"], Priority="1000001"),
    )
    stack = cf.describe_stacks(StackName="preview")["Stacks"][0]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [
        e.get("ResourceStatusReason", "")
        for e in cf.describe_stack_events(StackName="preview")["StackEvents"]
        if e["LogicalResourceId"] == "Preview" and e["ResourceStatus"] == "CREATE_FAILED"
    ]
    assert reasons and "Priority must be between 1 and 1000000" in reasons[0]
