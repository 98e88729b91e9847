"""What a test needs from the machine: under CI=true a missing piece fails, never skips."""

from __future__ import annotations

import os
import shutil

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(reason: str) -> None:
    """Fail under CI, skip on a developer's machine that lacks the piece."""
    if in_ci():
        pytest.fail(f"required for CI: {reason}")
    pytest.skip(reason)


def need_binary(name: str, *extra_dirs: str) -> str:
    """Return the path of an executable, searching PATH and the given directories."""
    path = shutil.which(name) or next(
        (shutil.which(name, path=d) for d in extra_dirs if shutil.which(name, path=d)), None
    )
    if path is None:
        missing(f"`{name}` is not installed (run the README's test command)")
        raise AssertionError("unreachable")
    return path
