"""Timestamps in the one format every response uses."""

from datetime import UTC, datetime


def utc_timestamp(now: datetime | None = None) -> str:
    """ISO-8601 in UTC with milliseconds and a Z suffix, e.g. 2026-11-22T21:50:00.123Z."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
