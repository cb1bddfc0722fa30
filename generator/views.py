"""What the templates show: a `PaperView` per paper and a `Card` per member, computed once per
build with every label (in the site's language, `i18n.Words`), link and flag ready, so templates
only loop and print (by attribute)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

from .i18n import Words
from .library import Author, Publication
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
    source_links: bool = False  # links to other pages as their .md sources (Zensical resolves them)


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


def date_label(paper: Publication, words: Words) -> str:
    if paper.date:
        return words.date(paper.date)
    return str(paper.year) if paper.year else words("date_unknown")


def year_slug(year: int | None) -> str:
    return str(year) if year is not None else "undated"


def year_label(year: int | None, words: Words) -> str:
    return str(year) if year is not None else words("undated")


def paper_view(paper: Publication, options: Options, words: Words, url, link) -> PaperView:
    """The view of one paper; `url(path)` and `link(href)` make its hrefs (see `render.Renderer`)."""
    record = paper.record
    person = lambda a: Person(a.name, url(f"people/{a.slug}.md"), a.is_member)  # noqa: E731
    authors = tuple(person(a) for a in paper.authors)
    cut = options.authors_shown if len(authors) > options.authors_shown + 1 else len(authors)
    links = (
        ([Link("arXiv", arxiv_url(record.arxiv))] if record.arxiv else [])
        + ([Link("DOI", doi_url(record.doi))] if record.doi else [])
        + [Link(words.link(kind), link(href)) for kind, href in record.links.items()]
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
        type=words.type(record.type),
        date=date_label(paper, words),
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


@dataclass(frozen=True)
class Card:
    """A member as the People page and their own page show them."""

    name: str
    url: str
    photo: str | None  # an href, or None: initials stand in (no external avatar service)
    initials: str
    role: Markup | None
    count: str  # "12 publications"
    links: tuple[Link, ...]
    until: int | None


def initials(name: str) -> str:
    """`Yingfa Chen` -> YC; a name without spaces (`韩放达`) -> its first character."""
    words = [w for w in re.split(r"[\s-]+", to_plain(name)) if w]
    if len(words) < 2:
        return (words[0][:1] if words else "?").upper()
    return (words[0][:1] + words[-1][:1]).upper()


def member_card(member: Author, words: Words, url, link) -> Card:
    person = member.person
    links = [
        (person.homepage, "homepage", link),
        (person.orcid, "orcid", lambda v: f"https://orcid.org/{v}"),
        (person.scholar, "scholar", _scholar_url),
        (person.github, "github", _github_url),
        (person.email, "email", lambda v: f"mailto:{v}"),
    ]
    return Card(
        name=member.name,
        url=url(f"people/{member.slug}.md"),
        photo=link(person.photo) if person.photo else None,
        initials=initials(member.name),
        role=to_html(person.role) if person.role else None,
        count=words.count("publications", len(member.papers)),
        links=tuple(Link(words(label), make(value)) for value, label, make in links if value),
        until=person.until,
    )


def _scholar_url(value: str) -> str:
    return value if "://" in value else f"https://scholar.google.com/citations?user={value}"


def _github_url(value: str) -> str:
    return value if "://" in value else f"https://github.com/{value}"
