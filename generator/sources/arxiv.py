"""arXiv's API: `GET /query?id_list=ID` answers an Atom feed. A preprint that names the DOI of its
published version (`<arxiv:doi>`) comes with that version from Crossref: the published venue, the
preprint's arXiv id, one record."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

from ..client import Client, FetchError
from ..merge import COMBINE, merge
from ..records import arxiv_url, bare_arxiv, unversioned_arxiv
from . import crossref, from_display, record_text

NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


def preprint(client: Client, arxiv_id: str) -> tuple[dict, str | None]:
    """The preprint's record fields, and the DOI of its published version when arXiv knows one."""
    feed = client.xml("arxiv", "/query", {"id_list": unversioned_arxiv(arxiv_id), "max_results": 1})
    entry = feed.find("atom:entry", NS)
    if entry is None or entry.find("atom:title", NS) is None or _is_error(entry):
        raise FetchError(f"not found at arXiv ({arxiv_id})")
    data = fields(entry)
    if arxiv_id != unversioned_arxiv(arxiv_id):  # the version asked for (identity reads every version as one paper)
        data["arxiv"] = arxiv_id
    return data, entry.findtext("arxiv:doi", None, NS)


def with_published_version(client: Client, arxiv_id: str) -> list[dict]:
    """The preprint, or, when arXiv names the DOI of its published version, that version with what
    the preprint adds (its arXiv id, abstract, PDF): one paper, one candidate, by arXiv's word
    rather than by matching titles."""
    data, doi = preprint(client, arxiv_id)
    if not doi:
        return [data]
    published = crossref.work(client, doi.strip())
    return [merge(published, data, COMBINE)[0]]


def fields(entry: ET.Element) -> dict:
    """Record fields from one Atom entry of the arXiv API."""
    identifier = bare_arxiv(entry.findtext("atom:id", "", NS))
    arxiv_id = unversioned_arxiv(identifier)
    published = entry.findtext("atom:published", "", NS)[:10]
    data: dict = {
        "title": record_text(entry.findtext("atom:title", "", NS)),
        "authors": [from_display(a.findtext("atom:name", "", NS)) for a in entry.findall("atom:author", NS)],
        "type": "preprint",
        "venue": "arXiv",
        "arxiv": arxiv_id,
        "abstract": re.sub(r"\s+", " ", entry.findtext("atom:summary", "", NS)).strip() or None,
        "links": {"pdf": [arxiv_url(arxiv_id, pdf=True)]},
    }
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
        data.update(year=int(published[:4]), date=date.fromisoformat(published))
    category = entry.find("arxiv:primary_category", NS)
    extra = {"primaryclass": category.get("term")} if category is not None and category.get("term") else {}
    journal = entry.findtext("arxiv:journal_ref", None, NS)
    if journal:
        extra["journal_ref"] = re.sub(r"\s+", " ", journal).strip()
    data["extra"] = extra
    return {k: v for k, v in data.items() if v}


def _is_error(entry: ET.Element) -> bool:
    """arXiv answers a bad id with one entry titled "Error"."""
    return entry.findtext("atom:title", "", NS).strip() == "Error" and "api/errors" in entry.findtext("atom:id", "", NS)
