"""`socialcare-tui serve` end to end: the server started as a subprocess on a free
loopback port, the page loaded in real headless Chromium, and the app's text read
from the page.

textual-serve draws the terminal with xterm.js on a canvas (WebGL or 2D), whose text
is not in the DOM. The test makes `getContext` return null before the page's scripts
run (DevTools `Page.addScriptToEvaluateOnNewDocument`), so xterm.js falls back to its
DOM renderer and the rows are readable as `.xterm-rows` text. The DevTools protocol
is spoken with aiohttp (a textual-serve dependency). Bounded: about 40 s at most, and
the server and the browser are always killed.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tui_helpers import build_db

from socialcare_tui.cli import main

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FORCE_DOM_RENDERER = "HTMLCanvasElement.prototype.getContext = function () { return null; };"
ROWS_TEXT = "(document.querySelector('.xterm-rows') || {}).innerText || ''"
DEADLINE = 30.0  # seconds for the server to listen and the page to show the refreshed dashboard


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, server: subprocess.Popen, until: float) -> None:
    while time.monotonic() < until:
        if server.poll() is not None:
            pytest.fail(f"serve exited with {server.returncode}: {server.stderr.read().decode()[-500:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("serve did not listen in time")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


class Devtools:
    """The least of the DevTools protocol: call a method, collect nothing else."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params):
        self.next_id += 1
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        while True:
            message = await self.ws.receive_json()
            if message.get("id") == self.next_id:
                return message.get("result") or {}


async def page_text(url: str, profile: Path, wanted: list[str], until: float) -> str:
    """The terminal rows' text once every `wanted` string shows (or at the deadline)."""
    import aiohttp

    browser = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--window-size=1600,1000",
                                "--remote-debugging-port=0",
                                "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        while not (port_file.exists() and port_file.read_text().strip()) and time.monotonic() < until:
            await asyncio.sleep(0.1)
        devtools_port = port_file.read_text().split()[0]
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{devtools_port}/json/list") as reply:
                pages = [p for p in await reply.json() if p["type"] == "page"]
            async with session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                tools = Devtools(ws)
                await tools.call("Page.enable")
                await tools.call("Page.addScriptToEvaluateOnNewDocument", source=FORCE_DOM_RENDERER)
                await tools.call("Page.navigate", url=url)
                text = ""
                while time.monotonic() < until:
                    result = await tools.call("Runtime.evaluate", expression=ROWS_TEXT, returnByValue=True)
                    text = result.get("result", {}).get("value") or ""
                    if all(w in text for w in wanted):
                        break
                    await asyncio.sleep(0.5)
                return text
    finally:
        stop(browser)


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
def test_served_page_shows_the_dashboard(tmp_path):
    db_path = build_db(tmp_path)
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    port = free_port()
    until = time.monotonic() + DEADLINE
    env = dict(os.environ, NO_COLOR="", XDG_CONFIG_HOME=str(tmp_path))
    env.pop("NO_COLOR")
    server = subprocess.Popen(
        [sys.executable, "-m", "socialcare_tui", "serve", "--db", str(db_path), "--config",
         str(tmp_path / "config.toml"), "--port", str(port), "--window", "all"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True,
    )
    try:
        wait_listening(port, server, until)
        profile = tmp_path / "chromium"
        profile.mkdir()
        wanted = ["First response time", "Inbound volume", "refreshed"]
        text = asyncio.run(page_text(f"http://127.0.0.1:{port}/", profile, wanted, until))
    finally:
        try:
            os.killpg(server.pid, 9)  # the server and the app it started for the page
        except ProcessLookupError:
            pass
        stop(server)
    assert "fixture.duckdb" in text, text[:2000]
    for title in wanted:
        assert title in text, text[:2000]
    # inbound volume over all the data: P1, A1, A2, A3, A4, A5 -> 6 customer messages
    assert "│ 6 " in text.split("Inbound volume", 1)[1][:200], text[:2000]


def test_serve_refuses_bad_options_in_one_line(tmp_path, capsys):
    db_path = build_db(tmp_path)
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    config = ["--config", str(tmp_path / "config.toml")]
    assert main(["serve", "--db", str(db_path), *config, "--port", "70000"]) == 2
    assert "--port 70000" in capsys.readouterr().err
    assert main(["serve", "--db", str(tmp_path / "missing" / "x.duckdb"), *config, "--read-only"]) != 0
    capsys.readouterr()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--db", str(db_path), *config, "--port", str(port)]) == 2
    assert "cannot listen" in capsys.readouterr().err


def test_serve_command_line_is_read_only_and_passes_options():
    import argparse

    from socialcare_tui.commands.serve import app_command

    args = argparse.Namespace(config=None, window="7d", refresh=None, wallboard=True, redact=True)
    command = app_command(args, "/data/my db.duckdb")
    assert "open --db '/data/my db.duckdb' --read-only --served --window 7d --wallboard --redact" in command


def test_wildcard_host_points_browsers_at_this_machine():
    from socialcare_tui.commands.serve import public_url

    assert public_url("127.0.0.1", 8000) is None  # textual-serve's own http://127.0.0.1:8000
    url = public_url("0.0.0.0", 8123)
    assert url.startswith("http://") and url.endswith(":8123") and "0.0.0.0" not in url
