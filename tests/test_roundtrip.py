"""Property-based round trips of the BibTeX writer and the .bib importer (hypothesis).

1. A random record -> `to_bibtex` -> bibtexparser + `parse_bib`/`import_bib` -> the same title,
   venue, year and authors; the entry also parses with pybtex.
2. A random .bib (written from random records with `full=True`) -> import -> export -> import:
   the second import gives the records of the first (a fixed point).

The tests at the end pin, each with a minimal example, the bugs these properties found (all
fixed). One input class is still excluded from the properties (`exclude_known_bugs`): an unpaired
`\\]` or `\\)`, which pylatexenc drops; its strict-xfail test fails once that is fixed.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

import bibtexparser
import pybtex.database
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pylatexenc.latex2text import LatexNodes2Text

from generator.bibread import parse_bib
from generator.bibtex import VERBATIM_FIELDS, to_bibtex
from generator.importer import ImportResult, import_bib
from generator.latex import from_latex, prose_source, segments
from generator.library import Publication
from generator.names import parse_name
from generator.records import MAX_YEAR, MIN_YEAR, PAPER_TYPES, Paper
from generator.richtext import to_plain

# The whole file runs in well under a minute on two cores; `database=None` leaves no .hypothesis/
# folder in the project (a failing example is printed in full, with the BibTeX, by `note`).
PROPERTY = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
EXAMPLES_ROUND_TRIP, EXAMPLES_FIXED_POINT = 1000, 150

# --- strategies -----------------------------------------------------------------------------------

# Printable characters of every script: no control, surrogate, private-use or unassigned code points
# and no white space (`_join` places single spaces).
CHARS = st.characters(categories=["L", "M", "N", "P", "S"], exclude_characters="\\")  # see SPECIALS
LETTERS = st.characters(categories=["L"])
WORDS = [
    "Müller",
    "Ångström",
    "naïve",
    "Łódź",
    "Straße",
    "Øresund",
    "Ærø",
    "Škoda",
    "çà",
    "Ελληνικά",
    "Русский",
    "中文",
    "日本語",
    "한국어",
    "العربية",
    "עברית",
    "हिन्दी",
    "ไทย",
    "MiniCPM",
    "LLMs",
    "RNN",
    "C++",
    "x86-64",
    "e.g.",
    "“quoted”",
    "‘single’",
    "a–b",
    "—",
    "…",
    "50%",
    "§3",
    "°C",
    "½",
    "€5",
    "ﬁ",
    "İstanbul",
]
# No lone backslash: it starts arbitrary commands, whose spellings TeX's rules (spaces eaten after
# command names, accents over groups) make equivalent in ways this oracle cannot follow; the
# commands records really hold come from FORMULAS, COMMANDS and the regression tests below.
SPECIALS = list("&%#_~^${}")
# (No \\textit{..}: a brace group right after it reads as a second argument by the record rules;
# test_style_commands_survive covers them.)
COMMANDS = ["\\'e", '\\"{u}', "{\\O}", "\\ss{}", "\\%", "\\&", "\\{", "\\}", "\\$"]
# Valid inline formulas: balanced, and each one read by latex2mathml.
FORMULAS = [
    "$\\alpha$",
    "$x^2$",
    "$\\infty$",
    "$O(n \\log n)$",
    "$\\mathbb{R}^n$",
    "$a_{ij}$",
    "$\\frac{1}{2}$",
    "$\\sqrt{x}$",
    "$k$",
    "$\\epsilon$-greedy",
    "$\\ell_1$",
]

word = st.one_of(st.text(CHARS, min_size=1, max_size=6), st.sampled_from(WORDS))
fragment = st.one_of(
    word,
    word,
    st.sampled_from(SPECIALS),
    st.sampled_from(COMMANDS),
    st.sampled_from(FORMULAS),
    word.map(lambda w: "{" + w + "}"),  # balanced braces: case protection when they wrap words
    st.sampled_from(["{", "}", "}{", "{{", "}}"]),  # unbalanced braces
)


@st.composite
def _join(draw, parts):
    """Fragments joined by a space or by nothing, so that specials also stick to words."""
    items = draw(st.lists(parts, min_size=1, max_size=8))
    out = items[0]
    for item in items[1:]:
        out += draw(st.sampled_from([" ", "", " "])) + item
    return out


record_text = _join(fragment)

name_word = st.one_of(
    st.text(LETTERS, min_size=1, max_size=6),
    st.sampled_from(
        [
            "Müller",
            "Jörg",
            "Łukasz",
            "Ærø",
            "Zoë",
            "Chen",
            "Yingfa",
            "Søren",
            "O'Brien",
            "Jean-Luc",
            "José",
            "Ñúñez",
            "王",
            "小明",
            "Åsa",
            "Ivanov",
            "Иван",
            "ß",
        ]
    ),
)
first_names = st.lists(name_word, min_size=1, max_size=2).map(" ".join)
von_words = st.sampled_from(["von", "van der", "de", "de la", "di", "van"])
CORPORATE = ["ACME Co", "OpenBMB Team", "Müller & Söhne GmbH", "The 中文 Consortium", "R&D 50% Lab", "{ACM} SIGIR"]


@st.composite
def author(draw) -> str:
    first, last = draw(first_names), draw(name_word)
    form = draw(st.sampled_from(["first last", "last, first", "von last, first", "corporate"]))
    if form == "first last":
        return f"{first} {last}"
    if form == "last, first":
        return f"{last}, {first}"
    if form == "von last, first":
        return f"{draw(von_words)} {last}, {first}"
    return "{" + draw(st.sampled_from(CORPORATE)) + "}"


@st.composite
def authors(draw) -> list[str]:
    names = draw(st.lists(author(), max_size=4))
    if names and draw(st.booleans()):
        names.append("others")
    return names


def make_paper(**fields) -> Paper:
    try:
        return Paper(**fields)
    except ValidationError:
        assume(False)  # only what the record model itself rejects, such as a title of spaces
        raise


@st.composite
def papers(draw) -> Paper:
    return make_paper(
        title=draw(record_text),
        authors=draw(authors()),
        year=draw(st.none() | st.integers(MIN_YEAR, MAX_YEAR)),
        type=draw(st.sampled_from(PAPER_TYPES)),
        venue=draw(st.none() | record_text),
    )


URLS = ["https://example.org/a_b", "https://example.org/p?q=1&r=%20", "/assets/pdf/x.pdf", "http://x.y/~u/{a}"]
EXTRA_KEYS = [
    "note",
    "publisher",
    "series",
    "address",
    "keywords",
    "organization",
    "edition",
    "month",
    "custom",
    "x-data",
]
NUMBER_KEYS = ["volume", "pages", "number", "isbn"]  # written verbatim: numbers, ranges, identifiers


@st.composite
def full_papers(draw) -> Paper:
    """Records with every field an export carries: dates, identifiers, links, badges, `extra`."""
    when = draw(st.none() | st.dates(datetime.date(MIN_YEAR, 1, 1), datetime.date(MAX_YEAR, 12, 31)))
    maybe_text = st.none() | record_text
    return make_paper(
        title=draw(record_text),
        authors=draw(authors()),
        year=None if when else draw(st.none() | st.integers(MIN_YEAR, MAX_YEAR)),
        date=when,
        type=draw(st.sampled_from(PAPER_TYPES)),
        venue=draw(maybe_text),
        abbr=draw(maybe_text),
        abstract=draw(maybe_text),
        award=draw(maybe_text),
        selected=draw(st.booleans()),
        doi=draw(st.none() | st.sampled_from(["10.1234/abc", "10.18653/v1/2024.emnlp-main.1", "10.1000/a{b}_c"])),
        arxiv=draw(st.none() | st.sampled_from(["2402.13718", "2101.00001v2", "hep-th/9901001"])),
        links=draw(
            st.dictionaries(
                st.sampled_from(["url", "pdf", "code", "slides", "website"]), st.sampled_from(URLS), max_size=2
            )
        ),
        extra={
            **draw(st.dictionaries(st.sampled_from(EXTRA_KEYS), record_text, max_size=3)),
            **draw(
                st.dictionaries(
                    st.sampled_from(NUMBER_KEYS),
                    st.from_regex(r"[0-9A-Za-z]{1,5}([-–][0-9]{1,5})?", fullmatch=True),
                    max_size=2,
                )
            ),
        },
    )


# --- helpers --------------------------------------------------------------------------------------


def publication(key: str, record: Paper) -> Publication:
    return Publication(key, record, [], False, [], [])


def import_text(text: str) -> ImportResult:
    return import_bib(parse_bib(text), {}, {}, set())


def import_one(text: str) -> Paper:
    result = import_text(text)
    assert result.ok, [o.reason for o in result.outcomes]
    assert len(result.writes) == 1, result.writes
    return next(iter(result.writes.values()))


# --- comparing record text ------------------------------------------------------------------------
# Exact equality first. Otherwise the two texts must be two spellings of one text, read the same by
# LaTeX and by labpubs, and show the same plain text (`to_plain`). `respell` writes each prose piece
# as LaTeX by the record rules (`latex.prose_source`: literal `{`, `}`, `$`, `%`, `&`, `#` escaped;
# a brace that wraps no words is literal) and then unifies these spellings:
# - a literal special bare or escaped: `{` / `\{`, `$` / `\$`, `%` / `\%`;
# - a trailing lone backslash and `\textbackslash` (the writer's spelling of it);
# - a letter as an accent or letter command or as Unicode: `\"u` / `ü`, `\O` / `Ø`, `\i 0` / `ı0`
#   (TeX drops the spaces after a command named by letters);
# - TeX's ligatures and their characters: `--` / `–`, ``` `` ``` / `“`, ``!` `` / `¡`;
# - case-protecting braces in a word the writer protects as a whole anyway: `{RNN}s` / `RNNs`
#   (a capital after the first character: `bibtex.needs_protection`);
# - braces that protect nothing: around text without a cased letter (`{&}`, `{1´}`), or around text
#   the record cannot brace as words (`\x{C%x}`, `\x{ A }`: there the record's braces are a
#   command's argument, shown as nothing, and the importer cannot keep them: they would be literal);
# - white space: a control space `\ ` is a space (it only changes TeX's spacing after a full stop),
#   a run of spaces is one, and none at either end.
# Formulas are compared as written. A literal brace and a protecting one can be the same after
# `respell`; `to_plain` still tells them apart.

_ESCAPED = re.compile(r"(?<!\\)((?:\\\\)*)\\([{}$%&#_])")  # an escaped special, not `\\` + special
_ACCENT = re.compile(
    r"""\\(?:['`^"~=.]|[cvuHkrdb](?![A-Za-z]))\s*"""
    r"""(?:\{(?:\\[ij]|[^{}\\\s])\}|\\[ij](?![A-Za-z])|[^{}\\\s$%&#~^_])"""
)
_LETTER = re.compile(r"\\(?:O|o|ss|ae|AE|oe|OE|aa|AA|l|L|i|j)(?![A-Za-z])(?:\{\}|\s*)")
_LIGATURES = {"---": "—", "--": "–", "``": "“", "''": "”", "!`": "¡", "?`": "¿"}
_INNERMOST = re.compile(r"(?<!\\)\{((?:\\.|[^{}\\])*)\}")  # a group holding no group (`\{` is no group)
_AROUND_GROUPS = re.compile(r"(?<![\\A-Za-z])\{((?:\s*\{[^{}]*\})+\s*)\}")  # braces around groups only (no argument)
_DECODE = LatexNodes2Text(math_mode="verbatim")


def _protects_nothing(content: str) -> bool:
    return (
        not any(c.lower() != c.upper() for c in content)
        or content != content.strip()
        or bool(re.search(r"[*=<>|%$~^\"`#@\\]", content))
    )


def respell(text: str) -> str:
    out = []
    for is_math, source in segments(text):
        if is_math:
            out.append(f"${source}$")
            continue
        source = prose_source(source).replace("\\textasciitilde{}", "~")  # literal characters escaped
        # `{\\O}`, `{\\"u}`: braces that only group one character command protect no case in BibTeX
        source = re.sub(
            r"\{(\\(?:[A-Za-z]+|[^A-Za-z\s])\s*(?:\{[A-Za-z]?\}|[A-Za-z])?)\}",
            lambda m: c if len(c := _DECODE.latex_to_text(m.group(1))) == 1 else m.group(0),
            source,
        )
        source = _ACCENT.sub(lambda m: _DECODE.latex_to_text(m.group(0)), source)
        source = _LETTER.sub(lambda m: _DECODE.latex_to_text(m.group(0)), source)
        tokens = re.split(r"(\s+)", source)  # as `importer.unprotect` and `bibtex._protect` cut words
        for i, token in enumerate(tokens):
            bare = token.replace("{", "").replace("}", "")
            if (
                "\\" not in re.sub(r"\\[&%#_$]", "", token)
                and token.count("{") == token.count("}")
                and len(bare) > 1
                and any(c.isupper() for c in bare[1:])
            ):
                tokens[i] = bare
        source = "".join(tokens)
        source = re.sub(r"\\textbackslash(\{\})?$", r"\\", source)
        source = re.sub("|".join(map(re.escape, _LIGATURES)), lambda m: _LIGATURES[m.group(0)], source)
        while True:
            dropped = _INNERMOST.sub(lambda m: m.group(1) if _protects_nothing(m.group(1)) else m.group(0), source)
            dropped = _AROUND_GROUPS.sub(r"\1", dropped)  # `{ {A} }` protects what `{A}` does
            if dropped == source:
                break
            source = dropped
        out.append(_ESCAPED.sub(r"\1\2", source))
    text = re.sub(r"(?<!\\)((?:\\\\)*)\\ ", r"\1 ", "".join(out))
    text = re.sub(r"[ \t\r\n]+", " ", text).strip()
    return unicodedata.normalize("NFC", text)


def same_text(original: str | None, imported: str | None) -> None:
    assert (original is None) == (imported is None), (original, imported)
    if imported:  # BibTeX cannot hold an unpaired `\\{` in a formula: the writer spells it \\lbrace
        imported = imported.replace("\\lbrace{}", "\\{").replace("\\rbrace{}", "\\}")
    if original == imported:
        return
    assert respell(imported) == respell(original), (original, imported)
    assert to_plain(imported) == to_plain(original), (original, imported)


def expected_venue(paper: Paper, entry: str) -> str | None:
    """The importer's rule: an @article or @misc whose venue names arXiv is an arXiv preprint, and
    its venue becomes "arXiv". Every other venue comes back as it was."""
    venue = re.search(r"^  (?:journal|howpublished) = \{(.*)\},$", entry, re.M)
    if venue and re.match(r"@(article|misc)\{", entry) and re.search(r"\barxiv\b", venue.group(1), re.I):
        return "arXiv"
    return paper.venue


# --- the one known gap ---------------------------------------------------------------------------


def texts(paper: Paper) -> list[str]:
    """Every field the writer writes as LaTeX text."""
    values = [paper.title, paper.venue, paper.abstract, paper.abbr, paper.award]
    values += [value for name, value in paper.extra.items() if name not in VERBATIM_FIELDS]
    return [value for value in values if value]


def unpaired_math_closer(paper: Paper) -> bool:
    """`\\)` or `\\]` without its opener: pylatexenc drops it (see the xfail test below)."""
    for text in texts(paper):
        opened = None
        for m in re.finditer(r"(?<!\\)(?:\\\\)*\\([()\[\]])", text):
            c = m.group(1)
            if c in "([":
                opened = c
            elif opened is None or "([".index(opened) != ")]".index(c):
                return True
            else:
                opened = None
    return False


def letter_command_before_group(paper: Paper) -> bool:
    """Not a bug, a limit of `respell`: TeX joins `\\i {A}` into one word `ı{A}`, whose braces the
    importer may then drop as case protection; `respell` cuts words before it reads commands."""
    return any(re.search(r"\\(?:O|o|ss|ae|AE|oe|OE|aa|AA|l|L|i|j)\s+\{", text) for text in texts(paper))


def exclude_known_bugs(paper: Paper) -> None:
    assume(not unpaired_math_closer(paper))  # see test_unpaired_math_opener (xfail)
    assume(not letter_command_before_group(paper))


# --- property 1: record -> BibTeX -> bibtexparser and the importer -> record ------------------------


@settings(PROPERTY, max_examples=EXAMPLES_ROUND_TRIP)
@given(papers())
def test_record_survives_bibtex_and_import(paper):
    exclude_known_bugs(paper)
    text = to_bibtex(publication("k", paper))
    note(text)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, text
    assert len(library.entries) == 1
    back = import_one(text)
    note(repr(back.model_dump(exclude_defaults=True)))
    same_text(paper.title, back.title)
    same_text(expected_venue(paper, text), back.venue)
    assert back.year == paper.year
    assert len(back.authors) == len(paper.authors), back.authors
    for mine, theirs in zip(paper.authors, back.authors):
        assert parse_name(theirs) == parse_name(mine), (mine, theirs)
    # pybtex reads braces as BibTeX does: escaped or not, they must balance
    pybtex.database.parse_string(text, "bibtex")


# --- property 2: .bib -> import -> export -> import is a fixed point --------------------------------


def export(records: dict[str, Paper]) -> str:
    return "\n\n".join(to_bibtex(publication(key, record), full=True) for key, record in records.items())


@settings(PROPERTY, max_examples=EXAMPLES_FIXED_POINT)
@given(st.lists(full_papers(), min_size=1, max_size=3))
def test_import_export_import_is_a_fixed_point(records):
    for record in records:
        exclude_known_bugs(record)
    bib = export({f"k{i}": record for i, record in enumerate(records)})
    note(bib)
    result = import_text(bib)
    # random records may share a DOI with one record and an arXiv id with another: such an entry
    # fails by design (it would merge two papers); nothing else may fail
    assert all("the same paper as two records" in o.reason for o in result.outcomes if o.status == "failed"), [
        (o.line, o.reason) for o in result.outcomes if o.status == "failed"
    ]
    first = result.writes
    for record in first.values():
        exclude_known_bugs(record)
    again = export(first)
    note(again)
    second = import_text(again)
    assert second.ok, [(o.line, o.reason) for o in second.outcomes if o.status == "failed"]
    assert {k: p.model_dump() for k, p in second.writes.items()} == {k: p.model_dump() for k, p in first.items()}


# --- the known bugs, each with a minimal example ----------------------------------------------------


def round_trip(**fields) -> tuple[str, ImportResult]:
    text = to_bibtex(publication("k", Paper(**{"type": "conference", **fields})))
    return text, import_text(text)


def imported(result: ImportResult) -> Paper:
    assert result.ok, [o.reason for o in result.outcomes]
    return result.writes["k"]


# Bug 01 (fixed): an unpaired literal brace is written `\{`, which BibTeX and pybtex count as a brace: the
# entry is no BibTeX (bibtex.latex_value via latex.prose_source)
def test_unpaired_brace_is_still_bibtex():
    text, _ = round_trip(title="{")
    pybtex.database.parse_string(text, "bibtex")


# Bug 02 (fixed): a non-ASCII character that is part of a command is LaTeX-encoded on its own: `\é` is written
# `\{\'e}` (bibtex.encode_unicode)
def test_non_ascii_in_command_name():
    text, result = round_trip(title="\\é")
    assert imported(result).title == "\\é", text


# Bug 03 (fixed): a `%` in a formula is written bare, so LaTeX reads a comment that eats the closing `$`
# (bibtex.latex_value)
def test_percent_in_formula():
    with pytest.raises(ValidationError, match=r"write `\\%`"):  # a bare % in a formula is a comment in LaTeX
        Paper(title="$50%$")
    text, result = round_trip(title="$50\\%$")
    assert "$50\\%$" in text and imported(result).title == "$50\\%$"
    assert imported(import_text("@misc{k, title = {$50%$}}")).title == "$50\\%$"


# Bug 04 (fixed): a formula with a stray brace is written as text with `$` escaped twice, `\\$` (a line break
# and a bare dollar) (bibtex.latex_value)
def test_formula_with_stray_brace():
    with pytest.raises(ValidationError, match="unpaired brace"):  # no formula LaTeX could read
        Paper(title="$a{$")
    text, result = round_trip(title="\\$a\\{\\$")  # the same characters as text
    assert "\\\\$" not in text and imported(result).title == "\\$a\\{\\$"


# Bug 05 (fixed): case protection braces a word that ends in a command, cutting it: `U.S.\ Army` is written
# `{U.S.\} Army` (bibtex._protect)
@pytest.mark.parametrize("title", ["U.S.\\ Army", "AB\\: x", "0A\\i 0", "\\^ 0A"])
def test_case_protection_never_cuts_a_command(title):
    text, result = round_trip(title=title)
    assert not bibtexparser.parse_string(text).failed_blocks, text
    assert respell(imported(result).title) == respell(title), text


# Bug 06 (fixed): `!“` is written ``!`` `` which TeX typesets as `¡‘` (a ligature) (bibtex.encode_unicode)
def test_opening_quote_after_exclamation_mark():
    text, _ = round_trip(title="Wow!“Quoted”")
    assert "!`" not in text


# Bug 07 (fixed): a name word `and` (any case) is not braced, so BibTeX and bibtexparser split the author list
# at it (bibtex.name_value)
def test_name_with_the_word_and():
    text, result = round_trip(title="T", authors=["And Persson", "Bo Chen"])
    assert imported(result).authors == ["Persson, And", "Chen, Bo"], text


# Bug 07b (fixed): braced as `{and}`, a lower-case `and` counts as capitalised, so a von part `aND` became a
# first name (found by test_record_survives_bibtex_and_import; bibtex.name_value now writes `an{}d`)
def test_the_word_and_as_a_von_part_stays_one():
    for name in ["aND A A", "Bo and Chen"]:
        text, result = round_trip(title="T", authors=[name, "Bo Chen"])
        authors = imported(result).authors
        assert [parse_name(a) for a in authors] == [parse_name(name), parse_name("Bo Chen")], text
        assert len(pybtex.database.parse_string(text, "bibtex").entries["k"].persons["author"]) == 2, text


# Bug 08 (fixed): a lower-case von word whose first letter is written as a bare or braced-argument command
# (`{\ss}`, `{\^{s}}`) is not lower case to bibtexparser's name splitter: the von part becomes a first name
# (bibtex.name_value; bibtexparser names.py)
def test_von_part_keeps_its_case():
    text, result = round_trip(title="T", authors=["ß A A"])
    assert parse_name(imported(result).authors[0]) == parse_name("ß A A"), text


# Bug 09 (fixed): `\\` right before a brace or the value's end is written as is; bibtexparser reads `\\}` as
# an escaped brace and fails the entry (bibtexparser splitter; workaround in bibtex.latex_value)
def test_line_break_before_brace():
    text, result = round_trip(title="Title\\\\")
    assert imported(result).title == "Title\\\\", text


# Bug 09 (fixed): a verbatim value ending in a backslash is written `{...\}`, which bibtexparser reads as an
# escaped brace (bibtex._verbatim)
def test_verbatim_value_ending_in_backslash():
    text = to_bibtex(publication("k", Paper(title="T", extra={"volume": "3\\"})), full=True)
    assert imported(import_text(text)).extra == {"volume": "3\\"}, text


# Bug 10 (fixed): `_split_concatenation` counts escaped braces, unlike bibtexparser, so `\}` then `\#` splits
# the value at the `#` and the entry fails as "not one value" (importer._split_concatenation)
def test_escaped_brace_then_hash():
    text, result = round_trip(title="} #")
    assert to_plain(imported(result).title) == "} #", text


# Bug 11 (fixed): `unprotect` drops one brace of a pair around several words: `{BERT Models} rock` imports as
# `BERT Models} rock` (importer.unprotect)
def test_braces_around_several_words():
    text, result = round_trip(title="{BERT Models} rock")
    assert to_plain(imported(result).title) == "BERT Models rock", text


# Bug 12 (fixed): `unprotect` drops braces after a formula, so the closing `$` meets a digit and the formula
# is text: `$x${2D}` imports as `$x$2D` (importer.unprotect)
def test_braced_digit_after_formula():
    text, result = round_trip(title="$x${2D} view")
    assert to_plain(imported(result).title) == to_plain("$x${2D} view"), text


# Bug 13 (fixed): a corporate author with a non-word character loses its braces and becomes a person: `{C#
# Team}` imports as `C# Team` (importer.decode_names, latex._decode_group)
def test_corporate_name_with_hash():
    text, result = round_trip(title="T", authors=["{C# Team}"])
    assert imported(result).authors == ["{C# Team}"], text


# Bug 14 (fixed for openers): an unpaired `\[` or `\(` became `$...$` up to the end of the text (`a \[ b`
# -> `a $ b$`); an unpaired `\]` still vanishes (pylatexenc)
@pytest.mark.parametrize(
    "title",
    [
        "a \\[ b",
        pytest.param(
            "\\]",
            marks=pytest.mark.xfail(
                strict=True, reason="pylatexenc drops an unpaired \\] or \\) (latex.from_latex); the properties skip it"
            ),
        ),
    ],
)
def test_unpaired_math_opener(title):
    text, result = round_trip(title=title)
    assert imported(result).title == title, text


# Bug 15 (fixed): an accent on nothing is decoded to nothing: `\^{}` and `\~{}`, TeX's `^` and `~`, vanish
# (latex._decode_macro)
def test_accent_on_nothing():
    text, result = round_trip(title="a\\^{}b")
    assert to_plain(imported(result).title) == "a^b", text


# Bug 15 (fixed): an accent on a formula is decoded by pylatexenc, leaving a stray `$`: `\~$x$` imports as
# `$̃x$$` (latex._decode_macro)
def test_accent_on_a_formula():
    text, result = round_trip(title="a \\~$x$ b")
    assert imported(result).title.count("$") % 2 == 0, text


# Bug 15 (fixed): an accent on several letters is put on each of them: `\~{ab}` (one tilde over `ab` in TeX)
# imports as `ãb̃` (latex._decode_macro)
def test_accent_on_several_letters():
    text, result = round_trip(title="x \\~{ab} y")
    assert imported(result).title == "x \\~{ab} y", text


# Bug 15 (fixed): the tie accent is dropped: `\t{ts}` imports as `{ts}` (latex._decode_macro: pylatexenc has
# no text for `\t`)
def test_tie_accent_kept():
    result = import_text("@misc{k,\n  title = {Lit\\t{ts}a},\n}")
    assert "\u0361" in imported(result).title or "\\t{ts}" in imported(result).title


# Bug 16 (fixed): `\S`, `\P`, `\SS`, `\copyright`, `\euro`, `\pounds` are in latex._SYMBOLS, but pylatexenc
# knows no text for them: they decode to nothing
def test_section_sign_command():
    result = import_text("@misc{k,\n  title = {See \\S 3 and \\P 2},\n}")
    assert imported(result).title == "See §3 and ¶2"


# Bug 17 (fixed): a brace group holding one character command loses the spaces inside it: `a{ \"u }b` imports
# as `aüb` (latex._decode_group)
def test_spaces_around_one_character():
    result = import_text('@misc{k,\n  title = {a{ \\"u }b},\n}')
    assert imported(result).title == "a ü b"


# Bug 18 (fixed): a venue that decodes to nothing moves to `extra`, where it is invalid too, and the whole
# entry fails (importer.validate)
def test_empty_venue():
    result = import_text("@inproceedings{k,\n  title = {T},\n  booktitle = {{}},\n}")
    assert imported(result).venue is None


# Bug 19 (fixed): a @misc with an arXiv eprint keeps its `howpublished` both as the venue and in `extra`; the
# export writes it once, so export -> import changes the record (importer.to_record_data)
def test_misc_venue_with_arxiv_id():
    result = import_text(
        "@misc{k,\n  title = {T},\n  howpublished = {Preprint},\n  eprint = {2402.13718},\n"
        "  archiveprefix = {arXiv},\n}"
    )
    record = imported(result)
    assert (record.venue, record.extra) == ("Preprint", {})


# Bug 20 (fixed): `keywords` are split at `,`/`;` inside braces and joined with `, `: `{language models;}`
# becomes `{language models, }`, whose braces are then literal text, so export -> import changes the record
# (importer.to_record_data)
def test_keywords_split_outside_braces_only():
    first = imported(import_text("@misc{k,\n  title = {T},\n  keywords = {{language models;}},\n}"))
    second = imported(import_text(to_bibtex(publication("k", first), full=True)))
    assert second.model_dump() == first.model_dump()


# Bug 21 (fixed): latex._typeset (the fast path without pylatexenc) lacks TeX's ``!` `` and ``?` `` ligatures
# that pylatexenc applies, so `?`A` decodes to `?`A` alone and to `¿A` inside braces: the round trip turns
# `?`A` into `¿A` (latex._LIGATURES)
def test_spanish_ligatures():
    assert from_latex("?`A") == from_latex("{?`A}").strip("{}")


# Bug 22 (fixed): `√`, `∛`, `∜` make the writer raise KeyError: the encoder's `\ensuremath{\sqrt{}}` goes
# through from_latex, whose `\ensuremath` branch calls pylatexenc unguarded (latex._decode_macro via
# bibtex._latex_char)
def test_root_sign():
    text, result = round_trip(title="√n-consistent estimators")
    assert imported(result).title == "√n-consistent estimators", text


# Bug 23 (fixed): a non-month `extra.month` was written into the entry as it is, not as LaTeX text like
# every other field: `{` broke the entry, `&` broke LaTeX (bibtex.bibtex_fields)
def test_month_that_is_no_month():
    text = to_bibtex(publication("k", Paper(title="T", extra={"month": "Spring & {Summer"})), full=True)
    pybtex.database.parse_string(text, "bibtex")
    assert to_plain(imported(import_text(text)).extra["month"]) == "Spring & {Summer", text


# Bug 25 (fixed): text was cut into chunks after an accent command and its space: `M\\" uller` read `M ̈ uller`
def test_accent_command_with_a_space():
    assert from_latex('M\\" uller') == to_plain('M\\" uller') == "Müller"


@pytest.mark.parametrize("title", ["\\textit{Duplex} models", "A \\emph{very} \\textbf{Big} {M}odel", "\\texttt{x_1}"])
def test_style_commands_survive(title):
    text, result = round_trip(title=title)
    assert imported(result).title == title, text


# Bug 26 (fixed): a doubly protected escaped character (`{{_}}`, written `{{\_}}`) lost a layer of
# braces on import, where `{\_}` was read like `{\"u}` (latex._decode_group)
def test_escaped_character_in_nested_braces():
    text, result = round_trip(title="T", extra={"note": "0 {{_}} R{&}D"})
    assert imported(result).extra["note"] == "0 {{_}} R&D", text
