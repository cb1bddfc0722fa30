"""Benchmark of labpubs' .bib import and export on a synthetic, messy .bib file.

Measures, on N generated entries (deterministic given --seed): (a) `parse_bib` on the text;
(b) the whole import as `labpubs import` does it (load_content, read_bib, import_bib, write_records)
into a content folder holding the sample people.yaml and topics.yaml and no papers; (c) a re-import
of the same file into the now-filled folder (expected: all unchanged, no writes); (d) `labpubs export`:
check(content) then to_bibtex(full=True) per paper, and to_csl_json; and the import's peak memory
(tracemalloc in a separate dry run; the process's max RSS). Cheap steps run --repeat times; the best
is shown, and the first too (cold caches such as `latex.to_plain`, as in a one-off CLI run).
For comparison: pybtex (it stops at the first syntax error, so also on a copy without the broken
entries) and bibtexparser 2 with LatexDecodingMiddleware, in child processes stopped after --timeout s.
"""

import argparse
import itertools
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from build_bench import ACRO, ADJ, NOUN, SYSTEM, TASK, WORDS  # noqa: E402  (the same synthetic vocabulary)

from generator.bibread import parse_bib, read_bib  # noqa: E402
from generator.bibtex import to_bibtex  # noqa: E402
from generator.csl import csl_item, to_csl_json  # noqa: E402
from generator.importer import import_bib, topic_index, write_records  # noqa: E402
from generator.loader import load_content  # noqa: E402
from generator.names import slugify  # noqa: E402
from generator.site import check  # noqa: E402

FIRST = (
    r"Anna Wei Jos{\'e} Fran{\c{c}}ois J{\"o}rg Zo{\"e} Ren{\'e}e S{\o}ren Bj{\"o}rn Yingfa Xinrong Priya Omar "
    r"Lucas Mei Hiroshi Sara Ivan Chlo{\'e} Andr{\'e}s Nikolai Fatima Emma Kai Tom{\'a}{\v{s}} Ingrid Rahul "
    r"Elena Min-Jun Aylin Jonas Lea Diego Yuki Olga Daniel"
).split()
LAST = (
    r"M{\"u}ller Garc{\'\i}a Nov{\'a}k {\O}stergaard Sch{\"o}lkopf Lef{\`e}vre Dvo{\v{r}}{\'a}k Ye{\c{s}}il "
    r"Chen Zhang Wang Li Liu Zhao Sun Han Hu Smith Johnson Kim Park Nguyen Patel Kumar Rossi Ivanova Tanaka "
    r"Sato Silva Costa Cohen Levy Novak Jensen Larsen Brown Taylor Wilson Moore Lopez Fischer Weber Wagner "
    r"Becker Dubois Moreau Kowalski Nowak Horvat Petrov Sokolova Yilmaz Demir"
).split()
LATEX_BITS = (
    "$O(n^2)$",
    r"\textit{in-context}",
    r"50\%",
    "``reasoning''",
    r"$\infty$",
    r"\emph{sparse}",
    r"M{\"u}ller et al.",
    r"3.5--4.2\%",
)
STRINGS = {
    "acl": "Proceedings of ACL",
    "emnlp": "Proceedings of EMNLP",
    "neurips": "Advances in NeurIPS",
    "iclr": "International Conference on Learning Representations",
    "tacl": "Transactions of the ACL",
    "jmlr": "Journal of Machine Learning Research",
}
KEYWORDS = (
    "Long context",
    "efficient inference",
    "scaling-laws",
    "tool learning",
    "transformers",
    "benchmarks",
    "Model editing",
    "speculative decoding",
    "chinese-nlp",
    "retrieval",
)
MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split() + ["{August}", "{8}"]
STATUSES = ("imported", "merged", "unchanged", "failed")


def author_pool(rng: random.Random, size: int = 1500) -> tuple[list[tuple[str, str]], list[float]]:
    """(first, last) names and cumulative Zipf weights: a few prolific authors, a long tail."""
    pool = set()
    while len(pool) < size:
        last = rng.choice(LAST)
        pool.add(
            (rng.choice(FIRST), f"{rng.choice(['van der', 'de la', 'von'])} {last}" if rng.random() < 0.04 else last)
        )
    pool = rng.sample(sorted(pool), size)
    return pool, list(itertools.accumulate(1 / rank**1.1 for rank in range(1, size + 1)))


def make_title(rng: random.Random) -> str:
    system = rng.choice(SYSTEM) + rng.choice(NOUN)
    head = rng.choice([f"{{{system}}}: ", f"{system}: ", "", "", rf"$\infty${system}: "])
    acro = rng.choice(ACRO)
    tail = rng.choice(
        [
            "",
            "",
            "",
            f" with {{{acro}}}s",
            rf" in \textit{{{rng.choice(ADJ).lower()}}} {acro}s",
            rf" Using {rng.randint(2, 90)}\% of the Tokens",
            f": Do ``{rng.choice(ADJ)}'' Models Help?",
            f" at {rng.choice(['Scale', 'Test Time', 'Low Cost', 'the Edge'])}",
        ]
    )
    return f"{head}{rng.choice(ADJ)} {rng.choice(NOUN)} for {rng.choice(TASK)}{tail}"


def make_abstract(rng: random.Random) -> str:
    """About 200 words; 30% carry a little LaTeX."""
    words = rng.choices(WORDS, k=200)
    for _ in range(rng.randint(1, 4) if rng.random() < 0.3 else 0):
        words[rng.randrange(200)] = rng.choice(LATEX_BITS)
    return ". ".join(s[0].upper() + s[1:] for s in (" ".join(words[i : i + 20]) for i in range(0, 200, 20))) + "."


def norm(title: str) -> str:
    return "".join(c for c in title.lower().replace(r"\textit", "").replace(r"\infty", "") if c.isalnum())


def paper_entries(rng, paper_id, title, pool, cum, arxiv_ids, keys) -> list[str]:
    """One paper as one entry, or (5%) as an arXiv @misc/@article and a published @inproceedings."""
    people = list(dict.fromkeys(rng.choices(pool, cum_weights=cum, k=rng.randint(3, 15))))
    names = [f"{last}, {first}" if rng.random() < 0.6 else f"{first} {last}" for first, last in people]
    year = rng.randint(2018, 2025)
    base = slugify(people[0][1]).replace("-", "") + str(year) + norm(title.split(":")[-1])[:8]
    common = [
        ("author", "{" + " and ".join(names + ["others"] * (rng.random() < 0.1)) + "}"),
        ("year", str(year) if rng.random() < 0.7 else f"{{{year}}}"),
        ("abstract", f"{{{make_abstract(rng)}}}"),
    ]
    if rng.random() < 0.5:
        common.append(("keywords", "{" + ", ".join(rng.sample(KEYWORDS, rng.randint(1, 3))) + "}"))
    chosen = rng.choices(["inproceedings", "article", "misc", "dup"], [42, 24, 29, 5])[0]
    out = []
    for kind in ["misc", "inproceedings"] if chosen == "dup" else [chosen]:
        plain = kind != "misc" and rng.random() < 0.5  # the same title without {..} protection
        fields = [("title", "{" + (re.sub(r"(?<![\w\\])\{(\w+)\}", r"\1", title) if plain else title) + "}")] + common
        preprint = kind == "misc"
        if preprint and rng.random() < 0.5:
            fields += [("eprint", f"{{{next(arxiv_ids)}}}"), ("archivePrefix", "{arXiv}"), ("primaryClass", "{cs.CL}")]
        elif preprint:  # Google Scholar's style
            kind = rng.choice(["misc", "article"])
            fields.append(("journal", f"{{arXiv preprint arXiv:{next(arxiv_ids)}}}"))
        elif kind == "inproceedings":
            venue, page = rng.choice(["acl", "emnlp", "neurips", "iclr"]), rng.randint(1, 9000)
            fields += [
                (
                    "booktitle",
                    f'{venue} # " {year}"' if rng.random() < 0.7 else f"{{{STRINGS[venue]} {year} Workshops}}",
                ),
                ("month", rng.choice(MONTHS)),
                ("pages", f"{{{page}--{page + 11}}}"),
            ]
        else:
            fields += [
                ("journal", rng.choice(["tacl", "jmlr", "{Nature Machine Intelligence}"])),
                ("volume", str(rng.randint(1, 40))),
                ("number", f"{{{rng.randint(1, 12)}}}"),
            ]
        if not preprint and rng.random() < 0.5:
            fields.append(("doi", f"{{10.{rng.randint(1000, 99999)}/lp.{paper_id}}}"))
        if rng.random() < 0.2:  # al-folio
            fields += [
                ("abbr", "{" + rng.choice(list(STRINGS)).upper() + "}"),
                ("selected", "{true}"),
                ("pdf", f"{{{base}.pdf}}"),
                ("code", f"{{https://github.com/lab/{base}}}"),
            ]
        key = f"DBLP:conf/x/{base.capitalize()}" if kind == "inproceedings" and rng.random() < 0.5 else base
        while key.lower() in keys:
            key += rng.choice("abcdefghij")
        keys.add(key.lower())
        upper = rng.random() < 0.1  # TITLE = ..., AUTHOR = ...
        out.append(
            f"@{kind.upper() if rng.random() < 0.05 else kind}{{{key},\n"
            + "".join(f"  {k.upper() if upper else k} = {v},\n" for k, v in fields)
            + "}\n"
        )
    return out


def make_bib(n: int, seed: int) -> tuple[list[str], list[int], dict]:
    """The @string header and n entries, indices of the broken entries, and the counts an import should give."""
    rng = random.Random(seed)
    pool, cum = author_pool(rng)
    arxiv_ids = iter(f"{rng.randint(18, 24)}{rng.randint(1, 12):02d}.{i:05d}" for i in rng.sample(range(99999), 99999))
    seen, keys, entries = set(), set(), []
    while len(entries) < n:
        title = make_title(rng)
        if norm(title) not in seen:
            seen.add(norm(title))
            entries += [(len(seen), e) for e in paper_entries(rng, len(seen), title, pool, cum, arxiv_ids, keys)]
    entries = entries[:n]
    rng.shuffle(entries)
    broken = sorted(rng.sample(range(n), max(1, n // 100)))
    for j, i in enumerate(broken):  # a missing `=`, a missing `,` after the title, an unclosed brace
        pid, text = entries[i]
        entries[i] = (
            pid,
            text.replace(" = ", " ", 1)
            if j % 3 == 0
            else text.replace("},\n", "}\n", 1)
            if j % 3 == 1
            else re.sub(r"(?i)title = \{", "title = {{", text, count=1),
        )
    dead = set(broken)
    alive = Counter(pid for i, (pid, _) in enumerate(entries) if i not in dead)
    expect = {"imported": len(alive), "merged": sum(alive.values()) - len(alive), "unchanged": 0, "failed": len(broken)}
    header = "".join(f'@string{{{k} = "{v}"}}\n' for k, v in STRINGS.items())
    return [header] + [text for _, text in entries], broken, expect


def timed(fn, repeat: int = 1) -> tuple[float, float, object]:
    """(first, best) wall seconds over `repeat` runs, and the last result."""
    times = []
    for _ in range(repeat):
        start, out = time.perf_counter(), fn()
        times.append(time.perf_counter() - start)
    return times[0], min(times), out


def content_folder(path: Path) -> Path:
    (path / "papers").mkdir(parents=True)
    for name in ("people.yaml", "topics.yaml"):
        shutil.copy(ROOT / "content" / name, path / name)
    return path


def cli_import(bib: Path, content: Path, dry_run: bool = False):
    """What `labpubs import` does, without printing."""
    loaded = load_content(content)
    members = {p.slug or slugify(p.name) for p in loaded.people}
    result = import_bib(read_bib(bib), loaded.papers, topic_index(loaded.topics), members)
    if not dry_run:
        write_records(result.writes, content / "papers", loaded.papers)
    return result


CHILD = """import sys,time,bibtexparser,pybtex.database as pb; from bibtexparser.middlewares import LatexDecodingMiddleware
t=open(sys.argv[1],encoding='utf-8').read(); s=time.perf_counter()
try:
  if sys.argv[2]=='pybtex': d=pb.parse_string(t,'bibtex'); print(f'{time.perf_counter()-s:.3f}|{len(d.entries)} entries read')
  else: lib=bibtexparser.parse_string(t,append_middleware=[LatexDecodingMiddleware()]); print(
    f'{time.perf_counter()-s:.3f}|{len(lib.entries)} entries read, {len(lib.failed_blocks)} failed blocks')
except Exception as e: print(f'{time.perf_counter()-s:.3f}|REFUSED the file: {type(e).__name__}: {str(e)[:60]}')"""


def measure_labpubs(bib: Path, content: Path, tmp: Path, repeat: int) -> tuple[list, dict]:
    """Rows (step, entries, seconds, how, ImportResult or None) for steps (a)-(d), and memory figures."""
    text = bib.read_text(encoding="utf-8")
    first, best, parsed = timed(lambda: parse_bib(text), repeat)
    n = len(parsed.entries) + len(parsed.broken)
    rows = [("(a) parse_bib", n, best, f"best of {repeat}; first {first:.2f}", None)]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    secs, _, result = timed(lambda: cli_import(bib, content))
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows.append(("(b) import, empty folder", n, secs, "1 run (it fills the folder)", result))
    secs, _, again = timed(lambda: cli_import(bib, content))
    rows.append(("(c) re-import, same file", n, secs, "1 run, incl. loading the records", again))
    for label, fn in (
        ("(d) check(content) alone", lambda: check(content)),
        ("(d) export BibTeX full=True", lambda: [to_bibtex(p, full=True) for p in check(content).papers]),
        ("(d) export CSL-JSON", lambda: to_csl_json([csl_item(p) for p in check(content).papers])),
    ):
        first, best, _ = timed(fn, repeat)
        rows.append(
            (
                label,
                len(result.writes),
                best,
                f"best of {repeat}; first {first:.2f}" + (", incl. check" * ("export" in label)),
                None,
            )
        )
    tracemalloc.start()  # a separate dry run: tracing slows down what it measures
    cli_import(bib, content_folder(tmp / "traced"), dry_run=True)
    memory = {"traced": tracemalloc.get_traced_memory()[1], "rss0": rss0, "rss1": rss1, "bib": len(text)}
    tracemalloc.stop()
    return rows, memory


def measure_others(bib: Path, clean: Path, n: int, broken: int, timeout: float) -> list:
    """pybtex and bibtexparser+LatexDecodingMiddleware, each in a fresh interpreter."""
    rows = []
    for label, path, count in (
        ("pybtex, original file", bib, n),
        ("pybtex, broken removed", clean, n - broken),
        ("bibtexparser+LatexDecoding", bib, n),
    ):
        try:
            run = subprocess.run(
                [sys.executable, "-c", CHILD, str(path), label.split(",")[0]],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            out = run.stdout.strip() or "error: " + run.stderr.strip().splitlines()[-1]
        except subprocess.TimeoutExpired:
            out = f"skipped: not done after {timeout:.0f} s"
        secs, sep, note = out.partition("|")
        rows.append((label, count, float(secs) if sep else None, note if sep else out, None))
    return rows


def report(rows: list, expect: dict, memory: dict) -> None:
    print(
        "{:27s} {:>7s} {:>8s} {:>9s} {:>8s} {:>6s} {:>9s} {:>6s} {:>6s}  how".format(
            "step", "entries", "seconds", "entries/s", *STATUSES, "writes"
        )
    )
    for step, count, secs, how, result in rows:
        rate = f"{count / secs:9.0f}" if secs and "REFUSED" not in how else f"{'-':>9}"
        counts = [result.counts[s] for s in STATUSES] + [len(result.writes)] if result else [""] * 5
        print(
            f"{step:27s} {count:7d} {f'{secs:8.2f}' if secs is not None else '-':>8} {rate} "
            + "{:>8} {:>6} {:>9} {:>6} {:>6}  ".format(*counts)
            + how
        )
    again = {"unchanged": expect["imported"] + expect["merged"], "failed": expect["failed"]}
    print(
        f"\nexpected from the generated file: import {expect['imported']} imported, {expect['merged']} merged, "
        f"{expect['failed']} failed; re-import {again['unchanged']} unchanged, {again['failed']} failed, 0 writes"
    )
    for (step, *_, result), want in zip(rows[1:3], (expect, again)):
        got = {s: result.counts[s] for s in STATUSES if result.counts[s] or want.get(s)}
        if got != {s: v for s, v in want.items() if v}:
            print(f"MISMATCH in {step}: got {got}")
    print(
        f"import peak memory: tracemalloc {memory['traced'] / 2**20:.1f} MiB (Python heap, separate dry run); process "
        f"max RSS {memory['rss0'] / 1024:.0f} MiB before the import, {memory['rss1'] / 1024:.0f} MiB after; "
        f".bib {memory['bib'] / 2**20:.1f} MiB"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.platform()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entries", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="runs of the cheap steps (parse, export)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds allowed to each comparison parser")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="labpubs-bench-"))
    try:
        blocks, broken, expect = make_bib(args.entries, args.seed)
        bib, clean = tmp / "synthetic.bib", tmp / "clean.bib"
        bib.write_text("\n".join(blocks), encoding="utf-8")
        skip = {i + 1 for i in broken}  # blocks[0] is the @string header
        clean.write_text("\n".join(b for i, b in enumerate(blocks) if i not in skip), encoding="utf-8")
        rows, memory = measure_labpubs(bib, content_folder(tmp / "content"), tmp, args.repeat)
        rows += measure_others(bib, clean, args.entries, len(broken), args.timeout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(rows, expect, memory)


if __name__ == "__main__":
    main()
