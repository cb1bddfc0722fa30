"""The page cache (`.labpubs-cache/`): a build that reuses it writes the same bytes as a cold
build, after every kind of change a lab makes. Each step changes the project, builds it into the
same site folder as every step before (as a lab does: files that did not change stay in place)
with the cache of the steps before, then builds the same project cold (cache moved away) into a
new folder and compares the two sites file by file and folder by folder."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, copy_project, mkdocs_build
from lab_changes import (
    CHANGES,
    add_member_orcid,
    add_record,
    assert_same_site,
    delete_record,
    edit_people,
    edit_record,
    edit_topics,
    replace,
)

from generator.pagecache import FOLDER

CACHE = FOLDER


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("cache"))
    result = mkdocs_build(project, project / "site")
    assert result.returncode == 0, result.stderr
    assert (project / CACHE / "pages.pack").stat().st_size > 0
    return project


def warm_build(project: Path) -> None:
    result = mkdocs_build(project, project / "site")
    assert result.returncode == 0, result.stderr


def cold_build(project: Path, site: Path, *extra: str) -> None:
    """A build of the project as it is, without the cache (which is put back afterwards)."""
    aside = project / (CACHE + "-aside")
    (project / CACHE).rename(aside)
    try:
        result = mkdocs_build(project, site, *extra)
        assert result.returncode == 0, result.stderr
    finally:
        shutil.rmtree(project / CACHE, ignore_errors=True)
        aside.rename(project / CACHE)


def written_since(site: Path, moment: float) -> set[str]:
    return {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file() and p.stat().st_mtime_ns > moment}


def test_an_unchanged_project_builds_from_the_cache_to_the_same_bytes(project, tmp_path):
    shutil.copytree(project / "site", tmp_path / "before")
    moment = time.time_ns()
    warm_build(project)
    assert_same_site(project / "site", tmp_path / "before")
    written = written_since(project / "site", moment)
    assert not {name for name in written if name.startswith("papers/")}, sorted(written)  # left in place
    assert "index.html" in written  # hand-written pages are built every time


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_a_warm_build_after_a_change_equals_a_cold_one(project, change, tmp_path):
    change(project)
    warm_build(project)
    cold_build(project, tmp_path / "cold")
    assert_same_site(project / "site", tmp_path / "cold")


def test_what_else_changed_in_the_site_folder_is_mended(project, tmp_path):
    """A file left in place must be the one the last build wrote: an edited one is written
    again, a deleted one comes back, one no build made goes."""
    site = project / "site"
    page = next((site / "papers").glob("*/index.html"))
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", "<p>edited</p></body>"), encoding="utf-8")
    next((site / "papers").glob("*.bib")).unlink()
    (site / "papers" / "stray.html").write_text("not from a build", encoding="utf-8")
    (site / "people" / "stray" / "deeper").mkdir(parents=True)
    (site / "people" / "stray" / "deeper" / "index.html").write_text("nor this", encoding="utf-8")
    warm_build(project)
    cold_build(project, tmp_path / "cold")
    assert_same_site(site, tmp_path / "cold")


def test_a_failed_build_leaves_nothing_the_next_build_trusts(project, tmp_path):
    record = project / "content/papers/workshop.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("title:", "title: [", 1), encoding="utf-8")
    result = mkdocs_build(project, project / "site")
    assert result.returncode != 0
    assert not (project / "site" / ".labpubs-kept").exists()
    assert not (project / CACHE / "outputs.json").exists()
    record.write_text(text, encoding="utf-8")
    warm_build(project)
    cold_build(project, tmp_path / "cold")
    assert_same_site(project / "site", tmp_path / "cold")


def test_an_edit_that_keeps_size_and_time_is_mended(project, tmp_path):
    page = next((project / "site" / "papers").glob("*/index.html"))
    before = page.stat()
    page.write_bytes(page.read_bytes().replace(b"</body>", b"</BODY>"))
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    warm_build(project)
    cold_build(project, tmp_path / "cold")
    assert_same_site(project / "site", tmp_path / "cold")


def test_builds_into_other_folders_leave_each_other_alone(project, tmp_path):
    """The record of what was written is of one folder: another `-d`, or the same folder by
    another path, neither empties nor trusts it."""
    cold_build(project, tmp_path / "cold")
    link = tmp_path / "link"
    link.symlink_to(project / "site")
    for site in (tmp_path / "other", project / "site", link, project / "site", tmp_path / "other"):
        result = mkdocs_build(project, site)
        assert result.returncode == 0, result.stderr
        assert_same_site(project / "site", tmp_path / "cold")
        assert_same_site(tmp_path / "other", tmp_path / "cold")


def test_the_deploy_workflow_keeps_the_cache_between_runs():
    """GitHub's runner starts from a fresh clone: the workflow restores the last run's cache before
    the build, under a key of its own run (an exact hit is never saved again, so a fixed key would
    keep the first cache forever) that the restore prefix matches."""
    steps = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())["jobs"]["build"]["steps"]
    build = next(n for n, step in enumerate(steps) if "mkdocs build" in step.get("run", ""))
    caches = [(n, step["with"]) for n, step in enumerate(steps) if step.get("uses", "").startswith("actions/cache@")]
    assert [(n < build, kept["path"]) for n, kept in caches] == [(True, FOLDER)]
    kept = caches[0][1]
    assert "github.run_id" in kept["key"] and kept["key"].startswith(kept["restore-keys"])


def test_a_fresh_clone_with_the_cache_restored_builds_the_same_bytes(project, tmp_path):
    """What the deploy workflow does: a new checkout (every file new, no site folder) with the
    cache of an earlier run at the same path, which then renders no page again."""
    cold_build(project, tmp_path / "cold")
    clone = tmp_path / "clone"
    shutil.copytree(project, clone, ignore=shutil.ignore_patterns("site"), copy_function=shutil.copy)
    for run in range(2):  # the second at the same path, as every run after the first
        shutil.rmtree(clone / "site", ignore_errors=True)
        for record in (clone / "content").rglob("*"):
            if record.is_file():
                os.utime(record)
        pack, session = _stamp(clone / CACHE / "pages.pack"), (clone / CACHE / "session.pickle").read_bytes()
        result = mkdocs_build(clone, clone / "site")
        assert result.returncode == 0, result.stderr
        assert_same_site(clone / "site", tmp_path / "cold")
        if run:
            assert _stamp(clone / CACHE / "pages.pack") == pack  # neither appended to nor compacted: no page rendered
            assert (clone / CACHE / "session.pickle").read_bytes()[: len(session)] == session  # only appended to


def _stamp(path: Path) -> tuple[int, int, int]:
    found = path.stat()
    return found.st_size, found.st_mtime_ns, found.st_ino


def test_a_dirty_build_in_a_new_process_has_the_whole_search_index(project, tmp_path):
    """`mkdocs build --dirty` after a clean build: the pages it leaves alone are not indexed
    again, so their search entries come from the cache."""
    warm_build(project)
    for step in ("unchanged", "edited"):
        if step == "edited":
            replace(project / "content/papers/journal.yaml", "title: 'Phocus", "title: 'Dirty Phocus")
        result = mkdocs_build(project, project / "site", "--dirty")
        assert result.returncode == 0, result.stderr
        cold_build(project, tmp_path / step)
        assert_same_site(project / "site", tmp_path / step)


def test_a_build_with_labpubs_disabled_is_a_plain_mkdocs_build(project, tmp_path):
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  - labpubs\n", "  - labpubs:\n      enabled: false\n"), encoding="utf-8")
    try:
        result = mkdocs_build(project, project / "site", "--no-strict")  # the nav names generated pages
        assert result.returncode == 0, result.stderr
        cold_build(project, tmp_path / "cold", "--no-strict")
        assert_same_site(project / "site", tmp_path / "cold")
    finally:
        config.write_text(text, encoding="utf-8")
    warm_build(project)


def test_a_setting_from_the_environment_reaches_cached_pages(project, tmp_path, monkeypatch):
    """`mkdocs.yml`'s bytes stay the same while `!ENV` gives another site name."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("site_name: ", "site_name: !ENV [LAB_SITE_NAME, 'x']  # ", 1), encoding="utf-8")
    try:
        for name in ("Alpha lab", "Beta lab"):
            monkeypatch.setenv("LAB_SITE_NAME", name)
            warm_build(project)
        cold_build(project, tmp_path / "cold")
        assert_same_site(project / "site", tmp_path / "cold")
        assert "Beta lab" in next((project / "site" / "papers").glob("*/index.html")).read_text(encoding="utf-8")
    finally:
        config.write_text(text, encoding="utf-8")


def test_a_broken_cache_is_only_a_cold_build(project, tmp_path):
    for name in ("pages.index", "session.pickle"):
        path = project / CACHE / name
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    cold_build(project, tmp_path / "cold")
    assert_same_site(tmp_path / "site", tmp_path / "cold")


CONTENT_CHANGES = [edit_record, edit_people, add_member_orcid, edit_topics, delete_record, add_record]


@pytest.mark.parametrize("release", [True, False])  # as the plugin does after each build, or not
@pytest.mark.parametrize("share", [100.0, 0.0])  # every save appends / every save writes the file whole
def test_a_session_read_back_holds_what_the_session_that_saved_it_held(tmp_path, monkeypatch, share, release):
    """`Session.save` appends only what a build changed (and the keys it dropped) to the file, or
    writes it whole; either way the session read back needs nothing made again: a build with it
    changes nothing that would have to be saved, and gives the same pages. `release` lets go of
    what the session replaced, and keeps what the file held."""
    from generator import session as sessions
    from generator.site import generate

    monkeypatch.setattr(sessions, "APPENDED_SHARE", share)
    project = copy_project(tmp_path)
    path, stamp = tmp_path / "session.pickle", "this code"
    saved = sessions.Session()
    generate(project / "content", session=saved)
    saved.save(path, stamp)
    whole = path.stat().st_size
    for change in CONTENT_CHANGES:
        change(project)
        session = sessions.Session.load(path, stamp)
        read = dict(session.rendered)
        pages = {p.path: p.content for p in generate(project / "content", session=session).pages}
        if release:
            session.release()
            held = {id(entry) for entry in session._kept.tables["rendered"].values()}
            assert not {id(entry) for key, entry in read.items() if session.rendered.get(key) is not entry} & held
        size = path.stat().st_size
        session.save(path, stamp)
        assert (path.stat().st_size > size) if share else (path.stat().st_size < 2 * whole), change.__name__
        again = sessions.Session.load(path, stamp)
        assert {name: set(t) for name, t in again._tables().items()} == {
            name: set(t) for name, t in session._tables().items()
        }
        assert {p.path: p.content for p in generate(project / "content", session=again).pages} == pages
        assert not again.needs_saving(path), change.__name__
    assert "undated" not in again.rendered and "journal-copy" in again.rendered


@pytest.mark.parametrize("share", [100.0, 0.0])  # the save appends / writes the file whole
def test_a_session_read_for_other_options_leaves_out_what_they_made(tmp_path, monkeypatch, share):
    """`mkdocs build` after `mkdocs serve` (its own site URL) can use none of the pieces and page
    bodies serve made: they are not kept when read, but the session knows the file holds them (the
    next save drops them); those made with the build's own options stay."""
    from generator import session as sessions
    from generator.session import Session
    from generator.site import generate
    from generator.views import Options

    monkeypatch.setattr(sessions, "APPENDED_SHARE", share)
    project = copy_project(tmp_path)
    path, serve, build = tmp_path / "session.pickle", Options(site_url="http://127.0.0.1:8000/"), Options()
    saved = Session()
    pages = {p.path: p.content for p in generate(project / "content", serve, saved).pages}
    saved.save(path, "this code")
    saved_bytes = path.read_bytes()
    same = Session.load(path, "this code", serve)
    assert (len(same.rendered), len(same.bodies)) == (len(saved.rendered), len(saved.bodies)) > (0, 0)
    assert {p.path: p.content for p in generate(project / "content", serve, same).pages} == pages
    assert not same.needs_saving(path)
    other = Session.load(path, "this code", build)
    assert (other.rendered, other.bodies) == ({}, {})
    assert other._kept.replaced["rendered"] == set(saved.rendered) and other.records and other.identities
    assert other._kept.replaced["bodies"] == set(saved.bodies)
    built = {p.path: p.content for p in generate(project / "content", build, other).pages}
    assert built == {p.path: p.content for p in generate(project / "content", build, Session()).pages}
    size = path.stat().st_size
    other.save(path, "this code")
    assert path.read_bytes()[:size] == saved_bytes if share else path.stat().st_size < size + size // 2
    again = Session.load(path, "this code", build)
    assert {name: set(t) for name, t in again._tables().items()} == {
        name: set(t) for name, t in other._tables().items()
    }
    assert not again.needs_saving(path) and not Session.load(path, "this code", serve).rendered


SITE_URLS = [
    "http://127.0.0.1:8000/",
    "https://lab.org",
    "https://lab.org/site",
    "https://x.org/a/../b/",
    "https://x.org/?q=1",
    "https://x.org/#f",
    "https://x.org/a/./",
    "https://ü.org/a/",
    "",
]
PAGE_URLS = [
    "",
    "papers/x/",
    "papers/x.bib",
    "a/b/c.html",
    "../x/",
    "./x/",
    "x/../y/",
    "/abs/",
    "a b/",
    "a%20b/",
    "x:y/",
    ".hidden/",
    "a//b/",
    "papers/ünï/",
]


@pytest.mark.parametrize("site_url", SITE_URLS)
def test_a_generated_page_has_the_canonical_url_urljoin_gives(site_url):
    """The plugin joins plain URLs itself (see `plugin._joined`): the same strings as MkDocs' `urljoin`."""
    from urllib.parse import urljoin, urlsplit

    from generator.plugin import _joined

    joined = {url: _joined(site_url, url) for url in PAGE_URLS}
    for url, got in joined.items():
        if got is not None:
            want = urljoin(site_url if site_url.endswith("/") else site_url + "/", url)
            assert got == (want, urlsplit(want).path), (site_url, url)
    if site_url.startswith("http://127") or site_url == "https://lab.org/site":
        assert joined["papers/x/"] is not None  # the shortcut is taken for a plain site URL


def test_the_settings_in_the_key_are_read_without_mkdocs_deprecated_theme_attribute(tmp_path):
    """MkDocs logs a DeprecationWarning on every build that reads `Theme._vars`; the theme's
    settings (here `font: false`) still reach the key."""
    import json
    import warnings

    from mkdocs.config import load_config

    from generator.plugin import _effective_settings

    config = load_config(str(copy_project(tmp_path) / "mkdocs.yml"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        settings = json.loads(_effective_settings(config))
    assert settings["theme"]["font"] is False and settings["theme"]["name"] == "material"


def test_a_session_written_as_the_process_ends_is_the_same_file_and_lets_go(tmp_path):
    """`let_go` (the plugin's save as `mkdocs build` or `serve` ends) writes the very bytes of a
    plain save, and takes each entry out of the session as it is written."""
    from generator import session as sessions
    from generator.site import generate

    session = sessions.Session()
    generate(copy_project(tmp_path) / "content", session=session)
    session.save(tmp_path / "kept.pickle", "this code")
    assert any(session._tables().values())
    session.save(tmp_path / "let-go.pickle", "this code", let_go=True)
    assert (tmp_path / "kept.pickle").read_bytes() == (tmp_path / "let-go.pickle").read_bytes()
    assert not any(session._tables().values()) and not session.joined and not session.listings


def test_a_page_is_read_back_while_its_record_is_being_compressed(tmp_path, monkeypatch):
    from generator import pagecache
    from generator.pagecache import PageCache

    released = threading.Event()
    compress = pagecache._record
    monkeypatch.setattr(pagecache, "_record", lambda *args: released.wait(10) and compress(*args))
    page = ("<p>Łukasz</p>" * 500, [{"location": "papers/x/", "title": "Ł", "text": "t"}])
    cache = PageCache(tmp_path / CACHE, keep=True)
    cache.put("key", *page)
    assert "key" not in cache.index  # still being compressed when it is asked for
    threading.Timer(0.2, released.set).start()
    assert cache.get("key") == page
    cache.save()
    assert PageCache(tmp_path / CACHE).get("key") == page
