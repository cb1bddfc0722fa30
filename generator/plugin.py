"""The MkDocs adapter: each hook hands its work to the core. `on_files` generates the site and adds
its pages as in-memory files outside the nav, keeping the YAML records out of the site; the page
hooks follow `assembly`'s protocol; hand-written pages get their `<!-- labpubs:NAME -->` markers
filled. One `Session` lives as long as the plugin: a `mkdocs serve` rebuild reuses what did not
change (MkDocs keeps a plugin that has `on_startup` across the rebuilds of one serve).

Speed, with the output unchanged (see `pagecache`): a generated page outside the nav is a
`GeneratedPage`, which MkDocs neither reads nor converts; a page whose inputs are all unchanged
since a build that the cache remembers is not rendered at all: an empty template stands in for
Material's, and its HTML and search entries come from the cache. A generated file that the last
build wrote, unchanged since, is not written again (`pagecache.Outputs`): a clean build keeps it
through MkDocs' emptying of the site folder, and under `mkdocs serve --dirty` MkDocs skips it
(`GeneratedFile` says which are not modified). Hand-written pages are always rebuilt, a dirty
build's search index is put together again in full, and what the last build made but this one
does not is deleted: the folder is what a clean build would write.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import re
from collections import deque
from functools import lru_cache
from pathlib import Path, PurePath
from urllib.parse import urljoin, urlsplit

from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemBytecodeCache
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .assembly import STUB, Assembly, expand_markers, root_prefix, shown_meta
from .assembly import Page as GenPage
from .cite import STYLES, Background
from .errors import ContentError
from .i18n import Words
from .indexing import Offload, resolved
from .loader import Content
from .mathext import MathExtension
from .pagecache import FOLDER, Keys, Outputs, PageCache, code_stamp, salt
from .render import cite_section
from .session import IdleCollector, Session, give_back_free_memory, young_collections_only
from .site import generate
from .views import Options

log = logging.getLogger("mkdocs.plugins.labpubs")
CACHED = "labpubs-cached.html"  # the empty template of a page that comes from the cache
SESSION_FILE = "session.pickle"  # the generator's Session, kept for the next build (in .labpubs-cache/)
OUTPUTS_FILE = "outputs.json"  # what the last build wrote into the site folder (see pagecache.Outputs)
TRIM_EVERY = 500  # pages rendered between two `give_back_free_memory`
WAITING = 100  # finished pages held for the cache until their search entries are back, at most


class LabpubsConfig(Config):
    enabled = c.Type(bool, default=True)
    content_dir = c.Optional(c.Dir(exists=True))  # default: docs_dir
    bibtex_unicode = c.Type(bool, default=False)  # UTF-8 in BibTeX instead of LaTeX escapes
    page_size = c.Type(int, default=Options.page_size)  # papers per listing page
    authors_shown = c.Type(int, default=Options.authors_shown)  # authors in a list entry before "+N more"
    citation_styles = c.ListOfItems(c.Choice(tuple(STYLES)), default=list(Options.citation_styles))
    math = c.Type(bool, default=True)  # $...$ in hand-written pages as MathML
    mailto = c.Optional(c.Type(str))  # contact address for labpubs add/enrich/sync (Crossref, OpenAlex ask)
    cache = c.Type(bool, default=True)  # keep finished pages in .labpubs-cache/ for the next build


BUILD_LOG = logging.getLogger("mkdocs.commands.build")
SKIPPED = "Page skipped: '"  # MkDocs' note on a page whose output is empty


class BuildNotices(logging.Filter):
    """MkDocs warns that a `--dirty` build may leave pages with a stale nav, which fails a
    `strict` build; labpubs rebuilds every page that could be stale, so the warning becomes a note.
    MkDocs notes each page whose output is empty as skipped; a page labpubs left in place is not news."""

    def __init__(self, kept: set[str]) -> None:
        super().__init__()
        self.kept = kept  # the plugin's set of pages left in place

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if record.levelno == logging.WARNING and message.startswith("A 'dirty' build is being performed"):
            record.levelno, record.levelname = logging.INFO, "INFO"
        skipped = message.startswith(SKIPPED) and message[len(SKIPPED) :].split("'")[0] in self.kept
        return not skipped


PLAIN_URL = re.compile(r"(?:[\w-][\w.-]*/)*(?:[\w-][\w.-]*)?", re.ASCII)  # no dot segments, query or escapes
PLAIN_PATH = re.compile(r"(?:[\w-][\w.-]*/)*[\w-][\w.-]*", re.ASCII)  # a file's, which `PurePath` leaves as it is


class GeneratedFile(File):
    """A generated file (page or download) that says whether it differs from what the last build
    wrote at its destination (MkDocs asks only in a `--dirty` build; a download left in place is
    not copied in any build)."""

    unchanged = False

    def _set_src_path(self, value: str) -> None:
        """MkDocs normalises the path with `PurePath`: a labpubs path is plain already (a twelfth
        of a `mkdocs serve` rebuild of 10,000 papers, for 36,848 files)."""
        self.src_uri = value if PLAIN_PATH.fullmatch(value) else PurePath(value).as_posix()

    src_path = property(File.src_path.fget, _set_src_path)

    def is_modified(self) -> bool:
        return not self.unchanged

    def copy_file(self, dirty: bool = False) -> None:
        """Bytes as they are (MkDocs writes a str in text mode: \r\n on Windows); the folder is
        made only when opening fails (MkDocs' `makedirs` for every one of 23,305 downloads
        stats, fails to make and stats again a folder that is there)."""
        if self.unchanged:
            return
        data = self.content_bytes
        try:
            out = open(self.abs_dest_path, "wb")  # noqa: SIM115 (closed below)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(self.abs_dest_path), exist_ok=True)
            out = open(self.abs_dest_path, "wb")  # noqa: SIM115
        with out:
            out.write(data)


class GeneratedPage(Page):
    """A page labpubs made, outside the nav: its front matter and finished HTML body are given, so
    MkDocs reads no source and runs no Markdown for it (Material's blog plugin subclasses Page the
    same way)."""

    def __init__(self, file: File, config, page: GenPage):
        super().__init__(None, file, config)
        self.generated = page

    def read_source(self, config) -> None:
        self.markdown, self.meta = STUB, shown_meta(self.generated.meta)

    def render(self, config, files) -> None:
        self.content, self.toc, self._title_from_render = self.generated.body, get_toc([]), None

    def _set_canonical_url(self, base: str | None) -> None:
        joined = _joined(base, self.url)
        if joined is None:
            super()._set_canonical_url(base)
        else:
            self.canonical_url, self.abs_url = joined


@lru_cache(maxsize=8)
def _base(site_url: str) -> tuple[str, str] | None:
    base = site_url if site_url.endswith("/") else site_url + "/"
    probe = "a-1/b.c/"
    if urljoin(base, probe) != base + probe or urlsplit(base + probe).path != urlsplit(base).path + probe:
        return None
    return base, urlsplit(base).path


def _joined(site_url: str | None, url: str) -> tuple[str, str] | None:
    """A page's canonical URL and its path, as MkDocs' `Page` makes them with `urljoin`: for the
    plain relative URL of a generated page under a plain site URL they are the two strings put
    together (`urljoin` was a quarter of a `mkdocs serve` rebuild of 10,000 papers). None: ask
    `urljoin`."""
    known = _base(site_url) if site_url else None
    if known is None or not PLAIN_URL.fullmatch(url):
        return None
    return known[0] + url, known[1] + url


class LabpubsPlugin(BasePlugin[LabpubsConfig]):
    def __init__(self) -> None:
        self.session = Session()
        self.cache: PageCache | None = None
        self.assembly: Assembly | None = None
        self.fragments: dict[str, str] = {}
        self.references: Background | None = None
        self.keys: dict[str, str] = {}  # generated file path -> its key (see pagecache.Keys)
        self.key_memo = Keys()
        self.from_cache: set[str] = set()  # paths of the pages this build takes from the cache
        self.serving = self.dirty = self.failed = False
        self.stamp = ""
        self.outputs = Outputs()
        self.kept: set[str] = set()  # paths of the generated pages whose output is left in place
        self.page_entries: dict[str, list] = {}  # page path -> its search entries, as last built
        self.entries_before, self.entries_now, self.current = 0, [], None  # the page being built
        self.rendered = 0  # pages of this build rendered through the template
        self.offload: Offload | None = None  # generated pages indexed for search by a second process
        self.waiting: deque[tuple[str, str, list]] = deque()  # pages for the cache, until their entries are back
        self.files: Files | None = None
        self.idle = IdleCollector()  # under `mkdocs serve`

    def on_startup(self, *, command, dirty) -> None:
        """Also makes MkDocs keep this plugin, and its session, across serve rebuilds."""
        self.serving, self.dirty = command == "serve", dirty
        self.outputs = Outputs(private=self.serving)
        for notices in [f for f in BUILD_LOG.filters if isinstance(f, BuildNotices)]:
            BUILD_LOG.removeFilter(notices)
        BUILD_LOG.addFilter(BuildNotices(self.kept))

    def on_config(self, config):
        if self.serving:
            self.idle.build_starts()
        if self.config.enabled and self.config.math:
            config.markdown_extensions.append(MathExtension())
        self.options = Options(
            use_directory_urls=config.use_directory_urls,
            bibtex_unicode=self.config.bibtex_unicode,
            page_size=max(1, self.config.page_size),
            site_url=config.site_url or None,
            site_name=config.site_name,
            citation_styles=tuple(self.config.citation_styles),
            authors_shown=max(1, self.config.authors_shown),
            defer_references=True,
            language=_language(config),
        )
        self.words = Words(self.options.language)
        config.extra["labpubs"] = {"feed_title": self.words("feed_title", site=config.site_name)}
        if self.config.enabled and self.config.cache and self.cache is None:
            folder = Path(config.config_file_path or ".").resolve().parent / FOLDER
            self.cache = PageCache(folder, keep=self.serving)
            self.stamp = code_stamp()  # of the code this process runs, which the session is saved with
            self.session = Session.load(folder / SESSION_FILE, self.stamp, self.options)
            self.outputs = Outputs(None if self.serving else folder / OUTPUTS_FILE, private=self.serving)
        return config

    def on_pre_build(self, *, config) -> None:
        if not self.config.enabled:
            return
        self.outputs.start(config.site_dir)
        if not self.dirty:
            self.outputs.keep_through_clean()

    def _root(self, config) -> Path:
        return Path(self.config.content_dir or config.docs_dir).resolve()

    def on_files(self, files: Files, /, *, config) -> Files | None:
        if not self.config.enabled:
            return None
        self.outputs.restore()
        with young_collections_only():
            self._add_site(files, config)
            gc.collect(0)  # the last young garbage, before the rest is frozen
        gc.freeze()  # what the site is made of lives to the end of the build: see `_unfreeze`
        return files

    def _add_site(self, files: Files, config) -> None:
        """Generate the site and add each of its files, keyed, to MkDocs' `files`."""
        root = self._root(config)
        try:
            site = generate(root, self.options, self.session, on_csl=self._start_references)
        except ContentError as error:
            raise PluginError(str(error)) from None
        for problem in site.warnings:
            log.info(str(problem))
        if root == Path(config.docs_dir).resolve():
            _drop_records(files, Content(root))
        self.assembly = Assembly(
            site.pages,
            self._references if self.references else None,
            {f"papers/{p.key}.md": p.key for p in site.library.papers},
        )
        self.fragments = site.fragments
        self._look_up(site.pages, config)
        taken = files.src_uris  # generated paths are plain POSIX ones, as MkDocs' keys are
        for page in site.pages:
            if page.path in taken:
                raise PluginError(
                    f"{page.path} is generated by labpubs; rename or remove the hand-written "
                    f"{page.path} in {config.docs_dir}"
                )
            inclusion = InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV
            file = GeneratedFile.generated(config, page.path, content=self.assembly.source(page), inclusion=inclusion)
            if page.html and page.meta is not None and not page.in_nav:
                GeneratedPage(file, config, page)  # before MkDocs makes a plain Page for it
            files.append(file)

    def _look_up(self, pages: list[GenPage], config) -> None:
        """Each generated file's key (what says whether the file in the site folder is still right,
        with or without the page cache), and the finished pages the cache holds for this build."""
        build_salt = salt(
            Path(config.config_file_path) if config.config_file_path else None,
            Path(config.theme.custom_dir) if config.theme.custom_dir else None,
            Path(config.docs_dir),
            _effective_settings(config),
        )
        self.keys = {page.path: self.key_memo.of(build_salt, page) for page in pages}
        self.key_memo.keep_only(set(self.keys))
        cached = self.cache.has if self.cache is not None else lambda key: False
        self.from_cache = {page.path for page in pages if page.meta is not None and cached(self.keys[page.path])}

    def _start_references(self, items: dict[str, dict], keys: dict[str, str]) -> None:
        """Formatted references come from a second process while MkDocs writes the pages."""
        self.close()
        if self.options.citation_styles:
            self.references = Background(items, self.options.citation_styles, self.session.references, keys)

    def _references(self, key: str) -> str:
        return cite_section(self.references.get(key), self.words)

    def on_nav(self, nav, /, *, config, files):
        self.files = files
        if self.config.enabled:
            self._mark_unchanged(files)
        return nav

    def _mark_unchanged(self, files: Files) -> None:
        """Which generated files hold what they held after the last build: they are left in place.
        Pages in the nav are always built (every page's nav shows their titles), and so are the
        hand-written ones; in a `--dirty` build their output is deleted so that MkDocs builds them."""
        self.kept.clear()
        for file in files:
            page = self.assembly.pages.get(file.src_uri) if self.assembly else None
            if isinstance(file, GeneratedFile) and page is not None:
                key = None if page.in_nav else self.keys[page.path]
                file.unchanged = self.outputs.unchanged(file.abs_dest_path, key) and self._entries_known(page)
                if file.unchanged:
                    self.kept.add(file.src_uri)
            else:
                self.outputs.unchanged(file.abs_dest_path, None)
                if self.dirty and file.is_documentation_page() and os.path.isfile(file.abs_dest_path):
                    os.remove(file.abs_dest_path)

    def _entries_known(self, page: GenPage) -> bool:
        """A page a `--dirty` build leaves alone is not indexed again: its search entries must come
        from an earlier build of this process or, in a new one (`mkdocs build --dirty`), the cache."""
        if not self.dirty or page.meta is None or page.path in self.page_entries:
            return True
        key = self.keys.get(page.path)
        if self.cache is None or key is None or not self.cache.has(key):
            return False
        self.page_entries[page.path] = self.cache.entries(key)
        return True

    def on_page_markdown(self, markdown: str, /, *, page, config, files) -> str | None:
        if not self.config.enabled:
            return None
        path = page.file.src_uri
        if path in self.from_cache:  # not rendered: an empty template, and search entries from the cache
            page.meta.update(template=CACHED, search={"exclude": True})
        head = self.assembly.head(path) if self.assembly else None
        if head is not None:
            page.meta["labpubs"] = head
        return expand_markers(markdown, self.fragments, root_prefix(path, self.options.use_directory_urls))

    def on_page_content(self, html: str, /, *, page, config, files) -> str | None:
        if page.file.src_uri in self.from_cache:
            return ""  # the template is empty: nothing reads the body
        return self.assembly.body(page.file.src_uri) if self.assembly else None

    def on_env(self, env, /, *, config, files):
        """The empty template of cached pages; with the cache on, compiled templates are kept too
        (Jinja checks each against its source); names looked up without needless exceptions."""
        env.loader = ChoiceLoader([DictLoader({CACHED: ""}), env.loader])
        if self.cache is not None and self.cache.folder is not None and env.bytecode_cache is None:
            (self.cache.folder / "templates").mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = FileSystemBytecodeCache(str(self.cache.folder / "templates"))
        self.rendered = 0
        if self.config.enabled:
            _look_up_quickly(env)
            self._offload_indexing(config, files)
        return env

    def _offload_indexing(self, config, files: Files) -> None:
        """Material indexes the generated pages this build renders in a second process (see
        `indexing`), while this one renders the next pages."""
        self._stop_offload()  # one a build left that stopped before its end (serve goes on)
        not_rendered = self.from_cache | self.kept
        rendered = sum(
            1
            for file in files.documentation_pages()
            if isinstance(file.page, GeneratedPage) and file.src_uri not in not_rendered
        )
        self.offload = Offload.start(_search_plugin(config), rendered, lambda page: isinstance(page, GeneratedPage))

    def _stop_offload(self) -> None:
        if self.offload is not None:
            self.offload.close()
            self.offload = None
        self.waiting.clear()

    @event_priority(100)  # before the search plugin indexes the page
    def _count_entries(self, context, /, *, page, config, nav):
        self.entries_before = len(_search_entries(config))
        return context

    @event_priority(-100)  # after it
    def _reuse_entries(self, context, /, *, page, config, nav):
        entries, path = _search_entries(config), page.file.src_uri
        if path in self.kept and path in self.from_cache:  # left in place: its HTML is not needed
            entries.extend(self.cache.entries(self.keys[path]))
        elif path in self.from_cache:
            self.current = self.cache.get(self.keys[path])
            entries.extend(self.current[1])
        self.entries_now = entries[self.entries_before :]
        if self.dirty:  # for the next dirty build's search index
            self.page_entries[path] = self.entries_now
        return context

    on_page_context = CombinedEvent(_count_entries, _reuse_entries)

    @event_priority(-100)  # last: the cache keeps the page as it is written
    def on_post_page(self, output: str, /, *, page, config) -> str | None:
        path = page.file.src_uri
        if path in self.kept:  # the file holds this page already (empty output: MkDocs writes nothing)
            self.current = None
            return ""
        if path in self.from_cache:
            html, self.current = self.current[0], None
            return html
        finished = (self.assembly.finish(path, output) if self.assembly else None) or output
        self.rendered += 1
        if self.rendered % TRIM_EVERY == 0:
            give_back_free_memory()
        if self.cache is not None and path in self.keys:
            self.waiting.append((self.keys[path], finished, self.entries_now))
            self._cache_pages()
        return finished

    def _cache_pages(self, done: dict[str, list] | None = None) -> None:
        """Into the cache, in order, the pages whose search entries are known: all of them with
        the `done` entries of every page indexed apart; else those whose entries are back,
        waiting for the oldest when more than `WAITING` pages are held."""
        while self.waiting:
            key, html, entries = self.waiting[0]
            if done is not None:
                entries = resolved(entries, done)
            elif self.offload is not None:
                entries = self.offload.entries_of(entries, wait=len(self.waiting) > WAITING)
                if entries is None:
                    return
            self.cache.put(key, html, entries)
            self.waiting.popleft()

    def close(self) -> None:
        if self.references is not None:
            self.references.close()
            self.references = None

    @event_priority(60)  # before the search plugin writes its index, and before `_whole_search_index`
    def _gather_index(self, *, config) -> None:
        """The entries of the pages indexed apart, in their places."""
        if self.rendered >= TRIM_EVERY:  # before the search index is written
            give_back_free_memory()
        if self.offload is None:
            return
        done, self.offload = self.offload.finish(), None
        entries = _search_entries(config)
        entries[:] = resolved(entries, done)
        self.page_entries = {path: resolved(page, done) for path, page in self.page_entries.items()}
        self._cache_pages(done)

    @event_priority(50)  # before the search plugin writes its index
    def _whole_search_index(self, *, config) -> None:
        """A `--dirty` build indexed only the pages it built: put back, in page order, the entries
        of those it left as they were (Material's own dirty-build merge assumes one page)."""
        if not self.dirty or self.files is None:
            return
        inclusion = InclusionLevel.is_in_serve if self.serving else InclusionLevel.is_included
        pages = [file.src_uri for file in self.files.documentation_pages(inclusion=inclusion)]
        _search_entries(config)[:] = [entry for path in pages for entry in self.page_entries.get(path, ())]
        self.page_entries = {path: self.page_entries[path] for path in pages if path in self.page_entries}
        plugin = _search_plugin(config)
        if hasattr(plugin, "search_index_prev"):
            plugin.search_index_prev = None

    def _unfreeze(self) -> None:
        """`on_files` moves every object then alive out of the cycle collector's reach until the
        build ends: the collector would otherwise walk the site's millions of objects again and
        again while MkDocs makes its own (a quarter of a warm 10,000-paper build). Under `mkdocs
        serve` they stay there until the server is idle (`IdleCollector`)."""
        if self.serving:
            self.idle.build_ended()
        else:
            gc.unfreeze()

    @event_priority(-100)
    def _keep_build(self, *, config) -> None:
        self._unfreeze()
        if not self.config.enabled:
            return
        used = set(self.references.cache_keys.values()) if self.references is not None else None
        self.close()  # first: the worker's thread may still be adding references
        if used is not None:
            self.session.keep_references(used)
        self.session.release()
        self.outputs.finish()
        if self.cache is not None:
            self.cache.save()

    def on_shutdown(self) -> None:
        """The session is kept once, when `mkdocs build` or `mkdocs serve` ends (MkDocs calls this
        after a failed build too: then nothing is kept). After `mkdocs build` the process ends:
        what is then alive is moved out of the cycle collector's reach, so that the interpreter's
        exit leaves the build's cycles to the operating system instead of walking and freeing
        them object by object (4.5 s of a 16 s warm build at 10,000 papers; 0.15 s frozen)."""
        self.idle.stop()
        self._keep_session()
        if not self.serving:
            gc.freeze()

    def _keep_session(self) -> None:
        if self.cache is None or self.cache.folder is None or self.failed:
            return
        self.outputs.save()
        self.session.save(self.cache.folder / SESSION_FILE, self.stamp, make_room=self._let_go_of_build, let_go=True)

    def _let_go_of_build(self) -> None:
        """Before the session is written: MkDocs' files and pages of the last build (they hold
        each other: only the cycle collector frees them) go first, and writing reuses their memory
        instead of adding to the build's peak."""
        self.files = self.assembly = None
        self.fragments, self.keys, self.from_cache, self.key_memo = {}, {}, set(), Keys()
        gc.collect()

    on_post_build = CombinedEvent(_gather_index, _whole_search_index, _keep_build)

    def on_build_error(self, *, error) -> None:
        self._unfreeze()
        self._stop_offload()
        self.failed = not self.serving  # a serve session goes on, and keeps what its next build makes
        self.close()
        self.outputs.forget()

    def on_serve(self, server, /, *, config, builder):
        root = self._root(config)
        if self.config.enabled and not root.is_relative_to(Path(config.docs_dir).resolve()):
            server.watch(str(root))
        if self.config.enabled and not self.dirty:
            log.info("labpubs: 'mkdocs serve --dirty' shows edits sooner, with the same pages as a clean build")
        return server


DICT_ATTRIBUTES = frozenset(dir(dict))
NONE_ATTRIBUTES = frozenset(dir(None))
MISSING = object()


def _look_up_quickly(env: Environment) -> None:
    """Jinja's `x.name` on the build's environment, without raising and catching an exception
    where the answer is known: on a plain dict (`page.meta.title`) a name that is not a dict method
    is the item or undefined, and every name but None's own is undefined on None. Jinja tries the
    attribute first, which fails there: ~130 exceptions a page in Material's templates. Anything
    else goes to Jinja's own lookup. The environment becomes an instance of a subclass of its
    class, so that an overlay of it looks up with its own settings; an environment whose lookup is
    not Jinja's plain one (a sandbox, or another plugin's) is left as it is."""
    if type(env).getattr is Environment.getattr and "getattr" not in vars(env):
        env.__class__ = _quick_lookup(type(env))


@lru_cache(maxsize=8)
def _quick_lookup(environment: type) -> type:
    """A subclass of `environment` (a class) with the lookup `_look_up_quickly` describes."""

    def getattr(self, obj, attribute):  # noqa: A001 - the name Jinja's compiled templates call
        if type(attribute) is str:
            if type(obj) is dict and attribute not in DICT_ATTRIBUTES:
                value = obj.get(attribute, MISSING)
                return self.undefined(obj=obj, name=attribute) if value is MISSING else value
            if obj is None and attribute not in NONE_ATTRIBUTES:
                return self.undefined(obj=obj, name=attribute)
        return environment.getattr(self, obj, attribute)

    return type(environment.__name__, (environment,), {"getattr": getattr, "__module__": __name__})


def _search_plugin(config):
    for plugin in config.plugins.values():
        if getattr(plugin, "search_index", None) is not None:
            return plugin
    return None


def _search_entries(config) -> list:
    """The search plugin's list of index entries (Material's `entries`, MkDocs' `_entries`), or a
    throwaway list when there is no search plugin."""
    plugin = _search_plugin(config)
    if plugin is None:
        return []
    index = plugin.search_index
    return index.entries if hasattr(index, "entries") else index._entries


def _effective_settings(config) -> str:
    """The settings a page shows, as this build has them: `mkdocs.yml`'s bytes do not tell
    (`!ENV` values, an `INHERIT` parent, `mkdocs serve`'s own site_url, command-line options)."""
    names = "site_url use_directory_urls site_name site_description site_author copyright repo_url repo_name edit_uri"
    values = {name: config.get(name) for name in names.split()}
    values.update(theme=dict(config.theme), extra=dict(config.extra))  # Theme is a mapping of its settings
    return json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)


def _language(config) -> str:
    """Material's `theme.language`, which the words labpubs adds follow."""
    theme = config.theme
    return (theme.get("language") if hasattr(theme, "get") else None) or "en"


def _drop_records(files: Files, records: Content) -> None:
    """The YAML records are read by the plugin, never published as they are."""
    for file in [f for f in files if records.is_data_file(f.src_uri)]:
        files.remove(file)
