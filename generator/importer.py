""".bib files in: every entry becomes a record, is merged into one, is unchanged, or fails
with its line and the reason. Nothing is dropped silently.

bibtexparser 2 parses (it recovers per entry and reports lines; pybtex stops at the first
syntax error). It leaves `@string` macros, `#` concatenation and crossref to the caller, so
`_expand` and `_inherit` do those; `latex.from_latex` turns values into record text.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

import bibtexparser
from bibtexparser import model as bib
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from pydantic import ValidationError

from .checks import identities
from .bibtex import ENTRY_TYPES, VERBATIM_FIELDS, needs_protection
from .latex import from_latex, segments, to_plain
from .names import ET_AL, fold, parse_name
from .records import KEY_PATTERN, RESERVED_KEYS, Paper, to_yaml

logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")
TYPES = {
    "inproceedings": "conference", "conference": "conference", "article": "journal", "book": "book",
    "proceedings": "book", "inbook": "chapter", "incollection": "chapter", "phdthesis": "thesis",
    "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report", "report": "report",
    "unpublished": "preprint",
}
VENUE_FIELDS = {"conference": "booktitle", "workshop": "booktitle", "chapter": "booktitle", "journal": "journal",
                "thesis": "school", "report": "institution", "book": "publisher"}
ALFOLIO_LINKS = {"pdf": "pdf", "code": "code", "website": "website", "slides": "slides", "poster": "poster",
                 "video": "video", "supp": "supp", "blog": "blog", "data": "data"}
STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "at", "by", "is", "are"}
_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}(v\d+)?|[a-z-]+(\.[A-Z]{2})?/\d{7})")


class EntryError(ValueError):
    """An entry that cannot become a record; `field` names the culprit."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class RawEntry:
    """One .bib entry with macros, concatenation and crossref resolved; field names lower-case."""

    key: str
    entry_type: str
    fields: dict[str, str]
    line: int
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # the entry cannot be read as written


@dataclass
class Outcome:
    """What became of one entry: "imported", "merged", "unchanged" or "failed"."""

    line: int
    source_key: str | None
    status: str
    key: str | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ParsedBib:
    entries: list[RawEntry]
    failed: list[Outcome]
    crossref_targets: dict[str, list[str]]  # target entry key -> entries that inherit from it
    others: Counter  # @string, @preamble, @comment, text between entries
    notes: list[str] = field(default_factory=list)


# --- reading ------------------------------------------------------------------------------------

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
    library = bibtexparser.parse_string(text, parse_stack=[])
    strings: dict[str, str] = {}
    entries: list[RawEntry] = []
    failed: list[Outcome] = []
    others: Counter = Counter()
    first_line: dict[str, int] = {}
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, bib.String):
            strings[block.key.lower()] = _expand(block.value, strings)[0]
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
                notes.append(f"key {entry.key!r} is also used by the entry at line {first_line.get(entry.key.lower(), '?')}")
            entries.append(_raw_entry(entry, line, strings, notes))
        elif isinstance(block, bib.ParsingFailedBlock):
            error = block.error
            reason = getattr(error, "abort_reason", None) or str(error) or type(error).__name__
            failed.append(Outcome(line, _key_of(block.raw), "failed", reason=f"BibTeX syntax: {reason.strip()}"))
        elif isinstance(block, bib.Entry):
            entries.append(_raw_entry(block, line, strings, []))
        if isinstance(block, bib.Entry):
            first_line.setdefault(block.key.lower(), line)
    targets = _inherit(entries)
    return ParsedBib(entries, failed, targets, others)


def _key_of(raw: str | None) -> str | None:
    match = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s={}]+)\s*,", raw or "")
    return match.group(1) if match else None


def _raw_entry(entry: bib.Entry, line: int, strings: dict[str, str], notes: list[str]) -> RawEntry:
    fields: dict[str, str] = {}
    error = None
    for f in entry.fields:
        name = f.key.lower().strip()
        try:
            value, unknown = _expand(f.value, strings)
        except BadValue as problem:
            error = error or f"line {(f.start_line or 0) + 1}: {name}: {problem}"
            continue
        if unknown:
            notes.append(f"{name}: unknown macro {', '.join(unknown)} kept as text")
        if name in fields:
            notes.append(f"{name} is given twice; the first value is used, the second is kept as {name}_2")
            name = f"{name}_2"
        fields[name] = value
    return RawEntry(entry.key, entry.entry_type.lower(), fields, line, notes, error)


class BadValue(ValueError):
    """A field value that is not one BibTeX value: most often a missing comma before the next field."""


def _expand(raw: str, strings: dict[str, str]) -> tuple[str, list[str]]:
    """A raw field value (`{..}`, `".."`, a number, a macro, joined by `#`) as one string."""
    parts, unknown = [], []
    for piece in _split_concatenation(raw.strip()):
        if piece[:1] in "{\"" and piece:
            if not _enclosed(piece):
                raise BadValue(f"{piece[:40]!r}... is not one value (is a comma missing before the next field?)")
            parts.append(piece[1:-1])
        elif piece.isdigit():
            parts.append(piece)
        elif piece.lower() in strings:
            parts.append(strings[piece.lower()])
        elif _month(piece):
            parts.append(MONTH_NAMES[_month(piece) - 1].capitalize())
        elif re.fullmatch(r"[^\s{}\"#,=]+", piece):
            parts.append(piece)
            unknown.append(piece)
        else:
            raise BadValue(f"{piece[:40]!r}... is not a BibTeX value (is a comma missing?)")
    return "".join(parts), unknown


_BRACE = re.compile(r"(?<!\\)[{}]")


def _enclosed(piece: str) -> bool:
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


# --- one entry to one record --------------------------------------------------------------------

def decode_names(value: str) -> list[str]:
    """Author or editor names as record strings: "von Last, Jr, First", decoded after splitting."""
    names = []
    for name in split_multiple_persons_names(value):
        if name.strip().lower() == ET_AL:
            names.append(ET_AL)
            continue
        parts = parse_single_name_into_parts(name, strict=False)
        first, von, last, jr = ([_name_part(p) for p in group] for group in (parts.first, parts.von, parts.last, parts.jr))
        text = " ".join(von + last)
        if jr:
            text += ", " + " ".join(jr)
        if first:
            text += ", " + " ".join(first)
        names.append(text)
    return names


def _name_part(part: str) -> str:
    """A decoded name part; a part in braces (`{C# Team}`) keeps them: BibTeX reads it as one word."""
    if part.startswith("{") and part.endswith("}") and _enclosed(part):
        inner = from_latex(part[1:-1])
        return "{" + inner + "}" if " " in inner else inner
    return from_latex(part)


def to_record_data(entry: RawEntry, topics: dict[str, str]) -> tuple[dict, list[str]]:
    """The record (as data for `Paper`) that an entry describes, and notes about what moved where.

    `topics` maps a normalised topic slug or title to its slug, for `keywords`."""
    fields = {name: value for name, value in entry.fields.items() if value.strip()}  # `url = {}` says nothing
    notes: list[str] = []
    data: dict = {}
    extra: dict[str, str] = {}
    links: dict[str, str] = {}

    title = fields.pop("title", "").strip()
    if not title:
        raise EntryError("the entry has no title", "title")
    data["title"] = unprotect(from_latex(title))
    if "author" in fields:
        data["authors"] = decode_names(fields.pop("author"))

    paper_type = TYPES.get(entry.entry_type, "other")
    arxiv = _arxiv_id(fields)
    venue_field = VENUE_FIELDS.get(paper_type) or ("howpublished" if "howpublished" in fields else None)
    venue = fields.get(venue_field, "") if venue_field else ""
    if venue:
        fields.pop(venue_field)
    if re.search(r"\barxiv\b", venue, re.I) and entry.entry_type in ("article", "misc", "unpublished"):
        paper_type, venue = "preprint", "arXiv"
    elif paper_type == "other" and arxiv:
        paper_type = "preprint"
    elif paper_type == "conference" and re.search(r"\bworkshops?\b", venue, re.I):
        paper_type = "workshop"
    data["type"] = paper_type
    venue = unprotect(from_latex(venue)) if venue else ""
    if venue:
        data["venue"] = venue
    if ENTRY_TYPES[paper_type] != entry.entry_type:
        extra["entrytype"] = entry.entry_type
    if arxiv:
        data["arxiv"] = arxiv
        if fields.get("arxiv", "").strip() == arxiv:
            del fields["arxiv"]

    year = fields.pop("year", "").strip()
    raw_month = fields.pop("month", "").strip()
    month = _month(raw_month)
    if re.fullmatch(r"\d{4}", year):
        data["year"] = int(year)
    elif year:
        extra["year"] = year
        notes.append(f"year {year!r} is not a year; kept in extra")
    when = fields.pop("date", "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", when):
        try:
            data["date"] = date.fromisoformat(when)
            data.setdefault("year", data["date"].year)
            month = None
        except ValueError:
            extra["date"] = when
    elif when:
        match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", when)
        if match:
            data.setdefault("year", int(match.group(1)))
            month = month or (int(match.group(2)) if match.group(2) else None)
        else:
            extra["date"] = when
    if data.get("date") and data.get("year") != data["date"].year:
        extra["date"] = when
        notes.append(f"date {when} is not in year {data['year']}; kept in extra")
        del data["date"]
    if month:
        extra["month"] = MONTHS[month - 1]
    elif raw_month and "date" not in data:
        extra["month"] = from_latex(raw_month)

    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", fields.pop("doi", "").strip(), flags=re.I)
    if doi:
        data["doi"] = doi
    if "abstract" in fields:
        data["abstract"] = from_latex(fields.pop("abstract")) or None
    if "keywords" in fields:
        keep = []
        for word in _split_top_level(from_latex(fields.pop("keywords")), ",;"):
            word = word.strip()
            slug = topics.get(fold(word).replace(" ", "-")) if word else None
            if slug:
                data.setdefault("topics", []).append(slug)
            elif word:
                keep.append(word)
        if keep:
            extra["keywords"] = ", ".join(keep)
    if "abbr" in fields:
        data["abbr"] = from_latex(fields.pop("abbr")) or None
    if "award" in fields:
        data["award"] = from_latex(fields.pop("award")) or None
    if "selected" in fields:
        flag = fields.pop("selected").strip().lower()
        if flag in ("true", "yes", "1"):
            data["selected"] = True
        elif flag not in ("false", "no", "0", ""):
            extra["selected"] = flag
    if "url" in fields:
        links["url"] = fields.pop("url").strip()
    if "html" in fields and "url" not in links:
        links["url"] = fields.pop("html").strip()
    for name, kind in ALFOLIO_LINKS.items():
        if name in fields:
            value = fields.pop(name).strip()
            if name == "pdf" and value and "://" not in value and not value.startswith("/"):
                value = "/assets/pdf/" + value  # al-folio keeps PDFs there
                notes.append(f"pdf {value!r}: copy the file from the al-folio site into content{value}")
            links[kind] = value
    if links:
        data["links"] = links
    for name, value in fields.items():
        if name == "eprint" and arxiv:
            continue
        if name in ("archiveprefix", "eprinttype") and arxiv and value.strip().lower() == "arxiv":
            continue
        key = re.sub(r"[^a-z0-9_-]", "_", name)
        if not re.match(r"^[a-z]", key):
            key = "x" + key
        extra[key] = value.strip() if name in VERBATIM_FIELDS else from_latex(value)
    if extra:
        data["extra"] = {k: v for k, v in extra.items() if v}
    return {k: v for k, v in data.items() if v is not None}, notes


def _balanced_braces(token: str) -> bool:
    depth = 0
    for c in token:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def unprotect(text: str) -> str:
    """Drop case-protecting braces that the BibTeX writer puts back by itself (`{MiniCPM}:`,
    `{RNN}s`), so titles read as written and export -> import changes nothing."""
    if "{" not in text:
        return text
    out = []
    for is_math, piece in segments(text):
        if is_math:
            out.append(f"${piece}$")
            continue
        for position, token in enumerate(re.split(r"(\s+)", piece)):
            # `\%` and friends were escaped only to sit inside the braces (latex._decode_group)
            bare = re.sub(r"\\([%&#_])", r"\1", token.replace("{", "").replace("}", ""))
            after_math = position == 0 and out and out[-1].endswith("$") and bare[:1].isdigit()
            if (token != bare and "\\" not in bare and needs_protection(bare) and not after_math
                    and token.count("{") == token.count("}") and _balanced_braces(token)):
                token = bare
            out.append(token)
    return "".join(out)


def _split_top_level(text: str, separators: str) -> list[str]:
    """Split at separators outside braces: `{a, b}; c` -> [`{a, b}`, ` c`]."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if i and text[i - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        if c in separators and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


def _arxiv_id(fields: dict[str, str]) -> str | None:
    """The arXiv id from eprint + archivePrefix, al-folio's `arxiv`, the journal or the URL."""
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    candidates = []
    if prefix == "arxiv" and fields.get("eprint"):
        candidates.append(fields["eprint"])
    candidates += [fields.get("arxiv", ""), fields.get("journal", ""), fields.get("howpublished", ""),
                   fields.get("volume", "") if "corr" in fields.get("journal", "").lower() else "",
                   fields.get("url", "") if "arxiv.org" in fields.get("url", "") else ""]
    for text in candidates:
        match = _ARXIV_ID.search(text or "")
        if match:
            return match.group(1)
    return None


def _month(value: str) -> int | None:
    value = value.strip().lower().rstrip(".")
    if value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    if value[:3] in MONTHS and (value in MONTH_NAMES or len(value) == 3):
        return MONTHS.index(value[:3]) + 1
    return None


def validate(data: dict, context: dict) -> tuple[Paper, list[str]]:
    """A Paper from entry data. A field that fails validation (a DOI that is not one, a link
    that is not http) moves to `extra` with a note instead of failing the entry; a bad title,
    author list or topic fails it."""
    notes = []
    while True:
        try:
            return Paper.model_validate(data, context=context), notes
        except ValidationError as error:
            problem = error.errors()[0]
            loc, message = problem["loc"], problem["msg"].removeprefix("Value error, ")
            if not loc or loc[0] in ("title", "authors", "topics", "members", "extra"):
                raise EntryError(message, ".".join(str(p) for p in loc) or None) from None
            if loc[0] == "links":
                name, value = str(loc[1]), data["links"].pop(str(loc[1]))
                if not data["links"]:
                    del data["links"]
            else:
                name, value = str(loc[0]), data.pop(str(loc[0]))
            data.setdefault("extra", {})[name] = str(value)
            notes.append(f"{name}: {message}; kept in extra")


# --- matching, merging and keys ------------------------------------------------------------------

PUBLISHED_FIELDS = ("type", "venue", "abbr", "year", "date", "doi")


def identity_keys(record: dict) -> list[tuple[str, str]]:
    return identities(record.get("doi"), record.get("arxiv"), record["title"])


def merge(base: dict, incoming: dict, overwrite: bool) -> dict:
    """Combine two records of one paper. The published version keeps its venue, type, year and
    DOI against a preprint; otherwise `incoming` fills what `base` lacks, and replaces what
    `base` has only when `overwrite`. The fuller author list wins over an et-al. one."""
    result = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v) for k, v in base.items()}
    keep_published = base.get("type", "other") != "preprint" and incoming.get("type") == "preprint"
    takes_type = "type" in incoming and not keep_published and ("type" not in base or overwrite)
    for name, value in incoming.items():
        if keep_published and name in PUBLISHED_FIELDS and name in result:
            continue
        if name == "authors":
            mine = result.get("authors", [])
            fuller = (mine[-1:] == [ET_AL] and value[-1:] != [ET_AL]) or len(value) > len(mine)
            if not mine or (fuller and value[-1:] != [ET_AL]) or overwrite:
                result["authors"] = list(value)
        elif name in ("links", "extra"):
            result[name] = {**value, **result.get(name, {})} if not overwrite else {**result.get(name, {}), **value}
        elif name in ("topics", "members"):
            result[name] = list(dict.fromkeys(result.get(name, []) + value))
        elif name == "selected":
            result[name] = result.get(name, False) or value
        elif name not in result or overwrite:
            result[name] = value
    if result.get("date") and result.get("year") != result["date"].year:
        result.pop("date")  # a preprint's date next to a published year
    # the .bib entry type (`extra.entrytype`) goes with the record whose `type` was kept
    entrytype = (incoming if takes_type else base).get("extra", {}).get("entrytype")
    extra = result.pop("extra", {})
    extra.pop("entrytype", None)
    if result.get("date"):
        extra.pop("month", None)  # the date says it
    venue_field = VENUE_FIELDS.get(result.get("type", "other"))
    if venue_field in extra:  # the field the kept type's BibTeX writes the venue in
        if "venue" not in result:
            result["venue"] = extra.pop(venue_field)
        elif extra[venue_field] == result["venue"]:
            del extra[venue_field]
        else:
            extra[f"{venue_field}_2"] = extra.pop(venue_field)
    if entrytype:
        extra["entrytype"] = entrytype
    if extra:
        result["extra"] = extra
    return result


def scholar_key(record: dict, taken: Iterable[str] | set[str]) -> str:
    """Google Scholar's `lastnameYEARfirstword`, lower-case ASCII, with a, b, ... when taken."""
    authors = [a for a in record.get("authors", []) if a != ET_AL]
    last = re.sub(r"[^a-z]", "", fold(parse_name(authors[0]).family).encode("ascii", "ignore").decode()) if authors else ""
    words = [re.sub(r"[^a-z0-9]", "", w.encode("ascii", "ignore").decode()) for w in fold(to_plain(record["title"])).split()]
    word = next((w for w in words if len(w) > 1 and w not in STOPWORDS), "")
    base = f"{last}{record.get('year') or ''}{word}" or "paper"
    key, suffix = base, 0
    while key in taken:
        suffix += 1
        key = base + _letters(suffix)
    return key


def _letters(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(97 + r) + out
    return out


# --- the whole import ---------------------------------------------------------------------------

@dataclass
class ImportResult:
    outcomes: list[Outcome]
    others: Counter
    notes: list[str]
    writes: dict[str, Paper]  # key -> record to write (new or changed)

    @property
    def counts(self) -> Counter:
        return Counter(o.status for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not self.counts["failed"]


def import_bib(parsed: ParsedBib, existing: dict[str, Paper], topics: dict[str, str], members: set[str],
               update: bool = False, progress=None) -> ImportResult:
    """Decide what each entry of a parsed .bib becomes against the existing records.

    `topics` maps normalised topic slugs and titles to slugs (see `topic_index`). A new record
    keeps the entry's cite key when it is a valid, free labpubs key (lower-case ASCII, digits,
    `-`, `_`, `:`), so documents that cite it keep working; otherwise it gets a Google
    Scholar-style key."""
    context = {"topics": set(topics.values()), "members": members}
    records: dict[str, dict] = {k: p.model_dump(exclude_defaults=True) for k, p in existing.items()}
    original = {k: dict(v) for k, v in records.items()}
    index: dict[str, str] = {}
    for key, record in records.items():
        for ident in identity_keys(record):
            index.setdefault(ident, key)
    new_keys: set[str] = set()
    outcomes = list(parsed.failed)
    for done, entry in enumerate(parsed.entries, 1):
        if progress:
            progress(done, len(parsed.entries))
        if entry.key.lower() in parsed.crossref_targets and entry.entry_type in ("proceedings", "book", "collection"):
            users = parsed.crossref_targets[entry.key.lower()]
            outcomes.append(Outcome(entry.line, entry.key, "merged", users[0], notes=[
                "its fields were inherited by " + ", ".join(users) + " (crossref)"]))
            continue
        if entry.error:
            outcomes.append(Outcome(entry.line, entry.key, "failed", reason=entry.error, notes=entry.notes))
            continue
        try:
            data, notes = to_record_data(entry, topics)
            paper, more = validate(data, context)
        except EntryError as error:
            where = f"{error.field}: " if error.field else ""
            outcomes.append(Outcome(entry.line, entry.key, "failed", reason=where + str(error), notes=entry.notes))
            continue
        record = paper.model_dump(exclude_defaults=True)
        notes = entry.notes + notes + more
        matches = {}
        for field_name, value in identity_keys(record):
            matches.setdefault(index.get((field_name, value)), field_name)
        matches.pop(None, None)
        if len(matches) > 1:
            found = " and ".join(f"{key} (same {field_name})" for key, field_name in matches.items())
            outcomes.append(Outcome(entry.line, entry.key, "failed", notes=notes, reason=(
                f"the entry matches two records, {found}: merge or correct them first")))
            continue
        match = next(iter(matches), None)
        if match is None:
            if KEY_PATTERN.match(entry.key) and entry.key not in records and entry.key not in RESERVED_KEYS:
                key = entry.key
            else:
                key = scholar_key(record, records.keys())
            records[key] = record
            new_keys.add(key)
            outcomes.append(Outcome(entry.line, entry.key, "imported", key, notes=notes))
        else:
            key = match
            if key in new_keys:  # a second entry of this file for the same paper
                overwrite = records[key].get("type") == "preprint" and record.get("type") != "preprint"
                records[key] = merge(records[key], record, overwrite)
                outcomes.append(Outcome(entry.line, entry.key, "merged", key, notes=notes))
            else:
                merged = merge(records[key], record, overwrite=update)
                if merged == records[key]:
                    differs = [n for n, v in record.items() if records[key].get(n) != v and n not in ("links", "extra")]
                    if differs and not update:
                        notes.append(f"the .bib differs in {', '.join(differs)}; --update takes its values")
                    outcomes.append(Outcome(entry.line, entry.key, "unchanged", key, notes=notes))
                else:
                    records[key] = merged
                    outcomes.append(Outcome(entry.line, entry.key, "merged", key, notes=notes))
        for ident in identity_keys(records[key]):
            index.setdefault(ident, key)
    writes = {}
    for key, record in records.items():
        if key in new_keys or record != original.get(key):
            writes[key] = Paper.model_validate(record, context=context)
    outcomes.sort(key=lambda o: o.line)
    return ImportResult(outcomes, parsed.others, parsed.notes, writes)


def topic_index(topics: dict) -> dict[str, str]:
    """Normalised slug and title of each topic -> slug, to match .bib keywords."""
    index = {}
    for slug, topic in topics.items():
        for name in (slug, topic.title):
            index[fold(name).replace(" ", "-")] = slug
    return index


def write_records(writes: dict[str, Paper], papers_dir: Path) -> None:
    papers_dir.mkdir(parents=True, exist_ok=True)
    for key, paper in writes.items():
        (papers_dir / f"{key}.yaml").write_text(to_yaml(paper), encoding="utf-8")

