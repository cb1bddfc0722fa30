"""What real .bib files do to an importer, each reproduced by a small .bib written for the purpose:
when two entries are one paper (and when not), what a merge keeps, `@comment` blocks, DBLP's
escaped identifiers, al-folio's fields, layout macros, broken author lists, names and keys in
every script, and records that keep their comments when they are rewritten."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.bibread import parse_bib
from generator.importer import import_bib, topic_index, write_records
from generator.loader import RecordLoader, load_content
from generator.names import slugify
from generator.records import Paper
from generator.richtext import to_html, to_plain
from generator.site import check

FIXTURE = Path(__file__).parent / "fixture"


def run(text: str, existing: dict | None = None, update: bool = False):
    return import_bib(parse_bib(text), existing or {}, {}, set(), update=update, file="t.bib")


def by_line(result) -> dict[int, object]:
    return {o.line: o for o in result.outcomes}


def notes(outcome) -> str:
    return "\n".join(outcome.notes)


# --- one paper or two ------------------------------------------------------------------------------


def test_two_papers_sharing_an_arxiv_id_stay_two_and_the_slip_is_reported():
    result = run("""
@inproceedings{real, title = {Sparse Attention at Scale}, author = {Chen, Yingfa}, year = 2024,
  eprint = {2402.13718}, archivePrefix = {arXiv}, booktitle = {ACL 2024}}

@inproceedings{other, title = {A Completely Different Paper}, author = {Han, Xu}, year = 2024,
  eprint = {2402.13718}, archivePrefix = {arXiv}, booktitle = {EMNLP 2024}, selected = {true},
  code = {https://github.com/example/other}}
""")
    assert [o.status for o in result.outcomes] == ["imported", "imported"]
    first, second = result.writes["real"], result.writes["other"]
    assert (second.venue, second.selected, second.links.code) == (
        "EMNLP 2024",
        True,
        ("https://github.com/example/other",),
    )
    assert (first.venue, first.selected, first.links.code) == ("ACL 2024", False, ())
    warning = notes(by_line(result)[5])
    assert "warning: not merged with real (t.bib:2), same arXiv id but different titles" in warning


def test_two_papers_sharing_a_doi_stay_two():
    result = run("""
@article{a, title = {First Paper}, doi = {10.5555/shared}, year = 2020, journal = {J}}
@article{b, title = {Second Paper}, doi = {10.5555/SHARED}, year = 2021, journal = {K}}
""")
    assert [o.status for o in result.outcomes] == ["imported", "imported"]
    assert result.writes["b"].doi == "10.5555/SHARED" and result.writes["b"].venue == "K"
    assert "same DOI but different titles" in notes(by_line(result)[3])


def test_published_version_merges_into_the_preprint_without_overwriting_its_title_and_authors():
    result = run("""
@misc{pre, title = {Stuffed Mamba: State Collapse in {RNNs}}, author = {Chen, Yingfa and Zhang, Xinrong and others},
  year = 2024, eprint = {2410.07145}, archivePrefix = {arXiv}, abstract = {We study state collapse.}}

@inproceedings{pub, title = {Stuffed {M}amba: State collapse in RNNs}, author = {Chen, Y. and Zhang, X. and Hu, S.},
  booktitle = {COLM 2025}, year = 2025, doi = {10.5555/stuffed}}

@inproceedings{again, title = {Stuffed Mamba: State Collapse in RNNs}, author = {Chen, Yingfa},
  booktitle = {Some Workshop 2025}, year = 2025, doi = {10.5555/another-doi}}
""")
    outcomes = by_line(result)
    assert (outcomes[5].status, outcomes[5].key) == ("merged", "pre")
    record = result.writes["pre"]
    assert record.title == "Stuffed Mamba: State Collapse in RNNs"  # the first entry's spelling
    assert record.authors == ["Chen, Yingfa", "Zhang, Xinrong", "Hu, S."]  # the full list, each name spelled fullest
    assert (record.type, record.venue, record.year, record.doi, record.arxiv) == (
        "conference",
        "COLM 2025",
        2025,
        "10.5555/stuffed",
        "2410.07145",
    )
    assert record.abstract == "We study state collapse."
    merged = notes(outcomes[5])
    assert "the same paper as pre (t.bib:2): same title" in merged and "added venue, doi" in merged
    assert "title: kept 'Stuffed Mamba: State Collapse in RNNs' (the entry spells it" in merged
    assert "authors: the list of 3 replaces the list of 2 et al." in merged
    assert "the preprint's year 2024, type preprint are arXiv's" in merged
    # a third entry with the same title but another DOI is another paper: its DOI is kept, on it
    assert outcomes[8].status == "imported" and result.writes[outcomes[8].key].doi == "10.5555/another-doi"
    assert "not merged with pre (t.bib:2), same title but different DOIs" in notes(outcomes[8])


@pytest.mark.parametrize("title", ["Title", "TBD", "Untitled", "To appear"[:0] + "TODO"])
def test_placeholder_titles_identify_nothing(title):
    result = run(
        f"@misc{{a, title = {{{title}}}, author = {{A, B}}}}\n@misc{{b, title = {{{title}}}, author = {{C, D}}}}\n"
    )
    assert [o.status for o in result.outcomes] == ["imported", "imported"]


def test_an_entry_with_a_placeholder_title_imported_again_is_the_same_record():
    text = "@misc{ph1, title = {Title}, author = {Foo, A}, year = 2020}\n@misc{ph3, title = {TBD}, author = {Foo, A}}\n"
    first = run(text)
    again = run(text, existing=first.writes)
    assert [o.status for o in again.outcomes] == ["unchanged", "unchanged"] and not again.writes
    assert "same cite key and placeholder title" in notes(again.outcomes[0])
    # the key alone is not enough: another author under that key is another paper
    other = run("@misc{ph1, title = {Title}, author = {Bar, B}, year = 2020}", existing=first.writes)
    assert [o.status for o in other.outcomes] == ["imported"] and "ph1" not in other.writes


THREE_VERSIONS = """
@article{pre, title = {Sparse Kernels for Long Inputs}, author = {Lee, Ann and Kim, Bo}, year = {2023},
  journal = {arXiv preprint arXiv:2302.11111}, eprint = {2302.11111}, archivePrefix = {arXiv}}
@inproceedings{pub, title = {Sparse Kernels for Long Inputs}, author = {Lee, A. and Kim, B. and Park, C.},
  booktitle = {Proceedings of X}, year = {2023}, doi = {10.1000/x1}}
@inproceedings{pub2, title = {Sparse Kernels for Long Inputs}, author = {Lee, A. and Kim, B.},
  booktitle = {Proceedings of Y}, year = {2023}, doi = {10.1000/y2}}
"""


def test_importing_a_file_again_changes_nothing_when_an_identifier_outweighs_a_title():
    first = run(THREE_VERSIONS)
    assert [o.status for o in first.outcomes] == ["imported", "merged", "imported"]
    again = run(THREE_VERSIONS, existing=first.writes)
    assert [o.status for o in again.outcomes] == ["unchanged"] * 3, [str(o) for o in again.outcomes]
    assert "also the title of pub2" in notes(again.outcomes[0])


def test_a_fuller_author_list_keeps_the_fuller_spelling_of_each_name():
    record = run(THREE_VERSIONS).writes["pre"]
    assert record.authors == ["Lee, Ann", "Kim, Bo", "Park, C."]


def test_an_author_list_with_another_first_name_is_kept_beside_the_one_that_replaces_it():
    result = run("""
@article{a, title = {Other Paper}, author = {Lee, Ann and Kim, Bo}, journal = {J}, year = {2020}}
@article{b, title = {Other Paper}, author = {Lee, Bob and Kim, Bo and Park, C.}, journal = {J}, year = {2020}}
""")
    record = result.writes["a"]
    assert record.authors == ["Lee, Bob", "Kim, Bo", "Park, C."]
    assert record.extra["author_2"] == "Lee, Ann and Kim, Bo"


def test_a_merge_keeps_every_value_and_says_so():
    result = run("""
@inproceedings{a, title = {One Paper}, author = {A, B}, year = 2024, booktitle = {ACL 2024}, doi = {10.5555/one},
  code = {https://github.com/a/one}, award = {Best Paper}}
@inproceedings{b, title = {One paper.}, author = {A, B}, year = 2024, booktitle = {Proceedings of ACL 2024},
  doi = {10.5555/ONE}, code = {https://github.com/b/one}, pdf = {https://example.org/one.pdf}}
""")
    record = result.writes["a"]
    assert record.links.code == ("https://github.com/a/one", "https://github.com/b/one")
    assert record.links.pdf == ("https://example.org/one.pdf",)
    assert record.venue == "ACL 2024" and record.extra["venue_2"] == "Proceedings of ACL 2024"
    merged = notes(by_line(result)[4])
    assert "same DOI and title" in merged and "both code links kept" in merged and "added pdf link" in merged
    assert "venue differs: 'Proceedings of ACL 2024' kept as extra.venue_2" in merged


def test_an_existing_record_is_completed_never_overwritten_without_update(tmp_path):
    existing = {"a": Paper(title="One Paper", venue="Typed by hand", year=2024, type="conference")}
    bib = "@inproceedings{x, title = {One Paper}, booktitle = {ACL 2024}, year = 2024, doi = {10.5555/one}}"
    result = run(bib, existing)
    (outcome,) = result.outcomes
    assert outcome.status == "merged" and result.writes["a"].venue == "Typed by hand"
    assert result.writes["a"].doi == "10.5555/one"
    assert "venue differs: the entry says 'ACL 2024', the record 'Typed by hand' (--update" in notes(outcome)
    assert run(bib, existing, update=True).writes["a"].venue == "ACL 2024"


def test_cli_dry_run_shows_the_merges_and_warnings(tmp_path):
    bib = tmp_path / "t.bib"
    bib.write_text(
        "@misc{a, title = {Paper A}, eprint = {2101.00001}, archivePrefix = {arXiv}}\n"
        "@misc{b, title = {Paper B}, eprint = {2101.00001}, archivePrefix = {arXiv}}\n"
    )
    run_ = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "import",
            str(bib),
            "--content",
            str(tmp_path / "content"),
            "--dry-run",
        ],
        capture_output=True,
        text=True,
    )
    assert run_.returncode == 0, run_.stderr
    assert f"{bib}:2: imported b as b\n    note: warning: not merged with a ({bib}:1)" in run_.stdout
    assert "dry run, nothing written: 2 imported" in run_.stdout and not (tmp_path / "content" / "papers").exists()


# --- text the importer reads -----------------------------------------------------------------------


def test_comment_blocks_hide_the_entries_inside_them():
    result = run("""
@comment{ an al-folio site hides these papers:
@article{hidden, title = {Hidden Paper}, year = 2020}
@misc{hidden2, title = {Also Hidden}}
}
@article{shown, title = {Shown Paper}, year = 2021}
""")
    assert [(o.status, o.key) for o in result.outcomes] == [("imported", "shown")]
    assert result.others["@comment"] == 1 and by_line(result)[6]


def test_dblp_escapes_are_undone_in_dois_and_links():
    result = run(r"""@inproceedings{DBLP:conf/x/A24,
  title = {A}, doi = {10.1007/978-3-031-56066-8\_29}, url = {https://example.org/a\_b\%20c.pdf},
  code = {\url{https://github.com/a/b\_c}}, pdf = {\href{https://example.org/p\#1}{PDF}}, year = 2024}""")
    record = next(iter(result.writes.values()))
    assert record.doi == "10.1007/978-3-031-56066-8_29"
    assert record.links.url == ("https://example.org/a_b%20c.pdf",)
    assert record.links.code == ("https://github.com/a/b_c",) and record.links.pdf == ("https://example.org/p#1",)


def test_a_url_in_a_title_or_abstract_loses_the_same_escapes_as_a_link_field():
    result = run(r"""@article{u, title = {A}, year = 2024,
  abstract = {Code at \url{https://x.org/\~{}lab/a\_b\%20c} and more.}}""")
    assert "\\url{https://x.org/~lab/a_b%20c}" in result.writes["u"].abstract


def test_html_and_url_are_both_kept_and_pdf_names_with_spaces_are_encoded():
    result = run(
        "@article{a, title = {A}, url = {https://publisher.org/a}, html = {https://lab.org/a}, pdf = {Some Paper.pdf}}"
    )
    links = result.writes["a"].links
    assert links.url == ("https://publisher.org/a",) and links.html == ("https://lab.org/a",)
    assert links.pdf == ("/assets/pdf/Some%20Paper.pdf",)


@pytest.mark.parametrize(
    "bibtex, shown",
    [
        (r"z\raisebox{-0.5ex}\textasciitilde1 faster", "z~1 faster"),
        (r"Is \enquote{attention} all?", "Is “attention” all?"),
        (r"Learning to\nRank", "Learning to Rank"),
        (r"Deep\nlearning and \nu", "Deep learning and ν"),
        (r"\textcolor{red}{Warm} \hspace{1em}start", "Warm start"),
    ],
)
def test_layout_macros_quotes_and_line_breaks(bibtex, shown):
    record = run(f"@misc{{a, title = {{{bibtex}}}}}").writes["a"]
    assert to_plain(record.title) == shown and to_html(record.title) == shown


def test_unknown_commands_are_shown_as_written_not_dropped():
    assert to_plain(r"\ours{} beats \baseline{x} and \srank") == r"\ours{} beats \baseline{x} and \srank"


def test_an_empty_name_in_an_author_list_is_reported_not_invented():
    result = run("@misc{a, title = {A}, author = {Chen, Yingfa and and Zhang, Xinrong and}}")
    assert result.writes["a"].authors == ["Chen, Yingfa", "Zhang, Xinrong"]
    assert "an empty name" in notes(result.outcomes[0])


def test_urls_in_an_abstract_become_links():
    html = str(to_html("Code: https://github.com/OpenBMB/InfiniteBench. Data at (https://x.org/d).", links=True))
    assert html == (
        'Code: <a href="https://github.com/OpenBMB/InfiniteBench">https://github.com/OpenBMB/InfiniteBench</a>.'
        ' Data at (<a href="https://x.org/d">https://x.org/d</a>).'
    )


# --- names, keys and slugs in every script -----------------------------------------------------------


@pytest.mark.parametrize(
    "name, slug",
    [
        ("Łukasz Ærø", "lukasz-aero"),
        ("Иван Иванов", "ivan-ivanov"),
        ("韩放达", "han-fang-da"),
        ("Jörg Müller", "jorg-muller"),
        ("Yingfa Chen", "yingfa-chen"),
    ],
)
def test_slugs_are_readable_in_every_script(name, slug):
    assert slugify(name) == slug


def test_keys_of_non_latin_entries_are_readable():
    result = run(
        "@article{韩放达2014x, title = {基于深度学习的方法}, author = {韩放达}, year = 2014}\n"
        "@article{x, title = {Об одном методе}, author = {Иванов, Иван}, year = 2020}"
    )
    assert [o.key for o in result.outcomes] == ["hanfangda2014ji", "x"]
    result = run("@article{韩放达2014x, title = {Об одном методе}, author = {Иванов, Иван}, year = 2020}")
    assert result.outcomes[0].key == "ivanov2020ob"


def test_cjk_and_single_word_names_are_whole_names(tmp_path):
    root = tmp_path / "content"
    (root / "papers").mkdir(parents=True)
    (root / "papers" / "a.yaml").write_text("title: A\nauthors: [韩放达, 王小明, Plato, Chen Yingfa]\n")
    (root / "papers" / "b.yaml").write_text("title: B\nauthors: [Chen, Yingfa]\n")
    cut = [p for p in check(root).problems if "cut at its comma" in p.message]
    assert [p.file.endswith("b.yaml") for p in cut] == [True]


# --- records keep their comments ------------------------------------------------------------------


def test_update_rewrites_only_what_changed_and_keeps_comments(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE / "content", root)
    path = root / "papers" / "commented.yaml"
    before = path.read_text()
    content = load_content(root)
    result = import_bib(
        parse_bib(
            "@inproceedings{k, title = {A Commented Record}, booktitle = {ACL 2024},"
            " year = 2024, doi = {10.5555/commented}}"
        ),
        content.papers,
        topic_index(content.topics),
        {"yingfa-chen"},
        update=True,
    )
    write_records(result.writes, root / "papers", content.papers)
    after = path.read_text()
    assert after.count("#") == before.count("#") and "# hand-written note" in after
    assert "title: 'A Commented Record'  # quoted on purpose" in after  # quoting and the comment kept
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert changed == ["venue: ACL 2024", "doi: 10.5555/commented"]
    assert Paper.model_validate(yaml.load(after, Loader=RecordLoader)).venue == "ACL 2024"


def test_a_thesis_and_a_paper_or_strangers_with_one_title_stay_apart():
    result = run("""
@phdthesis{t, title = {Signal Processing on Graphs}, author = {Hashimoto, Keitaro}, school = {Test U}, year = 2023}
@inproceedings{c, title = {Signal processing on graphs}, author = {Hashimoto, Keitaro and Ogata, Wakaha},
  booktitle = {SCIS 2023}, year = 2023}
@misc{s, title = {Signal Processing on Graphs}, author = {Someone, Else}, year = 2023}
""")
    assert [o.status for o in result.outcomes] == ["imported"] * 3
    assert "same title but types conference and thesis" in notes(by_line(result)[3])
    assert "no author in common" in notes(by_line(result)[5])


def test_marks_markup_and_et_al_inside_names_are_mended_and_said():
    result = run(
        r"@misc{a, title = {A}, author = {Han*, Yoseob and {<b>Junais</b>} and Chen$^*$, Yingfa and "
        r"Bakhteev, Oleg et al.}}"
    )
    assert result.writes["a"].authors == ["Han, Yoseob", "Junais", "Chen, Yingfa", "Bakhteev, Oleg", "others"]
    said = notes(result.outcomes[0])
    assert "'Han*, Yoseob': markup and marks" in said and '"et al." is et al.' in said


def test_authors_joined_by_commas_are_kept_whole_and_reported():
    result = run(
        "@misc{a, title = {A}, author = {Ricardo Jimenez-Peris, Marta Patiño-Martinez, Bettina Kemme, Ivan B}}"
    )
    assert result.writes["a"].authors == ["{Ricardo Jimenez-Peris, Marta Patiño-Martinez, Bettina Kemme, Ivan B}"]
    assert "has 3 commas: names must be joined by `and`" in notes(result.outcomes[0])


def test_doi_links_and_doubled_resolvers_give_the_doi():
    result = run("""
@article{a, title = {A}, url = {https://doi.org/10.5555/a}}
@article{b, title = {B}, doi = {https://doi.org/https://doi.org/10.5555/b}}
@article{c, title = {C}, doi = {http://doi.acm.org/10.1145/1234.5678}}
""")
    assert [result.writes[k].doi for k in "abc"] == ["10.5555/a", "10.5555/b", "10.1145/1234.5678"]
    assert not result.writes["a"].links.url


def test_al_folio_file_names_of_every_button_point_into_its_pdf_folder():
    links = (
        run(
            "@misc{a, title = {A}, slides = {a-slides.pdf}, poster = {a poster.pdf}, supp = {a.zip},"
            " video = {https://v.example/a}}"
        )
        .writes["a"]
        .links
    )
    assert (links.slides, links.poster, links.supp) == (
        ("/assets/pdf/a-slides.pdf",),
        ("/assets/pdf/a%20poster.pdf",),
        ("/assets/pdf/a.zip",),
    )


def test_a_report_published_by_howpublished_keeps_its_venue():
    record = run("@techreport{a, title = {A}, howpublished = {Test Lab Reports}, year = 2020}").writes["a"]
    assert (record.type, record.venue) == ("report", "Test Lab Reports")


@pytest.mark.parametrize("bibtex, shown", [(r"graph{\rq}s", "graph’s"), (r"i.\ e.\@ so", "i. e. so")])
def test_spacing_and_quote_commands(bibtex, shown):
    assert to_plain(run(f"@misc{{a, title = {{{bibtex}}}}}").writes["a"].title) == shown


def test_members_beside_a_list_that_became_complete_are_dropped_with_a_note():
    """`members` names members hidden in an unknown author list: once a merge completes the list,
    the record would be invalid with it (a sync run used to crash on this)."""
    from generator.merge import FILL, merge

    merged, changes = merge({"title": "A", "members": ["yingfa-chen"]}, {"title": "A", "authors": ["Chen, Y."]}, FILL)
    assert merged["authors"] == ["Chen, Y."] and "members" not in merged
    assert any("members yingfa-chen dropped" in note for note in changes.summary())


@pytest.mark.parametrize(
    "fields, arxiv",
    [
        ("eprint = {2301.00001}", "2301.00001"),
        ("eprint = {hep-th/9901001v2}", "hep-th/9901001v2"),
        ("eprint = {PMC12345}, eprinttype = {pubmed}", None),
        ("eprint = {12345}", None),
    ],
)
def test_an_eprint_without_archive_prefix_is_an_arxiv_id_only_when_it_looks_like_one(fields, arxiv):
    record = run(f"@misc{{a, title = {{A Paper}}, {fields}}}").writes["a"]
    assert record.arxiv == arxiv


def test_a_kept_author_list_with_a_corporate_name_survives_export_and_import():
    """Found by the round-trip property test: `extra.author_2` held `{R&D 50% Lab}` with its name
    braces, which record text reads as literal braces; the export escaped them and a second
    import differed."""
    from generator.bibtex import to_bibtex
    from generator.library import build_library
    from generator.loader import Content

    first = run("""
@inproceedings{k0, title = {One Title}, author = {A, A and A, A}}
@inproceedings{k1, title = {One Title}, author = {A, A and {R\\&D 50\\% Lab}}}
""").writes
    assert "R" in first["k0"].extra["author_2"]
    content = Content(Path("."))
    content.papers = dict(first)
    exported = "\\n\\n".join(to_bibtex(p, full=True) for p in build_library(content).papers)
    assert {k: p.model_dump() for k, p in run(exported).writes.items()} == {k: p.model_dump() for k, p in first.items()}
