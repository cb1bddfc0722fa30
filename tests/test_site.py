"""The fixture lab's site, built with `mkdocs build --strict`, checked through its HTML."""

from __future__ import annotations

import json
import re

import bibtexparser
import pytest
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from conftest import FIXTURE_KEYS, build, html
from pylatexenc.latex2text import LatexNodes2Text

from generator.latex import from_latex
from generator.names import parse_name
from generator.richtext import to_plain


def test_one_page_per_paper_author_topic_and_year(site, library):
    assert sorted(p.name for p in (site / "papers").iterdir() if p.is_dir()) == FIXTURE_KEYS
    assert {p.name for p in (site / "people").iterdir() if p.is_dir()} == set(library.authors)
    assert {p.name for p in (site / "topics").iterdir() if p.is_dir()} == set(library.topics)
    assert {p.name for p in (site / "years").iterdir() if p.is_dir()} == {"2024", "2023", "2022", "undated"}


def test_every_paper_is_reachable_from_the_publications_page(site):
    page = html(site, "publications/")
    linked = {a["href"] for a in page.select("a.lp-title")}
    assert linked == {f"../papers/{key}/" for key in FIXTURE_KEYS}
    # grouped by year, newest first, undated last
    headings = [h.get_text(strip=True).rstrip("¶") for h in page.select("article h2")]
    assert headings == ["2024", "2023", "2022", "Undated"]


@pytest.mark.parametrize("key", FIXTURE_KEYS)
def test_paper_page_shows_the_record(site, library, key):
    paper = library.by_key[key]
    page = html(site, f"papers/{key}/")
    assert page.title.get_text() == f"{to_plain(paper.record.title)} - Lab publications"
    assert "$" not in page.title.get_text() and "\\" not in page.title.get_text()
    assert page.select_one("h1.lp-paper-title").get_text() == to_plain(paper.record.title)
    authors = page.select_one(".lp-paper .lp-authors")
    assert [a.get_text() for a in authors.select("a")] == [a.name for a in paper.authors + paper.members]
    for a, author in zip(authors.select("a"), paper.authors + paper.members):
        assert a["href"] == f"../../people/{author.slug}/"
        assert ("lp-member" in a.get("class", [])) == author.is_member
    if paper.record.abstract:  # MathML's text leaves out the spaces plain text puts between symbols
        shown = page.select_one(".lp-abstract").get_text()
        assert re.sub(r"\s", "", shown) == re.sub(r"\s", "", to_plain(paper.record.abstract))
    assert page.select_one("section#bibtex pre code") is not None


def test_links_printed_in_an_abstract_are_links(site):
    abstract = html(site, "papers/infbench/").select_one(".lp-abstract")
    assert [a["href"] for a in abstract.select("a")] == ["https://github.com/example/infbench"]
    assert abstract.get_text().endswith("Code and data: https://github.com/example/infbench.")


def test_two_links_of_a_kind_are_both_shown(site):
    links = html(site, "papers/workshop/").select(".lp-paper .lp-links a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("Code", "https://github.com/example/kernels"),
        ("Code", "https://github.com/example/kernels-cuda"),
    ]


def _bibtex_of(site, key):
    return html(site, f"papers/{key}/").select_one("section#bibtex pre code").get_text()


@pytest.mark.parametrize("key", FIXTURE_KEYS)
def test_bibtex_block_parses_back_to_the_record(site, library, key):
    paper = library.by_key[key]
    parsed = bibtexparser.parse_string(_bibtex_of(site, key), append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not parsed.failed_blocks
    (entry,) = parsed.entries
    assert entry.key == key
    assert to_plain(LatexNodes2Text(math_mode="verbatim").latex_to_text(entry["title"])) == to_plain(paper.record.title)
    if paper.year:
        assert entry["year"] == str(paper.year)
    else:
        assert "year" not in entry.fields_dict
    authors = entry.fields_dict.get("author")
    got = authors.value if authors else []
    assert len(got) == len(paper.record.authors)
    for name_parts, record_name in zip(got, paper.record.authors):
        if record_name == "others":
            assert name_parts.last == ["others"]
        else:
            ours = parse_name(record_name)
            decoded = [from_latex(p) for p in name_parts.first], [from_latex(p) for p in name_parts.last]
            assert decoded == (list(ours.first), list(ours.last))


def test_bibtex_is_also_accepted_by_pybtex(site):
    from pybtex import database as pybtex

    data = pybtex.parse_string("\n\n".join(_bibtex_of(site, key) for key in FIXTURE_KEYS), "bibtex")
    assert sorted(data.entries) == FIXTURE_KEYS


def test_members_are_bold_and_linked_on_listings(site, library):
    page = html(site, "publications/")
    members = {m.name: f"../people/{m.slug}/" for m in library.members}
    seen = 0
    for a in page.select(".lp-authors a"):
        if a.get_text() in members:  # bold by the theme's CSS for .lp-member
            assert a["class"] == ["lp-member"] and a["href"] == members[a.get_text()]
            seen += 1
        else:
            assert not a.get("class") and a["href"].startswith("../people/")
    assert seen == 10  # Yingfa Chen 5, Xinrong Zhang 3, Weilin Zhao 2 (one listed as `members:`)
    listed = {a["href"].split("/")[-2] for a in html(site, "people/yingfa-chen/").select("a.lp-title")}
    assert listed == {"infbench", "commented", "stuffed", "thesis", "cjk"}
    # a member hidden in an unknown author list ("members:") is listed on their page too
    assert {a["href"].split("/")[-2] for a in html(site, "people/weilin-zhao/").select("a.lp-title")} == {
        "workshop",
        "undated",
    }


def test_long_author_lists_collapse_and_name_the_members_inside(site):
    entry = html(site, "publications/").select_one("li.lp-entry[data-type=workshop]")
    more = entry.select_one("details.lp-more")
    assert more.summary.get_text() == "+2 more" and len(more.select("a")) == 2
    assert len(entry.select(".lp-authors > a")) == 10


def test_math_is_mathml_in_the_body_and_plain_text_elsewhere(site):
    page = html(site, "papers/infbench/")
    assert page.title.get_text().startswith("∞Bench")
    assert page.select_one("h1.lp-paper-title math") is not None
    assert "$" not in page.select_one("h1.lp-paper-title").get_text()
    for path in site.rglob("*.html"):
        title = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.S)
        assert title and "\\infty" not in title.group(1) and "$" not in title.group(1), path


def test_search_finds_each_paper_once_on_its_own_page(site, library):
    index = json.loads((site / "search" / "search_index.json").read_text())
    locations = [d["location"] for d in index["docs"]]
    assert not [loc for loc in locations if loc.startswith(("publications/", "years/"))]
    for paper in library.papers:
        own = [d for d in index["docs"] if d["location"].startswith(f"papers/{paper.key}/")]
        assert len(own) == 1 and own[0]["title"] == to_plain(paper.record.title)
        if paper.record.abstract:
            assert re.sub(r"\s", "", to_plain(paper.record.abstract))[:50] in re.sub(r"\s", "", own[0]["text"])
    assert not any("\\infty" in d["title"] for d in index["docs"])  # "$\infty$" is plain text in the index too


def test_no_raw_records_in_the_site(site):
    assert not list(site.rglob("*.yaml")) and not list(site.rglob("*.yml"))
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "\nauthors:\n" not in text and "selected: true" not in text, path


def test_nav_stays_small(site):
    for url in ("", "publications/", "papers/infbench/", "people/yingfa-chen/"):
        nav = html(site, url).select_one("nav.md-nav--primary > ul.md-nav__list")
        items = nav.find_all("li", recursive=False)
        assert [li.a.get_text(strip=True) for li in items] == ["Home", "Publications", "People", "Topics", "Years"]
        hrefs = [a["href"] for a in nav.select("a")]
        assert not [h for h in hrefs if re.search(r"(papers|people|topics|years)/[^/#]+/", h)], url


def test_home_shows_selected_and_recent_papers(site, library):
    lists = html(site, "").select("ol.lp-list")
    assert len(lists) == 2
    assert {a["href"] for a in lists[0].select("a.lp-title")} == {"papers/infbench/"}
    assert [a["href"] for a in lists[1].select("a.lp-title")] == [f"papers/{p.key}/" for p in library.papers]


def test_bib_and_csl_downloads_are_linked_and_complete(site, library):
    page = html(site, "publications/")
    links = {a.get_text(): a["href"] for a in page.select("a[download]")}
    assert links == {"BibTeX": "../publications.bib", "CSL-JSON": "../publications.json"}
    keys = [p.key for p in library.papers]
    lab = bibtexparser.parse_string((site / "publications.bib").read_text(encoding="utf-8"))
    assert not lab.failed_blocks and [e.key for e in lab.entries] == keys
    csl = json.loads((site / "publications.json").read_text(encoding="utf-8"))
    assert [item["id"] for item in csl] == keys
    infty = next(item for item in csl if item["id"] == "infbench")
    assert infty["title"].startswith("∞Bench") and infty["author"][0] == {"family": "Zhang", "given": "Xinrong"}
    assert infty["issued"] == {"date-parts": [[2024, 2, 21]]}
    for key in keys:
        href = html(site, f"papers/{key}/").select_one("section#bibtex a[download]")["href"]
        assert href == f"../../papers/{key}.bib"
        assert (site / "papers" / f"{key}.bib").read_text(encoding="utf-8").strip() == _bibtex_of(site, key).strip()
    for author in library.authors.values():
        entries = bibtexparser.parse_string((site / "people" / f"{author.slug}.bib").read_text(encoding="utf-8"))
        assert [e.key for e in entries.entries] == [p.key for p in author.papers]
    for year, papers in library.years:
        entries = bibtexparser.parse_string((site / "years" / f"{year or 'undated'}.bib").read_text()).entries
        assert [e.key for e in entries] == [p.key for p in papers]


def test_long_listings_are_paginated(tmp_path, library):
    site = build(tmp_path, config=lambda text: text.replace("  - labpubs\n", "  - labpubs:\n      page_size: 3\n"))
    seen, urls = [], ["publications/", "publications/page-2/", "publications/page-3/"]
    for n, url in enumerate(urls, 1):
        page = html(site, url)
        entries = [a["href"].split("/")[-2] for a in page.select("a.lp-title")]
        assert 1 <= len(entries) <= 3
        seen += entries
        pager = page.select_one("nav.lp-pager")
        assert pager.select_one("[aria-current=page]").get_text().startswith(f"{n} (")
        assert len(pager.select("a")) == len(urls) - 1
    assert seen == [p.key for p in library.papers]  # every paper once, in order
    assert not (site / "publications" / "page-4").exists()
    yingfa = [
        a["href"].split("/")[-2]
        for url in ("", "page-2/")
        for a in html(site, f"people/yingfa-chen/{url}").select("a.lp-title")
    ]
    assert yingfa == [p.key for p in library.authors["yingfa-chen"].papers]
