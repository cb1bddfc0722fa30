"""Findings across records, after the library is built: the same paper twice is an error;
content that looks wrong but may be right (no topic, a cut-off abstract, a name listed twice,
a member without papers) is a warning. Both name the file, line and field."""

from __future__ import annotations

import re

from .errors import Problem
from .latex import to_plain
from .library import Library
from .loader import PEOPLE_FILE, Content, locate
from .names import fold, name_key


def title_key(title: str) -> str:
    """A title reduced to what identifies it: case, accents, punctuation, spacing and LaTeX gone;
    letters of every script stay (a Greek or Chinese title is not the empty string)."""
    return re.sub(r"[\W_]+", "", fold(to_plain(title)))


def identities(doi: str | None, arxiv: str | None, title: str) -> list[tuple[str, str]]:
    """What makes two records the same paper: (field, value) for DOI, arXiv id and title."""
    found = []
    if doi:
        found.append(("doi", doi.lower()))
    if arxiv:
        found.append(("arxiv", re.sub(r"v\d+$", "", arxiv)))
    key = title_key(title)
    if key:  # a title of punctuation alone identifies nothing
        found.append(("title", key))
    return found


def _one_word(name: str) -> bool:
    return " " not in name.strip() and "," not in name and "{" not in name


def find_problems(library: Library, content: Content) -> list[Problem]:
    problems: list[Problem] = []

    def report(path, loc, message, severity="error", hint=None):
        line, column = locate(path, loc)
        field = ".".join(str(p) for p in loc if not isinstance(p, int)) or None
        problems.append(Problem(content.display_path(path), message, line, column, field, hint, severity))

    seen: dict[tuple[str, str], str] = {}
    for paper in sorted(library.papers, key=lambda p: p.key):
        path = content.sources[paper.key]
        record = paper.record
        for identity in identities(record.doi, record.arxiv, record.title):
            other = seen.setdefault(identity, paper.key)
            if other != paper.key:
                what = {"doi": "DOI", "arxiv": "arXiv id", "title": "title"}[identity[0]]
                report(path, (identity[0],), f"same {what} as {content.display_path(content.sources[other])}",
                       hint="one paper, one record: merge the two files (labpubs import merges .bib duplicates)")
                break
        if library.topics and not record.topics:
            report(path, (), "the paper has no topic", "warning", f"add `topics:` from topics.yaml, e.g. "
                   f"`{next(iter(library.topics))}`")
        abstract = (record.abstract or "").rstrip()
        if abstract.endswith(("...", "…")) or (len(abstract) > 40 and abstract[-1].isalnum()):
            report(path, ("abstract",), "the abstract looks cut off", "warning",
                   "copy the whole abstract from the paper")
        split = next((i for i in range(1, len(record.authors)) if _one_word(record.authors[i - 1])
                      and _one_word(record.authors[i]) and record.authors[i] != "others"), None)
        if split is not None:
            report(path, ("authors", split - 1), f"`{record.authors[split - 1]}` and `{record.authors[split]}` look "
                   "like one name cut at its comma", "warning",
                   'quote "Last, First" names inside [...] lists: ["Chen, Yingfa", ...]')
        keys = [name_key(n) for n in record.authors if n != "others"]
        for position, key in enumerate(keys):
            if key in keys[:position]:
                report(path, ("authors", position), f"`{record.authors[position]}` is listed twice", "warning")
    position_of = {id(person): at for at, person in zip(content.people_at, content.people)}
    for member in library.members:
        position = position_of[id(member.person)]
        if not member.papers:
            report(content.root / PEOPLE_FILE, (position, "name"), f"member {member.name} has no papers", "warning",
                   "check the spelling of the name in author lists, or add an alias")
    return problems
