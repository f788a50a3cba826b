"""The methods each path of this release answers: what turns a wrong method into 405 with Allow."""

import re

ROUTES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"/health"), ("GET",)),
    (re.compile(r"/pets"), ("GET",)),
    (re.compile(r"/pets/[^/]+"), ("GET",)),
    (re.compile(r"/orders"), ("POST",)),
)


def allowed_methods(path: str) -> tuple[str, ...]:
    """Methods served at path; empty when no route has this path at all."""
    # Powertools' REST resolver ignores trailing slashes when it routes: so must the 404/405 decision.
    path = path.rstrip("/")
    for pattern, methods in ROUTES:
        if pattern.fullmatch(path):
            return methods
    return ()
