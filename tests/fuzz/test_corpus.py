"""Regression suite of nasty bodies (tests/fuzz/corpus/cases.json): each gets its exact 4xx, never a 5xx.

Each case is sent to POST /orders twice per color: as a text body when its bytes are UTF-8, and always
base64-encoded (as API Gateway delivers binary bodies).
"""

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.events import make_event
from tests.fuzz.checks import assert_well_formed
from tests.handler_loader import Bundle

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
CASES: dict[str, dict[str, Any]] = json.loads((CORPUS_DIR / "cases.json").read_text(encoding="utf-8"))


def case_bytes(case: dict[str, Any]) -> bytes:
    if "file" in case:
        return (CORPUS_DIR / str(case["file"])).read_bytes()
    recipe: dict[str, Any] = case["generate"]
    text = str(recipe["prefix"]) + str(recipe["repeat"]) * int(recipe["times"]) + str(recipe["suffix"])
    return text.encode("utf-8")


def variants(raw: bytes) -> list[tuple[str, str, bool]]:
    encoded = [("base64", base64.b64encode(raw).decode("ascii"), True)]
    try:
        return [("text", raw.decode("utf-8"), False), *encoded]
    except UnicodeDecodeError:
        return encoded


def test_every_corpus_file_is_listed() -> None:
    listed = {case["file"] for case in CASES.values() if "file" in case}
    assert listed == {path.name for path in CORPUS_DIR.glob("*.bin")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_body_gets_its_4xx(bundle: Bundle, name: str) -> None:
    case = CASES[name]
    for variant, body, is_base64 in variants(case_bytes(case)):
        event = make_event(
            "POST", "/orders", body=body, headers={"Content-Type": "application/json"}, base64_body=is_base64
        )
        reply = assert_well_formed(bundle, event)
        assert reply.status == case["status"], f"{name} ({variant}): {reply.status} {reply.body[:200]}"
