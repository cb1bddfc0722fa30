"""When two records are one paper: the one set of rules that `labpubs import`, `add`, `sync` and
`check` share.

Two records are the same paper when
- they share a DOI or an arXiv id *and* their titles match after normalisation, or
- their titles match and nothing contradicts it: no different DOI, no different arXiv id, years
  at most one apart (a preprint and its published version), types that can be one paper (a
  preprint is any; a thesis and a conference paper, or a conference and a journal version, are
  two publications), and at least one author's family name in common when both list authors.
When an identifier and the title disagree (the same DOI on two different titles: a copy-paste slip
in a .bib; or the same title with different DOIs), the two are kept apart and the disagreement is
reported. A placeholder title ("Title", "TBD") identifies nothing, except the entry a record was
imported from: the same cite key, the same placeholder and nothing that contradicts it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .names import ET_AL, fold, parse_name
from .records import ARXIV_DOI, unversioned_arxiv
from .richtext import to_plain

# Titles people put in before the paper has one: two such entries are not one paper.
PLACEHOLDER_TITLES = {
    "title",
    "notitle",
    "untitled",
    "tbd",
    "tba",
    "todo",
    "tbc",
    "na",
    "none",
    "placeholder",
    "paper",
    "draft",
    "preprint",
    "forthcoming",
    "comingsoon",
    "inpreparation",
    "inprep",
    "underreview",
    "submitted",
    "xxx",
    "test",
}
SAME, CONFLICT = "same", "conflict"


def title_key(title: str) -> str:
    """A title reduced to what identifies it: case, accents, punctuation, spacing and LaTeX gone;
    letters of every script stay (a Greek or Chinese title is not the empty string)."""
    return re.sub(r"[\W_]+", "", fold(to_plain(title)))


@dataclass(frozen=True)
class Identity:
    """What identifies a record: its DOI and arXiv id (normalised) and its title key."""

    doi: str | None
    arxiv: str | None
    title: str | None
    year: int | None
    type: str | None = None
    families: frozenset = frozenset()  # the authors' family names, folded
    placeholder: str | None = None  # the title key when it is a placeholder ("tbd")

    @classmethod
    def of(cls, record: Mapping) -> Identity:
        """From a record's fields (a `Paper` dump or candidate data)."""
        doi, arxiv = (record.get("doi") or "").lower() or None, record.get("arxiv")
        doi = re.sub(r"\.v\d+$", "", doi) if doi else None  # a version of a figshare item is the item
        arxiv_doi = ARXIV_DOI.fullmatch(doi or "")
        if arxiv_doi:  # arXiv's own DOI names the preprint, as its arXiv id does
            doi, arxiv = None, arxiv or arxiv_doi.group(1)
        key = title_key(record.get("title") or "")
        families = frozenset(fold(parse_name(n).family) for n in record.get("authors", ()) if n != ET_AL)
        placeholder = len(key) <= 2 or key in PLACEHOLDER_TITLES
        return cls(
            doi,
            unversioned_arxiv(arxiv).lower() if arxiv else None,
            None if placeholder else key,
            record.get("year"),
            record.get("type"),
            families,
            key if placeholder else None,
        )

    def index_keys(self) -> list[tuple[str, str]]:
        """Index keys: any record sharing one of these may be the same paper."""
        return [
            (name, value) for name, value in (("doi", self.doi), ("arxiv", self.arxiv), ("title", self.title)) if value
        ]


@dataclass(frozen=True)
class Verdict:
    """`SAME` (merge them) or `CONFLICT` (keep both, report), the reason in words, and the field
    it rests on first ("doi", "arxiv" or "title"), for messages that point at a line."""

    kind: str
    reason: str
    field: str = "title"


def compare(a: Identity, b: Identity) -> Verdict | None:
    """Whether two records are one paper (see the module's rules); None when they are unrelated."""
    shared = [name for name in ("doi", "arxiv") if getattr(a, name) and getattr(a, name) == getattr(b, name)]
    differ = _differing(a, b)
    titles = a.title is not None and a.title == b.title
    if shared and titles:
        return Verdict(SAME, f"same {_names(shared)} and title", shared[0])
    if shared:
        return Verdict(CONFLICT, f"same {_names(shared)} but different titles", shared[0])
    if not titles:
        return None
    why = _title_conflict(a, b, differ)
    return Verdict(CONFLICT, f"same title but {why}") if why else Verdict(SAME, "same title")


def same_entry(entry: Identity, record: Identity) -> Verdict | None:
    """An entry and the record that has its cite key, when the title is a placeholder: the same
    entry imported again if the placeholder, identifiers, years and authors agree."""
    if entry.placeholder is None or entry.placeholder != record.placeholder:
        return None
    if _title_conflict(entry, record, _differing(entry, record)):
        return None
    return Verdict(SAME, "same cite key and placeholder title")


def _differing(a: Identity, b: Identity) -> list[str]:
    """The identifiers both have, with different values."""
    return [n for n in ("doi", "arxiv") if getattr(a, n) and getattr(b, n) and getattr(a, n) != getattr(b, n)]


def _title_conflict(a: Identity, b: Identity, differ: list[str]) -> str | None:
    """What says that two records with one title are two papers, if anything."""
    if differ:
        return f"different {_names(differ, plural=True)}"
    if a.year is not None and b.year is not None and abs(a.year - b.year) > 1:
        return f"years {a.year} and {b.year}"
    loose = ("preprint", "other", None)
    if a.type != b.type and a.type not in loose and b.type not in loose:
        return f"types {a.type} and {b.type}"
    if a.families and b.families and not a.families & b.families:
        return "no author in common"
    return None


def _names(fields: Iterable[str], plural: bool = False) -> str:
    return " and ".join({"doi": "DOI", "arxiv": "arXiv id"}[f] + ("s" if plural else "") for f in fields)


class IdentityIndex:
    """Records by their identity keys, to find the ones a new record may be the same paper as."""

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], list[str]] = {}
        self.identities: dict[str, Identity] = {}

    def add(self, key: str, identity: Identity) -> None:
        old = self.identities.get(key)
        for ident in old.index_keys() if old else ():
            self.keys[ident].remove(key)
        self.identities[key] = identity
        for ident in identity.index_keys():
            self.keys.setdefault(ident, []).append(key)

    def related(self, identity: Identity) -> dict[str, Verdict]:
        """Each indexed record this identity is the same paper as, or conflicts with."""
        found: dict[str, Verdict] = {}
        for ident in identity.index_keys():
            for key in self.keys.get(ident, ()):
                if key not in found:
                    verdict = compare(identity, self.identities[key])
                    if verdict:
                        found[key] = verdict
        return found
