"""The data stack is not deleted from under the colors that import its tables.

CloudFormation would accept the delete and leave it waiting, the stack kept with "Export ... cannot be
deleted as it is in use by ..."; `make delete-data` says so at once instead and exits 2.
"""

from __future__ import annotations

import pytest

from localcloud.flow import Commands, stack_outputs

pytestmark = pytest.mark.e2e


def test_delete_data_refuses_while_a_color_imports_its_tables(live_on_blue: Commands) -> None:
    # GIVEN both colors deployed, importing the data stack's table names
    # WHEN the data stack is deleted with the right confirmation
    result = live_on_blue.run(
        "make", "--no-print-directory", "delete-data", "CONFIRM=petstore-data", check=False
    )

    # THEN it is refused in one line naming an importer, and the data stack is still there
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refusing: petstore-data-" in result.stderr
    assert "is imported by petstore-" in result.stderr
    assert "OrdersTableName" in stack_outputs(live_on_blue.cloud, "petstore-data")
