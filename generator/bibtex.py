"""BibTeX for a paper, written field by field so that pasting it into a .bib file compiles.

Text goes through `latex.prose_source` (literal braces, `%`, `&`, `#`, `$`, `~` escaped; LaTeX
commands kept), then `_` and `^` are escaped and non-ASCII becomes LaTeX (`Jörg` ->
`J{\\"o}rg`); math stays `$...$`. Identifiers (DOI, eprint, URL) are verbatim fields and are
never encoded. Capitals that a style must not lower-case (`MiniCPM`, `LLMs`) are braced.
"""

from __future__ import annotations

import logging
import re

from pylatexenc.latexencode import UnicodeToLatexEncoder

from .latex import prose_source, segments
from .library import Publication
from .names import parse_name

logging.getLogger("pylatexenc.latexencode").setLevel(logging.ERROR)

ENTRY_TYPES = {
    "conference": "inproceedings", "workshop": "inproceedings", "journal": "article", "preprint": "misc",
    "book": "book", "chapter": "incollection", "thesis": "phdthesis", "report": "techreport", "other": "misc",
}
VENUE_FIELDS = {
    "inproceedings": "booktitle", "incollection": "booktitle", "article": "journal", "phdthesis": "school",
    "techreport": "institution", "book": "publisher", "misc": "howpublished",
}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_encoder = UnicodeToLatexEncoder(non_ascii_only=True, replacement_latex_protection="braces-all",
                                 unknown_char_policy="keep")
_INNER_CAPITAL = re.compile(r"^[^\W\d_]?[\w'.:,;!?()-]*[A-Z][\w'.:,;!?()-]*$")


def _balanced(text: str) -> bool:
    depth, i = 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0


def _prose(source: str) -> str:
    latex = prose_source(source)
    latex = re.sub(r"(?<!\\)_", r"\\_", latex)
    latex = re.sub(r"(?<!\\)\^", r"\\textasciicircum{}", latex)
    return _encoder.unicode_to_latex(latex)


def latex_value(text: str, protect_capitals: bool = False) -> str:
    """Record text as a BibTeX field value (without the outer braces)."""
    out = []
    for is_math, source in segments(text):
        if is_math and _balanced(source):
            out.append(f"${source}$")
        elif is_math:  # a formula with a stray brace cannot be kept as math in BibTeX
            out.append(_prose(f"${source}$").replace("$", r"\$"))
        elif protect_capitals:
            out.append(re.sub(r"[^\s]+", lambda m: _protect(m.group(0)), _prose(source)))
        else:
            out.append(_prose(source))
    return "".join(out)


def _protect(word: str) -> str:
    """`MiniCPM:` -> `{MiniCPM}:`: words with a capital after their first letter keep their case."""
    core = word.rstrip(":,;.!?")
    if len(core) > 1 and _INNER_CAPITAL.match(core) and any(c.isupper() for c in core[1:]):
        return "{" + core + "}" + word[len(core):]
    return word


def name_value(name: str) -> str:
    """One author as "von Last, Jr, First", braces of corporate names kept, specials escaped."""
    parts = parse_name(name)
    text = parts.bibtex if _balanced(name) else name.replace("{", "").replace("}", "")
    text = re.sub(r"(?<!\\)([&%#$_])", r"\\\1", text)
    return _encoder.unicode_to_latex(text)


def _verbatim(value: str) -> str:
    return value.replace("{", "%7B").replace("}", "%7D")


def bibtex_fields(paper: Publication) -> tuple[str, list[tuple[str, str]]]:
    """The entry type and the (field, braced-free value) pairs, in conventional order."""
    record = paper.record
    entry_type = ENTRY_TYPES[record.type]
    fields: list[tuple[str, str]] = []
    names = [a for a in record.authors]
    if names:
        fields.append(("author", " and ".join("others" if n == "others" else name_value(n) for n in names)))
    fields.append(("title", latex_value(record.title, protect_capitals=True)))
    if record.venue:
        fields.append((VENUE_FIELDS[entry_type], latex_value(record.venue, protect_capitals=True)))
    if record.year:
        fields.append(("year", str(record.year)))
    if record.date:
        fields.append(("month", MONTHS[record.date.month - 1]))
    if record.doi:
        fields.append(("doi", _verbatim(record.doi)))
    if record.arxiv:
        fields += [("eprint", _verbatim(record.arxiv)), ("archiveprefix", "arXiv")]
    url = next((u for u in (record.links.url, record.links.website, record.links.pdf) if u and "://" in u), None)
    if url:
        fields.append(("url", _verbatim(url)))
    return entry_type, fields


def to_bibtex(paper: Publication) -> str:
    """The paper's BibTeX entry; its cite key is the record's key."""
    entry_type, fields = bibtex_fields(paper)
    lines = [f"@{entry_type}{{{paper.key},"]
    for name, value in fields:
        lines.append(f"  {name} = {value}," if name == "month" else f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines)
