"""Cached builds: SAM runs only when the template, sources or requirements changed since the last build,
in the unit's own workspace; the deploy record vouches for a stack only while nothing touched it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from bluegreen.aws.cloudformation import StackInfo
from bluegreen.config import Project
from bluegreen.deploy_records import DeployRecord, build_inputs_digest, code_folders
from bluegreen.errors import OperationFailed
from bluegreen.sam import Sam
from tests.unit.bluegreen.world import write_project

TEMPLATE = """Transform: AWS::Serverless-2016-10-31
Resources:
  GreenFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ../src/green/   # the function's folder
      Handler: app.lambda_handler
"""
HANDLER = "def lambda_handler(event, context):\n    return {}\n"


class FakeSam:
    """Stands in for the SAM CLI: records each run, and a build leaves a built template behind."""

    def __init__(self) -> None:
        self.runs: list[tuple[list[str], Path | None]] = []
        self.exit_code = 0

    def __call__(
        self, argv: Sequence[str], echo: Callable[[str], None], cwd: Path | None = None
    ) -> tuple[int, list[str]]:
        self.runs.append((list(argv), cwd))
        if argv[1] == "build" and self.exit_code == 0:
            built = Path(argv[list(argv).index("--build-dir") + 1])
            (built / "GreenFunction").mkdir(parents=True, exist_ok=True)
            (built / "template.yaml").write_text("Resources: {}\n")
            (built / "GreenFunction" / "app.py").write_text(f"# build {len(self.runs)}\n")
        return self.exit_code, []


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = write_project(tmp_path)
    (root / "stacks" / "green-stack.yaml").write_text(TEMPLATE)
    source = root / "src" / "green"
    source.mkdir(parents=True)
    (source / "app.py").write_text(HANDLER)
    (source / "requirements.txt").write_text("aws-lambda-powertools==3.37.0\n")
    return Project(root, "default")


def build(project: Project, sam: FakeSam, reuse: bool = True) -> list[str]:
    said: list[str] = []
    Sam(project.root, said.append, runner=sam).build(project.deploy_config("green"), reuse=reuse)
    return said


def test_code_folders_are_the_templates_code_uris_resolved_against_its_folder(project: Project) -> None:
    template = project.deploy_config("green").template_file
    assert code_folders(template) == [project.root / "src" / "green"]
    template.write_text("Resources:\n  F:\n    Type: AWS::Serverless::Function\n")
    assert code_folders(template) == [template.parent]  # SAM's default: the template's folder
    template.write_text("Resources:\n  F:\n    Properties:\n      CodeUri: s3://bucket/key.zip\n")
    assert code_folders(template) == []


def test_the_inputs_digest_follows_sources_and_requirements_not_bytecode(project: Project) -> None:
    template = project.deploy_config("green").template_file
    source = project.root / "src" / "green"
    before = build_inputs_digest(template)
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / "app.cpython-313.pyc").write_bytes(b"\0")
    assert build_inputs_digest(template) == before
    (source / "app.py").write_text("# changed\n")
    after_source = build_inputs_digest(template)
    (source / "requirements.txt").write_text("pydantic==2.13.5\n")
    assert len({before, after_source, build_inputs_digest(template)}) == 3


def test_a_build_runs_sam_cached_in_the_units_workspace_and_is_reused_while_nothing_changed(
    project: Project,
) -> None:
    sam = FakeSam()
    # GIVEN a first build
    said = build(project, sam)
    [(argv, cwd)] = sam.runs
    workspace = project.root / ".aws-sam" / "green"
    assert cwd == workspace
    assert argv[argv.index("--build-dir") + 1] == str(workspace / "build")
    assert "--cached" in argv and argv[argv.index("--cache-dir") + 1] == str(workspace / "cache")
    assert "no build on record" in said[0]
    # WHEN built again with nothing changed THEN SAM does not run and the operator is told why
    said = build(project, sam)
    assert len(sam.runs) == 1 and "skipped" in said[0] and "unchanged" in said[0]


def test_a_source_change_rebuilds_reusing_dependencies_and_a_requirements_change_resolves_them(
    project: Project,
) -> None:
    sam = FakeSam()
    build(project, sam)
    (project.root / "src" / "green" / "app.py").write_text("# v2\n")
    said = build(project, sam)
    assert len(sam.runs) == 2 and "reuses the resolved dependencies" in said[0]
    (project.root / "src" / "green" / "requirements.txt").write_text("pydantic==2.13.5\n")
    said = build(project, sam)
    assert len(sam.runs) == 3 and "resolves the dependencies again" in said[0]
    (project.root / "stacks" / "green-stack.yaml").write_text(TEMPLATE + "# a template change\n")
    build(project, sam)
    assert len(sam.runs) == 4


def test_a_build_folder_changed_behind_our_back_is_rebuilt(project: Project) -> None:
    # GIVEN a recorded build, then someone rebuilds the folder by hand (another version of the sources)
    sam = FakeSam()
    build(project, sam)
    (project.root / ".aws-sam" / "green" / "build" / "GreenFunction" / "app.py").write_text("# other\n")
    # WHEN deployed THEN the record no longer vouches for the folder: SAM builds again
    build(project, sam)
    assert len(sam.runs) == 2


def test_a_failed_build_leaves_no_record_and_no_cache_rebuilds(project: Project) -> None:
    sam = FakeSam()
    build(project, sam)
    (project.root / "src" / "green" / "app.py").write_text("# broken\n")
    sam.exit_code = 1
    with pytest.raises(OperationFailed, match="sam build exited 1"):
        build(project, sam)
    # WHEN the sources go back to what the last good build had THEN it still builds: the old build is gone
    (project.root / "src" / "green" / "app.py").write_text(HANDLER)
    sam.exit_code = 0
    build(project, sam)
    assert len(sam.runs) == 3
    build(project, sam, reuse=False)
    assert len(sam.runs) == 4


def stack(status: str = "UPDATE_COMPLETE", stack_id: str = "arn:stack/petstore-green/1") -> StackInfo:
    return StackInfo(name="petstore-green", stack_id=stack_id, status=status, status_reason="")


@pytest.mark.parametrize(
    ("settings", "now", "latest_event"),
    [
        ("other settings", stack(), "event-1"),
        ("settings", stack(stack_id="arn:stack/petstore-green/2"), "event-1"),  # deleted and re-created
        ("settings", stack(), "event-2"),  # an update, rollback or deploy from elsewhere since
        ("settings", stack(status="UPDATE_ROLLBACK_COMPLETE"), "event-1"),
        ("settings", None, None),  # the stack is gone
    ],
)
def test_the_deploy_record_vouches_only_for_the_stack_it_left(
    tmp_path: Path, settings: str, now: StackInfo | None, latest_event: str | None
) -> None:
    record = DeployRecord(tmp_path, "default")
    record.save("settings", stack(), "event-1")
    assert record.unchanged("settings", stack(), "event-1")
    assert not record.unchanged(settings, now, latest_event)


def test_a_deploy_that_left_the_stack_unsettled_records_nothing(tmp_path: Path) -> None:
    record = DeployRecord(tmp_path, "default")
    record.save("settings", stack(status="UPDATE_ROLLBACK_COMPLETE"), "event-1")
    assert not record.path.exists()
