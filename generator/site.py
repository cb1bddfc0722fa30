"""The whole pipeline in one call: load and validate `content/`, build the library, render.

Both adapters (the MkDocs plugin and the CLI) call `generate()` and nothing else of the core."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .assembly import Page
from .checks import find_problems
from .errors import ContentError, Problem
from .library import Library, build_library
from .loader import load_content
from .render import render
from .session import Session
from .views import Options


@dataclass
class Site:
    library: Library
    pages: list[Page]
    fragments: dict[str, str]
    warnings: list[Problem]


def check(content_dir: str | Path, session: Session | None = None) -> Library:
    """Load and cross-check the content; raises ContentError listing every error found."""
    session = session or Session()
    content = load_content(content_dir, session)
    library = build_library(content, session.plain)
    library.problems += find_problems(library, content, session.identities)
    if any(p.severity == "error" for p in library.problems):
        raise ContentError(library.problems)
    return library


def generate(
    content_dir: str | Path,
    options: Options = Options(),
    session: Session | None = None,
    on_csl: Callable[[dict[str, dict], dict[str, str]], None] | None = None,
) -> Site:
    """Every generated page and embeddable fragment of the site, or ContentError. A `session`
    (one per `mkdocs serve`) lets a rebuild reuse what did not change; `on_csl`: see `render`."""
    session = session or Session()
    library = check(content_dir, session)
    rendered = render(library, options, session, on_csl)
    return Site(library, rendered.pages, rendered.fragments, list(library.problems))
