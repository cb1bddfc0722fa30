"""Findings across records, after the library is built: the same paper twice is an error;
content that looks wrong but may be right (no topic, a cut-off abstract, a name listed twice,
a member without papers) is a warning. Both name the file, line and field."""

from __future__ import annotations

import re

from .errors import Problem
from .identity import SAME, Identity, IdentityIndex
from .library import Library
from .loader import PEOPLE_FILE, Content
from .names import ET_AL, name_key
from .records import ads_journal

# Scripts written without a space between family and given name (Han, kana, Hangul syllables).
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _half_name(name: str) -> bool:
    """A one-word name in a script that separates given and family names by a space: `Chen` and
    `Yingfa` in a row look like "Chen, Yingfa" cut at its comma. A CJK name (`韩放达`) is whole."""
    return (
        " " not in name.strip()
        and "," not in name
        and "{" not in name
        and name != ET_AL
        and not _UNSPACED_SCRIPT.search(name)
    )


def find_problems(library: Library, content: Content, identities: dict | None = None) -> list[Problem]:
    """Every finding, added to `content.problems`; the new ones are returned. `identities`, kept by
    a session, holds each paper's record and Identity from the last check: an unchanged record (the
    same object) is not dumped and parsed again."""
    found = len(content.problems)
    identities = {} if identities is None else identities
    index = IdentityIndex()
    for paper in sorted(library.papers, key=lambda p: p.key):
        known = identities.get(paper.key)
        if known is None or known[0] is not paper.record:
            known = identities[paper.key] = (paper.record, Identity.of(paper.record.model_dump()))
        _same_paper_twice(content, index, paper.key, known[1])
        index.add(paper.key, known[1])
        _record_warnings(content, library, paper.key, paper.record)
    _members_without_papers(content, library)
    return content.problems[found:]


def _same_paper_twice(content: Content, index: IdentityIndex, key: str, identity: Identity) -> None:
    """One paper in two records is an error; an identifier shared by two titles, a warning."""
    path = content.sources[key]
    for other, verdict in index.related(identity).items():
        shown = content.display_path(content.sources[other])
        if verdict.kind == SAME:
            content.problem(
                path,
                (verdict.field,),
                f"the same paper as {shown} ({verdict.reason})",
                "one paper, one record: merge the two files (labpubs import merges .bib duplicates)",
            )
        else:
            content.problem(
                path,
                (verdict.field,),
                f"not the same paper as {shown}, yet {verdict.reason}",
                "one of the two identifiers is probably wrong",
                "warning",
            )


def _record_warnings(content: Content, library: Library, key: str, record) -> None:
    """What looks wrong in one record but may be right: no topic, a cut-off abstract, an ADS
    journal macro for a venue, a name cut at its comma, an author listed twice."""
    path = content.sources[key]
    if library.topics and not record.topics:
        hint = f"add `topics:` from topics.yaml, e.g. `{next(iter(library.topics))}`"
        content.problem(path, (), "the paper has no topic", hint, "warning")
    abstract = (record.abstract or "").rstrip()
    if abstract.endswith(("...", "…")) or (len(abstract) > 40 and abstract[-1].isalnum()):
        content.problem(
            path, ("abstract",), "the abstract looks cut off", "copy the whole abstract from the paper", "warning"
        )
    journal = ads_journal(record.venue or "")
    if journal:
        content.problem(
            path,
            ("venue",),
            f"the venue `{record.venue}` is ADS's macro for the {journal}; pages and BibTeX would print it as is",
            f"write the journal's name: `venue: {journal}` (labpubs import does this for ADS exports)",
            "warning",
        )
    authors = record.authors
    split = next((i for i in range(1, len(authors)) if _half_name(authors[i - 1]) and _half_name(authors[i])), None)
    if split is not None:
        content.problem(
            path,
            ("authors", split - 1),
            f"`{authors[split - 1]}` and `{authors[split]}` look like one name cut at its comma",
            'quote "Last, First" names inside [...] lists: ["Chen, Yingfa", ...]',
            "warning",
        )
    keys = [name_key(n) for n in authors if n != ET_AL]
    for position, name in enumerate(keys):
        if name in keys[:position]:
            content.problem(path, ("authors", position), f"`{authors[position]}` is listed twice", None, "warning")


def _members_without_papers(content: Content, library: Library) -> None:
    position_of = {id(person): at for at, person in zip(content.people_at, content.people)}
    for member in library.members:
        if not member.papers:
            content.problem(
                content.root / PEOPLE_FILE,
                (position_of[id(member.person)], "name"),
                f"member {member.name} has no papers",
                "check the spelling of the name in author lists, or add an alias",
                "warning",
            )
