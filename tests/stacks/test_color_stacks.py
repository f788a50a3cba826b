"""The two color stacks: identical but for color, version, stage and code, and secure once expanded."""

from __future__ import annotations

from typing import Any

import pytest

from tests.stacks.conftest import COLORS, expand, load_stack, stack_path


def _as_blue(green_text: str) -> str:
    """Green's template with what may legitimately differ turned into blue's values."""
    return (
        green_text.replace("Green", "Blue")
        .replace("green", "blue")
        .replace("Default: v2.0.0\n", "Default: v1.0.0\n")
        .replace("Default: v2\n", "Default: v1\n")
    )


def test_green_differs_from_blue_only_in_color_version_stage_and_code() -> None:
    blue = stack_path("blue").read_text()
    green = stack_path("green").read_text()
    assert green != blue
    assert _as_blue(green) == blue, "blue-stack.yaml and green-stack.yaml drifted apart: edit both"


@pytest.mark.parametrize(("color", "stage", "version"), [("blue", "v1", "v1.0.0"), ("green", "v2", "v2.0.0")])
def test_color_version_and_stage_reach_the_function_from_the_template(
    color: str, stage: str, version: str
) -> None:
    template = load_stack(color)
    prefix = color.capitalize()
    assert template["Parameters"]["StageName"]["Default"] == stage
    assert template["Parameters"]["ServiceVersion"]["Default"] == version
    function = template["Resources"][f"{prefix}Function"]["Properties"]
    variables = function["Environment"]["Variables"]
    assert variables["APP_COLOR"] == color
    assert variables["APP_VERSION"] == {"Ref": "ServiceVersion"}
    assert function["CodeUri"] == f"../src/{color}/"
    assert template["Globals"]["Function"]["Runtime"] == "python3.13"


@pytest.mark.parametrize("color", COLORS)
def test_outputs_are_named_as_the_readme_and_the_tooling_use_them(color: str) -> None:
    prefix = color.capitalize()
    outputs = load_stack(color)["Outputs"]
    assert set(outputs) == {
        f"{prefix}{name}"
        for name in ("ApiEndpoint", "ApiId", "ApiStage", "LambdaArn", "Version", "AlarmNames")
    }
    assert outputs[f"{prefix}ApiId"]["Value"] == {"Ref": f"{prefix}Api"}


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


@pytest.mark.parametrize("color", COLORS)
def test_expanded_stack_has_one_regional_api_with_one_logged_traced_stage(color: str) -> None:
    expanded = expand(color)
    apis = _of_type(expanded, "AWS::ApiGateway::RestApi")
    stages = _of_type(expanded, "AWS::ApiGateway::Stage")
    assert len(apis) == 1 and len(stages) == 1, "one API, one stage (no extra 'Stage' stage)"
    api = next(iter(apis.values()))["Properties"]
    assert api["EndpointConfiguration"]["Types"] == ["REGIONAL"]
    stage = next(iter(stages.values()))["Properties"]
    assert stage["StageName"] == {"Ref": "StageName"}
    assert stage["TracingEnabled"] is True
    access_format = stage["AccessLogSetting"]["Format"]
    for field in (
        "requestId",
        "identity.sourceIp",
        "httpMethod",
        "path",
        "status",
        "responseLatency",
        "integrationLatency",
        "tlsVersion",
    ):
        assert f"$context.{field}" in access_format
    for setting in stage["MethodSettings"]:
        assert setting["DataTraceEnabled"] is False, "data tracing logs whole request bodies"
        assert setting["LoggingLevel"] == "ERROR"


@pytest.mark.parametrize("color", COLORS)
def test_every_path_and_method_reaches_the_function_through_its_own_api_only(color: str) -> None:
    prefix = color.capitalize()
    expanded = expand(color)
    body = expanded["Resources"][f"{prefix}Api"]["Properties"]["Body"]
    assert set(body["paths"]) == {"/", "/{proxy+}"}
    for path in body["paths"].values():
        assert set(path) == {"x-amazon-apigateway-any-method"}
    permissions = _of_type(expanded, "AWS::Lambda::Permission")
    assert permissions
    for permission in permissions.values():
        source = permission["Properties"]["SourceArn"]["Fn::Sub"]
        assert source[1]["__ApiId__"] == {"Ref": f"{prefix}Api"}, "invoke scoped to this color's API"


@pytest.mark.parametrize("color", COLORS)
def test_function_role_allows_no_wildcard_action(color: str) -> None:
    role = load_stack(color)["Resources"][f"{color.capitalize()}FunctionRole"]["Properties"]
    actions = [
        action
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        for action in statement["Action"]
    ]
    assert actions and all("*" not in action for action in actions)


@pytest.mark.parametrize("color", COLORS)
def test_account_cloudwatch_role_is_opt_in_and_outlives_the_stack(color: str) -> None:
    resources = load_stack(color)["Resources"]
    for name in ("ApiGatewayCloudWatchLogsRole", "ApiGatewayAccount"):
        assert resources[name]["Condition"] == "CreateApiGatewayCloudWatchRole"
        assert resources[name]["DeletionPolicy"] == "Retain", "the other color still logs through it"
    default = expand(color)
    assert (
        "ApiGatewayAccount" not in default["Resources"]
        or default["Resources"]["ApiGatewayAccount"].get("Condition") == "CreateApiGatewayCloudWatchRole"
    )


@pytest.mark.parametrize("color", COLORS)
def test_alarms_the_bake_watches_are_all_listed_in_the_output(color: str) -> None:
    prefix = color.capitalize()
    template = load_stack(color)
    alarms = set(_of_type(template, "AWS::CloudWatch::Alarm"))
    listed = {ref["Ref"] for ref in template["Outputs"][f"{prefix}AlarmNames"]["Value"]["Fn::Join"][1]}
    assert alarms == listed
    metrics = {template["Resources"][a]["Properties"]["MetricName"] for a in alarms}
    assert metrics == {"5XXError", "Latency", "Errors", "Throttles"}


def _statements(template: dict[str, Any], color: str) -> list[dict[str, Any]]:
    role = template["Resources"][f"{color.capitalize()}FunctionRole"]["Properties"]
    return [statement for policy in role["Policies"] for statement in policy["PolicyDocument"]["Statement"]]


def _imported_export(value: Any) -> str:
    """The export name a `Fn::ImportValue: !Sub "${DataStackName}-X"` names, with the default stack."""
    sub = value["Fn::ImportValue"]["Fn::Sub"]
    return str(sub).replace("${DataStackName}", "petstore-data")


@pytest.mark.parametrize("color", COLORS)
def test_the_function_finds_the_data_stack_tables_through_its_exports(color: str) -> None:
    # GIVEN a color stack deployed with a plain sam deploy (no table names passed)
    template = load_stack(color)
    assert template["Parameters"]["DataStackName"]["Default"] == "petstore-data"
    variables = template["Resources"][f"{color.capitalize()}Function"]["Properties"]["Environment"][
        "Variables"
    ]
    # THEN the function's table names are imported from what the data stack exports
    exported = {
        name: output["Export"]["Name"]["Fn::Sub"].replace("${AWS::StackName}", "petstore-data")
        for name, output in load_stack("data")["Outputs"].items()
        if "Export" in output
    }
    assert _imported_export(variables["ORDERS_TABLE_NAME"]) == exported["OrdersTableName"]
    assert _imported_export(variables["IDEMPOTENCY_TABLE_NAME"]) == exported["IdempotencyTableName"]


@pytest.mark.parametrize("color", COLORS)
def test_the_function_may_only_get_and_put_single_orders(color: str) -> None:
    template = load_stack(color)
    data_actions = {
        _imported_export(statement["Resource"]): sorted(statement["Action"])
        for statement in _statements(template, color)
        if any(action.startswith("dynamodb:") for action in statement["Action"])
    }
    assert data_actions == {
        "petstore-data-OrdersTableArn": ["dynamodb:GetItem", "dynamodb:PutItem"],
        # DeleteItem only on idempotency records: Powertools releases a key whose order failed.
        "petstore-data-IdempotencyTableArn": [
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ],
    }
    for statement in _statements(template, color):
        assert not any(
            action in {"dynamodb:Scan", "dynamodb:Query", "dynamodb:*"} for action in statement["Action"]
        )
