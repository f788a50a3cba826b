"""A Lambda function's resource-based policy, checked before API Gateway invokes it.

Without a statement allowing apigateway.amazonaws.com to call lambda:InvokeFunction for the request's
execute-api source ARN (and account), the invoke is refused; API Gateway then answers 500
(integration) or AUTHORIZER_CONFIGURATION_ERROR (authorizer). An integration or authorizer with its own
credentials (an IAM role) is not checked against the resource policy.
Docs: https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html
      https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
"""

from __future__ import annotations

import fnmatch
from typing import Any

from localcloud.dataplane.arn_patterns import arn_like, as_list

_PRINCIPAL = "apigateway.amazonaws.com"


def _principal_matches(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        services = as_list(principal.get("Service"))
        return _PRINCIPAL in services or "*" in as_list(principal.get("AWS"))
    return False


def _action_matches(statement: dict[str, Any]) -> bool:
    return any(arn_like(a.lower(), "lambda:invokefunction") for a in as_list(statement.get("Action")))


def _condition_holds(operator: str, key: str, expected: list[str], context: dict[str, str]) -> bool | None:
    """True/False, or None for an operator or key this check cannot evaluate."""
    actual = context.get(key.lower())
    if actual is None:
        return None
    if operator in ("ArnLike", "ArnEquals", "StringLike"):
        if operator == "StringLike":
            return any(fnmatch.fnmatchcase(actual, pattern) for pattern in expected)
        return any(arn_like(pattern, actual) for pattern in expected)
    if operator == "StringEquals":
        return actual in expected
    return None


def _conditions_hold(statement: dict[str, Any], context: dict[str, str]) -> bool | None:
    for operator, checks in (statement.get("Condition") or {}).items():
        for key, expected in (checks or {}).items():
            held = _condition_holds(str(operator), str(key), as_list(expected), context)
            if held is not True:
                return held
    return True


def api_gateway_may_invoke(function: Any, source_arn: str, source_account: str) -> bool:
    """Whether moto's function's policy lets API Gateway invoke it for this source ARN.

    A Deny that applies wins; a statement with a condition that cannot be evaluated never allows
    and always denies, so the local answer is never more permissive than AWS's.
    """
    policy = getattr(function, "policy", None)
    statements = list(getattr(policy, "statements", None) or [])
    context = {"aws:sourcearn": source_arn, "aws:sourceaccount": source_account}
    allowed = False
    for statement in statements:
        if not (_principal_matches(statement.get("Principal")) and _action_matches(statement)):
            continue
        held = _conditions_hold(statement, context)
        if statement.get("Effect", "Allow") == "Deny" and held is not False:
            return False
        if statement.get("Effect", "Allow") == "Allow" and held is True:
            allowed = True
    return allowed
