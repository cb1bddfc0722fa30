"""BibTeX for a paper, written field by field so that pasting it into a .bib file compiles.

Text goes through `latex.prose_source` (literal braces, `%`, `&`, `#`, `$`, `~` escaped; LaTeX
commands kept), then `_` and `^` are escaped and non-ASCII becomes LaTeX (`Jörg` ->
`J{\\"o}rg`); math stays `$...$`. Identifiers (DOI, eprint, URL) are verbatim fields and are
never encoded. Capitals that a style must not lower-case (`MiniCPM`, `LLMs`) are braced.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache, lru_cache

from pylatexenc.latexencode import UnicodeToLatexEncoder

from .latex import COMBINING_ACCENTS, MATH_SYMBOLS, balanced, from_latex, prose_source, segments
from .library import Publication
from .names import ET_AL, parse_name
from .records import BIBTEX_TYPES, LINK_KINDS, MONTHS, PAPER_KINDS

logging.getLogger("pylatexenc.latexencode").setLevel(logging.ERROR)

_encoder = UnicodeToLatexEncoder(
    non_ascii_only=True, replacement_latex_protection="braces-all", unknown_char_policy="keep"
)
# LaTeX's own spellings of common punctuation, nicer to read than the encoder's commands.
_PRETTY = {"–": "--", "—": "---", "“": "``", "”": "''"}
_URL_ARGUMENT = re.compile(r"(\\(?:url|href)\{[^{}]*\})")


@cache
def _latex_char(c: str, pretty: bool = True, math: bool = True) -> str:
    """LaTeX for one non-ASCII character (or a letter with combining accents), only if it decodes
    back to it; the character itself (UTF-8) otherwise, so that import -> export -> import changes
    nothing. Greek letters and math symbols become `\\ensuremath{\\alpha}`: pdflatex sets them in
    text, where a bare `α` stops it; not in names (`math=False`), where BibTeX would split the
    command's letters into the name's parts."""
    # `{\\'i}`, not `{\\'\\i}`: biber reads the dotless form as ı + a combining accent, which pdflatex cannot set
    encoded = _encoder.unicode_to_latex(c)
    candidates = (
        _PRETTY.get(c) if pretty else None,
        re.sub(r"\\([ij])\b", r"\1", encoded),
        encoded,
        encoded[1:-1] if math and encoded.startswith("{\\ensuremath{") else None,  # `{α}` would come back braced
        MATH_SYMBOLS.get(c) if math else None,
        _accented(c),
    )
    for candidate in candidates:
        if candidate and candidate != c and from_latex(candidate) == c:
            return candidate
    return c


def _accented(cluster: str) -> str | None:
    """`h` + combining macron (no precomposed letter) as `\\={h}`."""
    if len(cluster) != 2 or not cluster[0].isascii() or cluster[1] not in COMBINING_ACCENTS:
        return None
    return f"\\{COMBINING_ACCENTS[cluster[1]]}{{{cluster[0]}}}"


def encode_unicode(text: str, math: bool = True) -> str:
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    out = []
    for i, c in enumerate(text):
        before = text[i - 1] if i else ""
        if unicodedata.combining(c) and out:  # an accent no precomposed letter has: with its letter
            out[-1] = (
                _latex_char(unicodedata.normalize("NFC", before + c), math=math) if before.isascii() else out[-1] + c
            )
            continue
        if c.isascii() or (before == "\\" and _escaping(text, i - 1)):  # `\é` is a command name: keep it
            out.append(c)
            continue
        # `--` next to a hyphen, a quote next to a quote, or `!`/`?` before `` would read as another mark
        beside = before + (text[i + 1] if i + 1 < len(text) else "")
        out.append(_latex_char(c, pretty=not any(b in "-`'!?" for b in beside), math=math))
    return "".join(out)


def _escaping(text: str, i: int) -> bool:
    """Whether the backslash at `i` starts a command (it is not itself escaped by one before it)."""
    run = len(text[: i + 1]) - len(text[: i + 1].rstrip("\\"))
    return run % 2 == 1


def needs_protection(word: str) -> bool:
    """A word with a capital after its first character (`MiniCPM`, `LLMs`, `FR-Spec`): the writer
    braces it so that bibliography styles keep its case, and the importer drops those braces."""
    return len(word) > 1 and not any(c in word for c in "{}\\$") and any(c.isupper() for c in word[1:])


def _protect(match: re.Match) -> str:
    return _protected(match.group(0))


@lru_cache(maxsize=65536)  # words repeat across titles: each is decoded once
def _protected(word: str) -> str:
    """`MiniCPM:` -> `{MiniCPM}:`; never around a word that ends in a command (`U.S.\\ Army`)."""
    core = word.rstrip(":,;.!?")
    if re.search(r"\\[A-Za-z]*$", core):
        return word
    if needs_protection(from_latex(core)) and balanced(core):
        return "{" + core + "}" + word[len(core) :]
    return word


def _prose(source: str, unicode: bool = False, protect: bool = False) -> str:
    parts = _URL_ARGUMENT.split(prose_source(source))  # odd parts: \url{...} arguments, kept verbatim
    for i in range(0, len(parts), 2):
        latex = re.sub(r"(?<!\\)_", r"\\_", parts[i])
        latex = re.sub(r"(?<!\\)\^", r"\\textasciicircum{}", latex)
        if not unicode:
            latex = encode_unicode(latex)
        if protect:
            latex = re.sub(r"\S+", _protect, latex)
        parts[i] = latex
    return "".join(parts)


def latex_value(text: str, protect_capitals: bool = False, unicode: bool = False) -> str:
    """Record text as a BibTeX field value (without the outer braces); `unicode` keeps UTF-8."""
    out = []
    for is_math, source in segments(text):
        if is_math:  # records hold no bare % # & in formulas (see records._text)
            out.append(f"${source}$")
        else:
            out.append(_prose(source, unicode, protect_capitals))
    value = "".join(out)
    # BibTeX counts every brace, escaped or not: literal braces that do not pair are spelled out
    if not balanced(value.replace("\\{", "{").replace("\\}", "}")):
        value = "".join(
            f"${_spell_braces(piece, 'lbrace', 'rbrace')}$"
            if is_math
            else _spell_braces(piece, "textbraceleft", "textbraceright")
            for is_math, piece in segments(value)
        )
    # `\\` before a closing brace reads as an escaped brace to bibtexparser
    return re.sub(r"(?<!\\)((?:\\\\)+)(?=\}|$)", r"\1{}", value)


def _spell_braces(latex: str, left: str, right: str) -> str:
    return re.sub(r"(?<!\\)\\([{}])", lambda m: f"\\{left if m.group(1) == '{' else right}{{}}", latex)


@lru_cache(maxsize=65536)  # authors repeat across papers: each spelling is written once
def name_value(name: str, unicode: bool = False) -> str:
    """One author as "von Last, Jr, First", braces of corporate names kept, specials escaped, a
    word "and" broken up (BibTeX would split the list at it)."""
    parts = parse_name(name)
    text = parts.bibtex if balanced(name) else name.replace("{", "").replace("}", "")
    text = re.sub(r"(?<!\\)([&%#$_])", r"\\\1", text)
    # `an{}d`, not `{and}`: a braced word counts as capitalised, which would move a "von" part
    text = re.sub(r"(?<![{\w])(an)(d)(?![\w}])", r"\1{}\2", text, flags=re.I)
    if unicode:
        return text
    encoded = encode_unicode(text, math=False)
    # an encoded first letter ({\ss}) hides a lower-case von part from name splitting: keep UTF-8
    return encoded if parse_name(encoded).von == tuple(map(encode_unicode, parse_name(text).von)) else text


def _verbatim(value: str) -> str:
    value = value.replace("{", "%7B").replace("}", "%7D")
    return value + " " if value.endswith("\\") else value  # `...\}` would read as an escaped brace


# Conventional order; fields not listed follow alphabetically.
ORDER = (
    "author",
    "editor",
    "title",
    "booktitle",
    "journal",
    "school",
    "institution",
    "howpublished",
    "series",
    "edition",
    "volume",
    "number",
    "pages",
    "chapter",
    "publisher",
    "organization",
    "address",
    "year",
    "month",
    "note",
    "isbn",
    "issn",
    "doi",
    "eprint",
    "archiveprefix",
    "primaryclass",
    "url",
)
# What a citation needs: the page's BibTeX block and the .bib downloads carry these fields only;
# `labpubs export` carries everything (abstract, keywords, al-folio's fields, all of `extra`).
CITATION_FIELDS = set(ORDER) | {
    "type",
    "location",
    "issue",
    "language",
    "urldate",
    "numpages",
    "articleno",
    "eprinttype",
    "eprintclass",
    "subtitle",
    "date",
    "day",
    "pubstate",
}
# Identifiers, paths and numbers: written and read as they are, never LaTeX-encoded or decoded.
VERBATIM_FIELDS = {
    "url",
    "doi",
    "eprint",
    "file",
    "pdf",
    "preview",
    "html",
    "isbn",
    "issn",
    "google_scholar_id",
    "arxiv",
    "code",
    "website",
    "slides",
    "poster",
    "video",
    "supp",
    "blog",
    "data",
    "urldate",
    "pages",
    "volume",
    "number",
    "numpages",
    "articleno",
}
_RANK = {name: i for i, name in enumerate(ORDER)}


def bibtex_fields(paper: Publication, full: bool = False, unicode: bool = False) -> tuple[str, list[tuple[str, str]]]:
    """The entry type and (field, value without outer braces) pairs, in conventional order."""
    record = paper.record
    extra = dict(record.extra)
    entry_type = extra.pop("entrytype", None) or PAPER_KINDS[record.type].bibtex
    text = lambda value, protect=False: latex_value(value, protect, unicode)
    fields: dict[str, str] = {}
    if record.authors:
        fields["author"] = " and ".join(ET_AL if n == ET_AL else name_value(n, unicode) for n in record.authors)
    fields["title"] = text(record.title, True)
    if record.venue:
        fields[BIBTEX_TYPES.get(entry_type, (None, "howpublished"))[1]] = text(record.venue, True)
    if record.year:
        fields["year"] = str(record.year)
    month = MONTHS[record.date.month - 1] if record.date else extra.pop("month", None)
    if month and month not in MONTHS:
        month = text(month)
    if record.date:
        extra.pop("month", None)
    if record.doi:
        fields["doi"] = _verbatim(record.doi)
    if record.arxiv:
        fields.update(eprint=_verbatim(record.arxiv), archiveprefix="arXiv")
    if record.links.url:
        fields["url"] = _verbatim(record.links.url[0])
    if full:
        fields.update(_labpubs_fields(paper, extra, text))
    for name, value in extra.items():
        if name not in fields and (full or name in CITATION_FIELDS):
            fields[name] = _verbatim(value) if name in VERBATIM_FIELDS else text(value)
    pairs = sorted(fields.items(), key=lambda item: (_RANK.get(item[0], len(ORDER)), item[0]))
    if month:
        position = next((i for i, (name, _) in enumerate(pairs) if _RANK.get(name, 99) > _RANK["month"]), len(pairs))
        pairs.insert(position, ("month", month))
    return entry_type, pairs


def _labpubs_fields(paper: Publication, extra: dict, text) -> dict[str, str]:
    """What only labpubs and al-folio read back: the whole date, abstract, keywords, badges, links,
    ORCIDs (as Web of Science writes them: `orcid-numbers = {Family, Given/0000-...; ...}`)."""
    record, fields = paper.record, {}
    if record.date:  # biblatex's field; year and month alone would lose the day
        fields["date"] = record.date.isoformat()
    if record.abstract:
        fields["abstract"] = text(record.abstract)
    keywords = [t.topic.title for t in paper.topics] + ([extra.pop("keywords")] if "keywords" in extra else [])
    if keywords:
        fields["keywords"] = text(", ".join(keywords))
    for name in ("abbr", "award"):
        if getattr(record, name):
            fields[name] = text(getattr(record, name))
    if record.selected:
        fields["selected"] = "true"
    if record.orcids:
        fields["orcid-numbers"] = "; ".join(f"{text(name)}/{orcid}" for name, orcid in record.orcids.items())
    for kind in LINK_KINDS:  # a second link of a kind as `code_2`, which the importer reads back
        urls = getattr(record.links, kind)[1 if kind == "url" else 0 :]
        for n, href in enumerate(urls, 2 if kind == "url" else 1):
            fields[kind if n == 1 else f"{kind}_{n}"] = _verbatim(href)
    return fields


def to_bibtex(paper: Publication, full: bool = False, unicode: bool = False) -> str:
    """The paper's BibTeX entry; its cite key is the record's key. `full` adds what only labpubs
    and al-folio read (abstract, keywords, links, badges) so that an export imports back unchanged."""
    entry_type, fields = bibtex_fields(paper, full, unicode)
    lines = [f"@{entry_type}{{{paper.key},"]
    for name, value in fields:
        bare = name == "month" and value in MONTHS
        lines.append(f"  {name} = {value}," if bare else f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines)
