"""The two bundles differ only where v2 adds features: a fix made in one color cannot miss the other."""

from tests.handler_loader import BUNDLES_DIR

# Where v2.0.0 legitimately differs: its routes, the pets it adds and its models.
V2_FEATURE_FILES = {"app.py", "petstore/catalog.py", "petstore/models.py"}


def bundle_files(color: str) -> set[str]:
    """Source files of a bundle, without caches and hidden tool folders."""
    root = BUNDLES_DIR / color
    relative = (path.relative_to(root) for path in root.rglob("*") if path.is_file())
    return {
        path.as_posix()
        for path in relative
        if not any(part.startswith((".", "__pycache__")) for part in path.parts)
    }


def test_both_bundles_have_the_same_files() -> None:
    assert bundle_files("blue") == bundle_files("green")


def test_files_outside_the_v2_features_are_identical() -> None:
    shared = bundle_files("blue") - V2_FEATURE_FILES
    assert {"requirements.txt", "petstore/errors.py", "petstore/request_body.py"} <= shared
    differing = sorted(
        name
        for name in shared
        if (BUNDLES_DIR / "blue" / name).read_bytes() != (BUNDLES_DIR / "green" / name).read_bytes()
    )
    assert differing == []
