"""Property values the local cloud cannot honour fail the resource, naming the feature (no false success).

Each rule looks at one resource type's properties and returns why the local cloud cannot do it, or None.
Extensions that add a feature remove or narrow its rule; extensions that find a new gap add one with
`refuse(...)`. The stack engine checks every resource before creating or updating it.
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html
"""

from collections.abc import Callable
from typing import Any

Rule = Callable[[dict[str, Any]], str | None]

_rules: dict[str, list[Rule]] = {}


def refuse(resource_type: str) -> Callable[[Rule], Rule]:
    """Decorator: declare a rule for `resource_type`."""

    def declare(rule: Rule) -> Rule:
        _rules.setdefault(resource_type, []).append(rule)
        return rule

    return declare


def withdraw(resource_type: str, rule: Rule) -> None:
    """An extension that now supports the feature takes the rule back."""
    _rules.get(resource_type, []).remove(rule)


def reason(resource_type: str, properties: dict[str, Any]) -> str | None:
    for rule in _rules.get(resource_type, []):
        found = rule(properties)
        if found:
            return f"{found} is not supported by the local cloud"
    return None


@refuse("AWS::ApiGateway::Authorizer")
def _cognito_authorizer(properties: dict[str, Any]) -> str | None:
    # Lambda TOKEN/REQUEST authorizers are emulated; Cognito user pools are not.
    kind = properties.get("Type")
    return f"An authorizer of Type {kind}" if kind == "COGNITO_USER_POOLS" else None


@refuse("AWS::ApiGateway::RestApi")
def _body_in_s3(properties: dict[str, Any]) -> str | None:
    return "RestApi BodyS3Location (an OpenAPI document in S3)" if "BodyS3Location" in properties else None


@refuse("AWS::ApiGateway::DomainName")
def _mutual_tls(properties: dict[str, Any]) -> str | None:
    return "DomainName MutualTlsAuthentication" if properties.get("MutualTlsAuthentication") else None
