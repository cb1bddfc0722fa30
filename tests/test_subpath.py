"""GitHub Pages serves a project site under /<repo>/: every internal link, asset, download and
the search index must resolve there. The built site is served under /labsite/ and crawled."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections import deque
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import build

PREFIX = "/labsite/"


def serve_under_prefix(site: Path):
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def translate_path(self, path):
            if not path.startswith(PREFIX):
                return str(site / "__not_under_the_prefix__")
            return super().translate_path("/" + path[len(PREFIX) :])

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, b"", ""


@pytest.fixture(scope="module")
def root(site):
    httpd = serve_under_prefix(site)
    yield f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}"
    httpd.shutdown()


def crawl(root: str) -> tuple[int, list]:
    """Follow every link, asset and script of the site from `root`: (HTML pages reached, broken links)."""
    seen, seen_from, broken, queue = {root}, {}, [], deque([root])
    host, pages = urlsplit(root).netloc, 0
    while queue:
        url = queue.popleft()
        status, body, kind = fetch(url)
        if status != 200:
            broken.append((url, status, seen_from.get(url)))
            continue
        if "text/html" not in kind:
            continue
        pages += 1
        soup = BeautifulSoup(body, "html.parser")
        for tag, attribute in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")):
            for element in soup.find_all(tag):
                target = element.get(attribute)
                if not target or target.startswith(("mailto:", "javascript:", "data:")):
                    continue
                absolute = urldefrag(urljoin(url, target)).url
                parts = urlsplit(absolute)
                if parts.netloc != host:
                    continue  # an external link: not ours to check offline
                assert parts.path.startswith(PREFIX), f"{url} links outside the site's folder: {target}"
                if absolute not in seen:
                    seen.add(absolute)
                    seen_from[absolute] = url
                    queue.append(absolute)
    return pages, broken


def test_every_internal_link_resolves_under_a_sub_path(root, site):
    pages, broken = crawl(root)
    assert not broken, broken[:10]
    assert pages == len(list(site.rglob("index.html")))  # every page of the site was reached by links


def test_a_site_without_directory_urls_has_no_broken_link(tmp_path):
    """`use_directory_urls: false` (pages as `papers/x.html`, for file:// and some hosts)."""
    site = build(
        tmp_path, config=lambda text: text.replace("docs_dir: content", "docs_dir: content\nuse_directory_urls: false")
    )
    assert (site / "papers" / "infbench.html").exists() and not (site / "papers" / "infbench").exists()
    httpd = serve_under_prefix(site)
    try:
        pages, broken = crawl(f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}index.html")
    finally:
        httpd.shutdown()
    assert not broken, broken[:10]
    assert pages == len([p for p in site.rglob("*.html") if p.name != "404.html"])


@pytest.mark.parametrize(
    "path",
    [
        "search/search_index.json",
        "publications.bib",
        "publications.json",
        "feed.xml",
        "papers/infbench.bib",
        "papers/infbench.ris",
        "people/yingfa-chen.bib",
        "sitemap.xml",
    ],
)
def test_downloads_and_the_search_index_resolve(root, path):
    status, body, _ = fetch(root + path)
    assert status == 200 and body
