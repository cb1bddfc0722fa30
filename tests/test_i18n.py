"""The words labpubs adds to pages follow Material's `theme.language`: the lab's own record,
built in Simplified Chinese, shows none of labpubs' English words; its BibTeX and its formatted
references stay as they are (they are for papers, not for readers of this site)."""

from __future__ import annotations

import datetime
import re

import pytest
from conftest import CONTENT, build, html

from generator.i18n import Words, available

# What comes from the records, not from labpubs: taken out before looking for English words
CONTENT_PARTS = (
    "pre",
    "h1",  # page titles: records, member names, or the lab's own nav in mkdocs.yml
    ".lp-title",
    ".lp-authors a",
    ".lp-venue",
    ".lp-abstract",
    ".lp-topics a",
    ".lp-person-topics a",
    ".lp-person-coauthors a",
    ".lp-card-name",
    "figure.lp-chart",
    ".lp-pager a",
    "option",
    ".lp-badge.lp-venue-badge",
    ".lp-badge.lp-award",
)
PAGES = ["papers/zhang2024inftybench/", "papers/apb/", "people/yingfa-chen/", "publications/", "people/"]


def english_words() -> set[str]:
    """Every fixed part of every English phrase labpubs adds that reads differently in Chinese."""
    english, chinese = Words("en").table, Words("zh").table
    out = set()

    def walk(en, zh):
        if isinstance(en, dict):
            for key, value in en.items():
                walk(value, zh.get(key) if isinstance(zh, dict) else None)
        elif en != zh:
            out.update(part.strip(" :,.()+·") for part in re.split(r"\{\w+\}", en))

    walk(english, chinese)
    return {word for word in out if len(word) >= 3 and re.search(r"[A-Za-z]{3}", word)}


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    zh = build(
        tmp_path_factory.mktemp("zh"),
        CONTENT,
        lambda text: text.replace("  custom_dir: theme\n", "  custom_dir: theme\n  language: zh\n"),
    )
    return build(tmp_path_factory.mktemp("en"), CONTENT), zh


@pytest.mark.parametrize("url", PAGES)
def test_no_english_word_of_labpubs_on_a_chinese_site(sites, url):
    page = html(sites[1], url)
    assert page.html["lang"] == "zh"
    article = page.select_one("article")
    for selector in CONTENT_PARTS:
        for node in article.select(selector):
            node.decompose()
    text = " ".join(article.get_text(" ").split())
    found = sorted(word for word in english_words() if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text))
    assert not found, (found, text[:400])


def test_chinese_words_dates_and_counts(sites):
    paper = html(sites[1], "papers/zhang2024inftybench/")
    assert [h.get_text(strip=True).rstrip("¶") for h in paper.select("article h2")] == ["摘要", "BibTeX", "引用"]
    assert "2024年2月21日" in paper.select_one(".lp-meta").get_text()
    assert "发表处未知" in paper.select_one(".lp-meta").get_text()
    publications = html(sites[1], "publications/")
    assert publications.select_one("output.lp-shown")["data-pattern"] == "显示 {shown} / {total} 篇论文"
    assert publications.select_one("select[name=year] option").get_text() == "全部年份"


def test_bibtex_and_references_are_the_same_in_every_language(sites):
    en, zh = (html(site, "papers/zhang2024inftybench/") for site in sites)
    assert zh.select_one("section#bibtex pre").get_text() == en.select_one("section#bibtex pre").get_text()
    assert [p.get_text() for p in zh.select("section#cite pre")] == [
        p.get_text() for p in en.select("section#cite pre")
    ]
    assert (sites[1] / "publications.bib").read_bytes() == (sites[0] / "publications.bib").read_bytes()


def test_every_language_has_every_key_and_the_same_names_in_braces():
    english = Words("en").table
    for code in available():
        table = Words(code).table  # falls back to English per key
        assert set(table) == set(english), code
        for key, value in english.items():
            if isinstance(value, str):
                assert set(re.findall(r"\{\w+\}", table[key])) == set(re.findall(r"\{\w+\}", value)), (code, key)


def test_dates_follow_the_language():
    day = datetime.date(2024, 2, 21)
    assert (Words("en").date(day), Words("zh").date(day), Words("de").date(day)) == (
        "Feb 21, 2024",
        "2024年2月21日",
        "21.02.2024",
    )
