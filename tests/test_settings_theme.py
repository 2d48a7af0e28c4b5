"""The theme chosen in the app is saved in config.toml with tomlkit: the top-level `theme`
key changes (or is added after the last top-level key), every other byte of the file
stays as it was: comments, tables, blank lines, a `theme` key inside a table."""

from __future__ import annotations

import random
import tomllib

import pytest

from socialcare_tui import config as config_module
from socialcare_tui.tui.settings import ThemeNotRemembered, remember_theme

COMMENTED = """\
# socialcare-tui settings  (hand-written, keep my comments)
timezone = "Europe/Paris"   # the office
theme = 'textual-dark'  # changed from the palette

[sla]
first_response = "1h"
# email is slower
[sla.channel.email]
first_response = "8h"

[keys]
theme = "t"
"""


def saved(tmp_path, text: str | None, theme: str = "nord", name: str = "config.toml") -> str:
    path = tmp_path / name
    if text is not None:
        path.write_bytes(text.encode("utf-8"))
    remember_theme(path, theme)
    return path.read_bytes().decode("utf-8")


def test_an_existing_top_level_theme_changes_alone(tmp_path):
    after = saved(tmp_path, COMMENTED)
    # the value changes in the quotes the file used; the comment after it stays
    assert after == COMMENTED.replace("theme = 'textual-dark'  #", "theme = 'nord'  #")
    assert tomllib.loads(after)["keys"]["theme"] == "t"  # the table's own key is not the theme


def test_a_missing_theme_is_added_after_the_last_top_level_key(tmp_path):
    text = COMMENTED.replace("theme = 'textual-dark'  # changed from the palette\n", "")
    after = saved(tmp_path, text)
    assert after == text.replace('the office\n', 'the office\ntheme = "nord"\n')


def test_a_theme_only_inside_a_table_is_left_there(tmp_path):
    text = '[wallboard]\ncycle = 15\n\n[keys]\ntheme = "t"\n'
    after = saved(tmp_path, text)
    assert after == 'theme = "nord"\n' + text
    assert tomllib.loads(after)["keys"] == {"theme": "t"}


def test_a_comment_above_the_first_table_stays_with_the_table(tmp_path):
    text = 'window = "7d"  # a week\n# targets for the dashboard\n[targets]\ncsat = 0.8\n'
    after = saved(tmp_path, text)
    assert after == text.replace("a week\n", 'a week\ntheme = "nord"\n')
    # with no top-level key it goes before the first table, after the comments
    text = "# my settings\n[targets]\ncsat = 0.8\n"
    assert saved(tmp_path, text, name="b.toml") == text.replace("settings\n", 'settings\ntheme = "nord"\n')


def test_a_missing_file_is_created_owner_only(tmp_path):
    path = tmp_path / "new" / "folder" / "config.toml"
    remember_theme(path, "gruvbox")
    assert path.read_text(encoding="utf-8") == 'theme = "gruvbox"\n'
    assert path.stat().st_mode & 0o777 == 0o600
    assert config_module.load(path).tui.theme == "gruvbox"


def test_an_empty_file_and_one_without_a_final_newline(tmp_path):
    assert saved(tmp_path, "", name="a.toml") == 'theme = "nord"\n'
    assert saved(tmp_path, 'window = "7d"', name="b.toml") == 'window = "7d"\ntheme = "nord"\n'


def test_crlf_line_ends_are_kept(tmp_path):
    text = '# mine\r\ntheme = "x"\r\n\r\n[sla]\r\nfirst_response = "1h"\r\n'
    assert saved(tmp_path, text) == text.replace('"x"', '"nord"')


@pytest.mark.parametrize("text", ['theme = \n', '[theme]\nname = "x"\n', 'theme.name = "x"\n'])
def test_a_file_that_cannot_take_the_key_is_left_as_it_was(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThemeNotRemembered):
        remember_theme(path, "nord")
    assert path.read_text(encoding="utf-8") == text


def test_the_sample_config_keeps_every_line(tmp_path):
    from socialcare_tui.sample.demo import SAMPLE_DIR

    text = (SAMPLE_DIR / "config.toml").read_text(encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    remember_theme(path, "dracula")
    after = path.read_text(encoding="utf-8")
    assert after.replace('theme = "dracula"\n', "", 1) == text
    loaded = config_module.load(path)
    assert loaded.tui.theme == "dracula" and loaded.kpi.sla == config_module.load(SAMPLE_DIR / "config.toml").kpi.sla


FRAGMENTS_TOP = ['timezone = "UTC"', "# a comment", "", 'window = "7d"  # trailing', "refresh_seconds = 2"]
FRAGMENTS_TABLE = ['[sla]\nfirst_response = "1h"', "# about keys\n[keys]\ntheme = \"t\"",
                   '[sla.channel.email]\nfirst_response = "8h"', "[targets]\ncsat = 0.8 # c", "",
                   "# closing comment", "[[extra]]\na = 1"]


@pytest.mark.parametrize("seed", range(60))
def test_generated_files_change_only_the_theme(tmp_path, seed):
    """Random mixes of top-level keys, comments, blank lines and tables, with or without a
    top-level theme: the parsed file gains only `theme`, and the text differs from the
    original by that one line (added, or the old theme line replaced)."""
    rng = random.Random(seed)
    top = rng.sample(FRAGMENTS_TOP, rng.randint(0, len(FRAGMENTS_TOP)))
    had_theme = rng.random() < 0.5
    if had_theme:
        top.insert(rng.randint(0, len(top)), "theme = 'old'" + rng.choice(["", "  # mine"]))
    tables = rng.sample(FRAGMENTS_TABLE, rng.randint(0, len(FRAGMENTS_TABLE)))
    tables = [t for t in tables if not t.startswith("[sla.")] if "[sla]\n" not in "".join(tables) else tables
    text = "\n".join([*top, *tables]) + rng.choice(["\n", ""])
    if not text.strip():
        text = ""
    after = saved(tmp_path, text)
    assert tomllib.loads(after) == {**tomllib.loads(text), "theme": "nord"}
    before_lines, after_lines = text.splitlines(), after.splitlines()
    if had_theme:
        changed = [(a, b) for a, b in zip(before_lines, after_lines, strict=True) if a != b]
        assert len(changed) == 1 and changed[0][0].startswith("theme = 'old'")
        assert changed[0][1].startswith("theme = 'nord'")
    else:
        added = list(after_lines)
        added.remove('theme = "nord"')
        assert added == before_lines
