"""The scholarly web: Google Scholar tags, JSON-LD, Open Graph, references, RIS, the Atom feed,
charts, the sitemap and math in hand-written pages, all checked in the built site."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from conftest import copy_project, html, mkdocs_build

from generator.library import build_library
from generator.loader import load_content
from generator.richtext import to_plain

SITE_URL = "https://lab.example.org/pubs/"
FULL_RECORD = """title: 'Sparse $\\infty$-Attention for Long Inputs'
authors: ['Chen, Yingfa', 'Jörg Müller', others]
date: 2025-03-04
type: journal
venue: Journal of Tests
doi: 10.5555/sparse.2025
arxiv: 2503.01234
abstract: We study \\textit{sparse} attention; it is 50% faster.
topics: [long-context]
links:
  pdf: /files/sparse.pdf
  code: https://github.com/example/sparse
extra:
  volume: '12'
  pages: 100--110
"""
ORCID = "0000-0002-1825-0097"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The fixture lab (Yingfa Chen has an ORCID) plus a record with every field, a hand-written
    page with math, and `site_url` set: built once for this module."""
    root = copy_project(tmp_path_factory.mktemp("scholar"))
    (root / "content" / "papers" / "chen2025sparse.yaml").write_text(FULL_RECORD, encoding="utf-8")
    (root / "content" / "notes.md").write_text(
        "# Notes\n\nWe love $\\infty$ and $x^2$; it costs $5 and $6.\n\n`$\\alpha$` stays code.\n", encoding="utf-8"
    )
    config = (root / "mkdocs.yml").read_text().replace("# site_url:", f"site_url: {SITE_URL}\n# was:")
    (root / "mkdocs.yml").write_text(config)
    result = mkdocs_build(root, root / "site")
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def library(project):
    return build_library(load_content(project / "content"))


def head_tags(page: BeautifulSoup) -> list[tuple[str, str]]:
    return [
        (m.get("name") or m.get("property"), m["content"])
        for m in page.head.find_all("meta")
        if (m.get("name") or m.get("property") or "").startswith(("citation_", "og:"))
    ]


def test_scholar_tags_on_every_paper_page_equal_the_record(project, library):
    for paper in library.papers:
        page = html(project / "site", f"papers/{paper.key}/")
        tags = head_tags(page)
        assert tags[0] == ("citation_title", to_plain(paper.record.title))
        assert [v for k, v in tags if k == "citation_author"] == [a.name for a in paper.authors]
        dates = [v for k, v in tags if k == "citation_publication_date"]
        if paper.record.date:
            assert dates == [f"{paper.record.date:%Y/%m/%d}"]
        else:
            assert dates == ([str(paper.year)] if paper.year else [])
        if paper.record.abstract:
            assert dict(tags)["citation_abstract"] == to_plain(paper.record.abstract)


def test_a_full_record_has_every_tag(project):
    tags = head_tags(html(project / "site", "papers/chen2025sparse/"))
    assert tags == [
        ("citation_title", "Sparse ∞-Attention for Long Inputs"),
        ("citation_author", "Yingfa Chen"),
        ("citation_author", "Jörg Müller"),
        ("citation_publication_date", "2025/03/04"),
        ("citation_journal_title", "Journal of Tests"),
        ("citation_volume", "12"),
        ("citation_firstpage", "100"),
        ("citation_lastpage", "110"),
        ("citation_doi", "10.5555/sparse.2025"),
        ("citation_arxiv_id", "2503.01234"),
        ("citation_pdf_url", SITE_URL + "files/sparse.pdf"),
        ("citation_abstract", "We study sparse attention; it is 50% faster."),
        ("og:type", "article"),
        ("og:title", "Sparse ∞-Attention for Long Inputs"),
        ("og:description", "We study sparse attention; it is 50% faster."),
        ("og:url", SITE_URL + "papers/chen2025sparse/"),
    ]


def test_json_ld_names_every_author_with_links_and_orcid(project, library):
    for paper in library.papers:
        page = html(project / "site", f"papers/{paper.key}/")
        (script,) = page.head.find_all("script", type="application/ld+json")
        data = json.loads(script.string)
        assert data["@type"] == "ScholarlyArticle" and data["headline"] == to_plain(paper.record.title)
        assert [a["name"] for a in data.get("author", [])] == [a.name for a in paper.authors]
        assert data["url"] == f"{SITE_URL}papers/{paper.key}/"
    data = json.loads(
        html(project / "site", "papers/chen2025sparse/").head.find("script", type="application/ld+json").string
    )
    assert data["author"][0] == {
        "@type": "Person",
        "name": "Yingfa Chen",
        "url": SITE_URL + "people/yingfa-chen/",
        "sameAs": f"https://orcid.org/{ORCID}",
    }
    assert data["datePublished"] == "2025-03-04" and data["isPartOf"] == {
        "@type": "Periodical",
        "name": "Journal of Tests",
    }
    assert {i["propertyID"]: i["value"] for i in data["identifier"]} == {
        "DOI": "10.5555/sparse.2025",
        "arXiv": "2503.01234",
    }


def test_references_in_two_styles_hold_title_and_first_author(project, library):
    for paper in library.papers:
        page = html(project / "site", f"papers/{paper.key}/")
        cite = page.select_one("section#cite")
        labels = [h.get_text() for h in cite.select("h3")]
        assert labels == ["APA", "ACL"]
        title = to_plain(paper.record.title)
        for reference in (code.get_text() for code in cite.select("pre > code")):
            assert title in reference
            if paper.authors:
                assert paper.authors[0].name.split()[-1] in reference
    apa = html(project / "site", "papers/chen2025sparse/").select("section#cite pre > code")[0].get_text()
    assert apa.startswith("Chen, Y., Müller, J., & others. (2025). Sparse ∞-Attention for Long Inputs.")
    assert "Journal of Tests" in apa and "12" in apa and "https://doi.org/10.5555/sparse.2025" in apa


def test_references_made_by_the_worker_process_equal_those_made_here(library, monkeypatch):
    """`mkdocs build` formats references in a second process (cite.Background) for labs of 100+
    papers; the sample lab is smaller, so the worker is forced on here."""
    from generator import cite
    from generator.csl import csl_item

    items = {p.key: csl_item(p) for p in library.papers}
    styles = ("apa", "acl", "ieee")
    expected = {key: cite.references(item, styles) for key, item in items.items()}
    monkeypatch.setattr(cite.Background, "MIN_ITEMS", 1)
    background = cite.Background(items, styles)
    assert background.worker is not None
    try:
        got = {key: background.get(key) for key in reversed(items)}  # any order, not only the order sent
        assert background.worker is not None and not background.pending  # all came from the worker
    finally:
        background.close()
    assert got == expected


def test_references_still_made_when_the_worker_dies(library, monkeypatch):
    from generator import cite
    from generator.csl import csl_item

    items = {p.key: csl_item(p) for p in library.papers}
    monkeypatch.setattr(cite.Background, "MIN_ITEMS", 1)
    background = cite.Background(items, ("apa",))
    background.worker.kill()
    background.worker.wait()
    got = {key: background.get(key) for key in items}
    background.close()
    assert got == {key: cite.references(item, ("apa",)) for key, item in items.items()}


def test_ris_download(project, library):
    ris = (project / "site" / "papers" / "chen2025sparse.ris").read_text(encoding="utf-8").splitlines()
    assert ris[0] == "TY  - JOUR" and ris[-1] == "ER  - "
    fields = [tuple(line.split("  - ", 1)) for line in ris]
    assert ("TI", "Sparse ∞-Attention for Long Inputs") in fields
    assert [v for k, v in fields if k == "AU"] == ["Chen, Yingfa", "Müller, Jörg"]
    assert ("DO", "10.5555/sparse.2025") in fields and ("PY", "2025") in fields
    link = html(project / "site", "papers/chen2025sparse/").select_one("a[download][href$='.ris']")
    assert link["href"] == "../../papers/chen2025sparse.ris"


def test_atom_feed_is_valid_and_linked_from_every_page(project, library):
    text = (project / "site" / "feed.xml").read_text(encoding="utf-8")
    ET.fromstring(text)  # well-formed XML
    feed = feedparser.parse(text)
    assert not feed.bozo, feed.bozo_exception
    dated = [p for p in library.papers if p.year][:20]
    assert [e.title for e in feed.entries] == [to_plain(p.record.title) for p in dated]
    assert feed.entries[0].link == SITE_URL + f"papers/{dated[0].key}/"
    assert [a.name for a in feed.entries[0].authors] == [a.name for a in dated[0].authors]
    assert "50% faster" in feed.entries[0].summary
    for url in ("", "publications/", "papers/stuffed/", "people/yingfa-chen/"):
        link = html(project / "site", url).head.find("link", type="application/atom+xml")
        assert link and link["href"].endswith("feed.xml")


def test_feed_links_are_the_pages_canonical_urls(project, library):
    """The feed links each paper where its page's canonical link points, for a site URL MkDocs
    joins differently from plain concatenation too (dot segments)."""
    from urllib.parse import urljoin

    from generator.site import generate
    from generator.views import Options

    feed = feedparser.parse((project / "site" / "feed.xml").read_text(encoding="utf-8"))
    for entry in feed.entries[:3]:
        page = html(project / "site", entry.link.removeprefix(SITE_URL))
        assert page.head.find("link", rel="canonical")["href"] == entry.link
    odd = "https://lab.example.org/a/../pubs/"
    pages = {p.path: p for p in generate(project / "content", Options(site_url=odd)).pages}
    feed = feedparser.parse(pages["feed.xml"].content)
    dated = [p for p in library.papers if p.year]
    assert [e.link for e in feed.entries[:3]] == [urljoin(odd, f"papers/{p.key}/") for p in dated[:3]]
    assert feed.feed.links[0].href == urljoin(odd, "feed.xml") == "https://lab.example.org/pubs/feed.xml"


def test_year_charts_are_svg_with_one_bar_per_year(project, library):
    for url, papers in [
        ("", library.papers),
        ("people/yingfa-chen/", library.authors["yingfa-chen"].papers),
        ("topics/long-context/", library.topics["long-context"].papers),
    ]:
        svg = html(project / "site", url).select_one("figure.lp-chart svg")
        tree = ET.fromstring(str(svg))
        years = [p.year for p in papers if p.year]
        bars = tree.findall("{http://www.w3.org/2000/svg}rect")
        assert len(bars) == max(years) - min(years) + 1
        assert tree.get("role") == "img" and tree.find("{http://www.w3.org/2000/svg}title").text
        assert f"{max(years)}: {years.count(max(years))}" in tree.find("{http://www.w3.org/2000/svg}desc").text


def test_member_pages_show_their_numbers(project, library):
    page = html(project / "site", "people/yingfa-chen/")
    stats = page.select_one(".lp-person-stats").get_text()
    yingfa = library.authors["yingfa-chen"]
    years = [p.year for p in yingfa.papers if p.year]
    assert stats.startswith(f"{len(yingfa.papers)} publications · {min(years)}–{max(years)}")
    assert [a.get_text() for a in page.select(".lp-person-coauthors a")][:3] == [
        "Jörg Müller",
        "Xinrong Zhang",
        "Shengding Hu",
    ]  # two papers each with him, newest first
    assert page.select_one(".lp-person-topics a").get_text() == "Long context"


def test_sitemap_lists_every_paper_page(project, library):
    sitemap = ET.fromstring((project / "site" / "sitemap.xml").read_text())
    urls = {loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert {f"{SITE_URL}papers/{p.key}/" for p in library.papers} <= urls


def test_math_in_hand_written_pages_is_mathml(project):
    page = html(project / "site", "notes/")
    body = page.select_one("article")
    assert len(body.find_all("math")) == 2
    assert "costs $5 and $6" in body.get_text() and body.find("code").get_text() == "$\\alpha$"
    assert "$" not in page.title.get_text()


def test_the_citeproc_methods_we_remember_are_the_ones_we_read():
    """cite.StyleTreeMemo replaces seven citeproc-py methods with versions that remember their
    answers, and cite.RegisteredItem two properties; an upgrade of citeproc-py that changes one of
    them must be read again."""
    import hashlib
    import inspect

    from citeproc import CitationItem, model

    from generator.cite import RegisteredItem, StyleTreeMemo, references

    references({"id": "x", "type": "book", "title": "T"}, ("apa",))  # installs the memo
    for (owner, name), digest in StyleTreeMemo.PATCHED.items():
        method = getattr(getattr(model, owner), name)
        assert hasattr(method, "original"), (owner, name)
        source = inspect.getsource(method.original)
        assert hashlib.sha256(source.encode()).hexdigest()[:16] == digest, f"citeproc-py changed {owner}.{name}"
    for name, digest in RegisteredItem.READ.items():
        source = inspect.getsource(getattr(CitationItem, name).fget)
        assert hashlib.sha256(source.encode()).hexdigest()[:16] == digest, f"citeproc-py changed CitationItem.{name}"
