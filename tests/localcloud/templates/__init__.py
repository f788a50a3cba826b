"""Templates and small helpers for the local cloud's control-plane tests."""

from pathlib import Path
from typing import Any

import boto3

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


def issued_certificate(domain: str, region: str = REGION, **clients: Any) -> str:
    """An ISSUED ACM certificate for `domain` (the same one on every call): DNS validation completes on
    the next read, as the local cloud server configures it."""
    from localcloud.extensions._moto import settings

    acm = clients.get("acm") or boto3.client("acm", region_name=region)
    token = "".join(c for c in domain if c.isalnum())[:32]
    previous, settings.ACM_VALIDATION_WAIT = settings.ACM_VALIDATION_WAIT, 0
    try:  # the read validates it; the setting is restored for whatever runs next
        requested = acm.request_certificate(DomainName=domain, ValidationMethod="DNS", IdempotencyToken=token)
        arn = str(requested["CertificateArn"])
        assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"] == "ISSUED"
    finally:
        settings.ACM_VALIDATION_WAIT = previous
    return arn


def domain_params(zone_id: str, api_id: str, stage: str, **extra: str) -> list[dict[str, str]]:
    return params(
        PublicHostedZoneId=zone_id,
        CustomDomainName="api.example.com",
        CertificateArn=issued_certificate("api.example.com"),
        ActiveApiId=api_id,
        ActiveApiStage=stage,
        **extra,
    )
