"""Shared test fixtures: a fresh database per test and the optional ../shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcare_tui.store import open_db

REPO = Path(__file__).resolve().parent.parent
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def con(db_path: Path):
    connection = open_db(db_path)
    yield connection
    connection.close()


@pytest.fixture
def twcs_excerpt() -> Path:
    path = SHARED_FIXTURES / "twcs_excerpt.csv"
    if not path.exists():
        pytest.skip("../shared/fixtures is not beside this checkout")
    return path


@pytest.fixture
def anyio_backend():
    """Async tests (the app's Pilot tests) run on asyncio."""
    return "asyncio"
