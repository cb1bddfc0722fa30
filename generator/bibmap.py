"""One raw .bib entry to the fields of one record: a table of what each BibTeX and al-folio field
becomes, and one small step per row that needs more than a copy.

Values are LaTeX here; text is decoded with `latex.from_latex`, names are split before they are
decoded (`{Barnes and Noble}` stays one corporate author), and identifiers and links are verbatim
fields, only freed of the escapes DBLP and others put in them (`10.1007/978\\_29`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from .bibread import RawEntry, enclosed, month_number
from .bibtex import VERBATIM_FIELDS, needs_protection
from .errors import EntryError
from .latex import balanced, from_latex, segments, unescape_url
from .names import ET_AL, fold
from .records import (
    ARXIV_DOI,
    ARXIV_PATTERN,
    BIBTEX_TYPES,
    DOI_PATTERN,
    LINK_KINDS,
    MONTHS,
    PAPER_KINDS,
    ads_journal,
    bare_arxiv,
    bare_doi,
    unversioned_arxiv,
)

# Decoded text copied to a record field of the same meaning.
TEXT_FIELDS = {"abstract": "abstract", "abbr": "abbr", "award": "award"}
# What the record says in its own fields, so the .bib's copy is not kept in `extra` as well.
ARXIV_FIELDS = ("eprint", "archiveprefix", "eprinttype")
# al-folio's buttons whose bare file name is a file in its assets/pdf/ folder
ALFOLIO_FILES = ("pdf", "supp", "poster", "slides")
_ARXIV_ID = re.compile(ARXIV_PATTERN + r"(?!\d)")
# al-folio's link fields and BibTeX's `url`, each a `links` kind of the record (`code_2`: a second one)
_LINK_FIELD = re.compile(rf"({'|'.join(LINK_KINDS)})(?:_\d+)?")


@dataclass
class Draft:
    """A record being made from one entry: the fields not yet mapped, and what they became."""

    fields: dict[str, str]
    entry_type: str
    data: dict = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def take(self, name: str) -> str:
        return self.fields.pop(name, "").strip()


def to_record_data(entry: RawEntry, topics: dict[str, str]) -> tuple[dict, list[str]]:
    """The record (as data for `Paper`) that an entry describes, and notes about what moved where.

    `topics` maps a normalised topic slug or title to its slug, for `keywords`."""
    draft = Draft({name: value for name, value in entry.fields.items() if value.strip()}, entry.entry_type)
    for step in (
        _title,
        _authors,
        _orcids,
        _type_and_venue,
        _dates,
        _identifiers,
        _text,
        _keywords,
        _selected,
        _links,
        _rest,
    ):
        step(draft, topics)
    if draft.links:
        draft.data["links"] = draft.links
    extra = {k: v for k, v in draft.extra.items() if v}
    if extra:
        draft.data["extra"] = extra
    return {k: v for k, v in draft.data.items() if v is not None}, draft.notes


def _title(draft: Draft, topics) -> None:
    title = draft.take("title")
    if not title:
        raise EntryError("the entry has no title", "title")
    draft.data["title"] = unprotect(from_latex(title))


def _authors(draft: Draft, topics) -> None:
    if "author" in draft.fields:
        names, notes = decode_names(draft.take("author"))
        draft.data["authors"] = names
        draft.notes += notes


def _orcids(draft: Draft, topics) -> None:
    """Web of Science's `orcid-numbers = {Family, Given/0000-...; ...}`, which the export writes."""
    if "orcid-numbers" not in draft.fields:
        return
    orcids = {}
    for pair in draft.take("orcid-numbers").split(";"):
        name, _, orcid = pair.strip().rpartition("/")
        if name and orcid:
            orcids[from_latex(name)] = orcid.strip()
    authors = draft.data.get("authors", [])
    draft.data["orcids"] = {name: orcid for name, orcid in orcids.items() if name in authors}
    if len(draft.data["orcids"]) < len(orcids):
        draft.notes.append("orcid-numbers: an ORCID of someone not in the author list was not kept")


def _type_and_venue(draft: Draft, topics) -> None:
    """The record type from the entry type, corrected by what the venue says (arXiv, a workshop)."""
    fields = draft.fields
    paper_type = BIBTEX_TYPES.get(draft.entry_type, ("other", None))[0]
    arxiv = arxiv_id(fields)
    venue_field = PAPER_KINDS[paper_type].venue_field
    if venue_field not in fields and "howpublished" in fields:  # a @techreport's venue, say
        venue_field = "howpublished"
    venue = draft.take(venue_field) if venue_field in fields else ""
    if re.search(r"\barxiv\b", venue, re.I) and draft.entry_type in ("article", "misc", "unpublished"):
        paper_type, venue = "preprint", "arXiv"
    elif paper_type == "other" and arxiv:
        paper_type = "preprint"
    elif paper_type == "conference" and re.search(r"\bworkshops?\b", venue, re.I):
        paper_type = "workshop"
    draft.data["type"] = paper_type
    venue = ads_journal(venue) or (unprotect(from_latex(venue)) if venue else "")
    if venue:
        draft.data["venue"] = venue
    if PAPER_KINDS[paper_type].bibtex != draft.entry_type:
        draft.extra["entrytype"] = draft.entry_type
    if arxiv:
        draft.data["arxiv"] = arxiv
        if bare_arxiv(unescape_verbatim(fields.get("arxiv", ""))) == arxiv:
            del fields["arxiv"]
        if bare_arxiv(unescape_verbatim(fields.get("eprint", ""))) == arxiv:
            for name in ARXIV_FIELDS:
                if name == "eprint" or fields.get(name, "").strip().lower() == "arxiv":
                    fields.pop(name, None)


def _dates(draft: Draft, topics) -> None:
    """`year`, `month` and `date` (biblatex): a date only when it is a whole day of the year."""
    data, extra = draft.data, draft.extra
    year, raw_month, when = draft.take("year"), draft.take("month"), draft.take("date")
    month = month_number(raw_month)
    if re.fullmatch(r"\d{4}", year):
        data["year"] = int(year)
    elif year:
        extra["year"] = year
        draft.notes.append(f"year {year!r} is not a year; kept in extra")
    day = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", when)
    if day and day.group(3):
        try:
            data["date"] = date.fromisoformat(when)
            data.setdefault("year", data["date"].year)
            month = None
        except ValueError:
            extra["date"] = when
    elif day:
        data.setdefault("year", int(day.group(1)))
        month = month or (int(day.group(2)) if day.group(2) else None)
    elif when:
        extra["date"] = when
    if data.get("date") and data.get("year") != data["date"].year:
        extra["date"] = when
        draft.notes.append(f"date {when} is not in year {data['year']}; kept in extra")
        del data["date"]
    if month:
        extra["month"] = MONTHS[month - 1]
    elif raw_month and "date" not in data:
        extra["month"] = from_latex(raw_month)


def _identifiers(draft: Draft, topics) -> None:
    """The DOI, also from a `url` that is only a DOI link; arXiv's own DOI (10.48550/arXiv.ID)
    says no more than the arXiv id, which holds it."""
    doi = bare_doi(unescape_verbatim(draft.take("doi")))
    url = unescape_verbatim(draft.fields.get("url", ""))
    if not doi and re.fullmatch(DOI_PATTERN, bare_doi(url)) and bare_doi(url) != url:
        doi = bare_doi(draft.take("url"))
        draft.notes.append(f"url {url} is a DOI link: kept as the DOI")
    arxiv_doi = ARXIV_DOI.fullmatch(doi)
    preprint = unversioned_arxiv(draft.data.get("arxiv") or "").lower()
    if arxiv_doi and unversioned_arxiv(arxiv_doi.group(1)).lower() == preprint:
        draft.notes.append(f"doi {doi} is arXiv's DOI of the preprint: kept as its arXiv id")
    elif doi:
        draft.data["doi"] = doi


def _text(draft: Draft, topics) -> None:
    for name, target in TEXT_FIELDS.items():
        if name in draft.fields:
            draft.data[target] = from_latex(draft.take(name)) or None


def _keywords(draft: Draft, topics: dict[str, str]) -> None:
    """Keywords that name a topic of topics.yaml become `topics`; the others stay keywords."""
    if "keywords" not in draft.fields:
        return
    keep = []
    for word in split_top_level(from_latex(draft.take("keywords")), ",;"):
        word = word.strip()
        slug = topics.get(fold(word).replace(" ", "-")) if word else None
        if slug:
            draft.data.setdefault("topics", []).append(slug)
        elif word:
            keep.append(word)
    if keep:
        draft.extra["keywords"] = ", ".join(keep)


def _selected(draft: Draft, topics) -> None:
    if "selected" in draft.fields:
        flag = draft.take("selected").lower()
        if flag in ("true", "yes", "1"):
            draft.data["selected"] = True
        elif flag not in ("false", "no", "0", ""):
            draft.extra["selected"] = flag


def _links(draft: Draft, topics) -> None:
    """Link fields (`code`, `code_2`, ...) in the order they came. `html` is al-folio's HTML button:
    the record's `url` when the entry has none, else a link of its own. A bare al-folio `pdf` name is
    a file in al-folio's folder, and spaces in a link are percent-encoded (al-folio accepts them)."""
    if "html" in draft.fields and "url" not in draft.fields:
        draft.fields["url"] = draft.fields.pop("html")
    for name in [n for n in draft.fields if _LINK_FIELD.fullmatch(n)]:
        kind = _LINK_FIELD.fullmatch(name).group(1)
        value = unescape_verbatim(draft.take(name))
        if not value:
            continue
        if kind in ALFOLIO_FILES and "://" not in value and not value.startswith("/"):
            value = "/assets/pdf/" + value  # al-folio keeps these files there
            draft.notes.append(f"{kind} {value!r}: copy the file from the al-folio site into content{value}")
        draft.links.setdefault(kind, []).append(re.sub(r'[\s<>"]', lambda m: quote(m.group()), value))


def _rest(draft: Draft, topics) -> None:
    """Every other field goes to `extra` under a valid key, decoded unless it is verbatim."""
    for name, value in draft.fields.items():
        key = re.sub(r"[^a-z0-9_-]", "_", name)
        if not re.match(r"^[a-z]", key):
            key = "x" + key
        draft.extra[key] = value.strip() if name in VERBATIM_FIELDS else from_latex(value)
    draft.fields.clear()


_MARKUP = re.compile(r"</?(?:b|i|u|em|strong|sup|sub)>", re.I)  # al-folio pages bold their own name
# equal-contribution marks after a name: `Han*`, `Lee+`, `Chen$^*$`, `Wu\textsuperscript{\dag}`
_MARKERS = re.compile(
    r"(?<=\w)(?:[*†‡]+|\+(?!\+)|\$\^\{?[*†‡+]\}?\$|\^\{?\\d?dag(?:ger)?\}?"
    r"|\\textsuperscript\{[^{}]*\}|\\d?dag(?:ger)?\b)(?=[\s,]|$)"
)
_ET_AL_TAIL = re.compile(r"[\s,]+(?:et\.?\s*al\.?|и\s+др\.?|等)\s*$", re.I)


def decode_names(value: str) -> tuple[list[str], list[str]]:
    """Author or editor names as record strings ("von Last, Jr, First"), decoded after splitting,
    and notes on what was wrong with the list and mended: an empty name (`A and and B`), HTML
    bold (`<b>Me</b>`), equal-contribution marks (`Han*`), "et al." written into the last name.
    A name with three commas or more is most likely several names joined by commas: reported."""
    names, notes = [], []
    for name in split_multiple_persons_names(value):
        bare = re.sub(r"^(and\s+)+|(\s+and)+$", "", name.strip(), flags=re.I)
        if bare != name.strip() or not re.search(r"\w", bare):
            notes.append(f"author list: an empty name (`and and`, a stray `,`) near {name.strip()!r} was skipped")
            if not re.search(r"\w", bare):
                continue
        clean = _MARKUP.sub("", bare)
        clean = clean if "{" in clean.replace("{\\", "") else _MARKERS.sub("", clean)  # not in {Corporate Names}
        if clean != bare:
            notes.append(f"author {bare!r}: markup and marks (<b>, *, †) dropped: {clean!r}")
        et_al = _ET_AL_TAIL.search(clean)
        if et_al:
            clean = clean[: et_al.start()]
        if clean.count(",") > 2:
            notes.append(
                f"author {clean!r} has {clean.count(',')} commas: names must be joined by `and` "
                "(kept as written, as one name; fix the .bib)"
            )
            names.append("{" + from_latex(clean) + "}")
        else:
            names.append(_name(clean))
        if et_al:
            names.append(ET_AL)
            notes.append(f'author {bare!r}: "{et_al.group(0).strip(" ,")}" is et al.')
    return names, notes


def _name(name: str) -> str:
    if name.lower() == ET_AL:
        return ET_AL
    parts = parse_single_name_into_parts(name, strict=False)
    first, von, last, jr = ([_name_part(p) for p in group] for group in (parts.first, parts.von, parts.last, parts.jr))
    text = " ".join(von + last)
    if jr:
        text += ", " + " ".join(jr)
    if first:
        text += ", " + " ".join(first)
    return text


def _name_part(part: str) -> str:
    """A decoded name part; a part in braces (`{C# Team}`) keeps them: BibTeX reads it as one word."""
    if part.startswith("{") and part.endswith("}") and enclosed(part):
        inner = from_latex(part[1:-1])
        return "{" + inner + "}" if " " in inner else inner
    return from_latex(part)


def unescape_verbatim(value: str) -> str:
    """A DOI, URL or id as it is, from the LaTeX that .bib files put around it: `\\url{...}`,
    `\\href{url}{text}`, `\\_`, `\\&`, `\\%`, `\\#`, `{}` (DBLP writes `10.1007/978-3-031-56066-8\\_29`)."""
    value = value.strip()
    wrapped = re.fullmatch(r"\\(?:url|href)\s*\{([^{}]*)\}.*", value, re.S)
    if wrapped:
        value = wrapped.group(1)
    return unescape_url(value).replace("{", "").replace("}", "").strip()


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
            bare = re.sub(r"\\([%&#_])", r"\1", re.sub(r"(?<!\\)[{}]", "", token))  # `\{` is a brace, kept
            after_math = position == 0 and out and out[-1].endswith("$") and bare[:1].isdigit()
            if token != bare and "\\" not in bare and needs_protection(bare) and not after_math and balanced(token):
                token = bare
            out.append(token)
    return "".join(out)


def split_top_level(text: str, separators: str) -> list[str]:
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


def arxiv_id(fields: dict[str, str]) -> str | None:
    """The arXiv id from eprint + archivePrefix, al-folio's `arxiv`, the journal, an arXiv DOI or the URL."""
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    journal = fields.get("journal", "")
    eprint = unescape_verbatim(fields.get("eprint", "")).strip()
    # an eprint with no archivePrefix is arXiv's when it is written as arXiv writes its ids
    candidates = [eprint] if prefix == "arxiv" or (not prefix and _ARXIV_ID.fullmatch(eprint)) else []
    candidates += [
        fields.get("arxiv", ""),
        journal,
        fields.get("howpublished", ""),
        fields.get("volume", "") if "corr" in journal.lower() else "",
        fields.get("url", "") if "arxiv.org" in fields.get("url", "") else "",
        fields.get("doi", "") if ARXIV_DOI.search(fields.get("doi", "")) else "",
    ]
    for text in candidates:
        match = _ARXIV_ID.search(unescape_verbatim(text or ""))
        if match:
            return match.group(0)
    return None
