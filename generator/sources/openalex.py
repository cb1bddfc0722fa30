"""OpenAlex: `GET /works/W...` for one work, `GET /works?filter=author.id:A...` for an author's
works (cursor paging). Abstracts come as an inverted index of words."""

from __future__ import annotations

import re
from datetime import date

from ..client import Client
from ..identifiers import id_in_link
from . import from_display, record_text

TYPES = {
    "article": "journal",
    "review": "journal",
    "letter": "journal",
    "book-chapter": "chapter",
    "book": "book",
    "dissertation": "thesis",
    "report": "report",
    "preprint": "preprint",
}
PAGE = 200


def work(client: Client, work_id: str) -> dict:
    return fields(client.json("openalex", f"/works/{work_id}"))


def works_of(client: Client, author_id: str, since: int | None = None) -> list[tuple[dict, str | None]]:
    """(record fields, the author's name as the work spells it) of every work OpenAlex lists for an
    author (an id such as A5048491430), newest first."""
    out, cursor = [], "*"
    condition = f"author.id:{author_id}" + (f",publication_year:>{since - 1}" if since else "")
    while cursor:
        page = client.json(
            "openalex",
            "/works",
            {"filter": condition, "per-page": PAGE, "cursor": cursor, "sort": "publication_date:desc"},
        )
        out += [(fields(item), spelling(item, author_id)) for item in page.get("results", [])]
        cursor = (page.get("meta") or {}).get("next_cursor") if page.get("results") else None
    return out


def fields(item: dict) -> dict:
    """Record fields from an OpenAlex work."""
    authors, orcids = [], {}
    for authorship in item.get("authorships") or []:
        author = authorship.get("author") or {}
        if not author.get("display_name"):
            continue
        name = from_display(author["display_name"])
        authors.append(name)
        if author.get("orcid"):
            orcids[name] = author["orcid"].rsplit("/", 1)[-1]
    source = (item.get("primary_location") or {}).get("source") or {}
    venue = source.get("display_name")
    kind = TYPES.get(item.get("type", ""), "other")
    if item.get("type") == "article" and source.get("type") == "conference":
        kind = "conference"
    arxiv = _arxiv_id(item)
    found = id_in_link(item.get("doi") or "")  # arXiv's DOI of a preprint is its arXiv id, not a DOI
    doi = found.value if found and found.kind == "doi" else None
    if arxiv and (kind == "preprint" or (venue or "").lower().startswith("arxiv")):
        kind, venue = "preprint", "arXiv"
    data: dict = {
        "title": record_text(item.get("display_name") or item.get("title")),
        "authors": authors,
        "orcids": orcids,
        "type": kind,
        "venue": record_text(venue),
        "doi": doi,
        "arxiv": arxiv,
        "abstract": abstract(item.get("abstract_inverted_index")),
    }
    published = item.get("publication_date") or ""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
        data.update(year=int(published[:4]), date=date.fromisoformat(published))
    elif item.get("publication_year"):
        data["year"] = int(item["publication_year"])
    landing = (item.get("primary_location") or {}).get("landing_page_url")
    if landing and "doi.org/" not in landing and "arxiv.org/" not in landing:
        data["links"] = {"url": [landing]}
    biblio = item.get("biblio") or {}
    pages = "--".join(p for p in (biblio.get("first_page"), biblio.get("last_page")) if p)
    data["extra"] = {
        k: v
        for k, v in (
            ("volume", biblio.get("volume")),
            ("number", biblio.get("issue")),
            ("pages", pages if biblio.get("first_page") != biblio.get("last_page") else biblio.get("first_page")),
        )
        if v
    }
    return {k: v for k, v in data.items() if v}


def spelling(item: dict, author_id: str) -> str | None:
    """The author of a work that is the author `author_id`, as `fields` writes the name."""
    for authorship in item.get("authorships") or []:
        author = authorship.get("author") or {}
        if (author.get("id") or "").rsplit("/", 1)[-1] == author_id and author.get("display_name"):
            return from_display(author["display_name"])
    return None


def abstract(inverted: dict | None) -> str | None:
    """The abstract from OpenAlex's inverted index (word -> positions)."""
    if not inverted:
        return None
    words = sorted((position, word) for word, positions in inverted.items() for position in positions)
    return record_text(" ".join(word for _, word in words))


def _arxiv_id(item: dict) -> str | None:
    links = [location.get("landing_page_url") or "" for location in item.get("locations") or []]
    found = [id_in_link(url) for url in [*links, item.get("doi") or ""]]
    return next((f.value for f in found if f and f.kind == "arxiv"), None)
