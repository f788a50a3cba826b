"""A cold start imports no data access: boto3 and the idempotency utility wait for the first order."""

import json
import os
import subprocess
import sys
import sysconfig

import pytest

from tests.handler_loader import BUNDLES_DIR, COLORS, RELEASE_VERSIONS, REPO_ROOT, TEST_ENVIRONMENT

# Imports the bundle as Lambda does (task root first, the runtime's packages after it), answers the
# read-only routes, and reports which heavy modules got imported.
_PROBE = """
import json, sys
sys.path[:0] = [{bundle!r}]
sys.path.append({site!r})
import app
sys.path.append({repo!r})
from tests.events import FakeLambdaContext, load_event
for name in ("health", "pets"):
    assert app.lambda_handler(load_event(name), FakeLambdaContext())["statusCode"] == 200
heavy = ("boto3", "botocore.session", "aws_xray_sdk", "aws_lambda_powertools.utilities.idempotency")
print(json.dumps(sorted(name for name in heavy if name in sys.modules)))
"""


@pytest.mark.parametrize("color", COLORS)
def test_health_and_pets_never_import_boto3_or_the_idempotency_utility(color: str) -> None:
    probe = _PROBE.format(
        bundle=str(BUNDLES_DIR / color), site=sysconfig.get_paths()["purelib"], repo=str(REPO_ROOT)
    )
    environ = {**os.environ, **TEST_ENVIRONMENT, "APP_COLOR": color, "APP_VERSION": RELEASE_VERSIONS[color]}
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe], env=environ, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
