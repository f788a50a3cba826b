"""`localcloud bootstrap`: the prerequisites a stack deploy expects to exist already.

A public hosted zone for the parent domain, an ISSUED ACM certificate for the API domain (DNS-validated
through that zone) and a deployment bucket. The account-level API Gateway CloudWatch role is not one of
them: the color stacks create it on request (ApiGatewayCloudWatchRole=create), on AWS and here.
Plain boto3 against whatever AWS_ENDPOINT_URL says: the same
calls create real resources on AWS, so nothing here knows whether it talks to the local cloud.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

Report = Callable[[str], None]


class BootstrapError(Exception):
    """A prerequisite could not be found or created."""


@dataclass(frozen=True)
class Prerequisites:
    hosted_zone_id: str
    certificate_arn: str
    bucket: str


def parent_zone(domain: str) -> str:
    labels = domain.strip(".").split(".")
    if len(labels) < 3:
        raise BootstrapError(f"{domain} has no parent zone to delegate from (expected e.g. api.example.com)")
    return ".".join(labels[1:])


def ensure_hosted_zone(route53: Any, zone_name: str, report: Report) -> str:
    wanted = zone_name.rstrip(".") + "."
    listed = route53.list_hosted_zones_by_name(DNSName=wanted)
    for zone in listed.get("HostedZones", []):
        if zone["Name"] == wanted and not zone.get("Config", {}).get("PrivateZone", False):
            zone_id = str(zone["Id"]).rsplit("/", 1)[-1]
            report(f"found   hosted zone {wanted} ({zone_id})")
            return zone_id
    created = route53.create_hosted_zone(
        Name=wanted,
        CallerReference=f"bootstrap-{uuid.uuid4()}",
        HostedZoneConfig={"Comment": "blue/green API custom domains", "PrivateZone": False},
    )
    zone_id = str(created["HostedZone"]["Id"]).rsplit("/", 1)[-1]
    report(f"created hosted zone {wanted} ({zone_id})")
    return zone_id


def _existing_certificate(acm: Any, domain: str) -> str | None:
    paginator = acm.get_paginator("list_certificates")
    for page in paginator.paginate(CertificateStatuses=["ISSUED", "PENDING_VALIDATION"]):
        for summary in page.get("CertificateSummaryList", []):
            if summary.get("DomainName") == domain:
                return str(summary["CertificateArn"])
    return None


def _validation_records(acm: Any, arn: str) -> list[dict[str, str]]:
    options = acm.describe_certificate(CertificateArn=arn)["Certificate"].get("DomainValidationOptions", [])
    return [option["ResourceRecord"] for option in options if "ResourceRecord" in option]


def ensure_certificate(
    acm: Any,
    route53: Any,
    zone_id: str,
    domain: str,
    report: Report,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    arn = _existing_certificate(acm, domain)
    if arn is None:
        arn = str(
            acm.request_certificate(
                DomainName=domain,
                ValidationMethod="DNS",
                IdempotencyToken=domain.replace(".", "")[:32],
                Options={"CertificateTransparencyLoggingPreference": "ENABLED"},
            )["CertificateArn"]
        )
        report(f"created certificate {domain} ({arn})")
    else:
        report(f"found   certificate {domain} ({arn})")
    status = acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
    if status == "ISSUED":
        return arn
    records = _validation_records(acm, arn)
    for _ in range(12):
        if records:
            break
        sleep(5)  # AWS fills the validation record in a few seconds after the request
        records = _validation_records(acm, arn)
    if records:
        route53.change_resource_record_sets(
            HostedZoneId=zone_id,
            ChangeBatch={
                "Changes": [
                    {
                        "Action": "UPSERT",
                        "ResourceRecordSet": {
                            "Name": record["Name"],
                            "Type": record["Type"],
                            "TTL": 300,
                            "ResourceRecords": [{"Value": record["Value"]}],
                        },
                    }
                    for record in records
                ]
            },
        )
        report(f"upserted {len(records)} DNS validation record(s) in zone {zone_id}")
    acm.get_waiter("certificate_validated").wait(
        CertificateArn=arn, WaiterConfig={"Delay": 5, "MaxAttempts": 120}
    )
    report(f"issued  certificate {domain}")
    return arn


def ensure_bucket(s3: Any, bucket: str, region: str, report: Report) -> str:
    try:
        s3.head_bucket(Bucket=bucket)
        report(f"found   bucket {bucket}")
        return bucket
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code not in ("404", "NoSuchBucket", "NotFound"):
            raise BootstrapError(f"bucket {bucket} exists but is not usable by you ({code})") from exc
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    report(f"created bucket {bucket}")
    return bucket


def bootstrap(session: boto3.Session, domain: str, bucket: str, report: Report) -> Prerequisites:
    region = session.region_name or "us-east-1"
    route53 = session.client("route53")
    try:
        zone_id = ensure_hosted_zone(route53, parent_zone(domain), report)
        arn = ensure_certificate(session.client("acm"), route53, zone_id, domain, report)
        ensure_bucket(session.client("s3"), bucket, region, report)
    except ClientError as exc:
        raise BootstrapError(str(exc)) from exc
    return Prerequisites(zone_id, arn, bucket)
