"""Routing rules of REST custom domains: the apigatewayv2 APIs and AWS::ApiGatewayV2::RoutingRule.

The rules live on moto's apigateway DomainName (`routing_rules`, a tuple replaced in one assignment), next
to its `routing_mode`, so the data plane reads one consistent set per request and the rules go with the
domain when it is deleted. Validation follows the documented restrictions; errors are AWS's exception types.
Docs: https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-routing-rules.html
      https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/domainnames-domainname-routingrules.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigatewayv2-routingrule.html
"""

from __future__ import annotations

import json
import re
import secrets
import string
import threading
from typing import Any

from localcloud.dataplane.routing_rules import HeaderCondition, InvokeApi, RoutingMode, RoutingRule
from localcloud.patches import Patch, register

from ._moto import (
    apigw,
    apigw_urls,
    apigwv2_exceptions,
    apigwv2_responses,
    apigwv2_urls,
)
from .cfn_provider import ResourceProvider

_V2Error: Any = apigwv2_exceptions.APIGatewayV2Error
_V2Response: Any = apigwv2_responses.ApiGatewayV2Response

MAX_PRIORITY = 1_000_000
_HEADER_CHARS = re.compile(r"^[A-Za-z0-9*?\-!#$%&'.^_`|~]+$")
_BASE_PATH_CHARS = re.compile(r"^[A-Za-z0-9$\-_.+!*'()/]+$")
_RESTRICTED_HEADERS = {
    "authorization",
    "connection",
    "content-encoding",
    "content-length",
    "content-location",
    "forwarded",
    "keep-alive",
    "origin",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "x-apigw-api-id",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-restapi",
    "via",
}
_RESTRICTED_PREFIXES = ("access-control-", "apigw-", "x-amz-", "x-amzn-")
_DOMAIN_ARN = re.compile(
    r"^arn:aws[a-z-]*:apigateway:(?P<region>[a-z0-9-]+):\d*:/domainnames/(?P<name>[^/+]+)$"
)
_lock = threading.Lock()  # create/put/delete read-modify-write the domain's rule tuple


class BadRequest(_V2Error):  # type: ignore[misc]
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("BadRequestException", message)


class NotFound(_V2Error):  # type: ignore[misc]
    code = 404

    def __init__(self, message: str) -> None:
        super().__init__("NotFoundException", message)


class Conflict(_V2Error):  # type: ignore[misc]
    code = 409

    def __init__(self, message: str) -> None:
        super().__init__("ConflictException", message)


# --- reading and validating a rule (the API's camelCase shape) ------------------------------------


def _header_condition(match: Any) -> HeaderCondition:
    any_of = match.get("anyOf") if isinstance(match, dict) else None
    if not isinstance(any_of, list) or len(any_of) != 1 or not isinstance(any_of[0], dict):
        raise BadRequest("Each anyOf condition can only contain one header value.")
    header, glob = any_of[0].get("header"), any_of[0].get("valueGlob")
    if not isinstance(header, str) or not isinstance(glob, str) or not header or not glob:
        raise BadRequest("A matchHeaders condition needs a header and a valueGlob.")
    lowered = header.lower()
    if "*" in header or not _HEADER_CHARS.match(header) or len(header) >= 40:
        raise BadRequest(f"Invalid header name: {header}. Wildcards are not supported in header names.")
    if lowered in _RESTRICTED_HEADERS or lowered.startswith(_RESTRICTED_PREFIXES):
        raise BadRequest(f"Header {header} is not supported in a routing rule condition.")
    infix = glob.startswith("*") and glob.endswith("*") and glob != "*"
    if not _HEADER_CHARS.match(glob) or len(glob) >= 128 or (infix and len(glob) >= 40):
        raise BadRequest(f"Invalid header glob value: {glob}")
    if "*" in glob.strip("*") or glob.startswith("**") or (glob.endswith("**") and glob != "*"):
        raise BadRequest(
            f"Invalid header glob value: {glob}. "
            "A wildcard must be *prefix-match, suffix-match* or *contains*."
        )
    return HeaderCondition(header, glob)


def _base_path_condition(match: Any) -> str:
    any_of = match.get("anyOf") if isinstance(match, dict) else None
    if not isinstance(any_of, list) or len(any_of) != 1 or not isinstance(any_of[0], str):
        raise BadRequest("A base path condition can only contain one base path.")
    base_path: str = any_of[0]
    valid = bool(_BASE_PATH_CHARS.match(base_path)) and len(base_path) < 128
    if not valid or base_path.startswith("/") or base_path.endswith("/"):
        raise BadRequest(f"Invalid base path: {base_path}")
    return base_path


def _conditions(conditions: Any) -> tuple[tuple[HeaderCondition, ...], str | None]:
    if not isinstance(conditions, list):
        raise BadRequest("conditions is required.")
    headers: list[HeaderCondition] = []
    base_paths: list[str] = []
    for condition in conditions:
        kinds = [
            k for k in ("matchHeaders", "matchBasePaths") if isinstance(condition, dict) and k in condition
        ]
        if len(kinds) != 1:
            raise BadRequest("Each condition must contain exactly one of matchHeaders or matchBasePaths.")
        if kinds[0] == "matchHeaders":
            headers.append(_header_condition(condition["matchHeaders"]))
        else:
            base_paths.append(_base_path_condition(condition["matchBasePaths"]))
    if len(headers) > 2 or len(base_paths) > 1:
        raise BadRequest(
            "Conditions can contain up to two matchHeaders conditions and one matchBasePaths condition."
        )
    return tuple(headers), (base_paths[0] if base_paths else None)


def _priority(priority: Any) -> int:
    if isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= MAX_PRIORITY:
        raise BadRequest(f"Invalid priority: {priority}. Priority must be between 1 and {MAX_PRIORITY}.")
    return priority


def _action(backend: Any, actions: Any) -> InvokeApi:
    if not isinstance(actions, list) or len(actions) != 1 or not isinstance(actions[0], dict):
        raise BadRequest("A routing rule must have exactly one action.")
    invoke = actions[0].get("invokeApi")
    if not isinstance(invoke, dict):
        raise BadRequest("The only supported action is invokeApi.")
    api_id, stage = invoke.get("apiId"), invoke.get("stage")
    if not isinstance(api_id, str) or not isinstance(stage, str) or not api_id or not 1 <= len(stage) <= 128:
        raise BadRequest("invokeApi needs an apiId and a stage.")
    api = backend.apis.get(api_id)
    if api is None:  # the target API must be a REST API in the domain's account (and region)
        raise NotFound(f"Invalid API identifier specified {api_id}")
    if stage not in api.stages:
        raise BadRequest(f"Invalid stage identifier specified: {stage}")
    return InvokeApi(api_id, stage, bool(invoke.get("stripBasePath", False)))


def parse_rule(backend: Any, rule_id: str, body: dict[str, Any]) -> RoutingRule:
    headers, base_path = _conditions(body.get("conditions"))
    priority = _priority(body.get("priority"))
    return RoutingRule(rule_id, priority, _action(backend, body.get("actions")), headers, base_path)


def rule_json(account_id: str, region: str, domain_name: str, rule: RoutingRule) -> dict[str, Any]:
    conditions: list[dict[str, Any]] = [
        {"matchHeaders": {"anyOf": [{"header": h.header, "valueGlob": h.value_glob}]}} for h in rule.headers
    ]
    if rule.base_path is not None:
        conditions.append({"matchBasePaths": {"anyOf": [rule.base_path]}})
    action = rule.action
    return {
        "actions": [
            {
                "invokeApi": {
                    "apiId": action.api_id,
                    "stage": action.stage,
                    "stripBasePath": action.strip_base_path,
                }
            }
        ],
        "conditions": conditions,
        "priority": rule.priority,
        "routingRuleArn": rule_arn(account_id, region, domain_name, rule.rule_id),
        "routingRuleId": rule.rule_id,
    }


def rule_arn(account_id: str, region: str, domain_name: str, rule_id: str) -> str:
    return f"arn:aws:apigateway:{region}:{account_id}:/domainnames/{domain_name}/routingrules/{rule_id}"


# --- the store: the rule tuple on moto's DomainName ----------------------------------------------


def _domain(backend: Any, domain_name: str, domain_name_id: str | None = None) -> Any:
    domain = backend.domain_names.get(domain_name)
    if domain is None:
        raise NotFound(f"Invalid domain name identifier specified: {domain_name}")
    if domain_name_id is not None:  # private custom domains (the only ones with an id) are not emulated
        raise NotFound(f"Invalid domain name id specified: {domain_name_id}")
    return domain


def rules_of(domain: Any) -> tuple[RoutingRule, ...]:
    rules: tuple[RoutingRule, ...] = getattr(domain, "routing_rules", ())
    return rules


def routing_mode_of(domain: Any) -> RoutingMode:
    return RoutingMode(getattr(domain, "routing_mode", None) or RoutingMode.BASE_PATH_MAPPING_ONLY)


def _new_rule_id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(6))


def _store(domain: Any, rules: list[RoutingRule], rule: RoutingRule) -> None:
    if any(other.priority == rule.priority for other in rules):
        raise Conflict(f"A routing rule with priority {rule.priority} already exists for this domain name.")
    if not routing_mode_of(domain).uses_rules:
        raise BadRequest(
            "Routing rules can't be created or updated for a domain name whose routing mode is "
            f"{RoutingMode.BASE_PATH_MAPPING_ONLY}."
        )
    domain.routing_rules = tuple(sorted([*rules, rule], key=lambda r: r.priority))  # one assignment


def create_rule(
    backend: Any, domain_name: str, body: dict[str, Any], domain_name_id: str | None = None
) -> RoutingRule:
    with _lock:
        domain = _domain(backend, domain_name, domain_name_id)
        rule = parse_rule(backend, _new_rule_id(), body)
        _store(domain, list(rules_of(domain)), rule)
        return rule


def get_rule(backend: Any, domain_name: str, rule_id: str, domain_name_id: str | None = None) -> RoutingRule:
    domain = _domain(backend, domain_name, domain_name_id)
    for rule in rules_of(domain):
        if rule.rule_id == rule_id:
            return rule
    raise NotFound(f"Invalid routing rule identifier specified: {rule_id}")


def put_rule(
    backend: Any, domain_name: str, rule_id: str, body: dict[str, Any], domain_name_id: str | None = None
) -> RoutingRule:
    with _lock:
        domain = _domain(backend, domain_name, domain_name_id)
        get_rule(backend, domain_name, rule_id)
        rule = parse_rule(backend, rule_id, body)
        _store(domain, [r for r in rules_of(domain) if r.rule_id != rule_id], rule)
        return rule


def delete_rule(backend: Any, domain_name: str, rule_id: str, domain_name_id: str | None = None) -> None:
    with _lock:
        domain = _domain(backend, domain_name, domain_name_id)
        get_rule(backend, domain_name, rule_id)
        domain.routing_rules = tuple(r for r in rules_of(domain) if r.rule_id != rule_id)


# --- the apigatewayv2 API ----------------------------------------------------------------------


class RoutingRuleResponse(_V2Response):  # type: ignore[misc]
    """create/get/list/put/delete-routing-rule on /v2/domainnames/{domainName}/routingrules[/{id}]."""

    def _parts(self) -> tuple[Any, str, str | None, str | None]:
        parts = self.path.split("/")  # ["", "v2", "domainnames", name, "routingrules", id?]
        backend = apigw.apigateway_backends[self.current_account][self.region]
        rule_id = parts[5] if len(parts) > 5 and parts[5] else None
        return backend, parts[3], rule_id, self._get_param("domainNameId")

    def _json(self, status: int, rule: RoutingRule) -> Any:
        _, domain_name, _, _ = self._parts()
        return status, {}, json.dumps(rule_json(self.current_account, self.region, domain_name, rule))

    def _body(self) -> dict[str, Any]:
        try:
            body = json.loads(self.body or "{}")
        except ValueError:
            raise BadRequest("Invalid request body") from None
        if not isinstance(body, dict):
            raise BadRequest("Invalid request body")
        return body

    def create_routing_rule(self) -> Any:
        backend, domain_name, _, domain_name_id = self._parts()
        return self._json(201, create_rule(backend, domain_name, self._body(), domain_name_id))

    def get_routing_rule(self) -> Any:
        backend, domain_name, rule_id, domain_name_id = self._parts()
        return self._json(200, get_rule(backend, domain_name, rule_id or "", domain_name_id))

    def put_routing_rule(self) -> Any:
        backend, domain_name, rule_id, domain_name_id = self._parts()
        return self._json(200, put_rule(backend, domain_name, rule_id or "", self._body(), domain_name_id))

    def delete_routing_rule(self) -> Any:
        backend, domain_name, rule_id, domain_name_id = self._parts()
        delete_rule(backend, domain_name, rule_id or "", domain_name_id)
        return 204, {}, ""

    def list_routing_rules(self) -> Any:
        backend, domain_name, _, domain_name_id = self._parts()
        rules = rules_of(_domain(backend, domain_name, domain_name_id))
        start = int(self._get_param("nextToken") or 0)
        size = int(self._get_param("maxResults") or 100)
        page = rules[start : start + size]
        found: dict[str, Any] = {
            "routingRules": [rule_json(self.current_account, self.region, domain_name, r) for r in page]
        }
        if start + size < len(rules):
            found["nextToken"] = str(start + size)
        return 200, {}, json.dumps(found)


_URLS = {
    "{0}/v2/domainnames/(?P<domain_name>[^/]+)/routingrules$": RoutingRuleResponse.dispatch,
    "{0}/v2/domainnames/(?P<domain_name>[^/]+)/routingrules/(?P<routing_rule_id>[^/]+)$": (
        RoutingRuleResponse.dispatch
    ),
}


# --- AWS::ApiGatewayV2::RoutingRule --------------------------------------------------------------


def _camel(node: Any) -> Any:
    """CloudFormation's PascalCase properties in the API's camelCase shape."""
    if isinstance(node, dict):
        return {key[:1].lower() + key[1:]: _camel(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_camel(item) for item in node]
    return node


def _domain_of_arn(arn: Any) -> tuple[str, str]:
    match = _DOMAIN_ARN.match(arn) if isinstance(arn, str) else None
    if match is None:
        raise BadRequest(f"Invalid DomainNameArn: {arn}")
    return match["region"], match["name"]


class RoutingRuleResource(ResourceProvider):
    """A CloudFormation handle on one rule of one domain. Ref is the RoutingRuleArn (primary identifier)."""

    def __init__(self, account_id: str, region_name: str, domain_name: str, rule_id: str) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.domain_name = domain_name
        self.rule_id = rule_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::RoutingRule"

    @property
    def physical_resource_id(self) -> str:
        return rule_arn(self.account_id, self.region_name, self.domain_name, self.rule_id)

    ATTRIBUTES = frozenset({"RoutingRuleArn", "RoutingRuleId"})

    def attribute(self, name: str) -> Any:
        return self.physical_resource_id if name == "RoutingRuleArn" else self.rule_id

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> RoutingRuleResource:
        properties = cloudformation_json["Properties"]
        arn_region, domain_name = _domain_of_arn(properties.get("DomainNameArn"))
        backend = apigw.apigateway_backends[account_id][arn_region]
        rule = create_rule(backend, domain_name, _camel(properties))
        return cls(account_id, arn_region, domain_name, rule.rule_id)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: RoutingRuleResource,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> RoutingRuleResource:
        properties = cloudformation_json["Properties"]
        arn_region, domain_name = _domain_of_arn(properties.get("DomainNameArn"))
        if (arn_region, domain_name) != (original_resource.region_name, original_resource.domain_name):
            # DomainNameArn is create-only: a new rule on the other domain first, then the old one goes.
            new = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return new
        backend = apigw.apigateway_backends[account_id][arn_region]
        put_rule(backend, domain_name, original_resource.rule_id, _camel(properties))  # in place, same id
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = apigw.apigateway_backends[account_id][self.region_name]
        domain = backend.domain_names.get(self.domain_name)
        if domain is None:
            return  # the domain, and its rules with it, is already gone
        with _lock:
            domain.routing_rules = tuple(r for r in rules_of(domain) if r.rule_id != self.rule_id)


def _with_rule_urls(original: dict[str, Any]) -> dict[str, Any]:
    return {**original, **_URLS}


# The apigateway backend's URL module serves both apigateway and apigatewayv2 paths (same host).
register(
    __name__,
    *(
        Patch(
            module,
            "url_paths",
            "the routing rule APIs (CreateRoutingRule, GetRoutingRule(s), PutRoutingRule, DeleteRoutingRule)",
            wrap=_with_rule_urls,
        )
        for module in (apigw_urls, apigwv2_urls)
    ),
)
