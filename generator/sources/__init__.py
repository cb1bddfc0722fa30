"""Where papers live online, one module per API: each knows its API's paths and answers and makes
candidate record fields from them, and knows nothing of records on disk (`intake` does that).

`fetch(client, identifier)` gives the candidates one identifier names: one paper, or, for an arXiv
preprint whose published version has a DOI, the published version and the preprint (which
`intake` makes one record of). The helpers below turn the APIs' markup and names into record text.
"""

from __future__ import annotations

import html
import re

from ..client import Client, FetchError
from ..identifiers import Identifier
from ..names import parse_name

_TAGS = {
    "i": "textit",
    "em": "textit",
    "italic": "textit",
    "b": "textbf",
    "strong": "textbf",
    "bold": "textbf",
    "sub": "textsubscript",
    "sup": "textsuperscript",
    "tt": "texttt",
    "monospace": "texttt",
}
_MARKUP = re.compile(r"<(/?)(?:[a-z]+:)?([a-z]+)(?:\s[^>]*)?>", re.I)


def record_text(markup: str | None) -> str | None:
    """Record text from an API's text, which may hold HTML or JATS markup (`<i>`, `<jats:sub>`,
    `<jats:p>`): styles become LaTeX styles, paragraphs spaces, headings (`<jats:title>`) go."""
    if not markup:
        return None
    markup = re.sub(r"<(?:[a-z]+:)?title[^>]*>.*?</(?:[a-z]+:)?title>", " ", markup, flags=re.I | re.S)

    def tag(match: re.Match) -> str:
        command = _TAGS.get(match.group(2).lower())
        if command is None:
            return " " if match.group(2).lower() in ("p", "sec", "br", "list-item", "div") else ""
        return "}" if match.group(1) else f"\\{command}{{"

    text = html.unescape(_MARKUP.sub(tag, markup))
    return re.sub(r"\s+", " ", text).strip() or None


def person(given: str | None, family: str | None, name: str | None = None) -> str | None:
    """An author as the record writes it: "Family, Given", or a corporate name in braces."""
    given, family = (given or "").strip(), (family or "").strip()
    if family:
        return f"{family}, {given}" if given else family
    if name and name.strip():
        return "{" + name.strip() + "}"
    return None


def from_display(name: str) -> str:
    """ "Given Family" (as arXiv, OpenAlex and DBLP print names) as "Family, Given", by BibTeX's
    rules (a von part stays with the family name)."""
    name = re.sub(r"\s+\d{4}$", "", name.strip())  # DBLP's homonym number: "Wei Wang 0001"
    return parse_name(name).bibtex if " " in name else name


def fetch(client: Client, identifier: Identifier) -> list[dict]:
    """Candidate record fields for one identifier (see the module's docstring)."""
    from . import arxiv, crossref, dblp, openalex

    if identifier.kind == "doi":
        found = [crossref.work(client, identifier.value)]
    elif identifier.kind == "arxiv":
        found = arxiv.with_published_version(client, identifier.value)
    elif identifier.kind == "openalex":
        found = [openalex.work(client, identifier.value)]
    else:
        found = [dblp.record(client, identifier.value)]
    if not all(data.get("title") for data in found):
        raise FetchError(f"the answer for {identifier} gives no title: there is no record to make of it")
    return found
