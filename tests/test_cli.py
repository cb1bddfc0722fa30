"""`labpubs generate`: the full docs tree for engines that run no MkDocs plugins."""

from __future__ import annotations

import subprocess
import sys

import yaml
from conftest import CONTENT, ROOT, html, mkdocs_build


def labpubs(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_check_is_clean_on_the_sample_content():
    run = labpubs("check")
    assert run.returncode == 0 and run.stdout.startswith("ok: 21 papers, 7 members"), run.stderr
    assert run.stderr == ""


def test_generated_tree_builds_without_the_plugin(tmp_path):
    docs = tmp_path / "docs"
    run = labpubs("generate", "--content", str(CONTENT), "--out", str(docs))
    assert run.returncode == 0, run.stderr
    assert (docs / "papers" / "hu2024minicpm.md").exists() and not list(docs.rglob("*.yaml"))
    home = (docs / "index.md").read_text()
    assert "<!-- labpubs:" not in home and 'href="papers/hu2024minicpm/"' in home
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    config.update(docs_dir=str(docs), plugins=["search"], theme={**config["theme"], "custom_dir": str(ROOT / "theme")})
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    result = mkdocs_build(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = html(tmp_path / "site", "papers/zhang2024inftybench/")
    assert page.title.get_text().startswith("∞Bench") and page.select_one("section#bibtex pre code")


def test_generate_refuses_to_replace_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    run = labpubs("generate", "--out", str(tmp_path))
    assert run.returncode == 2 and (tmp_path / "notes.txt").read_text() == "mine"
