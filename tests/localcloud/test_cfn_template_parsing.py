"""A template text is parsed once and every reader gets moto's own document; moto's dispatcher lists its
service modules once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
import yaml
from moto import backends, mock_aws
from moto.cloudformation.models import Stack
from moto.moto_server import werkzeug_app
from templates import REGION, SAM_CAPABILITIES, body, params, status

from localcloud.extensions import install
from localcloud.patches import registry

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_FILES = sorted([*ROOT.glob("stacks/*.yaml"), *(ROOT / "tests/localcloud/templates").glob("*.yaml")])
TEXTS = {
    "json": json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}),
    # YAML refuses tab indentation, so moto reads this one as JSON.
    "json indented with tabs": '{\n\t"Resources": {\n\t\t"T": {"Type": "AWS::SNS::Topic", "N": 1e3}\n\t}\n}',
    "short forms": "A: !GetAtt X.Arn\nB: !Sub ['${a}', {a: 1}]\nC: !Join ['', [a, !Ref B]]\nD: 2010-09-09\n",
}
MALFORMED = {
    "unclosed": "a: [1, 2",
    "nested mapping": "a: b: c",
    "control character": "a: b\x07c",
    "empty": "",
}
ORIGIN = "localcloud.extensions.cfn_template_parsing"


def _patch() -> Any:
    return next(p for p in registry if p.origin == ORIGIN)


def _parsed(text: str) -> tuple[str, Any]:
    try:
        return "parsed", Stack.parse_template(text)
    except Exception as error:
        return "raised", type(error)


@pytest.fixture
def patched() -> Iterator[None]:
    install()
    yield
    registry.apply_all(origin=ORIGIN)


def _plain_and_patched(text: str) -> tuple[Any, Any]:
    _patch().undo()
    plain = _parsed(text)
    registry.apply_all(origin=ORIGIN)
    return plain, (_parsed(text), _parsed(text))


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda path: path.name)
def test_every_template_reads_as_moto_reads_it(patched: None, path: Path) -> None:
    # GIVEN a template of the product or of the tests WHEN it is parsed by plain moto, then twice patched
    plain, (first, again) = _plain_and_patched(path.read_text())
    # THEN both patched reads give moto's document
    assert plain[0] == "parsed"
    assert first == plain
    assert again == plain


@pytest.mark.parametrize("name", [*TEXTS, *MALFORMED])
def test_json_short_forms_and_errors_are_moto_s(patched: None, name: str) -> None:
    # GIVEN JSON, short-form intrinsics, or a malformed text WHEN parsed by plain moto and patched
    plain, (first, again) = _plain_and_patched({**TEXTS, **MALFORMED}[name])
    # THEN the same document, or the same error, each time
    assert first == plain
    assert again == plain


def test_each_reader_gets_its_own_copy(patched: None) -> None:
    # GIVEN a template read once, and its document changed by that reader
    text = TEXTS["short forms"]
    first = Stack.parse_template(text)
    first["A"]["Fn::GetAtt"].append("changed")
    first["E"] = "added"
    # WHEN it is read again THEN the next reader sees the template as written
    assert Stack.parse_template(text) == {
        "A": {"Fn::GetAtt": ["X", "Arn"]},
        "B": {"Fn::Sub": ["${a}", {"a": 1}]},
        "C": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
        "D": Stack.parse_template("D: 2010-09-09")["D"],
    }


def test_change_sets_of_one_template_parse_it_once(patched: None) -> None:
    # GIVEN a stack made by a change set of a YAML template
    template = body("color_api.yaml")
    with mock_aws():
        cf = boto3.client("cloudformation", region_name=REGION)

        def change_set(name: str, version: str, kind: str = "UPDATE") -> str:
            created = cf.create_change_set(
                StackName="s",
                ChangeSetName=name,
                ChangeSetType=kind,
                TemplateBody=template,
                Parameters=params(Version=version),
                Capabilities=SAM_CAPABILITIES,
            )
            return str(created["Id"])

        cf.execute_change_set(ChangeSetName=change_set("c1", "1", "CREATE"))
        # WHEN two more change sets of the same text are made and one is run, counting YAML parses
        with mock.patch.object(yaml, "load", wraps=yaml.load) as load:
            change_set("c2", "2")
            cf.execute_change_set(ChangeSetName=change_set("c3", "3"))
        # THEN the text was not parsed again: every reader had a copy of the first parse
        assert load.call_count == 0
        assert status(cf, "s") == "UPDATE_COMPLETE"
        described = cf.describe_stacks(StackName="s")["Stacks"][0]["Parameters"]
        assert {"ParameterKey": "Version", "ParameterValue": "3"} in described


def test_moto_lists_its_service_modules_once() -> None:
    # GIVEN plain moto's listing of its service modules
    install()
    patch = next(p for p in registry if p.origin == "localcloud.extensions.server_service_lookup")
    patch.undo()
    try:
        plain = list(backends.list_of_moto_modules())
    finally:
        registry.apply_all(origin=patch.origin)
    # WHEN the patched listing is read, then moto's dispatcher looks hosts up with the disk out of reach
    first = list(backends.list_of_moto_modules())
    dispatcher = werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app)
    with mock.patch("os.listdir", side_effect=AssertionError("listed again")):
        again = list(backends.list_of_moto_modules())
        by_module_name = dispatcher.get_backend_for_host("cloudformation")
        control_plane_host = dispatcher.get_backend_for_host("localhost")
    # THEN the listing is moto's, read from disk once, and the dispatcher uses it
    assert first == plain
    assert again == plain
    assert (by_module_name, control_plane_host) == ("cloudformation", None)
