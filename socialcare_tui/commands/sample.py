"""`socialcare-tui sample`: write deterministic sample files in the four import formats."""

from __future__ import annotations

from pathlib import Path

from socialcare_tui.errors import UserError

NAME = "sample"
HELP = "write sample data files (events, twcs, tickets, surveys) for trying the app or benchmarking"
EXAMPLE = "socialcare-tui sample /tmp/big --format events --rows 10000000"

FORMAT_CHOICES = ("events", "twcs", "tickets", "surveys", "all")


def add_arguments(parser) -> None:
    parser.add_argument("outdir", metavar="OUTDIR", help="folder to write into (created if needed)")
    parser.add_argument("--rows", type=int, metavar="N",
                        help="about N rows per file (default: the small committed sample sizes)")
    parser.add_argument("--seed", type=int, default=1, metavar="S",
                        help="random seed; the same seed writes the same bytes (default: 1)")
    parser.add_argument("--format", choices=FORMAT_CHOICES, default="all",
                        help="which file to write (default: all four and config.toml)")


def run(args) -> int:
    from socialcare_tui.sample import FORMATS, generate

    if args.rows is not None and args.rows < 1:
        raise UserError(f"--rows {args.rows}: must be at least 1")
    if not 0 <= args.seed < 2**63:
        raise UserError(f"--seed {args.seed}: must be between 0 and 2^63-1")
    outdir = Path(args.outdir).expanduser()
    if outdir.exists() and not outdir.is_dir():
        raise UserError(f"{outdir}: exists and is not a folder")
    formats = FORMATS if args.format == "all" else (args.format,)
    try:
        written = generate(outdir, rows=args.rows, seed=args.seed, formats=formats)
    except OSError as err:
        raise UserError(f"{outdir}: cannot write the sample files ({err.strerror})") from None
    for path in written:
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0
