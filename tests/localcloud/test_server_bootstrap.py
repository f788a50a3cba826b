"""`localcloud bootstrap`: creates the deploy prerequisites once, then finds them."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import boto3
import pytest

pytestmark = pytest.mark.localcloud

DOMAIN = "api.bootstrap.example.com"
BUCKET = "bootstrap-test-artifacts"


def run_bootstrap(cloud: Any) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "localcloud.cli", "bootstrap", "--domain", DOMAIN, "--bucket", BUCKET],
        env=cloud.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_bootstrap_is_idempotent_and_leaves_an_issued_certificate(local_cloud: Any) -> None:
    first = run_bootstrap(local_cloud)
    second = run_bootstrap(local_cloud)

    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    route53 = session.client("route53", endpoint_url=local_cloud.endpoint_url)
    acm = session.client("acm", endpoint_url=local_cloud.endpoint_url)
    s3 = session.client("s3", endpoint_url=local_cloud.endpoint_url)
    zones = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == "bootstrap.example.com."]
    certificates = [c for c in acm.list_certificates()["CertificateSummaryList"] if c["DomainName"] == DOMAIN]

    assert "created hosted zone bootstrap.example.com." in first
    assert "created certificate" in first and "created bucket" in first
    assert [line.split()[0] for line in second.splitlines()[:3]] == ["found"] * 3
    assert len(zones) == 1 and zones[0]["Config"]["PrivateZone"] is False
    assert len(certificates) == 1
    assert (
        acm.describe_certificate(CertificateArn=certificates[0]["CertificateArn"])["Certificate"]["Status"]
        == "ISSUED"
    )
    s3.head_bucket(Bucket=BUCKET)
    assert f"CertificateArn={certificates[0]['CertificateArn']}" in second


def test_bootstrap_refuses_a_domain_without_a_parent_zone(local_cloud: Any) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "localcloud.cli", "bootstrap", "--domain", "example.com"],
        env=local_cloud.env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "has no parent zone" in result.stderr
