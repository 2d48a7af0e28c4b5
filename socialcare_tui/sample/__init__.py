"""Deterministic sample data in the four import formats, and the demo database.

`generate(outdir, rows=None, seed=1, formats=FORMATS)` writes one CSV per
format (the same seed gives the same bytes) and, for all formats, the sample
`config.toml`; `build_demo_db(db_path)` imports the files of `sample_data/`
through the import pipeline.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from socialcare_tui.sample import events, runner, surveys, tickets, twcs
from socialcare_tui.sample.demo import SAMPLE_DIR, build_demo_db, sample_files

MODULES = {m.NAME: m for m in (events, twcs, tickets, surveys)}
FORMATS = tuple(MODULES)
DEFAULT_SEED = 1

__all__ = ["FORMATS", "SAMPLE_DIR", "build_demo_db", "generate", "sample_files"]


def generate(outdir: str | Path, rows: int | None = None, seed: int = DEFAULT_SEED,
             formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the files of `formats` into `outdir`; `rows=None` gives the committed sizes.

    Large sizes stream from DuckDB straight into the file. Rows are approximate
    for events and twcs (whole conversations), exact for tickets.
    """
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    con = runner.connect()
    try:
        written = []
        for name in formats:
            module = MODULES[name]
            n = module.DEFAULT_ROWS if rows is None else rows
            path = out / module.FILENAME
            if module is surveys:
                events_rows = events.DEFAULT_ROWS if rows is None else rows
                written.append(surveys.write(con, path, n, seed, events_rows))
            else:
                written.append(module.write(con, path, n, seed))
        if set(formats) == set(FORMATS):
            written.append(write_config(out))
        return written
    finally:
        con.close()


def write_config(outdir: Path) -> Path:
    """The sample config (SLA targets, topic rules, costs) beside the data files."""
    path = Path(outdir) / "config.toml"
    path.write_bytes(resources.files(__package__).joinpath("config.toml").read_bytes())
    return path
