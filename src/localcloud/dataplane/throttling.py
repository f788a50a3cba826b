"""Throttling and quotas as API Gateway applies them: token buckets per client and method, quotas per key.

A usage plan's limits apply to the methods that require an API key, per key: the plan's per-method throttle
of this API stage (`apiStages[].throttle["/path/VERB"]`), then the plan's throttle, then its quota
(`limit` requests per DAY, WEEK or MONTH, UTC, shifted by `offset` days). A stage's `methodSettings`
(`*/*` or `path/VERB`) throttle every request of its methods, whoever sends it. A bucket holds `burstLimit`
tokens, starts full and refills at `rateLimit` per second; a request takes one token. Over a throttle:
429 THROTTLED {"message":"Too Many Requests"}; over the quota: 429 QUOTA_EXCEEDED
{"message":"Limit Exceeded"}.
Docs: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
      https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from localcloud.dataplane.gateway_errors import GatewayError


class Throttled(GatewayError):
    status = 429
    body = '{"message":"Too Many Requests"}'
    response_type = "THROTTLED"
    error_type = "TooManyRequestsException"


class QuotaExceeded(GatewayError):
    status = 429
    body = '{"message":"Limit Exceeded"}'
    response_type = "QUOTA_EXCEEDED"
    error_type = "LimitExceededException"


@dataclass(frozen=True)
class Limits:
    rate: float  # tokens added per second
    burst: int  # bucket size


def limits_of(settings: Any, rate_key: str, burst_key: str) -> Limits | None:
    """Limits from a settings map; None when it sets neither (no throttle at that level)."""
    if not isinstance(settings, dict) or (rate_key not in settings and burst_key not in settings):
        return None
    return Limits(float(settings.get(rate_key) or 0.0), int(settings.get(burst_key) or 0))


class TokenBucket:
    def __init__(self, limits: Limits, now: float) -> None:
        self.limits = limits
        self._tokens = float(limits.burst)
        self._at = now

    def take(self, now: float) -> bool:
        elapsed = max(0.0, now - self._at)
        self._tokens = min(float(self.limits.burst), self._tokens + elapsed * self.limits.rate)
        self._at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


def quota_window(period: str, offset_days: int, now: datetime) -> datetime:
    """The start (UTC) of the quota period `now` falls in; weeks start on Monday."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "DAY":
        return day
    if period == "WEEK":
        start = day - timedelta(days=day.weekday()) + timedelta(days=offset_days)
        return start if start <= now else start - timedelta(days=7)
    month = day.replace(day=1) + timedelta(days=offset_days)
    if month <= now:
        return month
    previous = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
    return previous + timedelta(days=offset_days)


class Throttling:
    """Every bucket and quota counter of the data plane (in memory; a restart starts them afresh)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._clock = clock
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, ...], TokenBucket] = {}
        self._used: dict[tuple[str, ...], tuple[datetime, int]] = {}

    def _admit(self, scope: tuple[str, ...], limits: Limits) -> bool:
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(scope)
            if bucket is None or bucket.limits != limits:  # new, or its limits were changed
                bucket = self._buckets[scope] = TokenBucket(limits, now)
            return bucket.take(now)

    def check_stage(self, api_id: str, stage: Any, resource_path: str, verb: str) -> None:
        """The stage's method settings: the method's own entry, else the stage's default (`*/*`).

        Each method has a bucket of its own: the default is a limit every method inherits, not one
        bucket the stage's methods share.
        """
        settings = dict(getattr(stage, "method_settings", None) or {}) if stage is not None else {}
        key = f"{resource_path.lstrip('/')}/{verb}"
        chosen = key if key in settings else "*/*"
        limits = limits_of(settings.get(chosen), "throttlingRateLimit", "throttlingBurstLimit")
        if limits is not None and not self._admit(("stage", api_id, stage.name, key), limits):
            raise Throttled()

    def check_plan(
        self, plan: Any, key_id: str, api_id: str, stage: str, resource_path: str, verb: str
    ) -> None:
        """A usage plan's per-method throttle, its throttle, then its quota, for one API key."""
        method = f"{resource_path}/{verb}"
        for api_stage in list(getattr(plan, "api_stages", None) or []):
            if api_stage.get("apiId") == api_id and api_stage.get("stage") == stage:
                per_method = (api_stage.get("throttle") or {}).get(method)
                limits = limits_of(per_method, "rateLimit", "burstLimit")
                if limits is not None and not self._admit(("plan-method", plan.id, key_id, method), limits):
                    raise Throttled()
        limits = limits_of(getattr(plan, "throttle", None), "rateLimit", "burstLimit")
        if limits is not None and not self._admit(("plan", plan.id, key_id), limits):
            raise Throttled()
        self._count(plan, key_id)

    def _count(self, plan: Any, key_id: str) -> None:
        quota = getattr(plan, "quota", None) or {}
        if "limit" not in quota:
            return
        period = str(quota.get("period") or "DAY").upper()
        window = quota_window(period, int(quota.get("offset") or 0), self._wall_clock())
        scope = ("quota", plan.id, key_id, period)
        with self._lock:
            start, used = self._used.get(scope, (window, 0))
            if start != window:
                used = 0
            if used >= int(quota["limit"]):
                raise QuotaExceeded()
            self._used[scope] = (window, used + 1)
