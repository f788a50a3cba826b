"""GIVEN cfn-guard's structured results WHEN the runner applies the templates' suppressions THEN only
a suppression with a reason, on the resource that fails, excuses a failure, and no stale or
unexplained suppression passes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.guard import run_guard


def _failure(rule: str, *logical_ids: str) -> dict[str, Any]:
    """The shape `cfn-guard validate --structured --output-format json` gives a failed rule."""
    checks = [
        {"Clause": {"Unary": {"check": {"Resolved": {"value": {"path": f"/Resources/{lid}/Properties/X"}}}}}}
        for lid in logical_ids
    ]
    return {"Rule": {"name": rule, "messages": {"custom_message": f"[{rule}] broken"}, "checks": checks}}


def _check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resources: dict[str, Any], failures: list[dict[str, Any]]
) -> tuple[int, int, int]:
    data = tmp_path / "template.json"
    data.write_text(json.dumps({"Resources": resources}))
    monkeypatch.setattr(run_guard, "run_guard", lambda *_: [{"not_compliant": failures}])
    return run_guard.check("cfn-guard", ["rules.guard"], data)


def _suppressing(rule: str, comment: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Permission",
        "Metadata": {"guard": {"SuppressedRules": [{"id": rule, "comment": comment}]}},
    }


def test_failure_without_suppression_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _check(
        tmp_path, monkeypatch, {"Stage": {"Type": "AWS::ApiGateway::Stage"}}, [_failure("xray", "Stage")]
    )
    assert result == (1, 0, 0)


def test_suppression_with_reason_excuses_its_own_resource_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = {
        "Excused": _suppressing("public", "scoped by SourceArn"),
        "Other": {"Type": "AWS::Lambda::Permission"},
    }
    assert _check(tmp_path, monkeypatch, resources, [_failure("public", "Excused", "Other")]) == (1, 1, 0)


def test_suppression_without_reason_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resources = {"Permission": _suppressing("public", "  ")}
    assert _check(tmp_path, monkeypatch, resources, [_failure("public", "Permission")]) == (1, 0, 1)


def test_suppression_that_excuses_nothing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resources = {"Permission": _suppressing("public", "was needed once")}
    assert _check(tmp_path, monkeypatch, resources, []) == (0, 0, 1)


def test_suppression_copied_by_sam_to_generated_resources_is_used_once_is_enough(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SAM copies the function's Metadata to the function, its role and its permissions.
    entry = _suppressing("public", "scoped by SourceArn")
    resources = {"Function": dict(entry, Type="AWS::Lambda::Function"), "Permission": entry}
    assert _check(tmp_path, monkeypatch, resources, [_failure("public", "Permission")]) == (0, 1, 0)


def test_plain_string_suppression_has_no_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resources = {
        "Permission": {
            "Type": "AWS::Lambda::Permission",
            "Metadata": {"guard": {"SuppressedRules": ["public"]}},
        }
    }
    assert _check(tmp_path, monkeypatch, resources, [_failure("public", "Permission")]) == (1, 0, 1)
