"""What the runtime needs to know about a function, independent of how moto stores it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    arn: str
    version: str
    region: str
    account_id: str
    runtime: str | None
    handler: str
    timeout_s: float
    memory_mb: int
    environment: dict[str, str]
    code_sha256: str
    reserved_concurrency: int | None
    code_bytes: Callable[[], bytes] = field(compare=False, repr=False)
    log_group_name: str | None = None  # LoggingConfig.LogGroup

    @property
    def fingerprint(self) -> str:
        """Changes with code or configuration: a new fingerprint means new environments (cold start)."""
        parts = [
            self.runtime,
            self.handler,
            self.timeout_s,
            self.memory_mb,
            self.environment,
            self.code_sha256,
        ]
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]

    @property
    def log_group(self) -> str:
        return self.log_group_name or f"/aws/lambda/{self.name}"
