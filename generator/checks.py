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
    """`identities`, kept by a session, holds each paper's record and Identity from the last
    check: an unchanged record (the same object) is not dumped and parsed again."""
    found = len(content.problems)
    identities = {} if identities is None else identities

    def report(path, loc, message, severity="error", hint=None):
        content.problem(path, loc, message, hint, severity)

    index = IdentityIndex()
    for paper in sorted(library.papers, key=lambda p: p.key):
        path = content.sources[paper.key]
        record = paper.record
        known = identities.get(paper.key)
        if known is None or known[0] is not record:
            known = identities[paper.key] = (record, Identity.of(record.model_dump()))
        identity = known[1]
        for other, verdict in index.related(identity).items():
            shown = content.display_path(content.sources[other])
            if verdict.kind == SAME:
                report(
                    path,
                    (verdict.field,),
                    f"the same paper as {shown} ({verdict.reason})",
                    hint="one paper, one record: merge the two files (labpubs import merges .bib duplicates)",
                )
            else:
                report(
                    path,
                    (verdict.field,),
                    f"not the same paper as {shown}, yet {verdict.reason}",
                    "warning",
                    "one of the two identifiers is probably wrong",
                )
        index.add(paper.key, identity)
        if library.topics and not record.topics:
            report(
                path,
                (),
                "the paper has no topic",
                "warning",
                f"add `topics:` from topics.yaml, e.g. `{next(iter(library.topics))}`",
            )
        abstract = (record.abstract or "").rstrip()
        if abstract.endswith(("...", "…")) or (len(abstract) > 40 and abstract[-1].isalnum()):
            report(
                path, ("abstract",), "the abstract looks cut off", "warning", "copy the whole abstract from the paper"
            )
        split = next(
            (
                i
                for i in range(1, len(record.authors))
                if _half_name(record.authors[i - 1]) and _half_name(record.authors[i])
            ),
            None,
        )
        if split is not None:
            report(
                path,
                ("authors", split - 1),
                f"`{record.authors[split - 1]}` and `{record.authors[split]}` look like one name cut at its comma",
                "warning",
                'quote "Last, First" names inside [...] lists: ["Chen, Yingfa", ...]',
            )
        keys = [name_key(n) for n in record.authors if n != ET_AL]
        for position, key in enumerate(keys):
            if key in keys[:position]:
                report(path, ("authors", position), f"`{record.authors[position]}` is listed twice", "warning")
    position_of = {id(person): at for at, person in zip(content.people_at, content.people)}
    for member in library.members:
        position = position_of[id(member.person)]
        if not member.papers:
            report(
                content.root / PEOPLE_FILE,
                (position, "name"),
                f"member {member.name} has no papers",
                "warning",
                "check the spelling of the name in author lists, or add an alias",
            )
    return content.problems[found:]
