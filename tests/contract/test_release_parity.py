"""The two bundles differ only where v2 adds features: a fix made in one color cannot miss the other."""

from pathlib import Path

from tests.handler_loader import BUNDLES_DIR

# Where v2.0.0 legitimately differs: its routes, its catalog, its response model and its routing table.
V2_FEATURE_FILES = {"app.py", "petstore/catalog.py", "petstore/models.py", "petstore/routing.py"}


def bundle_files(color: str) -> set[str]:
    root = BUNDLES_DIR / color
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_both_bundles_have_the_same_files() -> None:
    assert bundle_files("blue") == bundle_files("green")


def test_files_outside_the_v2_features_are_identical() -> None:
    shared = bundle_files("blue") - V2_FEATURE_FILES
    assert "requirements.txt" in shared
    differing = sorted(
        name
        for name in shared
        if Path(BUNDLES_DIR / "blue" / name).read_bytes() != (BUNDLES_DIR / "green" / name).read_bytes()
    )
    assert differing == []
