"""`labpubs add`, `enrich` and `sync`: papers from where they live online, on the importer's road
(`intake`: identity, merge, outcome lines). Requests go out a few at a time through `client`;
records are offered to the intake one by one, in the order asked, and written only when whole.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from . import sources
from .client import IN_FLIGHT, Client, FetchError
from .errors import EntryError
from .identifiers import Identifier, parse_identifier
from .identity import title_key
from .intake import Candidate, Intake, Outcome, alias_hint, to_paper
from .loader import Content
from .merge import FILL, merge
from .names import ET_AL, fold, name_key, parse_name
from .records import Paper, names_everyone
from .sources import crossref, dblp, openalex, orcid


class UnknownMember(ValueError):
    """`sync --member` names no member of people.yaml."""


@dataclass
class Run:
    """What a command did: an outcome per id or work, the records to write, change lines."""

    outcomes: list[Outcome]
    writes: dict[str, Paper]
    changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(o.status != "failed" for o in self.outcomes)


def intake_for(content: Content, update: bool = False) -> Intake:
    sources_ = {key: content.display_path(path) for key, path in content.sources.items()}
    return Intake(content.papers, content.context(), update, sources_, members=content.people)


def fetch_all(jobs: list, fetch: Callable, progress=None) -> list:
    """`fetch(job)` for each job, a few at a time; each result is a list of candidate fields or the
    FetchError that stopped it, in the order of the jobs."""

    def attempt(job):
        try:
            return fetch(job)
        except FetchError as error:
            return error

    results = []
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        for done, result in enumerate(pool.map(attempt, jobs), 1):
            results.append(result)
            if progress:
                progress(done, len(jobs))
    return results


def add(texts: list[str], content: Content, client: Client, update: bool = False, progress=None) -> Run:
    """One record per paper an id names; an id whose paper is a record completes it."""
    intake = intake_for(content, update)
    parsed: list[Identifier | ValueError] = []
    for text in texts:
        try:
            parsed.append(parse_identifier(text))
        except ValueError as error:
            parsed.append(error)
    valid = [p for p in parsed if isinstance(p, Identifier)]
    fetched = dict(zip(valid, fetch_all(valid, lambda i: sources.fetch(client, i), progress)))
    for text, identifier in zip(texts, parsed):
        if isinstance(identifier, ValueError):
            intake.fail(text, text, str(identifier))
            continue
        result = fetched[identifier]
        if isinstance(result, FetchError):
            intake.fail(text, str(identifier), str(result))
            continue
        for data in result:
            intake.offer(Candidate(data, text, str(identifier)))
    return Run(intake.outcomes, intake.writes)


def enrich(keys: list[str], content: Content, client: Client, progress=None) -> Run:
    """Fill what records lack from their DOI or arXiv id; a record with neither is looked up by
    title, and the answer is taken only on an exact title match with an author in common."""
    keys = keys or sorted(content.papers)
    unknown = [key for key in keys if key not in content.papers]
    keys = [key for key in keys if key in content.papers]
    results = fetch_all(keys, lambda key: _lookup(client, content.papers[key], content), progress)
    run = Run([Outcome(key, key, "failed", reason="no such record") for key in unknown], {})
    for key, result in zip(keys, results):
        where = content.display_path(content.sources[key])
        if isinstance(result, (FetchError, LookupError)):
            run.outcomes.append(Outcome(where, key, "failed", reason=str(result)))
            continue
        old = content.papers[key].model_dump(exclude_defaults=True)
        merged, changes = merge(old, result, FILL)
        try:
            paper, notes = to_paper(merged, content.context())
        except EntryError as error:
            run.outcomes.append(Outcome(where, key, "failed", reason=f"the merged record is not valid: {error}"))
            continue
        new = paper.model_dump(exclude_defaults=True)
        lines = [
            f"{key}: {name}: {_short(old.get(name))} → {_short(new.get(name))}"
            for name in Paper.model_fields
            if old.get(name) != new.get(name)
        ]
        run.changes += lines
        status = "merged" if lines else "unchanged"
        run.outcomes.append(Outcome(where, key, status, key, notes=notes + changes.notes))
        if lines:
            run.writes[key] = paper
    return run


def _lookup(client: Client, paper: Paper, content: Content) -> dict | LookupError:
    if paper.doi:
        return crossref.work(client, paper.doi)
    if paper.arxiv:
        return sources.arxiv.with_published_version(client, paper.arxiv)[0]
    names = {fold(parse_name(n).family) for n in paper.authors if n != ET_AL}
    names |= {fold(parse_name(p.name).family) for p in content.people if (p.slug or "") in paper.members}
    if not names:
        return LookupError("no DOI, no arXiv id and no author to check a title match against: not looked up")
    found = crossref.search(client, paper.title)
    for candidate in found:
        theirs = {fold(parse_name(n).family) for n in candidate.get("authors", [])}
        if title_key(candidate.get("title") or "") == title_key(paper.title) and theirs & names:
            return candidate
    nearest = f" (nearest: {found[0].get('title')!r})" if found else ""
    return LookupError(f"no work at Crossref with this exact title and an author in common{nearest}")


def _short(value) -> str:
    if value is None or value == [] or value == {}:
        return "—"
    text = " and ".join(value) if isinstance(value, list) else str(value)
    return text if len(text) <= 70 else text[:67] + "..."


def sync(
    content: Content,
    client: Client,
    member: str | None = None,
    since: int | None = None,
    exclude: set[str] = frozenset(),
    progress=None,
) -> Run:
    """Add the works that members' ORCID, OpenAlex and DBLP profiles list and the lab lacks."""
    slugs = [content.slug_of(p) for p in content.people]
    if member and member not in slugs:
        known = ", ".join(slugs) if slugs else "none: people.yaml lists no one"
        raise UnknownMember(f"no member with the slug {member!r} in people.yaml (the slugs: {known})")
    people = [p for p in content.people if not member or content.slug_of(p) == member]
    jobs = [(p, kind) for p in people for kind in ("orcid", "openalex", "dblp") if getattr(p, kind)]
    intake = intake_for(content)
    results = fetch_all(jobs, lambda job: _works(client, *job, since), progress)
    for (person, kind), result in zip(jobs, results):
        where = f"{kind}:{getattr(person, kind)}"
        if isinstance(result, FetchError):
            intake.fail(where, person.name, str(result))
            continue
        for label, data, spelling in result:
            if _excluded(data, label, exclude):
                continue
            notes = _link_member(data, person, content.slug_of(person), spelling)
            outcome = intake.offer(Candidate(data, where, label, notes=notes))
            outcome.notes[:] = dict.fromkeys(outcome.notes)  # the intake may give the same hint
    return Run(intake.outcomes, intake.writes)


def _link_member(data: dict, person, slug: str, spelling: str | None) -> list[str]:
    """Link a work from a member's profile to the member: by `members` when its author list names
    no one or ends in et al. (the record format's way); when the full list spells the member in
    none of their people.yaml spellings, a hint to add that spelling to their aliases (the list
    itself is never changed). `spelling` is the member's name as the profile's source writes it."""
    authors = data.get("authors") or []
    if not names_everyone(authors):
        data["members"] = [slug]
        return []
    theirs = {name_key(n) for n in [person.name, *person.aliases]}
    if any(name_key(name) in theirs for name in authors):
        return []
    if spelling not in authors:  # the source did not say which author they are: their ORCID may
        spelling = next((n for n, o in (data.get("orcids") or {}).items() if person.orcid and o == person.orcid), None)
    return [alias_hint(spelling, person.name)] if spelling else []


def _works(client: Client, person, kind: str, since: int | None) -> list[tuple[str, dict, str | None]]:
    """(label, record fields, the member's name as the work spells it when known) of every work a
    profile lists since a year."""
    if kind == "openalex":
        works = [
            (f"OpenAlex {w.get('doi') or w['title'][:40]}", w, spelling)
            for w, spelling in openalex.works_of(client, person.openalex, since)
        ]
    elif kind == "dblp":
        works = [(f"DBLP {key}", w, spelling) for key, w, spelling in dblp.works_of(client, person.dblp)]
    else:
        works = []
        for identifier, data in orcid.works_of(client, person.orcid, since):
            try:
                found = sources.fetch(client, identifier) if identifier else [data]
            except FetchError:  # the listed identifier is not found: ORCID's own data stands in
                found = [data]
            label = str(identifier) if identifier else f"ORCID {data.get('title', '')[:40]}"
            works += [(label, w, None) for w in found]
    return [(label, w, s) for label, w, s in works if not since or (w.get("year") or since) >= since]


def _excluded(data: dict, label: str, exclude: set[str]) -> bool:
    """Whether `sync.exclude` names the work: by DOI, arXiv id, label or title."""
    names = {
        (data.get("doi") or "").lower(),
        (data.get("arxiv") or "").lower(),
        label.lower(),
        title_key(data.get("title") or ""),
    }
    return bool(names & exclude)
