"""JSON text for answer bodies and metric lines, written by pydantic-core's encoder.

Powertools writes every answer body with json.dumps (compact separators, its Encoder for Decimals,
pydantic models and dataclasses), and Metrics writes each EMF line with json.dumps. For documents this
short, json.dumps' own set-up in Python is most of its cost: the two calls were an eighth of a warm
order's instructions. pydantic-core, already loaded for validation, writes the same documents in Rust.

The documents are the same; their text may differ in form only: characters outside ASCII are written as
UTF-8 rather than \\u escapes, and floats in their shortest form ("1e-7" for "1e-07"), both JSON
(RFC 8259). Values json.dumps has no rule for are written as pydantic writes them (dates, enums, UUIDs),
where Powertools' serializer would fail, and so is a None key ("None"; json.dumps writes "null"). A
value pydantic-core cannot write (a string holding a lone surrogate, which json.dumps escapes; an object
of no known type) goes to Powertools' serializer, which writes it or fails exactly as before.
"""

import json
from functools import partial
from typing import Any

from aws_lambda_powertools.shared.json_encoder import Encoder
from pydantic_core import PydanticSerializationError, to_json

# What APIGatewayRestResolver uses when given no serializer.
_POWERTOOLS_SERIALIZER = partial(json.dumps, separators=(",", ":"), cls=Encoder)


def compact_json(value: Any) -> str:
    try:
        return to_json(value).decode()
    except PydanticSerializationError:  # its UTF-8 is always valid: what it cannot encode, it refuses
        return _POWERTOOLS_SERIALIZER(value)
