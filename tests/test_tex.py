"""BibTeX that compiles: every export through a real LaTeX. The exports of the fixture lab, the
sample lab, the three corpus bibliographies (imported first) and `data/tex/hard.bib` (one entry per
way a real file broke LaTeX) are cited with `\\nocite{*}` in a document that loads amsmath and
amssymb, and compiled with pdflatex + bibtex (natbib, plainnat) and pdflatex + biber (biblatex);
the `--unicode` exports with lualatex + biber. Skipped, with the reason, where TeX Live is missing
(`apt-get install texlive-latex-base texlive-latex-recommended texlive-bibtex-extra biber
texlive-luatex lmodern`)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
from conftest import CONTENT, FIXTURE, SHARED

HARD = Path(__file__).parent / "data" / "tex" / "hard.bib"
CORPUS = sorted((SHARED / "corpus").glob("*.bib"))
SOURCES = ["fixture", "sample", "hard"] + [path.stem for path in CORPUS]
ENGINES = {
    "bibtex": ("pdflatex", "bibtex"),
    "biber": ("pdflatex", "biber"),
    "lualatex": ("lualatex", "biber"),
}


def missing(engine: str) -> str | None:
    tools = [tool for tool in ENGINES[engine] if not shutil.which(tool)]
    return f"TeX Live's {', '.join(tools)} not installed" if tools else None


def document(engine: str) -> str:
    """The smallest document a paper would have: amsmath, amssymb, url, the citation package."""
    fonts = (
        [r"\usepackage{fontspec}"]
        if engine == "lualatex"
        else [r"\usepackage[T1]{fontenc}", r"\usepackage[utf8]{inputenc}", r"\usepackage{lmodern}"]
    )
    if engine == "bibtex":
        cite, bibliography = [r"\usepackage{natbib}"], [r"\bibliographystyle{plainnat}", r"\bibliography{refs}"]
    else:
        cite, bibliography = (
            [r"\usepackage[backend=biber]{biblatex}", r"\addbibresource{refs.bib}"],
            [r"\printbibliography"],
        )
    return "\n".join(
        [r"\documentclass{article}", *fonts, r"\usepackage{amsmath,amssymb,url}", *cite]
        + [r"\begin{document}", r"\nocite{*}", *bibliography, r"\end{document}", ""]
    )


def run(command: list[str], folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, errors="replace", timeout=600)


def compile_bib(bib: Path, engine: str, folder: Path) -> dict:
    """Compile `bib` in a fresh folder; what went wrong, as lists one can read in a failure."""
    folder.mkdir()
    shutil.copy(bib, folder / "refs.bib")
    (folder / "doc.tex").write_text(document(engine))
    tex, bibliography_tool = ENGINES[engine]
    latex = [tex, "-interaction=nonstopmode", "doc.tex"]
    run(latex, folder)
    tool = run([bibliography_tool, "doc"], folder)
    run(latex, folder)
    log = (folder / "doc.log").read_text(errors="replace")
    bbl = (folder / "doc.bbl").read_text(errors="replace") if (folder / "doc.bbl").exists() else ""
    if bibliography_tool == "bibtex":
        tool_errors = re.findall(r"^(.*)---line \d+ of file refs\.bib", tool.stdout, re.M)
        tool_errors += [f"bibtex exit {tool.returncode}"] if tool.returncode > 1 else []  # 1: warnings only
        entries = len(re.findall(r"^\\bibitem", bbl, re.M))
    else:
        blg = (folder / "doc.blg").read_text(errors="replace") if (folder / "doc.blg").exists() else ""
        tool_errors = re.findall(r"^\[\d+\] .*ERROR - (.*)$", blg, re.M)
        tool_errors += [f"biber exit {tool.returncode}"] if tool.returncode else []
        entries = len(re.findall(r"^\s*\\entry\{", bbl, re.M))
    errors = [m.group(0) for m in re.finditer(r"^! .*(?:\n.*){0,2}", log, re.M)]
    return {
        "tool_errors": tool_errors,
        "entries": entries,
        "latex_errors": errors,
        "pdf": (folder / "doc.pdf").exists(),
    }


# pdflatex cannot set these scripts without extra packages (CJK, Cyrillic fonts): not counted
_OTHER_SCRIPTS = ("CJK", "HANGUL", "HIRAGANA", "KATAKANA", "CYRILLIC", "FULLWIDTH", "IDEOGRAPHIC", "BOPOMOFO")


def other_script(error: str) -> bool:
    found = re.search(r"Unicode character .* \(U\+([0-9A-F]{4,6})\)", error)
    if not found:
        return False
    char = chr(int(found.group(1), 16))
    name = unicodedata.name(char, "")
    return (
        any(script in name for script in _OTHER_SCRIPTS) or "\u0250" <= char <= "\u02af" or "\u3000" <= char <= "\u303f"
    )


def labpubs(*args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "generator.cli", *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, dict[bool, Path]]:
    """Each source's `labpubs export --citation` (what the site shows), in ASCII and `--unicode`."""
    folder = tmp_path_factory.mktemp("exports")
    contents = {"fixture": FIXTURE, "sample": CONTENT}
    for bib in [HARD, *CORPUS]:
        content = folder / f"{bib.stem}-content"
        (content / "papers").mkdir(parents=True)
        labpubs("import", str(bib), "--content", str(content))
        contents["hard" if bib == HARD else bib.stem] = content
    out = {}
    for name, content in contents.items():
        out[name] = {}
        for unicode in (False, True):
            path = folder / f"{name}{'.unicode' if unicode else ''}.bib"
            labpubs("export", "--content", str(content), "--citation", "--out", str(path), *(["--unicode"] * unicode))
            out[name][unicode] = path
    return out


def entry_count(bib: Path) -> int:
    return len(bibtexparser.parse_string(bib.read_text(encoding="utf-8")).entries)


@pytest.mark.parametrize("engine", ["bibtex", "biber"])
@pytest.mark.parametrize("source", SOURCES)
def test_the_export_compiles_with_pdflatex(exports, source, engine, tmp_path):
    if missing(engine):
        pytest.skip(missing(engine))
    bib = exports[source][False]
    result = compile_bib(bib, engine, tmp_path / engine)
    assert result["tool_errors"] == [], result["tool_errors"]
    assert result["entries"] == entry_count(bib) > 0
    assert [e for e in result["latex_errors"] if not other_script(e)] == []
    assert result["pdf"]


@pytest.mark.parametrize("source", SOURCES)
def test_the_unicode_export_compiles_with_lualatex(exports, source, tmp_path):
    if missing("lualatex"):
        pytest.skip(missing("lualatex"))
    bib = exports[source][True]
    result = compile_bib(bib, "lualatex", tmp_path / "lualatex")
    assert result["tool_errors"] == [] and result["latex_errors"] == [], result
    assert result["entries"] == entry_count(bib) > 0 and result["pdf"]


def test_the_checker_sees_what_breaks_latex(tmp_path):
    """The harness itself: an undefined command, a Greek letter as UTF-8 and a `#` in a URL inside a
    field (what broke biber's .bbl) are each found; a Chinese name alone is not counted."""
    if missing("biber"):
        pytest.skip(missing("biber"))
    bib = tmp_path / "bad.bib"
    bib.write_text(
        "@misc{a, title = {\\mnras}, year = {2020}}\n"
        "@misc{b, title = {Ly\u03b1}, year = {2020}}\n"
        "@misc{c, title = {C}, note = {\\url{https://a.org/x#y}}, year = {2020}}\n"
        "@misc{d, title = {\u738b}, year = {2020}}\n",
        encoding="utf-8",
    )
    result = compile_bib(bib, "biber", tmp_path / "biber")
    counted = [e for e in result["latex_errors"] if not other_script(e)]
    assert any("Undefined control sequence" in e for e in counted)
    assert any("U+03B1" in e for e in counted)
    assert any("Illegal parameter number" in e for e in counted)
    assert any(other_script(e) for e in result["latex_errors"])


def test_greek_and_math_go_out_as_latex_and_come_back_the_same(exports, tmp_path):
    """What the hard cases became: ADS's journal macros are journal names, Greek letters and math
    symbols are `\\ensuremath{...}`, quotes are ``...'', and importing the export changes nothing."""
    text = exports["hard"][False].read_text(encoding="utf-8")
    entries = {e.key: e for e in bibtexparser.parse_string(text).entries}
    assert entries["adsmacro"]["journal"] == "Monthly Notices of the {RAS}"
    assert entries["adsletter"]["journal"] == "Astrophysical Journal Letters"
    assert r"Ly{\ensuremath{\alpha}}" in entries["adsmacro"]["title"]
    assert r"H\ensuremath{\infty} norm, \ensuremath{\pi} and \ensuremath{\beta}" in entries["adsletter"]["title"]
    assert "``Quoted''" in entries["quotes"]["title"] and "\\n" not in entries["quotes"]["title"]
    assert entries["dblpescapes"]["doi"] == "10.1000/test-2024_29"
    assert r"\#readme" in entries["hashinurl"]["note"]
    assert text.isascii() or all(other_script(f"Unicode character x (U+{ord(c):04X})") for c in text if ord(c) > 127)
    again = tmp_path / "again"
    (again / "papers").mkdir(parents=True)
    labpubs("import", str(exports["hard"][False]), "--content", str(again))
    first = sorted(
        p.read_text(encoding="utf-8") for p in (exports["hard"][False].parent / "hard-content").glob("papers/*")
    )
    assert sorted(p.read_text(encoding="utf-8") for p in (again / "papers").glob("*")) == first


def test_what_people_copy_is_the_export_that_compiles(site, exports):
    """The BibTeX block of every paper page, the one in every listing and the paper's `.bib` download
    are the same text as `labpubs export --citation`, so the compile tests cover what people copy."""
    from bs4 import BeautifulSoup

    text = exports["fixture"][False].read_text(encoding="utf-8")
    exported = {re.match(r"@\w+\{([^,]+),", entry).group(1): entry.strip() for entry in re.split(r"\n\n(?=@)", text)}
    listing = BeautifulSoup((site / "publications" / "index.html").read_text(encoding="utf-8"), "html.parser")
    in_listing = [code.get_text().strip() for code in listing.select("code.language-bibtex")]
    assert sorted(in_listing) == sorted(exported.values())
    for key, entry in exported.items():
        page = BeautifulSoup((site / "papers" / key / "index.html").read_text(encoding="utf-8"), "html.parser")
        blocks = [code.get_text().strip() for code in page.select("code.language-bibtex")]
        assert blocks == [entry], key
        assert (site / "papers" / f"{key}.bib").read_text(encoding="utf-8").strip() == entry
