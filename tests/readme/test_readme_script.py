"""GIVEN README-style shell blocks WHEN they are split into statements THEN continued lines, function
bodies and the colors promised in comments are read the way the README test relies on."""

from __future__ import annotations

import pytest

from tests.readme.readme_script import bash_blocks, statements

MARKDOWN = """
```bash
out() { aws cloudformation describe-stacks --stack-name "$1" \\
          --query "x" --output text; }
ZONE=$(echo "${DOMAIN#*.}")   # the parent domain
curl -sS "https://$DOMAIN/health"   # still {"environment":"blue",...}
```
Prose.
```bash
deploy() {   # $1: a color
  echo "$1"
}
```
"""


def test_continued_lines_and_function_bodies_are_one_statement() -> None:
    found = statements(bash_blocks(MARKDOWN))
    assert [s.source.splitlines()[0] for s in found] == [
        'out() { aws cloudformation describe-stacks --stack-name "$1" \\',
        'ZONE=$(echo "${DOMAIN#*.}")   # the parent domain',
        'curl -sS "https://$DOMAIN/health"   # still {"environment":"blue",...}',
        "deploy() {   # $1: a color",
    ]
    assert [s.block for s in found] == [1, 1, 1, 2]


def test_the_color_promised_in_a_comment_is_read_and_parameter_expansions_are_not_comments() -> None:
    out, zone, curl, deploy = statements(bash_blocks(MARKDOWN))
    assert curl.expected_environment() == "blue"
    assert out.expected_environment() is None
    assert zone.expected_environment() is None
    assert deploy.expected_environment() is None


def test_a_block_that_ends_inside_a_statement_is_an_error() -> None:
    with pytest.raises(ValueError, match="ends inside a statement"):
        statements(["echo one \\\n"])
