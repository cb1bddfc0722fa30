"""Read `content/`: one YAML file per paper, `people.yaml` and `topics.yaml`, validated per record.

Every problem is collected with its file, line and field; nothing stops at the first. Line
numbers are looked up only when a record is wrong, so a clean load parses each file once.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .errors import Problem
from .names import slugify
from .records import KEY_PATTERN, PAPER_TYPES, RESERVED_KEYS, Paper, Person, Topic
from .session import Session


class RecordLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe YAML, C-speed where available, that reads dates and decimals as text: pydantic then
    checks dates with a located error (`2024-13-01` would crash PyYAML), and an arXiv id such as
    2402.13710 keeps its last zero instead of becoming a float."""


RecordLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
PAPERS_DIR, PEOPLE_FILE, TOPICS_FILE = "papers", "people.yaml", "topics.yaml"
MAX_FILE_BYTES = 1 << 20
MAX_VALUES = 200_000


@dataclass
class Content:
    """Validated records of one content folder, and where each came from."""

    root: Path
    papers: dict[str, Paper] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    people_at: list[int] = field(default_factory=list)  # each person's position in people.yaml
    topics: dict[str, Topic] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def display_path(self, path: Path) -> str:
        """The path as the author knows it: relative to the working folder when possible."""
        try:
            return os.path.relpath(path)
        except ValueError:
            return str(path)

    @staticmethod
    def slug_of(person: Person) -> str:
        """A member's slug: their own, or made from their name."""
        return person.slug or slugify(person.name)

    def context(self) -> dict[str, set[str]]:
        """What a paper's `topics` and `members` may name, for validating records against this content."""
        return {"topics": set(self.topics), "members": {self.slug_of(p) for p in self.people}}

    def problem(
        self, path: Path, loc: tuple | None, message: str, hint: str | None = None, severity: str = "error"
    ) -> None:
        """Record a problem at the YAML node `loc` of a file (None: the whole file), with its line,
        column and field (`authors[2]`, `links.code`), the one way every stage reports."""
        line, column = locate(path, loc) if loc is not None else (None, None)
        names = [str(part) for part in (loc or ()) if not isinstance(part, int)]
        field = ".".join(names) + (f"[{loc[-1]}]" if loc and isinstance(loc[-1], int) and names else "")
        self.problems.append(Problem(self.display_path(path), message, line, column, field or None, hint, severity))

    def is_data_file(self, rel_path: str) -> bool:
        """Whether a file of the content folder is a record (never published as is)."""
        parts = Path(rel_path).parts
        return rel_path in (PEOPLE_FILE, TOPICS_FILE) or (
            len(parts) == 2 and parts[0] == PAPERS_DIR and parts[1].endswith((".yaml", ".yml"))
        )


def paper_files(root: Path) -> list[Path]:
    folder = root / PAPERS_DIR
    if not folder.is_dir():
        return []
    with os.scandir(folder) as entries:  # a stat and a Path comparison less per file: 0.4 s at 10,000 papers
        names = [e.name for e in entries if os.path.splitext(e.name)[1] in (".yaml", ".yml") and e.is_file()]
    return [folder / name for name in sorted(names, key=os.path.normcase)]  # in Path order


def load_content(root: str | Path, session: Session | None = None) -> Content:
    """Load and validate every record under `root`; problems are collected, not raised. With a
    `session`, a paper file whose modification and change times, size and inode (and the topics
    and members it was checked against) are unchanged since the session's last load is not read
    again; one whose bytes are unchanged is not parsed again."""
    content = Content(Path(root))
    session = session or Session()
    _load_people(content, content.root / PEOPLE_FILE)
    _load_topics(content, content.root / TOPICS_FILE)
    known = content.context()
    checked_with = (frozenset(known["topics"]), frozenset(known["members"]))  # what a valid record was checked against
    files = paper_files(content.root)
    for path in files:
        _load_paper(content, path, known, checked_with, session.records)
    session.forget_records_except(content.root / PAPERS_DIR, files)
    return content


def _load_people(content: Content, path: Path) -> None:
    data = _read_yaml(content, path) if path.exists() else None
    if data is None:
        return
    if not isinstance(data, list):
        content.problem(path, None, "must be a list of people (each starting with `- name:`)")
        return
    for index, item in enumerate(data):
        person = _validate(content, path, Person, item, (index,))
        if person:
            content.people.append(person)
            content.people_at.append(index)


def _load_topics(content: Content, path: Path) -> None:
    data = _read_yaml(content, path) if path.exists() else None
    if data is None:
        return
    if not isinstance(data, dict):
        content.problem(path, None, "must map topic slugs to {title, description}")
        return
    for slug, item in data.items():
        if not isinstance(slug, str) or not KEY_PATTERN.match(slug) or ":" in slug or "_" in slug:
            content.problem(path, (slug,), f"topic slug {slug!r} must be lower-case letters, digits and -")
            continue
        topic = _validate(content, path, Topic, item, (slug,))
        if topic:
            content.topics[slug] = topic


def _load_paper(content: Content, path: Path, known: dict[str, set[str]], checked_with: tuple, valid: dict) -> None:
    key = path.stem
    if not KEY_PATTERN.match(key) or key in RESERVED_KEYS:
        content.problems.append(
            Problem(
                content.display_path(path),
                f"file name {path.name!r} is not a valid paper key",
                hint="use lower-case ASCII letters, digits, '-', '_' or ':' (the key is the cite key and the URL)",
            )
        )
        return
    if key in content.papers:
        first = content.display_path(content.sources[key])
        content.problems.append(Problem(content.display_path(path), f"key {key!r} is also used by {first}"))
        return
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)  # the kernel sets ctime on every write
    cached = valid.get(path)  # (stamp, checked_with, digest of the bytes, record)
    if cached and cached[:2] == (stamp, checked_with):
        paper = cached[3]
    else:
        raw = path.read_bytes()
        digest = hashlib.blake2b(raw, digest_size=20).digest()
        if cached and cached[1:3] == (checked_with, digest):  # touched, or a fresh checkout: same bytes
            paper = cached[3]
        else:
            data = _read_yaml(content, path, raw)
            if data is None:
                return
            if not isinstance(data, dict):
                content.problem(path, None, "a paper record must be a mapping of fields (title:, authors:, ...)")
                return
            paper = _validate(content, path, Paper, data, (), known)
        if paper:
            valid[path] = (stamp, checked_with, digest, paper)
    if paper:
        content.papers[key] = paper
        content.sources[key] = path


def _read_yaml(content: Content, path: Path, raw: bytes | None = None) -> Any:
    shown = content.display_path(path)
    raw = path.read_bytes() if raw is None else raw
    if len(raw) > MAX_FILE_BYTES:
        content.problems.append(Problem(shown, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        content.problems.append(
            Problem(
                shown,
                f"not UTF-8: byte {raw[error.start : error.start + 1]!r} cannot be read",
                line=line,
                hint="save the file as UTF-8 (most editors: File > Save with encoding)",
            )
        )
        return None
    if not unicodedata.is_normalized("NFC", text):  # every value, not only the validated text fields
        text = unicodedata.normalize("NFC", text)
    try:
        data = yaml.load(text, Loader=RecordLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        content.problems.append(
            Problem(
                shown,
                f"YAML syntax: {getattr(error, 'problem', None) or error}",
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
                hint="check indentation and quote text that contains ': ' or starts with a special character",
            )
        )
        return None
    if _expanded_size(data) > MAX_VALUES:
        content.problems.append(
            Problem(
                shown,
                f"the file expands to more than {MAX_VALUES:,} values",
                hint="records need no YAML anchors (&) or aliases (*); write the values out",
            )
        )
        return None
    return data


def _expanded_size(data: Any) -> int:
    """How many values `data` holds once aliases are expanded, counting no further than the
    limit: a few lines of anchors can stand for billions of values (a "billion laughs" file)."""
    count, stack = 0, [data]
    while stack and count <= MAX_VALUES:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _validate(
    content: Content, path: Path, model: type[BaseModel], data: Any, prefix: tuple, known: dict | None = None
) -> Any:
    try:
        return model.model_validate(data, context=known)
    except ValidationError as error:
        for item in error.errors():
            loc = prefix + tuple(item["loc"])
            message, hint = _explain(model, item)
            content.problem(path, loc, message, hint)
        return None


def _explain(model: type[BaseModel], item: dict) -> tuple[str, str | None]:
    """Turn one pydantic error into a sentence and a hint an author can act on."""
    kind, loc = item["type"], item["loc"]
    name = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        known = _field_names(model, loc[:-1])
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean `{close[0]}`?" if close else f"known fields: {', '.join(known)}"
        return f"unknown field `{name}`", hint
    if kind == "missing":
        return f"missing required field `{name}`", None
    if kind == "literal_error" and name == "type":
        close = difflib.get_close_matches(str(item.get("input")), PAPER_TYPES, n=1)
        hint = f"did you mean `{close[0]}`?" if close else None
        return f"`{item.get('input')}` is not a paper type; use one of {', '.join(PAPER_TYPES)}", hint
    message = item["msg"].removeprefix("Value error, ")
    return message, (item.get("ctx") or {}).get("hint")


def _field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    for part in loc:
        info = model.model_fields.get(str(part))
        annotation = getattr(info, "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return list(model.model_fields)


def locate(path: Path, loc: tuple) -> tuple[int | None, int | None]:
    """Line and column (1-based) of the YAML node at `loc`, by walking the composed document.

    For a field that is missing, the enclosing mapping; for an unknown field, its key."""
    try:
        node = yaml.compose(path.read_bytes().decode("utf-8-sig"), Loader=RecordLoader)  # C speed: a warning per file
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return None, None
    mark = node.start_mark if node else None
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    child, mark = value_node, key_node.start_mark
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
            mark = child.start_mark
        if child is None:
            break
        node = child
    return (mark.line + 1, mark.column + 1) if mark else (None, None)
