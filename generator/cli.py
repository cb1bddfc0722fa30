"""`labpubs`: the command line over the same core as the MkDocs plugin."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import yaml

from . import online, tree
from .bibread import read_bib
from .bibtex import to_bibtex
from .client import Client
from .config import read_config
from .csl import csl_item, to_csl_json
from .errors import ContentError
from .identifiers import parse_identifier
from .identity import title_key
from .importer import import_bib, topic_index, write_records
from .loader import Content, load_content
from .records import json_schemas
from .site import check, generate


def cmd_check(args) -> int:
    try:
        library = check(args.content)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        errors = sum(p.severity == "error" for p in error.problems)
        print(f"{errors} error(s); nothing was built", file=sys.stderr)
        return 1
    for problem in library.problems:
        print(problem, file=sys.stderr)
    print(
        f"ok: {len(library.papers)} papers, {len(library.members)} members, "
        f"{len(library.authors) - len(library.members)} co-authors, {len(library.topics)} topics"
    )
    return 0


def cmd_generate(args) -> int:
    """Write the full docs tree for engines that run no MkDocs plugins (and, for Zensical, its config)."""
    content, out = Path(args.content).resolve(), Path(args.out).resolve()
    refused = tree.refusal(content, out)
    if refused:
        print(refused, file=sys.stderr)
        return 2
    config = read_config(args.config)
    zensical = args.engine == "zensical"
    options = config.options(source_links=zensical, **({"use_directory_urls": False} if args.no_directory_urls else {}))
    try:
        site = generate(content, options)
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    refused = tree.write_tree(site, content, out, options)
    if refused:
        print(refused, file=sys.stderr)
        return 1
    print(f"wrote {len(site.pages)} generated pages to {args.out}")
    if zensical:
        written = tree.zensical_config(Path(args.config), config, out)
        print(f"wrote {written}: build with `zensical build -f {written}`")
    return 0


def _clean_content(folder: str) -> Content | None:
    """The content, or None (errors printed) when it has errors: nothing is added to a broken lab."""
    content = load_content(folder)
    errors = [p for p in content.problems if p.severity == "error"]
    for problem in errors:
        print(problem, file=sys.stderr)
    if errors:
        print(f"{folder} has {len(errors)} error(s); fix them (labpubs check) first", file=sys.stderr)
        return None
    return content


def cmd_import(args) -> int:
    content = _clean_content(args.content)
    if content is None:
        return 1
    parsed = read_bib(args.file)
    sources = {key: content.display_path(path) for key, path in content.sources.items()}
    result = import_bib(
        parsed,
        content.papers,
        topic_index(content.topics),
        content.context()["members"],
        update=args.update,
        progress=_progress_bar(len(parsed.entries)),
        file=args.file,
        sources=sources,
        people=content.people,
    )
    for note in result.notes:
        print(f"{args.file}: note: {note}")
    for outcome in result.outcomes:
        print(outcome)
    if not args.dry_run:
        write_records(result.writes, Path(args.content) / "papers", content.papers)
    counts = result.counts
    others = ", ".join(f"{n} {kind}" for kind, n in sorted(result.others.items()))
    print(
        f"{'dry run, nothing written: ' if args.dry_run else ''}{counts['imported']} imported, "
        f"{counts['merged']} merged, {counts['unchanged']} unchanged, {counts['failed']} failed "
        f"({len(result.outcomes)} entries){'; not entries: ' + others if others else ''}; "
        f"{len(result.writes)} record file(s) {'would be ' if args.dry_run else ''}written"
    )
    return 0 if result.ok else 1


def _progress_bar(total: int, minimum: int = 300, noun: str = "entries"):
    """A progress bar on a terminal for long runs; nothing in CI or a pipe."""
    if total < minimum or not sys.stderr.isatty():
        return None
    step = max(1, min(25, total // 30))

    def show(done: int, total: int) -> None:
        if done % step and done != total:
            return
        filled = 30 * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {noun}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _online(args, run_command) -> int:
    """Run `add`, `enrich` or `sync` with a client, print what happened, write unless --dry-run."""
    content = _clean_content(args.content)
    if content is None:
        return 1
    config = read_config(args.config)
    client = Client(mailto=config.plugin.get("mailto"))
    try:
        run = run_command(content, client)
    except online.UnknownMember as error:
        print(f"labpubs {args.command}: {error}", file=sys.stderr)
        return 2
    finally:
        client.close()
    for outcome in run.outcomes:
        print(outcome)
    for line in run.changes:
        print(line)
    if not args.dry_run:
        write_records(run.writes, Path(args.content) / "papers", content.papers)
    counts = Counter(o.status for o in run.outcomes)
    print(
        f"{'dry run, nothing written: ' if args.dry_run else ''}{counts['imported']} added, "
        f"{counts['merged']} completed, {counts['unchanged']} unchanged, {counts['failed']} failed; "
        f"{len(run.writes)} record file(s) {'would be ' if args.dry_run else ''}written; "
        f"{client.requests} request(s) sent"
    )
    return 0 if run.ok else 1


def cmd_add(args) -> int:
    progress = _progress_bar(len(args.ids), 4, "ids")
    return _online(args, lambda content, client: online.add(args.ids, content, client, args.update, progress))


def cmd_enrich(args) -> int:
    def run(content, client):
        return online.enrich(args.keys, content, client, _progress_bar(len(args.keys or content.papers), 4, "records"))

    return _online(args, run)


def cmd_sync(args) -> int:
    def run(content, client):
        exclude = sync_exclusions(Path(args.content))
        return online.sync(
            content, client, args.member, args.since, exclude, _progress_bar(len(content.people), 4, "profiles")
        )

    return _online(args, run)


def sync_exclusions(content: Path) -> set[str]:
    """What `sync.yaml`'s `exclude:` names (DOIs, arXiv ids, titles): works that are not the lab's."""
    path = content / "sync.yaml"
    if not path.exists():
        return set()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = set()
    for item in data.get("exclude") or []:
        text = str(item).strip()
        try:
            identifier = parse_identifier(text)
            out.add(identifier.value.lower())
        except ValueError:
            out.add(title_key(text))
        out.add(text.lower())
    return out


def cmd_export(args) -> int:
    try:
        library = check(args.content)
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    if args.format == "csljson":
        text = to_csl_json([csl_item(p) for p in library.papers])
    else:
        text = "\n\n".join(to_bibtex(p, full=not args.citation, unicode=args.unicode) for p in library.papers) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_schema(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (out / name).write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {', '.join(json_schemas())} to {args.out}")
    return 0


def _online_options(parser) -> None:
    parser.add_argument("--content", default="content")
    parser.add_argument("--config", default="mkdocs.yml", help="the site's mkdocs.yml (for the plugin's mailto)")
    parser.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="labpubs", description="A lab's publication site from YAML records.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", help="validate content/ without building")
    p.add_argument("--content", default="content", help="the content folder (default: content)")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("generate", help="write the full Markdown docs tree, for engines without plugins")
    p.add_argument("--content", default="content")
    p.add_argument("--out", required=True, help="folder to write (replaced)")
    p.add_argument("--no-directory-urls", action="store_true", help="links as page.html, not page/")
    p.add_argument("--config", default="mkdocs.yml", help="the site's mkdocs.yml (site name, URL, plugin options)")
    p.add_argument(
        "--for",
        dest="engine",
        choices=("mkdocs", "zensical"),
        default="mkdocs",
        help="zensical: links to .md sources, and zensical.yml written beside mkdocs.yml",
    )
    p.set_defaults(func=cmd_generate)
    p = sub.add_parser("import", help="import a .bib file into content/papers/")
    p.add_argument("file", help="the .bib file")
    p.add_argument("--content", default="content")
    p.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
    p.add_argument("--update", action="store_true", help="let the .bib's values replace those of existing records")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("export", help="write the lab's papers as BibTeX or CSL-JSON")
    p.add_argument("--format", choices=("bibtex", "csljson"), default="bibtex")
    p.add_argument("--content", default="content")
    p.add_argument("--out", help="file to write (default: standard output)")
    p.add_argument("--unicode", action="store_true", help="keep UTF-8 in BibTeX instead of LaTeX escapes")
    p.add_argument(
        "--citation",
        action="store_true",
        help="citation fields only, as on the site (default: every field, for re-import)",
    )
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("add", help="add papers by DOI, arXiv id, OpenAlex work or DBLP key")
    p.add_argument("ids", nargs="+", help="10.18653/v1/2024.acl-long.814, arXiv:2402.13718, W2741809807, conf/acl/X24")
    _online_options(p)
    p.add_argument("--update", action="store_true", help="let the fetched values replace those of existing records")
    p.set_defaults(func=cmd_add)
    p = sub.add_parser("enrich", help="fill what records lack from their DOI, arXiv id or title")
    p.add_argument("keys", nargs="*", help="record keys (default: every record)")
    _online_options(p)
    p.set_defaults(func=cmd_enrich)
    p = sub.add_parser("sync", help="add the works that members' ORCID, OpenAlex and DBLP profiles list")
    p.add_argument("--member", help="only this member (their slug)")
    p.add_argument("--since", type=int, help="only works of this year and later")
    _online_options(p)
    p.set_defaults(func=cmd_sync)
    p = sub.add_parser("schema", help="write the JSON Schemas of the content files (for editors)")
    p.add_argument("--out", default="schema")
    p.set_defaults(func=cmd_schema)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
