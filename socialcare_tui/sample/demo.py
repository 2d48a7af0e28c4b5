"""Build a database from the sample files (`socialcare-tui demo`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from socialcare_tui.errors import UserError

# sample_data/ sits beside the package in the repository (editable install)
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
DATA_FILES = ("events.csv", "twcs.csv", "tickets.csv", "surveys.csv")


def sample_files(folder: Path = SAMPLE_DIR) -> list[Path]:
    """The four data files of `folder`; a missing one is a UserError."""
    files = [Path(folder) / name for name in DATA_FILES]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise UserError(
            f"{folder}: sample files missing ({', '.join(missing)}); "
            "write them with: socialcare-tui sample FOLDER"
        )
    return files


def build_demo_db(db_path: str | Path, folder: str | Path | None = None) -> Path:
    """Import the sample files into `db_path` (created if needed) and return its path.

    Without `folder`, uses `sample_data/` of the checkout, or (in an install that
    lacks it) the same files generated afresh into a temporary folder. Importing
    is idempotent, so building into an existing demo database adds nothing.
    """
    path = Path(db_path).expanduser()
    if folder is not None:
        _import(path, sample_files(Path(folder)))
    elif all((SAMPLE_DIR / name).exists() for name in DATA_FILES):
        _import(path, sample_files(SAMPLE_DIR))
    else:
        from socialcare_tui.sample import generate

        with tempfile.TemporaryDirectory(prefix="socialcare-sample-") as tmp:
            generate(tmp)
            _import(path, sample_files(Path(tmp)))
    return path


def _import(db_path: Path, files: list[Path]) -> None:
    from socialcare_tui.ingest.pipeline import import_paths
    from socialcare_tui.store import open_db

    con = open_db(db_path)
    try:
        import_paths(con, files)
    finally:
        con.close()
