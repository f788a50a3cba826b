"""The README's shell blocks as a script a test can run: the flow's blocks in order, split into
statements so each statement's output and exit status can be checked against what the README says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
FLOW_HEADING = "## The blue/green flow, step by step"
LOCAL_CLOUD_HEADING = "## The local cloud"

_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.DOTALL | re.MULTILINE)
# A trailing comment starts with " # " (so "${DOMAIN#*.}" is not one).
_COMMENT = re.compile(r"\s#\s(.*)$")
_ENVIRONMENT = re.compile(r'"environment":"(\w+)"')


@dataclass(frozen=True)
class Statement:
    """One shell statement of the README (continued lines and function bodies joined)."""

    source: str
    block: int

    def expected_environment(self) -> str | None:
        """The color a README comment says this command answers with, if it says one."""
        for line in self.source.splitlines():
            comment = _COMMENT.search(line)
            found = _ENVIRONMENT.search(comment.group(1)) if comment else None
            if found:
                return found.group(1)
        return None


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = text.find("\n## ", start + len(heading))
    return text[start : following if following != -1 else len(text)]


def bash_blocks(markdown: str) -> list[str]:
    return [match.group(1) for match in _BLOCK.finditer(markdown)]


def statements(blocks: list[str]) -> list[Statement]:
    """Split blocks into statements: a line ending in a backslash, or with braces still open, continues."""
    found: list[Statement] = []
    for number, block in enumerate(blocks, start=1):
        pending: list[str] = []
        for line in block.splitlines():
            if not pending and not line.strip():
                continue
            pending.append(line)
            joined = "\n".join(pending)
            code = _COMMENT.sub("", line)
            if code.rstrip().endswith("\\") or joined.count("{") > joined.count("}"):
                continue
            found.append(Statement(joined, number))
            pending = []
        if pending:
            raise ValueError(f"README bash block {number} ends inside a statement:\n" + "\n".join(pending))
    return found


def flow_statements(readme: Path = README) -> list[Statement]:
    return statements(bash_blocks(section(readme.read_text(), FLOW_HEADING)))


def local_settings_block(readme: Path = README) -> str:
    """The README's block that points the flow's raw commands at the local cloud."""
    for block in bash_blocks(section(readme.read_text(), LOCAL_CLOUD_HEADING)):
        if "CONFIG_ENV=local" in block and "curl()" in block:
            return block
    raise LookupError("the README's local cloud section has no block setting CONFIG_ENV=local and curl()")
