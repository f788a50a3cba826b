"""One GET /health against a base URL, reduced to what the switch decides on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import requests


@dataclass(frozen=True)
class Health:
    ok: bool
    status: int | None
    environment: str | None
    version: str | None
    error: str = ""

    def serves(self, color: str) -> bool:
        return self.ok and self.environment == color


class HealthProber(Protocol):
    def health(self, base_url: str) -> Health: ...


class HttpHealthProber:
    """Probes with a shared keep-alive session (see bluegreen.http.new_session)."""

    def __init__(self, session: requests.Session) -> None:
        self._session = session

    def health(self, base_url: str) -> Health:
        try:
            # no-cache: a cached answer would hide which color really serves the hostname.
            response = self._session.get(
                f"{base_url.rstrip('/')}/health", headers={"Cache-Control": "no-cache"}
            )
        except requests.RequestException as exc:
            return Health(False, None, None, None, type(exc).__name__)
        try:
            body = response.json()
        except ValueError:
            return Health(False, response.status_code, None, None, "body is not JSON")
        if not isinstance(body, dict):
            return Health(False, response.status_code, None, None, "body is not an object")
        environment = body.get("environment")
        version = body.get("version")
        ok = response.status_code == 200 and body.get("status") == "healthy"
        return Health(
            ok=ok,
            status=response.status_code,
            environment=environment if isinstance(environment, str) else None,
            version=version if isinstance(version, str) else None,
            error="" if ok else f"HTTP {response.status_code}, status {body.get('status')!r}",
        )
