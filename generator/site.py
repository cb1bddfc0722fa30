"""The whole pipeline in one call: load and validate `content/`, build the library, render.

Both adapters (the MkDocs plugin and the CLI) call `generate()` and nothing else of the core."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError, Problem
from .checks import find_problems
from .library import Library, build_library
from .loader import load_content
from .render import Options, Page, Renderer


@dataclass
class Site:
    library: Library
    pages: list[Page]
    fragments: dict[str, str]
    warnings: list[Problem]
    csl: dict[str, dict]  # each paper's CSL-JSON item, by key


def check(content_dir: str | Path) -> Library:
    """Load and cross-check the content; raises ContentError listing every error found."""
    content = load_content(content_dir)
    library = build_library(content)
    library.problems += find_problems(library, content)
    if any(p.severity == "error" for p in library.problems):
        raise ContentError(library.problems)
    return library


def generate(content_dir: str | Path, options: Options = Options()) -> Site:
    """Every generated page and embeddable fragment of the site, or ContentError."""
    library = check(content_dir)
    renderer = Renderer(library, options)
    return Site(library, renderer.pages(), renderer.fragments(), list(library.problems), renderer.csl)
