"""Search entries of labpubs' generated pages, made by Material's own search indexer in a second
process while MkDocs renders the next pages.

Material's search plugin parses each page's HTML in `on_page_context`, in the one process that
renders every page: at 10,000 papers a ninth of a cold build, nearly all of it paper pages. Its
`SearchIndex.add_entry_from_context` reads nothing of the build but the page's content, URL,
title, front matter and table of contents. `Offload` takes its place on the build's index: for a
generated page it sends exactly those, as Material is about to read them, to a worker running
Material's own `SearchIndex` class, and leaves a `Pending` where the page's entries go in the
index's list; `finish` puts the worker's entries there, in page order, before the index is
written. Any other page (a hand-written one, which plugins may have changed) is indexed by
Material itself, at once.

Only where the worker's answer is Material's: the index is Material's `SearchIndex` itself and
nothing replaced its method, jieba is not installed (its dictionaries are loaded in the main
process), and the build renders many generated pages (a process takes ~0.5 s to start). Should
the worker fail, the main process indexes the pages it left, from what was sent.
`tests/test_indexing.py` fails when an upgrade of Material changes the code this relies on
(`RELIED_ON`).
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import pickle
import queue
import sys
import threading
from collections.abc import Callable
from functools import cache
from types import SimpleNamespace

from .worker import start as start_worker

READ = ("meta", "content", "toc", "url", "title")  # what Material's indexer reads of a page
RELIED_ON = {  # Material's code that reads them, with a hash of the source this was checked on
    ("SearchIndex", "add_entry_from_context"): "4ca78ac4321f7704",
    ("SearchIndex", "create_entry_for_section"): "89d7541516b0a9c4",
    ("SearchIndex", "_find_toc_by_id"): "f59f5d2de96acb0b",
    ("SearchPlugin", "on_page_context"): "33eb62fd1688be4d",
}
PROTOCOL = pickle.HIGHEST_PROTOCOL
log = logging.getLogger("mkdocs.plugins.labpubs")


@cache
def _material_as_checked() -> bool:
    """Whether Material's code that reads a page for the index is the code `RELIED_ON` names."""
    from material.plugins.search import plugin

    try:
        sources = {key: inspect.getsource(getattr(getattr(plugin, key[0]), key[1])) for key in RELIED_ON}
    except (OSError, TypeError, AttributeError):
        return False
    return all(hashlib.sha256(sources[key].encode()).hexdigest()[:16] == digest for key, digest in RELIED_ON.items())


class Pending:
    """A page's place in the index's list of entries, until its entries come back."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path


class Offload:
    MIN_PAGES = 200  # generated pages to render, below which the main process indexes them
    AHEAD = 400  # pages sent and not yet answered, at most

    @classmethod
    def start(cls, search_plugin, pages: int, ours: Callable[[object], bool]) -> Offload | None:
        """An `Offload` on `search_plugin`'s index for pages that are `ours`, or None where its
        entries could differ from Material's (see the module's docstring)."""
        if pages < cls.MIN_PAGES or search_plugin is None:
            return None
        from material.plugins.search import plugin as material_search

        index = getattr(search_plugin, "search_index", None)
        if type(index) is not material_search.SearchIndex or material_search.jieba is not None:
            return None
        if not _material_as_checked():
            return None
        if "add_entry_from_context" in vars(index):
            return None
        return cls(index, ours)

    def __init__(self, index, ours: Callable[[object], bool]) -> None:
        self.index, self.ours = index, ours
        self.sent: dict[str, bytes | None] = {}  # path -> the frame sent (None once its entries are back)
        self.results: dict[str, list | None] = {}  # None: the worker failed on that page
        self.arrived = threading.Condition()
        self.gone = False  # the worker stopped: what it did not send is indexed here
        self.made_here = 0  # pages the worker failed on or left, indexed in this process
        self.outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.worker = start_worker("indexing")
        self.outbox.put(pickle.dumps(index.config, PROTOCOL))
        self.sender = threading.Thread(target=self._send, daemon=True)
        self.receiver = threading.Thread(target=self._receive, daemon=True)
        self.sender.start()
        self.receiver.start()
        index.add_entry_from_context = self.add

    def add(self, page) -> None:
        """Material's `add_entry_from_context`, in its place on the index."""
        search = page.meta.get("search") or {}
        if not self.ours(page) or search.get("exclude"):
            type(self.index).add_entry_from_context(self.index, page)
            return
        path = page.file.src_uri
        fields = {name: getattr(page, name) for name in READ}
        # as bytes: pickling a str keeps a UTF-8 copy of it inside the str (every paper page's body
        # lives on in the session: +40 MB at 10,000 papers), encoding it does not
        fields["content"] = fields["content"].encode("utf-8", "surrogatepass")
        try:
            frame = pickle.dumps((path, fields), PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            type(self.index).add_entry_from_context(self.index, page)
            return
        self.index.entries.append(Pending(path))
        with self.arrived:
            self.sent[path] = frame
            self.outbox.put(frame)
            # pages ahead of the worker, at most (the page cache holds fewer; with `cache: false`
            # nothing else would keep them from piling up)
            self.arrived.wait_for(lambda: self.gone or len(self.sent) - len(self.results) <= self.AHEAD)

    def entries_of(self, entries: list, wait: bool = False) -> list | None:
        """`entries` (a page's part of the index) with each `Pending` replaced, once the worker
        has sent its page's entries (or failed on it); else None, or with `wait` wait for them."""
        paths = [item.path for item in entries if isinstance(item, Pending)]
        with self.arrived:
            back = lambda: self.gone or all(path in self.results for path in paths)  # noqa: E731
            if wait:
                self.arrived.wait_for(back)
            elif not back():
                return None
        return resolved(entries, {path: self._entries(path) for path in paths})

    def finish(self) -> dict[str, list]:
        """Every page's entries, by path, once the worker has sent them all; Material's method is
        back on the index."""
        self.outbox.put(None)
        with self.arrived:
            self.arrived.wait_for(lambda: self.gone or len(self.results) >= len(self.sent))
        done = {path: self._entries(path) for path in list(self.sent)}
        self.close()
        return done

    def close(self) -> None:
        if vars(self.index).get("add_entry_from_context") == self.add:
            del self.index.add_entry_from_context
        if self.worker is not None:
            self.outbox.put(None)
            self.worker.kill()
            self.worker.wait()
            self.worker = None
        self.receiver.join()

    def _entries(self, path: str) -> list:
        with self.arrived:
            entries = self.results.get(path)
            frame = self.sent.get(path)
        if entries is None:  # the worker failed on it, or is gone: Material's own method, here
            log.debug("labpubs: search entries of %s made in the build's process", path)
            local = type(self.index)(**self.index.config)
            local.add_entry_from_context(_page(pickle.loads(frame)[1]))
            entries = local.entries
            with self.arrived:
                self.results[path], self.sent[path] = entries, None
                self.made_here += 1
        return entries

    def _send(self) -> None:
        try:
            while (frame := self.outbox.get()) is not None:
                self.worker.stdin.write(frame)
                self.worker.stdin.flush()  # a page whose frame stays in the buffer would be waited for
            self.worker.stdin.close()
        except (OSError, ValueError, AttributeError):
            pass  # the worker is gone: `_receive` says so

    def _receive(self) -> None:
        stream = self.worker.stdout
        try:
            while True:
                path, entries = pickle.load(stream)
                with self.arrived:
                    self.results[path] = entries
                    if entries is not None:
                        self.sent[path] = None
                    self.arrived.notify_all()
        except Exception:  # noqa: BLE001 (whatever stopped it, the build indexes the rest)
            pass
        finally:
            with self.arrived:
                self.gone = True
                self.arrived.notify_all()


def _page(fields: dict) -> SimpleNamespace:
    """The page as Material's indexer reads it, from what was sent."""
    return SimpleNamespace(**{**fields, "content": fields["content"].decode("utf-8", "surrogatepass")})


def resolved(entries: list, done: dict[str, list]) -> list:
    """`entries` with each `Pending` replaced by its page's entries in `done`."""
    return [entry for item in entries for entry in (done[item.path] if isinstance(item, Pending) else (item,))]


def _work(stdin, stdout) -> None:
    """The worker's loop: Material's index config, then `(path, fields)` pickles in, one
    `(path, entries)` pickle out for each (entries None when Material's code raised)."""
    from material.plugins.search.plugin import SearchIndex

    index = SearchIndex(**pickle.load(stdin))
    while True:
        try:
            path, fields = pickle.load(stdin)
        except EOFError:
            return
        index.entries = []
        try:
            index.add_entry_from_context(_page(fields))
            entries = index.entries
        except Exception:  # noqa: BLE001 (the main process indexes the page again, and reports it)
            entries = None
        pickle.dump((path, entries), stdout, PROTOCOL)
        stdout.flush()


if __name__ == "__main__":
    _work(sys.stdin.buffer, sys.stdout.buffer)
