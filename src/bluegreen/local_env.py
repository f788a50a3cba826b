"""The local config env talks to the local cloud only: a start-up check of the configuration, not a branch.

A config env listed in LOOPBACK_CONFIG_ENVS must reach AWS APIs (AWS_ENDPOINT_URL and any per-service
AWS_ENDPOINT_URL_<SERVICE>) and HTTPS checks (BLUEGREEN_CONNECT_TO) through loopback addresses. When they do
not, the local cloud's own env file (`.localcloud/env`, written by `localcloud up`) is loaded if present;
otherwise the command stops before any client exists: credentials in the shell never reach an AWS host.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
from collections.abc import MutableMapping
from pathlib import Path
from urllib.parse import urlsplit

from bluegreen.errors import ConfigError

# samconfig environments that only ever talk to a local cloud on this machine.
LOOPBACK_CONFIG_ENVS = frozenset({"local"})
LOCAL_ENV_FILE = Path(".localcloud") / "env"
ENDPOINT_VAR = "AWS_ENDPOINT_URL"
CONNECT_TO_VAR = "BLUEGREEN_CONNECT_TO"
# These make boto3 ignore AWS_ENDPOINT_URL (or read credentials meant for AWS): dropped with the env file.
AWS_ONLY_VARS = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
HOW_TO = "start it with `make local-up` (another terminal), then `source .localcloud/env`"


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def endpoint_problems(environ: MutableMapping[str, str]) -> list[str]:
    """Why this environment could reach something other than a loopback address; empty when it cannot."""
    problems = []
    endpoint = environ.get(ENDPOINT_VAR, "")
    if not endpoint:
        problems.append(f"{ENDPOINT_VAR} is not set (boto3 would call AWS)")
    elif not is_loopback_host(urlsplit(endpoint).hostname):
        problems.append(f"{ENDPOINT_VAR}={endpoint} is not a loopback address")
    for name in sorted(environ):
        if name.startswith(f"{ENDPOINT_VAR}_") and not is_loopback_host(urlsplit(environ[name]).hostname):
            problems.append(f"{name}={environ[name]} is not a loopback address")
    if environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
        problems.append("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true makes boto3 ignore the endpoint")
    connect_to = environ.get(CONNECT_TO_VAR, "")
    if not connect_to:
        problems.append(f"{CONNECT_TO_VAR} is not set (HTTPS checks would resolve the real hostnames)")
    else:
        try:
            from bluegreen.http import parse_connect_to  # requests: only when a rule is set

            rule = parse_connect_to(connect_to)
        except ConfigError as exc:
            problems.append(str(exc))
        else:
            if rule.from_host or rule.from_port is not None or not is_loopback_host(rule.to_host):
                problems.append(
                    f"{CONNECT_TO_VAR}={connect_to} must send every HTTPS request to a loopback HOST:PORT"
                )
    return problems


def read_env_file(path: Path) -> dict[str, str]:
    """`export KEY=VALUE` lines, as `localcloud up` writes them."""
    values = {}
    for line in path.read_text().splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["export"]:
            words = words[1:]
        for word in words:
            key, sep, value = word.partition("=")
            if sep and key:
                values[key] = value
    return values


def ensure_local(config_env: str, project_root: Path, environ: MutableMapping[str, str]) -> str | None:
    """Refuses (exit 2) a loopback-only config env whose endpoints are not loopback, after loading the
    local cloud's env file into `environ` if one exists. Returns a note when the file was loaded."""
    if config_env not in LOOPBACK_CONFIG_ENVS:
        return None
    problems = endpoint_problems(environ)
    if not problems:
        return None
    env_file = project_root / LOCAL_ENV_FILE
    already_local = is_loopback_host(urlsplit(environ.get(ENDPOINT_VAR, "")).hostname)
    if already_local or not env_file.is_file():
        # A shell already pointed at a local cloud is never re-pointed at another one behind its back.
        missing = "" if already_local else f" and {env_file} does not exist"
        raise ConfigError(
            f"config env {config_env!r} only talks to the local cloud, but {problems[0]}{missing}: {HOW_TO}"
        )
    for name in AWS_ONLY_VARS:
        environ.pop(name, None)
    for name in [name for name in environ if name.startswith(f"{ENDPOINT_VAR}_")]:
        environ.pop(name)
    environ.update(read_env_file(env_file))
    problems = endpoint_problems(environ)
    if problems:
        raise ConfigError(
            f"config env {config_env!r} only talks to the local cloud, but after loading {env_file}: "
            f"{'; '.join(problems)}; {HOW_TO}"
        )
    return f"config env {config_env!r}: loaded {env_file} (endpoint {environ[ENDPOINT_VAR]})"


def ensure_local_process_env(config_env: str, project_root: Path) -> str | None:
    """ensure_local on this process's environment, which boto3 and the `sam` subprocesses read."""
    return ensure_local(config_env, project_root, os.environ)
