"""Run cfn-guard on expanded templates and honour suppressions that carry a reason.

cfn-guard 3.1 has no suppression mechanism of its own.  This runner asks it for structured results,
maps each failed rule to the resources it failed on, and lets a resource excuse a rule only through
its own Metadata, next to what it excuses:

    Metadata:
      guard:
        SuppressedRules:
          - id: api_gw_domain_tls_check
            comment: why this resource may break the rule

A suppression without a comment, or one that no longer excuses anything, fails the run, so
suppressions cannot pile up unexplained or outlive their cause.

Usage: python tests/guard/run_guard.py GUARD_BINARY --rules PATH [--rules PATH ...] TEMPLATE.json [...]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

RESOURCE_PATH = re.compile(r"^/Resources/([^/]+)")


def failed_resources(node: Any) -> Iterator[str]:
    """Yield the logical IDs of the resources a failed rule's evaluation tree points at."""
    if isinstance(node, dict):
        path = node.get("path")
        if isinstance(path, str) and (match := RESOURCE_PATH.match(path)):
            yield match.group(1)
        for value in node.values():
            yield from failed_resources(value)
    elif isinstance(node, list):
        for value in node:
            yield from failed_resources(value)


def suppressions(resource: dict[str, Any]) -> dict[str, str]:
    """Rule name -> reason, as written in the resource's Metadata.guard.SuppressedRules."""
    entries = resource.get("Metadata", {}).get("guard", {}).get("SuppressedRules", [])
    found: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, dict):
            found[str(entry.get("id", ""))] = str(entry.get("comment", "")).strip()
        else:
            found[str(entry)] = ""
    return found


def run_guard(guard: str, rules: list[str], data: Path) -> list[dict[str, Any]]:
    command = [guard, "validate", "--structured", "--show-summary", "none", "--output-format", "json"]
    for rule in rules:
        command += ["--rules", rule]
    command += ["--data", str(data)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    # 0: all compliant, 19: some rule failed; anything else is cfn-guard itself failing.
    if result.returncode not in (0, 19):
        raise SystemExit(f"cfn-guard failed ({result.returncode}) on {data}:\n{result.stderr}{result.stdout}")
    reports: list[dict[str, Any]] = json.loads(result.stdout)
    return reports


def check(guard: str, rules: list[str], data: Path) -> tuple[int, int, int]:
    """Print findings for one template; return (unsuppressed, suppressed, problems with suppressions)."""
    template = json.loads(data.read_text(encoding="utf-8"))
    resources: dict[str, Any] = template.get("Resources", {})
    unsuppressed = suppressed = bad = 0
    # SAM copies a resource's Metadata to every resource it generates from it, so a suppression
    # counts as used when any resource carrying the same entry (rule and reason) needed it.
    used: set[tuple[str, str]] = set()
    for report in run_guard(guard, rules, data):
        for failure in report.get("not_compliant", []):
            rule = failure.get("Rule", {})
            name = str(rule.get("name", "?"))
            ids = sorted(set(failed_resources(rule))) or ["<template>"]
            for logical_id in ids:
                reasons = suppressions(resources.get(logical_id, {}))
                if reasons.get(name):
                    suppressed += 1
                    used.add((name, reasons[name]))
                    print(f"  suppressed {name} on {logical_id}: {reasons[name]}")
                else:
                    unsuppressed += 1
                    print(f"  FAIL {name} on {logical_id}")
                    for message in messages(rule):
                        print(f"      {message}")
    for logical_id, resource in resources.items():
        for name, reason in suppressions(resource).items():
            if not reason:
                bad += 1
                print(f"  FAIL suppression of {name} on {logical_id} has no comment (reason)")
            elif (name, reason) not in used:
                bad += 1
                print(f"  FAIL suppression of {name} on {logical_id} excuses nothing: remove it")
    return unsuppressed, suppressed, bad


def messages(node: Any) -> list[str]:
    """The rules' own custom messages, first line of each, without duplicates."""
    found: list[str] = []
    if isinstance(node, dict):
        node_messages = node.get("messages")
        custom = node_messages.get("custom_message") if isinstance(node_messages, dict) else None
        if isinstance(custom, str) and custom.strip():
            line = custom.strip().splitlines()[0].strip()
            if line not in found:
                found.append(line)
        for value in node.values():
            found += [m for m in messages(value) if m not in found]
    elif isinstance(node, list):
        for value in node:
            found += [m for m in messages(value) if m not in found]
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("guard", help="path of the cfn-guard binary")
    parser.add_argument("--rules", action="append", required=True, help="rule file or folder")
    parser.add_argument("templates", nargs="+", type=Path, help="expanded templates (JSON)")
    args = parser.parse_args(argv)
    totals = [0, 0, 0]
    for data in args.templates:
        print(f"cfn-guard: {data}")
        for i, count in enumerate(check(args.guard, args.rules, data)):
            totals[i] += count
    unsuppressed, suppressed, bad = totals
    print(
        f"cfn-guard: {unsuppressed} unsuppressed, {suppressed} suppressed with a reason, "
        f"{bad} bad suppressions"
    )
    return 1 if unsuppressed or bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
