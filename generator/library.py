"""The in-memory library: papers with their authors resolved to people, and the indices
(by author, topic and year) that every page is made from. Built once per build."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from .errors import Problem
from .loader import Content
from .names import ET_AL, name_key, parse_name, slugify
from .records import Paper, Person, Topic
from .richtext import to_plain


@dataclass(eq=False, repr=False)
class Author:
    """Anyone in an author list: a lab member (with a `person` record) or an external co-author."""

    slug: str
    name: str
    person: Person | None = None
    papers: list[Publication] = field(default_factory=list)

    @property
    def is_member(self) -> bool:
        return self.person is not None

    def __repr__(self) -> str:  # authors and papers point at each other: keep repr short and finite
        return f"Author({self.slug!r})"


@dataclass(eq=False, repr=False)
class TopicEntry:
    slug: str
    topic: Topic
    papers: list[Publication] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"TopicEntry({self.slug!r})"


@dataclass(eq=False, repr=False)
class Publication:
    """A paper record with everything resolved: authors, topics, plain-text title."""

    key: str
    record: Paper
    authors: list[Author]
    et_al: bool
    members: list[Author]
    topics: list[TopicEntry]
    title: str | None = None  # plain text of the record's title (given by `build_library`, which memoises it)

    def __post_init__(self) -> None:
        if self.title is None:
            self.title = to_plain(self.record.title)

    def __repr__(self) -> str:
        return f"Publication({self.key!r})"

    @property
    def year(self) -> int | None:
        return self.record.year

    @property
    def date(self) -> date | None:
        return self.record.date

    def sort_key(self) -> tuple:
        """Newest first; undated last; then by title."""
        record = self.record
        return (
            record.year is None,
            -(record.year or 0),
            -(record.date.toordinal() if record.date else 0),
            self.title.casefold(),
        )


@dataclass
class Library:
    papers: list[Publication]
    members: list[Author]
    authors: dict[str, Author]
    topics: dict[str, TopicEntry]
    years: list[tuple[int | None, list[Publication]]]
    problems: list[Problem]

    @property
    def by_key(self) -> dict[str, Publication]:
        return {paper.key: paper for paper in self.papers}


def build_library(content: Content, plain: Callable[[str], str] = to_plain) -> Library:
    """Resolve names, topics and members across records; cross-record problems are collected."""
    members, index = _members(content)
    authors: dict[str, Author] = {m.slug: m for m in members}
    by_name: dict[str, Author] = dict(index)
    topics = {slug: TopicEntry(slug, topic) for slug, topic in content.topics.items()}
    papers = []
    for key, record in content.papers.items():
        paper_authors, et_al = [], False
        for name in record.authors:
            if name == ET_AL:
                et_al = True
                continue
            author = by_name.get(name_key(name))
            if author is None:
                author = Author(_unique_slug(name, authors), parse_name(name).display)
                authors[author.slug] = by_name[name_key(name)] = author
            paper_authors.append(author)
        paper_members = [authors[slug] for slug in record.members if slug in authors]  # the loader checked them
        paper_topics = [topics[slug] for slug in record.topics]
        papers.append(Publication(key, record, paper_authors, et_al, paper_members, paper_topics, plain(record.title)))
    papers.sort(key=Publication.sort_key)
    for paper in papers:
        for author in dict.fromkeys(paper.authors + paper.members):
            author.papers.append(paper)
        for topic in paper.topics:
            topic.papers.append(paper)
    years: dict[int | None, list[Publication]] = {}
    for paper in papers:
        years.setdefault(paper.year, []).append(paper)
    return Library(papers, members, authors, topics, list(years.items()), list(content.problems))


def _members(content: Content) -> tuple[list[Author], dict[str, Author]]:
    """Members from people.yaml, and the index from every spelling (name and aliases) to them."""
    members: list[Author] = []
    index: dict[str, Author] = {}
    taken: dict[str, Author] = {}
    people_file = content.root / "people.yaml"
    for position, person in zip(content.people_at, content.people):
        member = Author(person.slug or _unique_slug(person.name, taken), to_plain(person.name), person)
        if member.slug in taken:
            content.problem(people_file, (position, "slug"), f"slug `{member.slug}` is used twice")
            continue
        taken[member.slug] = member
        members.append(member)
        for spelling in [person.name, *person.aliases]:
            key = name_key(spelling)
            other = index.get(key)
            if other is not None and other is not member:
                content.problem(
                    people_file,
                    (position,),
                    f"`{spelling}` also names {other.name}: one spelling can lead to one member only",
                )
            index[key] = member
    return members, index


def _unique_slug(name: str, taken: dict[str, Author]) -> str:
    base = slugify(parse_name(name).display) or "author-" + hashlib.sha1(name_key(name).encode()).hexdigest()[:8]
    if base == "index":
        base = "index-author"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
