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
    url = f"http://127.0.0.1:{port}/papers/workshop/"
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", "-f", str(project / "mkdocs.yml")],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        assert wait_for(lambda: "Many Hands Make Light Kernels" in (fetch(url) or ""), 60), "serve did not start"
        record = project / "content" / "papers" / "workshop.yaml"
        record.write_text(record.read_text().replace("Light Kernels", "Light Kernels (edited)"))
        assert wait_for(lambda: "Light Kernels (edited)" in (fetch(url) or ""), 60), "no rebuild after the edit"
    finally:
        server.terminate()
        server.wait(10)


def test_a_rebuild_redoes_only_the_edited_record(tmp_path, monkeypatch):
    """What `mkdocs serve` gains: records whose file did not change are neither read, validated nor
    rendered again (the caches live in the serving process)."""
    from generator import loader, render
    from generator.session import Session
    from generator.site import generate

    content = copy_project(tmp_path) / "content"
    session = Session()
    first = {p.path: p.content for p in generate(content, session=session).pages}
    validated, rendered = [], []
    original_validate, original_render = loader._validate, render.paper_page
    monkeypatch.setattr(
        loader, "_validate", lambda *a, **k: validated.append(a[2].__name__) or original_validate(*a, **k)
    )
    monkeypatch.setattr(render, "paper_page", lambda r, p: rendered.append(p.key) or original_render(r, p))
    record = content / "papers" / "workshop.yaml"
    record.write_text(record.read_text().replace("Light Kernels", "Light Kernels, again"))
    second = {p.path: p.content for p in generate(content, session=session).pages}
    changed = {path for path in first if first[path] != second[path]}
    assert validated.count("Paper") == 1 and rendered == ["workshop"]
    assert "papers/workshop.md" in changed and "papers/stuffed.md" not in changed
    assert "Light Kernels, again" in second["people/weilin-zhao.md"]  # listings are joined anew
