"""The patch layer: every change to moto is a named, checked, undoable patch in one registry."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from localcloud import extensions
from localcloud.cli import main
from localcloud.extensions import _moto
from localcloud.extensions.cfn_provider import provider_types
from localcloud.patches import Patch, PatchError, PatchRegistry, registry


class Target:
    def greet(self) -> str:
        return "hello"

    @classmethod
    def build(cls) -> str:
        return cls.__name__


@pytest.fixture
def fresh() -> Iterator[type[Target]]:
    # A fresh class per test, so no test sees another's patches.
    yield type("Target", (Target,), {"greet": Target.greet})


def test_a_patch_whose_target_is_gone_fails_naming_it(fresh: type[Target]) -> None:
    # GIVEN a patch of a method the library no longer has WHEN applied THEN it refuses, naming the target
    patch = Patch(fresh, "renamed_upstream", "test", new=lambda self: "x")
    with pytest.raises(PatchError, match=r"Target\.renamed_upstream not found"):
        patch.apply()
    assert not hasattr(fresh, "renamed_upstream")


def test_undo_restores_the_original_and_removes_what_was_added(fresh: type[Target]) -> None:
    replaced = Patch(fresh, "greet", "test", new=lambda self: "patched")
    added = Patch(fresh, "extra", "test", new=property(lambda self: 42), adds=True)
    replaced.apply()
    added.apply()
    assert (fresh().greet(), fresh().extra) == ("patched", 42)  # type: ignore[attr-defined]

    replaced.undo()
    added.undo()

    assert fresh().greet() == "hello"
    assert not hasattr(fresh, "extra")


def test_adding_an_attribute_that_now_exists_upstream_is_refused(fresh: type[Target]) -> None:
    with pytest.raises(PatchError, match="already exists"):
        Patch(fresh, "greet", "test", new=lambda self: "x", adds=True).apply()


def test_a_wrapping_patch_sees_the_original_and_keeps_a_classmethod_a_classmethod(
    fresh: type[Target],
) -> None:
    def shout(original: Any) -> Any:
        return lambda cls: original(cls).upper()

    patch = Patch(fresh, "build", "test", wrap=shout)
    patch.apply()
    assert fresh.build() == "TARGET"
    patch.undo()
    assert fresh.build() == "Target"


def test_the_same_target_cannot_be_patched_twice(fresh: type[Target]) -> None:
    patches = PatchRegistry()
    patches.register("first", Patch(fresh, "greet", "a", new=lambda self: "a"))
    with pytest.raises(PatchError, match="patched twice"):
        patches.register("second", Patch(fresh, "greet", "b", new=lambda self: "b"))


def test_a_failing_patch_undoes_the_ones_applied_before_it(fresh: type[Target]) -> None:
    patches = PatchRegistry()
    patches.register(
        "m",
        Patch(fresh, "greet", "ok", new=lambda self: "patched"),
        Patch(fresh, "missing", "broken", new=lambda self: "x"),
    )
    with pytest.raises(PatchError):
        patches.apply_all()
    assert fresh().greet() == "hello"


def test_a_different_moto_version_is_refused_naming_both() -> None:
    with pytest.raises(_moto.MotoVersionMismatch, match=r"needs moto 5\.2\.5.*moto 5\.3\.0 is installed"):
        _moto.check_version("5.3.0")
    _moto.check_version()  # the installed one is the pinned one


def test_installed_extensions_apply_every_registered_patch_and_can_be_undone() -> None:
    extensions.install()
    assert len(registry) > 30 and all(patch.applied for patch in registry)
    added_types = {provider.cloudformation_type() for provider in provider_types()}
    assert {"AWS::ApiGateway::Stage", "AWS::S3::BucketPolicy"} <= added_types
    try:
        registry.undo_all()
        # THEN moto is plain moto again: its engine no longer sees the local resource types
        assert "AWS::ApiGateway::Stage" not in _moto.parsing.get_model_map()
        assert all(
            _moto.cfn.Stack.__dict__[name].__module__ == "moto.cloudformation.models"
            for name in ("delete", "update", "create_resources")
        )
    finally:
        registry.apply_all()
    assert _moto.parsing.get_model_map()["AWS::ApiGateway::Stage"].__module__.startswith("localcloud.")
    assert _moto.cfn.Stack.__dict__["delete"].__module__ == "localcloud.extensions.cfn_stacks"


def test_localcloud_patches_lists_each_target_with_its_module() -> None:
    result = CliRunner().invoke(main, ["patches"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(
        line.startswith("moto.apigateway.models.APIGatewayBackend.delete_rest_api\tapplied\t")
        and "apigateway_delete_guard" in line
        for line in lines
    )
    assert any(line.startswith("AWS::ApiGateway::BasePathMapping\tresource type") for line in lines)
    assert len(lines) == len(registry) + len(provider_types())


def test_a_module_namespace_can_be_patched_and_restored() -> None:
    module = types.ModuleType("fake_moto_module")
    module.parse = lambda: "moto"  # type: ignore[attr-defined]
    patch = Patch(module, "parse", "test", new=lambda: "local")
    patch.apply()
    assert patch.target == "fake_moto_module.parse" and module.parse() == "local"
    patch.undo()
    assert module.parse() == "moto"


def test_every_module_that_patches_moto_is_an_extension_and_listed() -> None:
    # GIVEN the installed local cloud WHEN its registry is read
    extensions.install()
    origins = {patch.origin for patch in registry}
    listed = {
        name if name.startswith("localcloud.") else f"localcloud.extensions.{name}"
        for name in extensions.EXTENSIONS
    }
    # THEN every patch comes from a listed module, the runtime and observability hooks included
    assert origins <= listed
    assert {
        "localcloud.lambda_runtime.moto_hook",
        "localcloud.observability.cloudwatch_api",
        "localcloud.observability.lambda_logging_config",
        "localcloud.extensions.apigatewayv2_routing_rules",
    } <= origins
