"""CSL-JSON, the citation format Zotero, pandoc and citeproc read, made from the library."""

from __future__ import annotations

import json

from .library import Publication
from .names import ET_AL, parse_name
from .records import MONTHS, PAPER_KINDS, arxiv_url
from .richtext import to_plain

EXTRA = {
    "volume": "volume",
    "number": "issue",
    "pages": "page",
    "publisher": "publisher",
    "isbn": "ISBN",
    "issn": "ISSN",
    "edition": "edition",
    "address": "publisher-place",
    "note": "note",
    "series": "collection-title",
}


def csl_name(name: str) -> dict:
    parts = parse_name(name)
    if not parts.first and len(parts.last) == 1 and parts.last[0].startswith("{"):
        return {"literal": parts.display}  # a corporate author such as {OpenBMB Team}
    person = {"family": to_plain(" ".join(parts.last).replace("{", "").replace("}", ""))}
    if parts.first:
        person["given"] = to_plain(" ".join(parts.first).replace("{", "").replace("}", ""))
    if parts.von:
        person["non-dropping-particle"] = to_plain(" ".join(parts.von))
    if parts.jr:
        person["suffix"] = to_plain(" ".join(parts.jr))
    return person


def csl_item(paper: Publication) -> dict:
    record = paper.record
    kind = PAPER_KINDS[record.type]
    item: dict = {"id": paper.key, "type": kind.csl, "title": paper.title}  # the plain title, made once
    authors = [csl_name(n) if n != ET_AL else {"literal": ET_AL} for n in record.authors]  # et al.: say so
    if authors:
        item["author"] = authors
    if record.year:
        parts = [record.year]
        month = record.date.month if record.date else None
        if not month and record.extra.get("month", "")[:3].lower() in MONTHS:
            month = MONTHS.index(record.extra["month"][:3].lower()) + 1
        if month:
            parts.append(month)
            if record.date:
                parts.append(record.date.day)
        item["issued"] = {"date-parts": [parts]}
    if record.venue:
        item["container-title" if kind.venue_is_container else "publisher"] = to_plain(record.venue)
    if record.arxiv and record.type in ("preprint", "other"):  # a published paper cites its venue instead
        item.setdefault("publisher", "arXiv")
        item["number"] = f"arXiv:{record.arxiv}"
    if record.doi:
        item["DOI"] = record.doi
    url = record.links.first("url") or (arxiv_url(record.arxiv) if record.arxiv else None)
    if url and "://" in url:
        item["URL"] = url
    if record.abstract:
        item["abstract"] = to_plain(record.abstract)
    if paper.topics:
        item["keyword"] = ", ".join(t.topic.title for t in paper.topics)
    for name, csl_field in EXTRA.items():
        if name in record.extra and csl_field not in item:
            item[csl_field] = to_plain(record.extra[name])
    if "editor" in record.extra:
        item["editor"] = [csl_name(n.strip()) for n in record.extra["editor"].split(" and ") if n.strip()]
    return item


def to_csl_json(items: list[dict]) -> str:
    """A CSL-JSON file of `csl_item`s."""
    return json.dumps(items, ensure_ascii=False, indent=1) + "\n"


def csl_json_item(item: dict) -> bytes:
    """One item as `to_csl_json` writes it, in UTF-8, for `join_csl_json` (a site keeps each
    paper's text while the paper is unchanged, instead of writing every item again)."""
    return json.dumps([item], ensure_ascii=False, indent=1)[2:-2].encode()


def join_csl_json(texts: list[bytes] | tuple[bytes, ...]) -> bytes:
    """`to_csl_json` of the items whose `csl_json_item` texts these are, in UTF-8."""
    return b"[\n" + b",\n".join(texts) + b"\n]\n" if texts else b"[]\n"
