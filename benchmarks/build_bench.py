"""Benchmark of a whole labpubs site build on a synthetic lab, against plain MkDocs + Material.

Makes a lab of N papers in the real record format (deterministic given --seed): titles with a little
LaTeX, 3-15 authors from a pool of ~N/3 people with Zipf-like productivity (accents, "Last, First"
and "First Last"), ~200-word abstracts, 1-3 of 20 topics, years 2010-2026, venues, links, a few
selected papers, a people.yaml of the 20 most productive names with aliases, and the repo's index.md,
mkdocs.yml and theme/. Then measures, each in a fresh child process: (a) `generate(content)` alone
as the plugin runs it (load, validation, render; this run is also the check that the lab has no
errors); (r) the formatted references of every paper, which `mkdocs build` leaves to a worker
process running beside it (`python -m generator.cite`); (b) `mkdocs build`
of the full site; (c) the floor: a plain MkDocs + Material project (same mkdocs.yml without the labpubs
plugin and custom_dir) with one filler Markdown page per generated page, of the same byte size and
front matter (paper pages count their references). Peak memory is each child's own high-water
RSS (VmHWM, which it writes at exit); for (b) its workers' RSS is sampled every 0.1 s, and added
at their peaks (an upper bound) and at one moment, and its CPU time and theirs are reported. Also
(a') generate() again in the
same process after one record was edited, as `mkdocs serve` does. Then the page cache: (w) a
second `mkdocs build` into the same site folder with nothing changed (its site compared byte for byte
with (b)'s), (e) one more into it after one record's title changed; and live preview: (s) `mkdocs serve --dirty` and (s') plain
`mkdocs serve`, each started on the lab, then a record's title edited and the served paper page
polled until it shows the new title (seconds from the save). Prints the figures, the machine
and the targets.

    .venv/bin/python benchmarks/build_bench.py [--papers 1000] [--seed 1] [--keep DIR] [--no-serve]
"""

import argparse
import datetime
import itertools
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from generator.assembly import REFERENCES_MARK  # noqa: E402
from generator.identity import title_key  # noqa: E402
from generator.names import name_key, slugify  # noqa: E402
from generator.records import Paper, Person  # noqa: E402
from generator.render import cite_section  # noqa: E402
from generator.yamlfile import to_yaml  # noqa: E402

FIRST = (
    "Anna Wei José François Jörg Zoë Renée Søren Björn Yingfa Xinrong Priya Omar Lucas Mei Hiroshi Sara Ivan "
    "Chloé Andrés Nikolai Fatima Emma Kai Tomáš Ingrid Rahul Elena Min-Jun Aylin Jonas Lea Diego Yuki Olga "
    "Daniel Şebnem Łukasz Ana María Ahmed Leila Pedro Noah Amélie Mateo Hana Jakub Ines Tariq Sofia"
).split()
LAST = (
    "Müller García Novák Østergaard Schölkopf Lefèvre Dvořák Yeşil Chen Zhang Wang Li Liu Zhao Sun Han Hu Smith "
    "Johnson Kim Park Nguyen Patel Kumar Rossi Ivanova Tanaka Sato Silva Costa Cohen Levy Jensen Larsen Brown "
    "Taylor Wilson Moore López Fischer Weber Wagner Becker Dubois Moreau Kowalski Nowak Horvat Petrov Sokolova "
    "Yılmaz Demir Åberg Ødegaard Núñez Gonçalves Papadopoulos Okafor Mensah Haddad Sørensen Virtanen"
).split()
ADJ = "Efficient Scalable Robust Sparse Faithful Adaptive Hierarchical Multilingual Long-Context Lightweight".split()
NOUN = (
    "Attention Retrieval Decoding Tokenization Alignment Distillation Pruning Reasoning Memory Planning "
    "Quantization Routing Compression Evaluation Adapters Embeddings Caching Editing"
).split()
TASK = (
    "Question Answering|Code Generation|Machine Translation|Summarization|Tool Use|Dialogue|Theorem Proving|"
    "Protein Design|Speech Recognition|Table Understanding|Math Word Problems"
).split("|")
ACRO, SYSTEM = (
    "RNN LLM MoE GPT BERT SSM KV RAG".split(),
    "Flash Turbo Deep Open Mini Mega Hyper Swift Echo Nova".split(),
)
WORDS = (
    "we model language data training results method approach tasks performance benchmark show propose experiments "
    "baseline accuracy tokens context inference large parameters efficient evaluate across improves compared "
    "existing state art learning retrieval memory cost latency quality human"
).split()
LATEX_BITS = (
    "$O(n^2)$",
    r"\textit{in-context}",
    r"50\%",
    "``reasoning''",
    r"$\infty$",
    r"\emph{sparse}",
    r"3.5--4.2\%",
)
TOPICS = (
    "long-context efficient-inference scaling-laws pretraining evaluation parameter-efficient-tuning "
    "tool-learning model-editing chinese-nlp ai-for-science retrieval alignment multilinguality reasoning "
    "code-generation speech vision-language interpretability quantization agents"
).split()
VENUES = {
    "conference": ["ACL", "EMNLP", "NAACL", "NeurIPS", "ICLR", "ICML", "COLING", "AAAI"],
    "journal": ["TACL", "JMLR", "Nature Machine Intelligence", "Computational Linguistics"],
    "preprint": ["arXiv"],
    "workshop": ["BlackboxNLP", "RepL4NLP", "Efficient NLP Workshop"],
}
KB, MB, GIB = 1000, 1000**2, 2**30
GEN_CHILD = """import json, sys, time; sys.path.insert(0, sys.argv[1]); t0 = time.perf_counter()
from generator.errors import ContentError; from generator.views import Options; from generator.assembly import expand_markers
from generator.site import generate; from generator.session import Session
t1 = time.perf_counter(); options = Options(defer_references=True); session = Session(); items = {}
try: site = generate(sys.argv[2], options, session, on_csl=lambda csl, keys: items.update(csl))
except ContentError as error: sys.exit(f"generate() refused the lab:\\n{str(error)[:4000]}")
t2 = time.perf_counter()
import yaml; from pathlib import Path; record = sorted(Path(sys.argv[2]).glob('papers/*.yaml'))[0]
text = record.read_text(); data = yaml.safe_load(text); data['title'] += ' (edited)'
record.write_text(yaml.safe_dump(data, allow_unicode=True)); t3 = time.perf_counter(); generate(sys.argv[2], options, session)
t4 = time.perf_counter(); record.write_text(text)
with open(sys.argv[3] + '.items', 'w', encoding='utf-8') as out:
    out.writelines(json.dumps([key, item], ensure_ascii=False) + '\\n' for key, item in items.items())
index = expand_markers(open(sys.argv[2] + '/index.md', encoding='utf-8').read(), site.fragments, '')
md = [(p.path, p.content) for p in site.pages if p.path.endswith('.md')] + [('index.md', index)]
fm = lambda text: text[:text.index('\\n---\\n', 4) + 5] if text.startswith('---\\n') else ''
json.dump({'import': t1 - t0, 'generate': t2 - t1, 'rebuild': t4 - t3, 'downloads': len(site.pages) - len(md) + 1,
           'styles': options.citation_styles, 'warnings': [str(w) for w in site.warnings],
           'pages': [(p, len(t.encode()), fm(t)) for p, t in md]}, open(sys.argv[3], 'w', encoding='utf-8'))
"""


def author_pool(rng: random.Random, size: int) -> tuple[list[tuple[str, str]], list[float]]:
    """(first, last) names, distinct after folding, and cumulative Zipf weights: a few prolific, a long tail."""
    pool, keys = [], set()
    while len(pool) < size:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if rng.random() < 0.2:
            first += f" {rng.choice('ABCDEFGHJKLMNPRSTW')}."
        if rng.random() < 0.03:
            last = f"{rng.choice(['van der', 'de la', 'von'])} {last}"
        if name_key(f"{first} {last}") not in keys:
            keys.add(name_key(f"{first} {last}"))
            pool.append((first, last))
    return pool, list(itertools.accumulate(1 / rank**1.1 for rank in range(1, size + 1)))


def make_title(rng: random.Random) -> str:
    system = rng.choice(SYSTEM) + rng.choice(NOUN)
    head = rng.choice([f"{system}: ", "", "", rf"$\infty${system}: ", rf"\textit{{{system}}}: "])
    acro = rng.choice(ACRO)
    tail = rng.choice(
        [
            "",
            "",
            "",
            f" with {acro}s",
            rf" in \textit{{{rng.choice(ADJ).lower()}}} {acro}s",
            rf" Using {rng.randint(2, 90)}\% of the Tokens",
            f": Do ``{rng.choice(ADJ)}'' Models Help?",
            r" in $O(n \log n)$ Time",
            f" at {rng.choice(['Scale', 'Test Time', 'Low Cost', 'the Edge'])}",
        ]
    )
    return f"{head}{rng.choice(ADJ)} {rng.choice(NOUN)} for {rng.choice(TASK)}{tail}"


def make_abstract(rng: random.Random) -> str:
    """About 200 words in sentences of 20, ending with a full stop; 30% carry a little LaTeX."""
    words = rng.choices(WORDS, k=200)
    for _ in range(rng.randint(1, 4) if rng.random() < 0.3 else 0):
        words[rng.randrange(200)] = rng.choice(LATEX_BITS)
    return ". ".join(s[0].upper() + s[1:] for s in (" ".join(words[i : i + 20]) for i in range(0, 200, 20))) + "."


def make_paper(rng, i, title, people, members) -> dict:
    """One record's fields; members' names sometimes written as their alias "F. Last"."""
    names = []
    for first, last in people:
        if (first, last) in members and rng.random() < 0.1:
            names.append(f"{first[0]}. {last}")
        else:
            names.append(f"{last}, {first}" if rng.random() < 0.6 else f"{first} {last}")
    year = rng.randint(2010, 2026)
    kind = rng.choices(list(VENUES), [50, 20, 22, 8])[0]
    venue = rng.choice(VENUES[kind])
    data = {
        "title": title,
        "authors": names,
        "year": year,
        "type": kind,
        "abstract": make_abstract(rng),
        "venue": venue if kind == "journal" else f"{venue} {year}",
        "topics": rng.sample(TOPICS, rng.choice([1, 1, 2, 2, 3])),
    }
    if rng.random() < 0.4:
        data["date"] = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
    if kind in ("conference", "journal"):
        data["abbr"] = venue.split()[0]
        if rng.random() < 0.6:
            data["doi"] = f"10.{rng.randint(1000, 99999)}/lp.{i}"
    if kind == "preprint" or rng.random() < 0.3:
        data["arxiv"] = f"{year % 100:02d}{rng.randint(1, 12):02d}.{i:05d}"
    links = {
        k: v
        for k, v, p in (
            ("code", "https://github.com/lab/p{i}", 0.4),
            ("pdf", "/files/p{i}.pdf", 0.3),
            ("slides", "https://slides.example.org/p{i}", 0.05),
        )
        if rng.random() < p
    }
    data["links"] = {k: v.format(i=i) for k, v in links.items()}
    if rng.random() < 0.02:
        data["award"] = rng.choice(["Outstanding Paper", "Best Paper Award", "Best Demo"])
    return data


def make_lab(project: Path, n: int, seed: int) -> int:
    """Write the project (mkdocs.yml, theme/, content/); returns the UTF-8 bytes of the records' text."""
    rng = random.Random(seed)
    pool, cum = author_pool(rng, max(60, n // 3))
    drafts, seen = [], set()
    while len(drafts) < n:
        title = make_title(rng)
        if title_key(title) not in seen:
            seen.add(title_key(title))
            k = rng.randint(3, 15)
            people = list(dict.fromkeys(rng.choices(pool, cum_weights=cum, k=k * 2)))[:k]
            drafts.append((title, people))
    counts: dict = {}
    for _, people in drafts:
        for person in people:
            counts[person] = counts.get(person, 0) + 1
    top = sorted(counts, key=lambda p: (-counts[p], p))[:20]
    papers, keys, text_bytes = project / "content" / "papers", set(), 0
    papers.mkdir(parents=True)
    selected = set(rng.sample(range(n), min(8, n)))  # a few selected papers
    for i, (title, people) in enumerate(drafts):
        data = {**make_paper(rng, i, title, people, set(top)), "selected": i in selected}
        key = (
            (slugify(people[0][1]).replace("-", "") or "paper")
            + str(data["year"])
            + slugify(title.replace(r"\textit", "").replace(r"\infty", "")).split("-")[0]
        )
        while key in keys:
            key += rng.choice("abcdefghij")
        keys.add(key)
        paper = Paper.model_validate(data)
        text_bytes += len((paper.title + ", ".join(paper.authors) + paper.abstract + paper.venue).encode())
        (papers / f"{key}.yaml").write_text(to_yaml(paper), encoding="utf-8")
    people, taken = [], set()
    for first, last in top:
        aliases = [a for a in (f"{last}, {first}", f"{first[0]}. {last}") if name_key(a) not in taken]
        taken |= {name_key(a) for a in aliases} | {name_key(f"{first} {last}")}
        people.append(
            Person(name=f"{first} {last}", aliases=aliases, role=rng.choice(["PhD student", "Postdoc", "Professor"]))
        )
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    (project / "content" / "people.yaml").write_text(
        dump([p.model_dump(exclude_defaults=True) for p in people]), encoding="utf-8"
    )
    (project / "content" / "topics.yaml").write_text(
        dump(
            {
                s: {"title": s.replace("-", " ").capitalize(), "description": f"Papers on {s.replace('-', ' ')}."}
                for s in TOPICS
            }
        ),
        encoding="utf-8",
    )
    shutil.copy(ROOT / "content" / "index.md", project / "content" / "index.md")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "theme", project / "theme")
    return text_bytes


LAUNCH = """import atexit, os, runpy, sys
peak_file, kind, target = sys.argv[1:4]
def peak():
    with open('/proc/self/status') as status, open(peak_file, 'w') as out:
        own = os.times()
        out.write(next(line.split()[1] for line in status if line.startswith('VmHWM:')) + f' {own.user + own.system}')
atexit.register(peak)
if kind == '-m':
    sys.argv = [target, *sys.argv[4:]]; runpy.run_module(target, run_name='__main__', alter_sys=True)
else:
    sys.argv = ['-c', *sys.argv[4:]]; exec(compile(target, '<child>', 'exec'), {'__name__': '__main__'})
"""


class Run(NamedTuple):
    secs: float  # wall time
    peak: int  # the child's own peak RSS, bytes
    workers: int = 0  # the sum of the peak RSS of each process the child started, sampled
    together: int = 0  # the highest sum of the child's and its processes' RSS at one moment, sampled
    cpu: float = 0.0  # CPU seconds (user + system) of the child's own process
    workers_cpu: float = 0.0  # and of the processes it started and waited for


def _descendants(pid: int) -> list[int]:
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []
    return children + [d for child in children for d in _descendants(child)]


def _rss(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)


def _sample_workers(pid: int, peaks: dict[int, int], done: threading.Event) -> None:
    """Every 0.1 s, the RSS of each process under `pid` (the build's workers), at its highest, and
    (under the key -1) the highest sum of `pid`'s RSS and theirs at one moment."""
    while not done.wait(0.1):
        now = {worker: _rss(worker) for worker in _descendants(pid)}
        for worker, rss in now.items():
            peaks[worker] = max(peaks.get(worker, 0), rss)
        peaks[-1] = max(peaks.get(-1, 0), _rss(pid) + sum(now.values()))


def run_child(cmd: list, cwd: Path, log: Path, stdin: Path | None = None) -> Run:
    """Wall seconds and the child's peak RSS in bytes; exits on failure. The peak is the child's
    own VmHWM, which it writes at exit: os.wait4's ru_maxrss would count this (large) process too,
    since Linux carries the high-water mark of the forking process across exec. The processes the
    child starts (labpubs' reference and search workers) are sampled every 0.1 s."""
    peak_file = log.with_suffix(".peak")
    peak_file.unlink(missing_ok=True)  # the same log path serves several runs
    if Path("/proc/self/status").exists():
        cmd = [cmd[0], "-c", LAUNCH, str(peak_file), *cmd[1:]]
    with open(log, "wb") as out, open(stdin or os.devnull, "rb") as source:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdin=source,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        peaks: dict[int, int] = {}
        done = threading.Event()
        sampler = threading.Thread(target=_sample_workers, args=(proc.pid, peaks, done), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        secs = time.perf_counter() - start
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{log.read_text(errors='replace')[-4000:]}")
    total_cpu = usage.ru_utime + usage.ru_stime  # wait4: the child's and its waited-for descendants'
    peak, cpu = usage.ru_maxrss, total_cpu
    if peak_file.exists():
        peak, cpu = (float(x) for x in peak_file.read_text().split())
    together = peaks.pop(-1, 0)
    return Run(secs, int(peak) * 1024, sum(peaks.values()), together, cpu, max(0.0, total_cpu - cpu))


def measure_generator(project: Path, out: Path) -> dict:
    """(a): generate() in a fresh interpreter, as the plugin runs it (references left to the worker);
    also the pages it made (path, bytes, front matter). (r): the reference worker alone on all papers,
    whose formatted references are added to the paper pages' sizes for the floor."""
    secs, rss, *_ = run_child(
        [sys.executable, "-c", GEN_CHILD, str(ROOT), str(project / "content"), str(out)],
        project,
        out.with_suffix(".log"),
    )
    gen = {**json.loads(out.read_text(encoding="utf-8")), "child": secs, "rss": rss}
    refs = out.with_suffix(".references")
    gen["worker"] = run_child(
        [sys.executable, "-m", "generator.cite", *gen["styles"]], ROOT, refs, stdin=Path(str(out) + ".items")
    )
    cited = {
        f"papers/{key}.md": len(cite_section(refs).encode()) - len(REFERENCES_MARK)
        for key, refs in map(json.loads, refs.read_text(encoding="utf-8").splitlines())
    }
    gen["pages"] = [(path, size + cited.get(path, 0), front) for path, size, front in gen["pages"]]
    return gen


def mkdocs_build(project: Path, site: Path) -> tuple[float, int]:
    """(b) and (c): `mkdocs build -q` of a project folder in a child process."""
    return run_child(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(site)],
        project,
        site.with_suffix(".log"),
    )


def fresh_checkout_build(project: Path, site: Path) -> tuple[tuple[float, int], str]:
    """(f): what the deploy workflow does: a new checkout at the same path (every file new, no
    site folder) with the last build's `.labpubs-cache/` restored; and whether its site is the
    project's last `site`. The project is put back afterwards."""
    aside = project.with_name(project.name + "-aside")
    project.rename(aside)
    try:
        shutil.copytree(aside, project, copy_function=shutil.copy)  # new files; the site is elsewhere
        fresh = site.with_name(site.name + "-fresh")
        measured = mkdocs_build(project, fresh)
        return measured, "yes" if same_tree(site, fresh) else "NO"
    finally:
        shutil.rmtree(project, ignore_errors=True)
        aside.rename(project)


def edit_title(project: Path, n: int) -> tuple[str, str]:
    """Put a marker word into the title of one record (the same one each time): its key and the marker."""
    record = sorted((project / "content" / "papers").glob("*.yaml"))[7]
    marker = f"Edited{n}x"
    text = re.sub(
        r"^(title: ['\"]?)(Edited\d+x )?", rf"\g<1>{marker} ", record.read_text(encoding="utf-8"), count=1, flags=re.M
    )
    record.write_text(text, encoding="utf-8")
    return record.stem, marker


def same_tree(a: Path, b: Path) -> bool:
    files = lambda root: sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())  # noqa: E731
    return files(a) == files(b) and all((a / f).read_bytes() == (b / f).read_bytes() for f in files(a))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=600) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return None


def serve_latency(project: Path, dirty: bool, edits: int, log: Path) -> tuple[float, list[float]]:
    """Start `mkdocs serve [--dirty]`, wait for its first build, then `edits` times: change a title,
    poll the served paper page every 20 ms until it shows it. (first build s, [latencies s])."""
    port = free_port()
    cmd = [sys.executable, "-m", "mkdocs", "serve", "-f", str(project / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"]
    key, _ = edit_title(project, 0)
    url = f"http://127.0.0.1:{port}/papers/{key}/"
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd + (["--dirty"] if dirty else []),
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        try:
            while fetch(url) is None:
                if proc.poll() is not None:
                    sys.exit(f"mkdocs serve failed:\n{log.read_text(errors='replace')[-4000:]}")
                time.sleep(0.2)
            first, latencies = time.perf_counter() - start, []
            time.sleep(2)  # the watcher has seen the folder as it is
            for n in range(1, edits + 1):
                _, marker = edit_title(project, n)
                saved = time.perf_counter()
                while marker not in (fetch(url) or ""):
                    time.sleep(0.02)
                latencies.append(time.perf_counter() - saved)
                time.sleep(1.5)
        finally:
            proc.terminate()
            proc.wait()
    return first, latencies


def make_floor(floor: Path, pages: list) -> None:
    """Plain MkDocs + Material: the repo's mkdocs.yml minus labpubs and custom_dir; one filler page per
    generated Markdown page with its front matter, a heading, paragraphs and a list, of the same byte size."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"].pop("custom_dir", None)
    config["plugins"] = [p for p in config["plugins"] if (p if isinstance(p, str) else next(iter(p))) != "labpubs"]
    nav = [next(iter(item.values())) if isinstance(item, dict) else item for item in config["nav"]]
    config["not_in_nav"] = "\n".join(["/*"] + [f"!/{page}" for page in nav])  # as labpubs' pages: outside the nav
    floor.mkdir(parents=True)
    (floor / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    para = " ".join(itertools.islice(itertools.cycle(WORDS), 90)).capitalize() + ".\n\n"
    body = para * (max(size for _, size, _ in pages) // len(para) + 1)
    for path, size, front in pages:
        head = f"{front}# Page {path}\n\n{para}- first item of a list\n- second item\n- third item\n\n"
        target = floor / "content" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(head + body[: max(0, size - len(head.encode()) - 1)] + "\n", encoding="utf-8")


def site_stats(site: Path) -> dict:
    files = [p for p in site.rglob("*") if p.is_file()]
    html = sorted((p.stat().st_size, str(p.relative_to(site))) for p in files if p.suffix == ".html")
    papers = sorted((p.stat().st_size, str(p.relative_to(site))) for p in site.glob("papers/*/index.html"))
    index = site / "search" / "search_index.json"
    return {
        "pages": sum(p.name == "index.html" for p in files),
        "bytes": sum(p.stat().st_size for p in files),
        "largest": html[-1] if html else (0, "-"),
        "papers": papers,
        "over_2mb": [h for h in html if h[0] > 2 * MB],
        "search": index.stat().st_size if index.exists() else 0,
    }


def cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def target(label: str, value: float, limit: float, fmt) -> str:
    ok = value <= limit
    how = f"{1 - value / limit:.0%} under" if ok else f"{value / limit - 1:.0%} over"
    return f"  {'PASS' if ok else 'MISS'}  {label}: {fmt(value)} vs <= {fmt(limit)} ({how})"


def report(
    n: int, gen: dict, full: tuple, floor: tuple, lab: dict, base: dict, text_bytes: int, cache: dict, serve: dict
) -> None:
    mib = lambda b: f"{b / 2**20:.1f} MiB"
    md, paper_sizes = len(gen["pages"]), [s for s, _ in lab["papers"]]
    rows = [
        ("papers", n, ""),
        (
            "(a) generate() alone, s",
            f"{gen['generate']:.2f}",
            f"fresh interpreter; +{gen['import']:.2f} s imports,"
            f" child {gen['child']:.2f} s in all, peak RSS {mib(gen['rss'])} (two sites at once)",
        ),
        (
            "(r) references alone, s",
            f"{gen['worker'][0]:.2f}",
            f"{', '.join(gen['styles'])} by citeproc-py for "
            f"every paper: the worker process of (b), running beside it; peak RSS {mib(gen['worker'][1])}",
        ),
        (
            "(a') generate() after 1 edit, s",
            f"{gen['rebuild']:.2f}",
            "same process, one record changed: what `mkdocs serve` redoes",
        ),
        ("(b) mkdocs build, s", f"{full[0]:.2f}", "full labpubs site, child process, cold (no page cache)"),
        (
            "(b) CPU: build + workers, s",
            f"{full.cpu:.1f} + {full.workers_cpu:.1f}",
            f"user + system; MkDocs renders every page in the build's own process, and {cpus()} CPUs"
            f" cannot finish this work in less than {(full.cpu + full.workers_cpu) / cpus():.1f} s",
        ),
        (
            "(w) warm mkdocs build, s",
            f"{cache['warm'][0]:.2f}",
            f"nothing changed; peak RSS {mib(cache['warm'][1])}; site identical to (b): {cache['identical']}",
        ),
        ("(e) build after 1 edit, s", f"{cache['edit'][0]:.2f}", "one record's title changed since (w)"),
        (
            "(f) fresh checkout + cache, s",
            f"{cache['fresh'][0]:.2f}",
            f"as deploy.yml: a new checkout at the same path, no site folder, (e)'s .labpubs-cache/; peak RSS "
            f"{mib(cache['fresh'][1])}; site identical to (e): {cache['fresh_identical']}",
        ),
        ("page cache on disk", mib(cache["size"]), ".labpubs-cache/ after (e)"),
        ("(c) floor build, s", f"{floor[0]:.2f}", "MkDocs + Material, same pages as filler, no labpubs"),
        ("(a)/(b)", f"{gen['generate'] / full[0]:.1%}", ""),
        ("(b)/(c)", f"{full[0] / floor[0]:.2f}x", ""),
        ("peak RSS (b) / (c)", f"{mib(full[1])} / {mib(floor[1])}", "each child's own VmHWM, at its exit"),
        (
            "peak RSS (b) + workers",
            f"{mib(full.peak + full.workers)} ({mib(full.peak)} + {mib(full.workers)})",
            "every process at its peak at once (an upper bound): the build's own VmHWM, and its reference "
            "and search workers' RSS, sampled every 0.1 s",
        ),
        (
            "peak RSS (b), all together",
            mib(full.together),
            "the build's and its workers' RSS summed, sampled every 0.1 s",
        ),
        (
            "pages from generate()",
            md - 1 + gen["downloads"],
            f"{md - 1} Markdown + {gen['downloads']} downloads "
            f"(.bib/.json); + index.md; {len(gen['warnings'])} warnings",
        ),
        ("index.html built (b) / (c)", f"{lab['pages']} / {base['pages']}", ""),
        ("paper page HTML max", f"{max(paper_sizes) / KB:.1f} KB", lab["papers"][-1][1]),
        ("paper page HTML median", f"{statistics.median(paper_sizes) / KB:.1f} KB", f"{len(paper_sizes)} pages"),
        ("site size (b) / (c)", f"{mib(lab['bytes'])} / {mib(base['bytes'])}", ""),
        ("search_index.json (b) / (c)", f"{mib(lab['search'])} / {mib(base['search'])}", ""),
        ("records' text", mib(text_bytes), "sum of UTF-8 bytes of title + authors joined + abstract + venue"),
        ("search index / records' text", f"{lab['search'] / text_bytes:.2f}x", ""),
        ("largest HTML (b)", f"{lab['largest'][0] / KB:.1f} KB", lab["largest"][1]),
        ("largest HTML (c)", f"{base['largest'][0] / KB:.1f} KB", base["largest"][1]),
    ]
    for name, label in (("dirty", "(s) serve --dirty"), ("plain", "(s') serve")):
        if name in serve:
            first, latencies = serve[name]
            rows.append(
                (
                    f"{label}: edit shown, s",
                    f"{statistics.median(latencies):.2f}",
                    f"median of {len(latencies)} ({', '.join(f'{x:.2f}' for x in latencies)}); first build {first:.1f} s",
                )
            )
    for label, value, note in rows:
        print(f"{label:30s} {str(value):>22s}  {note}")
    for warning in gen["warnings"][:3]:
        print(f"warning: {warning}")
    for size, path in lab["over_2mb"]:
        print(f"over 2 MB: {path} ({size / MB:.2f} MB)")
    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}, "
        f"MkDocs {version('mkdocs')}, Material {version('mkdocs-material')}"
    )
    print("targets (KB = 1000 bytes, MB = 1000 KB, GiB = 2^30 bytes):")
    print(target("generator alone / full build", gen["generate"] / full[0], 0.05, lambda v: f"{v:.1%}"))
    print(target("full build / floor", full[0] / floor[0], 1.15, lambda v: f"{v:.2f}x"))
    seconds = lambda v: f"{v:.1f} s"  # noqa: E731
    if "dirty" in serve:
        limit = 2 if n <= 1000 else 5 if n <= 10_000 else None
        if limit:
            print(
                target(
                    f"serve --dirty shows an edit ({n} papers)", statistics.median(serve["dirty"][1]), limit, seconds
                )
            )
    if n >= 10_000:
        print(target("warm build at 10,000 papers", cache["warm"][0], 25, seconds))
        print(target("build after one edit at 10,000 papers", cache["edit"][0], 30, seconds))
        print(target("full build at 10,000 papers", full[0], 60, lambda v: f"{v:.1f} s"))
        print(
            target(
                "peak memory (with workers) at 10,000 papers",
                full.peak + full.workers,
                GIB,
                lambda v: f"{v / GIB:.2f} GiB",
            )
        )
    else:
        print(
            f"  n/a   full build <= 60 s and peak RSS <= 1 GiB are for 10,000 papers (here {n}: {full[0]:.1f} s, "
            f"{(full.peak + full.workers) / GIB:.2f} GiB)"
        )
    print(
        target(
            f"largest paper page ({sum(s > 60 * KB for s in paper_sizes)} over)",
            max(paper_sizes),
            60 * KB,
            lambda v: f"{v / KB:.1f} KB",
        )
    )
    print(
        target(
            f"largest HTML page ({len(lab['over_2mb'])} over)", lab["largest"][0], 2 * MB, lambda v: f"{v / MB:.2f} MB"
        )
    )
    print(target("search index / records' text", lab["search"] / text_bytes, 1.5, lambda v: f"{v:.2f}x"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--papers", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="write the projects and sites here (a new folder) and keep them")
    ap.add_argument("--no-serve", action="store_true", help="leave out the live preview rows (s), (s')")
    ap.add_argument("--edits", type=int, default=3, help="edits timed per serve mode")
    args = ap.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True)
    tmp = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="labpubs-build-bench-"))
    try:
        text_bytes = make_lab(tmp / "lab", args.papers, args.seed)
        gen = measure_generator(tmp / "lab", tmp / "generate.json")
        full = mkdocs_build(tmp / "lab", tmp / "lab-site")
        shutil.copytree(tmp / "lab-site", tmp / "lab-site-cold")  # (b)'s site, to compare (w) with
        cache = {"warm": mkdocs_build(tmp / "lab", tmp / "lab-site")}  # the same folder, as a lab's site/
        cache["identical"] = "yes" if same_tree(tmp / "lab-site-cold", tmp / "lab-site") else "NO"
        edit_title(tmp / "lab", 99)
        cache["edit"] = mkdocs_build(tmp / "lab", tmp / "lab-site")
        cache["size"] = sum(p.stat().st_size for p in (tmp / "lab" / ".labpubs-cache").rglob("*") if p.is_file())
        cache["fresh"], cache["fresh_identical"] = fresh_checkout_build(tmp / "lab", tmp / "lab-site")
        serve = {}
        if not args.no_serve:
            serve["dirty"] = serve_latency(tmp / "lab", True, args.edits, tmp / "serve-dirty.log")
            serve["plain"] = serve_latency(tmp / "lab", False, 1, tmp / "serve.log")
        make_floor(tmp / "floor", gen["pages"])
        floor = mkdocs_build(tmp / "floor", tmp / "floor-site")
        stats = site_stats(tmp / "lab-site-cold"), site_stats(tmp / "floor-site")
        report(args.papers, gen, full, floor, *stats, text_bytes, cache, serve)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
