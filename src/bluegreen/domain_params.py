"""The custom-domain stack's full parameter set for `deploy domain`.

`sam deploy --parameter-overrides` replaces samconfig's overrides, so every parameter is passed.
"""

from __future__ import annotations

from bluegreen.aws import Aws
from bluegreen.aws.discovery import enclosing_zone_names
from bluegreen.errors import ConfigError
from bluegreen.stacks import ColorStack


def domain_parameters(static: dict[str, str], active: ColorStack, aws: Aws) -> dict[str, str]:
    """samconfig's static values, the active color's API, and the zone and certificate looked up if unset."""
    problem = active.problem()
    if problem:
        raise ConfigError(f"cannot point the domain at {active.color}: {problem}")
    domain = static.get("CustomDomainName", "")
    if not domain:
        raise ConfigError("samconfig custom-domain parameter_overrides must set CustomDomainName")
    params = dict(static)
    params["ActiveApiId"] = active.api_id
    params["ActiveApiStage"] = active.stage
    if not params.get("PublicHostedZoneId"):
        zone = aws.public_hosted_zone_for(domain)
        if zone is None:
            tried = ", ".join(enclosing_zone_names(domain)) or "none (the name has no parent domain)"
            raise ConfigError(
                f"no public Route 53 hosted zone encloses {domain} (tried {tried}); create one, "
                "or set PublicHostedZoneId in samconfig/custom-domain.toml"
            )
        params["PublicHostedZoneId"] = zone
    if not params.get("CertificateArn"):
        certificate = aws.issued_certificate_for(domain)
        if certificate is None:
            raise ConfigError(f"no ISSUED ACM certificate covers {domain}; set CertificateArn")
        params["CertificateArn"] = certificate
    return params
