"""What a build computes and may reuse: one object per build, or per `mkdocs serve` session, that
the plugin (or the CLI) owns and hands down. Every cache of the generator lives here, keyed by
what its contents depend on, so that "the same as a cold build" is a property of one object.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .library import Publication


class Session:
    """The caches of one build or serve session.

    - `records`: valid records by file, with the file's modification time, size and the known
      topics and members they were checked against (the loader reads a file again when any changed).
    - `rendered`: each paper's rendered pieces (view, entries, BibTeX, CSL, page), with what they
      depend on: the record (the same object while its file is unchanged), the names of its authors
      and topics, and the options.
    - `references`: formatted references by CSL item and styles.
    """

    def __init__(self) -> None:
        self.records: dict[Path, tuple[tuple, object]] = {}
        self.rendered: dict[str, tuple[tuple, dict]] = {}
        self.references: dict[str, list[tuple[str, str]]] = {}

    def pieces(self, paper: Publication, options) -> dict:
        """The rendered pieces of one paper, from the last build when nothing they show changed."""
        signature = (
            options,
            tuple((a.slug, a.name, a.is_member) for a in paper.authors),
            tuple((a.slug, a.name) for a in paper.members),
            tuple((t.slug, t.topic.title) for t in paper.topics),
        )
        cached = self.rendered.get(paper.key)
        if cached and cached[0][0] is paper.record and cached[0][1:] == signature:
            return cached[1]
        pieces: dict = {}
        self.rendered[paper.key] = ((paper.record, *signature), pieces)
        return pieces

    def forget_papers_except(self, keys: set[str]) -> None:
        """Drop what was rendered for papers deleted since the last build."""
        for gone in set(self.rendered) - keys:
            del self.rendered[gone]

    def forget_records_except(self, folder: Path, files: list[Path]) -> None:
        """Drop the records of files deleted from `folder` since the last build."""
        for gone in set(self.records) - set(files):
            if gone.parent == folder:
                del self.records[gone]
