"""Reading a .bib file into raw entries: what BibTeX itself would see, before any record exists.

bibtexparser 2 parses (it recovers per entry and reports lines; pybtex stops at the first syntax
error). It leaves `@string` macros, `#` concatenation, month macros and `crossref` to the caller,
and it reads the entries inside an `@comment{...}` block that BibTeX, biber and bibtex-ruby skip
(al-folio's way to hide papers): those four are done here. Values stay LaTeX; `bibmap` decodes.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser import model as bib

from .records import MONTH_NAMES, MONTHS

logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


@dataclass
class RawEntry:
    """One .bib entry with macros, concatenation and crossref resolved; field names lower-case."""

    key: str
    entry_type: str
    fields: dict[str, str]
    line: int
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # the entry cannot be read as written


@dataclass(frozen=True)
class BrokenBlock:
    """A block BibTeX cannot read (a syntax error), with its line."""

    line: int
    key: str | None
    reason: str


@dataclass
class ParsedBib:
    entries: list[RawEntry]
    broken: list[BrokenBlock]
    crossref_targets: dict[str, list[str]]  # target entry key -> entries that inherit from it
    others: Counter  # @string, @preamble, @comment, text between entries
    notes: list[str] = field(default_factory=list)


def read_bib(path: str | Path) -> ParsedBib:
    raw = Path(path).read_bytes()
    notes = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        notes.append("the file is not UTF-8; it was read as Latin-1")
    parsed = parse_bib(text)
    parsed.notes[:0] = notes
    return parsed


def parse_bib(text: str) -> ParsedBib:
    text, comments = hide_comments(text)
    library = bibtexparser.parse_string(text, parse_stack=[])
    strings: dict[str, str] = {}
    entries: list[RawEntry] = []
    broken: list[BrokenBlock] = []
    others: Counter = Counter({"@comment": comments} if comments else {})
    first_line: dict[str, int] = {}
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, bib.String):
            strings[block.key.lower()] = expand(block.value, strings)[0]
            others["@string"] += 1
        elif isinstance(block, bib.Preamble):
            others["@preamble"] += 1
        elif isinstance(block, bib.ExplicitComment):
            others["@comment"] += 1
        elif isinstance(block, bib.ImplicitComment):
            others["text between entries"] += 1
        elif isinstance(block, (bib.DuplicateBlockKeyBlock, bib.DuplicateFieldKeyBlock)):
            entry = block.ignore_error_block
            notes = []
            if isinstance(block, bib.DuplicateBlockKeyBlock):
                notes.append(
                    f"key {entry.key!r} is also used by the entry at line {first_line.get(entry.key.lower(), '?')}"
                )
            entries.append(_raw_entry(entry, line, strings, notes))
        elif isinstance(block, bib.ParsingFailedBlock):
            reason = getattr(block.error, "abort_reason", None) or str(block.error) or type(block.error).__name__
            broken.append(BrokenBlock(line, _key_of(block.raw), f"BibTeX syntax: {reason.strip()}"))
        elif isinstance(block, bib.Entry):
            entries.append(_raw_entry(block, line, strings, []))
        if isinstance(block, bib.Entry):
            first_line.setdefault(block.key.lower(), line)
    return ParsedBib(entries, broken, _inherit(entries), others)


_COMMENT_OR_BRACE = re.compile(r"[{}]|@\s*comment\s*([{(])", re.I)


def hide_comments(text: str) -> tuple[str, int]:
    """The text with every `@comment{...}` block blanked out (line breaks kept, so lines still
    count right), and how many there were. Only blocks at the top level, outside any entry."""
    if not re.search(r"@\s*comment", text, re.I):
        return text, 0
    out, count, pos, depth = [], 0, 0, 0
    for match in _COMMENT_OR_BRACE.finditer(text):
        if match.start() < pos:
            continue  # inside a comment already blanked
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            end = _closing(text, match.end() - 1, match.group(1))
            if end is not None:
                out += [text[pos : match.start()], re.sub(r"[^\n]", " ", text[match.start() : end + 1])]
                pos, count = end + 1, count + 1
    out.append(text[pos:])
    return "".join(out), count


def _closing(text: str, start: int, opener: str) -> int | None:
    """Where the `{` or `(` at `start` closes (BibTeX counts every brace inside), or None."""
    depth = 0
    for brace in re.compile(r"[{}()]").finditer(text, start + 1):
        c = brace.group(0)
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return brace.start() if opener == "{" else None
            depth -= 1
        elif c == ")" and opener == "(" and depth == 0:
            return brace.start()
    return None


def _key_of(raw: str | None) -> str | None:
    match = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s={}]+)\s*,", raw or "")
    return match.group(1) if match else None


def _raw_entry(entry: bib.Entry, line: int, strings: dict[str, str], notes: list[str]) -> RawEntry:
    fields: dict[str, str] = {}
    error = None
    for f in entry.fields:
        name = f.key.lower().strip()
        try:
            value, unknown = expand(f.value, strings)
        except BadValue as problem:
            error = error or f"line {(f.start_line or 0) + 1}: {name}: {problem}"
            continue
        if unknown:
            notes.append(f"{name}: unknown macro {', '.join(unknown)} kept as text")
        if name in fields:
            notes.append(f"{name} is given twice; the first value is used, the second is kept as {name}_2")
            name = f"{name}_2"
        fields[name] = unicodedata.normalize("NFC", value)
    return RawEntry(entry.key, entry.entry_type.lower(), fields, line, notes, error)


class BadValue(ValueError):
    """A field value that is not one BibTeX value: most often a missing comma before the next field."""


def expand(raw: str, strings: dict[str, str]) -> tuple[str, list[str]]:
    """A raw field value (`{..}`, `".."`, a number, a macro, joined by `#`) as one string, and the
    macros it names that no `@string` defines."""
    parts, unknown = [], []
    for piece in _split_concatenation(raw.strip()):
        if piece[:1] in '{"' and piece:
            if not enclosed(piece):
                raise BadValue(f"{piece[:40]!r}... is not one value (is a comma missing before the next field?)")
            parts.append(piece[1:-1])
        elif piece.isdigit():
            parts.append(piece)
        elif piece.lower() in strings:
            parts.append(strings[piece.lower()])
        elif month_number(piece):
            parts.append(MONTH_NAMES[month_number(piece) - 1].capitalize())
        elif re.fullmatch(r"[^\s{}\"#,=]+", piece):
            parts.append(piece)
            unknown.append(piece)
        else:
            raise BadValue(f"{piece[:40]!r}... is not a BibTeX value (is a comma missing?)")
    return "".join(parts), unknown


_BRACE = re.compile(r"(?<!\\)[{}]")


def enclosed(piece: str) -> bool:
    """Whether `{...}` or `"..."` is one value: its first delimiter closes at its last character."""
    if piece[0] == '"':
        return len(piece) > 1 and piece[-1] == '"' and '"' not in re.sub(r"\{[^{}]*\}", "", piece[1:-1])
    depth = 0
    for brace in _BRACE.finditer(piece):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            return brace.end() == len(piece)
    return False


def _split_concatenation(raw: str) -> list[str]:
    """Split on `#` outside braces and quotes; bibtexparser leaves it to us."""
    if "#" not in raw:
        return [raw] if raw else []
    parts, depth, quoted, start, escaped = [], 0, False, 0, False
    for i, c in enumerate(raw):
        if escaped:
            escaped = False
            continue
        if c == "\\":
            escaped = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == '"' and depth == 0:
            quoted = not quoted
        elif c == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i].strip())
            start = i + 1
    parts.append(raw[start:].strip())
    return [p for p in parts if p]


def _inherit(entries: list[RawEntry]) -> dict[str, list[str]]:
    """Resolve `crossref`: an entry takes the fields it lacks from the entry it names."""
    by_key = {e.key.lower(): e for e in entries}
    targets: dict[str, list[str]] = {}
    for entry in entries:
        ref = entry.fields.get("crossref")
        if not ref:
            continue
        target = by_key.get(ref.strip().lower())
        if target is None:
            entry.notes.append(f"crossref {ref!r} names no entry of this file; kept as a field")
            continue
        for name, value in target.fields.items():
            entry.fields.setdefault(name, value)
        if "title" in target.fields:
            entry.fields.setdefault("booktitle", target.fields["title"])
        del entry.fields["crossref"]
        entry.notes.append(f"fields inherited from {target.key!r} (crossref)")
        targets.setdefault(target.key.lower(), []).append(entry.key)
    return targets


def month_number(value: str) -> int | None:
    """1-12 for `aug`, `August`, `Aug.` or `8`; None for anything else."""
    value = value.strip().lower().rstrip(".")
    if value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    if value[:3] in MONTHS and (value in MONTH_NAMES or len(value) == 3):
        return MONTHS.index(value[:3]) + 1
    return None
