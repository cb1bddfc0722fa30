"""Benchmark of Material's page template on a paper page, with Jinja's own attribute lookup and with
labpubs' shortcut (`plugin._look_up_quickly`), in one process, rounds interleaved.

Builds a synthetic lab (build_bench's, --papers of them) with `mkdocs build` in this process, then
renders Material's `main.html` for one paper page again and again, as MkDocs renders it (the
page's context from MkDocs' `get_context`), in an environment made by the theme as MkDocs makes
one, with and without the shortcut; checks that both give the same HTML. A whole build is too
noisy on this machine to show a change of a few per cent of its template time; this is not.

    .venv/bin/python benchmarks/template_bench.py [--papers 200] [--renders 400] [--rounds 4]
"""

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_bench import make_lab  # noqa: E402


def paper_page_context(project: Path):
    """The config, a paper page and its template context, from a build of the project."""
    from mkdocs.commands.build import build, get_context
    from mkdocs.config import load_config
    from mkdocs.structure.nav import get_navigation

    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    files = config.plugins["labpubs"].files  # kept until the session is written, at shutdown
    pages = files.documentation_pages()
    page = next(f.page for f in pages if f.src_uri.startswith("papers/"))
    nav = get_navigation(files, config)
    page.active, config._current_page = True, page
    return config, page, get_context(nav, pages, config, page)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--papers", type=int, default=200)
    ap.add_argument("--renders", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()
    from generator.plugin import _look_up_quickly

    with tempfile.TemporaryDirectory(prefix="labpubs-template-bench-") as tmp:
        make_lab(Path(tmp) / "lab", args.papers, 1)
        config, page, context = paper_page_context(Path(tmp) / "lab")
        jinjas, quick = config.theme.get_env(), config.theme.get_env()
        _look_up_quickly(quick)
        templates = {"Jinja's lookup": jinjas.get_template("main.html"), "shortcut": quick.get_template("main.html")}
        times: dict[str, list[float]] = {name: [] for name in templates}
        outputs = {name: template.render(context) for name, template in templates.items()}
        for _ in range(args.rounds):
            for name, template in templates.items():
                gc.collect()
                start = time.perf_counter()
                for _ in range(args.renders):
                    template.render(context)
                times[name].append((time.perf_counter() - start) / args.renders * 1000)
    print(f"Material's main.html for {page.file.src_uri} ({len(outputs['shortcut']) / 1000:.1f} KB of HTML):")
    for name, ms in times.items():
        print(f"  {name:15s} median {statistics.median(ms):.3f} ms a page  ({', '.join(f'{x:.3f}' for x in ms)})")
    same = len(set(outputs.values())) == 1
    print(f"  the same HTML: {'yes' if same else 'NO'}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
