"""Bad content: every problem of a run, each with file, line, column, field and a hint; errors
stop the build, warnings do not. One test per case of the validation rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import FIXTURE, ROOT, copy_project, mkdocs_build

from generator.errors import ContentError
from generator.loader import RecordLoader
from generator.records import json_schemas
from generator.site import check


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    write(root, "topics.yaml", "long-context:\n  title: Long context\n")
    write(root, "people.yaml", '- name: Yingfa Chen\n  aliases: ["Chen, Y."]\n')
    write(
        root, "papers/member.yaml", "title: Member paper\nauthors: ['Chen, Y.']\nyear: 2024\ntopics: [long-context]\n"
    )
    return root


def shown(path: Path) -> str:
    return os.path.relpath(path)


def errors(root: Path) -> list[str]:
    with pytest.raises(ContentError) as error:
        check(root)
    return [str(p) for p in error.value.problems if p.severity == "error"]


def warnings(root: Path) -> list[str]:
    return [str(p) for p in check(root).problems if p.severity == "warning"]


def test_all_errors_of_a_run_are_reported_together(content):
    a = write(content, "papers/a.yaml", "title: A\nauhtors: [X Y]\nyear: 2024\ntopics: [long-contex]\n")
    b = write(content, "papers/b.yaml", "title: B\nyear: 2024\ntype: confrence\ntopics: [long-context]\n")
    c = write(content, "papers/c.yaml", "title: C\nyear: [2024\n")
    assert sorted(errors(content)) == sorted(
        [
            f"{shown(a)}:2:1: error: auhtors: unknown field `auhtors` (hint: did you mean `authors`?)",
            f"{shown(a)}:4:10: error: topics[0]: topic `long-contex` is not in topics.yaml (hint: did you mean `long-context`?)",
            f"{shown(b)}:3:1: error: type: `confrence` is not a paper type; use one of conference, journal, preprint, "
            "workshop, book, chapter, thesis, report, other (hint: did you mean `conference`?)",
            f"{shown(c)}:3:1: error: YAML syntax: did not find expected ',' or ']' (hint: check indentation "
            "and quote text that contains ': ' or starts with a special character)",
        ]
    )


@pytest.mark.parametrize(
    "record, where, message",
    [
        ("title: A\nyear: 1492\n", "2:1: error: year:", "greater than or equal to 1900"),
        ("title: A\nyear: 2999\n", "2:1: error: year:", "2999 is more than two years ahead"),
        ("title: A\nyear: twenty\n", "2:1: error: year:", "valid integer"),
        ("title: A\ndate: 2024-13-01\n", "2:1: error: date:", "valid date"),
        (
            "title: A\narxiv: 2402.13710\ndoi: 10.5555/1\nlinks:\n  pdf: /a.pdf\n  code: https:/github.com/x\n",
            "6:3: error: links.code:",
            "http(s) URL",
        ),  # the arXiv id stays text, not a float; /a.pdf is a site path
        ("title: A\nyear: 2024\ndate: 2023-05-01\n", "1:1: error:", "date 2023-05-01 is not in year 2024"),
        ("title: A\nlinks:\n  pdf: javascript:alert(1)\n", "3:3: error: links.pdf:", "not javascript:"),
        ("title: A\nlinks:\n  code: data:text/html,<script>x</script>\n", "3:3: error: links.code:", "not data:"),
        (
            "title: A\nlinks:\n  url: //evil.example/x\n",
            "3:3: error: links.url:",
            "http(s) URL or a path inside the site",
        ),
        ("title: A\nlinks:\n  homepage: https://x.org\n", "3:3: error: links.homepage:", "unknown field `homepage`"),
        ("title: A\ndoi: not-a-doi\n", "2:1: error: doi:", "10.1234/abc"),
        ("title: A\narxiv: 24.1\n", "2:1: error: arxiv:", "arXiv identifier"),
        ("title: A\nauthors: [others, X Y]\n", "1:1: error:", "`others` (et al.) may only be the last author"),
        ("authors: [X Y]\n", "1:1: error: title:", "missing required field `title`"),
        ("title: '   '\n", "1:1: error: title:", "must not be empty"),
        ("title: A\nselected: maybe\n", "2:1: error: selected:", "valid boolean"),
        (
            "title: A\nmembers: [weilin-zhao]\n",
            "2:11: error: members[0]:",
            "member `weilin-zhao` is not in people.yaml",
        ),
        ("- just a list\n", "", "a paper record must be a mapping of fields"),
    ],
)
def test_field_errors_name_file_line_and_field(content, record, where, message):
    path = write(content, "papers/x.yaml", record)
    (found,) = errors(content)
    assert found.startswith(f"{shown(path)}:{where}") and message in found, found


def test_people_errors(content):
    path = write(content, "people.yaml", "- name: Yingfa Chen\n  orcid: 1234\n- name: Xu Han\n  homepage: ftp://x\n")
    assert errors(content) == [
        f"{shown(path)}:2:3: error: orcid: must look like 0000-0002-1825-0097",
        f"{shown(path)}:4:3: error: homepage: must be an http(s) URL or a path inside the site, not ftp:",
    ]
    write(content, "people.yaml", '- name: Yingfa Chen\n- name: Xu Han\n  aliases: [Y. Chen, "Chen, Yingfa"]\n')
    (found,) = errors(content)
    assert found == (
        f"{shown(path)}:2:3: error: `Chen, Yingfa` also names Yingfa Chen: one spelling can lead to one member only"
    )


@pytest.mark.parametrize(
    "photo",
    ["https://gravatar.com/avatar/x.jpg", "http://example.org/me.png", "//gravatar.com/avatar/x", "/\\evil.org/x.jpg"],
)
def test_a_member_photo_on_another_host_is_refused(content, photo):
    path = write(content, "people.yaml", f"- name: Yingfa Chen\n  aliases: ['Chen, Y.']\n  photo: '{photo}'\n")
    assert errors(content) == [
        f"{shown(path)}:3:3: error: photo: `{photo}` is on another host; a photo must be a file of the site "
        "(pages load nothing from other hosts) (hint: put the image in content/ (e.g. content/images/NAME.jpg) "
        "and give its path (/images/NAME.jpg))"
    ]


def test_a_member_photo_inside_the_site_is_fine(content):
    write(content, "people.yaml", "- name: Yingfa Chen\n  aliases: ['Chen, Y.']\n  photo: /images/yingfa.jpg\n")
    assert not [p for p in check(content).problems if p.severity == "error"]


def test_an_orcid_with_a_wrong_check_digit_is_refused(content):
    people = write(
        content, "people.yaml", "- name: Yingfa Chen\n  aliases: ['Chen, Y.']\n  orcid: 0000-0000-0000-0000\n"
    )
    paper = write(
        content,
        "papers/member.yaml",
        "title: Member paper\nauthors: ['Chen, Y.']\nyear: 2024\ntopics: [long-context]\n"
        "orcids: {'Chen, Y.': 'https://orcid.org/0000-0002-1694-2339'}\n",
    )
    hint = "(hint: a digit is probably mistyped; copy the iD from the person's orcid.org page)"
    assert sorted(errors(content)) == sorted(
        [
            f"{shown(people)}:3:3: error: orcid: `0000-0000-0000-0000` fails the ORCID checksum: "
            f"the check digit (last character) should be 1, not 0 {hint}",
            f"{shown(paper)}:5:10: error: orcids.Chen, Y.: `0000-0002-1694-2339` fails the ORCID checksum: "
            f"the check digit (last character) should be X, not 9 {hint}",
        ]
    )
    write(content, "people.yaml", "- name: Yingfa Chen\n  aliases: ['Chen, Y.']\n  orcid: 0000-0000-0000-0001\n")
    write(content, "papers/member.yaml", paper.read_text().replace("2339", "233X"))
    assert not [p for p in check(content).problems if p.severity == "error"]


@pytest.mark.parametrize("name", ["Bad Key.yaml", "UPPER.yaml", "index.yaml", "../escape.yaml".replace("/", "_")])
def test_bad_keys(content, name):
    path = write(content, f"papers/{name}", "title: A\n")
    (found,) = errors(content)
    assert found.startswith(f"{shown(path)}: error:") and "not a valid paper key" in found
    assert "lower-case ASCII" in found


@pytest.mark.parametrize(
    "first, second, field",
    [
        ("doi: 10.5555/same\n", "doi: https://doi.org/10.5555/SAME\n", "doi"),
        ("arxiv: 2402.13718\n", "arxiv: arXiv:2402.13718v2\n", "arxiv"),
        ("", "", "title"),
    ],
)
def test_duplicates_across_records_name_both_files(content, first, second, field):
    a = write(content, "papers/a.yaml", f"title: Densing Law of LLMs\n{first}topics: [long-context]\n")
    b = write(content, "papers/b.yaml", f"title: 'densing law of llms!'\n{second}topics: [long-context]\n")
    (found,) = errors(content)
    assert found.startswith(f"{shown(b)}:") and f"error: {field}: the same paper as {shown(a)}" in found


@pytest.mark.parametrize(
    "first, second, field",
    [
        ("doi: 10.5555/same\n", "doi: https://doi.org/10.5555/SAME\n", "doi"),
        ("arxiv: 2402.13718\n", "arxiv: arXiv:2402.13718v2\n", "arxiv"),
    ],
)
def test_an_identifier_on_two_titles_is_a_warning_not_a_merge(content, first, second, field):
    """A DOI copied onto the wrong paper: two papers, one of them wrong; the build goes on."""
    a = write(content, "papers/a.yaml", f"title: Densing Law of LLMs\n{first}topics: [long-context]\n")
    b = write(content, "papers/b.yaml", f"title: Another title\n{second}topics: [long-context]\n")
    (found,) = [w for w in warnings(content) if "not the same paper" in w]
    assert found.startswith(f"{shown(b)}:") and f"warning: {field}: not the same paper as {shown(a)}" in found
    assert "different titles" in found


def test_same_title_years_apart_is_a_warning(content):
    a = write(content, "papers/a.yaml", "title: Annual Report\nyear: 2019\ntopics: [long-context]\n")
    b = write(content, "papers/b.yaml", "title: Annual report\nyear: 2024\ntopics: [long-context]\n")
    (found,) = [w for w in warnings(content) if "not the same paper" in w]
    assert found.startswith(f"{shown(b)}:1:1: warning: title: not the same paper as {shown(a)}")
    assert "years 2024 and 2019" in found


def test_duplicate_titles_match_across_accents_and_unicode_forms(content):
    a = write(content, "papers/a.yaml", "title: Über Müller's {RNN}s\ntopics: [long-context]\n")
    b = write(
        content,
        "papers/b.yaml",
        f"title: '{unicodedata.normalize('NFD', 'uber mullers rnns')}'\ntopics: [long-context]\n",
    )
    (found,) = errors(content)
    assert found.startswith(f"{shown(b)}:1:1: error: title: the same paper as {shown(a)} (same title)")


def test_a_venue_that_is_an_ads_journal_macro_is_a_warning_with_the_name(content):
    path = write(
        content, "papers/ads.yaml", "title: Lyman Alpha\ntype: journal\nvenue: \\mnras\ntopics: [long-context]\n"
    )
    assert [w for w in warnings(content) if "venue" in w] == [
        f"{shown(path)}:3:1: warning: venue: the venue `\\mnras` is ADS's macro for the Monthly Notices of the RAS; "
        "pages and BibTeX would print it as is (hint: write the journal's name: `venue: Monthly Notices of the RAS` "
        "(labpubs import does this for ADS exports))"
    ]


def test_warnings_do_not_fail_but_are_reported(content):
    path = write(
        content,
        "papers/w.yaml",
        "title: W\nauthors: ['Chen, Y.', Xu Han, 'Han, Xu', Wu, Yutong]\n"
        "abstract: We show that the method works and that it is fast and that\n",
    )
    write(content, "people.yaml", '- name: Yingfa Chen\n  aliases: ["Chen, Y."]\n- name: Nobody Here\n')
    found = warnings(content)
    people = shown(content / "people.yaml")
    assert sorted(found) == sorted(
        [
            f"{shown(path)}:1:1: warning: the paper has no topic (hint: add `topics:` from topics.yaml, e.g. `long-context`)",
            f"{shown(path)}:3:1: warning: abstract: the abstract looks cut off (hint: copy the whole abstract from the paper)",
            f"{shown(path)}:2:31: warning: authors[2]: `Han, Xu` is listed twice",
            f"{shown(path)}:2:42: warning: authors[3]: `Wu` and `Yutong` look like one name cut at its comma (hint: quote "
            '"Last, First" names inside [...] lists: ["Chen, Yingfa", ...])',
            f"{people}:3:3: warning: name: member Nobody Here has no papers (hint: check the spelling of the name in "
            "author lists, or add an alias)",
        ]
    )


def test_yaml_alias_bomb_and_size_limit(content):
    bomb = (
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh"))
        + "title: *h\n"
    )
    path = write(content, "papers/bomb.yaml", bomb)
    big = write(content, "papers/big.yaml", "title: A\nabstract: " + "x" * (1 << 20) + "\n")
    found = errors(content)
    assert (
        f"{shown(path)}: error: the file expands to more than 200,000 values (hint: records need no YAML "
        "anchors (&) or aliases (*); write the values out)" in found
    )
    assert any(f.startswith(f"{shown(big)}: error: file is 1,048,") for f in found)


def test_bom_and_crlf_are_fine_and_non_utf8_is_refused_with_its_line(content):
    write(content, "papers/bom.yaml", "\ufefftitle: BOM and CRLF\r\nyear: 2024\r\ntopics: [long-context]\r\n".encode())
    assert check(content).by_key["bom"].record.title == "BOM and CRLF"
    path = write(content, "papers/latin.yaml", "title: A\nauthors: [J\xf6rg M\xfcller]\n".encode("latin-1"))
    (found,) = errors(content)
    assert found.startswith(f"{shown(path)}:2: error: not UTF-8: byte b'\\xf6' cannot be read (hint: save the file")


def test_names_typed_two_ways_are_one_person(content):
    composed, decomposed = "Jörg Müller", unicodedata.normalize("NFD", "Jörg Müller")
    assert composed != decomposed
    write(content, "papers/a.yaml", f"title: A\nauthors: ['{composed}']\ntopics: [long-context]\n")
    write(content, "papers/b.yaml", f"title: B\nauthors: ['{decomposed}']\ntopics: [long-context]\n")
    library = check(content)
    muller = [a for a in library.authors.values() if a.name == composed]
    assert len(muller) == 1 and len(muller[0].papers) == 2


def test_build_fails_and_writes_no_site(tmp_path):
    project = copy_project(tmp_path)
    write(project / "content", "papers/zzz.yaml", "title: Broken\nyear: twenty\n")
    result = mkdocs_build(project, tmp_path / "out")
    assert result.returncode != 0
    assert "zzz.yaml:2:1: error: year:" in result.stderr
    assert not (tmp_path / "out" / "index.html").exists()


@pytest.mark.parametrize("page", ["publications.md", "papers/workshop.md"])
def test_a_hand_written_page_where_labpubs_generates_one_fails_the_build(tmp_path, page):
    project = copy_project(tmp_path)
    write(project / "content", page, "# Mine\n")
    result = mkdocs_build(project, tmp_path / "out")
    assert result.returncode != 0
    assert f"{page} is generated by labpubs; rename or remove the hand-written {page}" in result.stderr


def test_cli_check_lists_problems_and_sets_the_exit_status(content):
    write(content, "papers/a.yaml", "title: A\nyear: 2024\ntopics: [nope]\n")
    run = subprocess.run(
        [sys.executable, "-m", "generator.cli", "check", "--content", str(content)], capture_output=True, text=True
    )
    assert run.returncode == 1 and "topic `nope` is not in topics.yaml" in run.stderr
    assert "1 error(s); nothing was built" in run.stderr


def test_published_json_schemas_are_current_and_accept_the_fixture_lab():
    for name, schema in json_schemas().items():
        assert json.loads((ROOT / "schema" / name).read_text()) == schema, f"run `labpubs schema` ({name})"
    paper = json.loads((ROOT / "schema" / "paper.schema.json").read_text())
    for path in (FIXTURE / "papers").glob("*.yaml"):
        jsonschema.validate(
            yaml.load(path.read_text(), Loader=RecordLoader), paper, format_checker=jsonschema.FormatChecker()
        )


@pytest.mark.parametrize(
    "record",
    [
        {"title": "A", "auhtors": ["X"]},
        {"title": "A", "type": "confrence"},
        {"title": "A", "links": {"pdf": "javascript:x"}},
        {"title": "A", "doi": "not-a-doi"},
        {"title": ""},
        {"authors": ["X"]},
    ],
)
def test_the_schema_catches_what_editors_should_flag(record):
    paper = json_schemas()["paper.schema.json"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(record, paper)


def test_a_control_character_in_text_is_refused_where_it_stands(content):
    """The feed (XML) and generated front matter (YAML) cannot hold one; it prints nothing anyway."""
    path = write(content, "papers/bell.yaml", 'title: "A bell\\a here"\n')
    (found,) = errors(content)
    assert found.startswith(f"{shown(path)}:1:1: error: title: ") and "control character U+0007" in found


@pytest.mark.parametrize("escape", ["\\uFFFF", "\\uFFFE"])
def test_a_non_character_in_text_is_refused_where_it_stands(content, escape):
    """YAML (the front matter) and XML (the feed) refuse these too."""
    path = write(content, "papers/nonchar.yaml", f'title: "A{escape}B"\n')
    (found,) = errors(content)
    assert found.startswith(f"{shown(path)}:1:1: error: title: ") and f"non-character U+{escape[2:].upper()}" in found


def test_an_entry_type_that_is_not_one_is_refused(content):
    """`extra.entrytype` is written as `@entrytype{`: anything but letters would write BibTeX."""
    path = write(content, "papers/inject.yaml", 'title: A\nextra:\n  entrytype: "misc{injected, note = {x}}"\n')
    (found,) = errors(content)
    assert found.startswith(f"{shown(path)}:") and "extra" in found and "not a BibTeX entry type" in found
