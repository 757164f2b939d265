"""Shared fixtures: a fresh lab per test, over real sockets on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import labkit


@pytest.fixture
def lab() -> Iterator[labkit.Lab]:
    with labkit.start() as running:
        yield running


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    """Exercise attempts in tests go to a file of their own, never the user's."""
    path = tmp_path / "progress.json"
    monkeypatch.setenv("LABKIT_PROGRESS", str(path))
    return path
