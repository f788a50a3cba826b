"""A small moto world: both color stacks, the data stack with the SwitchTable, the custom-domain stack, the
real API Gateway domain and mapping, a samconfig project on disk, and the APIs answering through
FakeApiSession."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import boto3

from bluegreen.context import AppContext
from tests.unit.bluegreen.fakes import FakeApiSession, FakeClock, FakePetApi

DOMAIN = "api.example.com"
REGION = "us-east-1"

SAMCONFIG = """version = 0.1

[default.deploy.parameters]
stack_name = "{stack}"
region = "{region}"
s3_bucket = "artifacts"
capabilities = "CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"
fail_on_empty_changeset = false
{extra}

[local.deploy.parameters]
stack_name = "{stack}-local"
region = "{region}"
"""

DOMAIN_PARAMETERS = [
    "PublicHostedZoneId",
    "CustomDomainName",
    "CertificateArn",
    "ActiveApiId",
    "ActiveApiStage",
    "SecurityPolicy",
    "PreviewColor",
    "PreviewApiId",
    "PreviewApiStage",
]


def write_project(
    root: Path, domain_overrides: str = f'parameter_overrides = "CustomDomainName={DOMAIN}"'
) -> Path:
    (root / "samconfig").mkdir(parents=True, exist_ok=True)
    (root / "stacks").mkdir(exist_ok=True)
    for unit, stack, extra in (
        ("blue", "petstore-blue", ""),
        ("green", "petstore-green", ""),
        ("custom-domain", "petstore-custom-domain", domain_overrides),
        ("data", "petstore-data", ""),
    ):
        (root / "samconfig" / f"{unit}.toml").write_text(
            SAMCONFIG.format(stack=stack, region=REGION, extra=extra)
        )
        (root / "stacks" / f"{unit}-stack.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\n")
    return root


@dataclass
class World:
    root: Path
    clock: FakeClock
    apis: dict[str, str] = field(default_factory=dict)  # color -> rest api id
    pet_apis: dict[str, FakePetApi] = field(default_factory=dict)
    orders: dict[str, Any] = field(default_factory=dict)  # one orders table behind both colors
    session: FakeApiSession | None = None
    sam_calls: list[list[str]] = field(default_factory=list)
    sam_output: list[str] = field(default_factory=lambda: ["Successfully created/updated stack"])

    @property
    def cf(self) -> Any:
        return boto3.client("cloudformation", region_name=REGION)

    @property
    def apigw(self) -> Any:
        return boto3.client("apigateway", region_name=REGION)

    def host(self, color: str) -> str:
        return f"{self.apis[color]}.execute-api.{REGION}.amazonaws.com"

    def endpoint(self, color: str) -> str:
        return f"https://{self.host(color)}/Prod"

    def create_color(self, color: str, version: str) -> None:
        api = self.apigw.create_rest_api(name=f"petstore-{color}")["id"]
        root = self.apigw.get_resources(restApiId=api)["items"][0]["id"]
        self.apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
        self.apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
        self.apigw.create_deployment(restApiId=api, stageName="Prod")
        self.apis[color] = api
        prefix = color.capitalize()
        outputs = {
            f"{prefix}ApiId": api,
            f"{prefix}ApiStage": "Prod",
            f"{prefix}ApiEndpoint": self.endpoint(color),
            f"{prefix}Version": version,
            f"{prefix}LambdaArn": f"arn:aws:lambda:{REGION}:123456789012:function:{color}",
            f"{prefix}AlarmNames": f"{color}-5xx",
        }
        template = {
            "Resources": {"Marker": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {key: {"Value": value} for key, value in outputs.items()},
        }
        self.cf.create_stack(StackName=f"petstore-{color}", TemplateBody=json.dumps(template))
        self.pet_apis[color] = FakePetApi(color=color, version=version, orders=self.orders)

    def create_domain(self, live: str) -> None:
        template = {
            "Parameters": {name: {"Type": "String"} for name in DOMAIN_PARAMETERS},
            "Resources": {"Marker": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {"CustomDomainUrl": {"Value": f"https://{DOMAIN}"}},
        }
        values = {
            "PublicHostedZoneId": "Z1",
            "CustomDomainName": DOMAIN,
            "CertificateArn": "arn:cert",
            "ActiveApiId": self.apis[live],
            "ActiveApiStage": "Prod",
            "SecurityPolicy": "TLS_1_2",
            "PreviewColor": "",
            "PreviewApiId": "",
            "PreviewApiStage": "",
        }
        # Start from a bootstrap value and move to the live API through a change set: plain moto compares
        # change sets with the stack's CREATE-time parameters, so a switch back to them would look empty.
        bootstrap = {**values, "ActiveApiId": "bootstrap"}
        self.cf.create_stack(
            StackName="petstore-custom-domain",
            TemplateBody=json.dumps(template),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in bootstrap.items()],
        )
        change_set = self.cf.create_change_set(
            StackName="petstore-custom-domain",
            ChangeSetName="initial",
            ChangeSetType="UPDATE",
            UsePreviousTemplate=True,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
        )
        self.cf.execute_change_set(StackName="petstore-custom-domain", ChangeSetName=change_set["Id"])
        self.apigw.create_domain_name(
            domainName=DOMAIN,
            regionalCertificateArn="arn:cert",
            endpointConfiguration={"types": ["REGIONAL"]},
        )
        self.apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=self.apis[live], stage="Prod")

    def create_data(self) -> None:
        """The data stack: the switch lock and history table, with its output."""
        template = {
            "Resources": {
                "SwitchTable": {
                    "Type": "AWS::DynamoDB::Table",
                    "Properties": {
                        "BillingMode": "PAY_PER_REQUEST",
                        "AttributeDefinitions": [
                            {"AttributeName": "pk", "AttributeType": "S"},
                            {"AttributeName": "sk", "AttributeType": "S"},
                        ],
                        "KeySchema": [
                            {"AttributeName": "pk", "KeyType": "HASH"},
                            {"AttributeName": "sk", "KeyType": "RANGE"},
                        ],
                    },
                }
            },
            "Outputs": {"SwitchTableName": {"Value": {"Ref": "SwitchTable"}}},
        }
        self.cf.create_stack(StackName="petstore-data", TemplateBody=json.dumps(template))

    def table_name(self) -> str:
        outputs = self.cf.describe_stacks(StackName="petstore-data")["Stacks"][0]["Outputs"]
        return str(next(o["OutputValue"] for o in outputs if o["OutputKey"] == "SwitchTableName"))

    def remap(self, color: str) -> None:
        """What API Gateway does when the mapping moves (moto does not apply it from CloudFormation)."""
        self.apigw.update_base_path_mapping(
            domainName=DOMAIN,
            basePath="(none)",
            patchOperations=[{"op": "replace", "path": "/restapiId", "value": self.apis[color]}],
        )

    def domain_parameter(self, key: str) -> str:
        stack = self.cf.describe_stacks(StackName="petstore-custom-domain")["Stacks"][0]
        return str(next(p["ParameterValue"] for p in stack["Parameters"] if p["ParameterKey"] == key))

    def build_session(self, domain_follows_stack: bool = False) -> FakeApiSession:
        routes = {self.host(color): api for color, api in self.pet_apis.items()}
        session = FakeApiSession(routes)
        world = self

        class DomainRoutes(dict[str, FakePetApi]):
            """The live hostname answers from the color the mapping (or, if asked, the stack) points at."""

            def get(self, key: str, default: Any = None) -> Any:
                if key != DOMAIN:
                    return super().get(key, default)
                if domain_follows_stack:
                    api_id = world.domain_parameter("ActiveApiId")
                else:
                    items = world.apigw.get_base_path_mappings(domainName=DOMAIN)["items"]
                    api_id = items[0]["restApiId"]
                color = next(c for c, a in world.apis.items() if a == api_id)
                return world.pet_apis[color]

        session.apis = DomainRoutes(routes)

        def preview_route(header: str) -> FakePetApi | None:
            """The preview rule, as the stack's Preview* parameters say (exact header match)."""
            if not header or world.domain_parameter("PreviewColor") != header:
                return None
            api_id = world.domain_parameter("PreviewApiId")
            return next((world.pet_apis[c] for c, a in world.apis.items() if a == api_id), None)

        session.preview_route = preview_route
        self.session = session
        return session

    def runner(self, argv: Any, echo: Any, cwd: Any = None) -> tuple[int, list[str]]:
        self.sam_calls.append(list(argv))
        if argv[1] == "build":  # what sam build leaves behind for sam deploy
            built = Path(argv[argv.index("--build-dir") + 1])
            built.mkdir(parents=True, exist_ok=True)
            (built / "template.yaml").write_text("Resources: {}\n")
        for line in self.sam_output:
            echo(line)
        return 0, list(self.sam_output)

    def context_factory(self, domain_follows_stack: bool = False) -> Any:
        session = self.build_session(domain_follows_stack)
        return partial(
            AppContext,
            clock=self.clock,
            sleep=self.clock.sleep,
            http_session_factory=lambda: session,
            sam_runner=self.runner,
            heartbeat=False,
        )


def build_world(root: Path, clock: FakeClock, live: str = "blue") -> World:
    world = World(root=write_project(root), clock=clock)
    world.create_data()
    world.create_color("blue", "1.0.0")
    world.create_color("green", "2.0.0")
    world.create_domain(live)
    return world
