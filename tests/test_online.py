"""`labpubs add`, `enrich` and `sync` against real recorded answers of Crossref, arXiv, OpenAlex,
DBLP and ORCID (tests/data/http/, sources in tests/data/README.md), served by a local HTTP server
that the `LABPUBS_*_API` variables point at. No test touches the network."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURE
from werkzeug import Response

from generator import online
from generator.client import Client
from generator.identifiers import parse_identifier
from generator.loader import RecordLoader, load_content

HTTP = Path(__file__).parent / "data" / "http"
JSON, XML = "application/json", "application/atom+xml"


@pytest.fixture
def apis(httpserver, monkeypatch):
    """The local server, standing in for every API (one path prefix each)."""
    for name in ("crossref", "arxiv", "openalex", "dblp", "orcid"):
        monkeypatch.setenv(f"LABPUBS_{name.upper()}_API", httpserver.url_for(f"/{name}"))
    monkeypatch.setenv("LABPUBS_MAILTO", "lab@example.org")
    return httpserver


def serve(server, path: str, file: str, query: dict | None = None, status: int = 200, kind: str = JSON):
    body = (HTTP / file).read_bytes()
    server.expect_request(path, query_string=query).respond_with_data(body, status=status, content_type=kind)


@pytest.fixture
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE, root)
    return root


def client(tmp_path, **kwargs) -> Client:
    return Client(cache_dir=tmp_path / "cache", **kwargs)


def record(content: Path, key: str) -> dict:
    return yaml.load((content / "papers" / f"{key}.yaml").read_text(encoding="utf-8"), Loader=RecordLoader)


def labpubs(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )


# --- identifiers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("10.18653/v1/2024.acl-long.814", "doi", "10.18653/v1/2024.acl-long.814"),
        ("doi:10.18653/v1/2024.acl-long.814", "doi", "10.18653/v1/2024.acl-long.814"),
        ("https://doi.org/10.18653/v1/2024.acl-long.814", "doi", "10.18653/v1/2024.acl-long.814"),
        (
            "10.1002/(SICI)1097-4547(19960215)43:4<439::AID-JNR5>3.0.CO;2-G",
            "doi",
            "10.1002/(SICI)1097-4547(19960215)43:4<439::AID-JNR5>3.0.CO;2-G",
        ),
        ("2402.13718", "arxiv", "2402.13718"),
        ("arXiv:2402.13718v2", "arxiv", "2402.13718v2"),
        ("https://arxiv.org/abs/2402.13718", "arxiv", "2402.13718"),
        ("https://arxiv.org/pdf/2402.13718v1.pdf", "arxiv", "2402.13718v1"),
        ("hep-th/9901001", "arxiv", "hep-th/9901001"),
        ("10.48550/arXiv.2402.13718", "arxiv", "2402.13718"),
        ("W2741809807", "openalex", "W2741809807"),
        ("https://openalex.org/W2741809807", "openalex", "W2741809807"),
        ("conf/acl/ZhangCH24", "dblp", "conf/acl/ZhangCH24"),
        ("https://dblp.org/rec/conf/acl/ZhangCH24.html", "dblp", "conf/acl/ZhangCH24"),
    ],
)
def test_every_id_form(text, kind, value):
    identifier = parse_identifier(text)
    assert (identifier.kind, identifier.value) == (kind, value)


def test_malformed_ids_are_refused_before_any_request(apis, content, tmp_path):
    run = labpubs("add", "10.123/x", "arXiv:24.1", "nothing", "--content", str(content), cwd=tmp_path)
    assert run.returncode == 1
    assert "10.123/x: failed (10.123/x): not a DOI" in run.stdout
    assert "arXiv:24.1: failed (arXiv:24.1): not an arXiv id" in run.stdout
    assert "nothing: failed (nothing): not a DOI, an arXiv id" in run.stdout
    assert len(apis.log) == 0


# --- one record per paper --------------------------------------------------------------------------


def test_a_doi_gives_a_whole_record(apis, content, tmp_path):
    serve(apis, "/crossref/works/10.1136/jclinpath-2020-206745", "crossref/works_10.1136_jclinpath-2020-206745.json")
    run = labpubs("add", "https://doi.org/10.1136/jclinpath-2020-206745", "--content", str(content), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (
        "https://doi.org/10.1136/jclinpath-2020-206745: imported DOI 10.1136/jclinpath-2020-206745 as xu2020construction"
        in run.stdout
    )
    data = record(content, "xu2020construction")
    assert data["title"] == (
        "Construction of a reference material panel for detecting KRAS/NRAS/EGFR/BRAF/MET mutations in plasma ctDNA"
    )
    assert data["authors"][:3] == ["Xu, Jun", "Qu, Shoufang", "Sun, Nan"]
    assert data["type"] == "journal" and data["venue"] == "Journal of Clinical Pathology"
    assert (data["year"], data["date"]) == (2020, "2020-08-17")
    assert data["doi"] == "10.1136/jclinpath-2020-206745"
    assert data["extra"] == {"volume": "74", "number": "5", "pages": "314-320", "publisher": "BMJ"}
    assert data["abstract"].startswith("The absence of high-quality next-generation sequencing (NGS) reference")
    assert "<jats" not in data["abstract"] and "Background" not in data["abstract"][:20]  # JATS headings gone
    assert list(data["orcids"].values()) == ["0000-0002-3513-6501"]
    assert set(data["orcids"]) <= set(data["authors"])
    assert "User-Agent" in apis.log[0][0].headers and "mailto:lab@example.org" in apis.log[0][0].headers["User-Agent"]
    assert load_content(content).problems == []


def serve_arxiv_1605(apis) -> None:
    """arXiv's recorded answer for 1605.08386 (any version asked for: arXiv answers by the bare id)."""
    serve(
        apis,
        "/arxiv/query",
        "arxiv/query_id_list_1605.08386.xml",
        {"id_list": "1605.08386", "max_results": "1"},
        kind=XML,
    )


def test_an_arxiv_preprint_with_its_version_history(apis, content, tmp_path):
    serve_arxiv_1605(apis)
    run = online.add(["arXiv:1605.08386v1"], load_content(content), client(tmp_path))
    (outcome,) = run.outcomes
    assert outcome.status == "imported", outcome
    paper = run.writes[outcome.key]
    assert (paper.type, paper.venue, paper.arxiv) == ("preprint", "arXiv", "1605.08386v1")  # the version asked for
    assert paper.links.pdf == ("https://arxiv.org/pdf/1605.08386",)
    assert paper.abstract and paper.year and paper.date and len(paper.authors) >= 1


def test_a_versioned_arxiv_id_is_the_same_paper_as_the_record_of_the_unversioned_one(apis, content, tmp_path):
    serve_arxiv_1605(apis)
    first = online.add(["arXiv:1605.08386"], load_content(content), client(tmp_path))
    key = first.outcomes[0].key
    assert first.writes[key].arxiv == "1605.08386"
    (content / "papers" / f"{key}.yaml").write_text(f"title: '{first.writes[key].title}'\narxiv: '1605.08386'\n")
    again = online.add(["arXiv:1605.08386v1"], load_content(content), client(tmp_path))
    assert [(o.status, o.key) for o in again.outcomes] == [("merged", key)]
    assert again.writes[key].arxiv == "1605.08386"  # the record's own value is kept (FILL)


def test_an_old_style_arxiv_id(apis, content, tmp_path):
    serve(
        apis,
        "/arxiv/query",
        "arxiv/query_id_list_astro-ph_0601001.xml",
        {"id_list": "astro-ph/0601001", "max_results": "1"},
        kind=XML,
    )
    run = online.add(["astro-ph/0601001"], load_content(content), client(tmp_path))
    paper = run.writes[run.outcomes[0].key]
    assert paper.arxiv == "astro-ph/0601001" and paper.extra["journal_ref"]


def test_an_openalex_work(apis, content, tmp_path):
    serve(apis, "/openalex/works/W2741809807", "openalex/works_W2741809807.json")
    run = online.add(["https://openalex.org/W2741809807"], load_content(content), client(tmp_path))
    paper = run.writes[run.outcomes[0].key]
    assert paper.title.startswith("The state of OA: a large-scale analysis")
    assert paper.authors[0] == "Piwowar, Heather" and paper.doi == "10.7717/peerj.4375"
    assert paper.type == "journal" and paper.venue == "PeerJ" and str(paper.date) == "2018-02-13"
    assert paper.abstract.startswith("Despite growing interest in Open Access (OA)")
    assert paper.orcids["Piwowar, Heather"] == "0000-0003-1613-5981"


def test_an_existing_record_is_completed_never_overwritten(apis, content, tmp_path):
    serve(apis, "/crossref/works/10.1136/jclinpath-2020-206745", "crossref/works_10.1136_jclinpath-2020-206745.json")
    path = content / "papers" / "mine.yaml"
    path.write_text(
        "# kept comment\ntitle: Construction of a Reference Material Panel for Detecting KRAS/NRAS/EGFR/"
        "BRAF/MET Mutations in Plasma ctDNA\nvenue: J Clin Pathol\ntopics: [evaluation]\n"
    )
    run = labpubs("add", "10.1136/jclinpath-2020-206745", "--content", str(content), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "merged DOI 10.1136/jclinpath-2020-206745 into mine" in run.stdout
    assert "venue differs: the entry says 'Journal of Clinical Pathology', the record 'J Clin Pathol'" in run.stdout
    data = record(content, "mine")
    assert data["venue"] == "J Clin Pathol" and data["doi"] == "10.1136/jclinpath-2020-206745"
    assert data["year"] == 2020 and len(data["authors"]) > 3 and data["topics"] == ["evaluation"]
    assert path.read_text().startswith("# kept comment\n")
    updated = labpubs("add", "10.1136/jclinpath-2020-206745", "--update", "--content", str(content), cwd=tmp_path)
    assert updated.returncode == 0 and record(content, "mine")["venue"] == "Journal of Clinical Pathology"


def test_the_note_of_a_completion_names_orcids_as_orcids(apis, content, tmp_path):
    serve(apis, "/crossref/works/10.1038/s41586-020-2649-2", "crossref/works_10.1038_s41586-020-2649-2_REDUCED.json")
    (content / "papers" / "numpy.yaml").write_text(
        "title: Array programming with NumPy\ndoi: 10.1038/s41586-020-2649-2\n"
    )
    run = online.add(["10.1038/s41586-020-2649-2"], load_content(content), client(tmp_path))
    (outcome,) = run.outcomes
    assert outcome.status == "merged" and run.writes["numpy"].orcids["Millman, K. Jarrod"]
    added = next(n for n in outcome.notes if n.startswith("added "))
    assert "extra.Millman" not in added and "orcid of Millman, K. Jarrod" in added, added


# --- enrich -----------------------------------------------------------------------------------------

TITLE = "Effect of native oxide layers on copper thin-film tensile properties: A reactive molecular dynamics study"


def test_enrich_by_title_takes_an_exact_match_with_an_author_in_common(apis, content, tmp_path):
    serve(
        apis,
        "/crossref/works",
        "crossref/works_query.title_effect-of-native-oxide-layers_rows1.json",
        {"query.bibliographic": TITLE, "rows": "5"},
    )
    (content / "papers" / "oxide.yaml").write_text(f"title: '{TITLE}'\nauthors: [Michael D. Skarlinski, others]\n")
    run = labpubs("enrich", "oxide", "--content", str(content), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "oxide: doi: — → 10.1063/1.4938384" in run.stdout
    assert "oxide: year: — → 2015" in run.stdout
    data = record(content, "oxide")
    assert data["doi"] == "10.1063/1.4938384" and data["authors"][-1] != "others"


def test_enrich_refuses_a_near_miss(apis, content, tmp_path):
    serve(
        apis,
        "/crossref/works",
        "crossref/works_query.title_attention-is-all-you-need_rows1.json",
        {"query.bibliographic": "Attention is All you Need", "rows": "5"},
    )
    (content / "papers" / "attention.yaml").write_text("title: Attention is All you Need\nauthors: [Ashish Vaswani]\n")
    before = (content / "papers" / "attention.yaml").read_text()
    run = labpubs("enrich", "attention", "--content", str(content), cwd=tmp_path)
    assert run.returncode == 1
    assert "no work at Crossref with this exact title and an author in common (nearest: " in run.stdout
    assert (content / "papers" / "attention.yaml").read_text() == before


def test_enrich_dry_run_prints_the_changes_and_writes_nothing(apis, content, tmp_path):
    serve(
        apis,
        "/crossref/works",
        "crossref/works_query.title_effect-of-native-oxide-layers_rows1.json",
        {"query.bibliographic": TITLE, "rows": "5"},
    )
    (content / "papers" / "oxide.yaml").write_text(f"title: '{TITLE}'\nauthors: [Michael D. Skarlinski]\n")
    before = {p.name: p.read_bytes() for p in (content / "papers").iterdir()}
    run = labpubs("enrich", "oxide", "--dry-run", "--content", str(content), cwd=tmp_path)
    assert "oxide: venue: — → " in run.stdout and "dry run, nothing written" in run.stdout
    assert {p.name: p.read_bytes() for p in (content / "papers").iterdir()} == before


# --- failures -----------------------------------------------------------------------------------------


def test_not_found_is_said_and_the_other_ids_still_complete(apis, content, tmp_path):
    serve(
        apis,
        "/crossref/works/10.1371/notarealdoi",
        "crossref/works_10.1371_notarealdoi_404.txt",
        status=404,
        kind="text/plain",
    )
    serve(apis, "/openalex/works/W2741809807", "openalex/works_W2741809807.json")
    run = labpubs("add", "10.1371/notarealdoi", "W2741809807", "--content", str(content), cwd=tmp_path)
    assert run.returncode == 1
    assert "10.1371/notarealdoi: failed (DOI 10.1371/notarealdoi): not found at Crossref" in run.stdout
    assert "W2741809807: imported OpenAlex W2741809807 as piwowar2018state" in run.stdout
    assert (content / "papers" / "piwowar2018state.yaml").exists()


def test_429_then_success_honours_retry_after(apis, content, tmp_path):
    body = (HTTP / "openalex/works_W2741809807.json").read_bytes()
    answers = [Response("slow down", status=429, headers={"Retry-After": "1"}), Response(body, content_type=JSON)]
    apis.expect_request("/openalex/works/W2741809807").respond_with_handler(lambda request: answers.pop(0))
    start = time.monotonic()
    run = online.add(["W2741809807"], load_content(content), client(tmp_path))
    assert run.ok and time.monotonic() - start >= 1.0 and len(apis.log) == 2


def test_a_timeout_is_said_after_the_retries(apis, content, tmp_path):
    apis.expect_request("/openalex/works/W2741809807").respond_with_handler(
        lambda request: time.sleep(1.5) or Response("{}", content_type=JSON)
    )
    run = online.add(["W2741809807"], load_content(content), client(tmp_path, timeout=0.3, retries=1))
    assert run.outcomes[0].reason == f"OpenAlex ({apis.host}:{apis.port}) did not answer in time"


@pytest.mark.parametrize(
    "api, identifier, body, kind",
    [
        ("crossref", "10.1136/jclinpath-2020-206745", b'{"status": "ok", "message": {', JSON),
        ("arxiv", "arXiv:1605.08386", b"<feed><entry>", XML),
    ],
)
def test_malformed_answers_are_said(apis, content, tmp_path, api, identifier, body, kind):
    apis.expect_request(f"/{api}/" + ("works/" + identifier if api == "crossref" else "query")).respond_with_data(
        body, content_type=kind
    )
    run = online.add([identifier], load_content(content), client(tmp_path))
    name = {
        "crossref": "Crossref answered with something that is not JSON",
        "arxiv": "arXiv answered with something that is not XML",
    }[api]
    assert run.outcomes[0].reason.startswith(name)


def test_no_network_is_one_line_per_id(content, tmp_path, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("LABPUBS_CROSSREF_API", f"http://127.0.0.1:{port}")
    run = online.add(["10.1136/a", "10.1136/b"], load_content(content), client(tmp_path))
    assert [o.reason.split(": ")[0] for o in run.outcomes] == [f"cannot reach Crossref (127.0.0.1:{port})"] * 2
    assert not run.writes


def test_a_doi_with_angle_brackets_and_semicolons_is_sent_encoded(apis, content, tmp_path):
    doi = "10.1002/(SICI)1097-4547(19960215)43:4<439::AID-JNR5>3.0.CO;2-G"
    serve(apis, "/crossref/works/" + doi, "crossref/works_10.1371_notarealdoi_404.txt", status=404, kind="text/plain")
    run = online.add([doi], load_content(content), client(tmp_path))
    assert run.outcomes[0].reason == "not found at Crossref"
    ((request, _),) = apis.log
    raw = request.environ.get("RAW_URI") or request.environ["REQUEST_URI"]
    assert request.path == "/crossref/works/" + doi and raw.endswith("%3C439::AID-JNR5%3E3.0.CO%3B2-G")


def test_a_doi_url_is_percent_decoded_once_and_sent_encoded_once(apis, content, tmp_path):
    serve(apis, "/crossref/works/10.1136/jclinpath-2020-206745", "crossref/works_10.1136_jclinpath-2020-206745.json")
    doi = "10.1002/(SICI)1097-4547(19960215)43:4<439::AID-JNR5>3.0.CO;2-G"
    serve(apis, "/crossref/works/" + doi, "crossref/works_10.1371_notarealdoi_404.txt", status=404, kind="text/plain")
    urls = [
        "https://doi.org/10.1136%2Fjclinpath-2020-206745",
        "https://dx.doi.org/10.1002/%28SICI%291097-4547%2819960215%2943%3A4%3C439%3A%3AAID-JNR5%3E3.0.CO%3B2-G",
        "https://doi.org/10.1000/a%20b",  # decoded, a DOI with a space: refused, never sent as a%2520b
    ]
    run = online.add(urls, load_content(content), client(tmp_path))
    assert [o.status for o in run.outcomes] == ["imported", "failed", "failed"]
    assert run.outcomes[0].label == "DOI 10.1136/jclinpath-2020-206745"
    assert run.outcomes[1].reason == "not found at Crossref"
    assert run.outcomes[2].reason.startswith("not a DOI")
    raws = sorted(request.environ.get("RAW_URI") or request.environ["REQUEST_URI"] for request, _ in apis.log)
    assert raws == [
        "/crossref/works/10.1002/(SICI)1097-4547(19960215)43:4%3C439::AID-JNR5%3E3.0.CO%3B2-G",
        "/crossref/works/10.1136/jclinpath-2020-206745",
    ]


def test_a_second_run_makes_no_request(apis, content, tmp_path):
    serve(apis, "/openalex/works/W2741809807", "openalex/works_W2741809807.json")
    first = labpubs("add", "W2741809807", "--dry-run", "--content", str(content), cwd=tmp_path)
    assert "1 request(s) sent" in first.stdout
    second = labpubs("add", "W2741809807", "--dry-run", "--content", str(content), cwd=tmp_path)
    assert "0 request(s) sent" in second.stdout and len(apis.log) == 1
    assert (tmp_path / ".labpubs-cache" / "http").is_dir()


# --- more sources: DBLP, a preprint with its published version --------------------------------------


def test_a_dblp_record_with_orcids_and_a_doi(apis, content, tmp_path):
    serve(
        apis, "/dblp/rec/conf/cpaior/JabsBJ24.xml", "dblp/rec_conf_cpaior_JabsBJ24_dedented.xml", kind="application/xml"
    )
    run = online.add(["https://dblp.org/rec/conf/cpaior/JabsBJ24.html"], load_content(content), client(tmp_path))
    paper = run.writes[run.outcomes[0].key]
    assert paper.title == "Core Boosting in SAT-Based Multi-objective Optimization"  # DBLP's final period gone
    assert paper.authors == ["Jabs, Christoph", "Berg, Jeremias", "Järvisalo, Matti"]
    assert paper.orcids == {
        "Jabs, Christoph": "0000-0003-3532-696X",
        "Berg, Jeremias": "0000-0001-7660-8061",
        "Järvisalo, Matti": "0000-0003-2572-063X",
    }
    assert (paper.type, paper.venue, paper.year, paper.doi) == (
        "conference",
        "CPAIOR (2)",
        2024,
        "10.1007/978-3-031-60599-4_1",
    )
    assert paper.extra == {"pages": "1-19"}


def test_a_preprint_and_its_published_version_are_one_record(apis, content, tmp_path):
    serve(
        apis,
        "/arxiv/query",
        "arxiv/query_id_list_2006.10256_with_doi.xml",
        {"id_list": "2006.10256", "max_results": "1"},
        kind=XML,
    )
    serve(apis, "/crossref/works/10.1038/s41586-020-2649-2", "crossref/works_10.1038_s41586-020-2649-2_REDUCED.json")
    run = online.add(["arXiv:2006.10256"], load_content(content), client(tmp_path))
    assert [o.status for o in run.outcomes] == ["imported"] and len(run.writes) == 1
    paper = next(iter(run.writes.values()))
    assert (paper.type, paper.venue, paper.doi, paper.arxiv) == (
        "journal",
        "Nature",
        "10.1038/s41586-020-2649-2",
        "2006.10256",
    )
    assert paper.title == "Array programming with NumPy" and paper.year == 2020
    assert paper.abstract.startswith("Array programming provides a powerful, compact, expressive syntax")  # arXiv's
    assert paper.links.pdf == ("https://arxiv.org/pdf/2006.10256",)
    assert paper.extra["primaryclass"] == "cs.MS" and paper.extra["journal_ref"] == "Nature 585, 357 (2020)"


def test_an_author_spelled_like_a_member_in_a_new_way_gets_a_hint(apis, content, tmp_path):
    serve(apis, "/crossref/works/10.1136/jclinpath-2020-206745", "crossref/works_10.1136_jclinpath-2020-206745.json")
    people = content / "people.yaml"
    people.write_text(people.read_text() + "- name: Shou-Fang Qu\n")
    run = online.add(["10.1136/jclinpath-2020-206745"], load_content(content), client(tmp_path))
    notes = run.outcomes[0].notes
    assert (
        "hint: 'Qu, Shoufang' may be the member Shou-Fang Qu: if so, add this spelling to their aliases in "
        "people.yaml" in notes
    )
    assert "shou-fang-qu" not in run.writes[run.outcomes[0].key].members  # never linked silently


# --- sync -------------------------------------------------------------------------------------------


def not_found(apis, api: str):
    """Every other path of an API answers Crossref's recorded 404."""
    body = (HTTP / "crossref/works_10.1371_notarealdoi_404.txt").read_bytes()
    apis.expect_request(re.compile(f"^/{api}/.*$")).respond_with_data(body, status=404, content_type="text/plain")


def test_sync_adds_the_works_members_profiles_list(apis, content, tmp_path):
    people = content / "people.yaml"
    people.write_text(
        people.read_text() + "- name: Di Xu\n  dblp: 95/7448-1\n"
        "- name: Scott Chamberlain\n  orcid: 0000-0003-1444-9135\n"
    )
    (content / "sync.yaml").write_text("exclude:\n  - 10.1109/ICCE.2012.6161918   # not the lab's\n")
    serve(apis, "/dblp/pid/95/7448-1.xml", "dblp/pid_95-7448-1.xml", kind="application/xml")
    serve(apis, "/orcid/0000-0003-1444-9135/works", "orcid/v3.0_0000-0003-1444-9135_works.json")
    not_found(apis, "crossref")  # ORCID's own data stands in for works Crossref does not know
    not_found(apis, "orcid")  # Yingfa Chen's ORCID iD (ORCID's own example) lists nothing here
    run = labpubs("sync", "--since", "2012", "--content", str(content), cwd=tmp_path)
    assert run.returncode == 1  # one profile failed; the others were still read and written
    assert "orcid:0000-0002-1825-0097: failed (Yingfa Chen): not found at ORCID" in run.stdout
    library = load_content(content)
    dblp_titles = {p.title for p in library.papers.values() if "Xu, Di" in p.authors}
    assert "Automatic stereoscopic 3D video reframing" in dblp_titles
    assert not any("horizontal pixel parallax" in t for t in dblp_titles)  # excluded in sync.yaml
    orcid_papers = [p for p in library.papers.values() if "scott-chamberlain" in p.members]
    assert orcid_papers and all(p.year >= 2012 for p in orcid_papers)
    assert "imported DOI 10.6084/m9.figshare.1097657.v1" not in run.stdout  # a version of an item is the item
    again = labpubs("sync", "--since", "2012", "--content", str(content), "--dry-run", cwd=tmp_path)
    assert "0 added, 0 completed" in again.stdout and "; 0 record file(s) would be written" in again.stdout


def test_sync_reads_an_openalex_author_list(apis, content, tmp_path):
    people = content / "people.yaml"
    people.write_text(people.read_text() + "- name: Michael D. Skarlinski\n  openalex: A5012345678\n")
    serve(apis, "/openalex/works", "openalex/works_filter_title.search_effect-of-native-oxide-layers.json")
    run = online.sync(load_content(content), client(tmp_path), member="michael-d-skarlinski")
    (outcome,) = run.outcomes
    paper = run.writes[outcome.key]
    assert paper.title.startswith("Effect of native oxide layers on copper thin-film tensile properties")
    assert apis.log[0][0].args["filter"] == "author.id:A5012345678"


def test_sync_of_an_unknown_member_is_refused_with_the_known_slugs(apis, content, tmp_path):
    run = labpubs("sync", "--member", "nobody", "--content", str(content), cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "no member with the slug 'nobody' in people.yaml" in run.stderr
    assert "yingfa-chen, xinrong-zhang, weilin-zhao" in run.stderr
    assert "added" not in run.stdout and len(apis.log) == 0


def test_sync_hints_at_the_spelling_of_a_member_that_their_profile_names(apis, content, tmp_path):
    people = content / "people.yaml"
    people.write_text(
        people.read_text() + "- name: Michael D. Skarlinski\n  openalex: A5015270557\n- name: 徐迪\n  dblp: 95/7448-1\n"
    )
    serve(apis, "/openalex/works", "openalex/works_filter_title.search_effect-of-native-oxide-layers.json")
    serve(apis, "/dblp/pid/95/7448-1.xml", "dblp/pid_95-7448-1.xml", kind="application/xml")
    library = load_content(content)
    openalex_run = online.sync(library, client(tmp_path), member="michael-d-skarlinski")
    (outcome,) = openalex_run.outcomes
    assert (
        "hint: 'Skarlinski, Michael' may be the member Michael D. Skarlinski: if so, add this spelling to their "
        "aliases in people.yaml"
    ) in outcome.notes
    dblp_run = online.sync(library, client(tmp_path), member=library.slug_of(library.people[-1]))
    assert len(dblp_run.outcomes) == 8 and all(o.status == "imported" for o in dblp_run.outcomes)
    hint = "hint: 'Xu, Di' may be the member 徐迪: if so, add this spelling to their aliases in people.yaml"
    assert all(o.notes.count(hint) == 1 for o in dblp_run.outcomes)
    assert all(not p.members for p in dblp_run.writes.values())  # a full author list: a hint, no silent link


def test_an_arxiv_id_arxiv_does_not_know_and_a_work_without_a_title(apis, content, tmp_path):
    serve(
        apis,
        "/arxiv/query",
        "arxiv/query_id_list_0000.0000_empty.xml",
        {"id_list": "0000.0000", "max_results": "1"},
        kind=XML,
    )
    serve(apis, "/crossref/works/10.1023/a:1007154515475", "crossref/works_10.1023_a-1007154515475_empty-title.json")
    run = online.add(["arXiv:0000.0000", "10.1023/a:1007154515475"], load_content(content), client(tmp_path))
    assert [o.reason for o in run.outcomes] == [
        "not found at arXiv (0000.0000)",
        "the answer for DOI 10.1023/a:1007154515475 gives no title: there is no record to make of it",
    ]
    assert not run.writes


@pytest.mark.parametrize(
    "url, found",
    [
        ("https://doi.org/10.1038/s41586-020-2649-2", ("doi", "10.1038/s41586-020-2649-2")),
        ("https://doi.org/10.48550/arXiv.2402.13718", ("arxiv", "2402.13718")),
        ("https://arxiv.org/abs/2402.13718v3", ("arxiv", "2402.13718")),
        ("http://arxiv.org/pdf/2402.13718v2.pdf", ("arxiv", "2402.13718")),  # DBLP lists these too
        ("https://arxiv.org/abs/hep-th/9901001", ("arxiv", "hep-th/9901001")),
        ("https://openalex.org/W2741809807", None),
        ("https://github.com/example/code", None),
    ],
)
def test_the_sources_read_ids_in_links_one_way(url, found):
    from generator.identifiers import id_in_link

    result = id_in_link(url)
    assert (result.kind, result.value) == found if found else result is None


def test_a_dblp_record_with_two_doi_links_keeps_the_second_as_a_link():
    """Nothing in a record is lost: DBLP lists a second DOI (e.g. the proceedings') as another `ee`."""
    import xml.etree.ElementTree as ET

    from generator.sources.dblp import fields

    element = ET.fromstring(
        '<article key="journals/x/A24"><author>Ann Lee</author><title>T.</title><year>2024</year>'
        "<ee>https://doi.org/10.1000/first</ee><ee>https://doi.org/10.1000/second</ee></article>"
    )
    data = fields(element)
    assert data["doi"] == "10.1000/first"
    assert data["links"] == {"url": ["https://doi.org/10.1000/second"]}
