"""Shared fixtures: a fresh lab per test, over real sockets on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import labkit


@pytest.fixture
def lab() -> Iterator[labkit.Lab]:
    with labkit.start() as running:
        yield running
