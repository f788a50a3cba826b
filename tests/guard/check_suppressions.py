"""Fail when a template excuses a checkov check without saying why.

checkov accepts `Metadata: {checkov: {skip: [{id: CKV_...}]}}` with no comment; this project does
not: every skip carries the reason next to what it excuses.

Usage: python tests/guard/check_suppressions.py TEMPLATE [TEMPLATE ...]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from cfnlint.decode import decode


def unexplained(template: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for logical_id, resource in template.get("Resources", {}).items():
        skips = (resource.get("Metadata") or {}).get("checkov", {}).get("skip", [])
        for skip in skips:
            if not isinstance(skip, dict) or not str(skip.get("id", "")).strip():
                problems.append(f"{logical_id}: checkov skip without an id: {skip!r}")
            elif not str(skip.get("comment", "")).strip():
                problems.append(f"{logical_id}: checkov skip of {skip['id']} has no comment (reason)")
    return problems


def main(argv: list[str]) -> int:
    failures = 0
    for name in argv:
        template, matches = decode(name)
        if matches or template is None:
            print(f"{name}: cannot parse", file=sys.stderr)
            return 2
        for problem in unexplained(template):
            failures += 1
            print(f"{Path(name)}: {problem}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
