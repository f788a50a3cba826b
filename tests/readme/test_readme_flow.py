"""GIVEN a fresh local cloud WHEN the README's flow blocks run as written (set to local by the README's
own settings block) THEN every statement succeeds and every live answer is the color the README promises."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from localcloud.flow import Commands
from localcloud.launcher import local_cloud
from tests.readme.readme_script import README, Statement, flow_statements, local_settings_block

REPO = README.parent
_MARKER = "@@readme-statement-done {}@@"
_MARKER_LINE = re.compile(r"^@@readme-statement-done (\d+)@@$", re.MULTILINE)
# AWS's error bodies: a README command that gets one has not done what the README says.
_GATEWAY_ERRORS = ("Internal server error", "Missing Authentication Token", "Endpoint request timed out")
_REAL_AWS_SETTINGS = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE")


def _script(statements: list[Statement], env_file: Path, data_address: str, ca_bundle: Path) -> str:
    settings = local_settings_block()
    settings = settings.replace("localhost:4443", data_address).replace(".localcloud/ca.pem", str(ca_bundle))
    lines = ["set -eo pipefail", f"source {shlex.quote(str(env_file))}", settings]
    for index, statement in enumerate(statements):
        lines += [statement.source, f"printf '\\n%s\\n' {shlex.quote(_MARKER.format(index))}"]
    return "\n".join(lines) + "\n"


def _outputs(transcript: str, count: int) -> list[str | None]:
    """Each statement's output; None for statements that never finished."""
    outputs: list[str | None] = [None] * count
    position = 0
    for match in _MARKER_LINE.finditer(transcript):
        outputs[int(match.group(1))] = transcript[position : match.start()]
        position = match.end()
    return outputs


@pytest.mark.e2e
def test_readme_flow_runs_as_written(tmp_path: Path) -> None:
    statements = flow_statements()
    assert any("deploy_domain green" in s.source for s in statements), "the flow lost its switch step"
    with local_cloud(tmp_path / "cloud") as cloud:
        Commands(cloud, quiet=True).bootstrap()
        env_file = cloud.state_dir / "env"
        assert "AWS_ENDPOINT_URL" in env_file.read_text(), "the local cloud's env file sets no endpoint"
        environment = {k: v for k, v in os.environ.items() if k not in _REAL_AWS_SETTINGS}
        result = subprocess.run(
            ["bash", "-c", _script(statements, env_file, cloud.data_address, cloud.ca_bundle)],
            cwd=REPO,
            env={**environment, "SAM_CLI_TELEMETRY": "0"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=900,
            check=False,
        )
    outputs = _outputs(result.stdout, len(statements))
    for statement, output in zip(statements, outputs, strict=True):
        where = f"README block {statement.block}:\n{statement.source}"
        tail = result.stdout[-3000:]
        assert output is not None, f"did not complete (exit {result.returncode}): {where}\n{tail}"
        for error in _GATEWAY_ERRORS:
            assert error not in output, f"answered {error!r}: {where}\n{output[-1500:]}"
        color = statement.expected_environment()
        if color is not None:
            assert f'"environment":"{color}"' in output.replace(" ", ""), f"not {color}: {where}\n{output}"
    assert result.returncode == 0, result.stdout[-3000:]


def test_every_flow_block_is_split_into_complete_statements() -> None:
    statements = flow_statements()
    assert statements, "the README has no flow blocks"
    for statement in statements:
        assert not statement.source.rstrip().endswith("\\"), statement.source
    assert sum(1 for s in statements if s.expected_environment()) >= 4, "live answers are no longer stated"
