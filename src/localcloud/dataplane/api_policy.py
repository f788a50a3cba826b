"""The REST API's own resource policy (execute-api:Invoke), evaluated for each request.

An explicit Deny refuses the request; without a covering Allow an anonymous caller is refused, while a
method with a Lambda authorizer leaves the decision to the authorizer. Conditions on `aws:SourceIp`
(IpAddress / NotIpAddress) are evaluated and `aws:SourceVpce` / `aws:SourceVpc` are absent (no VPC
endpoints locally); a condition the local cloud cannot evaluate makes an Allow grant nothing and a Deny
apply, never the reverse.
Doc: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from localcloud.dataplane.arn_patterns import arn_like, as_list
from localcloud.dataplane.gateway_errors import GatewayError


class PolicyDenied(GatewayError):
    status = 403
    error_type = "AccessDeniedException"
    response_type = "ACCESS_DENIED"

    def __init__(self, method_arn: str, explicit: bool) -> None:
        super().__init__(method_arn)
        # AWS masks all but the last four digits of the account in this message.
        parts = method_arn.split(":", 5)
        if len(parts) == 6:
            parts[4] = "********" + parts[4][-4:]
        shown = ":".join(parts)
        suffix = " with an explicit deny" if explicit else ""
        message = (
            f"User: anonymous is not authorized to perform: execute-api:Invoke on resource: {shown}{suffix}"
        )
        self.body = json.dumps({"Message": message}, separators=(",", ":"))


def _document(policy: Any) -> dict[str, Any] | None:
    if not policy:
        return None
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}
    return policy if isinstance(policy, dict) else None


def _resource_pattern(resource: str, api_arn: str) -> str:
    # "execute-api:/stage/VERB/path" is shorthand for this API's ARN.
    if resource.startswith("execute-api:/"):
        return api_arn + resource.removeprefix("execute-api:")
    return resource


def _condition(operator: str, key: str, expected: list[str], source_ip: str) -> bool | None:
    key = key.lower()
    if key == "aws:sourceip" and operator in ("IpAddress", "NotIpAddress"):
        try:
            address = ipaddress.ip_address(source_ip)
            inside = any(address in ipaddress.ip_network(net, strict=False) for net in expected)
        except ValueError:
            return None
        return inside if operator == "IpAddress" else not inside
    if key in ("aws:sourcevpce", "aws:sourcevpc") and operator in ("StringNotEquals", "StringNotLike"):
        return True  # the key is absent: no request arrives through a VPC endpoint locally
    if key in ("aws:sourcevpce", "aws:sourcevpc") and operator in ("StringEquals", "StringLike"):
        return False
    return None


def _applies(statement: dict[str, Any], method_arn: str, api_arn: str, source_ip: str) -> bool | None:
    principal = statement.get("Principal")
    if not (principal == "*" or (isinstance(principal, dict) and "*" in as_list(principal.get("AWS")))):
        return False  # names a specific principal: not an anonymous caller
    if not any(arn_like(a.lower(), "execute-api:invoke") for a in as_list(statement.get("Action"))):
        return False
    resources = [_resource_pattern(r, api_arn) for r in as_list(statement.get("Resource"))]
    if not any(arn_like(resource, method_arn) for resource in resources):
        return False
    if any(k in statement for k in ("NotAction", "NotResource", "NotPrincipal")):
        return None
    for operator, checks in (statement.get("Condition") or {}).items():
        for key, expected in (checks or {}).items():
            held = _condition(str(operator), str(key), as_list(expected), source_ip)
            if held is not True:
                return held
    return True


def check_api_policy(api: Any, method_arn: str, source_ip: str, has_authorizer: bool) -> None:
    """Raise PolicyDenied when the API's resource policy refuses this request."""
    document = _document(getattr(api, "policy", None))
    if document is None:
        return
    api_arn = method_arn.split("/", 1)[0]
    statements = document.get("Statement")
    statements = [statements] if isinstance(statements, dict) else list(statements or [])
    allowed = False
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        applies = _applies(statement, method_arn, api_arn, source_ip)
        if statement.get("Effect") == "Deny" and applies is not False:
            raise PolicyDenied(method_arn, explicit=True)
        if statement.get("Effect") == "Allow" and applies is True:
            allowed = True
    if not allowed and not has_authorizer:
        raise PolicyDenied(method_arn, explicit=False)
