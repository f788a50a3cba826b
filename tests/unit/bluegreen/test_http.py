"""new_session's connect-to: the TCP target changes, the hostname used for Host, SNI and cert check does not.

No sockets: we inspect the connection pool the adapter would use, and the request it would send.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from bluegreen.errors import ConfigError
from bluegreen.http import ConnectToAdapter, new_session, parse_connect_to


def _pool(session: requests.Session, url: str) -> Any:
    request = requests.Request("GET", url).prepare()
    adapter = session.get_adapter(url)
    assert isinstance(adapter, ConnectToAdapter)
    return adapter.get_connection_with_tls_context(request, verify=session.verify)


def test_https_pool_connects_to_the_target_but_verifies_the_url_hostname() -> None:
    session = new_session(connect_to="::localhost:4443")
    pool = _pool(session, "https://api.example.com/health")
    assert (pool.host, pool.port) == ("localhost", 4443)
    assert pool.conn_kw["server_hostname"] == "api.example.com"  # SNI
    assert pool.assert_hostname == "api.example.com"  # certificate name check


def test_plain_host_port_form_applies_to_every_https_url() -> None:
    pool = _pool(
        new_session(connect_to="127.0.0.1:8443"), "https://abc.execute-api.us-east-1.amazonaws.com/Prod"
    )
    assert (pool.host, pool.port) == ("127.0.0.1", 8443)
    assert pool.conn_kw["server_hostname"] == "abc.execute-api.us-east-1.amazonaws.com"


def test_rule_for_one_host_leaves_other_hosts_alone() -> None:
    session = new_session(connect_to="api.example.com:443:localhost:4443")
    assert (_pool(session, "https://api.example.com/x").host) == "localhost"
    other = _pool(session, "https://other.example.com/x")
    assert (other.host, other.port) == ("other.example.com", 443)
    assert "server_hostname" not in other.conn_kw


def test_without_connect_to_pools_are_ordinary(monkeypatch: pytest.MonkeyPatch) -> None:
    pool = _pool(new_session(), "https://api.example.com/health")
    assert (pool.host, pool.port) == ("api.example.com", 443)


def test_env_vars_provide_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("BLUEGREEN_CONNECT_TO", "::localhost:4443")
    monkeypatch.setenv("BLUEGREEN_CA_BUNDLE", str(ca))
    session = new_session()
    assert session.verify == str(ca)
    assert _pool(session, "https://api.example.com/").port == 4443


def test_missing_ca_bundle_and_bad_connect_to_are_configuration_errors(tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="CA bundle not found"):
        new_session(ca_bundle=str(tmp_path / "nope.pem"))
    for bad in ("localhost", "a:b:c", "::localhost:port", "x:y:localhost:1"):
        with pytest.raises(ConfigError):
            parse_connect_to(bad)


def test_host_header_keeps_the_url_hostname_and_default_timeout_applies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def fake_send(self: HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        seen["host"] = request.headers.get("Host")
        seen["timeout"] = kwargs.get("timeout")
        response = requests.Response()
        response.status_code = 200
        return response

    monkeypatch.setattr(HTTPAdapter, "send", fake_send)
    adapter = ConnectToAdapter(parse_connect_to("::localhost:4443"))
    adapter.send(requests.Request("GET", "https://api.example.com/health").prepare())
    assert seen == {"host": "api.example.com", "timeout": (3.05, 10.0)}
    adapter.send(requests.Request("GET", "https://api.example.com:8443/health").prepare(), timeout=1)
    assert seen == {"host": "api.example.com:8443", "timeout": 1}


def test_configured_ca_bundle_beats_requests_ca_bundle_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    # requests would otherwise let REQUESTS_CA_BUNDLE override session.verify and reject the local CA.
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    seen: dict[str, Any] = {}

    def fake_send(self: HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        seen["verify"] = kwargs.get("verify")
        response = requests.Response()
        response.status_code = 200
        return response

    monkeypatch.setattr(HTTPAdapter, "send", fake_send)
    new_session(connect_to="::localhost:4443", ca_bundle=str(ca)).get("https://api.example.com/health")
    assert seen["verify"] == str(ca)
