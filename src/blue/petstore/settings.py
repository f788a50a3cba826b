"""Which release this code bundle is serving, read from the environment the template sets."""

import os
import re
from collections.abc import Mapping
from typing import NamedTuple

COLORS = ("blue", "green")
_VERSION_PATTERN = re.compile(r"^v\d+\.\d+\.\d+$")


class ConfigurationError(RuntimeError):
    """The function was deployed without the environment it needs; raised at cold start."""


# NamedTuples, not dataclasses: as immutable, and a tenth of the cost to define at cold start.
class Release(NamedTuple):
    color: str
    version: str


def load_release(environ: Mapping[str, str] = os.environ) -> Release:
    """Read APP_COLOR and APP_VERSION; fail loudly so a misconfigured stack never serves traffic."""
    color = environ.get("APP_COLOR", "").strip()
    version = environ.get("APP_VERSION", "").strip()
    if color not in COLORS:
        raise ConfigurationError(f"APP_COLOR must be one of {', '.join(COLORS)}; got {color!r}")
    if not _VERSION_PATTERN.match(version):
        raise ConfigurationError(f"APP_VERSION must look like v1.2.3; got {version!r}")
    return Release(color=color, version=version)


class Tables(NamedTuple):
    """The data stack's DynamoDB tables this function reads and writes."""

    orders: str
    idempotency: str


def load_tables(environ: Mapping[str, str] = os.environ) -> Tables:
    """Read ORDERS_TABLE_NAME and IDEMPOTENCY_TABLE_NAME, set by the template from the data stack."""
    names = {}
    for variable in ("ORDERS_TABLE_NAME", "IDEMPOTENCY_TABLE_NAME"):
        names[variable] = environ.get(variable, "").strip()
        if not names[variable]:
            raise ConfigurationError(f"{variable} must name a DynamoDB table of the data stack")
    return Tables(orders=names["ORDERS_TABLE_NAME"], idempotency=names["IDEMPOTENCY_TABLE_NAME"])
