"""The preview on the live hostname, against the local cloud with the real commands and steady load:
`bluegreen preview green` / `none` fail no request, and a green broken only behind the custom domain is
refused in preflight (through the preview) while live traffic sees no 5xx at all.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator

import pytest

from localcloud.flow import DOMAIN_STACK, LIVE_URL, REPO, Commands, stack_parameters
from localcloud.zero_downtime import LiveLoad, Sample
from tests.e2e.test_safety import BREAK_ORDERS_ON_THE_DOMAIN

pytestmark = pytest.mark.e2e

PREVIEW = {"X-Bluegreen-Preview": "green"}


def load(commands: Commands, headers: dict[str, str] | None = None) -> LiveLoad:
    cloud = commands.cloud
    return LiveLoad(
        f"{LIVE_URL}/pets", 2, cloud.data_address, str(cloud.ca_bundle), headers=dict(headers or {})
    )


def failed(samples: list[Sample]) -> list[Sample]:
    return [sample for sample in samples if sample.status != 200]


def preview_parameters(commands: Commands) -> list[str]:
    parameters = stack_parameters(commands.cloud, DOMAIN_STACK)
    return [parameters.get(key, "") for key in ("PreviewColor", "PreviewApiId", "PreviewApiStage")]


def test_preview_green_then_none_under_steady_load_fails_no_request(live_on_blue: Commands) -> None:
    # GIVEN steady load on the live hostname, without and with the preview header
    with load(live_on_blue) as plain, load(live_on_blue, PREVIEW) as previewing:
        time.sleep(0.5)
        # WHEN green is previewed, then the preview removed, with the commands an operator types
        live_on_blue.run("make", "preview", "COLOR=green")
        with_header = live_on_blue.curl("GET", "/health", headers=PREVIEW)["environment"]
        without = live_on_blue.live()
        live_on_blue.run("bluegreen", "preview", "none", "--yes")
        after = live_on_blue.curl("GET", "/health", headers=PREVIEW)["environment"]
        time.sleep(0.5)
    # THEN the header reached green only while previewed, everyone else stayed on blue, nothing failed
    assert (with_header, without, after) == ("green", ("blue", "v1.0.0"), "blue")
    print(f"preview on/off under load: {len(plain.samples)} plain + {len(previewing.samples)} previewing")
    assert len(plain.samples) > 50 and len(previewing.samples) > 50
    assert failed(plain.samples) == [] and failed(previewing.samples) == []
    assert {sample.color for sample in plain.samples} == {"blue"}
    assert {sample.color for sample in previewing.samples} == {"blue", "green"}
    assert preview_parameters(live_on_blue) == ["", "", ""]


@pytest.fixture(scope="module")
def domain_broken_green(petstore: Commands, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Green deployed with a handler whose POST /orders fails only behind the custom domain; the real
    green is deployed again afterwards."""
    project = tmp_path_factory.mktemp("domain-broken-green")
    for folder in ("samconfig", "stacks"):
        shutil.copytree(REPO / folder, project / folder)
    shutil.copytree(REPO / "src" / "green", project / "src" / "green")
    app = project / "src" / "green" / "app.py"
    app.write_text(app.read_text() + BREAK_ORDERS_ON_THE_DOMAIN)
    petstore.run("bluegreen", "--project-dir", str(project), "deploy", "green")
    yield
    petstore.run("bluegreen", "deploy", "green")


def test_green_broken_only_behind_the_domain_is_refused_in_preflight_with_no_live_5xx(
    live_on_blue: Commands, domain_broken_green: None
) -> None:
    # GIVEN green passes its whole smoke suite on its own URL (POST /orders fails only behind the domain)
    live_on_blue.run("bluegreen", "smoke", "green", check=False)  # warm-up: its first answer may be cold
    assert live_on_blue.run("bluegreen", "smoke", "green", check=False).returncode == 0
    # WHEN a switch to green runs under steady live load
    with load(live_on_blue) as live_load:
        time.sleep(0.5)
        result = live_on_blue.run("bluegreen", "--json", "switch", "green", "--yes", check=False)
        time.sleep(0.5)
    # THEN the preview smoke refused it before the flip: nothing changed, the preview is cleared
    outcome = json.loads(result.stdout)
    record = outcome["record"]
    assert result.returncode == 1 and outcome["state"] == "REFUSED", result.stderr
    assert "smoke suite failed on the live hostname behind the preview rule" in record["reason"]
    preview = record["measurements"]["preview"]
    assert preview["passed"] is False and preview["cleared"] is True
    assert "change" not in record["durations"]
    assert preview_parameters(live_on_blue) == ["", "", ""]
    assert live_on_blue.live() == ("blue", "v1.0.0")
    # AND live traffic never saw green nor a 5xx
    server_errors = [s for s in live_load.samples if s.status is None or s.status >= 500]
    print(f"refused switch under load: {len(live_load.samples)} live requests, {len(server_errors)} 5xx")
    assert len(live_load.samples) > 50
    assert server_errors == [] and failed(live_load.samples) == []
    assert {sample.color for sample in live_load.samples} == {"blue"}
