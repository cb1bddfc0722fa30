"""Paper identifiers as people paste them: a DOI, an arXiv id, an OpenAlex work or a DBLP record,
bare or as a URL. Read here once, before any request: a malformed id is refused with the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from .records import ARXIV_DOI, ARXIV_PATTERN, DOI_PATTERN, bare_arxiv, bare_doi, unversioned_arxiv

_DOI_URL = re.compile(r"https?://(?:dx\.)?doi\.org/", re.I)
_DOI = re.compile(rf"(?:doi:\s*|{_DOI_URL.pattern})?({DOI_PATTERN})", re.I)
_ARXIV = re.compile(
    rf"(?:arxiv:\s*|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)?({ARXIV_PATTERN})(?:\.pdf)?", re.I
)
_OPENALEX = re.compile(r"(?:https?://(?:api\.)?openalex\.org/(?:works/)?)?([Ww]\d{4,})")
_DBLP = re.compile(
    r"(?:DBLP:|https?://dblp\.(?:org|uni-trier\.de)/rec/(?:bibtex/)?)?"
    r"((?:conf|journals|books|phd|series|reference|tr|ms|persons|homepages|www|corr)/[^\s?#]+?)"
    r"(?:\.(?:html|xml|bib))?"
)


@dataclass(frozen=True)
class Identifier:
    kind: str  # "doi", "arxiv", "openalex" or "dblp"
    value: str

    def __str__(self) -> str:
        return {"doi": "DOI ", "arxiv": "arXiv:", "openalex": "OpenAlex ", "dblp": "DBLP "}[self.kind] + self.value


def id_in_link(url: str) -> Identifier | None:
    """The DOI or arXiv id (without its version) a link names: a doi.org link, arXiv's own DOI, an
    arXiv abs or pdf page; None for any other link. How the sources read the links they list."""
    try:
        found = parse_identifier(url)
    except ValueError:
        return None
    if found.kind == "arxiv":
        return Identifier("arxiv", unversioned_arxiv(found.value))
    return found if found.kind == "doi" else None


def parse_identifier(text: str) -> Identifier:
    """The identifier a pasted text names; ValueError, saying why, when it names none."""
    text = text.strip()
    if _DOI_URL.match(text):  # a DOI in a URL is percent-encoded (`10.1136%2Fx`): decoded once, here
        text = unquote(text)
    if match := _DOI.fullmatch(text):
        doi = bare_doi(match.group(1))
        arxiv = ARXIV_DOI.fullmatch(doi)
        return Identifier("arxiv", arxiv.group(1)) if arxiv else Identifier("doi", doi)
    if match := _ARXIV.fullmatch(text):
        return Identifier("arxiv", bare_arxiv(match.group(1)))
    if match := _OPENALEX.fullmatch(text):
        return Identifier("openalex", match.group(1).upper())
    if match := _DBLP.fullmatch(text):
        return Identifier("dblp", match.group(1))
    if text.lower().startswith(("10.", "doi:")) or _DOI_URL.match(text):
        raise ValueError("not a DOI: a DOI is 10.<number>/<suffix>, without spaces")
    if re.match(r"(?i)(arxiv:|\d{4}\.)", text):
        raise ValueError("not an arXiv id: new ids are YYMM.NNNNN, old ones archive/YYMMNNN")
    raise ValueError("not a DOI, an arXiv id, an OpenAlex work (W123...) or a DBLP record key (conf/.../...)")
