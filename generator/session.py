"""What a build computes and may reuse: one object per build, or per `mkdocs serve` session, that
the plugin (or the CLI) owns and hands down, and that the plugin keeps on disk for the next
build. Every cache of the generator lives here, keyed by what its contents depend on, so that
"the same as a cold build" is a property of one object.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import io
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from .richtext import to_plain

PROTOCOL = pickle.HIGHEST_PROTOCOL

if TYPE_CHECKING:
    from .library import Publication
    from .views import Options


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


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to do
        return None


def give_back_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's `malloc_trim`). Rendering a page
    frees more than it keeps, but what it keeps (search entries, cache records) sits between
    the freed blocks, and glibc returns only the top of its heap by itself: over the pages of
    a 10,000-paper build the process grew by ~100 MiB of memory it had freed."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


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
        self.joined: dict[str, tuple[tuple, bytes]] = {}
        self.listings: dict[str, tuple] = {}
        self._kept: Kept | None = None  # what the file holds, once it was read or written

    def plain(self, text: str | None) -> str:
        """`richtext.to_plain`, remembered."""
        found = self.plain_texts.get(text or "")
        if found is None:
            found = self.plain_texts[text or ""] = to_plain(text)
        return found

    def _tables(self) -> dict[str, dict]:
        return {
            name: table for name, table in vars(self).items() if not name.startswith("_") and name not in self.TRANSIENT
        }

    def needs_saving(self, path: Path) -> bool:
        """Whether the file lacks an entry this session holds or holds one it dropped. (Entries are
        compared by identity: a paper's pieces are all made by the build that makes its entry.)"""
        return self._kept is None or not path.exists() or any(any(change) for change in self._changes().values())

    def save(self, path: Path, stamp: str, make_room: Callable[[], None] = lambda: None, let_go: bool = False) -> None:
        """Keep the session for the next build's process (`mkdocs build` after `mkdocs build`), with
        the `stamp` of the code that made it. The file is a log of segments: the first holds every
        entry, and a build whose session came from the file appends one with only what it changed
        and the keys it dropped (one record edited at 10,000 papers: writing the whole 320 MB again
        took ~4 s). Every entry holds what it depends on (a record's file stamp, a paper's record and
        authors, a body's inputs), so an entry an appended segment replaces was never wrong, only
        unused; the file is written whole again once its appended segments would exceed a quarter
        of it. Entries are pickled one by one (one pickle of it all would hold a memo of every object
        while it writes: +30 % memory at the end of a build), and `make_room` is called before a whole
        write; the objects are this package's own, and the file lives in the project's gitignored
        cache folder. With `let_go` (the process ends next), a whole write empties the session as
        it goes: pickling a str keeps a UTF-8 copy of it inside the str, 174 MiB for the non-ASCII
        text of 10,000 papers, which then goes with it."""
        if self._kept is not None and path.exists():
            changes = self._changes()
            if not any(any(change) for change in changes.values()):
                return
            segment = self._appended_segment(stamp, changes)
            if segment is not None:
                with open(path, "ab") as out:
                    out.write(segment)
                self._remember(self._kept.whole, self._kept.size + len(segment))
                return
        make_room()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        tables = self._tables()
        if let_go:
            for name in self.TRANSIENT:  # they hold what the written tables hold
                getattr(self, name).clear()
        entries = _Draining if let_go else dict.items
        with open(temporary, "wb") as out:
            _write_segment(out, stamp, {name: (entries(table), ()) for name, table in tables.items()})
            size = out.tell()
        temporary.replace(path)
        self._remember(size, size)

    def _appended_segment(self, stamp: str, changes: dict[str, tuple[dict, list]]) -> bytes | None:
        """The `changes` as a segment to append; None when the file should be written whole instead."""
        if sum(len(changed) for changed, _ in changes.values()) > APPENDED_SHARE * self._kept.entries:
            return None
        segment = io.BytesIO()
        _write_segment(
            segment, stamp, {name: (changed.items(), dropped) for name, (changed, dropped) in changes.items()}
        )
        if self._kept.size + segment.tell() > (1 + APPENDED_SHARE) * self._kept.whole:
            return None
        return segment.getvalue()

    def _changes(self) -> dict[str, tuple[dict, list]]:
        """Per table, the entries the file lacks and the keys it holds that this session dropped."""
        kept, changes = self._kept, {}
        for name, table in self._tables().items():
            known, replaced = kept.tables[name], kept.replaced[name]
            changed = {key: value for key, value in table.items() if known.get(key) is not value}
            dropped = [key for key in known if key not in table] + [key for key in replaced if key not in table]
            changes[name] = (changed, dropped)
        return changes

    def release(self) -> None:
        """Let go of the entries the file holds that this session has replaced or dropped (only
        their keys are needed, for the next `save`). Called after each build: a `mkdocs serve`
        started on the session of a `mkdocs build` replaces every paper's pieces (serve has its
        own site URL), and held both sets until it ended (at 10,000 papers 1.67 M objects for the
        collector to walk instead of 0.99 M)."""
        if self._kept is None:
            return
        for name, table in self._tables().items():
            known, replaced = self._kept.tables[name], self._kept.replaced[name]
            for key in [key for key, value in known.items() if table.get(key) is not value]:
                del known[key]
                replaced.add(key)

    def _remember(self, whole: int, size: int, replaced: dict[str, set] | None = None) -> None:
        """What the file now holds: the entries (by identity) and the keys of those `replaced`
        (`release`, `load`), the file's size and its first segment's."""
        tables = {name: dict(table) for name, table in self._tables().items()}
        replaced = replaced or {name: set() for name in tables}
        entries = sum(map(len, tables.values())) + sum(map(len, replaced.values()))
        self._kept = Kept(tables, replaced, entries, whole, size)

    @classmethod
    def load(cls, path: Path, stamp: str, options: Options | None = None) -> Session:
        """The session `save` kept, if the same code made it; else a new one (the cache is only a cache).

        With `options`, pieces and page bodies made with other options are left out as they are
        read: a `mkdocs build` after a `mkdocs serve` (which has its own site URL) can use none of
        them. Held until the build had made them all again, they took a 10,000-paper build to a
        peak of 1,675 MiB (1,118 MiB left out; a cold build: 990 MiB). Their keys are kept, so the
        next `save` drops them from the file.

        What was read lives to the end of the build, so it is frozen out of the cycle collector's
        reach, as `on_files` freezes the site, until the plugin unfreezes both: left in the youngest
        generation, it was walked by three collections in a row before the site was generated
        (2.4 s of a 10,000-paper warm build)."""
        session = cls()
        with collector_paused():
            try:
                tables, skipped, whole, size = _read_segments(path, stamp, session._tables().keys(), _usable(options))
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
                return session
            if tables is None:
                return session
            vars(session).update(tables)
            session._relink()
            session._remember(whole, size, skipped)
            gc.freeze()
        return session

    def _relink(self) -> None:
        """Entries were pickled apart, so a paper's pieces and identity hold copies of its record:
        point them at the record the loader keeps (their `is` check). One whose record differs is
        left as it is: its `is` check fails, and the build replaces it, or drops it with its paper
        (so that the next `save` knows the file holds it)."""
        records = {path.stem: entry[-1] for path, entry in self.records.items()}  # the loader's (..., record)
        for table in (self.rendered, self.identities):
            for key, (kept, *rest) in list(table.items()):
                record = kept[0] if isinstance(kept, tuple) else kept
                current = records.get(key)
                if current is None or current != record:
                    continue
                if isinstance(kept, tuple):
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
        signature = (  # options first: see `_usable`
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


class Kept(NamedTuple):
    """What the session file holds (see `Session.save`)."""

    tables: dict[str, dict]  # its entries this session still holds, by identity
    replaced: dict[str, set]  # the keys of the others (`Session.release`)
    entries: int
    whole: int  # bytes of its first segment, which holds every entry
    size: int  # bytes of the whole file


APPENDED_SHARE = 0.25  # appended segments may grow the file by this share of its first one


class _Draining:
    """A table's items, each taken out of it as it is read."""

    def __init__(self, table: dict) -> None:
        self.table, self.size = table, len(table)

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        for key in list(self.table):
            yield key, self.table.pop(key)


def _write_segment(out: BinaryIO, stamp: str, tables: dict[str, tuple[Iterable, Iterable]]) -> None:
    """A header (the code's stamp; per table, how many entries follow and the keys dropped), then
    the entries, each pickled on its own."""
    tables = {
        name: (entries if isinstance(entries, Sized) else list(entries), tuple(dropped))
        for name, (entries, dropped) in tables.items()
    }
    pickle.dump((stamp, {name: (len(entries), dropped) for name, (entries, dropped) in tables.items()}), out, PROTOCOL)
    for entries, _ in tables.values():
        for entry in entries:
            pickle.dump(entry, out, PROTOCOL)


def _usable(options: Options | None) -> Callable[[str, object, object], bool]:
    """Whether an entry of a table can serve a build with `options` (None: any options)."""

    def usable(table: str, key, value) -> bool:
        if options is None:
            return True
        if table == "rendered":  # (paper's record, options, ...), pieces: `Session.pieces`
            return value[0][1] == options
        if table == "bodies":  # (template, path, options, ...): `Renderer.page`
            return key[2] == options
        return True

    return usable


def _read_segments(path: Path, stamp: str, names, usable) -> tuple[dict | None, dict, int, int]:
    """The tables the file's segments make, applied in order, and the keys of the entries it
    holds that are not `usable`, with the sizes `Kept` holds; None for tables when the file is of
    other code (or other tables)."""
    tables: dict[str, dict] = {name: {} for name in names}
    skipped: dict[str, set] = {name: set() for name in names}
    whole = 0
    with open(path, "rb") as source:
        while source.peek(1):
            kept_stamp, header = pickle.load(source)
            if kept_stamp != stamp or header.keys() != tables.keys():
                return None, {}, 0, 0
            for name, (count, dropped) in header.items():
                table, unused = tables[name], skipped[name]
                for key in dropped:
                    table.pop(key, None)
                    unused.discard(key)
                for _ in range(count):
                    key, value = pickle.load(source)
                    if usable(name, key, value):
                        table[key] = value
                        unused.discard(key)
                    else:
                        table.pop(key, None)
                        unused.add(key)
            whole = whole or source.tell()
        return tables, skipped, whole, source.tell()
