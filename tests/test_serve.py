"""`mkdocs serve` rebuilds the site after a record is edited."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import copy_project


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_serve_reloads_after_a_record_is_edited(tmp_path):
    project = copy_project(tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}/papers/densinglaw/"
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}",
                               "-f", str(project / "mkdocs.yml")], cwd=project,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        assert wait_for(lambda: "Densing Law of LLMs" in (fetch(url) or ""), 60), "serve did not start"
        record = project / "content" / "papers" / "densinglaw.yaml"
        record.write_text(record.read_text().replace("title: Densing Law of LLMs", "title: Densing Law of LLMs (edited)"))
        assert wait_for(lambda: "Densing Law of LLMs (edited)" in (fetch(url) or ""), 60), "no rebuild after the edit"
    finally:
        server.terminate()
        server.wait(10)
