"""Two records of one paper made into one, with nothing lost, and a sentence of what was combined.

Three ways, by what the base record is:
- FILL, a record of the lab: the incoming record only adds what it lacks (a field, a link kind,
  an `extra` key, the full author list of an "et al." one); every value that differs is reported
  in the outcome line and the record keeps its own.
- COMBINE, a record made in the same run (two entries of one .bib): a published version takes over
  type, venue, badge, year and date from its preprint (whose values are arXiv's, reachable through
  its arXiv id); any other value that differs is kept beside the first in `extra` (`venue_2`,
  `doi_2`, `author_2`, ...), which goes back out into BibTeX; links of a kind are both kept.
- OVERWRITE (`--update`): the incoming values replace the record's, field by field; fields the
  incoming record does not have stay.
Records here are field dicts, as `Paper.model_dump(exclude_defaults=True)` gives them.
"""

from __future__ import annotations

import copy
import re

from .bibtex import name_value
from .latex import from_latex
from .names import ET_AL, fold, name_key, parse_name
from .records import PAPER_KINDS, names_everyone
from .richtext import to_plain

FILL, COMBINE, OVERWRITE = "fill", "combine", "overwrite"
PUBLISHED_FIELDS = ("type", "venue", "abbr", "year", "date")
UNION_FIELDS = ("topics", "members")


class Changes:
    """What a merge did, in words for the outcome line."""

    def __init__(self) -> None:
        self.added: list[str] = []
        self.notes: list[str] = []

    def summary(self) -> list[str]:
        return ([f"added {', '.join(self.added)}"] if self.added else []) + self.notes


class _Merge:
    def __init__(self, base: dict, incoming: dict, mode: str):
        self.result, self.incoming, self.mode, self.changes = copy.deepcopy(base), incoming, mode, Changes()
        self.preprint = _preprint_side(base, incoming) if mode != OVERWRITE else None
        self.preprint_values: list[str] = []

    def run(self) -> tuple[dict, Changes]:
        for name, value in self.incoming.items():
            if name in ("links", "extra", "orcids"):
                self.mapping(name, value)
            elif name in UNION_FIELDS:
                self.result[name] = list(dict.fromkeys(self.result.get(name, []) + value))
            elif name == "selected":
                self.result[name] = self.result.get(name, False) or value
            else:
                self.field(name, value)
        self.finish()
        return self.result, self.changes

    def field(self, name: str, value) -> None:
        mine = self.result.get(name)
        if mine is None:
            self.result[name] = value
            self.changes.added.append(name)
        elif _same(mine, value):
            return
        elif self.mode == OVERWRITE:
            self.result[name] = value
            self.changes.notes.append(f"{name}: {_shown(mine)} → {_shown(value)}")
        elif self.preprint == "incoming" and name in PUBLISHED_FIELDS:
            self.preprint_values.append(f"{name} {_shown(value)}")
        elif self.preprint == "base" and name in PUBLISHED_FIELDS and self.mode == FILL:
            self.differs(name, _shown(value), mine)
        elif self.preprint == "base" and name in PUBLISHED_FIELDS:
            self.result[name] = value
            self.preprint_values.append(f"{name} {_shown(mine)}")
        elif name == "authors":
            self.authors(value)
        elif name == "title":  # the same title up to case and punctuation (identity says so)
            self.changes.notes.append(f"title: kept {mine!r} (the entry spells it {value!r})")
        elif name == "type":
            self.changes.notes.append(f"type: kept {mine} (the entry says {value})")
        else:
            self.differs(name, _shown(value), mine)

    def differs(self, name: str, value: str, mine, label: str | None = None) -> None:
        """A value that differs from the record's: kept beside it (COMBINE) or reported (FILL)."""
        label = label or name
        if self.mode == FILL:
            self.changes.notes.append(
                f"{label} differs: the entry says {value!r}, the record {_shown(mine)!r} (--update takes the entry's)"
            )
            return
        extra = self.result.setdefault("extra", {})
        taken = [k for k in extra if k == name or (k.startswith(name + "_") and k[len(name) + 1 :].isdigit())]
        if not any(_same(extra[k], value) for k in taken):
            slot = next(f"{name}_{n}" for n in range(2, 100) if f"{name}_{n}" not in extra)
            extra[slot] = value
            self.changes.notes.append(f"{label} differs: {value!r} kept as extra.{slot}")

    def mapping(self, name: str, value: dict) -> None:
        """Links by kind (every URL kept when combining), `extra` by key."""
        mine = self.result.setdefault(name, {})
        for key, theirs in value.items():
            if key == "entrytype" and self.incoming.get("type") != self.result.get("type"):
                continue  # the .bib entry type goes with the type that was kept (type comes before extra)
            if name == "links":
                self.links(mine, key, _as_list(theirs))
            elif key not in mine or self.mode == OVERWRITE:
                if mine.get(key) != theirs:
                    self.changes.added.append(_label(name, key))
                mine[key] = theirs
            elif not _same(mine[key], theirs) and key != "entrytype":
                self.differs(key, theirs, mine[key], _label(name, key))
        if not mine:
            del self.result[name]

    def links(self, mine: dict, kind: str, theirs: list[str]) -> None:
        ours = _as_list(mine.get(kind))
        new = [url for url in theirs if url not in ours]
        if not new:
            return
        if not ours or self.mode == OVERWRITE:
            mine[kind] = _from_list(theirs)
            self.changes.added.append(f"{kind} link")
        elif self.mode == COMBINE:
            mine[kind] = _from_list(ours + new)
            self.changes.notes.append(f"both {kind} links kept")
        else:
            self.differs(kind, " ".join(new), " ".join(ours), f"links.{kind}")

    def authors(self, theirs: list[str]) -> None:
        """A fuller list that starts with everyone an et-al. (or shorter) list names replaces it,
        each name in its fuller spelling (`Lee, Ann` stays, not `Lee, A.`); a name the fuller list
        gives another first name keeps the old list beside it."""
        mine = self.result["authors"]
        if _covers(theirs, mine) and (mine[-1:] == [ET_AL] or len(theirs) > len(mine)):
            kept = [n for n in mine if n != ET_AL]
            if all(_initials(a) == _initials(b) for a, b in zip(kept, theirs)):
                theirs = [_fuller(a, b) for a, b in zip(kept, theirs)] + list(theirs[len(kept) :])
            elif self.mode == FILL:  # another first name: the record's list stays, the entry's is reported
                self.differs("author", _author_text(theirs), _author_text(mine), "authors")
                return
            else:
                self.differs("author", _author_text(mine), _author_text(theirs), "authors")
            self.result["authors"] = list(theirs)
            count = lambda names: f"{len([n for n in names if n != ET_AL])}{' et al.' if ET_AL in names else ''}"  # noqa: E731
            self.changes.notes.append(f"authors: the list of {count(theirs)} replaces the list of {count(mine)}")
        elif not _covers(mine, theirs):
            self.differs("author", _author_text(theirs), _author_text(mine), "authors")

    def finish(self) -> None:
        result, date = self.result, self.result.get("date")
        if self.preprint == "base" and date and "date" not in self.incoming and result.get("year") != date.year:
            del result["date"]  # the preprint's date beside the published year
            self.preprint_values.append(f"date {date}")
        if self.preprint_values:
            self.changes.notes.append(
                f"the published version's values kept; the preprint's {', '.join(self.preprint_values)} are arXiv's"
            )
        if self.preprint == "base" and self.mode == FILL:
            self.changes.notes.append(
                "the entry is the published version of this preprint record: --update takes its type, venue and year"
            )
        if self.preprint == "base" or self.mode == OVERWRITE:
            _follow_type(result, self.incoming)
        if result.get("date") and result.get("year") != result["date"].year:  # --update gave another year
            self.differs("date", result.pop("date").isoformat(), None)
        self.attach_orcids()
        authors = result.get("authors", [])
        if result.get("members") and names_everyone(authors):  # `members` only beside an unknown list
            self.changes.notes.append(
                f"members {', '.join(result.pop('members'))} dropped: the author list is now complete "
                "(a member the list spells another way needs that spelling in their aliases)"
            )
        if self.mode != FILL:
            _tidy(result, self)

    def attach_orcids(self) -> None:
        """ORCIDs stay with their authors: under the name as the kept author list spells it."""
        orcids, authors = self.result.get("orcids"), self.result.get("authors", [])
        if not orcids:
            return
        spelled = {name_key(name): name for name in authors if name != ET_AL}
        for name in [n for n in orcids if n not in authors]:
            orcid = orcids.pop(name)
            own = spelled.get(name_key(name))
            if own and own not in orcids:
                orcids[own] = orcid
            else:
                self.changes.notes.append(f"orcid {orcid} of {name!r} not kept: no such author in the record's list")
        if not orcids:
            del self.result["orcids"]


def merge(base: dict, incoming: dict, mode: str = FILL) -> tuple[dict, Changes]:
    """`base` with what `incoming` (the same paper) adds; see the module's rules."""
    return _Merge(base, incoming, mode).run()


def _preprint_side(base: dict, incoming: dict) -> str | None:
    """Which side is the preprint of a preprint + published pair: "base", "incoming" or None."""
    if "type" not in incoming or (base.get("type") == "preprint") == (incoming["type"] == "preprint"):
        return None
    return "base" if base.get("type") == "preprint" else "incoming"


def _same(a, b) -> bool:
    """Equal, or the same text up to LaTeX spelling (`{M}amba` and `Mamba`)."""
    return a == b or (isinstance(a, str) and isinstance(b, str) and to_plain(a) == to_plain(b))


def _shown(value) -> str:
    return _author_text(value) if isinstance(value, list) else str(value)


def _as_list(value) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _from_list(urls: list[str]):
    return urls[0] if len(urls) == 1 else urls


def _covers(full: list[str], short: list[str]) -> bool:
    """Whether `full` starts with everyone `short` names (et al. aside), by family name."""
    families = lambda names: [fold(parse_name(n).family) for n in names if n != ET_AL]  # noqa: E731
    named = families(short)
    return families(full)[: len(named)] == named


def _author_text(names: list[str]) -> str:
    """An author list as record text, for `extra.author_2`: the BibTeX author field, decoded. Joining
    the names would keep a corporate name's braces (`{R&D 50% Lab}`), which record text reads as
    literal braces: the export would write them escaped and a second import would differ."""
    return from_latex(" and ".join(name_value(name, unicode=True) for name in names))


def _label(mapping: str, key: str) -> str:
    """How a note names an entry of `extra` (`extra.volume`) or of `orcids` (`orcid of Chen, Yingfa`)."""
    return f"orcid of {key}" if mapping == "orcids" else f"{mapping}.{key}"


def _initials(name: str) -> list[str]:
    """The initials of a name's given names: `Ann-Marie` and `A.-M.` agree, `Ann` and `Bob` do not."""
    given = to_plain(" ".join(parse_name(name).first))
    return [word[0] for word in re.split(r"[\s.\-~]+", fold(given)) if word]


def _fuller(mine: str, theirs: str) -> str:
    """Of two spellings of one author, the one with the longer given names."""
    letters = lambda name: len(re.sub(r"[\W_]", "", to_plain(" ".join(parse_name(name).first))))  # noqa: E731
    return mine if letters(mine) > letters(theirs) else theirs


def _follow_type(result: dict, incoming: dict) -> None:
    """The .bib entry type (`extra.entrytype`) goes with the record whose `type` was kept."""
    if result.get("type") != incoming.get("type"):
        return
    entrytype = incoming.get("extra", {}).get("entrytype")
    result.get("extra", {}).pop("entrytype", None)
    if entrytype:
        result.setdefault("extra", {})["entrytype"] = entrytype


def _tidy(result: dict, merging: _Merge) -> None:
    """Facts said twice after a merge: a month the date says, the venue in its BibTeX field."""
    extra, date = result.get("extra", {}), result.get("date")
    if date and extra.get("month", "")[:3].lower() == f"{date:%b}".lower():
        del extra["month"]
    venue_field = PAPER_KINDS[result.get("type", "other")].venue_field
    if venue_field in extra:  # the field the kept type's BibTeX writes the venue in
        if "venue" not in result:
            result["venue"] = extra.pop(venue_field)
        elif _same(extra[venue_field], result["venue"]):
            del extra[venue_field]
        else:
            merging.differs("venue", extra.pop(venue_field), result["venue"])
    if "extra" in result and not result["extra"]:
        del result["extra"]
