"""One road in for every paper. A source (a .bib entry, a Crossref or arXiv record, ...) hands a
*candidate* (record fields plus where they came from); here it meets the lab's records:

    candidate -> valid record -> identity (which record is the same paper?) -> merge -> outcome

Every candidate ends in one outcome: `imported` (a new record), `merged` into a record, `unchanged`
(the record already says it all) or `failed` (with the reason). Nothing is written here: `writes`
holds the records to write, and only whole, valid records get there.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pydantic import ValidationError

from .errors import EntryError
from .identity import CONFLICT, SAME, Identity, IdentityIndex, same_entry
from .merge import COMBINE, FILL, OVERWRITE, merge
from .names import ET_AL, fold, name_key, parse_name, slugify
from .records import KEY_PATTERN, RESERVED_KEYS, Paper

STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "at", "by", "is", "are"}


@dataclass
class Candidate:
    """A paper as a source describes it: record fields, and where they came from."""

    data: dict
    where: str  # "refs.bib:31" or "https://api.crossref.org/works/10.1/x"
    label: str | None = None  # the entry's cite key, or the id asked for
    notes: list[str] = field(default_factory=list)
    wanted_key: str | None = None  # kept as the record's key when valid and free


@dataclass
class Outcome:
    """What became of one candidate: "imported", "merged", "unchanged" or "failed"."""

    where: str
    label: str | None
    status: str
    key: str | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    line: int = 0  # for sorting a file's outcomes

    def __str__(self) -> str:
        label = self.label or "entry"
        text = {
            "failed": f"failed ({label}): {self.reason}",
            "imported": f"imported {label} as {self.key}",
            "merged": f"merged {label} into {self.key}",
            "unchanged": f"unchanged {label} ({self.key})",
        }
        return f"{self.where}: {text[self.status]}" + "".join(f"\n    note: {n}" for n in self.notes)


class Intake:
    """The lab's records and what a run adds to them; `offer` one candidate at a time."""

    def __init__(
        self,
        existing: dict[str, Paper],
        context: dict,
        update: bool = False,
        sources: dict[str, str] | None = None,
        members: list | None = None,
    ):
        self.context, self.update = context, update
        self.records: dict[str, dict] = {k: p.model_dump(exclude_defaults=True) for k, p in existing.items()}
        self.original = {k: dict(v) for k, v in self.records.items()}
        self.origin = dict(sources or {})  # key -> where the record came from, for messages
        self.new_keys: set[str] = set()
        self.index = IdentityIndex()
        for key, record in self.records.items():
            self.index.add(key, Identity.of(record))
        self.outcomes: list[Outcome] = []
        self.members = MemberNames(members or [])

    def offer(self, candidate: Candidate) -> Outcome:
        try:
            paper, notes = to_paper(candidate.data, self.context)
        except EntryError as error:
            where = f"{error.field}: " if error.field else ""
            return self.fail(candidate.where, candidate.label, where + str(error), candidate.notes)
        record = paper.model_dump(exclude_defaults=True)
        notes = candidate.notes + notes + self.members.hints(paper)
        identity = Identity.of(record)
        related = self.index.related(identity)
        if not related and candidate.wanted_key in self.original:  # an entry imported before, by its key
            verdict = same_entry(identity, self.index.identities[candidate.wanted_key])
            related = {candidate.wanted_key: verdict} if verdict else {}
        same = [key for key, verdict in related.items() if verdict.kind == SAME]
        notes += [
            f"warning: not merged with {key} ({self.origin.get(key, key)}), {verdict.reason}: "
            "check which of the two is right"
            for key, verdict in related.items()
            if verdict.kind == CONFLICT
        ]
        by_id = [key for key in same if related[key].field != "title"]
        if len(same) > 1 and len(by_id) == 1:  # an identifier and the title outweigh the title alone
            notes += [
                f"also the title of {key} ({self.origin.get(key, key)}), not merged with it"
                for key in same
                if key != by_id[0]
            ]
            same = by_id
        if len(same) > 1:
            found = " and ".join(f"{key} ({related[key].reason})" for key in same)
            return self.fail(
                candidate.where,
                candidate.label,
                f"the entry is the same paper as two records, {found}: merge or correct them first",
                notes,
            )
        if same:
            return self._merge(candidate, same[0], record, related[same[0]].reason, notes)
        key = self._new_key(candidate.wanted_key, record)
        self.records[key], self.origin[key] = record, candidate.where
        self.new_keys.add(key)
        self.index.add(key, Identity.of(record))
        return self.report(Outcome(candidate.where, candidate.label, "imported", key, notes=notes))

    def _merge(self, candidate: Candidate, key: str, record: dict, reason: str, notes: list[str]) -> Outcome:
        mode = COMBINE if key in self.new_keys else OVERWRITE if self.update else FILL
        merged, changes = merge(self.records[key], record, mode)
        status = "unchanged" if merged == self.records[key] else "merged"
        notes = notes + [f"the same paper as {key} ({self.origin.get(key, key)}): {reason}"]
        notes += changes.summary()
        self.records[key] = merged
        self.index.add(key, Identity.of(merged))
        return self.report(Outcome(candidate.where, candidate.label, status, key, notes=notes))

    def fail(self, where: str, label: str | None, reason: str, notes: list[str] | None = None) -> Outcome:
        return self.report(Outcome(where, label, "failed", reason=reason, notes=list(notes or [])))

    def report(self, outcome: Outcome) -> Outcome:
        """Count an outcome decided outside `offer` (a broken entry, a crossref target)."""
        self.outcomes.append(outcome)
        return outcome

    def _new_key(self, wanted: str | None, record: dict) -> str:
        """The entry's own cite key when it is a valid, free labpubs key (documents that cite it keep
        working); otherwise a Google Scholar-style key."""
        if wanted and KEY_PATTERN.match(wanted) and wanted not in self.records and wanted not in RESERVED_KEYS:
            return wanted
        return scholar_key(record, self.records.keys())

    @property
    def writes(self) -> dict[str, Paper]:
        """Records to write: new ones, and existing ones that changed."""
        return {
            key: Paper.model_validate(record, context=self.context)
            for key, record in self.records.items()
            if key in self.new_keys or record != self.original.get(key)
        }

    @property
    def counts(self) -> Counter:
        return Counter(o.status for o in self.outcomes)


class MemberNames:
    """Members by every spelling people.yaml gives them, to say when an author list spells a member
    in a new way: a hint ("add alias?"), never a silent link."""

    def __init__(self, people: list):
        self.exact = {name_key(n): p.name for p in people for n in [p.name, *p.aliases]}
        self.orcids = {p.orcid: p.name for p in people if getattr(p, "orcid", None)}
        self.loose: dict[tuple[str, str], str] = {}
        for person in people:
            for spelling in [person.name, *person.aliases]:
                for key in _loose_keys(spelling, full=True):
                    self.loose.setdefault(key, person.name)

    def hints(self, paper: Paper) -> list[str]:
        out = []
        for name in paper.authors:
            if name == ET_AL or name_key(name) in self.exact:
                continue
            member = self.orcids.get(paper.orcids.get(name)) or next(
                (self.loose[k] for k in _loose_keys(name) if k in self.loose), None
            )
            if member:
                out.append(alias_hint(name, member))
        return out


def alias_hint(name: str, member: str) -> str:
    """The one wording of "this author may be that member" (import, add, sync)."""
    return f"hint: {name!r} may be the member {member}: if so, add this spelling to their aliases in people.yaml"


def _loose_keys(name: str, full: bool = False) -> list[tuple[str, str]]:
    """(family name, given name) in both orders, spaces and hyphens gone (`Ying-Fa Chen`, `Chen
    Yingfa`); with initials for the spellings of a member (`Y. Chen`)."""
    parts = parse_name(name)
    family, given = fold(" ".join(parts.von + parts.last)).replace(" ", ""), fold(" ".join(parts.first))
    if not family or not given:
        return []
    compact = given.replace(" ", "")
    keys = [(family, compact), (compact, family)]
    initials = "".join(word[0] for word in given.split())
    if full or len(compact) == len(initials):  # a member's initials match an author written with initials only
        keys.append((family, initials + "."))
    return keys


def to_paper(data: dict, context: dict) -> tuple[Paper, list[str]]:
    """A Paper from candidate data. A field that fails validation (a DOI that is not one, a link
    that is not http) moves to `extra` with a note instead of failing the candidate; a bad title,
    author list or topic fails it."""
    data, notes = dict(data), []
    while True:
        try:
            return Paper.model_validate(data, context=context), notes
        except ValidationError as error:
            problem = error.errors()[0]
            loc, message = problem["loc"], problem["msg"].removeprefix("Value error, ")
            if not loc or loc[0] in ("title", "authors", "topics", "members", "extra"):
                raise EntryError(message, ".".join(str(p) for p in loc) or None) from None
            if loc[0] == "links":
                links = dict(data["links"])
                name, value = str(loc[1]), links.pop(str(loc[1]))
                data["links"] = links
                if not links:
                    del data["links"]
            else:
                name, value = str(loc[0]), data.pop(str(loc[0]))
            data["extra"] = {**data.get("extra", {}), name: " ".join(value) if isinstance(value, list) else str(value)}
            notes.append(f"{name}: {message}; kept in extra")


def ascii_words(text: str) -> list[str]:
    """The words of a text in lower-case ASCII, every script transliterated (`Łukasz Ærø` ->
    lukasz, aero; `韩放达` -> han, fang, da)."""
    return slugify(text).split("-") if text else []


def scholar_key(record: dict, taken) -> str:
    """Google Scholar's `lastnameYEARfirstword`, lower-case ASCII, with a, b, ... when taken."""
    authors = [a for a in record.get("authors", []) if a != ET_AL] or record.get("extra", {}).get("editor", "").split(
        " and "
    )
    last = "".join(ascii_words(parse_name(authors[0]).family)) if authors[0:1] != [""] and authors else ""
    word = next((w for w in ascii_words(record["title"]) if len(w) > 1 and w not in STOPWORDS), "")
    base = re.sub(r"[^a-z0-9]", "", f"{last}{record.get('year') or ''}{word}") or "paper"
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
