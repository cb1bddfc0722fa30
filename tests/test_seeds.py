"""The sample content is the lab's real record: every fact in it is printed in ../shared/seeds."""

from __future__ import annotations

import re

import pytest
from conftest import CONTENT, SEEDS

from generator.loader import load_content

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")

PAPERS = load_content(CONTENT).papers
PROFILES = {"xinrong-zhang": "000_", "weilin-zhao": "002_"}  # whose publication list each file is
FEED = "003_"  # related papers, not the lab's


def seed_lines(prefix: str = "") -> list[str]:
    lines = []
    for path in sorted(SEEDS.glob(f"{prefix}*.txt")):
        lines += [line.removeprefix("Abstract:").strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return lines


LAB_LINES = [
    line for path in sorted(SEEDS.glob("*.txt")) if not path.name.startswith(FEED) for line in seed_lines(path.name[:4])
]
LAB_TEXT = "\n".join(LAB_LINES)


@pytest.mark.parametrize("key", sorted(PAPERS))
def test_title_and_abstract_as_listed(key):
    paper = PAPERS[key]
    assert paper.title in LAB_LINES
    assert paper.abstract in LAB_LINES


@pytest.mark.parametrize("key", sorted(PAPERS))
def test_authors_dates_venues_and_links_are_printed(key):
    paper = PAPERS[key]
    names = [n for n in paper.authors if n != "others"]
    if paper.authors and paper.authors[-1] == "others":
        assert any(line.startswith(", ".join(names) + " et al.") for line in LAB_LINES)
        assert paper.title not in seed_lines("004_")  # the only listing with full author lists
    elif names:
        assert ", ".join(names) in LAB_LINES
    if paper.date:
        listing = next(i for i, line in enumerate(seed_lines("000_")) if line == paper.title)
        stamp = f"{paper.date:%b} {paper.date.day}, {paper.date.year}"
        assert stamp in seed_lines("000_")[listing - 1]
    if paper.venue:
        assert paper.venue == "arXiv"
        lines = seed_lines("002_")
        assert lines[lines.index(paper.title) + 2] == "arXiv.org Artificial Intelligence"
    for _, url in paper.links.items():
        assert url in paper.abstract  # the only links printed are in the abstracts
    assert not paper.doi and not paper.arxiv  # no listing prints one


@pytest.mark.parametrize("key", sorted(PAPERS))
def test_hidden_members_come_from_their_own_listing(key):
    for slug in PAPERS[key].members:
        assert PAPERS[key].title in seed_lines(PROFILES[slug])


def listed_titles() -> set[str]:
    """Titles as each listing prints them: after a category and date line (000), above the
    "arXiv.org" line (002), every third line after the header (004)."""
    lines = seed_lines("000_")
    titles = {lines[i + 1] for i, line in enumerate(lines) if re.match(r"^(CL|DL)[A-Z][a-z]{2} \d+, \d{4}", line)}
    lines = seed_lines("002_")
    titles |= {lines[i - 2] for i, line in enumerate(lines) if line == "arXiv.org Artificial Intelligence"}
    titles |= set(seed_lines("004_")[1::3])
    return titles


def test_every_lab_paper_is_in_and_the_feed_is_out():
    titles = {p.title for p in PAPERS.values()}
    assert titles == listed_titles()
    abstracts_001 = [line for line in seed_lines("001_") if line]
    assert all(any(a[:80] == (p.abstract or "")[:80] for p in PAPERS.values()) for a in abstracts_001)
    feed_only = set(seed_lines(FEED)) - set(LAB_LINES)
    assert not titles & feed_only
