"""Templates and small helpers for the local cloud's control-plane tests."""

from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
REGION = "eu-west-1"
ACCOUNT = "123456789012"
# CreateStack/UpdateStack of a SAM template with an IAM role acknowledges both.
SAM_CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]


def body(name: str) -> str:
    return (HERE / name).read_text()


def params(**values: str) -> list[dict[str, str]]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


def keep(*names: str) -> list[dict[str, Any]]:
    return [{"ParameterKey": n, "UsePreviousValue": True} for n in names]


def outputs(cf: Any, stack: str) -> dict[str, str]:
    found = cf.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs") or []
    return {o["OutputKey"]: o["OutputValue"] for o in found}


def status(cf: Any, stack: str) -> str:
    return str(cf.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])


def events(cf: Any, stack: str) -> list[dict[str, Any]]:
    """Oldest first."""
    return list(reversed(cf.describe_stack_events(StackName=stack)["StackEvents"]))


def deploy_color(cf: Any, stack: str, **values: str) -> dict[str, str]:
    cf.create_stack(
        StackName=stack,
        TemplateBody=body("color_api.yaml"),
        Parameters=params(**values),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    assert status(cf, stack) == "CREATE_COMPLETE", events(cf, stack)
    return outputs(cf, stack)


def domain_params(zone_id: str, api_id: str, stage: str, **extra: str) -> list[dict[str, str]]:
    return params(
        PublicHostedZoneId=zone_id,
        CustomDomainName="api.example.com",
        CertificateArn=f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/abc",
        ActiveApiId=api_id,
        ActiveApiStage=stage,
        **extra,
    )
