"""An Atom feed of the newest publications, written with ElementTree (which escapes for XML)."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

from .library import Publication
from .richtext import to_plain

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 20


def _stamp(paper: Publication) -> str:
    day = paper.date or datetime.date(paper.year, 1, 1)
    return f"{day.isoformat()}T00:00:00Z"


def atom_feed(papers: list[Publication], title: str, author: str, url_of, feed_url: str, absolute: bool) -> str:
    """The newest dated papers (`papers` come newest first). `url_of(paper)` and `feed_url` are
    absolute when the site has a `site_url` (`absolute`), relative to the feed otherwise; ids are
    tag-free and stable: the page URL, or a URN."""
    ET.register_namespace("", ATOM)
    dated = [p for p in papers if p.year][:FEED_SIZE]
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_url if absolute else f"urn:labpubs:{author}"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(dated[0]) if dated else "1970-01-01T00:00:00Z"
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=feed_url)
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = author
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "labpubs"
    for paper in dated:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        href = url_of(paper)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = paper.title
        ET.SubElement(entry, f"{{{ATOM}}}id").text = href if absolute else f"urn:labpubs:paper:{paper.key}"
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=href)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(paper)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _stamp(paper)
        for author in paper.authors or paper.members:
            ET.SubElement(ET.SubElement(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = author.name
        for topic in paper.topics:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=topic.slug, label=to_plain(topic.topic.title))
        summary = " · ".join(x for x in (to_plain(paper.record.venue), str(paper.year)) if x)
        if paper.record.abstract:
            summary += "\n\n" + to_plain(paper.record.abstract)
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
