"""What every response must be, whatever the request: below 500, JSON, documented."""

import json
from typing import Any

from tests.contract.openapi_contract import contract_for
from tests.handler_loader import Bundle, HttpReply, invoke


def assert_well_formed(bundle: Bundle, event: dict[str, Any]) -> HttpReply:
    reply = invoke(bundle, event)
    where = f"{event['httpMethod']} {event['path'][:80]!r}"
    assert reply.status < 500, f"{where} answered {reply.status}: {reply.body[:300]}"
    assert reply.header("Content-Type") == "application/json", (
        f"{where}: Content-Type {reply.header('Content-Type')}"
    )
    try:
        body = json.loads(reply.body)
    except ValueError:
        raise AssertionError(f"{where} answered a body that is not JSON: {reply.body[:200]!r}") from None
    if reply.status >= 400:
        assert isinstance(body, dict), f"{where}: error body is not an object"
        message = body.get("message")
        assert isinstance(message, str) and message.strip(), f"{where}: error without a message: {body}"
    contract_for(bundle.color).check(event["httpMethod"], event["path"], reply)
    return reply
