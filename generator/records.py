"""The record format: what a paper, a person and a topic may hold, checked by pydantic.

One model per record kind; the loader turns pydantic's errors into located problems.
Text is stored as written (Unicode plus inline LaTeX such as `$\\infty$`), NFC-normalised
so that a name typed two ways is one name.
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from typing import Annotated, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from .latex import _MATH, balanced, segments

PAPER_TYPES = ("conference", "journal", "preprint", "workshop", "book", "chapter", "thesis", "report", "other")
LINK_KINDS = ("pdf", "code", "slides", "video", "poster", "website", "data", "supp", "blog", "url")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_:-]*$")
RESERVED_KEYS = {"index"}
MIN_YEAR = 1900
MAX_YEAR = datetime.date.today().year + 2  # accepted and forthcoming papers; not in the JSON Schema


def _text(value: str) -> str:
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise ValueError("must not be empty")
    for candidate in _MATH.finditer(value):
        if not balanced(candidate.group(1)):
            raise ValueError(f"the formula ${candidate.group(1)}$ has an unpaired brace; "
                             "write `\\$` for a dollar sign that starts no formula")
    for is_math, source in segments(value):
        special = re.search(r"(?<!\\)(?:\\\\)*([%&#])", source) if is_math else None
        if special:
            raise ValueError(f"`{special.group(1)}` in the formula ${source}$ is LaTeX syntax there; "
                             f"write `\\{special.group(1)}` for the character")
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


def _doi(value: str) -> str:
    value = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", value.strip(), flags=re.I)
    if not re.fullmatch(r"10\.\d{4,9}/\S+", value):
        raise ValueError("must look like 10.1234/abc (a DOI, without https://doi.org/)")
    return value


def _arxiv(value: str) -> str:
    value = re.sub(r"^(arxiv:|https?://arxiv\.org/(abs|pdf)/)", "", value.strip(), flags=re.I)
    if not re.fullmatch(r"(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?", value):
        raise ValueError("must be an arXiv identifier such as 2402.13718")
    return value


def _orcid(value: str) -> str:
    value = re.sub(r"^https?://orcid\.org/", "", value.strip())
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", value):
        raise ValueError("must look like 0000-0002-1825-0097")
    return value


def _known(kind: str, where: str):
    """A check that a slug names a known topic or member, when the loader says which are known."""

    def check(value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get(kind)
        if known is not None and value not in known:
            close = difflib.get_close_matches(value, list(known), n=1)
            raise PydanticCustomError(f"unknown_{kind}", f"{kind[:-1]} `{{slug}}` is not in {where}",
                                      {"slug": value, "hint": f"did you mean `{close[0]}`?" if close else None})
        return value

    return AfterValidator(check)


def _year(value: int) -> int:
    if value > MAX_YEAR:
        raise ValueError(f"{value} is more than two years ahead")
    return value


# JSON Schema patterns mirror the Python checks, so editors flag the same mistakes as you type.
_URL_PATTERN = r"^(https?://\S+|(?![A-Za-z][A-Za-z0-9+.-]*:)(?!//)\S+)$"
_DOI_PATTERN = r"^((https?://(dx\.)?doi\.org/|doi:)?10\.\d{4,9}/\S+)$"
_ARXIV_PATTERN = r"^((arXiv:|https?://arxiv\.org/(abs|pdf)/)?(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?)$"
_ORCID_PATTERN = r"^(https?://orcid\.org/)?\d{4}-\d{4}-\d{4}-\d{3}[\dX]$"

Text = Annotated[str, AfterValidator(_text), WithJsonSchema({"type": "string", "minLength": 1})]
Url = Annotated[str, AfterValidator(_url), WithJsonSchema({"type": "string", "pattern": _URL_PATTERN})]
Doi = Annotated[str, AfterValidator(_doi), WithJsonSchema({"type": "string", "pattern": _DOI_PATTERN})]
Arxiv = Annotated[str, AfterValidator(_arxiv), WithJsonSchema({"type": "string", "pattern": _ARXIV_PATTERN})]
Orcid = Annotated[str, AfterValidator(_orcid), WithJsonSchema({"type": "string", "pattern": _ORCID_PATTERN})]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Record(BaseModel):
    # numbers are fine as text (`title: 1984`, an ORCID typed as digits gets the ORCID message)
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Links(Record):
    pdf: Url | None = None
    code: Url | None = None
    slides: Url | None = None
    video: Url | None = None
    poster: Url | None = None
    website: Url | None = None
    data: Url | None = None
    supp: Url | None = None
    blog: Url | None = None
    url: Url | None = None

    def items(self) -> list[tuple[str, str]]:
        return [(kind, getattr(self, kind)) for kind in LINK_KINDS if getattr(self, kind)]


class Paper(Record):
    """One publication. `authors` may be empty (no listing printed them) or end in `others`
    (et al.); `members` then names lab members known to be among the unlisted authors."""

    title: Text = Field(description="As printed; inline LaTeX allowed: $\\infty$Bench, \\textit{x}")
    authors: list[Text] = Field([], description='In order; "First Last" or "Last, First"; a last `others` means et al.')
    members: list[Annotated[Slug, _known("members", "people.yaml")]] = Field(
        [], description="Slugs of lab members among authors that the list does not name (et al. or no list)")
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
    extra: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")], Text] = Field(
        {}, description="BibTeX fields with no place above (volume, pages, ...); written back to BibTeX")

    @model_validator(mode="after")
    def _consistent(self) -> "Paper":
        if self.date and self.year is None:
            object.__setattr__(self, "year", self.date.year)
        if self.date and self.date.year != self.year:
            raise ValueError(f"date {self.date} is not in year {self.year}")
        if "others" in self.authors[:-1]:
            raise ValueError("`others` (et al.) may only be the last author")
        if self.members and self.authors and self.authors[-1] != "others":
            raise ValueError("`members` is for members hidden in an unknown or et-al. author list; "
                             "with a full list, put the names in `authors`")
        return self


class Person(Record):
    """A lab member; `aliases` are the other spellings that appear in author lists."""

    name: Text
    aliases: list[Text] = []
    role: Text | None = None
    homepage: Url | None = None
    photo: Url | None = None
    orcid: Orcid | None = None
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
        "people.schema.json": schema("labpubs members (content/people.yaml)", {
            "type": "array", "items": {k: v for k, v in person.items() if k != "title"}}),
        "topics.schema.json": schema("labpubs topics (content/topics.yaml)", {
            "type": "object", "propertyNames": {"pattern": "^[a-z0-9][a-z0-9-]*$"},
            "additionalProperties": {k: v for k, v in topic.items() if k != "title"}}),
    }


class _RecordDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Long text as folded blocks, so records stay readable and diff well."""


def _str(dumper: yaml.SafeDumper, value: str):
    style = ">" if len(value) > 100 and "\n" not in value and value == value.strip() and "  " not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_RecordDumper.add_representer(str, _str)


def to_yaml(record: Record) -> str:
    """A record as the YAML an author would write: fields in model order, defaults left out."""
    data = record.model_dump(mode="json", exclude_defaults=True)
    if "extra" in data:
        data["extra"] = dict(sorted(data["extra"].items()))
    return yaml.dump(data, Dumper=_RecordDumper, allow_unicode=True, sort_keys=False, width=100)
