"""The lower layers never import Textual (data flows file → ingest → store → kpi → tui)."""

from __future__ import annotations

import subprocess
import sys

BLOCK_TEXTUAL = """
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "textual" or name.startswith("textual."):
            raise ImportError("textual is blocked in the lower layers")
sys.meta_path.insert(0, Block())
import socialcare_tui
for layer in ("store", "ingest", "kpi"):
    package = importlib.import_module(f"socialcare_tui.{layer}")
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
print("ok")
"""


def test_store_ingest_kpi_import_without_textual():
    result = subprocess.run([sys.executable, "-c", BLOCK_TEXTUAL], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
