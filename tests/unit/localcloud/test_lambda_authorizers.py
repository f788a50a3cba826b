"""Lambda authorizer rules of the local data plane: identity sources, result cache TTL, policy evaluation."""

from __future__ import annotations

from typing import Any

import pytest

from localcloud.dataplane.authorizers import (
    AuthorizerFunctionFailed,
    LambdaAuthorizers,
    RequestView,
    evaluate,
)
from localcloud.dataplane.gateway_errors import (
    AuthorizerConfigurationError,
    ExplicitDeny,
    NotAllowed,
    Unauthorized,
)
from localcloud.dataplane.method_config import AuthorizerConfig

METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/live/GET/pets/7"


def token_authorizer(ttl_s: int = 300, expression: str | None = None) -> AuthorizerConfig:
    return AuthorizerConfig(
        id="auth1",
        name="TokenAuth",
        type="TOKEN",
        uri="arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/x/invocations",
        credentials=None,
        identity_sources=("method.request.header.Authorization",),
        validation_expression=expression,
        ttl_s=ttl_s,
    )


def allow(resource: str = "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/GET/*") -> dict[str, Any]:
    return {
        "principalId": "alice",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resource}],
        },
        "context": {"tier": "gold", "n": 1, "ok": False},
    }


class FakeFunction:
    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.events: list[dict[str, Any]] = []

    def __call__(self, authorizer: AuthorizerConfig, event: dict[str, Any], variables: dict[str, str]) -> Any:
        self.events.append(event)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def view(token: str | None) -> RequestView:
    headers = {"authorization": token} if token is not None else {}
    return RequestView(headers=headers, query={}, stage_variables={}, context={})


def run(authorizers: LambdaAuthorizers, config: AuthorizerConfig, token: str | None) -> Any:
    return authorizers.authorize(config, view(token), METHOD_ARN, ("abc123", "live"), dict)


def test_a_missing_token_is_401_and_the_function_is_not_called() -> None:
    function = FakeFunction(allow())

    with pytest.raises(Unauthorized):
        run(LambdaAuthorizers(function), token_authorizer(), None)

    assert function.events == []


def test_a_token_failing_the_validation_expression_is_401_without_a_call() -> None:
    function = FakeFunction(allow())

    with pytest.raises(Unauthorized):
        run(LambdaAuthorizers(function), token_authorizer(expression="^Bearer .+$"), "Basic x")

    assert function.events == []


def test_the_function_gets_the_token_and_the_method_arn_and_its_context_comes_back_as_strings() -> None:
    function = FakeFunction(allow())

    result = run(LambdaAuthorizers(function), token_authorizer(), "tok")

    assert function.events == [{"type": "TOKEN", "authorizationToken": "tok", "methodArn": METHOD_ARN}]
    assert result.principal_id == "alice"
    assert result.context == {"tier": "gold", "n": "1", "ok": "false"}


def test_a_cached_result_is_reused_until_its_ttl_expires() -> None:
    function, clock = FakeFunction(allow()), Clock()
    authorizers = LambdaAuthorizers(function, clock)

    run(authorizers, token_authorizer(ttl_s=300), "tok")
    clock.now += 299
    run(authorizers, token_authorizer(ttl_s=300), "tok")
    assert len(function.events) == 1
    clock.now += 2
    run(authorizers, token_authorizer(ttl_s=300), "tok")

    assert len(function.events) == 2


def test_a_ttl_of_0_calls_the_function_every_time() -> None:
    function = FakeFunction(allow())
    authorizers = LambdaAuthorizers(function)

    run(authorizers, token_authorizer(ttl_s=0), "tok")
    run(authorizers, token_authorizer(ttl_s=0), "tok")

    assert len(function.events) == 2


def test_a_cached_policy_is_evaluated_against_each_method() -> None:
    function = FakeFunction(allow("arn:aws:execute-api:eu-west-1:123456789012:abc123/live/GET/pets/7"))
    authorizers = LambdaAuthorizers(function)
    run(authorizers, token_authorizer(), "tok")

    with pytest.raises(NotAllowed):
        authorizers.authorize(
            token_authorizer(),
            view("tok"),
            METHOD_ARN.replace("/7", "/8"),
            ("abc123", "live"),
            dict,
        )


def test_unauthorized_from_the_function_is_401_and_other_failures_are_500() -> None:
    with pytest.raises(Unauthorized):
        run(
            LambdaAuthorizers(FakeFunction(AuthorizerFunctionFailed("Unauthorized"))), token_authorizer(), "t"
        )
    with pytest.raises(AuthorizerConfigurationError):
        run(LambdaAuthorizers(FakeFunction(AuthorizerFunctionFailed("boom"))), token_authorizer(), "t")
    with pytest.raises(AuthorizerConfigurationError):
        run(LambdaAuthorizers(FakeFunction({"principalId": "x"})), token_authorizer(), "t")
    with pytest.raises(AuthorizerConfigurationError):
        run(LambdaAuthorizers(FakeFunction({**allow(), "context": {"nested": {}}})), token_authorizer(), "t")


@pytest.mark.parametrize(
    ("statements", "outcome"),
    [
        ([{"Effect": "Allow", "Action": "execute-api:*", "Resource": "arn:aws:execute-api:*"}], None),
        ([{"Effect": "Allow", "Action": "*", "Resource": "*"}], None),
        ([{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*/POST/*"}], NotAllowed),
        (
            [
                {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"},
                {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "*/GET/pets/*"},
            ],
            ExplicitDeny,
        ),
        (
            [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*", "Condition": {"x": {}}}],
            NotAllowed,
        ),
        ([{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*/live/GET/pets/?"}], None),
    ],
)
def test_policy_evaluation_allows_only_what_an_allow_covers_and_no_deny_does(
    statements: list[dict[str, Any]], outcome: type[Exception] | None
) -> None:
    if outcome is None:
        evaluate(tuple(statements), METHOD_ARN)
    else:
        with pytest.raises(outcome):
            evaluate(tuple(statements), METHOD_ARN)


def test_the_result_cache_stays_bounded_under_many_distinct_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("localcloud.dataplane.authorizers._CACHE_LIMIT", 8)
    function = FakeFunction(allow())
    authorizers = LambdaAuthorizers(function)

    for n in range(50):
        run(authorizers, token_authorizer(), f"token-{n}")
    run(authorizers, token_authorizer(), "token-49")

    assert len(authorizers._cache) <= 8
    assert len(function.events) == 50  # the newest answers are still cached
