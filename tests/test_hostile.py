"""Hostile content renders as inert, literal text everywhere it lands, or is rejected."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import bibtexparser
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import copy_project, mkdocs_build

from generator.bibread import parse_bib
from generator.errors import ContentError
from generator.importer import import_bib, write_records
from generator.latex import from_latex
from generator.loader import load_content
from generator.richtext import to_plain
from generator.site import check

HOSTILE = Path(__file__).parent / "hostile"
RECORDS = {
    p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (HOSTILE / "content" / "papers").glob("*.yaml")
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("hostile"))
    shutil.rmtree(project / "content")
    shutil.copytree(HOSTILE / "content", project / "content")
    result = mkdocs_build(project, project / "site")
    assert result.returncode == 0, result.stderr
    return project / "site"


def pages(site: Path):
    for path in sorted(site.rglob("*.html")):
        yield path, BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_no_markup_from_content_becomes_markup(site):
    for path in sorted(site.rglob("*.html")):  # html.parser reads `<!-->` as a comment opening; a browser does not
        comments = re.findall(r"<!--.*?-->", path.read_text(encoding="utf-8"), re.S)
        assert not [c for c in comments if "<img" in c or "onerror" in c], path
    for path, soup in pages(site):
        for script in soup.find_all("script"):
            if script.get("type") == "application/ld+json":  # data, not code: it must parse, </ escaped
                assert "</" not in script.string and json.loads(script.string), path
                assert "<" not in script.string, path  # `<!--<script` would hide the rest of the page
            else:
                assert "alert" not in script.get_text(), path
        for tag in soup.find_all(True):
            for name, value in tag.attrs.items():
                assert not name.lower().startswith("on"), (path, tag.name, name)
                values = value if isinstance(value, list) else [value]
                assert not any(str(v).strip().lower().startswith(("javascript:", "data:")) for v in values), (path, tag)
        assert not soup.find_all(["iframe", "svg", "textarea", "b", "i"]) or _only_theme_svgs(soup), path
        assert not [img for img in soup.find_all("img") if img.get("src") == "x"], path


def _only_theme_svgs(soup) -> bool:
    """Material draws its icons as inline <svg> inside its own elements, labpubs its charts; none
    comes from content."""
    return not soup.find_all(["iframe", "textarea", "b", "i"]) and all(
        svg.find_parent(
            class_=re.compile(
                r"md-(header|nav|search|footer|icon|source|top|content__button|"
                r"clipboard|tabs|dialog|banner)"
            )
        )
        is not None
        or svg.find_parent("label") is not None
        or svg.find_parent("button") is not None
        or svg.find_parent("figure", class_="lp-chart") is not None  # our own chart
        for svg in soup.find_all("svg")
    )


@pytest.mark.parametrize("key", sorted(RECORDS))
def test_each_field_shows_as_written(site, key):
    record = RECORDS[key]
    soup = BeautifulSoup((site / "papers" / key / "index.html").read_text(encoding="utf-8"), "html.parser")
    title = to_plain(record["title"])
    assert soup.title.get_text() == f"{title} - Lab publications"
    assert soup.select_one("h1.lp-paper-title").get_text() == title
    if "abstract" in record:  # white space aside, which a browser collapses too
        assert " ".join(soup.select_one(".lp-abstract").get_text().split()) == to_plain(record["abstract"])
        description = soup.find("meta", attrs={"name": "description"})["content"]
        assert description == to_plain(record["abstract"])[:300]
    names = [a.get_text() for a in soup.select(".lp-paper .lp-authors a")]
    assert len(names) == len(record["authors"])
    if "venue" in record:
        assert soup.select_one(".lp-venue").get_text() == to_plain(record["venue"])


def test_literal_jinja_markdown_and_markers(site):
    jinja = BeautifulSoup((site / "papers" / "jinja" / "index.html").read_text(), "html.parser")
    assert jinja.select_one("h1").get_text() == "{{ 7*7 }} {% raw %} {{ config }} {# comment #}"
    assert "49" not in jinja.select_one("article").get_text()
    assert jinja.select_one(".lp-venue").get_text() == "{{ page.title }}"
    markdown = BeautifulSoup((site / "papers" / "markdown" / "index.html").read_text(), "html.parser")
    abstract = markdown.select_one(".lp-abstract")
    assert "<!– labpubs:selected –>" in abstract.get_text() and not abstract.find("ol")  # -- is an en dash
    assert "{: onclick=\"alert('attr')\" }" in abstract.get_text()
    assert markdown.select_one("h1").get_text().startswith('[click me](javascript:alert("md")) **bold**')
    assert not markdown.select(".lp-abstract *, h1.lp-paper-title *, .admonition")


def test_search_index_holds_text_not_markup(site):
    index = json.loads((site / "search" / "search_index.json").read_text())
    for doc in index["docs"]:
        if doc["location"].startswith("papers/"):
            key = doc["location"].split("/")[1]
            # Material shows titles and text as HTML: parsed, they must read as the record's text
            assert BeautifulSoup(doc["title"], "html.parser").get_text() == to_plain(RECORDS[key]["title"])
            assert not BeautifulSoup(doc["text"], "html.parser").find(["script", "img", "svg", "iframe"])


@pytest.mark.parametrize("key", sorted(RECORDS))
def test_bibtex_keeps_every_field_inside_its_braces(site, key):
    text = (site / "papers" / f"{key}.bib").read_text(encoding="utf-8")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks and [e.key for e in library.entries] == [key]
    (entry,) = library.entries
    assert set(entry.fields_dict) <= {"author", "title", "booktitle", "howpublished", "journal", "year"}
    assert to_plain(from_latex(entry["title"])) == to_plain(RECORDS[key]["title"])


@pytest.mark.parametrize("path", sorted((HOSTILE / "rejected").glob("*.yaml")), ids=lambda p: p.stem)
def test_rejected_records_stop_the_build_with_a_located_error(path, tmp_path):
    root = tmp_path / "content"
    (root / "papers").mkdir(parents=True)
    shutil.copy(path, root / "papers" / "bad.yaml")
    with pytest.raises(ContentError) as error:
        check(root)
    (problem,) = [p for p in error.value.problems if p.severity == "error"]
    assert problem.field.startswith("links.") and problem.line == 3 and "URL" in problem.message


def test_imported_text_is_written_as_safe_yaml(tmp_path):
    bib = parse_bib(
        "@misc{x, title = {A title with: colons\n--- and !!python/object:os.system 'echo' & #tags},"
        " author = {Doe, Jane}, note = {*alias &anchor |pipe >fold}}"
    )
    result = import_bib(bib, {}, {}, set())
    write_records(result.writes, tmp_path / "content" / "papers")
    (written,) = (tmp_path / "content" / "papers").glob("*.yaml")
    data = yaml.safe_load(written.read_text())
    assert data["title"] == "A title with: colons — and !!python/object:os.system 'echo' & #tags"
    assert data["extra"]["note"] == "*alias &anchor |pipe >fold"
    assert load_content(tmp_path / "content").problems == []


@pytest.mark.parametrize("key", sorted(RECORDS))
def test_machine_readable_metadata_holds_the_text_as_written(site, key):
    soup = BeautifulSoup((site / "papers" / key / "index.html").read_text(encoding="utf-8"), "html.parser")
    title = to_plain(RECORDS[key]["title"])
    assert soup.head.find("meta", attrs={"name": "citation_title"})["content"] == title
    data = json.loads(soup.head.find("script", type="application/ld+json").string)
    assert data["headline"] == title
    authors = [m["content"] for m in soup.head.find_all("meta", attrs={"name": "citation_author"})]
    assert len(authors) == len(RECORDS[key]["authors"])
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    import xml.etree.ElementTree as ET

    titles = [t.text for t in ET.fromstring(feed).iter("{http://www.w3.org/2005/Atom}title")]
    assert title in titles
