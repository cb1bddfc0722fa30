"""DBLP: `GET /rec/{key}.xml` for one record, `GET /pid/{pid}.xml` for a person's records. Venues
are DBLP's short names (`ACL (1)`), authors carry ORCIDs when DBLP knows them, `<ee>` links give
the DOI and the arXiv id; CoRR entries are arXiv preprints."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..client import Client, FetchError
from ..identifiers import id_in_link
from . import from_display, record_text

TYPES = {
    "article": "journal",
    "inproceedings": "conference",
    "incollection": "chapter",
    "book": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "proceedings": "book",
}


def record(client: Client, key: str) -> dict:
    tree = client.xml("dblp", f"/rec/{key}.xml")
    found = next(iter(tree), None) if tree.tag == "dblp" else tree
    if found is None:
        raise FetchError(f"not found at DBLP ({key})")
    return fields(found)


def works_of(client: Client, pid: str) -> list[tuple[str, dict, str | None]]:
    """(record key, record fields, the person's name as the record spells it) of each record on a
    person's DBLP page."""
    person = client.xml("dblp", f"/pid/{pid}.xml")
    return [(r.get("key", ""), fields(r), spelling(r, pid)) for wrapper in person.findall("r") for r in wrapper]


def spelling(element: ET.Element, pid: str) -> str | None:
    """The author of a record that is the person `pid` (DBLP marks each author with their pid), as
    `fields` writes the name."""
    for author in element.findall("author"):
        if author.get("pid") == pid:
            return from_display("".join(author.itertext()))
    return None


def fields(element: ET.Element) -> dict:
    """Record fields from one DBLP record element (`<inproceedings key=...>`)."""
    authors, orcids = [], {}
    for author in element.findall("author"):
        name = from_display("".join(author.itertext()))
        authors.append(name)
        if author.get("orcid"):
            orcids[name] = author.get("orcid")
    title = record_text(_inner(element.find("title")))
    data: dict = {
        "title": re.sub(r"\.$", "", title or "") or None,
        "authors": authors,
        "orcids": orcids,
        "type": TYPES.get(element.tag, "other"),
        "venue": element.findtext("booktitle") or element.findtext("journal") or element.findtext("school"),
    }
    if element.findtext("year", "").isdigit():
        data["year"] = int(element.findtext("year"))
    links = []
    for ee in element.findall("ee"):
        url = (ee.text or "").strip()
        found = id_in_link(url)
        if found and found.kind == "arxiv":
            data["arxiv"] = found.value
        elif found and "doi" not in data:
            data["doi"] = found.value
        elif url:  # a web page, or a second DOI (kept as a link, not lost)
            links.append(url)
    if data.get("venue") == "CoRR" or element.get("publtype") == "informal":
        data.update(type="preprint", venue="arXiv" if data.get("arxiv") else data.get("venue"))
    if links:
        data["links"] = {"url": links[:1]}
    data["extra"] = {name: element.findtext(name) for name in ("volume", "number", "pages") if element.findtext(name)}
    if data["type"] == "preprint":
        data["extra"].pop("volume", None)  # CoRR's volume is abs/<arXiv id>
    return {k: v for k, v in data.items() if v}


def _inner(element: ET.Element | None) -> str | None:
    """An element's content as markup (DBLP titles hold <i>, <sub>, <sup>)."""
    if element is None:
        return None
    return (element.text or "") + "".join(ET.tostring(child, encoding="unicode") for child in element)
