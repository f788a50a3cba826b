"""STS, Route 53 and ACM: who is calling, and the zone and certificate a custom domain needs."""

from __future__ import annotations

from bluegreen.aws.base import AwsBase


def enclosing_zone_names(domain_name: str) -> list[str]:
    """The zone names that may hold the domain's alias record, closest first: api.x.com -> [x.com.]."""
    labels = domain_name.rstrip(".").split(".")
    return [".".join(labels[start:]) + "." for start in range(1, len(labels) - 1)]


class DiscoveryApi(AwsBase):
    def caller_arn(self) -> str:
        return self.sts.get_caller_identity()["Arn"]

    def public_hosted_zone_for(self, domain_name: str) -> str | None:
        """The id of the closest public hosted zone enclosing the domain's parent (api.x.com -> x.com)."""
        for zone_name in enclosing_zone_names(domain_name):
            response = self.route53.list_hosted_zones_by_name(DNSName=zone_name, MaxItems="10")
            for zone in response.get("HostedZones", []):
                private = zone.get("Config", {}).get("PrivateZone", False)
                if zone["Name"] == zone_name and not private:
                    return zone["Id"].rsplit("/", 1)[-1]
        return None

    def issued_certificate_for(self, domain_name: str) -> str | None:
        """An ISSUED ACM certificate covering the domain, preferring an exact name over a wildcard."""
        wildcard = "*." + domain_name.split(".", 1)[-1]
        exact: str | None = None
        covering: str | None = None
        for page in self.pages(self.acm, "list_certificates", CertificateStatuses=["ISSUED"]):
            for cert in page.get("CertificateSummaryList", []):
                names = {cert.get("DomainName", ""), *cert.get("SubjectAlternativeNameSummaries", [])}
                if domain_name in names and exact is None:
                    exact = cert["CertificateArn"]
                elif wildcard in names and covering is None:
                    covering = cert["CertificateArn"]
        return exact or covering
