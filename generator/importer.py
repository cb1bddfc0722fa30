"""`labpubs import FILE.bib`: every entry of a .bib file becomes a record, is merged into one, is
unchanged, or fails with its line and the reason. Nothing is dropped silently.

Reading is `bibread` (.bib -> raw entries), mapping is `bibmap` (raw entry -> record fields), and
the rest is the one road every paper takes (`intake`: identity, merge, outcome lines).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .bibmap import to_record_data
from .bibread import ParsedBib
from .errors import EntryError
from .intake import Candidate, Intake, Outcome
from .names import fold
from .records import Paper
from .yamlfile import write_record

# Entry types that a `crossref` points at: their fields live on in the entries that inherit them.
CROSSREF_TARGET_TYPES = ("proceedings", "book", "collection")


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


def import_bib(
    parsed: ParsedBib,
    existing: dict[str, Paper],
    topics: dict[str, str],
    members: set[str],
    update: bool = False,
    progress=None,
    file: str = "",
    sources: dict[str, str] | None = None,
    people: list | None = None,
) -> ImportResult:
    """Decide what each entry of a parsed .bib becomes against the existing records.

    `topics` maps normalised topic slugs and titles to slugs (see `topic_index`); `file` names the
    .bib in outcome lines; `sources` names each existing record's file; `people` (the members)
    lets an outcome say when an author may be a member spelled a new way."""
    intake = Intake(existing, {"topics": set(topics.values()), "members": members}, update, sources, people)
    where = lambda line: f"{file}:{line}" if file else f"line {line}"  # noqa: E731
    for broken in parsed.broken:
        intake.fail(where(broken.line), broken.key, broken.reason).line = broken.line
    for done, entry in enumerate(parsed.entries, 1):
        if progress:
            progress(done, len(parsed.entries))
        users = parsed.crossref_targets.get(entry.key.lower())
        if users and entry.entry_type in CROSSREF_TARGET_TYPES:
            outcome = intake.report(
                Outcome(
                    where(entry.line),
                    entry.key,
                    "merged",
                    users[0],
                    notes=["its fields were inherited by " + ", ".join(users) + " (crossref)"],
                )
            )
        elif entry.error:
            outcome = intake.fail(where(entry.line), entry.key, entry.error, entry.notes)
        else:
            try:
                data, notes = to_record_data(entry, topics)
            except EntryError as error:
                outcome = intake.fail(where(entry.line), entry.key, f"{error.field}: {error}", entry.notes)
            else:
                outcome = intake.offer(Candidate(data, where(entry.line), entry.key, entry.notes + notes, entry.key))
        outcome.line = entry.line
    outcomes = sorted(intake.outcomes, key=lambda o: o.line)
    return ImportResult(outcomes, parsed.others, parsed.notes, intake.writes)


def topic_index(topics: dict) -> dict[str, str]:
    """Normalised slug and title of each topic -> slug, to match .bib keywords."""
    index = {}
    for slug, topic in topics.items():
        for name in (slug, topic.title):
            index[fold(name).replace(" ", "-")] = slug
    return index


def write_records(writes: dict[str, Paper], papers_dir: Path, existing: dict[str, Paper] | None = None) -> None:
    """Write new and changed records; a changed record keeps its file's comments and layout."""
    papers_dir.mkdir(parents=True, exist_ok=True)
    for key, paper in writes.items():
        write_record(papers_dir / f"{key}.yaml", paper, (existing or {}).get(key))
