"""How a generated page's HTML is put together: the whole protocol, in one place.

A generated page passes through five hands, in this order:

1. `render` renders its body from the Jinja templates. Links to other pages start with ROOT, a
   NUL character (YAML cannot carry NUL, so no record text holds it); `Page` replaces it with the
   page's own way back to the site root ("", "../", ...), so one rendered paper entry serves every
   listing page. A listing page's paper lists are LIST_MARKs, a paper page's references one
   REFERENCES_MARK; record text is escaped before it lands, so it cannot forge either.
2. The MkDocs plugin hands MkDocs the page's front matter and STUB, a one-line body, so that
   Markdown never parses the finished HTML (half of a large build went there); MkDocs' own
   `page.meta` gets the meta tags and JSON-LD (`Assembly.head`).
3. `on_page_content` swaps the STUB for the real body (`Assembly.body`).
4. Material's page template wraps it, with `theme/main.html`, which prints the meta tags and
   JSON-LD of `page.meta.labpubs` into `<head>`, escaping them there.
5. `on_post_page` fills the marks in the finished HTML (`Assembly.finish`): the paper lists, page
   by page, so the lists of a 10,000-paper lab are never all in memory (nor read by the search
   indexer), and the formatted references, which a second process made meanwhile.

Without MkDocs (`labpubs generate`), `Page.content` gives the whole file at once: front matter,
body, lists and references filled.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field

ROOT = "\0"
LIST_MARK = "<!-- labpubs:list:{} -->"
REFERENCES_MARK = "<!-- labpubs:references -->"
STUB = "<!-- labpubs: generated page -->\n"


def page_url(path: str, use_directory_urls: bool = True) -> str:
    """Site-relative URL of a page source path, as MkDocs makes it."""
    stem = path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")] if use_directory_urls else stem + ".html"
    return stem + "/" if use_directory_urls else stem + ".html"


def root_prefix(path: str, use_directory_urls: bool = True, source_links: bool = False) -> str:
    """What ROOT becomes on the page at `path`: the relative way back to the site root ("",
    "../", ...) from the page's URL, or, for engines that resolve links to .md sources (Zensical),
    from the folder of the page's source file."""
    if source_links:
        return "../" * path.count("/")
    return "../" * page_url(path, use_directory_urls).count("/")


def shown_meta(meta: dict) -> dict:
    """A page's meta as the theme gets it. Material prints `title` and `description` into
    `<title>`, the header and a `<meta>` attribute without escaping, and its search index treats
    titles as HTML: so both are HTML-escaped here, once, and every place shows the text as written."""
    return {k: html.escape(v) if k in ("title", "description") else v for k, v in meta.items()}


def front_matter(meta: dict) -> str:
    """YAML front matter of `shown_meta`."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in shown_meta(meta).items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"  # JSON values are YAML, and 10x faster to write


@dataclass(frozen=True)
class Page:
    """A generated file: a page (front matter `meta` and a `body`) or a download such as
    `papers/<key>.bib` (a body only: the UTF-8 bytes it is written as; as a str, JSON or RIS with
    one accented name takes two bytes a character, 62 MiB more at 10,000 papers). `html` says
    the body is plain HTML; only pages whose Markdown headings make a table of contents (the
    publications list) are not. `fill` puts a listing's papers in at its LIST_MARKs; `head` is
    what `theme/main.html` prints into `<head>` (meta tags and JSON-LD), kept out of the front
    matter; `inputs` completes, with the rest, the key under which `pagecache` keeps the
    finished page."""

    path: str
    body: str | bytes  # bytes: a download's
    meta: dict | None = None
    in_nav: bool = False
    html: bool = True
    fill: Callable[[str], str] | None = None
    head: dict | None = None
    inputs: str = ""  # what else the page is made from (its lists' entries, its references' CSL item)
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # what is derived from it (`pagecache.Keys`)

    @property
    def content(self) -> str | bytes:
        """The file as MkDocs or any Markdown engine reads it (a download: its bytes)."""
        body = self.fill(self.body) if self.fill else self.body
        if self.meta is None:
            return body
        return front_matter({**self.meta, "labpubs": self.head} if self.head else self.meta) + body


def expand_markers(markdown: str, fragments: dict[str, str], prefix: str) -> str:
    """Replace `<!-- labpubs:NAME -->` markers of a hand-written page with generated lists; `prefix`
    is the page's `root_prefix`."""
    if "<!-- labpubs:" not in markdown:
        return markdown
    for name, fragment in fragments.items():
        markdown = markdown.replace(f"<!-- labpubs:{name} -->", fragment)
    return markdown.replace(ROOT, prefix)


class Assembly:
    """Steps 2, 3 and 5 for one build: what the plugin hands MkDocs for each page, and what it
    puts into the finished HTML. `references(key)` gives a paper's formatted references section."""

    def __init__(self, pages: list[Page], references: Callable[[str], str] | None, papers: dict[str, str]):
        self.pages = {page.path: page for page in pages}
        self.references, self.papers = references, papers  # paper page path -> paper key

    def source(self, page: Page) -> str | bytes:
        """The file MkDocs reads: front matter and STUB for an HTML page; a download's own bytes
        (the very object the page holds: a copy of every download was 100 MiB at 10,000 papers)."""
        if page.meta is None:
            return page.body
        if not page.html:
            return front_matter(page.meta) + page.body
        source = page.memo.get("source")  # a paper's page comes back from the session with it
        if source is None:
            source = page.memo["source"] = front_matter(page.meta) + STUB
        return source

    def body(self, path: str) -> str | None:
        page = self.pages.get(path)
        return page.body if page is not None and page.html and page.meta is not None else None

    def head(self, path: str) -> dict | None:
        page = self.pages.get(path)
        return page.head if page is not None else None

    def finish(self, path: str, output: str) -> str | None:
        page = self.pages.get(path)
        if page is not None and page.fill:
            return page.fill(output)
        key = self.papers.get(path)
        if key is not None and self.references is not None:
            return output.replace(REFERENCES_MARK, self.references(key), 1)
        return None
