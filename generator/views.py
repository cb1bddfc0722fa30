"""What the templates show of a paper: one `PaperView` per paper, computed once per build, with
every label, link and flag ready, so templates only loop and print (read by attribute)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from .library import Publication
from .records import arxiv_url, doi_url
from .richtext import to_html, to_plain


@dataclass(frozen=True)
class Options:
    use_directory_urls: bool = True
    bibtex_unicode: bool = False  # keep UTF-8 in BibTeX instead of LaTeX escapes (biber, modern bibtex)
    page_size: int = 300  # papers per listing page: a page stays well under 2 MB at any lab size
    authors_shown: int = 10  # in a list entry, the authors shown before "+N more"
    site_url: str | None = None  # for absolute URLs in meta tags, JSON-LD and the feed
    site_name: str = "Publications"
    citation_styles: tuple[str, ...] = ("apa", "acl")  # see cite.STYLES
    defer_references: bool = False  # paper pages get REFERENCES_MARK; the caller fills in the references
    language: str = "en"  # theme.language: the words labpubs adds to pages


TYPE_LABELS = {
    "conference": "Conference paper",
    "journal": "Journal article",
    "preprint": "Preprint",
    "workshop": "Workshop paper",
    "book": "Book",
    "chapter": "Book chapter",
    "thesis": "Thesis",
    "report": "Technical report",
    "other": "Publication",
}
LINK_LABELS = {
    "pdf": "PDF",
    "code": "Code",
    "slides": "Slides",
    "video": "Video",
    "poster": "Poster",
    "website": "Website",
    "data": "Data",
    "supp": "Supplement",
    "blog": "Blog",
    "html": "HTML",
    "url": "Link",
}


@dataclass(frozen=True)
class Link:
    label: str
    href: str


@dataclass(frozen=True)
class Person:
    """An author as a link: name, page and whether they are a lab member (shown bold)."""

    name: str
    href: str
    member: bool


@dataclass(frozen=True)
class Filter:
    """What the publications page's filters match an entry on (`data-*` attributes)."""

    year: str
    type: str
    topics: str
    members: str
    venue: str


@dataclass(frozen=True)
class PaperView:
    key: str
    url: str
    title: Markup
    authors: tuple[Person, ...]
    shown: tuple[Person, ...]  # the authors before "+N more" (all of them when the list is short)
    more: tuple[Person, ...]  # the authors behind "+N more"
    more_members: tuple[Person, ...]  # lab members among them, named on the "+N more" line
    members: tuple[Person, ...]  # members among authors the list does not name (et al., or no list)
    et_al: bool
    venue: Markup | None
    abbr: Markup | None
    type: str
    date: str
    award: Markup | None
    selected: bool
    links: tuple[Link, ...]
    topics: tuple[Link, ...]
    filter: Filter


def date_label(paper: Publication) -> str:
    if paper.date:
        return f"{paper.date:%b} {paper.date.day}, {paper.date.year}"
    return str(paper.year) if paper.year else "Date unknown"


def year_slug(year: int | None) -> str:
    return str(year) if year is not None else "undated"


def year_label(year: int | None) -> str:
    return str(year) if year is not None else "Undated"


def paper_view(paper: Publication, options: Options, url, link) -> PaperView:
    """The view of one paper; `url(path)` and `link(href)` make its hrefs (see `render.Urls`)."""
    record = paper.record
    person = lambda a: Person(a.name, url(f"people/{a.slug}.md"), a.is_member)  # noqa: E731
    authors = tuple(person(a) for a in paper.authors)
    cut = options.authors_shown if len(authors) > options.authors_shown + 1 else len(authors)
    links = (
        ([Link("arXiv", arxiv_url(record.arxiv))] if record.arxiv else [])
        + ([Link("DOI", doi_url(record.doi))] if record.doi else [])
        + [Link(LINK_LABELS[kind], link(href)) for kind, href in record.links.items()]
    )
    members = [a.slug for a in dict.fromkeys(paper.authors + paper.members) if a.is_member]
    return PaperView(
        key=paper.key,
        url=url(f"papers/{paper.key}.md"),
        title=to_html(record.title),
        authors=authors,
        shown=authors[:cut],
        more=authors[cut:],
        more_members=tuple(a for a in authors[cut:] if a.member),
        members=tuple(person(a) for a in paper.members),
        et_al=paper.et_al,
        venue=_html(record.venue),
        abbr=_html(record.abbr),
        type=TYPE_LABELS[record.type],
        date=date_label(paper),
        award=_html(record.award),
        selected=record.selected,
        links=tuple(links),
        topics=tuple(Link(to_plain(t.topic.title), url(f"topics/{t.slug}.md")) for t in paper.topics),
        filter=Filter(
            year_slug(record.year),
            record.type,
            " ".join(t.slug for t in paper.topics),
            " ".join(members),
            to_plain(record.venue) if record.venue else "",
        ),
    )


def _html(text: str | None) -> Markup | None:
    return to_html(text) if text else None
