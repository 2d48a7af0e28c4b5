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


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    """The app's fixture database (tui_helpers.build_db), built once per test module;
    a module that needs more rows overrides this fixture."""
    from tui_helpers import build_db

    return build_db(tmp_path_factory.mktemp("fixture"))


@pytest.fixture
def db(fixture_db: Path):
    """(connection, path) of the module's fixture database."""
    connection = open_db(fixture_db)
    yield connection, fixture_db
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
