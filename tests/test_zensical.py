"""Zensical, Material's successor, builds the same site from `labpubs generate --for zensical`
and the lab's own mkdocs.yml: every paper page with its BibTeX, meta tags and JSON-LD, the feed,
the filters' script, a search index holding every paper, and no broken link."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import bibtexparser
import pytest
from conftest import FIXTURE_KEYS, copy_project, html
from test_subpath import PREFIX, crawl, serve_under_prefix

from generator.richtext import to_plain

ZENSICAL = shutil.which("zensical", path=str(Path(sys.executable).parent)) or shutil.which("zensical")
pytestmark = pytest.mark.skipif(not ZENSICAL, reason="zensical is not installed (pip install -e '.[test]' installs it)")


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("zensical"))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "generate",
            "--for",
            "zensical",
            "--content",
            "content",
            "--out",
            "build/docs",
        ],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    build = subprocess.run([ZENSICAL, "build", "-f", "zensical.yml", "-c"], cwd=project, capture_output=True, text=True)
    assert build.returncode == 0 and "No issues found" in build.stdout + build.stderr, build.stdout + build.stderr
    return project / "site"


@pytest.mark.parametrize("key", FIXTURE_KEYS)
def test_every_paper_page_with_bibtex_meta_tags_and_json_ld(zensical_site, library, key):
    paper = library.by_key[key]
    page = html(zensical_site, f"papers/{key}/")
    title = to_plain(paper.record.title)
    assert page.select_one("h1.lp-paper-title").get_text() == title
    (entry,) = bibtexparser.parse_string(page.select_one("section#bibtex pre code").get_text()).entries
    assert entry.key == key
    assert page.head.find("meta", attrs={"name": "citation_title"})["content"] == title
    authors = [m["content"] for m in page.head.find_all("meta", attrs={"name": "citation_author"})]
    assert authors == [a.name for a in paper.authors]
    data = json.loads(page.head.find("script", type="application/ld+json").string)
    assert data["headline"] == title and data["@type"] == "ScholarlyArticle"


def test_the_feed_the_filters_and_the_downloads(zensical_site, library):
    feed = ET.fromstring((zensical_site / "feed.xml").read_text(encoding="utf-8"))
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in feed.iter("{http://www.w3.org/2005/Atom}entry")]
    assert titles == [to_plain(p.record.title) for p in library.papers if p.year]
    page = html(zensical_site, "publications/")
    assert page.select_one("form.lp-filters") is not None and len(page.select("li.lp-entry")) == len(library.papers)
    scripts = [s.get("src", "") for s in page.find_all("script")]
    assert any(src.endswith("assets/labpubs.js") for src in scripts)
    assert (zensical_site / "assets" / "labpubs.js").exists() and (zensical_site / "publications.bib").exists()


def test_the_search_index_holds_every_paper(zensical_site, library):
    index = json.loads((zensical_site / "search.json").read_text(encoding="utf-8"))
    titles = {item["title"] for item in index["items"] if item["location"].startswith("papers/")}
    assert {to_plain(p.record.title) for p in library.papers} <= titles


def test_no_broken_link(zensical_site):
    httpd = serve_under_prefix(zensical_site)
    try:
        pages, broken = crawl(f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}")
    finally:
        httpd.shutdown()
    assert not broken, broken[:10]
    assert pages == len(list(zensical_site.rglob("index.html")))
