"""`mkdocs serve` rebuilds the site after a record is edited."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import copy_project, mkdocs_build
from lab_changes import CHANGES, add_record, assert_same_site, delete_record, edit_people, edit_record, edit_topics


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


def mkdocs_serve(project: Path, port: int, *extra: str) -> subprocess.Popen:
    """The real `mkdocs serve` of a project, on a port of this machine."""
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "serve",
        *extra,
        "-a",
        f"127.0.0.1:{port}",
        "-f",
        str(project / "mkdocs.yml"),
    ]
    return subprocess.Popen(
        command,
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


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
    server = mkdocs_serve(project, port)
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
    validated, rendered, listed = [], [], []
    original_validate, original_render = loader._validate, render.paper_page
    original_author_pages = render.author_pages
    monkeypatch.setattr(
        loader, "_validate", lambda *a, **k: validated.append(a[2].__name__) or original_validate(*a, **k)
    )
    monkeypatch.setattr(render, "paper_page", lambda r, p: rendered.append(p.key) or original_render(r, p))
    monkeypatch.setattr(render, "author_pages", lambda r, a: listed.append(a.slug) or original_author_pages(r, a))
    record = content / "papers" / "workshop.yaml"
    record.write_text(record.read_text().replace("Light Kernels", "Light Kernels, again"))
    site = generate(content, session=session)
    second = {p.path: p.content for p in site.pages}
    changed = {path for path in first if first[path] != second[path]}
    assert validated.count("Paper") == 1 and rendered == ["workshop"]
    workshop = next(p for p in site.library.papers if p.key == "workshop")
    assert sorted(listed) == sorted(a.slug for a in workshop.authors)  # the other authors' pages are kept
    assert len(site.library.authors) > len(listed)
    assert "papers/workshop.md" in changed and "papers/stuffed.md" not in changed
    assert "Light Kernels, again" in second["people/weilin-zhao.md"]  # listings are joined anew


# A `mkdocs serve --dirty` session in a child process, as MkDocs' serve command runs it: one
# process, plugins kept across rebuilds, a fresh config for each. It builds once, then again for
# each line read from stdin, and prints "built" after each build.
DIRTY_SERVE = """
import sys
from mkdocs.config import load_config
from mkdocs.commands.build import build
project, site = sys.argv[1:3]
def rebuild():
    config = load_config(config_file=project + "/mkdocs.yml", site_dir=site)
    config.site_url = "http://127.0.0.1:8000/"
    return config
config = rebuild()
config.plugins.on_startup(command="serve", dirty=True)
build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
print("built", flush=True)
for line in sys.stdin:
    build(rebuild(), serve_url="http://127.0.0.1:8000/", dirty=True)
    print("built", flush=True)
config.plugins.on_shutdown()
"""


def clean_build(project: Path, target: Path) -> Path:
    """A clean `mkdocs build` of the project as it is now, with serve's site_url."""
    copy = target / "project"
    shutil.copytree(project / "content", copy / "content")
    shutil.copytree(project / "theme", copy / "theme")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (copy / "mkdocs.yml").write_text(config + "\nsite_url: http://127.0.0.1:8000/\n", encoding="utf-8")
    result = mkdocs_build(copy, target / "site")
    assert result.returncode == 0, result.stderr
    return target / "site"


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_dirty_serve_rebuilds_leave_the_site_a_clean_build_makes(tmp_path, cache):
    """Under `--dirty`, labpubs lets MkDocs skip only what did not change, rebuilds hand-written
    pages, puts the search index back together and deletes what no longer exists: after every
    kind of change, the served folder equals a clean build byte for byte (with the page cache
    turned off too: what a file holds is known by the same key)."""
    (tmp_path / "lab").mkdir()
    project = copy_project(tmp_path / "lab")
    if not cache:
        config = project / "mkdocs.yml"
        config.write_text(config.read_text().replace("  - labpubs\n", "  - labpubs:\n      cache: false\n"))
        assert "cache: false" in config.read_text()
    site = tmp_path / "served"
    serve = subprocess.Popen(
        [sys.executable, "-c", DIRTY_SERVE, str(project), str(site)],
        cwd=project,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        assert serve.stdout.readline() == "built\n", serve.stderr.read()
        written = lambda: {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}  # noqa: E731
        for n, change in enumerate(CHANGES):
            before = written()
            change(project)
            serve.stdin.write("rebuild\n")
            serve.stdin.flush()
            assert serve.stdout.readline() == "built\n", serve.stderr.read()
            assert_same_site(site, clean_build(project, tmp_path / f"clean-{n}"))
            if change is edit_record:  # only the pages that show the record are written again
                after = written()
                rewritten = {str(p.relative_to(site)) for p in before if after.get(p) != before[p]}
                assert "papers/workshop/index.html" in rewritten and "papers/cjk/index.html" not in rewritten
                assert len(rewritten) < len(before) / 2, sorted(rewritten)
    finally:
        serve.stdin.close()
        serve.wait(60)
    assert serve.returncode == 0, serve.stderr.read()


def test_dirty_serve_shows_added_deleted_and_renamed_people_on_the_next_reload(tmp_path):
    project = copy_project(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    server = mkdocs_serve(project, port, "--dirty")
    try:
        assert wait_for(lambda: fetch(base + "papers/undated/") is not None, 60), "serve did not start"
        add_record(project)
        assert wait_for(lambda: "Another Phocus" in (fetch(base + "papers/journal-copy/") or ""), 60)
        assert "Another Phocus" in fetch(base + "publications/")
        delete_record(project)
        assert wait_for(lambda: fetch(base + "papers/undated/") is None, 60), "a deleted record's page is still served"
        assert "papers/undated/" not in fetch(base + "publications/")
        edit_people(project)
        assert wait_for(lambda: "Staff engineer" in (fetch(base + "people/") or ""), 60)
        assert "Staff engineer" in fetch(base + "people/weilin-zhao/")
        edit_topics(project)
        assert wait_for(lambda: "Efficient systems" in (fetch(base + "topics/") or ""), 60)
    finally:
        server.terminate()
        server.wait(10)


def test_the_idle_collector_frees_a_builds_cycles_after_it_and_never_lets_them_pile_up(monkeypatch):
    """Under `mkdocs serve` a build's objects stay frozen after it; the cycles among them are
    collected once the server is idle, or at the start of a build after `AT_MOST` builds with no
    idle moment."""
    import gc
    import weakref

    from generator.session import IdleCollector

    class Cycle:
        pass

    def frozen_cycle() -> weakref.ref:
        cycle = Cycle()
        cycle.me = cycle
        gc.freeze()  # as on_files leaves a build's objects
        return weakref.ref(cycle)

    monkeypatch.setattr(IdleCollector, "DELAY", 0.05)
    idle = IdleCollector()
    try:
        garbage = frozen_cycle()
        gc.collect()
        assert garbage() is not None  # frozen: the collector does not reach it
        idle.build_ended()
        idle.timer.join(5)  # the timer's thread, once the server has been idle for DELAY
        assert garbage() is None and idle.uncollected == 0

        monkeypatch.setattr(IdleCollector, "DELAY", 60)  # builds come with no idle moment between them
        for _ in range(IdleCollector.AT_MOST):
            idle.build_starts()
            garbage = frozen_cycle()
            idle.build_ended()
        assert garbage() is not None and idle.uncollected == IdleCollector.AT_MOST
        idle.build_starts()
        assert garbage() is None and idle.uncollected == 0 and idle.timer is None
    finally:
        idle.stop()
    assert gc.get_freeze_count() == 0
