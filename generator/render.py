"""`render(library)`: every generated page as front matter and a body, from Jinja templates.

Pure: no MkDocs, no files written, so the plugin, the CLI and engines that run no plugins
can all use it. Bodies are HTML (a valid Markdown document, which Markdown leaves as it is), so
record text reaches pages only as escaped HTML: neither Markdown, attribute lists nor Jinja ever
interpret it, and the plugin can skip Markdown for them. Each paper's list entry is rendered once
and reused on every listing page; links in it start with ROOT, which each page replaces with its
own way back to the site root.
"""

from __future__ import annotations

import html
import json
from urllib.parse import urljoin
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .bibtex import to_bibtex
from .chart import year_chart
from .cite import references
from .csl import csl_item, to_csl_json
from .feed import atom_feed
from .scholar import highwire_tags, json_ld, open_graph, to_ris
from .richtext import to_html, to_plain
from .library import Author, Library, Publication
from .names import parse_name

ROOT = "\0"  # YAML cannot carry NUL, so no record text can contain it
TYPE_LABELS = {
    "conference": "Conference paper", "journal": "Journal article", "preprint": "Preprint",
    "workshop": "Workshop paper", "book": "Book", "chapter": "Book chapter", "thesis": "Thesis",
    "report": "Technical report", "other": "Publication",
}
LINK_LABELS = {"pdf": "PDF", "code": "Code", "slides": "Slides", "video": "Video", "poster": "Poster",
               "website": "Website", "data": "Data", "supp": "Supplement", "blog": "Blog", "html": "HTML", "url": "Link"}
RECENT_COUNT = 10
REFERENCES_MARK = "<!-- labpubs:references -->"  # record text is escaped, so it cannot forge these
LIST_MARK = "<!-- labpubs:list:{} -->"


@dataclass(frozen=True)
class Options:
    use_directory_urls: bool = True
    bibtex_unicode: bool = False  # keep UTF-8 in BibTeX instead of LaTeX escapes (biber, modern bibtex)
    page_size: int = 300  # papers per listing page: a page stays well under 2 MB at any lab size
    authors_shown: int = 10  # in a list entry, the authors shown before "+N more"
    site_url: str | None = None  # for absolute URLs in meta tags, JSON-LD and the feed
    site_name: str = "Publications"
    citation_styles: tuple[str, ...] = ("apa", "acl")  # see cite.STYLES
    defer_references: bool = False  # paper pages get REFERENCES_MARK; the caller fills in cite_section()


@dataclass(frozen=True)
class Page:
    """A generated file: a page (front matter `meta` and a `body`) or a download such as
    `papers/<key>.bib` (a body only). `html` says the body is plain HTML; only the pages whose
    Markdown headings make a table of contents (the publications list) are not. A listing page's
    body holds LIST_MARKs that `fill` replaces with its papers: the plugin fills the finished HTML
    page by page, so the lists of a 10,000-paper lab never sit in memory (or the search indexer)
    all at once."""

    path: str
    body: str
    meta: dict | None = None
    in_nav: bool = False
    html: bool = True
    fill: Callable[[str], str] | None = None

    @property
    def content(self) -> str:
        """The file as MkDocs or any Markdown engine reads it."""
        body = self.fill(self.body) if self.fill else self.body
        return body if self.meta is None else front_matter(self.meta) + body


def page_url(path: str, options: Options) -> str:
    """Site-relative URL of a page source path, as MkDocs makes it."""
    stem = path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")] if options.use_directory_urls else stem + ".html"
    return stem + "/" if options.use_directory_urls else stem + ".html"


def root_prefix(path: str, options: Options) -> str:
    """The relative way from a page back to the site root: "", "../", "../../"."""
    return "../" * page_url(path, options).count("/")


def front_matter(meta: dict) -> str:
    """YAML front matter. Material prints `title` and `description` into `<title>`, the header and
    a `<meta>` attribute without escaping, and its search index treats titles as HTML: so both
    are HTML-escaped here, once, and every place shows the text as written."""
    escaped = {k: html.escape(v) if k in ("title", "description") else v for k, v in meta.items()}
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in escaped.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"  # JSON values are YAML, and 10x faster to write


def date_label(paper: Publication) -> str:
    if paper.date:
        return f"{paper.date:%b} {paper.date.day}, {paper.date.year}"
    return str(paper.year) if paper.year else "Date unknown"


def year_slug(year: int | None) -> str:
    return str(year) if year is not None else "undated"


def year_label(year: int | None) -> str:
    return str(year) if year is not None else "Undated"


# What was rendered for each paper, kept across the rebuilds of `mkdocs serve`: reused while the
# record (the same object: the loader keeps unchanged records), its resolved authors and topics and
# the options are the same. Listings are joins of these and cheap to redo.
_RENDERED: dict[str, tuple[tuple, dict]] = {}


def environment() -> Environment:
    return Environment(loader=PackageLoader("generator", "templates"), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@cache
def _cite_template():
    return environment().get_template("cite.html")


def cite_section(refs: list[tuple[str, str]]) -> Markup:
    """A paper page's formatted references, each with its copy button."""
    return Markup(_cite_template().render(references=refs))


class Renderer:
    """Renders one library; per-paper HTML is computed once and shared by all pages."""

    def __init__(self, library: Library, options: Options):
        self.library, self.options = library, options
        self.env = environment()
        self.env.globals.update(url=self.url, link=self.link, to_html=to_html)

    def url(self, path: str) -> str:
        return ROOT + page_url(path, self.options)

    def link(self, href: str) -> str:
        """A record's link as an href: web links as they are, site paths from the page's root."""
        return href if "://" in href else ROOT + href.lstrip("/")

    def author_url(self, author: Author) -> str:
        return self.url(f"people/{author.slug}.md")

    def memo(self, paper: Publication) -> dict:
        """The rendered pieces of one paper, from the last build when nothing they show changed."""
        signature = (paper.record, self.options, tuple((a.slug, a.name, a.is_member) for a in paper.authors),
                     tuple((a.slug, a.name) for a in paper.members),
                     tuple((t.slug, t.topic.title) for t in paper.topics))
        cached = _RENDERED.get(paper.key)
        if cached and cached[0][0] is paper.record and cached[0][1:] == signature[1:]:
            return cached[1]
        pieces: dict = {}
        _RENDERED[paper.key] = (signature, pieces)
        return pieces

    def per_paper(self, piece: str, make: Callable[[Publication], object]) -> dict:
        """`make(paper)` for every paper, by key: computed once, and reused from the last build while
        the paper did not change (see `memo`)."""
        out = {}
        for paper in self.library.papers:
            pieces = self.memo(paper)
            if piece not in pieces:
                pieces[piece] = make(paper)
            out[paper.key] = pieces[piece]
        return out

    @cached_property
    def bibtex(self) -> dict[str, str]:
        """Each paper's BibTeX, made once for its page and every .bib download it is part of."""
        return self.per_paper("bibtex", lambda p: to_bibtex(p, unicode=self.options.bibtex_unicode))

    def bib_file(self, path: str, papers: list[Publication]) -> Page:
        return Page(path, "\n\n".join(self.bibtex[p.key] for p in papers) + "\n", html=False)

    @cached_property
    def entries(self) -> dict[str, Markup]:
        template = self.env.get_template("entry.html")
        return self.per_paper("entry", lambda p: Markup(template.render(p=self.views[p.key])))

    @cached_property
    def rich_entries(self) -> dict[str, Markup]:
        """The publications page's entries: with filter data, and abstract and BibTeX to reveal."""
        template = self.env.get_template("entry_full.html")
        return self.per_paper("rich", lambda p: Markup(template.render(
            p=self.views[p.key], bibtex=self.bibtex[p.key], abstract=to_html(p.record.abstract, links=True))))

    @cached_property
    def csl(self) -> dict[str, dict]:
        """Each paper as a CSL-JSON item: for publications.json and the formatted references."""
        return self.per_paper("csl", csl_item)

    @cached_property
    def views(self) -> dict[str, dict]:
        return self.per_paper("view", self.view)

    def view(self, paper: Publication) -> dict:
        """Everything a template shows of a paper, computed here so templates only print."""
        record = paper.record
        links = []
        if record.arxiv:
            links.append(("arXiv", f"https://arxiv.org/abs/{record.arxiv}"))
        if record.doi:
            links.append(("DOI", f"https://doi.org/{record.doi}"))
        for kind, href in record.links.items():
            links.append((LINK_LABELS[kind], self.link(href)))
        authors = [(a.name, self.author_url(a), a.is_member) for a in paper.authors]
        shown = self.options.authors_shown
        members = [a.slug for a in dict.fromkeys(paper.authors + paper.members) if a.is_member]
        return {
            "key": paper.key,
            "url": self.url(f"papers/{paper.key}.md"),
            "title": to_html(record.title),
            "authors": authors,
            "shown": authors[:shown] if len(authors) > shown + 1 else authors,
            "more": authors[shown:] if len(authors) > shown + 1 else [],
            "members": [(a.name, self.author_url(a)) for a in paper.members],
            "et_al": paper.et_al,
            "venue": to_html(record.venue) if record.venue else None,
            "abbr": to_html(record.abbr) if record.abbr else None,
            "type": TYPE_LABELS[record.type],
            "date": date_label(paper),
            "award": to_html(record.award) if record.award else None,
            "selected": record.selected,
            "links": links,
            "topics": [(t.topic.title, self.url(f"topics/{t.slug}.md")) for t in paper.topics],
            "filter": {"year": year_slug(record.year), "type": record.type, "topics": " ".join(t.slug for t in paper.topics),
                       "members": " ".join(members), "venue": to_plain(record.venue) if record.venue else ""},
        }

    def page(self, path: str, template: str, meta: dict, in_nav: bool = False,
             fill: Callable[[str], str] | None = None, **context) -> Page:
        body = self.env.get_template(template).render(**context).replace(ROOT, root_prefix(path, self.options))
        return Page(path, body, meta, in_nav, html=template != "publications.md", fill=fill)

    def listing(self, papers: list[Publication], rich: bool = False) -> Markup:
        entries = self.rich_entries if rich else self.entries
        return Markup("\n".join([entries[p.key] for p in papers]))  # entries are Markup already

    def filler(self, path: str, lists: list[tuple[list[Publication], bool]]) -> Callable[[str], str]:
        """What puts the paper lists (papers, rich) into a page at their LIST_MARKs."""
        prefix = root_prefix(path, self.options)

        def fill(text: str) -> str:
            for n, (papers, rich) in enumerate(lists):
                mark = LIST_MARK.format(n)
                if mark in text:
                    text = text.replace(mark, self.listing(papers, rich).replace(ROOT, prefix), 1)
            return text

        return fill

    def paginated(self, path: str, template: str, meta: dict, papers: list[Publication], in_nav: bool = False,
                  **context) -> list[Page]:
        """A listing in pages of at most `page_size` papers: `path`, then `<path>/page-2.md`, ...
        Pages after the first are left out of search, which the first page's header serves.
        Templates get LIST_MARKs: `groups` (year slug, label, mark) and `entries` (one mark for all)."""
        size = self.options.page_size
        chunks = [papers[i : i + size] for i in range(0, len(papers), size)] or [[]]
        paths = [path] + [f"{path[:-3]}/page-{n}.md" for n in range(2, len(chunks) + 1)]
        pager = [(n, self.url(p), _year_range(chunk)) for n, (p, chunk) in enumerate(zip(paths, chunks), 1)]
        pages = []
        rich = template == "publications.md"
        for n, (page_path, chunk) in enumerate(zip(paths, chunks), 1):
            page_meta = meta if n == 1 else {**meta, "title": f"{meta['title']} (page {n})", "search": {"exclude": True}}
            years: dict[int | None, list[Publication]] = {}
            for paper in chunk:
                years.setdefault(paper.year, []).append(paper)
            lists = [(ps, rich) for ps in years.values()] + [(chunk, False)]
            groups = [(year_slug(y), year_label(y), Markup(LIST_MARK.format(i))) for i, y in enumerate(years)]
            pages.append(self.page(page_path, template, page_meta, in_nav and n == 1, self.filler(page_path, lists),
                                   groups=groups, entries=Markup(LIST_MARK.format(len(lists) - 1)), pager=pager,
                                   current=n, shown=len(chunk), **context))
        return pages

    def pages(self) -> list[Page]:
        lib = self.library
        listing_meta = {"search": {"exclude": True}}
        pages = self.paginated("publications.md", "publications.md",
                               {"title": "Publications", "labpubs_filters": True, **listing_meta},
                               lib.papers, in_nav=True, count=len(lib.papers), bib=ROOT + "publications.bib",
                               csl=ROOT + "publications.json", filters=self.filter_choices())
        pages += [self.bib_file("publications.bib", lib.papers),
                  Page("publications.json", to_csl_json([self.csl[p.key] for p in lib.papers]), html=False)]
        for paper in lib.papers:
            pages += [self.paper_page(paper), self.bib_file(f"papers/{paper.key}.bib", [paper]),
                      Page(f"papers/{paper.key}.ris", to_ris(paper), html=False)]
        pages.append(Page("feed.xml", atom_feed(lib.papers, self.options.site_name, self.options.site_url,
                                                lambda p: page_url(f"papers/{p.key}.md", self.options)), html=False))
        pages.append(self.people_index())
        for author in lib.authors.values():
            pages += self.author_pages(author) + [self.bib_file(f"people/{author.slug}.bib", author.papers)]
        topics = [(t, self.url(f"topics/{t.slug}.md")) for t in lib.topics.values()]
        pages.append(self.page("topics/index.md", "topics.md", {"title": "Topics"}, in_nav=True, topics=topics))
        for topic in lib.topics.values():
            pages += self.paginated(f"topics/{topic.slug}.md", "topic.md", {"title": to_plain(topic.topic.title)},
                                    topic.papers, title=to_html(topic.topic.title), count=len(topic.papers),
                                    description=to_html(topic.topic.description), bib=ROOT + f"topics/{topic.slug}.bib",
                                    chart=year_chart([p.year for p in topic.papers], to_plain(topic.topic.title)))
            pages.append(self.bib_file(f"topics/{topic.slug}.bib", topic.papers))
        years = [(year_label(y), self.url(f"years/{year_slug(y)}.md"), len(ps)) for y, ps in lib.years]
        pages.append(self.page("years/index.md", "years.md", {"title": "Years", **listing_meta},
                               in_nav=True, years=years))
        for year, papers in lib.years:
            slug = year_slug(year)
            pages += self.paginated(f"years/{slug}.md", "year.md", {"title": f"Publications: {year_label(year)}",
                                                                     **listing_meta}, papers,
                                    count=len(papers), bib=ROOT + f"years/{slug}.bib")
            pages.append(self.bib_file(f"years/{slug}.bib", papers))
        for gone in set(_RENDERED) - set(self.views):  # papers deleted since the last build
            del _RENDERED[gone]
        return pages

    def filter_choices(self) -> dict[str, list[tuple[str, str]]]:
        """(value, label) choices of the publications page's filters, most frequent first."""
        lib = self.library
        venues = Counter(to_plain(p.record.venue) for p in lib.papers if p.record.venue)
        types = Counter(p.record.type for p in lib.papers)
        return {
            "year": [(year_slug(y), f"{year_label(y)} ({len(ps)})") for y, ps in lib.years],
            "type": [(t, f"{TYPE_LABELS[t]} ({n})") for t, n in types.most_common()],
            "topic": [(t.slug, f"{to_plain(t.topic.title)} ({len(t.papers)})") for t in lib.topics.values() if t.papers],
            "member": [(m.slug, f"{m.name} ({len(m.papers)})") for m in lib.members if m.papers],
            "venue": [(v, f"{v} ({n})") for v, n in venues.most_common()],
        }

    def paper_page(self, paper: Publication) -> Page:
        pieces = self.memo(paper)
        if "page" not in pieces:
            pieces["page"] = self._paper_page(paper)
        return pieces["page"]

    def absolute(self, path: str) -> str:
        """A page's URL for machines: absolute with `site_url`, else relative to the site root."""
        url = page_url(path, self.options)
        return urljoin(self.options.site_url, url) if self.options.site_url else url

    def _paper_page(self, paper: Publication) -> Page:
        path = f"papers/{paper.key}.md"
        abstract = to_plain(paper.record.abstract)
        meta: dict = {"title": paper.title}
        if abstract:
            meta["description"] = abstract[:300]
        url = self.absolute(path)
        tags = highwire_tags(paper, self.options.site_url) + open_graph(paper, url if self.options.site_url else None)
        meta["labpubs"] = {"meta": tags, "jsonld": json_ld(paper, url, lambda a: self.absolute(f"people/{a.slug}.md"),
                                                           self.options.site_url)}
        return self.page(path, "paper.md", meta, p=self.views[paper.key],
                         abstract=to_html(paper.record.abstract, links=True), bibtex=self.bibtex[paper.key],
                         cite=self.cite(paper),
                         bib=ROOT + f"papers/{paper.key}.bib", ris=ROOT + f"papers/{paper.key}.ris")

    def cite(self, paper: Publication) -> Markup | str:
        styles = self.options.citation_styles
        if not styles:
            return ""
        if self.options.defer_references:
            return Markup(REFERENCES_MARK)
        return cite_section(references(self.csl[paper.key], styles))

    def author_pages(self, author: Author) -> list[Page]:
        papers = author.papers
        years = [p.year for p in papers if p.year]
        coauthors = Counter(a for p in papers for a in p.authors if a is not author)
        person = author.person
        meta = {"title": author.name} if person else {"title": author.name, "search": {"exclude": True}}
        return self.paginated(
            f"people/{author.slug}.md", "person.md", meta, papers,
            name=author.name, person=person, role=to_html(person.role) if person and person.role else None,
            count=len(papers), first=min(years, default=None), last=max(years, default=None),
            coauthors=[(a.name, self.author_url(a), a.is_member, n) for a, n in coauthors.most_common(10)],
            topics=[(to_plain(t.topic.title), self.url(f"topics/{t.slug}.md"), n) for t, n in
                    Counter(t for p in papers for t in p.topics).most_common(5)],
            chart=year_chart([p.year for p in papers], author.name) if person else "",
            bib=ROOT + f"people/{author.slug}.bib")

    def people_index(self) -> Page:
        lib = self.library
        members = [(m.name, self.author_url(m), to_html(m.person.role) if m.person.role else None, len(m.papers))
                   for m in lib.members]
        externals = sorted((a for a in lib.authors.values() if not a.is_member),
                           key=lambda a: (parse_name(a.name).family.casefold(), a.name.casefold()))
        others = [(a.name, self.author_url(a), len(a.papers)) for a in externals]
        return self.page("people/index.md", "people.md", {"title": "People"}, in_nav=True,
                         members=members, others=others)

    def fragments(self) -> dict[str, str]:
        """Lists that hand-written pages can embed with `<!-- labpubs:NAME -->` (links start with ROOT)."""
        lib = self.library
        selected = [p for p in lib.papers if p.record.selected]
        return {
            "chart": str(year_chart([p.year for p in lib.papers], self.options.site_name)),
            "selected": self.env.get_template("fragment.html").render(entries=self.listing(selected)),
            "recent": self.env.get_template("fragment.html").render(entries=self.listing(lib.papers[:RECENT_COUNT])),
        }


def _year_range(papers: list[Publication]) -> str:
    if not papers:
        return ""
    first, last = year_label(papers[0].year), year_label(papers[-1].year)
    return first if first == last else f"{first}–{last}"


def render(library: Library, options: Options = Options()) -> list[Page]:
    """Every generated page of the site, in a stable order."""
    return Renderer(library, options).pages()


def expand_markers(markdown: str, page_path: str, fragments: dict[str, str], options: Options = Options()) -> str:
    """Replace `<!-- labpubs:NAME -->` markers of a hand-written page with generated lists."""
    if "<!-- labpubs:" not in markdown:
        return markdown
    for name, html in fragments.items():
        markdown = markdown.replace(f"<!-- labpubs:{name} -->", html)
    return markdown.replace(ROOT, root_prefix(page_path, options))
