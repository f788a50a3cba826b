"""Unmodified `sam deploy`, `sam delete` and `aws cloudformation deploy` against the local cloud server."""

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from templates import HERE, REGION, issued_certificate, keep, params

from localcloud.extensions import install

pytestmark = pytest.mark.localcloud

BIN = Path(sys.executable).parent
BUCKET = "deploy-artifacts"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    install()
    port = _free_port()
    server = ThreadedMotoServer(ip_address="localhost", port=port, verbose=False)
    server.start()
    home = tmp_path_factory.mktemp("home")
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": f"http://localhost:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "HOME": str(home),
        "SAM_CLI_TELEMETRY": "0",
    }
    env.pop("AWS_PROFILE", None)
    try:
        _client("s3", env).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield env
    finally:
        server.stop()


def _client(service: str, env: dict[str, str]) -> Any:
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _run(env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)


def _sam_deploy(env: dict[str, str], *overrides: str) -> subprocess.CompletedProcess[str]:
    extra = ["--parameter-overrides", *overrides] if overrides else []
    return _run(
        env,
        str(BIN / "sam"),
        "deploy",
        "-t",
        str(HERE / "sam_api.yaml"),
        "--stack-name",
        "small",
        "--s3-bucket",
        BUCKET,
        "--capabilities",
        "CAPABILITY_IAM",
        "--no-confirm-changeset",
        "--no-fail-on-empty-changeset",
        "--region",
        REGION,
        *extra,
    )


def test_sam_deploy_create_update_redeploy_and_delete(endpoint: dict[str, str]) -> None:
    cf = _client("cloudformation", endpoint)

    created = _sam_deploy(endpoint)
    assert created.returncode == 0, created.stdout + created.stderr
    assert "Successfully created/updated stack - small" in created.stdout
    assert cf.describe_stacks(StackName="small")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"

    updated = _sam_deploy(endpoint, "Greeting=hey")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "Modify" in updated.stdout and "AWS::Lambda::Function" in updated.stdout
    assert cf.describe_stacks(StackName="small")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"

    again = _sam_deploy(endpoint, "Greeting=hey")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes to deploy" in again.stdout

    listed = _run(
        endpoint,
        str(BIN / "sam"),
        "list",
        "endpoints",
        "-t",
        str(HERE / "sam_api.yaml"),
        "--stack-name",
        "small",
        "--output",
        "json",
        "--region",
        REGION,
    )
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stdout + listed.stderr
    api_id = _client("apigateway", endpoint).get_rest_apis()["items"][0]["id"]
    endpoints = {e["LogicalResourceId"]: e for e in json.loads(listed.stdout)}
    assert f"https://{api_id}.execute-api.{REGION}.amazonaws.com/live" in endpoints["Api"]["CloudEndpoint"]

    deleted = _run(
        endpoint, str(BIN / "sam"), "delete", "--stack-name", "small", "--no-prompts", "--region", REGION
    )
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert [
        s
        for s in cf.list_stacks()["StackSummaries"]
        if s["StackName"] == "small" and s["StackStatus"] != "DELETE_COMPLETE"
    ] == []
    assert _client("apigateway", endpoint).get_rest_apis()["items"] == []


def test_awscli_deploy_of_the_custom_domain_and_an_operator_switch(endpoint: dict[str, str]) -> None:
    cf = _client("cloudformation", endpoint)
    apigw = _client("apigateway", endpoint)
    for color, stage in (("blue", "live"), ("green", "next")):
        cf.create_stack(
            StackName=color,
            TemplateBody=(HERE / "color_api.yaml").read_text(),
            Parameters=params(StageName=stage),
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
    blue, green = (
        next(
            o["OutputValue"]
            for o in cf.describe_stacks(StackName=c)["Stacks"][0]["Outputs"]
            if o["OutputKey"] == "ApiId"
        )
        for c in ("blue", "green")
    )
    zone = (
        _client("route53", endpoint)
        .create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]
        .split("/")[-1]
    )
    deploy = [
        str(BIN / "aws"),
        "cloudformation",
        "deploy",
        "--template-file",
        str(HERE / "custom_domain.yaml"),
        "--stack-name",
        "domain",
        "--no-fail-on-empty-changeset",
        "--parameter-overrides",
        f"PublicHostedZoneId={zone}",
        "CustomDomainName=api.example.com",
        f"CertificateArn={issued_certificate('api.example.com', acm=_client('acm', endpoint))}",
        f"ActiveApiId={blue}",
        "ActiveApiStage=live",
    ]

    first, second = _run(endpoint, *deploy), _run(endpoint, *deploy)

    assert first.returncode == 0, first.stdout + first.stderr
    assert second.returncode == 0, second.stdout + second.stderr
    assert "No changes to deploy" in second.stdout
    created = cf.create_change_set(
        StackName="domain",
        ChangeSetName="switch-1",
        ChangeSetType="UPDATE",
        UsePreviousTemplate=True,
        Parameters=[
            *keep(
                "PublicHostedZoneId",
                "CustomDomainName",
                "CertificateArn",
                "SecurityPolicy",
                "EndpointAccessMode",
                "MappingBasePath",
            ),
            *params(ActiveApiId=green, ActiveApiStage="next"),
        ],
    )
    cf.get_waiter("change_set_create_complete").wait(ChangeSetName=created["Id"], WaiterConfig={"Delay": 1})
    cf.execute_change_set(ChangeSetName=created["Id"])
    cf.get_waiter("stack_update_complete").wait(StackName="domain", WaiterConfig={"Delay": 1})
    mapping = apigw.get_base_path_mapping(domainName="api.example.com", basePath="(none)")
    assert (mapping["restApiId"], mapping["stage"]) == (green, "next")


def test_sam_deploy_resolve_s3_creates_its_managed_artifacts_stack(endpoint: dict[str, str]) -> None:
    deployed = _run(
        endpoint,
        str(BIN / "sam"),
        "deploy",
        "-t",
        str(HERE / "sam_api.yaml"),
        "--stack-name",
        "resolved",
        "--resolve-s3",
        "--capabilities",
        "CAPABILITY_IAM",
        "--no-confirm-changeset",
        "--region",
        REGION,
    )

    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    cf = _client("cloudformation", endpoint)
    managed = cf.describe_stacks(StackName="aws-sam-cli-managed-default")["Stacks"][0]
    bucket = next(o["OutputValue"] for o in managed["Outputs"] if o["OutputKey"] == "SourceBucket")
    policy = _client("s3", endpoint).get_bucket_policy(Bucket=bucket)["Policy"]
    assert "aws:SecureTransport" in policy
    assert cf.describe_stacks(StackName="resolved")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def test_awscli_delete_of_the_data_stack_is_refused_while_a_color_imports_it(
    endpoint: dict[str, str], tmp_path: Path
) -> None:
    # GIVEN the product's data stack and a stack importing its orders table, deployed with the aws CLI
    importer = tmp_path / "importer.yaml"
    importer.write_text(
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n"
        "      DisplayName: !ImportValue cli-data-OrdersTableName\n"
    )
    data_stack = Path(__file__).resolve().parents[2] / "stacks" / "data-stack.yaml"
    for template, stack in ((data_stack, "cli-data"), (importer, "cli-color")):
        deployed = _run(
            endpoint,
            str(BIN / "aws"),
            "cloudformation",
            "deploy",
            "--template-file",
            str(template),
            "--stack-name",
            stack,
        )
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    # WHEN the data stack is deleted first
    deleted = _run(endpoint, str(BIN / "aws"), "cloudformation", "delete-stack", "--stack-name", "cli-data")
    # THEN the call succeeds as on AWS, but the stack stays with its status and says which stack holds it
    assert deleted.returncode == 0, deleted.stderr
    described = _run(
        endpoint, str(BIN / "aws"), "cloudformation", "describe-stacks", "--stack-name", "cli-data"
    )
    stack = json.loads(described.stdout)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["StackStatusReason"] == (
        "Export cli-data-OrdersTableName cannot be deleted as it is in use by cli-color"
    )
    imports = _run(
        endpoint,
        str(BIN / "aws"),
        "cloudformation",
        "list-imports",
        "--export-name",
        "cli-data-OrdersTableName",
    )
    assert json.loads(imports.stdout)["Imports"] == ["cli-color"], imports.stderr
