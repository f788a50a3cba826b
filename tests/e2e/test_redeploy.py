"""Redeploying a color: nothing changed is reported as such without SAM; a source change reaches the function.

The source change is made in a copy of the project that carries the repository's SAM workspace for green
(its cached build and resolved dependencies), so the repository's own sources are never edited.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import boto3
import pytest

from localcloud.flow import REPO, Commands, stack_outputs

pytestmark = pytest.mark.e2e

PROJECT_PARTS = ("stacks", "samconfig", "src/green", ".aws-sam/green")


def green_code_sha(commands: Commands) -> str:
    cloud = commands.cloud
    env = cloud.env()
    function_arn = stack_outputs(cloud, "petstore-green")["GreenLambdaArn"]
    client = boto3.client(
        "lambda",
        endpoint_url=cloud.endpoint_url,
        region_name=cloud.region,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    return str(client.get_function(FunctionName=function_arn)["Configuration"]["CodeSha256"])


def test_a_redeploy_with_nothing_changed_says_so_without_running_sam(live_on_blue: Commands) -> None:
    # GIVEN green deployed by `make deploy-green` WHEN deployed again with nothing changed
    result = live_on_blue.run("bluegreen", "deploy", "green")
    # THEN neither SAM command ran, and the operator reads that nothing changed
    assert "sam build green: skipped" in result.stdout
    assert "sam deploy green: skipped" in result.stdout
    assert result.stdout.rstrip().endswith("petstore-green: nothing to change, already up to date")


def test_a_source_change_is_rebuilt_and_deployed_then_reported_unchanged(
    live_on_blue: Commands, tmp_path: Path
) -> None:
    # GIVEN a checkout whose green handler changed since green was deployed
    project = tmp_path / "project"
    for part in PROJECT_PARTS:
        shutil.copytree(REPO / part, project / part, symlinks=True)
    with (project / "src/green/app.py").open("a", encoding="utf-8") as handler:
        handler.write("\n# a source change\n")
    before = green_code_sha(live_on_blue)
    # WHEN deployed
    result = live_on_blue.run("bluegreen", "--project-dir", str(project), "deploy", "green")
    # THEN SAM rebuilt it reusing the resolved dependencies, and the function runs the new bundle
    assert "sources changed since the last build: SAM reuses the resolved dependencies" in result.stdout
    assert result.stdout.rstrip().endswith("petstore-green: deployed")
    assert green_code_sha(live_on_blue) != before
    lines = result.stdout.splitlines()
    assert not any("Uploading to" in line for line in lines)  # redraws folded: one line per artifact
    assert sum(line.strip().startswith("Uploaded ") for line in lines) >= 1
    # WHEN deployed once more THEN nothing changed
    again = live_on_blue.run("bluegreen", "--project-dir", str(project), "deploy", "green")
    assert again.stdout.rstrip().endswith("petstore-green: nothing to change, already up to date")
