"""Record files written as people write them: a new record as readable YAML, and a changed record
rewritten in place with ruamel.yaml's round trip, so that its comments, key order, quoting and
indentation survive and only the fields that changed change.

New files go through PyYAML's C dumper (fast: an import of thousands of entries writes thousands
of files); existing files, which may hold a person's comments, through ruamel.yaml.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import FoldedScalarString

from .records import Paper, Record

FOLD_AT = 100  # text longer than this is written as a folded block (`>-`), which diffs well


class _RecordDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Long text as folded blocks, so records stay readable and diff well."""


def _foldable(value: str) -> bool:
    return len(value) > FOLD_AT and "\n" not in value and value == value.strip() and "  " not in value


_RecordDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style=">" if _foldable(value) else None
    ),
)


def record_data(record: Record) -> dict:
    """A record as the data an author would write: fields in model order, defaults left out."""
    data = record.model_dump(mode="json", exclude_defaults=True)
    if "extra" in data:
        data["extra"] = dict(sorted(data["extra"].items()))
    return data


def to_yaml(record: Record) -> str:
    """A new record file's text."""
    return yaml.dump(record_data(record), Dumper=_RecordDumper, allow_unicode=True, sort_keys=False, width=FOLD_AT)


def write_record(path: Path, new: Paper, old: Paper | None = None) -> None:
    """Write a record: a new file, or, when `old` is what the file holds, only what changed."""
    if old is None or not path.exists():
        path.write_text(to_yaml(new), encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8-sig")
    round_trip = _round_trip(text)
    document = round_trip.load(text)
    _patch(document, record_data(old), record_data(new), list(Paper.model_fields))
    out = io.StringIO()
    round_trip.dump(document, out)
    path.write_text(out.getvalue(), encoding="utf-8")


def _round_trip(text: str) -> YAML:
    """A ruamel.yaml round trip set to the file's own indentation."""
    round_trip = YAML()
    round_trip.preserve_quotes = True
    round_trip.width = FOLD_AT
    mapping = re.search(r"^[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\n( +)[^\s-]", text, re.M)
    sequence = re.search(r"^[^\s#][^\n]*:[ \t]*(?:#[^\n]*)?\n( *)- ", text, re.M)
    offset = len(sequence.group(1)) if sequence else 0
    round_trip.indent(mapping=len(mapping.group(1)) if mapping else 2, sequence=offset + 2, offset=offset)
    return round_trip


def _patch(node: CommentedMap, old: dict, new: dict, order: list[str]) -> None:
    """Make `node` (which holds `old`) hold `new`, touching only the keys whose value changed."""
    for key in [k for k in node if k not in new]:
        del node[key]
    for key, value in new.items():
        if key in node and old.get(key) == value:
            continue
        if key in node and isinstance(value, dict) and isinstance(node[key], CommentedMap):
            _patch(node[key], old.get(key) or {}, value, list(value))
        elif key in node:
            node[key] = _styled(value)
        else:
            node.insert(_position(node, key, order), key, _styled(value))


def _position(node: CommentedMap, key: str, order: list[str]) -> int:
    """Where a new key goes: after the last key that comes before it in the model's order."""
    rank = {name: i for i, name in enumerate(order)}
    before = [i for i, existing in enumerate(node) if rank.get(existing, len(order)) < rank.get(key, len(order))]
    return before[-1] + 1 if before else 0


def _styled(value):
    if isinstance(value, str) and _foldable(value):
        return FoldedScalarString(value)
    if isinstance(value, dict):
        return {k: _styled(v) for k, v in value.items()}
    return value
