"""A fast request generator driven by a seed that Hypothesis draws.

Hypothesis draws a rich event value by value at roughly 10 ms per event on these machines, too slow for
10,000 requests per color in the time budget (st.randoms costs as much: each call is a draw). So each
Hypothesis example also draws an integer seed, and this module expands it into many more requests of the
same shapes in a fraction of a millisecond each; a failing seed is replayed like any other example.
"""

import base64
import json
import random
from typing import Any

from tests.events import make_event
from tests.fuzz.strategies import CONTENT_TYPES, FILTER_VALUES, KNOWN_PATHS, METHODS, PET_NAMES

# Real pets of both releases; the unavailable ones twice so 409 is as common as 201.
CATALOGS = (
    (1, "Buddy"),
    (2, "Whiskers"),
    (3, "Charlie"),
    (3, "Charlie"),
    (4, "Bella"),
    (4, "Bella"),
)
JSON_CONTENT_TYPES = tuple(kind for kind in CONTENT_TYPES if "json" in kind.lower())
ROUTES = (
    ("GET", "/health"),
    ("GET", "/pets"),
    ("POST", "/orders"),
    ("GET", "/pets/1"),
    ("GET", "/orders/ORD-00000000"),
)
NASTY_STRINGS = (
    "",
    " ",
    "null",
    "true",
    "0",
    "-1",
    "1e400",
    "NaN",
    "\u0000",
    "\ufeff",
    "\u202e",
    "\U0001f436",
    "\u0661",
    "é",
    "../",
    "%00",
    "%2F",
    "<script>",
    "' OR 1=1 --",
    "{}",
    "[]",
    "\\",
    '"',
    "\ud800",
    "x" * 300,
)
# Code points that matter: ASCII, Latin-1, combining marks, CJK, RTL, noncharacters, emoji.
_CODE_POINT_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x300, 0x36F),
    (0x4E00, 0x4E40),
    (0x590, 0x5FF),
    (0x1F300, 0x1F64F),
)


class RandomRequests:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def text(self, max_size: int = 20) -> str:
        rng = self.rng
        if rng.random() < 0.2:
            return rng.choice(NASTY_STRINGS)
        chars = []
        for _ in range(rng.randint(0, max_size)):
            low, high = rng.choice(_CODE_POINT_RANGES)
            chars.append(chr(rng.randint(low, high)))
        return "".join(chars)

    def segment(self, max_size: int) -> str:
        """Path text: no slash, and no control character (the HTTP request line cannot carry one)."""
        return "".join(char for char in self.text(max_size) if char != "/" and ord(char) >= 0x20)

    def json_value(self, depth: int = 0) -> Any:
        rng = self.rng
        kind = rng.randrange(8 if depth < 4 else 6)
        if kind == 0:
            return None
        if kind == 1:
            return rng.random() < 0.5
        if kind == 2:
            return rng.choice((0, 1, -1, 2**31, 2**63, -(2**63), 2**64 + 1, rng.randint(-(10**30), 10**30)))
        if kind == 3:
            return rng.choice((0.0, -0.0, 1.5, 1e308, -1e-308, rng.uniform(-1e6, 1e6)))
        if kind in (4, 5):
            return self.text()
        if kind == 6:
            return [self.json_value(depth + 1) for _ in range(rng.randint(0, 4))]
        return {self.text(8): self.json_value(depth + 1) for _ in range(rng.randint(0, 4))}

    def order(self) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < 0.5:
            pet_id, name = rng.choice(CATALOGS)  # a real pet of one release or the other
            return {"id": pet_id, "name": name}
        order: dict[str, Any] = {}
        if rng.random() < 0.85:
            order["id"] = rng.choice((1, 2, 3, 4, 5, 999, 0, -1, 2**63 - 1, 2**63, True, None, "1", 1.0, [1]))
        if rng.random() < 0.85:
            order["name"] = rng.choice((*PET_NAMES, None, 7, self.text(), "n" * 101))
        if rng.random() < 0.2:
            order[self.text(8)] = self.json_value()
        return order

    def body(self) -> tuple[str | None, bool]:
        rng = self.rng
        kind = rng.randrange(11)
        if kind == 0:
            return rng.choice((None, "")), rng.random() < 0.5
        if kind in (1, 2, 3, 10):
            return json.dumps(self.order(), ensure_ascii=rng.random() < 0.5), False
        if kind == 4:
            return base64.b64encode(json.dumps(self.order()).encode()).decode(), True
        if kind == 5:
            return json.dumps(self.json_value()), False
        if kind == 6:
            return base64.b64encode(rng.randbytes(rng.randint(0, 200))).decode(), True
        if kind == 7:
            depth = rng.choice((50, 1000, 8000, 9000, 20000))
            opener, closer = rng.choice((("[", "]"), ('{"a":', "}")))
            middle = "" if opener == "[" else "1"
            return opener * depth + middle + (closer * depth if rng.random() < 0.7 else ""), False
        if kind == 8:
            digits = rng.choice((20, 33, 400, 4300, 5001))
            literal = rng.choice(
                ("1" + "0" * digits, f"1e{digits}", "NaN", "-Infinity", f"{digits}.{digits}")
            )
            return f'{{"id": {literal}, "name": "Max"}}', False
        return self.text(60), rng.random() < 0.3

    def event(self) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < 0.75:
            method, path = rng.choice(ROUTES)
            if path == "/pets/1":
                path = "/pets/" + rng.choice(
                    ("1", "2", "4", "999", str(rng.randint(-(2**70), 2**70)), self.text(6))
                )
            path = path.replace("/", "", 0) + ("/" if rng.random() < 0.05 else "")
        else:
            method = rng.choice((*METHODS, "TRACE", "PROPFIND"))
            path = rng.choice(
                (
                    *KNOWN_PATHS,
                    "/" + self.segment(10),
                    "/pets/" + self.segment(5),
                    "/orders/" + self.segment(12),
                )
            )
        if rng.random() < 0.1:
            method = rng.choice(METHODS)
        headers = {self.text(10).replace(":", "") or "X": self.text(20) for _ in range(rng.randint(0, 2))}
        if method == "POST" and rng.random() < 0.7:
            headers["Content-Type"] = rng.choice(JSON_CONTENT_TYPES)  # as most real clients send it
        elif rng.random() < 0.8:
            content_type = rng.choice(CONTENT_TYPES) if rng.random() < 0.9 else self.text(10)
            headers[rng.choice(("Content-Type", "content-type"))] = content_type
        if rng.random() < 0.2:  # the order headers, well-formed or not; retried keys collide on purpose
            key = rng.choice(("fuzz-key-1", "fuzz-key-2", self.text(rng.choice((0, 8, 200)))))
            headers[rng.choice(("Idempotency-Key", "idempotency-key"))] = key
        if rng.random() < 0.1:
            headers["X-Synthetic-Order"] = rng.choice(("true", "false", "1", "yes", self.text(5)))
        query = {}
        for _ in range(rng.choice((0, 0, 1, 2))):
            name = rng.choice(("status", "category", "page", self.text(6) or "q"))
            query[name] = [rng.choice(FILTER_VALUES) if rng.random() < 0.7 else self.text(8)]
        body, is_base64 = self.body()
        return make_event(method, path, body=body, headers=headers, query=query, base64_body=is_base64)
