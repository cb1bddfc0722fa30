"""The lab's own `content/`: it is valid, it builds, and (where ../shared/seeds is beside the
checkout) every fact in it is printed in the listings it came from. A lab that replaces
`content/` with its own papers keeps the first two; the seed tests then skip themselves."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml
from conftest import CONTENT, ROOT, SEEDS, build

from generator.loader import RecordLoader, load_content
from generator.site import check

CONTENT_KEYS = sorted(p.stem for p in (CONTENT / "papers").glob("*.yaml"))  # names only: loaded in fixtures
seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")
PROFILES = {"xinrong-zhang": "000_", "weilin-zhao": "002_"}  # whose publication list each file is
FEED = "003_"  # related papers, not the lab's


@pytest.fixture(scope="module")
def papers():
    return load_content(CONTENT).papers


def test_content_is_valid_and_clean():
    assert check(CONTENT).problems == []


def test_content_builds_with_a_page_per_record(tmp_path):
    site = build(tmp_path, CONTENT)
    assert sorted(p.name for p in (site / "papers").iterdir() if p.is_dir()) == CONTENT_KEYS


def test_the_published_json_schemas_accept_the_content():
    for name, data in [
        ("people", yaml.safe_load((CONTENT / "people.yaml").read_text())),
        ("topics", yaml.safe_load((CONTENT / "topics.yaml").read_text())),
    ] + [("paper", yaml.load(path.read_text(), Loader=RecordLoader)) for path in (CONTENT / "papers").glob("*.yaml")]:
        schema = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text())
        jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())


# --- the seed listings ----------------------------------------------------------------------------


def seed_lines(prefix: str = "") -> list[str]:
    lines = []
    for path in sorted(SEEDS.glob(f"{prefix}*.txt")):
        lines += [line.removeprefix("Abstract:").strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return lines


@pytest.fixture(scope="module")
def lab_lines() -> list[str]:
    return [
        line
        for path in sorted(SEEDS.glob("*.txt"))
        if not path.name.startswith(FEED)
        for line in seed_lines(path.name[:4])
    ]


@seeds
@pytest.mark.parametrize("key", CONTENT_KEYS)
def test_title_and_abstract_as_listed(papers, lab_lines, key):
    paper = papers[key]
    assert paper.title in lab_lines
    assert paper.abstract in lab_lines


@seeds
@pytest.mark.parametrize("key", CONTENT_KEYS)
def test_authors_dates_venues_and_links_are_printed(papers, lab_lines, key):
    paper = papers[key]
    names = [n for n in paper.authors if n != "others"]
    if paper.authors and paper.authors[-1] == "others":
        assert any(line.startswith(", ".join(names) + " et al.") for line in lab_lines)
        assert paper.title not in seed_lines("004_")  # the only listing with full author lists
    elif names:
        assert ", ".join(names) in lab_lines
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


@seeds
@pytest.mark.parametrize("key", CONTENT_KEYS)
def test_hidden_members_come_from_their_own_listing(papers, key):
    for slug in papers[key].members:
        assert papers[key].title in seed_lines(PROFILES[slug])


def listed_titles() -> set[str]:
    """Titles as each listing prints them: after a category and date line (000), above the
    "arXiv.org" line (002), every third line after the header (004)."""
    lines = seed_lines("000_")
    titles = {lines[i + 1] for i, line in enumerate(lines) if re.match(r"^(CL|DL)[A-Z][a-z]{2} \d+, \d{4}", line)}
    lines = seed_lines("002_")
    titles |= {lines[i - 2] for i, line in enumerate(lines) if line == "arXiv.org Artificial Intelligence"}
    titles |= set(seed_lines("004_")[1::3])
    return titles


@seeds
def test_every_lab_paper_is_in_and_the_feed_is_out(papers, lab_lines):
    titles = {p.title for p in papers.values()}
    assert titles == listed_titles()
    abstracts_001 = [line for line in seed_lines("001_") if line]
    assert all(any(a[:80] == (p.abstract or "")[:80] for p in papers.values()) for a in abstracts_001)
    assert not titles & (set(seed_lines(FEED)) - set(lab_lines))
