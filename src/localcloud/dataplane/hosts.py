"""What a Host header names: an API's execute-api hostname or a custom domain."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EXECUTE_API = re.compile(r"^([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$")


@dataclass(frozen=True)
class ExecuteApiHost:
    api_id: str
    region: str


@dataclass(frozen=True)
class CustomDomainHost:
    domain_name: str


def parse_host(host_header: str) -> ExecuteApiHost | CustomDomainHost | None:
    host = host_header.strip().lower()
    if host.startswith("["):
        return None  # an IP literal names no API
    host = host.rsplit(":", 1)[0] if ":" in host else host
    host = host.rstrip(".")
    if not host:
        return None
    match = _EXECUTE_API.match(host)
    if match:
        return ExecuteApiHost(api_id=match.group(1), region=match.group(2))
    return CustomDomainHost(domain_name=host)
