"""The page cache (`.labpubs-cache/`): a build that reuses it writes the same bytes as a cold
build, after every kind of change a lab makes. Each step changes the project, builds it with the
cache of the steps before, then builds the same project cold (cache moved away) and compares
the two sites file by file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import copy_project, mkdocs_build
from lab_changes import CHANGES, assert_same_site

CACHE = ".labpubs-cache"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("cache"))
    result = mkdocs_build(project, project / "site-first")
    assert result.returncode == 0, result.stderr
    assert (project / CACHE / "pages.pack").stat().st_size > 0
    return project


def cold_build(project: Path, site: Path) -> None:
    """A build of the project as it is, without the cache (which is put back afterwards)."""
    aside = project / (CACHE + "-aside")
    (project / CACHE).rename(aside)
    try:
        result = mkdocs_build(project, site)
        assert result.returncode == 0, result.stderr
    finally:
        shutil.rmtree(project / CACHE, ignore_errors=True)
        aside.rename(project / CACHE)


def test_an_unchanged_project_builds_from_the_cache_to_the_same_bytes(project):
    result = mkdocs_build(project, project / "site-warm")
    assert result.returncode == 0, result.stderr
    assert_same_site(project / "site-warm", project / "site-first")


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_a_warm_build_after_a_change_equals_a_cold_one(project, change):
    change(project)
    warm, cold = project / f"site-{change.__name__}-warm", project / f"site-{change.__name__}-cold"
    result = mkdocs_build(project, warm)
    assert result.returncode == 0, result.stderr
    cold_build(project, cold)
    assert_same_site(warm, cold)


def test_a_broken_cache_is_only_a_cold_build(project, tmp_path):
    for name in ("pages.index", "session.pickle"):
        path = project / CACHE / name
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    cold_build(project, tmp_path / "cold")
    assert_same_site(tmp_path / "site", tmp_path / "cold")
