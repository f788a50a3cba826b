"""Custom domain, base path mapping and the switch, through CloudFormation the way the operator tool does."""

import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from templates import (
    REGION,
    body,
    deploy_color,
    domain_params,
    events,
    issued_certificate,
    keep,
    outputs,
    params,
    status,
)

from localcloud.extensions import install
from localcloud.extensions.apigateway_lookup import live_target

SWITCH_KEEPS = (
    "PublicHostedZoneId",
    "CustomDomainName",
    "CertificateArn",
    "SecurityPolicy",
    "EndpointAccessMode",
    "MappingBasePath",
)


@pytest.fixture
def cloud() -> Iterator[dict[str, Any]]:
    install()
    with mock_aws():
        cf = boto3.client("cloudformation", region_name=REGION)
        zone = (
            boto3.client("route53", region_name=REGION)
            .create_hosted_zone(Name="example.com", CallerReference="t")["HostedZone"]["Id"]
            .split("/")[-1]
        )
        yield {
            "cf": cf,
            "zone": zone,
            "apigw": boto3.client("apigateway", region_name=REGION),
            "blue": deploy_color(cf, "blue"),
            "green": deploy_color(cf, "green", StageName="next"),
        }


def create_domain(cloud: dict[str, Any], **extra: str) -> None:
    cloud["cf"].create_stack(
        StackName="domain",
        TemplateBody=body("custom_domain.yaml"),
        Parameters=domain_params(cloud["zone"], cloud["blue"]["ApiId"], "live", **extra),
    )


def switch(cloud: dict[str, Any], api_id: str, stage: str, name: str) -> dict[str, Any]:
    """What the operator tool does: previous template and values, only the active pair changes."""
    cf = cloud["cf"]
    created = cf.create_change_set(
        StackName="domain",
        ChangeSetName=name,
        ChangeSetType="UPDATE",
        UsePreviousTemplate=True,
        Parameters=[*keep(*SWITCH_KEEPS), *params(ActiveApiId=api_id, ActiveApiStage=stage)],
    )
    cf.get_waiter("change_set_create_complete").wait(ChangeSetName=created["Id"], WaiterConfig={"Delay": 1})
    described = cf.describe_change_set(ChangeSetName=created["Id"])
    cf.execute_change_set(ChangeSetName=created["Id"])
    cf.get_waiter("stack_update_complete").wait(StackName="domain", WaiterConfig={"Delay": 1})
    return dict(described)


def test_domain_name_attributes_feed_the_alias_records(cloud: dict[str, Any]) -> None:
    create_domain(cloud)

    assert status(cloud["cf"], "domain") == "CREATE_COMPLETE"
    out = outputs(cloud["cf"], "domain")
    assert re.fullmatch(
        rf"d-[a-z0-9]{{10}}\.execute-api\.{REGION}\.amazonaws\.com", out["RegionalDomainName"]
    )
    assert out["RegionalHostedZoneId"] == "ZLY8HYME6SFDD"  # eu-west-1's execute-api zone
    records = boto3.client("route53").list_resource_record_sets(HostedZoneId=cloud["zone"])
    aliases = {r["Type"]: r["AliasTarget"] for r in records["ResourceRecordSets"] if "AliasTarget" in r}
    assert set(aliases) == {"A", "AAAA"}
    assert aliases["A"]["DNSName"].rstrip(".") == out["RegionalDomainName"]
    assert aliases["A"]["HostedZoneId"] == "ZLY8HYME6SFDD"
    domain = cloud["apigw"].get_domain_name(domainName="api.example.com")
    assert domain["securityPolicy"] == "TLS_1_2" and domain["endpointConfiguration"]["types"] == ["REGIONAL"]
    # CloudFormation's Tags list is API Gateway's tags map (clients crashed on a list)
    assert domain["tags"] == {"app": "petstore"}
    assert [d["tags"] for d in cloud["apigw"].get_domain_names()["items"]] == [{"app": "petstore"}]
    assert "distributionDomainName" not in domain
    assert live_target("api.example.com") == (cloud["blue"]["ApiId"], "live")


def test_a_domain_whose_certificate_does_not_cover_it_fails_the_stack(cloud: dict[str, Any]) -> None:
    other = issued_certificate("other.example.org")
    cloud["cf"].create_stack(
        StackName="domain",
        TemplateBody=body("custom_domain.yaml"),
        Parameters=[
            *domain_params(cloud["zone"], cloud["blue"]["ApiId"], "live")[:2],
            *params(CertificateArn=other, ActiveApiId=cloud["blue"]["ApiId"], ActiveApiStage="live"),
        ],
    )

    assert status(cloud["cf"], "domain") == "ROLLBACK_COMPLETE"
    failure = next(e for e in events(cloud["cf"], "domain") if e["ResourceStatus"] == "CREATE_FAILED")
    assert failure["LogicalResourceId"] == "Domain"
    assert failure["ResourceStatusReason"].startswith(
        f"The certificate {other} does not cover the domain name"
    )
    assert cloud["apigw"].get_domain_names()["items"] == []


def test_enhanced_security_policy_needs_an_endpoint_access_mode(cloud: dict[str, Any]) -> None:
    create_domain(cloud, SecurityPolicy="SecurityPolicy_TLS13_1_3_2025_09")

    assert status(cloud["cf"], "domain") == "ROLLBACK_COMPLETE"
    failure = next(e for e in events(cloud["cf"], "domain") if e["ResourceStatus"] == "CREATE_FAILED")
    assert failure["LogicalResourceId"] == "Domain"
    assert "STRICT or BASIC" in failure["ResourceStatusReason"]


def test_enhanced_security_policy_with_strict_access_mode(cloud: dict[str, Any]) -> None:
    create_domain(cloud, SecurityPolicy="SecurityPolicy_TLS13_1_3_2025_09", EndpointAccessMode="STRICT")

    assert status(cloud["cf"], "domain") == "CREATE_COMPLETE"
    domain = cloud["apigw"].get_domain_name(domainName="api.example.com")
    assert domain["securityPolicy"] == "SecurityPolicy_TLS13_1_3_2025_09"


def test_switch_updates_the_mapping_in_place_and_keeps_every_other_value(cloud: dict[str, Any]) -> None:
    create_domain(cloud)
    backend_mapping = _mapping_object()

    described = switch(cloud, cloud["green"]["ApiId"], "next", "to-green")

    changes = [c["ResourceChange"] for c in described["Changes"]]
    assert [(c["LogicalResourceId"], c["Action"], c["Replacement"]) for c in changes] == [
        ("Mapping", "Modify", "False")
    ]
    assert _mapping_object() is backend_mapping  # same mapping, new target
    assert live_target("api.example.com") == (cloud["green"]["ApiId"], "next")
    out = outputs(cloud["cf"], "domain")
    assert (out["ActiveApiId"], out["ActiveApiStage"]) == (cloud["green"]["ApiId"], "next")
    stack = cloud["cf"].describe_stacks(StackName="domain")["Stacks"][0]
    values = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert values["CustomDomainName"] == "api.example.com" and values["PublicHostedZoneId"] == cloud["zone"]


def test_rollback_switch_after_a_switch(cloud: dict[str, Any]) -> None:
    create_domain(cloud)
    switch(cloud, cloud["green"]["ApiId"], "next", "to-green")

    switch(cloud, cloud["blue"]["ApiId"], "live", "back-to-blue")

    assert live_target("api.example.com") == (cloud["blue"]["ApiId"], "live")
    assert status(cloud["cf"], "domain") == "UPDATE_COMPLETE"


def test_changing_the_base_path_replaces_the_mapping_and_fails_like_aws(cloud: dict[str, Any]) -> None:
    create_domain(cloud)
    cf = cloud["cf"]

    cf.update_stack(
        StackName="domain",
        UsePreviousTemplate=True,
        Parameters=[
            *keep(*SWITCH_KEEPS[:-1], "ActiveApiId", "ActiveApiStage"),
            *params(MappingBasePath="v1"),
        ],
    )

    assert status(cf, "domain") == "UPDATE_ROLLBACK_COMPLETE"
    failure = next(e for e in events(cf, "domain") if e["ResourceStatus"] == "UPDATE_FAILED")
    assert failure["LogicalResourceId"] == "Mapping"
    assert (
        failure["ResourceStatusReason"] == "Only one base path mapping is allowed if the base path is empty."
    )
    assert live_target("api.example.com") == (cloud["blue"]["ApiId"], "live")


def test_deleting_the_stack_removes_domain_mapping_records_and_table(cloud: dict[str, Any]) -> None:
    create_domain(cloud)
    table = outputs(cloud["cf"], "domain")["SwitchTableName"]

    cloud["cf"].delete_stack(StackName="domain")

    assert cloud["apigw"].get_domain_names()["items"] == []
    assert live_target("api.example.com") is None
    records = boto3.client("route53").list_resource_record_sets(HostedZoneId=cloud["zone"])
    assert [r["Type"] for r in records["ResourceRecordSets"] if "AliasTarget" in r] == []
    assert table not in boto3.client("dynamodb", region_name=REGION).list_tables()["TableNames"]
    deleted = [
        e["LogicalResourceId"]
        for e in reversed(cloud["cf"].describe_stack_events(StackName=_stack_id(cloud["cf"]))["StackEvents"])
        if e["ResourceStatus"] == "DELETE_COMPLETE"
    ]
    assert deleted.index("Mapping") < deleted.index("Domain")  # dependents go first
    assert deleted.index("RecordA") < deleted.index("Domain")


def test_a_mapped_color_cannot_be_deleted_until_unmapped(cloud: dict[str, Any]) -> None:
    # GIVEN blue's stage is what the custom domain serves
    create_domain(cloud)
    cf, apigw = cloud["cf"], cloud["apigw"]
    blue_api = cloud["blue"]["ApiId"]
    deployment = apigw.get_stage(restApiId=blue_api, stageName="live")["deploymentId"]

    # WHEN blue's stack is deleted
    cf.delete_stack(StackName="blue")

    # THEN the stage delete is refused like API Gateway does, and the stack stops in DELETE_FAILED
    stack = cf.describe_stacks(StackName="blue")["Stacks"][0]
    assert stack["StackStatus"] == "DELETE_FAILED"
    failed = [e for e in events(cf, "blue") if e["ResourceStatus"] == "DELETE_FAILED"]
    stage_failure = next(e for e in failed if e["ResourceType"] == "AWS::ApiGateway::Stage")
    assert stage_failure["ResourceStatusReason"] == (
        "Deleting stage live failed. "
        "Please remove all base path mappings related to the stage in your domains."
    )
    assert stack["StackStatusReason"] == (
        f"The following resource(s) failed to delete: [{stage_failure['LogicalResourceId']}]. "
    )
    # AND live is still served: the mapping's stage, its deployment, the API and the function all remain
    assert live_target("api.example.com") == (blue_api, "live")
    assert apigw.get_stage(restApiId=blue_api, stageName="live")["deploymentId"] == deployment
    assert apigw.get_deployment(restApiId=blue_api, deploymentId=deployment)["id"] == deployment
    function = cloud["blue"]["AliasArn"].rsplit(":", 1)[0]
    assert boto3.client("lambda", region_name=REGION).get_function(FunctionName=function)

    # WHEN the domain moves to green THEN blue deletes cleanly
    switch(cloud, cloud["green"]["ApiId"], "next", "to-green")
    cf.delete_stack(StackName="blue")

    assert blue_api not in [a["id"] for a in apigw.get_rest_apis()["items"]]


def test_a_mapped_stage_cannot_be_deleted_directly(cloud: dict[str, Any]) -> None:
    create_domain(cloud)
    apigw = cloud["apigw"]

    with pytest.raises(ClientError) as raised:
        apigw.delete_stage(restApiId=cloud["blue"]["ApiId"], stageName="live")

    assert raised.value.response["Error"]["Code"] == "BadRequestException"
    assert raised.value.response["Error"]["Message"].startswith("Deleting stage live failed.")
    # An unmapped stage of the same kind deletes normally.
    apigw.delete_stage(restApiId=cloud["green"]["ApiId"], stageName="next")


def _mapping_object() -> Any:
    from moto.apigateway.models import apigateway_backends

    return apigateway_backends["123456789012"][REGION].base_path_mappings["api.example.com"]["(none)"]


def _stack_id(cf: Any) -> str:
    summaries = cf.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
    return str(next(s["StackId"] for s in summaries if s["StackName"] == "domain"))


def test_a_non_empty_base_path_change_replaces_the_mapping_new_first(cloud: dict[str, Any]) -> None:
    create_domain(cloud, MappingBasePath="v1")
    cf = cloud["cf"]
    created = cf.create_change_set(
        StackName="domain",
        ChangeSetName="v2",
        ChangeSetType="UPDATE",
        UsePreviousTemplate=True,
        Parameters=[
            *keep(*SWITCH_KEEPS[:-1], "ActiveApiId", "ActiveApiStage"),
            *params(MappingBasePath="v2"),
        ],
    )
    change = cf.describe_change_set(ChangeSetName=created["Id"])["Changes"][0]["ResourceChange"]

    cf.execute_change_set(ChangeSetName=created["Id"])

    assert (change["LogicalResourceId"], change["Replacement"]) == ("Mapping", "True")
    assert status(cf, "domain") == "UPDATE_COMPLETE"
    paths = [
        m["basePath"] for m in cloud["apigw"].get_base_path_mappings(domainName="api.example.com")["items"]
    ]
    assert paths == ["v2"]
