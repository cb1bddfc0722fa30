"""Shared fixtures. Structural tests build the frozen fixture lab in `tests/fixture/` (so a lab that
replaces `content/` keeps a green suite); only `test_content.py` reads `content/`."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.library import Library, build_library
from generator.loader import load_content

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FIXTURE = Path(__file__).resolve().parent / "fixture" / "content"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "artifacts"
FIXTURE_KEYS = sorted(p.stem for p in (FIXTURE / "papers").glob("*.yaml"))  # for parametrize: names only


def mkdocs_build(project: Path, site: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the real `mkdocs build --strict` of a project folder into `site`."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-q",
            "-f",
            str(project / "mkdocs.yml"),
            "-d",
            str(site),
            *extra,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def copy_project(target: Path, content: Path = FIXTURE) -> Path:
    """A project to build or edit safely: the project's config and theme with a copy of `content`
    (the fixture lab unless told otherwise)."""
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(ROOT / "theme", target / "theme")
    shutil.copytree(content, target / "content")
    return target


def build(target: Path, content: Path = FIXTURE, config=lambda text: text) -> Path:
    """`copy_project`, then `config` applied to mkdocs.yml's text, then a strict build into site/."""
    project = copy_project(target, content)
    (project / "mkdocs.yml").write_text(config((project / "mkdocs.yml").read_text()))
    result = mkdocs_build(project, project / "site")
    assert result.returncode == 0, result.stderr
    return project / "site"


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The fixture lab, built once with the project's mkdocs.yml."""
    return build(tmp_path_factory.mktemp("fixture"))


@pytest.fixture(scope="session")
def library() -> Library:
    """The fixture lab's library, as the build made it."""
    return build_library(load_content(FIXTURE))


def html(site: Path, url: str) -> BeautifulSoup:
    """The parsed page at a site URL such as "papers/x/"."""
    path = site / url / "index.html" if url.endswith("/") or not url else site / url
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# --- the browser suite: Debian's headless chromium through Playwright (test_browser, test_a11y) ---


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_folder(folder: Path):
    """A local HTTP server for a built site: its URL, and a function that stops it."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}/", httpd.shutdown


@pytest.fixture(scope="module")
def server(site):
    url, stop = serve_folder(site)
    yield url
    stop()


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        # as root Debian's chromium needs --no-sandbox; no background requests on a closed network
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
