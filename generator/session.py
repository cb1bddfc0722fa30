"""What a build computes and may reuse: one object per build, or per `mkdocs serve` session, that
the plugin (or the CLI) owns and hands down, and that the plugin keeps on disk for the next
build. Every cache of the generator lives here, keyed by what its contents depend on, so that
"the same as a cold build" is a property of one object.
"""

from __future__ import annotations

import gc
import pickle
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .richtext import to_plain

PROTOCOL = pickle.HIGHEST_PROTOCOL

if TYPE_CHECKING:
    from .library import Publication


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a kept Session is read back: unpickling makes millions
    of objects that stay alive and no garbage, and each full collection walks every object made so
    far (unpickling 10,000 papers' session: 9.1 s with the collector, 3.9 s without)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


YOUNG = 100_000  # allocations between two collections of the youngest generation
NEVER = 1_000_000_000


@contextmanager
def young_collections_only() -> Iterator[None]:
    """Only the youngest objects are collected while the site is generated: each collection walks
    what was made since the last one, and what survives it is never walked again. Rendering makes
    cycles that die young (pylatexenc's walkers, Jinja's contexts, the JSON encoder's closures):
    with the collector off they stayed until the build ended (+240 MiB at 10,000 papers); full
    collections, which walk every live object again and again, cost a third of a warm build."""
    was_on, thresholds = gc.isenabled(), gc.get_threshold()
    gc.set_threshold(YOUNG, NEVER, NEVER)
    gc.enable()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not was_on:
            gc.disable()


class IdleCollector:
    """Under `mkdocs serve`, what a build made stays out of the cycle collector's reach (frozen,
    see the plugin's `on_files`) after the build too, and the full collection that frees the
    build's cyclic garbage runs once the server has been idle for `DELAY` seconds, in a timer
    thread. Left to itself, the collector ran a full collection inside every second or third
    rebuild, which at 10,000 papers walks every object of the site and session for ~2 s while the
    browser waits. A build that starts cancels the timer; after `AT_MOST` builds without an idle
    moment the collection runs at the start of the next one, so memory stays bounded."""

    DELAY = 1.0
    AT_MOST = 3

    def __init__(self) -> None:
        self.timer: threading.Timer | None = None
        self.uncollected = 0  # builds since the last full collection

    def build_starts(self) -> None:
        self._cancel()
        if self.uncollected >= self.AT_MOST:
            self.collect()

    def build_ended(self) -> None:
        self.uncollected += 1
        self._cancel()
        self.timer = threading.Timer(self.DELAY, self.collect)
        self.timer.daemon = True
        self.timer.start()

    def collect(self) -> None:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.uncollected = 0

    def stop(self) -> None:
        """When serving ends: everything back in the collector's reach."""
        self._cancel()
        gc.unfreeze()

    def _cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


class Session:
    """The caches of one build or serve session.

    - `records`: valid records by file, with the file's stat stamp, the digest of its bytes and the
      known topics and members they were checked against (see `loader.load_content`).
    - `rendered`: each paper's rendered pieces (view, entries, BibTeX, CSL, page), with what they
      depend on: the record (the same object while its file is unchanged), the names of its authors
      and topics, and the options.
    - `references`: formatted references by CSL item and styles.
    - `identities`: each paper's record and the Identity the duplicate check made of it.
    - `bodies`: rendered page bodies by everything a template was given (`Renderer.page`).
    - `plain_texts`: titles as plain text (`plain`), by their source: parsing the LaTeX of ten
      thousand titles again would be a tenth of a warm build.
    - `joined`: downloads that join many papers' pieces (.bib files, publications.json), by path,
      with the pieces they were joined from; in memory only (a serve session's rebuilds), as
      they are quick to make once and would be a second copy of every piece on disk.
    - `listings`: listing pages (an author's, ...) with what they were made from (`Renderer.remembered`);
      in memory only, like `joined`.
    """

    TRANSIENT = ("joined", "listings")  # tables not written to disk

    def __init__(self) -> None:
        self.records: dict[Path, tuple[tuple, object]] = {}
        self.rendered: dict[str, tuple[tuple, dict]] = {}
        self.references: dict[str, list[tuple[str, str]]] = {}
        self.identities: dict[str, tuple] = {}
        self.bodies: dict[tuple, str] = {}
        self.plain_texts: dict[str, str] = {}
        self.joined: dict[str, tuple[tuple, str]] = {}
        self.listings: dict[str, tuple] = {}
        self._loaded: dict[str, dict] | None = None  # the tables as `load` found them

    def plain(self, text: str | None) -> str:
        """`richtext.to_plain`, remembered."""
        found = self.plain_texts.get(text or "")
        if found is None:
            found = self.plain_texts[text or ""] = to_plain(text)
        return found

    def unchanged_since_load(self) -> bool:
        """Whether every table holds the very entries `load` read (then the file need not be written)."""
        loaded = self._loaded
        tables = self._tables()
        return loaded is not None and all(
            table.keys() == loaded[name].keys() and all(value is loaded[name][key] for key, value in table.items())
            for name, table in tables.items()
        )

    def _tables(self) -> dict[str, dict]:
        return {
            name: table for name, table in vars(self).items() if not name.startswith("_") and name not in self.TRANSIENT
        }

    def needs_saving(self, path: Path) -> bool:
        return not (path.exists() and self.unchanged_since_load())

    def save(self, path: Path, stamp: str) -> None:
        """Keep the session for the next build's process (`mkdocs build` after `mkdocs build`), with
        the `stamp` of the code that made it. Pickled entry by entry (one pickle of it all would
        hold a memo of every object while it writes: +30 % memory at the end of a build); the objects are this
        package's own, and the file lives in the project's gitignored cache folder."""
        if not self.needs_saving(path):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        tables = self._tables()
        with open(temporary, "wb") as out:
            pickle.dump((stamp, {name: len(table) for name, table in tables.items()}), out, PROTOCOL)
            for table in tables.values():
                for entry in table.items():
                    pickle.dump(entry, out, PROTOCOL)
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path, stamp: str) -> Session:
        """The session `save` kept, if the same code made it; else a new one (the cache is only a cache).
        What was read lives to the end of the build, so it is frozen out of the cycle collector's
        reach, as `on_files` freezes the site, until the plugin unfreezes both: left in the youngest
        generation, it was walked by three collections in a row before the site was generated
        (2.4 s of a 10,000-paper warm build)."""
        session = cls()
        with collector_paused():
            try:
                with open(path, "rb") as source:
                    kept_stamp, sizes = pickle.load(source)
                    if kept_stamp != stamp or sizes.keys() != session._tables().keys():
                        return session
                    tables = {name: dict(pickle.load(source) for _ in range(size)) for name, size in sizes.items()}
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
                return session
            vars(session).update(tables)
            session._relink()
            session._loaded = {name: dict(table) for name, table in session._tables().items()}
            gc.freeze()
        return session

    def _relink(self) -> None:
        """Entries were pickled apart, so a paper's pieces and identity hold copies of its record:
        point them at the record the loader keeps (their `is` check), or drop them if it differs."""
        records = {path.stem: entry[-1] for path, entry in self.records.items()}  # the loader's (..., record)
        for table in (self.rendered, self.identities):
            for key, (kept, *rest) in list(table.items()):
                record = kept[0] if isinstance(kept, tuple) else kept
                current = records.get(key)
                if current is None or current != record:
                    del table[key]
                elif isinstance(kept, tuple):
                    table[key] = ((current, *kept[1:]), *rest)
                else:
                    table[key] = (current, *rest)

    def keep_references(self, used: set[str]) -> None:
        """Forget the formatted references no paper of the last build has (edited or deleted ones)."""
        self.references = {key: refs for key, refs in self.references.items() if key in used}

    def pieces(self, paper: Publication, options) -> dict:
        """The rendered pieces of one paper, from the last build when nothing they show changed."""
        # everything of the people and topics a piece may show: a member's whole record (an ORCID
        # reaches the JSON-LD), each topic's whole record
        signature = (
            options,
            tuple((a.slug, a.name, a.is_member, a.person) for a in paper.authors),
            tuple((a.slug, a.name, a.person) for a in paper.members),
            tuple((t.slug, t.topic) for t in paper.topics),
        )
        cached = self.rendered.get(paper.key)
        if cached and cached[0][0] is paper.record and cached[0][1:] == signature:
            return cached[1]
        pieces: dict = {}
        self.rendered[paper.key] = ((paper.record, *signature), pieces)
        return pieces

    def forget_papers_except(self, papers: list[Publication]) -> None:
        """Drop what was rendered for papers deleted since the last build, and old titles."""
        keys, titles = {paper.key for paper in papers}, {paper.record.title or "" for paper in papers}
        for gone in self.plain_texts.keys() - titles:
            del self.plain_texts[gone]
        for gone in set(self.rendered) - keys:
            del self.rendered[gone]
        for gone in set(self.identities) - keys:
            del self.identities[gone]

    def forget_records_except(self, folder: Path, files: list[Path]) -> None:
        """Drop the records of files deleted from `folder` since the last build."""
        for gone in set(self.records) - set(files):
            if gone.parent == folder:
                del self.records[gone]
