"""`labpubs generate`: the full docs tree for engines that run no MkDocs plugins."""

from __future__ import annotations

import subprocess
import sys

import yaml
from conftest import FIXTURE, ROOT, html, mkdocs_build


def labpubs(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_check_counts_the_lab_and_prints_nothing_else_when_clean():
    run = labpubs("check", "--content", str(FIXTURE))
    assert run.returncode == 0 and run.stdout == "ok: 8 papers, 3 members, 20 co-authors, 4 topics\n", run.stderr
    assert run.stderr == ""


def test_generated_tree_builds_without_the_plugin(tmp_path):
    docs = tmp_path / "docs"
    run = labpubs("generate", "--content", str(FIXTURE), "--out", str(docs))
    assert run.returncode == 0, run.stderr
    assert (docs / "papers" / "infbench.md").exists() and not list(docs.rglob("*.yaml"))
    home = (docs / "index.md").read_text()
    assert "<!-- labpubs:" not in home and 'href="papers/infbench/"' in home
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    config.update(docs_dir=str(docs), plugins=["search"], theme={**config["theme"], "custom_dir": str(ROOT / "theme")})
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    result = mkdocs_build(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = html(tmp_path / "site", "papers/infbench/")
    assert page.title.get_text().startswith("∞Bench") and page.select_one("section#bibtex pre code")


def test_generated_downloads_hold_the_bytes_the_plugin_publishes(tmp_path, site):
    """BibTeX, RIS, CSL-JSON and the feed are held as bytes (see `assembly.Page`): the tree
    `generate` writes holds what `mkdocs build` publishes, byte for byte."""
    docs = tmp_path / "docs"
    run = labpubs("generate", "--content", str(FIXTURE), "--out", str(docs))
    assert run.returncode == 0, run.stderr
    downloads = [p for p in docs.rglob("*") if p.suffix in (".bib", ".ris", ".json", ".xml")]
    assert {p.suffix for p in downloads} == {".bib", ".ris", ".json", ".xml"}
    assert any(b"\xc3" in p.read_bytes() for p in downloads if p.suffix == ".ris")  # UTF-8 in them
    for path in downloads:
        assert path.read_bytes() == (site / path.relative_to(docs)).read_bytes(), path


def test_generate_refuses_to_replace_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    run = labpubs("generate", "--out", str(tmp_path))
    assert run.returncode == 2 and (tmp_path / "notes.txt").read_text() == "mine"


def test_generate_keeps_the_path_of_a_site_url_without_a_trailing_slash(tmp_path):
    """MkDocs adds the slash to `site_url`; `generate` reads mkdocs.yml itself and must too, or
    og:url, JSON-LD and citation_pdf_url lose `/lab` while the feed keeps it."""
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: Lab\nsite_url: https://x.org/lab\n")
    docs = tmp_path / "docs"
    run = labpubs("generate", "--content", str(FIXTURE), "--out", str(docs), "--config", str(config))
    assert run.returncode == 0, run.stderr
    page = (docs / "papers" / "infbench.md").read_text(encoding="utf-8")
    assert "https://x.org/lab/papers/infbench/" in page and "https://x.org/papers/" not in page
