"""Bad content: every error of a run, each with file, line, field and a hint; the build fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import ContentError
from generator.site import check

from conftest import copy_project, mkdocs_build


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    write(root, "topics.yaml", "long-context:\n  title: Long context\n")
    write(root, "people.yaml", "- name: Yingfa Chen\n  aliases: [\"Chen, Y.\"]\n")
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as error:
        check(root)
    return [str(p) for p in error.value.problems]


def test_all_errors_are_reported_together_with_places_and_hints(content):
    write(content, "papers/a.yaml", "title: A\nauhtors: [X Y]\nyear: 2024\ntopics: [long-contex]\n")
    write(content, "papers/b.yaml", "title: B\nyear: 2024\ntype: confrence\n")
    write(content, "papers/c.yaml", "title: C\nyear: [2024\n")
    found = problems(content)
    assert len(found) == 4, found
    rel = Path("content/papers")
    assert any(p.startswith(f"{_rel(content / 'papers/a.yaml')}:2:1: error: auhtors: unknown field `auhtors`")
               and "did you mean `authors`?" in p for p in found), found
    assert any(p.startswith(f"{_rel(content / 'papers/b.yaml')}:3:1: error: type:") and "did you mean `conference`?" in p
               for p in found), found
    assert any(p.startswith(f"{_rel(content / 'papers/c.yaml')}:") and "YAML syntax" in p for p in found), found
    assert rel  # paths are shown relative to the working folder


def test_unknown_topic_names_the_line_and_suggests_the_slug(content):
    write(content, "papers/a.yaml", "title: A\nyear: 2024\ntopics:\n  - long-context\n  - long-contex\n")
    (found,) = problems(content)
    assert found == (f"{_rel(content / 'papers/a.yaml')}:5:5: error: topics[1]: topic `long-contex` is not in "
                     "topics.yaml (hint: did you mean `long-context`?)")


@pytest.mark.parametrize("record, field, fragment", [
    ("title: A\nyear: 1492\n", "year", "greater than or equal to 1900"),
    ("title: A\nyear: 2024\ndate: 2023-05-01\n", None, "date 2023-05-01 is not in year 2024"),
    ("title: A\nlinks:\n  pdf: javascript:alert(1)\n", "links.pdf", "http(s) URL"),
    ("title: A\ndoi: not-a-doi\n", "doi", "10.1234/abc"),
    ("title: A\nauthors: [others, X Y]\n", None, "`others` (et al.) may only be the last author"),
    ("authors: [X Y]\n", "title", "missing required field `title`"),
])
def test_field_errors(content, record, field, fragment):
    write(content, "papers/a.yaml", record)
    (found,) = problems(content)
    assert fragment in found
    if field:
        assert f" {field}: " in found


def test_bad_file_names_and_encodings(content):
    write(content, "papers/Bad Key.yaml", "title: A\n")
    (content / "papers/latin1.yaml").write_bytes("title: M\xfcller\n".encode("latin-1"))
    found = problems(content)
    assert any("not a valid paper key" in p for p in found) and any("not UTF-8" in p for p in found)


def test_build_fails_and_writes_no_site(tmp_path):
    project = copy_project(tmp_path)
    write(project / "content", "papers/zzz.yaml", "title: Broken\nyear: twenty\n")
    result = mkdocs_build(project, tmp_path / "out")
    assert result.returncode != 0
    assert "zzz.yaml:2:1: error: year:" in result.stderr
    assert not (tmp_path / "out" / "index.html").exists()


def test_cli_check(tmp_path, content):
    write(content, "papers/a.yaml", "title: A\nyear: 2024\ntopics: [nope]\n")
    run = subprocess.run([sys.executable, "-m", "generator.cli", "check", "--content", str(content)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "topic `nope` is not in topics.yaml" in run.stderr


def _rel(path: Path) -> str:
    import os
    return os.path.relpath(path)
