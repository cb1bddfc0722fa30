"""Generated pages indexed for search by Material's own indexer in a second process
(`generator.indexing`): the site, its search index and the page cache's entries are the ones
Material makes in the build's own process, in the same order, also when the worker fails."""

from __future__ import annotations

import gc
import hashlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURE_KEYS, copy_project
from lab_changes import assert_same_site

from generator import indexing
from generator.pagecache import FOLDER, PageCache


def build_in_process(project: Path, dirty: bool = False) -> Path:
    """`mkdocs build` of the project in this process (so that the test can change how it indexes),
    as the command runs it in a new process."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.config.defaults import MkDocsConfig

    MkDocsConfig.plugins.plugin_cache.clear()  # new plugins, as in a new process
    site = project / "site"
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="build", dirty=dirty)
    try:
        build(config, dirty=dirty)
    finally:
        config.plugins.on_shutdown()
        gc.unfreeze()  # the plugin freezes what is alive as `mkdocs build` ends
    return site


@pytest.fixture(scope="module")
def indexed_here(tmp_path_factory) -> Path:
    """The fixture lab built with every page indexed by Material in the build's process."""
    project = copy_project(tmp_path_factory.mktemp("here"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexing.Offload, "MIN_PAGES", 10**9)
        build_in_process(project)
    return project


@pytest.fixture
def offloads(monkeypatch) -> list:
    """Every `Offload` the next builds start, for any number of pages."""
    started = []
    original = indexing.Offload.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        started.append(self)

    monkeypatch.setattr(indexing.Offload, "__init__", init)
    monkeypatch.setattr(indexing.Offload, "MIN_PAGES", 0)
    return started


def cached_entries(project: Path) -> dict[str, list]:
    cache = PageCache(project / FOLDER)
    return {key: cache.entries(key) for key in cache.index}


@pytest.mark.parametrize("dirty", [False, True])  # `--dirty` puts the index together from each page's entries
def test_pages_indexed_apart_give_the_same_site_index_and_cache(indexed_here, offloads, tmp_path, dirty, monkeypatch):
    from generator import plugin

    monkeypatch.setattr(plugin, "WAITING", 1)  # the build waits for the worker's answers, page by page
    monkeypatch.setattr(indexing.Offload, "AHEAD", 1)
    project = copy_project(tmp_path)
    build_in_process(project, dirty)
    papers = {f"papers/{key}.md" for key in FIXTURE_KEYS}
    assert len(offloads) == 1 and papers <= set(offloads[0].sent)
    assert offloads[0].made_here == 0  # all by the worker
    docs = json.loads((project / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    assert any(doc["location"].startswith("papers/") for doc in docs)
    assert_same_site(indexed_here / "site", project / "site")
    assert cached_entries(project) == cached_entries(indexed_here)


WORKERS_THAT_FAIL = {
    "gone at once": "pass",
    "answers nonsense": "import pickle, sys; pickle.dump(7, sys.stdout.buffer); sys.stdout.flush(); sys.stdin.read()",
}


@pytest.mark.parametrize("worker", WORKERS_THAT_FAIL.values(), ids=WORKERS_THAT_FAIL.keys())
def test_a_worker_that_fails_leaves_its_pages_to_the_build(indexed_here, offloads, tmp_path, monkeypatch, worker):
    def gone(module: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", worker], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )

    monkeypatch.setattr(indexing, "start_worker", gone)
    project = copy_project(tmp_path)
    build_in_process(project)
    assert len(offloads) == 1 and offloads[0].made_here == len(offloads[0].sent) > 0
    assert_same_site(indexed_here / "site", project / "site")
    assert cached_entries(project) == cached_entries(indexed_here)


def test_the_material_code_the_worker_relies_on_is_the_code_it_was_checked_on():
    from material.plugins.search import plugin

    for (owner, name), digest in indexing.RELIED_ON.items():
        source = inspect.getsource(getattr(getattr(plugin, owner), name))
        assert hashlib.sha256(source.encode()).hexdigest()[:16] == digest, f"Material changed {owner}.{name}"
