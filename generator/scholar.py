"""What makes a paper page findable and citable by machines: Google Scholar's Highwire Press
`<meta>` tags, schema.org JSON-LD, Open Graph, and a RIS download. All plain text (`∞Bench`,
never `$\\infty$`); the theme escapes what it prints, and the JSON-LD escapes `</`."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

from .library import Publication
from .names import ET_AL, parse_name
from .records import PAPER_KINDS, arxiv_url, doi_url
from .richtext import to_plain


def absolute(href: str | None, site_url: str | None) -> str | None:
    """An absolute URL for a link, when one can be made (site paths need `site_url`)."""
    if not href:
        return None
    if "://" in href:
        return href
    return urljoin(site_url, href.lstrip("/")) if site_url else None


def pdf_url(paper: Publication, site_url: str | None) -> str | None:
    record = paper.record
    return absolute(record.links.first("pdf"), site_url) or (
        arxiv_url(record.arxiv, pdf=True) if record.arxiv else None
    )


def highwire_tags(paper: Publication, site_url: str | None) -> list[tuple[str, str]]:
    """Google Scholar's tags, in its order: title, each author, date, venue, identifiers, PDF."""
    record = paper.record
    tags = [("citation_title", paper.title)]
    tags += [("citation_author", author.name) for author in paper.authors]
    if record.date:
        tags.append(("citation_publication_date", f"{record.date:%Y/%m/%d}"))
    elif record.year:
        tags.append(("citation_publication_date", str(record.year)))
    venue_tag = PAPER_KINDS[record.type].scholar_tag
    if record.venue and venue_tag:
        tags.append((venue_tag, to_plain(record.venue)))
    for field, tag in (
        ("volume", "citation_volume"),
        ("number", "citation_issue"),
        ("publisher", "citation_publisher"),
        ("isbn", "citation_isbn"),
        ("issn", "citation_issn"),
    ):
        if field in record.extra and tag not in dict(tags):
            tags.append((tag, to_plain(record.extra[field])))
    pages = re.split(r"\s*[-–]+\s*", record.extra.get("pages", ""), maxsplit=1)
    if pages[0]:
        tags.append(("citation_firstpage", pages[0]))
        if len(pages) > 1:
            tags.append(("citation_lastpage", pages[1]))
    if record.doi:
        tags.append(("citation_doi", record.doi))
    if record.arxiv:
        tags.append(("citation_arxiv_id", record.arxiv))
    pdf = pdf_url(paper, site_url)
    if pdf:
        tags.append(("citation_pdf_url", pdf))
    if record.abstract:
        tags.append(("citation_abstract", to_plain(record.abstract)))
    return tags


def open_graph(paper: Publication, url: str | None) -> list[tuple[str, str]]:
    tags = [("og:type", "article"), ("og:title", paper.title)]
    if paper.record.abstract:
        tags.append(("og:description", to_plain(paper.record.abstract)[:300]))
    if url:
        tags.append(("og:url", url))
    return tags


def json_ld(paper: Publication, url: str, author_url, site_url: str | None) -> str:
    """schema.org ScholarlyArticle; `</` escaped so the JSON can sit in a <script> element."""
    record = paper.record
    authors = []
    names = [name for name in record.authors if name != ET_AL]
    for name, author in zip(names, paper.authors):
        person = {"@type": "Person", "name": author.name, "url": author_url(author)}
        orcid = author.person.orcid if author.person and author.person.orcid else record.orcids.get(name)
        if orcid:
            person["sameAs"] = f"https://orcid.org/{orcid}"
        authors.append(person)
    data: dict = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": paper.title,
        "name": paper.title,
        "url": url,
    }
    if authors:
        data["author"] = authors
    if record.date or record.year:
        data["datePublished"] = record.date.isoformat() if record.date else str(record.year)
    if record.venue:
        data["isPartOf"] = {"@type": PAPER_KINDS[record.type].schema_venue, "name": to_plain(record.venue)}
    identifiers = []
    if record.doi:
        identifiers.append({"@type": "PropertyValue", "propertyID": "DOI", "value": record.doi})
    if record.arxiv:
        identifiers.append({"@type": "PropertyValue", "propertyID": "arXiv", "value": record.arxiv})
    if identifiers:
        data["identifier"] = identifiers
        data["sameAs"] = ([doi_url(record.doi)] if record.doi else []) + (
            [arxiv_url(record.arxiv)] if record.arxiv else []
        )
    if record.abstract:
        data["abstract"] = to_plain(record.abstract)
    if paper.topics:
        data["keywords"] = [to_plain(t.topic.title) for t in paper.topics]
    # inside <script>, `<!--` and `<script` change how HTML reads what follows, not only `</`:
    # JSON's own escapes for < > & keep the text the same and the markup out
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(value.split())}"


def to_ris(paper: Publication) -> str:
    """RIS, the line format EndNote, Zotero and Mendeley import."""
    record = paper.record
    lines = [_ris_line("TY", PAPER_KINDS[record.type].ris), _ris_line("TI", paper.title)]
    lines += [_ris_line("AU", parse_name(name).inverted) for name in record.authors if name != ET_AL]
    if record.venue:
        lines.append(_ris_line("JO" if record.type in ("journal", "preprint") else "T2", to_plain(record.venue)))
    if record.year:
        lines.append(_ris_line("PY", str(record.year)))
    if record.date:
        lines.append(_ris_line("DA", f"{record.date:%Y/%m/%d}/"))
    for field, tag in (("volume", "VL"), ("number", "IS"), ("publisher", "PB"), ("isbn", "SN")):
        if field in record.extra:
            lines.append(_ris_line(tag, to_plain(record.extra[field])))
    if record.doi:
        lines.append(_ris_line("DO", record.doi))
    for url in (record.links.first("url"), arxiv_url(record.arxiv) if record.arxiv else None):
        if url and "://" in url:
            lines.append(_ris_line("UR", url))
    if record.abstract:
        lines.append(_ris_line("AB", to_plain(record.abstract)))
    lines += [_ris_line("KW", to_plain(t.topic.title)) for t in paper.topics]
    return "\r\n".join(lines + ["ER  - ", ""])
