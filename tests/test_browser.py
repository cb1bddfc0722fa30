"""The built site in a real browser: Debian's headless chromium, driven by Playwright.

Search, the copy button, the filters and their URL, math, console errors, and screenshots of
the publications page (desktop and phone) saved to artifacts/."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

import pytest
from conftest import ARTIFACTS, CHROMIUM

from generator.richtext import to_plain

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed (apt-get install chromium)")


@pytest.fixture
def page(browser):
    context = browser.new_context(
        permissions=["clipboard-read", "clipboard-write"], viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def shown_keys(page) -> list[str]:
    return page.eval_on_selector_all(
        "li.lp-entry:not([hidden]) a.lp-title",
        "links => links.map(a => a.getAttribute('href').split('/').slice(-2)[0])",
    )


def unique_abstract_word(library) -> tuple[str, str]:
    """A word in exactly one paper's abstract and in no other text the search indexes (URLs aside:
    the search reads a URL as one word)."""
    plain = lambda text: re.sub(r"https?://\S+", " ", to_plain(text or ""))
    texts = [plain(p.record.abstract) + " " + plain(p.record.title) for p in library.papers]
    words = Counter(w for text in texts for w in set(re.findall(r"[a-z]{8,}", text.lower())))
    for paper in library.papers:
        for word in sorted(set(re.findall(r"[a-z]{8,}", plain(paper.record.abstract).lower()))):
            stem = word[:6]
            if words[word] == 1 and sum(stem in t.lower() for t in texts) == 1:
                return paper.key, word
    raise AssertionError("no unique word")


def test_search_finds_the_paper_with_a_word_of_its_abstract(server, page, library):
    key, word = unique_abstract_word(library)
    page.goto(server)
    page.click("label.md-search__icon, .md-search__input", timeout=10_000)
    page.locator("input.md-search__input").press_sequentially(word, delay=30)  # Material reads keystrokes
    first = page.wait_for_selector("li.md-search-result__item a", timeout=15_000)
    assert f"papers/{key}/" in first.get_attribute("href"), (word, first.get_attribute("href"))


def test_copy_button_puts_exactly_the_bibtex_on_the_clipboard(server, page):
    page.goto(server + "papers/infbench/")
    code = page.inner_text("section#bibtex pre > code")
    page.hover("section#bibtex pre")
    page.click("section#bibtex button[data-md-type=copy]")  # Material's copy button
    assert page.evaluate("navigator.clipboard.readText()").strip() == code.strip()
    assert code.startswith("@inproceedings{infbench,")


FILTERS = {  # what each filter of the publications page keeps, by the library
    ("year", "2024"): lambda lib: {p.key for p in lib.papers if p.year == 2024},
    ("type", "preprint"): lambda lib: {p.key for p in lib.papers if p.record.type == "preprint"},
    ("topic", "long-context"): lambda lib: {p.key for p in lib.topics["long-context"].papers},
    ("member", "yingfa-chen"): lambda lib: {p.key for p in lib.authors["yingfa-chen"].papers},
    ("venue", "arXiv"): lambda lib: {p.key for p in lib.papers if p.record.venue == "arXiv"},
    ("q", "mamba"): lambda lib: {"stuffed"},
}


@pytest.mark.parametrize("field, value", list(FILTERS))
def test_each_filter_narrows_the_list_and_lives_in_the_url(server, page, library, field, value):
    expected, total = FILTERS[field, value](library), len(library.papers)
    assert 0 < len(expected) < total
    page.goto(server + "publications/")
    assert page.is_visible("form.lp-filters")
    if field == "q":
        page.fill("form.lp-filters input[name=q]", value)
    else:
        page.select_option(f"form.lp-filters select[name={field}]", value)
    assert set(shown_keys(page)) == expected
    assert page.inner_text("form.lp-filters output") == f"{len(expected)} of {total} papers"
    assert f"{field}={value}" in page.url
    page.goto(page.url)  # a shared link restores the filtered list
    assert set(shown_keys(page)) == expected
    assert page.input_value(f"form.lp-filters [name={field}]") == value
    page.evaluate("window.scrollTo(0, 0)")  # where the form is, clear of the sticky header
    page.click("form.lp-filters button[type=reset]")
    page.wait_for_function(f"document.querySelector('form.lp-filters output').textContent.startsWith('{total} of')")
    assert len(shown_keys(page)) == total and "?" not in page.url.rstrip("?")


def test_filters_combine_and_hide_empty_years(server, page):
    page.goto(server + "publications/?member=xinrong-zhang&topic=long-context&year=2024")
    assert set(shown_keys(page)) == {"infbench", "stuffed"}
    visible_years = page.eval_on_selector_all("article h2:not([hidden])", "hs => hs.map(h => h.textContent)")
    assert [y.strip("¶ ") for y in visible_years] == ["2024"]


def test_filters_work_after_instant_navigation(server, page):
    page.goto(server)
    page.click("nav.md-nav--primary a[href$='publications/']")
    page.wait_for_url("**/publications/")
    page.fill("form.lp-filters input[name=q]", "mamba")
    assert shown_keys(page) == ["stuffed"]


def test_abstract_and_bibtex_reveal_inline(server, page):
    page.goto(server + "publications/")
    entry = page.locator("li.lp-entry", has=page.locator("a[href$='papers/infbench/']"))
    assert not entry.locator("details.lp-reveal pre").is_visible()
    entry.locator("summary", has_text="BibTeX").click()
    assert entry.locator("details.lp-reveal pre").is_visible()
    entry.locator("summary", has_text="Abstract").click()
    assert "Processing long contexts is crucial" in entry.locator(".lp-abstract").inner_text()
    assert page.url.endswith("/publications/")


def test_math_in_a_title_renders_as_mathml(server, page):
    page.goto(server + "papers/infbench/")
    box = page.locator("h1 math").bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0
    title = page.evaluate("document.querySelector('h1').textContent")
    assert "$" not in title and "\\infty" not in title and title.startswith("∞Bench")


@pytest.mark.parametrize(
    "url",
    ["", "publications/", "papers/infbench/", "people/yingfa-chen/", "topics/long-context/", "years/2024/"],
)
def test_no_console_errors(server, page, url):
    page.goto(server + url)
    page.wait_for_load_state("networkidle")
    assert page.errors == []


@pytest.mark.parametrize(
    "name, size", [("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})]
)
def test_publications_screenshots(server, browser, name, size):
    context = browser.new_context(viewport=size, is_mobile=name == "phone")
    page = context.new_page()
    page.goto(server + "publications/")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"publications-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    # nothing wider than the screen: no sideways scrolling to read an entry, at any width
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert path.stat().st_size > 10_000
    assert scroll_width <= size["width"], f"the page scrolls sideways at {size['width']} px ({scroll_width} px wide)"


def test_nothing_leaves_the_site(server, browser):
    """Every request a reader's browser makes goes to the site itself: no font, script, style or
    image from elsewhere, while the reader searches, filters, opens an abstract and copies BibTeX."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    own = urlsplit(server).netloc
    outside, errors = [], []

    def route(route):
        if urlsplit(route.request.url).netloc != own:
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server)
    page.wait_for_load_state("networkidle")
    page.click("label.md-search__icon, .md-search__input", timeout=10_000)
    page.locator("input.md-search__input").press_sequentially("mamba", delay=30)
    page.wait_for_selector("li.md-search-result__item a", timeout=15_000)
    page.goto(server + "publications/?topic=long-context")
    page.select_option("form.lp-filters select[name=year]", "2024")
    page.fill("form.lp-filters input[name=q]", "bench")
    page.locator("li.lp-entry:not([hidden]) summary", has_text="Abstract").first.click()
    page.goto(server + "papers/infbench/")
    page.hover("section#bibtex pre")
    page.click("section#bibtex button[data-md-type=copy]")
    page.goto(server + "people/yingfa-chen/")
    page.wait_for_load_state("networkidle")
    context.close()
    assert outside == [] and errors == []
