"""Changes a lab makes to its project, one function each, for the tests of rebuilds
(`test_cache`, `test_serve`): each edits the project folder made by `conftest.copy_project`."""

from __future__ import annotations

import shutil
from pathlib import Path


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_record(project: Path) -> None:
    replace(project / "content/papers/workshop.yaml", "Light Kernels", "Light Kernels, Edited")


def edit_template(project: Path) -> None:
    replace(
        project / "theme/main.html",
        "{% block extrahead %}\n  {{ super() }}",
        '{% block extrahead %}\n  {{ super() }}\n  <meta name="x-edited" content="1">',
    )


def edit_config(project: Path) -> None:
    replace(project / "mkdocs.yml", "site_name: Lab publications", "site_name: Lab publications, edited")


def edit_people(project: Path) -> None:
    replace(project / "content/people.yaml", "role: Research engineer", "role: Staff engineer")


def add_member_orcid(project: Path) -> None:
    """A member's ORCID reaches their papers' JSON-LD (`sameAs`), not only their own page."""
    replace(
        project / "content/people.yaml",
        "role: Master's student",
        "role: Master's student\n  orcid: 0000-0001-5109-3700",
    )


def edit_topics(project: Path) -> None:
    replace(project / "content/topics.yaml", "title: Efficiency", "title: Efficient systems")


def edit_page(project: Path) -> None:
    index = project / "content/index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")


def delete_record(project: Path) -> None:
    (project / "content/papers/undated.yaml").unlink()


def add_record(project: Path) -> None:
    shutil.copy(project / "content/papers/journal.yaml", project / "content/papers/journal-copy.yaml")
    replace(project / "content/papers/journal-copy.yaml", "title: 'Phocus", "title: 'Another Phocus")
    text = (project / "content/papers/journal-copy.yaml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith(("doi:", "arxiv:"))]
    (project / "content/papers/journal-copy.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


CHANGES = [
    edit_record,
    edit_template,
    edit_config,
    edit_people,
    add_member_orcid,
    edit_topics,
    edit_page,
    delete_record,
    add_record,
]


def files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def folders(site: Path) -> set[str]:
    return {str(p.relative_to(site)) for p in site.rglob("*") if p.is_dir()}


def assert_same_site(a_site: Path, b_site: Path) -> None:
    assert folders(a_site) == folders(b_site), sorted(folders(a_site) ^ folders(b_site))[:10]
    a, b = files(a_site), files(b_site)
    assert a.keys() == b.keys(), sorted(a.keys() ^ b.keys())[:10]
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, differ[:10]
