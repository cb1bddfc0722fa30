"""The record format: what a paper, a person and a topic may hold, checked by pydantic.

One model per record kind; the loader turns pydantic's errors into located problems.
Text is stored as written (Unicode plus inline LaTeX such as `$\\infty$`), NFC-normalised
so that a name typed two ways is one name.

Why one module of ~460 lines: it is the one home of every fact about a record (types, venue
fields, months, identifier patterns, link kinds) beside the models that use them; the validators
are short functions, one per kind of value.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Literal
from urllib.parse import quote, urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .latex import MATH, balanced, segments


@dataclass(frozen=True)
class PaperKind:
    """What a paper `type` is in each format labpubs writes: one row per type, read by every writer."""

    bibtex: str  # BibTeX entry type
    venue_field: str  # the BibTeX field that holds the venue
    csl: str  # CSL-JSON type
    venue_is_container: bool  # CSL: the venue is the container-title (else the publisher)
    scholar_tag: str | None  # Google Scholar's tag for the venue
    ris: str  # RIS type
    schema_venue: str  # schema.org type of the venue (`isPartOf`)


# A conference paper and a workshop paper are written alike everywhere; only `type` tells them apart
_PROCEEDINGS = PaperKind(
    "inproceedings", "booktitle", "paper-conference", True, "citation_conference_title", "CPAPER", "CreativeWorkSeries"
)
PAPER_KINDS = {
    "conference": _PROCEEDINGS,
    "journal": PaperKind("article", "journal", "article-journal", True, "citation_journal_title", "JOUR", "Periodical"),
    "preprint": PaperKind("misc", "howpublished", "article", False, "citation_journal_title", "UNPB", "Periodical"),
    "workshop": _PROCEEDINGS,
    "book": PaperKind("book", "publisher", "book", False, "citation_publisher", "BOOK", "CreativeWorkSeries"),
    "chapter": PaperKind("incollection", "booktitle", "chapter", True, "citation_inbook_title", "CHAP", "Book"),
    "thesis": PaperKind(
        "phdthesis", "school", "thesis", False, "citation_dissertation_institution", "THES", "CreativeWorkSeries"
    ),
    "report": PaperKind(
        "techreport",
        "institution",
        "report",
        False,
        "citation_technical_report_institution",
        "RPRT",
        "CreativeWorkSeries",
    ),
    "other": PaperKind("misc", "howpublished", "document", False, None, "GEN", "CreativeWorkSeries"),
}
PAPER_TYPES = tuple(PAPER_KINDS)
# BibTeX entry types as the importer reads them (paper type) and the writer fills them (venue field);
# any other entry type is `other`, with its venue in `howpublished`.
BIBTEX_TYPES = {
    "inproceedings": ("conference", "booktitle"),
    "conference": ("conference", "booktitle"),
    "article": ("journal", "journal"),
    "book": ("book", "publisher"),
    "proceedings": ("book", "publisher"),
    "inbook": ("chapter", "booktitle"),
    "incollection": ("chapter", "booktitle"),
    "phdthesis": ("thesis", "school"),
    "mastersthesis": ("thesis", "school"),
    "thesis": ("thesis", "school"),
    "techreport": ("report", "institution"),
    "report": ("report", "institution"),
    "unpublished": ("preprint", "howpublished"),
}
ET_AL = "others"  # the last author of a list that goes on ("et al."), as BibTeX writes it


def names_everyone(authors: list[str]) -> bool:
    """Whether an author list is complete: not empty and not ending in et al. Beside a list that
    is not, `members` names the lab's members it hides."""
    return bool(authors) and authors[-1] != ET_AL


LINK_KINDS = ("pdf", "code", "slides", "video", "poster", "website", "data", "supp", "blog", "html", "url")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
DOI_PATTERN = r"10\.\d{4,9}/\S+"
ARXIV_PATTERN = r"(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?"
ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)", re.I)  # the DOI arXiv (DataCite) gives every preprint
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_:-]*$")
RESERVED_KEYS = {"index"}
MIN_YEAR = 1900
MAX_YEAR = datetime.date.today().year + 2  # accepted and forthcoming papers; not in the JSON Schema


# tab and newline are white space; U+FFFE and U+FFFF are no characters (YAML and XML refuse them)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def _text(value: str) -> str:
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise ValueError("must not be empty")
    control = _CONTROL.search(value)
    if control:  # the feed (XML) and front matter (YAML) cannot hold them
        kind = "control character" if ord(control.group()) < 0xFFFE else "non-character"
        raise ValueError(f"holds the {kind} U+{ord(control.group()):04X}; delete it (it prints nothing)")
    for candidate in MATH.finditer(value):
        if not balanced(candidate.group(1)):
            raise ValueError(
                f"the formula ${candidate.group(1)}$ has an unpaired brace; "
                "write `\\$` for a dollar sign that starts no formula"
            )
    for is_math, source in segments(value):
        special = re.search(r"(?<!\\)(?:\\\\)*([%&#])", source) if is_math else None
        if special:
            raise ValueError(
                f"`{special.group(1)}` in the formula ${source}$ is LaTeX syntax there; "
                f"write `\\{special.group(1)}` for the character"
            )
    return value


def _url(value: str) -> str:
    """Only web links and links inside the site: `javascript:`, `data:` and the like never reach a page."""
    value = value.strip()
    if not value or any(c.isspace() or ord(c) < 32 for c in value):
        raise ValueError("must be a URL without spaces")
    parts = urlsplit(value)
    if parts.scheme:
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an http(s) URL or a path inside the site, not {parts.scheme}:")
    elif value.startswith("//") or ":" in value.split("/", 1)[0]:
        raise ValueError("must be an http(s) URL or a path inside the site")
    return value


def bare_doi(value: str) -> str:
    """A DOI without its resolver or `doi:` prefix: `https://doi.org/10.1/x` -> `10.1/x`."""
    return re.sub(r"^((https?://)?(dx\.)?doi\.(org|acm\.org)/|doi:\s*)+", "", value.strip(), flags=re.I)


def bare_arxiv(value: str) -> str:
    """An arXiv id without `arXiv:`, its URL or `.pdf`: `https://arxiv.org/abs/2402.13718v2` -> `2402.13718v2`."""
    value = re.sub(r"^(arxiv:\s*|https?://(www\.|export\.)?arxiv\.org/(abs|pdf)/)", "", value.strip(), flags=re.I)
    return re.sub(r"\.pdf$", "", value)


def unversioned_arxiv(arxiv_id: str) -> str:
    """An arXiv id without its version: `2402.13718v2` -> `2402.13718`. Every version of a preprint
    is one paper, for identity and for what is asked of arXiv."""
    return re.sub(r"v\d+$", "", arxiv_id)


_ADS = json.loads(resources.files(__package__).joinpath("data/ads_journals.json").read_text("utf-8"))
ADS_JOURNALS: dict[str, str] = {
    **_ADS["journals"],
    **{alias: _ADS["journals"][macro] for alias, macro in _ADS["aliases"].items()},
}
_ONE_MACRO = re.compile(r"\{?\s*\\([A-Za-z]+)\s*(?:\{\})?\s*\}?")


def ads_journal(value: str) -> str | None:
    """The journal an ADS export names by macro (`journal = {\\apj}`): its name as ADS lists it."""
    match = _ONE_MACRO.fullmatch(value.strip())
    return ADS_JOURNALS.get(match.group(1)) if match else None


def doi_url(doi: str) -> str:
    """The resolver link, with what a URL cannot hold percent-encoded (`10.1/a#b` -> `10.1/a%23b`:
    a bare `#` would cut the DOI at the fragment)."""
    return "https://doi.org/" + quote(doi, safe="/;:()[].-_+=,@!$&'*~")


def arxiv_url(arxiv: str, pdf: bool = False) -> str:
    return f"https://arxiv.org/{'pdf' if pdf else 'abs'}/{arxiv}"


def _doi(value: str) -> str:
    value = bare_doi(value)
    if not re.fullmatch(DOI_PATTERN, value):
        raise ValueError("must look like 10.1234/abc (a DOI, without https://doi.org/)")
    return value


def _arxiv(value: str) -> str:
    value = bare_arxiv(value)
    if not re.fullmatch(ARXIV_PATTERN, value):
        raise ValueError("must be an arXiv identifier such as 2402.13718")
    return value


def orcid_check_digit(digits: str) -> str:
    """The check digit of an ORCID iD's first 15 digits (ISO 7064 MOD 11-2, as ORCID computes it)."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _orcid(value: str) -> str:
    value = re.sub(r"^https?://orcid\.org/", "", value.strip())
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", value):
        raise ValueError("must look like 0000-0002-1825-0097")
    expected = orcid_check_digit(value.replace("-", "")[:15])
    if value[-1] != expected:
        raise PydanticCustomError(
            "orcid_checksum",
            "`{orcid}` fails the ORCID checksum: the check digit (last character) should be {expected}, not {found}",
            {
                "orcid": value,
                "expected": expected,
                "found": value[-1],
                "hint": "a digit is probably mistyped; copy the iD from the person's orcid.org page",
            },
        )
    return value


def _scholar(value: str) -> str:
    """A Google Scholar profile as its URL or its user id; anything else is refused."""
    value = value.strip()
    if re.fullmatch(r"[A-Za-z0-9_-]{12}", value):
        return value
    parts = urlsplit(value)
    if parts.scheme == "https" and re.fullmatch(r"scholar\.google\.[a-z.]+", parts.netloc) and "user=" in parts.query:
        return value
    raise ValueError(
        "must be a Google Scholar profile URL (https://scholar.google.com/citations?user=...) or its user id"
    )


def _github(value: str) -> str:
    if not re.fullmatch(r"(https://github\.com/)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/?", value.strip()):
        raise ValueError("must be a GitHub user name (octocat) or profile URL (https://github.com/octocat)")
    return value.strip()


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s:/<>]+@[^@\s:/<>]+\.[^@\s:/<>]+", value.strip()):
        raise ValueError("must be an email address (name@example.org)")
    return value.strip()


def _known(kind: str, where: str):
    """A check that a slug names a known topic or member, when the loader says which are known."""

    def check(value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get(kind)
        if known is not None and value not in known:
            close = difflib.get_close_matches(value, list(known), n=1)
            raise PydanticCustomError(
                f"unknown_{kind}",
                f"{kind[:-1]} `{{slug}}` is not in {where}",
                {"slug": value, "hint": f"did you mean `{close[0]}`?" if close else None},
            )
        return value

    return AfterValidator(check)


def _year(value: int) -> int:
    if value > MAX_YEAR:
        raise ValueError(f"{value} is more than two years ahead")
    return value


# JSON Schema patterns mirror the Python checks, so editors flag the same mistakes as you type.
_URL_PATTERN = r"^(https?://\S+|(?![A-Za-z][A-Za-z0-9+.-]*:)(?!//)\S+)$"
_DOI_PATTERN = rf"^((https?://(dx\.)?doi\.org/|doi:)?{DOI_PATTERN})$"
_ARXIV_PATTERN = rf"^((arXiv:|https?://arxiv\.org/(abs|pdf)/)?{ARXIV_PATTERN})$"
_ORCID_PATTERN = r"^(https?://orcid\.org/)?\d{4}-\d{4}-\d{4}-\d{3}[\dX]$"

Text = Annotated[str, AfterValidator(_text), WithJsonSchema({"type": "string", "minLength": 1})]
Url = Annotated[str, AfterValidator(_url), WithJsonSchema({"type": "string", "pattern": _URL_PATTERN})]
Doi = Annotated[str, AfterValidator(_doi), WithJsonSchema({"type": "string", "pattern": _DOI_PATTERN})]
Arxiv = Annotated[str, AfterValidator(_arxiv), WithJsonSchema({"type": "string", "pattern": _ARXIV_PATTERN})]
Orcid = Annotated[str, AfterValidator(_orcid), WithJsonSchema({"type": "string", "pattern": _ORCID_PATTERN})]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]


def _extra(fields: dict[str, str]) -> dict[str, str]:
    """`entrytype` is written as `@entrytype{`: a BibTeX entry type (letters) or nothing."""
    if "entrytype" in fields and not re.fullmatch(r"[A-Za-z]+", fields["entrytype"]):
        raise ValueError(
            f"extra.entrytype `{fields['entrytype']}` is not a BibTeX entry type (letters only, e.g. misc)"
        )
    return fields


class Record(BaseModel):
    # numbers are fine as text (`title: 1984`, an ORCID typed as digits gets the ORCID message)
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


def _urls(value) -> tuple[str, ...]:
    """One link or a list of them (two code repositories, two PDFs), each checked as a URL."""
    values = value if isinstance(value, (list, tuple)) else [value]
    if not all(isinstance(v, str) for v in values):
        raise ValueError("must be a URL or a list of URLs")
    return tuple(_url(v) for v in values)


Urls = Annotated[
    tuple[str, ...],
    BeforeValidator(_urls),
    PlainSerializer(lambda urls: urls[0] if len(urls) == 1 else list(urls)),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": _URL_PATTERN},
                {"type": "array", "items": {"type": "string", "pattern": _URL_PATTERN}},
            ]
        }
    ),
]


class Links(Record):
    """A paper's links by kind; a kind may hold several (`code: [https://..., https://...]`)."""

    pdf: Urls = ()
    code: Urls = ()
    slides: Urls = ()
    video: Urls = ()
    poster: Urls = ()
    website: Urls = ()
    data: Urls = ()
    supp: Urls = ()
    blog: Urls = ()
    html: Urls = ()
    url: Urls = ()

    def items(self) -> list[tuple[str, str]]:
        """(kind, URL) of every link, in LINK_KINDS order."""
        return [(kind, href) for kind in LINK_KINDS for href in getattr(self, kind)]

    def first(self, kind: str) -> str | None:
        urls = getattr(self, kind)
        return urls[0] if urls else None


class Paper(Record):
    """One publication. `authors` may be empty (no listing printed them) or end in `others`
    (et al.); `members` then names lab members known to be among the unlisted authors."""

    title: Text = Field(description="As printed; inline LaTeX allowed: $\\infty$Bench, \\textit{x}")
    authors: list[Text] = Field([], description='In order; "First Last" or "Last, First"; a last `others` means et al.')
    orcids: dict[Text, Orcid] = Field({}, description="ORCID iDs of authors, by the name as `authors` writes it")
    members: list[Annotated[Slug, _known("members", "people.yaml")]] = Field(
        [], description="Slugs of lab members among authors that the list does not name (et al. or no list)"
    )
    year: Annotated[int, AfterValidator(_year)] | None = Field(None, ge=MIN_YEAR, description="Leave out when unknown")
    date: datetime.date | None = Field(None, description="YYYY-MM-DD")
    type: Literal[PAPER_TYPES] = "other"  # type: ignore[valid-type]
    venue: Text | None = Field(None, description='Short display name, e.g. "EMNLP 2024"')
    abbr: Text | None = Field(None, description='Venue badge, e.g. "EMNLP"')
    abstract: Text | None = None
    topics: list[Annotated[Slug, _known("topics", "topics.yaml")]] = Field([], description="Slugs from topics.yaml")
    doi: Doi | None = Field(None, description="10.1234/abc")
    arxiv: Arxiv | None = Field(None, description="2402.13718")
    links: Links = Field(Links(), description="http(s) URLs or paths inside the site")
    award: Text | None = None
    selected: bool = Field(False, description="Shown on the home page")
    extra: Annotated[dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")], Text], AfterValidator(_extra)] = Field(
        {}, description="BibTeX fields with no place above (volume, pages, ...); written back to BibTeX"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Paper:
        if self.date and self.year is None:
            object.__setattr__(self, "year", self.date.year)
        if self.date and self.date.year != self.year:
            raise ValueError(f"date {self.date} is not in year {self.year}")
        if ET_AL in self.authors[:-1]:
            raise ValueError("`others` (et al.) may only be the last author")
        if set(self.orcids) - set(self.authors):
            raise ValueError(
                f"orcids names {sorted(set(self.orcids) - set(self.authors))[0]!r}, who is not in `authors`"
            )
        if self.members and names_everyone(self.authors):
            raise ValueError(
                "`members` is for members hidden in an unknown or et-al. author list; "
                "with a full list, put the names in `authors`"
            )
        return self


def _photo(value: str) -> str:
    """A member photo is a file of the site: pages load nothing from other hosts (no avatar service)."""
    value = value.strip()
    flat = value.replace("\\", "/")  # browsers read `/\host/x.jpg` as `//host/x.jpg`
    if flat.startswith("//") or urlsplit(flat).netloc:
        raise PydanticCustomError(
            "photo_elsewhere",
            "`{photo}` is on another host; a photo must be a file of the site (pages load nothing from other hosts)",
            {
                "photo": value,
                "hint": "put the image in content/ (e.g. content/images/NAME.jpg) and give its path (/images/NAME.jpg)",
            },
        )
    if urlsplit(flat).scheme:
        raise ValueError(f"must be a path inside the site, not {urlsplit(flat).scheme}:")
    return _url(value)


Photo = Annotated[str, AfterValidator(_photo), WithJsonSchema({"type": "string", "pattern": _URL_PATTERN})]


class Person(Record):
    """A lab member; `aliases` are the other spellings that appear in author lists."""

    name: Text
    aliases: list[Text] = []
    role: Text | None = None
    homepage: Url | None = None
    photo: Photo | None = None
    orcid: Orcid | None = None
    scholar: Annotated[str, AfterValidator(_scholar)] | None = Field(
        None, description="Google Scholar profile: its URL or the user id in it (user=...)"
    )
    github: Annotated[str, AfterValidator(_github)] | None = Field(None, description="GitHub user name or profile URL")
    email: Annotated[str, AfterValidator(_email)] | None = None
    until: Annotated[int, AfterValidator(_year)] | None = Field(
        None, ge=MIN_YEAR, description="The year a member left: listed among the alumni"
    )
    openalex: Annotated[str, Field(pattern=r"^A\d{4,}$")] | None = Field(None, description="OpenAlex author id, A...")
    dblp: Annotated[str, Field(pattern=r"^[0-9a-z]+/[0-9A-Za-z-]+$")] | None = Field(
        None, description="DBLP person id (pid), e.g. 123/4567"
    )
    slug: Slug | None = None


class Topic(Record):
    """A research topic; papers name it by its slug (the key in topics.yaml)."""

    title: Text
    description: Text | None = None


def json_schemas() -> dict[str, dict]:
    """JSON Schema of each content file, for editors that validate YAML as people type."""

    def schema(title: str, body: dict) -> dict:
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **body}

    person, topic = Person.model_json_schema(), Topic.model_json_schema()
    return {
        "paper.schema.json": schema("labpubs paper (content/papers/<key>.yaml)", Paper.model_json_schema()),
        "people.schema.json": schema(
            "labpubs members (content/people.yaml)",
            {"type": "array", "items": {k: v for k, v in person.items() if k != "title"}},
        ),
        "topics.schema.json": schema(
            "labpubs topics (content/topics.yaml)",
            {
                "type": "object",
                "propertyNames": {"pattern": "^[a-z0-9][a-z0-9-]*$"},
                "additionalProperties": {k: v for k, v in topic.items() if k != "title"},
            },
        ),
    }
