"""The command line shell: one line per failure and the documented exit codes."""

from __future__ import annotations

from socialcare_tui import cli


def test_no_command_means_open_and_help_lists_every_command(capsys):
    parser = cli.build_parser()
    names = set(parser._subparsers._group_actions[0].choices)
    assert {"import", "sources", "rejects", "report", "explain", "queue", "export", "open", "demo", "watch"} <= names


def test_every_command_has_an_example_in_its_help(capsys):
    for module in cli.command_modules():
        assert module.EXAMPLE.startswith("socialcare-tui "), module.NAME


def test_usage_mistake_is_one_line_exit_2(capsys):
    assert cli.main(["report", "--no-such-option"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unrecognized arguments" in err


def test_user_error_message_is_one_clean_line(capsys, tmp_path):
    # a path with a newline and an escape sequence in it must not break the one-line rule
    hostile = tmp_path / "bad\nname\x1b[2J.csv"
    assert cli.main(["import", str(hostile), "--db", str(tmp_path / "x.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "\x1b" not in err


def test_database_problem_is_exit_3(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    data = tmp_path / "e.csv"
    data.write_text("conversation_id,at,channel,direction\nc1,2024-01-01T10:00:00Z,twitter,in\n")
    assert cli.main(["import", str(data), "--db", str(blocker / "x.duckdb")]) == 3
    assert capsys.readouterr().err.count("\n") == 1
