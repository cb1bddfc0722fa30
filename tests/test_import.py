"""`labpubs import`: a messy .bib with every trap, the three real al-folio files, and the rules
for existing records (never overwritten without --update, re-import changes nothing)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURE, ROOT, copy_project, mkdocs_build

from generator.bibread import parse_bib, read_bib
from generator.importer import import_bib, topic_index, write_records
from generator.library import build_library
from generator.loader import load_content
from generator.records import Paper

DATA = Path(__file__).parent / "data"
CORPUS = ROOT.parent / "shared" / "corpus"
EXPECTED_OUTCOMES = [
    (15, "imported", "chen2024stuffed"),
    (31, "merged", "chen2024stuffed"),
    (41, "imported", "zhang2024inftybench"),
    (50, "imported", "zhang2024beyond"),
    (59, "merged", "zhang2024beyond"),
    (69, "imported", "zhang2022phocus"),
    (88, "imported", "chen2025thesis"),
    (97, "imported", "chen2025cost"),
    (104, "failed", None),
    (109, "imported", "luo2024sparsing"),
]


def labpubs(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], capture_output=True, text=True)


@pytest.fixture
def content(tmp_path) -> Path:
    """An empty content folder with the lab's members and topics."""
    root = tmp_path / "content"
    (root / "papers").mkdir(parents=True)
    shutil.copy(FIXTURE / "people.yaml", root)
    shutil.copy(FIXTURE / "topics.yaml", root)
    return root


def run_import(content: Path, bib: Path, update: bool = False):
    loaded = load_content(content)
    result = import_bib(
        read_bib(bib),
        loaded.papers,
        topic_index(loaded.topics),
        {"yingfa-chen", "xinrong-zhang", "weilin-zhao"},
        update=update,
    )
    write_records(result.writes, content / "papers")
    return result


def test_messy_bib_gives_exactly_the_expected_records(content):
    result = run_import(content, DATA / "messy.bib")
    assert [(o.line, o.status, o.key) for o in result.outcomes] == EXPECTED_OUTCOMES
    assert result.others == {"@string": 2, "@preamble": 1, "@comment": 1, "text between entries": 2}
    (failed,) = [o for o in result.outcomes if o.status == "failed"]
    assert failed.label == "broken2024" and "syntax" in failed.reason
    expected = yaml.safe_load((DATA / "messy.expected.yaml").read_text(encoding="utf-8"))
    records = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (content / "papers").glob("*.yaml")}
    assert records == expected


def test_imported_names_resolve_to_members(content):
    run_import(content, DATA / "messy.bib")
    library = build_library(load_content(content))
    assert not library.problems
    yingfa = library.authors["yingfa-chen"]
    assert yingfa.is_member  # "Chen, Yingfa" and "Yingfa Chen" in the .bib are the member
    assert {p.key for p in yingfa.papers} == {p.key for p in library.papers} - {"zhang2022phocus"}
    assert library.authors["openbmb-team"].name == "OpenBMB Team"


def test_reimport_changes_nothing(content):
    run_import(content, DATA / "messy.bib")
    before = {p.name: p.read_bytes() for p in (content / "papers").iterdir()}
    again = run_import(content, DATA / "messy.bib")
    assert not again.writes
    assert {o.status for o in again.outcomes} == {"unchanged", "failed", "merged"}
    assert [o.key for o in again.outcomes if o.status == "merged"] == ["zhang2024beyond"]  # the crossref target
    assert {p.name: p.read_bytes() for p in (content / "papers").iterdir()} == before


def test_existing_records_change_only_with_update_and_only_where_the_bib_speaks(content):
    run_import(content, DATA / "messy.bib")
    path = content / "papers" / "zhang2022phocus.yaml"
    record = yaml.safe_load(path.read_text())
    record["venue"] = "A venue typed by hand"
    record["topics"] = ["scholarly-data", "evaluation"]  # not in the .bib: must survive --update
    path.write_text(yaml.safe_dump(record, allow_unicode=True))
    kept = run_import(content, DATA / "messy.bib")
    phocus = next(o for o in kept.outcomes if o.key == "zhang2022phocus")
    assert phocus.status == "unchanged" and any("--update" in n for n in phocus.notes)
    assert yaml.safe_load(path.read_text())["venue"] == "A venue typed by hand"
    updated = run_import(content, DATA / "messy.bib", update=True)
    assert next(o for o in updated.outcomes if o.key == "zhang2022phocus").status == "merged"
    record = yaml.safe_load(path.read_text())
    assert record["venue"] == "Journal of Tests" and record["topics"] == ["scholarly-data", "evaluation"]


def test_arxiv_version_added_later_merges_into_the_published_record(content):
    run_import(content, DATA / "messy.bib")
    arxiv = parse_bib(
        "@misc{x, title = {Phocus: Picking Valuable Research from a Sea of Citations},"
        " author = {Zhang, Xinrong and others}, year = 2021, eprint = {2201.03000},"
        " archivePrefix = {arXiv}}"
    )
    loaded = load_content(content)
    result = import_bib(arxiv, loaded.papers, topic_index(loaded.topics), set())
    (outcome,) = result.outcomes
    assert (outcome.status, outcome.key) == ("merged", "zhang2022phocus")
    merged = result.writes["zhang2022phocus"]
    assert (merged.arxiv, merged.year, merged.type, merged.venue) == ("2201.03000", 2022, "journal", "Journal of Tests")
    assert merged.authors[-1] != "others"


def test_cli_dry_run_writes_nothing_and_failures_set_the_exit_status(content):
    run = labpubs("import", str(DATA / "messy.bib"), "--content", str(content), "--dry-run")
    assert run.returncode == 1  # the broken entry
    assert not list((content / "papers").iterdir())
    assert re.search(r"messy\.bib:104: failed \(broken2024\): BibTeX syntax", run.stdout)
    assert "7 imported, 2 merged, 0 unchanged, 1 failed (10 entries)" in run.stdout


CORPUS_FILES = sorted(CORPUS.glob("*.bib")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not beside the checkout")
@pytest.mark.parametrize("bib", CORPUS_FILES, ids=lambda p: p.stem)
def test_real_al_folio_files_import_completely_and_build(bib, tmp_path):
    project = copy_project(tmp_path)
    content = project / "content"
    shutil.rmtree(content / "papers")
    entries = len(re.findall(r"^\s*@(?!string|comment|preamble)\w+\s*[({]", bib.read_text(), re.M | re.I))
    run = labpubs("import", str(bib), "--content", str(content))
    assert run.returncode == 0, run.stdout + run.stderr
    statuses = re.findall(r"^\S+:\d+: (imported|merged|unchanged|failed) ", run.stdout, re.M)
    assert len(statuses) == entries  # every entry accounted for, exactly once
    assert len(list((content / "papers").glob("*.yaml"))) == statuses.count("imported")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    # export -> import into a fresh folder gives the same records: a fixed point
    exported = tmp_path / "export.bib"
    assert labpubs("export", "--content", str(content), "--out", str(exported)).returncode == 0
    fresh = tmp_path / "fresh"
    assert labpubs("import", str(exported), "--content", str(fresh)).returncode == 0
    first = {p.name: Paper.model_validate(yaml.safe_load(p.read_text())) for p in (content / "papers").glob("*.yaml")}
    second = {p.name: Paper.model_validate(yaml.safe_load(p.read_text())) for p in (fresh / "papers").glob("*.yaml")}
    assert first == second


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not beside the checkout")
@pytest.mark.parametrize("bib", CORPUS_FILES, ids=lambda p: p.stem)
def test_real_files_keep_every_title_link_and_selected_flag(bib):
    """Each entry's title is its record's (up to case and punctuation), each of its links is among
    the record's links, and `selected = {true}` selects the record."""
    from generator.bibmap import ALFOLIO_FILES, unescape_verbatim
    from generator.identity import title_key
    from generator.latex import from_latex
    from generator.records import LINK_KINDS

    parsed = parse_bib(bib.read_text(encoding="utf-8"))
    result = import_bib(parsed, {}, topic_index({}), set())
    records = result.writes
    by_line = {o.line: o for o in result.outcomes}
    for entry in parsed.entries:
        outcome = by_line[entry.line]
        assert outcome.status != "failed", (entry.key, outcome.reason)
        record = records[outcome.key]
        if entry.key.lower() not in parsed.crossref_targets:
            assert title_key(from_latex(entry.fields["title"])) == title_key(record.title), entry.key
        urls = {url for _, url in record.links.items()}
        for name, value in entry.fields.items():
            if name in LINK_KINDS and value.strip():
                url = unescape_verbatim(value)
                url = "/assets/pdf/" + url if name in ALFOLIO_FILES and "://" not in url else url
                assert url.replace(" ", "%20") in urls, (entry.key, name, url)
        if entry.fields.get("selected", "").strip().lower() == "true":
            assert record.selected, entry.key
