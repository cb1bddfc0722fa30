"""Crossref's REST API: `GET /works/{doi}` for one work, `GET /works?query.bibliographic=...` to
find one by its title. Types, dates, the container as venue, JATS abstracts, ORCIDs."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from ..client import Client
from . import person, record_text

TYPES = {
    "journal-article": "journal",
    "proceedings-article": "conference",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "posted-content": "preprint",
    "dissertation": "thesis",
    "report": "report",
    "report-component": "report",
}
EXTRA = {"volume": "volume", "issue": "number", "page": "pages"}


def work(client: Client, doi: str) -> dict:
    """The work a DOI names (`<`, `>`, `;` and all: the DOI is percent-encoded in the path)."""
    answer = client.json("crossref", "/works/" + quote(doi, safe="/:()"))
    return fields(answer.get("message") or {})


def search(client: Client, title: str, rows: int = 5) -> list[dict]:
    """Works whose bibliographic data best match a title, best first."""
    answer = client.json("crossref", "/works", {"query.bibliographic": title, "rows": rows})
    return [fields(item) for item in (answer.get("message") or {}).get("items", [])]


def fields(item: dict) -> dict:
    """Record fields from a Crossref work."""
    title = record_text(" ".join(item.get("title") or []))
    subtitle = record_text(" ".join(item.get("subtitle") or []))
    data: dict = {"title": f"{title}: {subtitle}" if title and subtitle and subtitle not in title else title}
    authors, orcids = [], {}
    for someone in item.get("author") or []:
        name = person(someone.get("given"), someone.get("family"), someone.get("name"))
        if name:
            authors.append(name)
            if someone.get("ORCID"):
                orcids[name] = someone["ORCID"].rsplit("/", 1)[-1]
    data.update(authors=authors, orcids=orcids)
    data.update(_when(item.get("issued") or item.get("published") or {}))
    kind = TYPES.get(item.get("type", ""), "other")
    if item.get("subtype") == "preprint":
        kind = "preprint"
    container = record_text(" ".join(item.get("container-title") or [])[:300])
    if kind == "conference" and container and re.search(r"\bworkshops?\b", container, re.I):
        kind = "workshop"
    data["type"] = kind
    data["venue"] = container or (record_text(item.get("publisher")) if kind in ("book", "report", "thesis") else None)
    data["doi"] = item.get("DOI")
    data["abstract"] = record_text(item.get("abstract"))
    primary = (item.get("resource") or {}).get("primary", {}).get("URL")
    if primary and "doi.org/" not in primary:
        data["links"] = {"url": [primary]}
    data["extra"] = {name: str(item[key]) for key, name in EXTRA.items() if item.get(key)}
    if item.get("publisher") and data["venue"] != record_text(item["publisher"]):
        data["extra"]["publisher"] = record_text(item["publisher"])
    return {k: v for k, v in data.items() if v}


def _when(issued: dict) -> dict:
    """`year` and, for a whole day, `date` from Crossref's date-parts."""
    parts = (issued.get("date-parts") or [[]])[0] or []
    if not parts or not parts[0]:
        return {}
    if len(parts) == 3:
        try:
            return {"year": int(parts[0]), "date": date(*map(int, parts))}
        except ValueError:
            pass
    return {"year": int(parts[0])}
