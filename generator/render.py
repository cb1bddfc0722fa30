"""`render(library, options)`: every generated page and download, from the Jinja templates in
`templates/`. Pure: no MkDocs, no files written, so the plugin, the CLI and engines that run no
plugins can all use it.

Bodies are HTML (a valid Markdown document, which Markdown leaves as it is), so record text
reaches pages only as escaped HTML: neither Markdown, attribute lists nor Jinja ever interpret
it. Each paper's view, list entries and BibTeX are made once (`Pieces`) and shared by every page
that shows the paper; how pages are put together is `assembly`'s docstring. One function below
per page kind.

Why one module of ~550 lines: the page kinds share the renderer's memo of pieces and its
pagination, and each is a short function; split by page kind, each module would import the same
half of this one.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from urllib.parse import urljoin

from jinja2 import BytecodeCache, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .assembly import LIST_MARK, REFERENCES_MARK, ROOT, Page, page_url, root_prefix
from .bibtex import to_bibtex
from .chart import year_chart
from .cite import reference_key, references
from .csl import csl_item, csl_json_item, join_csl_json
from .feed import atom_feed
from .i18n import Words
from .library import Author, Library, Publication, TopicEntry
from .names import parse_name
from .richtext import to_html, to_plain
from .scholar import highwire_tags, json_ld, open_graph, to_ris
from .session import Session
from .views import Card, Options, PaperView, member_card, paper_view, year_label, year_slug

RECENT_COUNT = 10


class _CompiledTemplates(BytecodeCache):
    """Compiled templates for the life of the process (Jinja checks each against its source), so
    that each build's new Environment does not compile them again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED = _CompiledTemplates()
TEMPLATES = Path(__file__).parent / "templates"


def templates_stamp() -> tuple:
    """The templates' names, sizes and modification times: a memoized body is reused only while
    its template files are as they were."""
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(TEMPLATES.iterdir()))


def environment() -> Environment:
    """A `Renderer` makes its own for each build, so a template is not checked against its file
    again within one (`auto_reload`: a `stat` for every page rendered), as MkDocs does for the
    theme's. (`_cite_template` keeps one for the process; a Template it holds never reloads.)"""
    return Environment(
        loader=PackageLoader("generator", "templates"),
        bytecode_cache=COMPILED,
        auto_reload=False,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def _cite_template():
    return environment().get_template("cite.html")


def cite_section(refs: list[tuple[str, str]], words: Words | None = None) -> Markup:
    """A paper page's formatted references, each with its copy button."""
    return Markup(_cite_template().render(references=refs, t=words or Words()))


@dataclass
class Rendered:
    pages: list[Page]
    fragments: dict[str, str]  # lists hand-written pages embed with `<!-- labpubs:NAME -->`


def render(
    library: Library,
    options: Options = Options(),
    session: Session | None = None,
    on_csl: Callable[[dict[str, dict], dict[str, str]], None] | None = None,
) -> Rendered:
    """Every generated page of the site, in a stable order, and the embeddable fragments.
    `on_csl` gets every paper's CSL item and `reference_key` before the pages are rendered (the
    plugin starts formatting references in a second process then)."""
    r = Renderer(library, options, session or Session())
    if on_csl:
        on_csl(r.csl, r.reference_keys)
    pages = publication_pages(r) + paper_pages(r) + [feed(r)] + people_pages(r) + topic_pages(r) + year_pages(r)
    r.session.forget_papers_except(library.papers)
    r.session.bodies, r.session.joined, r.session.listings = r.bodies, r.joined_now, r.listings_now
    return Rendered(pages, fragments(r))


class Renderer:
    """What every page kind needs: the library, the options, the templates, and each paper's
    pieces (view, list entries, BibTeX, CSL), made once and kept in the session while the paper's
    record and what it shows of others (author and topic names) stay the same."""

    def __init__(self, library: Library, options: Options, session: Session):
        self.library, self.options, self.session = library, options, session
        self.words = Words(options.language)
        self.env = environment()
        self.env.globals.update(url=self.url, link=self.link, to_html=to_html, t=self.words)
        self.bodies: dict[tuple, str] = {}  # the memo of this build's page bodies (`page`)
        self.joined_now: dict[str, tuple[tuple, bytes]] = {}  # and of its joined downloads (`joined`)
        self.listings_now: dict[str, tuple] = {}  # and of its listings (`remembered`)
        self.stamp = templates_stamp()

    def url(self, path: str) -> str:
        """A link to another page: its URL, or its .md source for engines that resolve those (Zensical)."""
        return ROOT + (path if self.options.source_links else page_url(path, self.options.use_directory_urls))

    def prefix(self, path: str) -> str:
        return root_prefix(path, self.options.use_directory_urls, self.options.source_links)

    def link(self, href: str) -> str:
        """A record's link as an href: web links as they are, site paths from the page's root."""
        return href if "://" in href else ROOT + href.lstrip("/")

    def absolute(self, path: str) -> str:
        """A page's URL for machines: absolute with `site_url`, else relative to the site root."""
        return self.absolute_url(page_url(path, self.options.use_directory_urls))

    def absolute_url(self, url: str) -> str:
        """A site-relative URL made absolute as MkDocs makes a page's canonical URL (`urljoin` with
        `site_url`); as it is without a site URL."""
        return urljoin(self.options.site_url, url) if self.options.site_url else url

    @cached_property
    def pieces(self) -> dict[str, dict]:
        """Each paper's pieces, by key (see `Session.pieces`)."""
        return {paper.key: self.session.pieces(paper, self.options) for paper in self.library.papers}

    def per_paper(self, piece: str, make: Callable[[Publication], object]) -> dict:
        """`make(paper)` for every paper, by key: made once, and reused from the last build while
        the paper did not change."""
        out, all_pieces = {}, self.pieces
        for paper in self.library.papers:
            pieces = all_pieces[paper.key]
            if piece not in pieces:
                pieces[piece] = make(paper)
            out[paper.key] = pieces[piece]
        return out

    @cached_property
    def views(self) -> dict[str, PaperView]:
        return self.per_paper("view", lambda p: paper_view(p, self.options, self.words, self.url, self.link))

    @cached_property
    def bibtex(self) -> dict[str, str]:
        """Each paper's BibTeX, made once for its page and every .bib download it is part of."""
        return self.per_paper("bibtex", lambda p: to_bibtex(p, unicode=self.options.bibtex_unicode))

    @cached_property
    def entries(self) -> dict[str, Markup]:
        template = self.env.get_template("entry.html")
        return self.per_paper("entry", lambda p: Markup(template.render(p=self.views[p.key])))

    @cached_property
    def rich_entries(self) -> dict[str, Markup]:
        """The publications page's entries: with filter data, and abstract and BibTeX to reveal."""
        template = self.env.get_template("entry_full.html")
        return self.per_paper(
            "rich",
            lambda p: Markup(
                template.render(
                    p=self.views[p.key], bibtex=self.bibtex[p.key], abstract=to_html(p.record.abstract, links=True)
                )
            ),
        )

    @cached_property
    def csl(self) -> dict[str, dict]:
        """Each paper as a CSL-JSON item: for publications.json and the formatted references."""
        return self.per_paper("csl", csl_item)

    @cached_property
    def reference_keys(self) -> dict[str, str]:
        """What each paper's formatted references are kept under (a digest of its CSL item as JSON:
        a tenth of a `mkdocs serve` rebuild of 10,000 papers when made again for every paper)."""
        styles = self.options.citation_styles
        return self.per_paper("reference_key", lambda p: reference_key(self.csl[p.key], styles))

    @cached_property
    def csl_json(self) -> dict[str, bytes]:
        """Each paper's CSL item as publications.json writes it."""
        return self.per_paper("csl_json", lambda p: csl_json_item(self.csl[p.key]))

    @cached_property
    def ris(self) -> dict[str, bytes]:
        """Each paper's RIS download (as every download, bytes: see `Page`)."""
        return self.per_paper("ris", lambda p: to_ris(p).encode())

    def page(
        self,
        path: str,
        template: str,
        meta: dict,
        *,
        in_nav: bool = False,
        markdown: bool = False,
        fill: Callable[[str], str] | None = None,
        head: dict | None = None,
        inputs: str = "",
        memo: bool = False,
        **context,
    ) -> Page:
        """A page from a template; `markdown` when its body has Markdown headings (a table of contents).
        With `memo`, the body is reused from the last build when the template was given the same
        values; only for plain values (strings, numbers, Markup, tuples, lists, dicts, dataclasses),
        whose `repr` shows all they hold."""
        key = None
        if memo:
            # the options third: see `session._usable`
            key = (template, path, self.options, self.stamp, repr(meta), repr(sorted(context.items())))
            body = self.session.bodies.get(key)
        if key is None or body is None:
            body = self.env.get_template(template).render(**context).replace(ROOT, self.prefix(path))
        if key is not None:
            self.bodies[key] = body
        return Page(path, body, meta, in_nav, html=not markdown, fill=fill, head=head, inputs=inputs)

    def bib_file(self, path: str, papers: list[Publication]) -> Page:
        return Page(path, self.joined(path, tuple(self.bibtex[p.key] for p in papers), _join_bibtex), html=False)

    def joined(self, path: str, parts: tuple, join: Callable[[tuple], bytes]) -> bytes:
        """`join(parts)`, the very bytes of the last build while its parts are the very same
        objects (`Session.joined`): neither joined nor hashed again (60 MB at 10,000 papers)."""
        known = self.session.joined.get(path)
        if known is None or not _same_objects(known[0], parts):
            known = (parts, join(parts))
        self.joined_now[path] = known
        return known[1]

    def remembered(
        self, name: str, inputs: tuple, papers: list[Publication], make: Callable[[], list[Page]]
    ) -> list[Page]:
        """`make()`, or the very pages it made in the last build (`Session.listings`) when `inputs`
        are equal and each paper's pieces are the very same (`Session.pieces` keeps them while the
        paper and all it shows of others are unchanged): a `mkdocs serve` rebuild after one edit
        makes again only the listings of the edited paper (the pages of 3,265 authors were half of
        the generator's share of a rebuild at 10,000 papers)."""
        tokens = tuple(self.pieces[p.key] for p in papers)
        known = self.session.listings.get(name)
        if known is None or known[0] != inputs or not _same_objects(known[1], tokens):
            outer, self.bodies = self.bodies, {}  # what `make` renders, apart
            try:
                pages = make()
            finally:
                made, self.bodies = self.bodies, outer
            outer.update(made)
            known = (inputs, tokens, pages, made)
        else:
            self.bodies.update(known[3])  # the bodies memo stays whole for the session kept on disk
        self.listings_now[name] = known
        return known[2]

    def filler(self, path: str, lists: list[tuple[list[Publication], bool]]) -> Callable[[str], str]:
        """What puts the paper lists (papers, rich) into a page at their LIST_MARKs."""
        prefix = self.prefix(path)
        parts = [tuple((self.rich_entries if rich else self.entries)[p.key] for p in papers) for papers, rich in lists]

        def fill(text: str) -> str:  # holds the entries, not this Renderer: a page may outlive its build
            for n, entries in enumerate(parts):
                mark = LIST_MARK.format(n)
                if mark in text:
                    text = text.replace(mark, "\n".join(entries).replace(ROOT, prefix), 1)
            return text

        return fill

    def paginated(
        self,
        path: str,
        template: str,
        meta: dict,
        papers: list[Publication],
        *,
        in_nav: bool = False,
        rich: bool = False,
        markdown: bool = False,
        **context,
    ) -> list[Page]:
        """A listing in pages of at most `page_size` papers: `path`, then `<path>/page-2.md`, ...
        Pages after the first are left out of search, which the first page's header serves.
        Templates get LIST_MARKs: `groups` (year slug, label, mark) and `entries` (one mark for all)."""
        chunks = pages_of(papers, self.options.page_size)
        paths = [path] + [f"{path[:-3]}/page-{n}.md" for n in range(2, len(chunks) + 1)]
        pager = [(n, self.url(p), _year_range(chunk, self.words)) for n, (p, chunk) in enumerate(zip(paths, chunks), 1)]
        pages = []
        for n, (page_path, chunk) in enumerate(zip(paths, chunks), 1):
            page_meta = (
                meta
                if n == 1
                else {**meta, "title": self.words("page_n", title=meta["title"], n=n), "search": {"exclude": True}}
            )
            years: dict[int | None, list[Publication]] = {}
            for paper in chunk:
                years.setdefault(paper.year, []).append(paper)
            lists = [(ps, rich) for ps in years.values()] + [(chunk, False)]
            groups = [
                (year_slug(y), year_label(y, self.words), Markup(LIST_MARK.format(i))) for i, y in enumerate(years)
            ]
            pages.append(
                self.page(
                    page_path,
                    template,
                    page_meta,
                    in_nav=in_nav and n == 1,
                    markdown=markdown,
                    fill=self.filler(page_path, lists),
                    inputs=self.lists_key(lists),
                    memo=True,
                    groups=groups,
                    entries=Markup(LIST_MARK.format(len(lists) - 1)),
                    pager=pager,
                    current=n,
                    shown=len(chunk),
                    **context,
                )
            )
        return pages

    @cached_property
    def entry_digests(self) -> dict[str, str]:
        """A digest of each paper's two list entries: what a listing page's lists are made of."""
        digest = lambda p: hashlib.blake2b(
            f"{self.entries[p.key]}\0{self.rich_entries[p.key]}".encode(),  # noqa: E731
            digest_size=12,
        ).hexdigest()
        return self.per_paper("digest", digest)

    def lists_key(self, lists: list[tuple[list[Publication], bool]]) -> str:
        digests = self.entry_digests
        return "|".join(f"{int(rich)}:" + ",".join(digests[p.key] for p in papers) for papers, rich in lists)

    def author_url(self, author: Author) -> str:
        return self.url(f"people/{author.slug}.md")


def _same_objects(these: tuple, those: tuple) -> bool:
    """Whether the two hold the very same objects, in order (an `is` per item, no comparison)."""
    return len(these) == len(those) and all(a is b for a, b in zip(these, those))


def _join_bibtex(entries: tuple[str, ...]) -> bytes:
    return ("\n\n".join(entries) + "\n").encode()


def pages_of(papers: list, size: int) -> list[list]:
    """Papers cut into pages of `size` (one empty page for no papers): the whole of pagination,
    too small to take a library for."""
    return [papers[i : i + size] for i in range(0, len(papers), size)] or [[]]


def _year_range(papers: list[Publication], words: Words) -> str:
    if not papers:
        return ""
    first, last = year_label(papers[0].year, words), year_label(papers[-1].year, words)
    return first if first == last else f"{first}–{last}"


# --- the page kinds --------------------------------------------------------------------------------

LISTING = {"search": {"exclude": True}}  # listings: a search finds each paper once, on its own page


def publication_pages(r: Renderer) -> list[Page]:
    lib = r.library
    pages = r.paginated(
        "publications.md",
        "publications.md",
        {"title": r.words("publications_title"), "labpubs_filters": True, **LISTING},
        lib.papers,
        in_nav=True,
        rich=True,
        markdown=True,
        count=len(lib.papers),
        bib=ROOT + "publications.bib",
        csl=ROOT + "publications.json",
        filters=filter_choices(lib, r.words),
    )
    return pages + [
        r.bib_file("publications.bib", lib.papers),
        Page(
            "publications.json",
            r.joined("publications.json", tuple(r.csl_json[p.key] for p in lib.papers), join_csl_json),
            html=False,
        ),
    ]


def filter_choices(lib: Library, words: Words) -> dict[str, list[tuple[str, str]]]:
    """(value, label) choices of the publications page's filters, most frequent first."""
    venues = Counter(to_plain(p.record.venue) for p in lib.papers if p.record.venue)
    types = Counter(p.record.type for p in lib.papers)
    return {
        "year": [(year_slug(y), f"{year_label(y, words)} ({len(ps)})") for y, ps in lib.years],
        "type": [(t, f"{words.type(t)} ({n})") for t, n in types.most_common()],
        "topic": [(t.slug, f"{to_plain(t.topic.title)} ({len(t.papers)})") for t in lib.topics.values() if t.papers],
        "member": [(m.slug, f"{m.name} ({len(m.papers)})") for m in lib.members if m.papers],
        "venue": [(v, f"{v} ({n})") for v, n in venues.most_common()],
    }


def paper_pages(r: Renderer) -> list[Page]:
    """Each paper's page (made once while the paper is unchanged), .bib and .ris."""
    pages = []
    for paper in r.library.papers:
        pieces = r.pieces[paper.key]
        if "page" not in pieces:
            pieces["page"] = paper_page(r, paper)
        if "bib_file" not in pieces:
            pieces["bib_file"] = r.bib_file(f"papers/{paper.key}.bib", [paper])
        pages += [pieces["page"], pieces["bib_file"], Page(f"papers/{paper.key}.ris", r.ris[paper.key], html=False)]
    return pages


def paper_page(r: Renderer, paper: Publication) -> Page:
    path, options = f"papers/{paper.key}.md", r.options
    abstract = to_plain(paper.record.abstract)
    meta: dict = {"title": paper.title}
    if abstract:
        meta["description"] = abstract[:300]
    url = r.absolute(path)
    head = {
        "meta": highwire_tags(paper, options.site_url) + open_graph(paper, url if options.site_url else None),
        "jsonld": json_ld(paper, url, lambda a: r.absolute(f"people/{a.slug}.md"), options.site_url),
    }
    if not options.citation_styles:
        cite = ""
    elif options.defer_references:
        cite = Markup(REFERENCES_MARK)
    else:
        cite = cite_section(references(r.csl[paper.key], options.citation_styles), r.words)
    inputs = ""
    if options.defer_references:  # the references are made from the CSL item: the key must change with it
        inputs = r.reference_keys[paper.key]
    return r.page(
        path,
        "paper.md",
        meta,
        inputs=inputs,
        head=head,
        p=r.views[paper.key],
        abstract=to_html(paper.record.abstract, links=True),
        bibtex=r.bibtex[paper.key],
        cite=cite,
        bib=ROOT + f"papers/{paper.key}.bib",
        ris=ROOT + f"papers/{paper.key}.ris",
    )


def feed(r: Renderer) -> Page:
    title = r.words("feed_title", site=r.options.site_name)
    return Page(
        "feed.xml",
        atom_feed(
            r.library.papers,
            title,
            r.options.site_name,
            lambda p: r.absolute(f"papers/{p.key}.md"),
            r.absolute_url("feed.xml"),
            absolute=bool(r.options.site_url),
        ).encode(),
        html=False,
    )


def people_pages(r: Renderer) -> list[Page]:
    """The people index, and each member's and co-author's page and .bib."""
    pages = [people_index(r)]
    for author in r.library.authors.values():
        inputs = (author.slug, author.name, author.is_member, author.person, r.options, r.stamp)
        pages += r.remembered(
            f"people/{author.slug}",
            inputs,
            author.papers,
            lambda author=author: author_pages(r, author) + [r.bib_file(f"people/{author.slug}.bib", author.papers)],
        )
    return pages


def people_index(r: Renderer) -> Page:
    """Members as cards, current ones first, then the alumni; co-authors as a compact list."""
    lib = r.library
    cards = [card(r, m) for m in lib.members]
    externals = sorted(
        (a for a in lib.authors.values() if not a.is_member),
        key=lambda a: (parse_name(a.name).family.casefold(), a.name.casefold()),
    )
    others = [(a.name, r.author_url(a), len(a.papers)) for a in externals]
    return r.page(
        "people/index.md",
        "people.md",
        {"title": r.words("people_title")},
        in_nav=True,
        members=[c for c in cards if not c.until],
        alumni=[c for c in cards if c.until],
        others=others,
    )


def card(r: Renderer, member: Author) -> Card:
    return member_card(member, r.words, r.url, r.link)


def author_pages(r: Renderer, author: Author) -> list[Page]:
    papers, person = author.papers, author.person
    years = [p.year for p in papers if p.year]
    coauthors = Counter(a for p in papers for a in p.authors if a is not author)
    meta = {"title": author.name} if person else {"title": author.name, "search": {"exclude": True}}
    return r.paginated(
        f"people/{author.slug}.md",
        "person.md",
        meta,
        papers,
        name=author.name,
        member=card(r, author) if person else None,
        count=r.words.count("publications", len(papers)),
        first=min(years, default=None),
        last=max(years, default=None),
        coauthors=[(a.name, r.author_url(a), a.is_member, n) for a, n in coauthors.most_common(10)],
        topics=[
            (to_plain(t.topic.title), r.url(f"topics/{t.slug}.md"), n)
            for t, n in Counter(t for p in papers for t in p.topics).most_common(5)
        ],
        chart=year_chart([p.year for p in papers], author.name, r.words) if person else "",
        bib=ROOT + f"people/{author.slug}.bib",
    )


def topic_pages(r: Renderer) -> list[Page]:
    topics = r.library.topics.values()
    pages = [
        r.page(
            "topics/index.md",
            "topics.md",
            {"title": r.words("topics_title")},
            in_nav=True,
            topics=[(t, r.url(f"topics/{t.slug}.md")) for t in topics],
        )
    ]
    for topic in topics:
        inputs = (topic.slug, topic.topic, r.options, r.stamp)
        pages += r.remembered(f"topics/{topic.slug}", inputs, topic.papers, lambda topic=topic: one_topic(r, topic))
    return pages


def one_topic(r: Renderer, topic: TopicEntry) -> list[Page]:
    title = to_plain(topic.topic.title)
    return r.paginated(
        f"topics/{topic.slug}.md",
        "topic.md",
        {"title": title},
        topic.papers,
        title=to_html(topic.topic.title),
        count=len(topic.papers),
        description=to_html(topic.topic.description),
        bib=ROOT + f"topics/{topic.slug}.bib",
        chart=year_chart([p.year for p in topic.papers], title, r.words),
    ) + [r.bib_file(f"topics/{topic.slug}.bib", topic.papers)]


def year_pages(r: Renderer) -> list[Page]:
    lib = r.library
    years = [
        (year_label(y, r.words), r.url(f"years/{year_slug(y)}.md"), r.words.count("publications", len(ps)))
        for y, ps in lib.years
    ]
    pages = [
        r.page("years/index.md", "years.md", {"title": r.words("years_title"), **LISTING}, in_nav=True, years=years)
    ]
    for year, papers in lib.years:
        inputs = (year, r.options, r.stamp)
        pages += r.remembered(f"years/{year_slug(year)}", inputs, papers, lambda y=year, ps=papers: one_year(r, y, ps))
    return pages


def one_year(r: Renderer, year: int | None, papers: list[Publication]) -> list[Page]:
    slug = year_slug(year)
    return r.paginated(
        f"years/{slug}.md",
        "year.md",
        {"title": r.words("year_title", year=year_label(year, r.words)), **LISTING},
        papers,
        count=len(papers),
        bib=ROOT + f"years/{slug}.bib",
    ) + [r.bib_file(f"years/{slug}.bib", papers)]


def fragments(r: Renderer) -> dict[str, str]:
    """Lists that hand-written pages can embed with `<!-- labpubs:NAME -->` (links start with ROOT)."""
    lib = r.library
    fragment = r.env.get_template("fragment.html")
    listing = lambda papers: Markup("\n".join(r.entries[p.key] for p in papers))  # noqa: E731
    return {
        "chart": str(year_chart([p.year for p in lib.papers], r.options.site_name, r.words)),
        "selected": fragment.render(entries=listing([p for p in lib.papers if p.record.selected])),
        "recent": fragment.render(entries=listing(lib.papers[:RECENT_COUNT])),
    }
