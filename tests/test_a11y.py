"""Every reader can use the site (WCAG 2.1 AA): axe-core, as `axe-playwright-python` bundles it, on
every kind of page in both colour schemes at desktop and phone width, and the publications page
driven by the keyboard alone. Debian's headless chromium, as in test_browser."""

from __future__ import annotations

import re

import pytest
from conftest import CHROMIUM, build, serve_folder
from playwright.sync_api import expect

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed (apt-get install chromium)")

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PAGES = [
    "",
    "publications/",
    "publications/?topic=long-context&year=2024",
    "papers/journal/",
    "papers/infbench/",
    "people/",
    "people/yingfa-chen/",
    "people/weilin-zhao/",
    "topics/",
    "topics/long-context/",
    "years/",
    "years/2024/",
]
SCHEMES = ["light", "dark"]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def violations(browser, url: str, scheme: str, size: dict) -> str:
    """axe-core's WCAG 2.0/2.1 A and AA violations on a page, as a readable report ('' for none)."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=size, color_scheme=scheme, is_mobile=size["width"] < 500)
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    scheme_shown = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert scheme_shown == ("slate" if scheme == "dark" else "default"), scheme_shown
    results = Axe().run(page, options=WCAG_AA)
    context.close()
    return results.generate_report() if results.violations_count else ""


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", PAGES)
def test_no_wcag_aa_violations(server, browser, path, scheme, width):
    assert violations(browser, server + path, scheme, WIDTHS[width]) == ""


@pytest.fixture(scope="module")
def chinese_site(tmp_path_factory):
    site = build(
        tmp_path_factory.mktemp("zh"),
        config=lambda text: text.replace("  name: material", "  name: material\n  language: zh"),
    )
    url, stop = serve_folder(site)
    yield url
    stop()


@pytest.mark.parametrize("path", ["", "publications/", "papers/cjk/", "people/", "people/yingfa-chen/"])
def test_no_wcag_aa_violations_in_the_chinese_interface(chinese_site, browser, path):
    assert violations(browser, chinese_site + path, "light", WIDTHS["desktop"]) == ""


def test_pages_declare_their_language(server, chinese_site, browser):
    page = browser.new_page()
    for url, lang in ((server, "en"), (chinese_site, "zh")):
        for path in ("", "publications/", "papers/cjk/"):
            page.goto(url + path)
            assert page.evaluate("document.documentElement.lang") == lang, (url, path)
    page.close()


# --- the keyboard alone ------------------------------------------------------------------------------

DESCRIBE = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1) || style.boxShadow !== 'none';
  return {ours: e.closest('.md-content') !== null, tag: e.tagName.toLowerCase(), name: e.getAttribute('name') || '', text: (e.textContent || '').trim().slice(0, 40),
          type: e.getAttribute('type') || '', ring: ring, top: e.getBoundingClientRect().top + window.scrollY,
          entry: e.closest('li.lp-entry') ? [...document.querySelectorAll('li.lp-entry')].indexOf(e.closest('li.lp-entry')) : -1};
}"""


@pytest.fixture
def keyboard_page(browser):
    context = browser.new_context(viewport=WIDTHS["desktop"], permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    yield page
    context.close()


def tab_until(page, done, limit: int = 200) -> list[dict]:
    """Press Tab until `done(focused)` holds; every element focused on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(DESCRIBE)
        seen.append(focused)
        if done(focused):
            return seen
    raise AssertionError(f"not reached with {limit} Tabs: {seen[-5:]}")


def test_the_filters_toggles_and_copy_buttons_work_from_the_keyboard(server, keyboard_page):
    page = keyboard_page
    page.goto(server + "publications/")
    page.wait_for_load_state("networkidle")
    total = page.locator("li.lp-entry").count()
    # Tab from the top of the page reaches the search box, each filter and Clear, in reading order
    seen = tab_until(page, lambda f: f["tag"] == "button" and f["type"] == "reset")
    fields = [f["name"] for f in seen if f["name"] in ("q", "year", "type", "topic", "member", "venue")]
    assert fields == ["q", "year", "type", "topic", "member", "venue"], fields
    assert all(f["ring"] for f in seen if f["ours"]), [f for f in seen if f["ours"] and not f["ring"]]
    # a filter changes from the keyboard, and the count it announces changes with it
    live = page.locator("form.lp-filters output")
    assert live.get_attribute("aria-live") == "polite"
    page.keyboard.press("Shift+Tab")  # back to the venue filter
    page.keyboard.press("Shift+Tab")  # the member filter
    assert page.evaluate(DESCRIBE)["name"] == "member"
    page.keyboard.press("ArrowDown")
    shown = int(re.match(r"\d+", live.inner_text()).group())
    assert 0 < shown < total and "member=" in page.url
    # Clear works with Enter
    tab_until(page, lambda f: f["type"] == "reset")
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('form.lp-filters output').textContent.startsWith('{total} ')")
    # the first entry: its links, then its Abstract and BibTeX toggles, in reading order
    seen = tab_until(page, lambda f: f["tag"] == "summary" and f["entry"] == 0 and "BibTeX" in f["text"])
    entry_stops = [f for f in seen if f["entry"] == 0]
    assert [f["tag"] for f in entry_stops][0] == "a" and entry_stops[-2]["text"] == "Abstract"
    assert all(f["ring"] for f in seen if f["ours"]), [f for f in seen if f["ours"] and not f["ring"]]
    first = page.locator("li.lp-entry").first
    bibtex = first.locator("details.lp-reveal").last
    toggle = bibtex.locator("summary")
    # the toggle names the block it reveals, and says whether it is open
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("#" + toggle.get_attribute("aria-controls")).evaluate("e => e.tagName") == "PRE"
    page.keyboard.press("Enter")  # opens it, and says so
    assert bibtex.get_attribute("open") is not None
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press(" ")  # Space closes it again
    assert bibtex.get_attribute("open") is None
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press(" ")
    # the copy button of the opened BibTeX block is the next stop; Enter copies the entry
    focused = tab_until(page, lambda f: f["tag"] == "button", limit=3)[-1]
    assert focused["ring"]
    page.keyboard.press("Enter")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == bibtex.locator("pre code").inner_text().strip() and copied.startswith("@")


def test_a_paper_page_copy_buttons_are_reached_and_work_from_the_keyboard(server, keyboard_page):
    page = keyboard_page
    page.goto(server + "papers/infbench/")
    page.wait_for_load_state("networkidle")
    blocks = page.locator("article pre, section pre")
    copied = []
    for _ in range(blocks.count()):
        tab_until(page, lambda f: f["tag"] == "button")
        assert page.evaluate(DESCRIBE)["ring"]
        page.keyboard.press("Enter")
        copied.append(page.evaluate("navigator.clipboard.readText()").strip())
    assert copied[0].startswith("@inproceedings{infbench,")
    assert len(copied) == blocks.count() >= 3  # the BibTeX and one per citation style


# --- read out: math and charts ---------------------------------------------------------------------


def test_math_carries_its_latex_for_screen_readers(server, browser):
    page = browser.new_page()
    page.goto(server + "papers/infbench/")
    alttexts = page.eval_on_selector_all("math", "ms => ms.map(m => m.getAttribute('alttext'))")
    page.close()
    assert alttexts and all(alttexts), alttexts
    assert any("\\infty" in text for text in alttexts)


@pytest.mark.parametrize("path", ["", "people/yingfa-chen/", "topics/long-context/"])
def test_each_chart_has_a_title_and_its_numbers_as_text(server, browser, path):
    page = browser.new_page()
    page.goto(server + path)
    charts = page.locator("figure.lp-chart")
    assert charts.count() >= 1
    for i in range(charts.count()):
        chart = charts.nth(i)
        svg = chart.locator("svg")
        title = svg.locator(":scope > title")
        assert svg.get_attribute("role") == "img" and title.count() == 1 and title.text_content().strip()
        # what a screen reader reaches: the chart's name, then a table of every year and its count
        snapshot = chart.aria_snapshot()
        assert title.text_content().strip() in snapshot, snapshot
        rows = chart.locator("table tbody tr")
        assert rows.count() >= 1
        for r in range(rows.count()):
            year, count = rows.nth(r).locator("th, td").all_text_contents()
            assert re.fullmatch(r"\d{4}", year) and re.fullmatch(r"\d+", count), (year, count)
            assert year in snapshot and count in snapshot
    page.close()


TEXT_NODES = """root => { const out = [], walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) out.push(walk.currentNode.nodeValue); return out; }"""


@pytest.mark.parametrize("path", ["papers/cjk/", "publications/"])
def test_names_and_titles_in_another_script_are_whole_words_for_screen_readers(server, browser, path):
    """A name or title in Chinese reaches a screen reader as one run of text, not letters split by
    markup (which some readers spell out one by one)."""
    page = browser.new_page()
    page.goto(server + path)
    entry = page.locator(".lp-paper, li.lp-entry").filter(has_text="长上下文语言模型的评测").first
    runs = entry.evaluate(TEXT_NODES)
    page.close()
    for text in ("长上下文语言模型的评测", "韩放达", "王小明", "测试学报"):
        assert any(text in run for run in runs), (text, runs)


def _rgb(css: str, under: tuple = (255, 255, 255)) -> tuple:
    """A computed CSS colour as RGB, blended over `under` when it is translucent."""
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    alpha = parts[3] if len(parts) == 4 else 1.0
    return tuple(alpha * c + (1 - alpha) * u for c, u in zip(parts[:3], under))


def _contrast(a: tuple, b: tuple) -> float:
    def luminance(rgb):
        linear = [(c / 255) / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_copy_buttons_stand_out_from_their_code_block(server, browser, scheme):
    """WCAG 1.4.11 (not an axe rule): a control is 3:1 against what is next to it. Material draws
    its copy button at 7 % until the pointer is over the block."""
    context = browser.new_context(viewport=WIDTHS["desktop"], color_scheme=scheme)
    page = context.new_page()
    page.goto(server + "papers/infbench/")
    page.wait_for_selector("pre .md-code__button")
    pairs = page.eval_on_selector_all(
        "pre .md-code__button",
        "bs => bs.map(b => [getComputedStyle(b).color, getComputedStyle(b.closest('pre').querySelector('code')).backgroundColor])",
    )
    page_background = _rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    context.close()
    assert len(pairs) >= 3
    for button, block in pairs:
        block_rgb = _rgb(block, page_background)
        assert _contrast(_rgb(button, block_rgb), block_rgb) >= 3, (button, block)
