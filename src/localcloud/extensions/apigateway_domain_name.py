"""AWS::ApiGateway::DomainName: a regional custom domain with AWS's attributes, security policy, access mode.

Docs: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-domainname.html
      https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies.html
      https://docs.aws.amazon.com/general/latest/gr/apigateway.html (hosted zone ids of regional endpoints)
"""

import json
from typing import Any

from localcloud.dataplane.routing_rules import RoutingMode
from localcloud.patches import Patch, register

from ._moto import (
    BadRequestException,
    ConflictException,
    apigw,
    apigw_responses,
)
from .apigateway_certificates import check_backend_call, check_domain_request
from .cfn_provider import ResourceProvider

# Route 53 hosted zone of each region's execute-api regional endpoints (AWS General Reference).
REGIONAL_HOSTED_ZONE_IDS = {
    "us-east-1": "Z1UJRXOUMOOFQ8",
    "us-east-2": "ZOJJZC49E0EPZ",
    "us-west-1": "Z2MUQ32089INYE",
    "us-west-2": "Z2OJLYMUO9EFXC",
    "ca-central-1": "Z19DQILCV0OWEC",
    "sa-east-1": "ZCMLWB8V5SYIT",
    "eu-west-1": "ZLY8HYME6SFDD",
    "eu-west-2": "ZJ5UAJN8Y3Z2Q",
    "eu-west-3": "Z3KY65QIEKYHQQ",
    "eu-central-1": "Z1U9ULNL0V5AJ3",
    "eu-north-1": "Z3UWIKFBOOGXPP",
    "eu-south-1": "Z3BT4WSQ9TDYZV",
    "ap-south-1": "Z3VO1THU9YC4UR",
    "ap-northeast-1": "Z1YSHQZHG15GKL",
    "ap-northeast-2": "Z20JF4UZKIW1U8",
    "ap-northeast-3": "Z2YQB5RD63NC85",
    "ap-southeast-1": "ZL327KTPIQFUL",
    "ap-southeast-2": "Z2RPCDW04V8134",
    "ap-east-1": "Z3FD1VL90ND7K5",
    "af-south-1": "Z2DHW2332DAMTN",
    "me-south-1": "Z20ZBPC0SS8806",
}
CLOUDFRONT_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2"  # edge-optimized names are CloudFront distributions
LEGACY_POLICIES = {"TLS_1_0", "TLS_1_2"}
ENHANCED_POLICY_PREFIX = "SecurityPolicy_"
ACCESS_MODES = {"STRICT", "BASIC"}


def validate_security(policy: str | None, access_mode: str | None) -> None:
    """Legacy policies take no access mode; enhanced (SecurityPolicy_*) ones must have STRICT or BASIC."""
    if policy is None:
        if access_mode is not None:
            raise BadRequestException("Endpoint access mode requires an enhanced security policy")
        return
    if policy in LEGACY_POLICIES:
        if access_mode is not None:
            raise BadRequestException(f"Endpoint access mode is not supported with security policy {policy}")
        return
    if not policy.startswith(ENHANCED_POLICY_PREFIX):
        raise BadRequestException(f"Invalid security policy: {policy}")
    if access_mode not in ACCESS_MODES:
        raise BadRequestException(
            f"Endpoint access mode must be STRICT or BASIC when using security policy {policy}"
        )


def regional_hosted_zone_id(region_name: str) -> str:
    return REGIONAL_HOSTED_ZONE_IDS.get(region_name, REGIONAL_HOSTED_ZONE_IDS["us-east-1"])


# What GetDomainName never shows: the uploaded key and certificate material.
_SECRET_FIELDS = ("certificatePrivateKey", "certificateBody", "certificateChain")


def tags_map(tags: Any) -> dict[str, str]:
    """API Gateway's tags are a map; CloudFormation gives a [{Key, Value}] list."""
    if isinstance(tags, list):
        return {str(t["Key"]): str(t["Value"]) for t in tags}
    return {str(k): str(v) for k, v in (tags or {}).items()}


def _to_json_like_aws(self: Any) -> dict[str, Any]:
    """Tags as a map, only the endpoint's own attributes (a REGIONAL name has no CloudFront distribution),
    no key material, and endpointAccessMode when set."""
    result: dict[str, Any] = _original_to_json(self)
    for field in _SECRET_FIELDS:
        result.pop(field, None)
    if self.tags:
        result["tags"] = tags_map(self.tags)
    for field in (
        "distributionDomainName",
        "distributionHostedZoneId",
        "regionalDomainName",
        "regionalHostedZoneId",
    ):
        if result.get(field) is None:
            result.pop(field, None)
    if getattr(self, "endpoint_access_mode", None):
        result["endpointAccessMode"] = self.endpoint_access_mode
    result["routingMode"] = getattr(self, "routing_mode", None) or RoutingMode.BASE_PATH_MAPPING_ONLY
    return result


def _endpoint_types(model: Any) -> list[str]:
    return list((model.endpoint_configuration or {}).get("types") or ["EDGE"])


_original_to_json = apigw.DomainName.to_json


class DomainNameResource(ResourceProvider):
    """A CloudFormation handle on one moto DomainName (the data plane reads the DomainName itself)."""

    def __init__(self, account_id: str, region_name: str, domain_name: str) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.domain_name = domain_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "DomainName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::DomainName"

    @property
    def physical_resource_id(self) -> str:
        return self.domain_name

    ATTRIBUTES = frozenset(
        {
            "RegionalDomainName",
            "RegionalHostedZoneId",
            "DistributionDomainName",
            "DistributionHostedZoneId",
            "DomainNameArn",
        }
    )

    def _model(self) -> Any:
        return apigw.apigateway_backends[self.account_id][self.region_name].get_domain_name(self.domain_name)

    def attribute(self, name: str) -> Any:
        model = self._model()
        values = {
            "RegionalDomainName": model.regional_domain_name,
            "RegionalHostedZoneId": model.regional_hosted_zone_id,
            "DistributionDomainName": model.distribution_domain_name,
            "DistributionHostedZoneId": model.distribution_hosted_zone_id,
            "DomainNameArn": f"arn:aws:apigateway:{self.region_name}::/domainnames/{self.domain_name}",
        }
        return values[name] or ""  # e.g. a REGIONAL name has no distribution

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "DomainNameResource":
        properties = cloudformation_json["Properties"]
        name = properties["DomainName"]
        backend = apigw.apigateway_backends[account_id][region_name]
        policy, access_mode = properties.get("SecurityPolicy"), properties.get("EndpointAccessMode")
        validate_security(policy, access_mode)
        mode = routing_mode(properties.get("RoutingMode"))
        endpoint = properties.get("EndpointConfiguration") or {"Types": ["EDGE"]}
        model = backend.create_domain_name(
            domain_name=name,
            certificate_name=None,
            tags=properties.get("Tags"),
            certificate_arn=properties.get("CertificateArn"),
            certificate_body=None,
            certificate_private_key=None,
            certificate_chain=None,
            regional_certificate_name=None,
            regional_certificate_arn=properties.get("RegionalCertificateArn"),
            endpoint_configuration={"types": endpoint.get("Types", ["EDGE"])},
            security_policy=policy or "TLS_1_2",
        )
        model.endpoint_access_mode = access_mode
        model.routing_mode = mode
        return cls(account_id, region_name, name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "DomainNameResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "DomainNameResource":
        # DomainName is create-only: the engine replaces the domain (new name first) when it changes.
        properties = cloudformation_json["Properties"]
        policy, access_mode = properties.get("SecurityPolicy"), properties.get("EndpointAccessMode")
        validate_security(policy, access_mode)
        check_domain_request(
            account_id,
            region_name,
            original_resource.domain_name,
            certificate_arn=properties.get("CertificateArn"),
            regional_certificate_arn=properties.get("RegionalCertificateArn"),
            endpoint_types=list((properties.get("EndpointConfiguration") or {}).get("Types") or ["EDGE"]),
            uploads_certificate=False,
        )
        model = original_resource._model()
        model.security_policy = policy or "TLS_1_2"
        model.endpoint_access_mode = access_mode
        model.regional_certificate_arn = properties.get("RegionalCertificateArn")
        model.certificate_arn = properties.get("CertificateArn")
        model.routing_mode = routing_mode(properties.get("RoutingMode"))  # in place, one assignment
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = apigw.apigateway_backends[account_id][region_name]
        backend.domain_names.pop(self.domain_name, None)
        backend.base_path_mappings.pop(self.domain_name, None)


def _backend_create_domain_name(self: Any, domain_name: str, *args: Any, **kwargs: Any) -> Any:
    if domain_name in self.domain_names:
        raise ConflictException("The domain name you provided already exists.")
    check_backend_call(self, (domain_name, *args), kwargs)
    model = _original_backend_create(self, domain_name, *args, **kwargs)
    model.tags = tags_map(model.tags) or None
    if "REGIONAL" in _endpoint_types(model):  # no CloudFront distribution behind a regional name
        model.regional_hosted_zone_id = regional_hosted_zone_id(self.region_name)
        model.distribution_domain_name = model.distribution_hosted_zone_id = None
    else:
        model.distribution_hosted_zone_id = CLOUDFRONT_HOSTED_ZONE_ID
        model.regional_domain_name = model.regional_hosted_zone_id = None
    model.endpoint_access_mode = None
    return model


_original_backend_create = apigw.APIGatewayBackend.create_domain_name


def _response_create_domain_name(self: Any) -> Any:
    """CreateDomainName over the API: validate and keep endpointAccessMode, which moto's parser drops."""
    access_mode = self._get_param("endpointAccessMode")
    validate_security(self._get_param("securityPolicy"), access_mode)
    mode = routing_mode(self._get_param("routingMode"))
    status, headers, _ = _original_response_create(self)
    model = self.backend.get_domain_name(self._get_param("domainName"))
    model.endpoint_access_mode = access_mode
    model.routing_mode = mode
    return status, headers, json.dumps(model.to_json())


_original_response_create = apigw_responses.APIGatewayResponse.create_domain_name


# --- routing mode: rules, base path mappings, or rules then mappings (set-routing-mode.html) --------


def routing_mode(value: Any) -> RoutingMode:
    if value is None:
        return RoutingMode.BASE_PATH_MAPPING_ONLY
    try:
        return RoutingMode(value)
    except ValueError:
        allowed = ", ".join(mode.value for mode in RoutingMode)
        raise BadRequestException(f"Invalid routing mode: {value}. Valid values: {allowed}") from None


def _response_update_domain_name(self: Any) -> Any:
    """UpdateDomainName (moto has none): only `replace /routingMode`; other paths are refused, not ignored."""
    model = self.backend.get_domain_name(self.path.split("/")[2])
    operations = self._get_param("patchOperations") or []
    for operation in operations:
        if operation.get("op") != "replace" or operation.get("path") != "/routingMode":
            raise BadRequestException(
                f"The local cloud does not support patch {operation.get('op')} {operation.get('path')} "
                "on a domain name (only replace /routingMode)"
            )
    for operation in operations:
        model.routing_mode = routing_mode(operation.get("value"))
    return 200, {}, json.dumps(model.to_json())


register(
    __name__,
    Patch(
        apigw.DomainName,
        "to_json",
        "GetDomainName(s): tags as a map, the endpoint's own attributes, endpointAccessMode, no key material",
        new=_to_json_like_aws,
    ),
    Patch(
        apigw.APIGatewayBackend,
        "create_domain_name",
        "duplicate names conflict; regional and CloudFront hosted zone ids",
        new=_backend_create_domain_name,
    ),
    Patch(
        apigw_responses.APIGatewayResponse,
        "create_domain_name",
        "CreateDomainName validates and keeps endpointAccessMode",
        new=_response_create_domain_name,
    ),
    Patch(
        apigw_responses.APIGatewayResponse,
        "update_domain_name",
        "UpdateDomainName (moto has none): replace /routingMode only",
        new=_response_update_domain_name,
        adds=True,
    ),
)
