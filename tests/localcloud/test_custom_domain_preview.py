"""The custom-domain stack's preview rule on a running local cloud, under steady live load.

GIVEN the stack as it was before routing rules (mapping only) serving blue under load, WHEN it is updated
to the routing mode ROUTING_RULE_THEN_BASE_PATH_MAPPING, then given a green preview, then cleared, THEN no
live request fails, the preview header reaches green while everyone else stays on blue, and
`aws apigatewayv2 list-routing-rules` shows the rule while it exists.
"""

from __future__ import annotations

import copy
import json
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fixtures.deploy import client, deploy_api
from fixtures.https_client import fetch
from samtranslator.yaml_helper import yaml_parse

from localcloud.zero_downtime import LiveLoad
from tests.stacks.conftest import stack_path

pytestmark = pytest.mark.localcloud

ZONE = "preview.example.com"
DOMAIN = f"api.{ZONE}"
STACK = "preview-domain"
PREVIEW_HEADER = "X-Bluegreen-Preview"
PREVIEW_PARAMETERS = ("PreviewColor", "PreviewApiId", "PreviewApiStage")


def templates() -> tuple[str, str]:
    """(before routing rules, now): the same stack without RoutingMode and PreviewRule, and as it is."""
    now = yaml_parse(stack_path("custom-domain").read_text())
    before = copy.deepcopy(now)
    del before["Resources"]["CustomDomain"]["Properties"]["RoutingMode"]
    del before["Resources"]["PreviewRule"]
    del before["Rules"]
    for name in PREVIEW_PARAMETERS:
        del before["Parameters"][name]
    del before["Conditions"]["HasPreview"]
    return json.dumps(before), json.dumps(now)


@pytest.fixture(scope="module")
def domain(local_cloud: Any) -> Iterator[dict[str, Any]]:
    blue, _ = deploy_api(local_cloud.endpoint_url, "preview-blue")
    green, _ = deploy_api(local_cloud.endpoint_url, "preview-green")
    route53 = client(local_cloud.endpoint_url, "route53")
    zone = route53.create_hosted_zone(Name=ZONE, CallerReference="preview")
    acm = client(local_cloud.endpoint_url, "acm")
    certificate = acm.request_certificate(DomainName=DOMAIN, ValidationMethod="DNS")["CertificateArn"]
    acm.describe_certificate(CertificateArn=certificate)  # validated on read locally
    created = {
        "blue": blue,
        "green": green,
        "zone": zone["HostedZone"]["Id"].split("/")[-1],
        "certificate": certificate,
        "cf": client(local_cloud.endpoint_url, "cloudformation"),
    }
    deploy(created, templates()[0], create=True)  # the domain as it was before routing rules
    yield created


def deploy(domain: dict[str, Any], template: str, create: bool = False, **preview: str) -> None:
    values = {
        "PublicHostedZoneId": domain["zone"],
        "CustomDomainName": DOMAIN,
        "CertificateArn": domain["certificate"],
        "ActiveApiId": domain["blue"],
        "ActiveApiStage": "live",
        **preview,
    }
    parameters = [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]
    cf = domain["cf"]
    if create:
        cf.create_stack(StackName=STACK, TemplateBody=template, Parameters=parameters)
        cf.get_waiter("stack_create_complete").wait(StackName=STACK, WaiterConfig={"Delay": 1})
    else:
        cf.update_stack(StackName=STACK, TemplateBody=template, Parameters=parameters)
        cf.get_waiter("stack_update_complete").wait(StackName=STACK, WaiterConfig={"Delay": 1})


def served_by(cloud: Any, headers: dict[str, str] | None = None) -> str:
    reply = fetch(cloud.data_address, cloud.ca_bundle, f"https://{DOMAIN}/health", headers=headers)
    assert reply.status == 200, reply.body
    api_id: str = json.loads(reply.body)["event"]["requestContext"]["apiId"]
    return api_id


def list_rules_with_awscli(cloud: Any) -> list[dict[str, Any]]:
    result = subprocess.run(
        ["aws", "apigatewayv2", "list-routing-rules", "--domain-name", DOMAIN, "--output", "json"],
        env=cloud.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rules: list[dict[str, Any]] = json.loads(result.stdout)["RoutingRules"]
    return rules


def resource_updates(cf: Any, logical_id: str) -> list[str]:
    events = cf.describe_stack_events(StackName=STACK)["StackEvents"]
    return [e["ResourceStatus"] for e in events if e["LogicalResourceId"] == logical_id]


def test_preview_on_and_off_under_load_fails_no_live_request(
    local_cloud: Any, domain: dict[str, Any]
) -> None:
    _, now = templates()
    cf = domain["cf"]
    assert cf.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    steps: list[tuple[str, str]] = []

    with LiveLoad(
        f"https://{DOMAIN}/pets",
        clients=4,
        connect_to=local_cloud.data_address,
        ca_bundle=str(local_cloud.ca_bundle),
    ) as load:
        time.sleep(1.0)
        deploy(domain, now)  # the routing mode changes on a domain that serves live traffic
        time.sleep(0.5)
        steps.append(("mode switched", served_by(local_cloud, {PREVIEW_HEADER: "green"})))

        deploy(domain, now, PreviewColor="green", PreviewApiId=domain["green"], PreviewApiStage="live")
        time.sleep(0.5)
        steps.append(("preview header", served_by(local_cloud, {PREVIEW_HEADER: "green"})))
        steps.append(("other color in header", served_by(local_cloud, {PREVIEW_HEADER: "blue"})))
        steps.append(("no header", served_by(local_cloud)))
        rules = list_rules_with_awscli(local_cloud)

        deploy(domain, now)  # preview cleared: every parameter back to empty
        time.sleep(1.0)
        steps.append(("after clearing", served_by(local_cloud, {PREVIEW_HEADER: "green"})))

    blue, green = domain["blue"], domain["green"]
    assert steps == [
        ("mode switched", blue),
        ("preview header", green),
        ("other color in header", blue),
        ("no header", blue),
        ("after clearing", blue),
    ]
    assert len(rules) == 1 and rules[0]["Actions"][0]["InvokeApi"] == {
        "ApiId": green,
        "Stage": "live",
        "StripBasePath": False,
    }
    assert list_rules_with_awscli(local_cloud) == []
    assert len(load.samples) > 200, "the load ran through every step"
    failed = [s for s in load.samples if s.status != 200]
    assert failed == [], f"{len(failed)} of {len(load.samples)} live requests failed"
    domain_events = resource_updates(cf, "CustomDomain")
    assert "UPDATE_COMPLETE" in domain_events and "DELETE_COMPLETE" not in domain_events
    assert resource_updates(cf, "LiveMapping") == ["CREATE_COMPLETE", "CREATE_IN_PROGRESS"]
    apigw = client(local_cloud.endpoint_url, "apigateway")
    assert apigw.get_domain_name(domainName=DOMAIN)["routingMode"] == "ROUTING_RULE_THEN_BASE_PATH_MAPPING"


def test_moving_the_preview_updates_the_same_rule_in_place(local_cloud: Any, domain: dict[str, Any]) -> None:
    _, now = templates()
    cf = domain["cf"]
    deploy(domain, now, PreviewColor="green", PreviewApiId=domain["green"], PreviewApiStage="live")
    first = cf.describe_stack_resource(StackName=STACK, LogicalResourceId="PreviewRule")
    changeset = cf.create_change_set(
        StackName=STACK,
        ChangeSetName="move-preview",
        ChangeSetType="UPDATE",
        TemplateBody=now,
        Parameters=[
            {"ParameterKey": "PublicHostedZoneId", "UsePreviousValue": True},
            {"ParameterKey": "CustomDomainName", "UsePreviousValue": True},
            {"ParameterKey": "CertificateArn", "UsePreviousValue": True},
            {"ParameterKey": "ActiveApiId", "UsePreviousValue": True},
            {"ParameterKey": "ActiveApiStage", "UsePreviousValue": True},
            {"ParameterKey": "PreviewColor", "ParameterValue": "blue"},
            {"ParameterKey": "PreviewApiId", "ParameterValue": domain["blue"]},
            {"ParameterKey": "PreviewApiStage", "ParameterValue": "live"},
        ],
    )
    cf.get_waiter("change_set_create_complete").wait(ChangeSetName=changeset["Id"], WaiterConfig={"Delay": 1})
    changes = cf.describe_change_set(ChangeSetName=changeset["Id"])["Changes"]
    cf.execute_change_set(ChangeSetName=changeset["Id"])
    cf.get_waiter("stack_update_complete").wait(StackName=STACK, WaiterConfig={"Delay": 1})

    touched = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in changes}
    assert set(touched) == {"PreviewRule"}, "moving the preview touches neither the mapping nor the domain"
    assert touched["PreviewRule"]["Action"] == "Modify"
    assert touched["PreviewRule"]["Replacement"] == "False"
    second = cf.describe_stack_resource(StackName=STACK, LogicalResourceId="PreviewRule")
    same = first["StackResourceDetail"]["PhysicalResourceId"]
    assert second["StackResourceDetail"]["PhysicalResourceId"] == same
    assert served_by(local_cloud, {PREVIEW_HEADER: "blue"}) == domain["blue"]
    assert served_by(local_cloud, {PREVIEW_HEADER: "green"}) == domain["blue"], "green is no longer previewed"


def test_a_half_set_preview_fails_the_update_and_live_stays_put(
    local_cloud: Any, domain: dict[str, Any]
) -> None:
    _, now = templates()
    deploy(domain, now)  # no preview
    cf = domain["cf"]
    keep = ("PublicHostedZoneId", "CustomDomainName", "CertificateArn", "ActiveApiId", "ActiveApiStage")

    cf.update_stack(
        StackName=STACK,
        TemplateBody=now,
        Parameters=[
            *({"ParameterKey": name, "UsePreviousValue": True} for name in keep),
            {"ParameterKey": "PreviewColor", "ParameterValue": "green"},  # no API id, no stage
        ],
    )

    stack = cf.describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    failures = [
        e.get("ResourceStatusReason", "")
        for e in cf.describe_stack_events(StackName=STACK)["StackEvents"]
        if e["LogicalResourceId"] == "PreviewRule" and e["ResourceStatus"] == "CREATE_FAILED"
    ]
    assert failures and "invokeApi" in failures[0]
    assert list_rules_with_awscli(local_cloud) == []
    assert served_by(local_cloud, {PREVIEW_HEADER: "green"}) == domain["blue"]
