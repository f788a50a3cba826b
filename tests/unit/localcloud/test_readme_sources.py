"""Every module that changes moto has a row in the local cloud's README citing what it reproduces."""

from __future__ import annotations

from pathlib import Path

import pytest

from localcloud.extensions import EXTENSIONS

README = Path(__file__).resolve().parents[3] / "src" / "localcloud" / "README.md"


def _rows() -> list[list[str]]:
    """The README's table rows as cells (a separator row, `|---|...`, has no cells of its own)."""
    rows = []
    for line in README.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if line.startswith("| ") and len(cells) >= 3:
            rows.append(cells)
    return rows


def _file_of(extension: str) -> str:
    """The README names `cfn_stacks.py`, and outside extensions/ `observability/cloudwatch_api.py`."""
    if extension.startswith("localcloud."):
        return "/".join(extension.split(".")[1:]) + ".py"
    return f"{extension}.py"


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_every_extension_has_a_row_citing_its_source(extension: str) -> None:
    # GIVEN a module the local cloud installs into moto WHEN the README's tables are read
    named = [cells for cells in _rows() if f"`{_file_of(extension)}`" in cells[0]]
    # THEN a row names it, and every row that does cites a source
    assert named, f"no row of {README.name} names `{_file_of(extension)}`"
    unsourced = [cells[0] for cells in named if not any("https://" in cell for cell in cells[2:])]
    assert not unsourced, f"rows without a source: {unsourced}"
