"""Record -> BibTeX: exact output for representative records, and output that parsers accept."""

from __future__ import annotations

import datetime

import bibtexparser
import pytest
from pybtex import database as pybtex

from generator.bibtex import latex_value, name_value, to_bibtex
from generator.latex import from_latex
from generator.library import Publication
from generator.records import Paper
from generator.richtext import to_plain


def publication(key: str, **fields) -> Publication:
    return Publication(key, Paper(**fields), [], False, [], [])


def test_conference_paper_exact_output():
    paper = publication(
        "mueller2024mamba",
        title="{M}amba & RNNs: 50% of $\\infty$ — a “test”",
        authors=["Jörg Müller", "van der Berg, Jan", "{OpenBMB Team}", "others"],
        date=datetime.date(2024, 8, 3),
        type="conference",
        venue="EMNLP 2024",
        doi="10.18653/v1/2024.emnlp-main.1",
        links={"url": "https://example.org/a_b"},
    )
    assert (
        to_bibtex(paper)
        == r"""@inproceedings{mueller2024mamba,
  author = {M{\"u}ller, J{\"o}rg and van der Berg, Jan and {OpenBMB Team} and others},
  title = {{M}amba \& {RNNs}: 50\% of $\infty$ --- a ``test''},
  booktitle = {{EMNLP} 2024},
  year = {2024},
  month = aug,
  doi = {10.18653/v1/2024.emnlp-main.1},
  url = {https://example.org/a_b},
}"""
    )


@pytest.mark.parametrize(
    "type_, entry_type, venue_field",
    [
        ("journal", "article", "journal"),
        ("preprint", "misc", "howpublished"),
        ("thesis", "phdthesis", "school"),
        ("chapter", "incollection", "booktitle"),
        ("report", "techreport", "institution"),
        ("workshop", "inproceedings", "booktitle"),
    ],
)
def test_entry_type_and_venue_field_follow_type(type_, entry_type, venue_field):
    text = to_bibtex(publication("k", title="T", authors=["A B"], year=2020, type=type_, venue="V"))
    assert text.startswith(f"@{entry_type}{{k,") and f"  {venue_field} = {{V}}," in text


def test_arxiv_id_becomes_eprint():
    text = to_bibtex(publication("k", title="T", year=2024, type="preprint", arxiv="2402.13718"))
    assert "  eprint = {2402.13718},\n  archiveprefix = {arXiv}," in text


@pytest.mark.parametrize(
    "title",
    [
        "{{ 7*7 }}",
        "a { b",
        "a } b",
        "}{",
        r"100\% sure",
        "x_1 and y^2",
        "#1 & 50% ~ $ cost",
        "C++ {and} {M}",
        r"\textit{x}",
    ],
)
def test_awkward_titles_stay_balanced_and_parse_back(title):
    value = latex_value(title, protect_capitals=True)
    entry = f"@misc{{k,\n  title = {{{value}}},\n}}"
    parsed = bibtexparser.parse_string(entry)
    assert not parsed.failed_blocks, entry
    assert to_plain(from_latex(parsed.entries[0]["title"])) == to_plain(title)  # the importer's reading
    pybtex.parse_string(entry, "bibtex")  # BibTeX's own rule: every brace, escaped or not, pairs


def test_names():
    assert name_value("Chen, Yingfa") == "Chen, Yingfa"
    assert name_value("Ludwig van Beethoven") == "van Beethoven, Ludwig"
    assert name_value("Barnes & Noble") == r"Noble, Barnes \&"
    assert name_value("{Barnes & Noble}") == r"{Barnes \& Noble}"
