"""HTTP sessions that can reach a custom domain or stage URL through another address (like curl --connect-to).

The URL's hostname stays what the client asked for: it is sent as the Host header, as TLS SNI and is the name
the certificate is verified against; only the TCP connection goes to the connect-to address.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from bluegreen.errors import ConfigError

DEFAULT_TIMEOUT = (3.05, 10.0)  # (connect, read) seconds: a probe must never hang a switch


@dataclass(frozen=True)
class ConnectTo:
    """One curl-style rule: requests for from_host:from_port (empty = any) go to to_host:to_port."""

    from_host: str
    from_port: int | None
    to_host: str
    to_port: int

    def applies_to(self, host: str, port: int) -> bool:
        return (not self.from_host or self.from_host == host) and self.from_port in (None, port)


def parse_connect_to(value: str) -> ConnectTo:
    """Accepts `host:port` (every https request) or curl's `HOST1:PORT1:HOST2:PORT2` with empty wildcards."""
    parts = value.split(":")
    if len(parts) == 2:
        parts = ["", "", *parts]
    if len(parts) != 4 or not parts[2] or not parts[3].isdigit():
        raise ConfigError(f"connect-to {value!r} must be HOST:PORT or HOST1:PORT1:HOST2:PORT2")
    from_host, from_port, to_host, to_port = parts
    if from_port and not from_port.isdigit():
        raise ConfigError(f"connect-to {value!r}: port {from_port!r} is not a number")
    return ConnectTo(from_host, int(from_port) if from_port else None, to_host, int(to_port))


class ConnectToAdapter(HTTPAdapter):
    """Routes matching https connections to another address while keeping the URL's hostname for TLS."""

    def __init__(
        self,
        rule: ConnectTo | None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        ca_bundle: str | None = None,
    ) -> None:
        self.rule = rule
        self.timeout = timeout
        self.ca_bundle = ca_bundle
        super().__init__()

    def _target(self, url: str) -> tuple[str, int] | None:
        parts = urlsplit(url)
        if self.rule is None or parts.scheme != "https" or not parts.hostname:
            return None
        port = parts.port or 443
        return (parts.hostname, port) if self.rule.applies_to(parts.hostname, port) else None

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> Any:  # types-requests' TypedDicts omit the TLS keys urllib3 accepts
        base_host, base_pool = super().build_connection_pool_key_attributes(request, verify, cert)
        host_params: dict[str, Any] = dict(base_host)
        pool_kwargs: dict[str, Any] = dict(base_pool)
        target = self._target(request.url or "")
        if target is not None and self.rule is not None:
            hostname, _ = target
            host_params.update(host=self.rule.to_host, port=self.rule.to_port)
            # server_hostname drives SNI, assert_hostname the certificate check: both stay the URL's name.
            pool_kwargs.update(server_hostname=hostname, assert_hostname=hostname)
        return host_params, pool_kwargs

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, timeout: Any = None, **kwargs: Any
    ) -> requests.Response:
        target = self._target(request.url or "")
        if target is not None:
            hostname, port = target
            # http.client would otherwise derive Host from the connection (the connect-to address).
            request.headers["Host"] = hostname if port == 443 else f"{hostname}:{port}"
        if self.ca_bundle and kwargs.get("verify") is not False:
            # requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override session.verify; the configured CA wins.
            kwargs["verify"] = self.ca_bundle
        return super().send(request, timeout=timeout if timeout is not None else self.timeout, **kwargs)


def new_session(connect_to: str | None = None, ca_bundle: str | None = None) -> requests.Session:
    """A keep-alive session with default timeouts.

    connect_to and ca_bundle default to the env vars BLUEGREEN_CONNECT_TO and BLUEGREEN_CA_BUNDLE.
    """
    connect_to = connect_to if connect_to is not None else os.environ.get("BLUEGREEN_CONNECT_TO") or None
    ca_bundle = ca_bundle if ca_bundle is not None else os.environ.get("BLUEGREEN_CA_BUNDLE") or None
    if ca_bundle and not os.path.isfile(ca_bundle):
        raise ConfigError(f"CA bundle not found: {ca_bundle}")
    session = requests.Session()
    session.mount(
        "https://",
        ConnectToAdapter(parse_connect_to(connect_to) if connect_to else None, ca_bundle=ca_bundle),
    )
    session.mount("http://", ConnectToAdapter(None))
    if ca_bundle:
        session.verify = ca_bundle
    return session
