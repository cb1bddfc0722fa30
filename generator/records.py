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
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

PAPER_TYPES = ("conference", "journal", "preprint", "workshop", "book", "chapter", "thesis", "report", "other")
LINK_KINDS = ("pdf", "code", "slides", "video", "poster", "website", "data", "supp", "blog", "url")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_:-]*$")
RESERVED_KEYS = {"index"}
MIN_YEAR, MAX_YEAR = 1900, datetime.date.today().year + 2


def _text(value: str) -> str:
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise ValueError("must not be empty")
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


Text = Annotated[str, AfterValidator(_text)]
Url = Annotated[str, AfterValidator(_url)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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

    title: Text
    authors: list[Text] = []
    members: list[Annotated[Slug, _known("members", "people.yaml")]] = []
    year: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_YEAR)
    date: datetime.date | None = None
    type: Literal[PAPER_TYPES] = "other"  # type: ignore[valid-type]
    venue: Text | None = None
    abbr: Text | None = None
    abstract: Text | None = None
    topics: list[Annotated[Slug, _known("topics", "topics.yaml")]] = []
    doi: Annotated[str, AfterValidator(_doi)] | None = None
    arxiv: Annotated[str, AfterValidator(_arxiv)] | None = None
    links: Links = Links()
    award: Text | None = None
    selected: bool = False
    extra: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")], Text] = {}

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
    orcid: Annotated[str, AfterValidator(_orcid)] | None = None
    slug: Slug | None = None


class Topic(Record):
    title: Text
    description: Text | None = None


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
