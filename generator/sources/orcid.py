"""ORCID's public API: `GET /{orcid}/works` lists a person's works, grouped, each with its
identifiers (DOI, arXiv). A work with a DOI or an arXiv id is read from Crossref or arXiv; one with
neither becomes a record from what ORCID says (title, year, venue)."""

from __future__ import annotations

import contextlib
from datetime import date

from ..client import Client
from ..identifiers import Identifier, parse_identifier
from ..records import bare_arxiv, bare_doi
from . import record_text

TYPES = {
    "journal-article": "journal",
    "conference-paper": "conference",
    "book-chapter": "chapter",
    "book": "book",
    "dissertation-thesis": "thesis",
    "preprint": "preprint",
    "report": "report",
    "working-paper": "report",
}


def works_of(client: Client, orcid: str, since: int | None = None) -> list[tuple[Identifier | None, dict]]:
    """(identifier to read the work by, or None; record fields from ORCID) for each work listed."""
    out = []
    for group in client.json("orcid", f"/{orcid}/works").get("group") or []:
        summaries = group.get("work-summary") or []
        if not summaries:
            continue
        data = fields(summaries[0])
        if since and (data.get("year") or 0) < since:  # an undated work is not known to be recent
            continue
        found = identifier(group)
        if found:
            data[found.kind] = found.value
        out.append((found, data))
    return out


def identifier(group: dict) -> Identifier | None:
    """The DOI, else the arXiv id, that a group of works names."""
    ids = {}
    for external in (group.get("external-ids") or {}).get("external-id") or []:
        kind = external.get("external-id-type")
        value = (external.get("external-id-normalized") or {}).get("value") or external.get("external-id-value")
        if kind in ("doi", "arxiv") and value and kind not in ids:
            ids[kind] = bare_doi(value) if kind == "doi" else bare_arxiv(value)
    for kind in ("doi", "arxiv"):
        if kind in ids:
            try:
                return parse_identifier(ids[kind] if kind == "doi" else f"arXiv:{ids[kind]}")
            except ValueError:
                continue
    return None


def fields(summary: dict) -> dict:
    title = record_text(((summary.get("title") or {}).get("title") or {}).get("value"))
    when = summary.get("publication-date") or {}
    parts = [int(p["value"]) for p in (when.get("year"), when.get("month"), when.get("day")) if p and p.get("value")]
    data: dict = {
        "title": title,
        "type": TYPES.get(summary.get("type", ""), "other"),
        "venue": record_text((summary.get("journal-title") or {}).get("value")),
    }
    if parts:
        data["year"] = parts[0]
    if len(parts) == 3:
        with contextlib.suppress(ValueError):
            data["date"] = date(*parts)
    url = (summary.get("url") or {}).get("value")
    if url and url.startswith(("http://", "https://")):
        data["links"] = {"url": [url]}
    return {k: v for k, v in data.items() if v}
