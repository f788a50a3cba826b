"""Lambda authorizers (TOKEN and REQUEST) on REST API methods, as API Gateway runs them.

Identity sources are checked first (401 without calling the function); the result is cached per authorizer
and identity values for authorizerResultTtlInSeconds; the returned IAM policy is evaluated against the
method ARN on every request (a cached policy too), an explicit Deny winning.
Docs: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
      https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
      https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localcloud.dataplane.arn_patterns import arn_like, as_list
from localcloud.dataplane.gateway_errors import (
    AuthorizerConfigurationError,
    ExplicitDeny,
    NotAllowed,
    Unauthorized,
)
from localcloud.dataplane.method_config import AuthorizerConfig

log = logging.getLogger("localcloud.dataplane")

_SUPPORTED_TYPES = ("TOKEN", "REQUEST")
_CACHE_LIMIT = 10_000  # distinct identities kept; bounds memory under many random tokens


class AuthorizerFunctionFailed(Exception):
    """The authorizer function raised; `message` is its errorMessage."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Calls the authorizer's Lambda: (authorizer, event, stage variables for its URI) -> its JSON answer.
# Raises AuthorizerFunctionFailed for a function error, AuthorizerConfigurationError when it cannot run.
InvokeAuthorizer = Callable[[AuthorizerConfig, dict[str, Any], dict[str, str]], Any]


@dataclass(frozen=True)
class RequestView:
    """What identity sources can name: headers (any case), query string, stage variables, context."""

    headers: dict[str, str]  # lower-case names
    query: dict[str, str]
    stage_variables: dict[str, str]
    context: dict[str, Any]


@dataclass(frozen=True)
class Authorization:
    """An allowed request: what the integration sees in requestContext.authorizer."""

    principal_id: str
    context: dict[str, str]
    usage_identifier_key: str | None
    latency_ms: int


@dataclass(frozen=True)
class _Decision:
    principal_id: str
    statements: tuple[dict[str, Any], ...]
    context: dict[str, str]
    usage_identifier_key: str | None


def _context_value(view: RequestView, path: str) -> Any:
    value: Any = view.context
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def identity_value(view: RequestView, source: str) -> str | None:
    """The value an identity source names, or None when it is absent or empty."""
    value: Any = None
    if source.startswith("method.request.header."):
        value = view.headers.get(source.removeprefix("method.request.header.").lower())
    elif source.startswith("method.request.querystring."):
        value = view.query.get(source.removeprefix("method.request.querystring."))
    elif source.startswith("stageVariables."):
        value = view.stage_variables.get(source.removeprefix("stageVariables."))
    elif source.startswith("context."):
        value = _context_value(view, source.removeprefix("context."))
    return str(value) if value not in (None, "") else None


def _stringified(context: Any) -> dict[str, str]:
    """The context map: string, number and boolean values only, passed on as strings."""
    if context is None:
        return {}
    if not isinstance(context, dict):
        raise AuthorizerConfigurationError()
    result: dict[str, str] = {}
    for key, value in context.items():
        if isinstance(value, bool):
            result[str(key)] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            result[str(key)] = str(value)
        else:  # objects and arrays are refused by API Gateway
            raise AuthorizerConfigurationError()
    return result


def _decision(answer: Any) -> _Decision:
    """Validate the function's answer: principalId and a policyDocument with statements are required."""
    if not isinstance(answer, dict) or "principalId" not in answer:
        raise AuthorizerConfigurationError()
    document = answer.get("policyDocument")
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            raise AuthorizerConfigurationError() from None
    if not isinstance(document, dict):
        raise AuthorizerConfigurationError()
    statements = document.get("Statement")
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        raise AuthorizerConfigurationError()
    key = answer.get("usageIdentifierKey")
    return _Decision(
        principal_id=str(answer["principalId"]),
        statements=tuple(statements),
        context=_stringified(answer.get("context")),
        usage_identifier_key=str(key) if key else None,
    )


def _covers(statement: dict[str, Any], method_arn: str) -> bool:
    # Action names are case-insensitive in IAM; execute-api:*, * and execute-api:Invoke all grant it.
    actions = as_list(statement.get("Action"))
    if not any(arn_like(action.lower(), "execute-api:invoke") for action in actions):
        return False
    return any(arn_like(resource, method_arn) for resource in as_list(statement.get("Resource")))


def evaluate(statements: tuple[dict[str, Any], ...], method_arn: str) -> None:
    """Raise unless an Allow covers the method and no Deny does (a Deny always wins).

    Statements with a Condition, NotAction or NotResource cannot be evaluated here: such an Allow is
    ignored and such a Deny applies, so the local answer is never more permissive than AWS's.
    """
    allowed = False
    for statement in statements:
        effect = str(statement.get("Effect", ""))
        unsupported = any(k in statement for k in ("Condition", "NotAction", "NotResource"))
        if effect == "Deny" and (unsupported or _covers(statement, method_arn)):
            raise ExplicitDeny()
        if effect == "Allow" and not unsupported and _covers(statement, method_arn):
            allowed = True
    if not allowed:
        raise NotAllowed()


class LambdaAuthorizers:
    """Runs the authorizer of a method; keeps the per-identity result cache of every authorizer."""

    def __init__(self, invoke: InvokeAuthorizer, clock: Callable[[], float] = time.monotonic) -> None:
        self._invoke = invoke
        self._clock = clock
        self._cache: dict[tuple[str, ...], tuple[float, _Decision]] = {}
        self._lock = threading.Lock()

    def authorize(
        self,
        authorizer: AuthorizerConfig,
        view: RequestView,
        method_arn: str,
        cache_scope: tuple[str, str],
        request_event: Callable[[], dict[str, Any]],
    ) -> Authorization:
        """cache_scope is (api id, stage); request_event builds the REQUEST authorizer's event."""
        values = [identity_value(view, source) for source in authorizer.identity_sources]
        if any(value is None for value in values):
            raise Unauthorized()
        if authorizer.type not in _SUPPORTED_TYPES:
            log.warning("Authorizer type %s is not supported by the local cloud", authorizer.type)
            raise AuthorizerConfigurationError()
        present = [value for value in values if value is not None]
        if authorizer.type == "TOKEN":
            if not present:
                raise AuthorizerConfigurationError()  # a TOKEN authorizer needs its token header
            expression = authorizer.validation_expression
            if expression and re.fullmatch(expression, present[0]) is None:
                raise Unauthorized()  # the function is not called
        started = time.perf_counter()
        # The function's URI is part of the key: a redeployed authorizer does not serve an old answer.
        key = (*cache_scope, authorizer.id, authorizer.uri or "", *present)
        caching = authorizer.ttl_s > 0 and bool(present)
        decision = self._cached(key) if caching else None
        if decision is None:
            decision = self._call(authorizer, method_arn, present, request_event, view.stage_variables)
            if caching:
                with self._lock:
                    if len(self._cache) >= _CACHE_LIMIT:
                        self._evict_expired()
                    self._cache[key] = (self._clock() + authorizer.ttl_s, decision)
        evaluate(decision.statements, method_arn)
        return Authorization(
            principal_id=decision.principal_id,
            context=decision.context,
            usage_identifier_key=decision.usage_identifier_key,
            latency_ms=int((time.perf_counter() - started) * 1000),
        )

    def _evict_expired(self) -> None:
        """Called with the lock held: drop expired entries, and the oldest half if all are fresh."""
        now = self._clock()
        for key in [k for k, (expires, _) in self._cache.items() if expires <= now]:
            del self._cache[key]
        if len(self._cache) >= _CACHE_LIMIT:
            for key in list(self._cache)[: _CACHE_LIMIT // 2]:
                del self._cache[key]

    def _cached(self, key: tuple[str, ...]) -> _Decision | None:
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                return None
            if entry[0] <= self._clock():
                del self._cache[key]
                return None
            return entry[1]

    def _call(
        self,
        authorizer: AuthorizerConfig,
        method_arn: str,
        identity: list[str],
        request_event: Callable[[], dict[str, Any]],
        stage_variables: dict[str, str],
    ) -> _Decision:
        if authorizer.type == "TOKEN":
            event: dict[str, Any] = {
                "type": "TOKEN",
                "authorizationToken": identity[0],
                "methodArn": method_arn,
            }
        else:
            event = {"type": "REQUEST", "methodArn": method_arn, **request_event()}
        try:
            answer = self._invoke(authorizer, event, stage_variables)
        except AuthorizerFunctionFailed as failure:
            if failure.message == "Unauthorized":
                raise Unauthorized() from None
            log.warning("Authorizer %s failed: %s", authorizer.name, failure.message)
            raise AuthorizerConfigurationError() from None
        return _decision(answer)
