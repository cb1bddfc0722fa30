"""The real site, built from content/ with `mkdocs build --strict`, checked through its HTML."""

from __future__ import annotations

import json
import re

import bibtexparser
import pytest
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from conftest import CONTENT, copy_project, html, mkdocs_build
from pylatexenc.latex2text import LatexNodes2Text

from generator.library import build_library
from generator.loader import load_content
from generator.names import parse_name
from generator.richtext import to_plain

LIBRARY = build_library(load_content(CONTENT))
PAPERS = LIBRARY.papers


def test_sample_content_is_the_labs_record():
    assert len(PAPERS) == 21
    assert not LIBRARY.problems
    assert {m.name for m in LIBRARY.members} >= {"Xinrong Zhang", "Yingfa Chen", "Weilin Zhao"}


def test_one_page_per_paper_author_topic_and_year(site):
    assert sorted(p.name for p in (site / "papers").iterdir() if p.is_dir()) == sorted(p.key for p in PAPERS)
    people = {p.name for p in (site / "people").iterdir() if p.is_dir()}
    assert people == set(LIBRARY.authors)
    assert {p.name for p in (site / "topics").iterdir() if p.is_dir()} == set(LIBRARY.topics)
    years = {p.name for p in (site / "years").iterdir() if p.is_dir()}
    assert years == {str(y) if y else "undated" for y, _ in LIBRARY.years}


def test_every_paper_is_reachable_from_the_publications_page(site):
    page = html(site, "publications/")
    linked = {a["href"] for a in page.select("a.lp-title")}
    assert linked == {f"../papers/{p.key}/" for p in PAPERS}
    # grouped by year, newest first, undated last
    headings = [h.get_text(strip=True).rstrip("¶") for h in page.select("article h2")]
    assert headings == ["2024", "2023", "2022", "Undated"]


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.key)
def test_paper_page_shows_the_record(site, paper):
    page = html(site, f"papers/{paper.key}/")
    assert page.title.get_text() == f"{to_plain(paper.record.title)} - Lab publications"
    assert "$" not in page.title.get_text() and "\\" not in page.title.get_text()
    h1 = page.select_one("h1.lp-paper-title")
    assert h1.get_text() == to_plain(paper.record.title)
    authors = page.select_one(".lp-paper .lp-authors")
    names = [a.get_text() for a in authors.select("a")]
    assert names == [a.name for a in paper.authors + paper.members]
    for a, author in zip(authors.select("a"), paper.authors + paper.members):
        assert a["href"] == f"../../people/{author.slug}/"
        assert ("lp-member" in a.get("class", [])) == author.is_member
    abstract = page.select_one(".lp-abstract")
    if paper.record.abstract:
        assert abstract.get_text() == to_plain(paper.record.abstract)
    assert page.select_one("section#bibtex pre code") is not None


def _bibtex_of(site, key):
    code = html(site, f"papers/{key}/").select_one("section#bibtex pre code")
    return code.get_text()


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.key)
def test_bibtex_block_parses_back_to_the_record(site, paper):
    text = _bibtex_of(site, paper.key)
    parsed = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not parsed.failed_blocks
    (entry,) = parsed.entries
    assert entry.key == paper.key
    decode = LatexNodes2Text(math_mode="verbatim").latex_to_text
    assert decode(entry["title"]) == paper.record.title
    if paper.year:
        assert entry["year"] == str(paper.year)
    else:
        assert "year" not in entry.fields_dict
    authors = entry.fields_dict.get("author")
    expected = list(paper.record.authors)
    got = authors.value if authors else []
    assert len(got) == len(expected)
    for name_parts, record_name in zip(got, expected):
        if record_name == "others":
            assert name_parts.last == ["others"]
        else:
            ours = parse_name(record_name)
            assert (name_parts.first, name_parts.last) == (list(ours.first), list(ours.last))


def test_bibtex_is_also_accepted_by_pybtex(site):
    from pybtex import database as pybtex

    text = "\n\n".join(_bibtex_of(site, p.key) for p in PAPERS)
    data = pybtex.parse_string(text, "bibtex")
    assert sorted(data.entries) == sorted(p.key for p in PAPERS)


def test_members_are_bold_and_linked_on_listings(site):
    page = html(site, "publications/")
    members = {m.name: f"../people/{m.slug}/" for m in LIBRARY.members}
    seen = 0
    for a in page.select(".lp-authors a"):
        if a.get_text() in members:  # bold by the theme's CSS for .lp-member
            assert a["class"] == ["lp-member"] and a["href"] == members[a.get_text()]
            seen += 1
        else:
            assert not a.get("class") and a["href"].startswith("../people/")
    assert seen > 20
    # a member's page lists every paper with that member
    yingfa = html(site, "people/yingfa-chen/")
    listed = {a["href"].split("/")[-2] for a in yingfa.select("a.lp-title")}
    assert listed == {p.key for p in PAPERS if any(a.slug == "yingfa-chen" for a in p.authors)}
    weilin = html(site, "people/weilin-zhao/")
    assert len(weilin.select("a.lp-title")) == 11  # his own listing: 10 papers, plus Ouroboros


def test_math_is_mathml_in_the_body_and_plain_text_elsewhere(site):
    page = html(site, "papers/zhang2024inftybench/")
    assert page.title.get_text().startswith("∞Bench")
    assert page.select_one("h1.lp-paper-title math") is not None
    assert "$" not in page.select_one("h1.lp-paper-title").get_text()
    for path in site.rglob("*.html"):
        title = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.S)
        assert title and "\\infty" not in title.group(1) and "$" not in title.group(1), path


def test_search_finds_each_paper_once_on_its_own_page(site):
    index = json.loads((site / "search" / "search_index.json").read_text())
    locations = [d["location"] for d in index["docs"]]
    assert not [loc for loc in locations if loc.startswith(("publications/", "years/"))]
    for paper in PAPERS:
        own = [d for d in index["docs"] if d["location"].startswith(f"papers/{paper.key}/")]
        assert len(own) == 1 and own[0]["title"] == to_plain(paper.record.title)
        if paper.record.abstract:
            assert to_plain(paper.record.abstract)[:60] in own[0]["text"]
    # "$\infty$" is plain text in the index too
    assert not any("\\infty" in d["title"] for d in index["docs"])


def test_no_raw_records_in_the_site(site):
    assert not list(site.rglob("*.yaml")) and not list(site.rglob("*.yml"))
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "\nauthors:\n" not in text and "selected: true" not in text, path


def test_nav_stays_small(site):
    for url in ("", "publications/", f"papers/{PAPERS[0].key}/", "people/yingfa-chen/"):
        nav = html(site, url).select_one("nav.md-nav--primary > ul.md-nav__list")
        items = nav.find_all("li", recursive=False)
        assert [li.a.get_text(strip=True) for li in items] == ["Home", "Publications", "People", "Topics", "Years"]
        hrefs = [a["href"] for a in nav.select("a")]
        assert not [h for h in hrefs if re.search(r"(papers|people|topics|years)/[^/#]+/", h)], url


def test_home_shows_selected_and_recent_papers(site):
    page = html(site, "")
    lists = page.select("ol.lp-list")
    assert len(lists) == 2
    selected = {a["href"] for a in lists[0].select("a.lp-title")}
    assert selected == {f"papers/{p.key}/" for p in PAPERS if p.record.selected}
    recent = [a["href"] for a in lists[1].select("a.lp-title")]
    assert recent == [f"papers/{p.key}/" for p in PAPERS[:10]]


def test_bib_and_csl_downloads_are_linked_and_complete(site):
    page = html(site, "publications/")
    links = {a.get_text(): a["href"] for a in page.select("a[download]")}
    assert links == {"BibTeX": "../publications.bib", "CSL-JSON": "../publications.json"}
    lab = bibtexparser.parse_string((site / "publications.bib").read_text(encoding="utf-8"))
    assert not lab.failed_blocks and [e.key for e in lab.entries] == [p.key for p in PAPERS]
    csl = json.loads((site / "publications.json").read_text(encoding="utf-8"))
    assert [item["id"] for item in csl] == [p.key for p in PAPERS]
    infty = next(item for item in csl if item["id"] == "zhang2024inftybench")
    assert infty["title"].startswith("∞Bench") and infty["author"][0] == {"family": "Zhang", "given": "Xinrong"}
    assert infty["issued"] == {"date-parts": [[2024, 2, 21]]}
    for paper in PAPERS:
        href = html(site, f"papers/{paper.key}/").select_one("section#bibtex a[download]")["href"]
        assert href == f"../../papers/{paper.key}.bib"
        assert (site / "papers" / f"{paper.key}.bib").read_text(encoding="utf-8").strip() == _bibtex_of(
            site, paper.key
        ).strip()
    for author in LIBRARY.authors.values():
        entries = bibtexparser.parse_string(
            (site / "people" / f"{author.slug}.bib").read_text(encoding="utf-8")
        ).entries
        assert [e.key for e in entries] == [p.key for p in author.papers]
    for year, papers in LIBRARY.years:
        entries = bibtexparser.parse_string((site / "years" / f"{year or 'undated'}.bib").read_text()).entries
        assert [e.key for e in entries] == [p.key for p in papers]


def test_long_listings_are_paginated(tmp_path):
    project = copy_project(tmp_path)
    config = (project / "mkdocs.yml").read_text().replace("  - labpubs\n", "  - labpubs:\n      page_size: 4\n")
    (project / "mkdocs.yml").write_text(config)
    assert mkdocs_build(project, tmp_path / "site").returncode == 0
    site, seen = tmp_path / "site", []
    urls = ["publications/"] + [f"publications/page-{n}/" for n in range(2, 7)]
    for n, url in enumerate(urls, 1):
        page = html(site, url)
        entries = [a["href"].split("/")[-2] for a in page.select("a.lp-title")]
        assert 1 <= len(entries) <= 4
        seen += entries
        pager = page.select_one("nav.lp-pager")
        assert pager.select_one("[aria-current=page]").get_text().startswith(f"{n} (")
        assert len(pager.select("a")) == len(urls) - 1
    assert seen == [p.key for p in PAPERS]  # every paper once, in order
    assert not (site / "publications" / "page-7").exists()
    yingfa = [
        a["href"].split("/")[-2]
        for url in ("", "page-2/", "page-3/")
        for a in html(site, f"people/yingfa-chen/{url}").select("a.lp-title")
    ]
    assert yingfa == [p.key for p in LIBRARY.authors["yingfa-chen"].papers]
