"""A custom domain needs an ACM certificate that exists, is ISSUED and covers the name.

API Gateway refuses CreateDomainName (and CloudFormation's AWS::ApiGateway::DomainName) otherwise, with a
400 BadRequestException: a REGIONAL name takes a certificate of its own region, an EDGE name one of
us-east-1, never another account's. A wildcard name covers exactly one label ("*.example.com" covers
"api.example.com", not "example.com" nor "a.b.example.com").
Docs: https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-custom-domains-prerequisites.html
      https://docs.aws.amazon.com/acm/latest/userguide/acm-certificate.html (wildcard names)
An uploaded certificate body (certificateBody/certificatePrivateKey) is not supported: refused, not ignored.
"""

from typing import Any

from ._moto import BadRequestException, acm

EDGE_CERTIFICATE_REGION = "us-east-1"


def covers(certificate_name: str, domain_name: str) -> bool:
    pattern, name = certificate_name.lower().rstrip("."), domain_name.lower().rstrip(".")
    if not pattern.startswith("*."):
        return pattern == name
    first, _, rest = name.partition(".")
    return bool(first) and rest == pattern[2:]


def _parts(arn: str) -> tuple[str, str]:
    """(region, account) of an ACM certificate ARN, or BadRequestException."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[:3] != ["arn", parts[1], "acm"] or not parts[5].startswith("certificate/"):
        raise BadRequestException(f"Invalid certificate ARN: {arn}")
    return parts[3], parts[4]


def require_usable(account_id: str, region_name: str, domain_name: str, arn: str, *, edge: bool) -> None:
    expected_region = EDGE_CERTIFICATE_REGION if edge else region_name
    cert_region, cert_account = _parts(arn)
    if cert_account != account_id:
        raise BadRequestException("Cross-account certificate references are not allowed.")
    if cert_region != expected_region:
        raise BadRequestException(
            f"Invalid certificate ARN: {arn}. Certificate must be in '{expected_region}'."
        )
    backend = dict.get(acm.acm_backends, account_id, {})
    certificates = getattr(dict.get(backend, cert_region), "_certificates", {})
    if arn not in certificates:
        raise BadRequestException("The provided certificate does not exist")
    certificate = certificates[arn]
    certificate.check()  # moto moves a DNS-validated certificate to ISSUED when it is read
    if certificate.status != "ISSUED":
        raise BadRequestException(
            f"Certificate {arn} is in status {certificate.status}; only an ISSUED certificate can be used"
        )
    names = {certificate.common_name, *certificate.sans}
    if not any(covers(str(name), domain_name) for name in names if name):
        raise BadRequestException(
            f"The certificate {arn} does not cover the domain name {domain_name}. Please ensure the "
            "certificate domain name matches the requested domain name."
        )


def check_domain_request(
    account_id: str,
    region_name: str,
    domain_name: str,
    *,
    certificate_arn: str | None,
    regional_certificate_arn: str | None,
    endpoint_types: list[str],
    uploads_certificate: bool,
) -> None:
    """The certificate checks of CreateDomainName, for the endpoint type asked for."""
    if uploads_certificate:
        raise BadRequestException("Uploading a certificate body is not supported by the local cloud; use ACM")
    if "REGIONAL" in endpoint_types:
        if not regional_certificate_arn:
            raise BadRequestException("A certificate was not provided for the endpoint type REGIONAL.")
        require_usable(account_id, region_name, domain_name, regional_certificate_arn, edge=False)
    else:
        if not certificate_arn:
            raise BadRequestException("A certificate was not provided for the endpoint type EDGE.")
        require_usable(account_id, region_name, domain_name, certificate_arn, edge=True)


def check_backend_call(backend: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Read moto's create_domain_name arguments (positional from the API, keywords from CloudFormation)."""
    names = (
        "domain_name",
        "certificate_name",
        "tags",
        "certificate_arn",
        "certificate_body",
        "certificate_private_key",
        "certificate_chain",
        "regional_certificate_name",
        "regional_certificate_arn",
        "endpoint_configuration",
        "security_policy",
    )
    call = {**dict(zip(names, args, strict=False)), **kwargs}
    endpoint = call.get("endpoint_configuration") or {}
    check_domain_request(
        backend.account_id,
        backend.region_name,
        str(call.get("domain_name") or ""),
        certificate_arn=call.get("certificate_arn"),
        regional_certificate_arn=call.get("regional_certificate_arn"),
        endpoint_types=list(endpoint.get("types") or ["EDGE"]),
        uploads_certificate=bool(call.get("certificate_body") or call.get("certificate_private_key")),
    )
