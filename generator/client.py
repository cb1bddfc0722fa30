"""The one HTTP client of labpubs, for the scholarly APIs it reads (Crossref, arXiv, OpenAlex, DBLP,
ORCID): base URLs from `LABPUBS_*_API` (so a mirror, a proxy or a test server can stand in),
timeouts, retries with backoff on 429 and 5xx that honour `Retry-After`, a `User-Agent` with a
contact address as Crossref and OpenAlex ask, and an on-disk cache so that a second run makes no
request. httpx: a maintained client with first-class timeouts, thread-safe for a few requests
in flight at once.

Failures come out as `FetchError` with a sentence for the user: "not found at Crossref", "cannot
reach Crossref (api.crossref.org)", "Crossref timed out", "Crossref answered with something that
is not JSON".
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .pagecache import FOLDER

APIS = {  # name: (environment variable, public base URL, name shown to people)
    "crossref": ("LABPUBS_CROSSREF_API", "https://api.crossref.org", "Crossref"),
    "arxiv": ("LABPUBS_ARXIV_API", "https://export.arxiv.org/api", "arXiv"),
    "openalex": ("LABPUBS_OPENALEX_API", "https://api.openalex.org", "OpenAlex"),
    "dblp": ("LABPUBS_DBLP_API", "https://dblp.org", "DBLP"),
    "orcid": ("LABPUBS_ORCID_API", "https://pub.orcid.org/v3.0", "ORCID"),
}
CACHE_DIR = Path(FOLDER) / "http"
RETRIES = 4  # after the first try, on 429, 5xx and timeouts
IN_FLIGHT = 3  # requests at once: the APIs' polite limits are a few per second


class FetchError(Exception):
    """A request that gave no usable answer; the message is the whole explanation."""


@dataclass(frozen=True)
class Answer:
    url: str
    text: str


def _agent(mailto: str | None) -> str:
    try:
        own = version("labpubs")
    except PackageNotFoundError:
        own = "0"
    contact = f"; mailto:{mailto}" if mailto else ""
    return f"labpubs/{own} (https://github.com/labpubs/labpubs{contact})"


class Client:
    """GET requests to the scholarly APIs, cached on disk. `mailto` is the contact address
    (the plugin's `mailto` option or `LABPUBS_MAILTO`)."""

    def __init__(
        self,
        mailto: str | None = None,
        cache_dir: Path | None = CACHE_DIR,
        timeout: float | None = None,
        retries: int = RETRIES,
    ):
        timeout = timeout or float(os.environ.get("LABPUBS_HTTP_TIMEOUT", "30"))
        self.http = httpx.Client(
            headers={"User-Agent": _agent(mailto or os.environ.get("LABPUBS_MAILTO"))},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10)),
            follow_redirects=True,
        )
        self.cache_dir, self.retries = cache_dir, retries
        self.requests = 0  # made over the network (not from the cache), for tests and the summary

    def close(self) -> None:
        self.http.close()

    @staticmethod
    def base(api: str) -> str:
        variable, default, _ = APIS[api]
        return os.environ.get(variable, default).rstrip("/")

    def get(self, api: str, path: str, params: dict | None = None) -> Answer:
        """The answer to `GET <base><path>?<params>`, from the cache when it was asked before."""
        request = self.http.build_request("GET", self.base(api) + path, params=params)
        url = str(request.url)
        cached = self._cached(url)
        if cached is not None:
            return Answer(url, cached)
        response = self._send(api, request)
        if self.cache_dir is not None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            self._cache_file(url).write_text(json.dumps({"url": url, "text": response.text}), encoding="utf-8")
        return Answer(url, response.text)

    def json(self, api: str, path: str, params: dict | None = None):
        answer = self.get(api, path, params)
        try:
            return json.loads(answer.text)
        except ValueError:
            raise FetchError(f"{APIS[api][2]} answered with something that is not JSON ({answer.url})") from None

    def xml(self, api: str, path: str, params: dict | None = None) -> ET.Element:
        answer = self.get(api, path, params)
        try:
            return ET.fromstring(answer.text)
        except ET.ParseError:
            raise FetchError(f"{APIS[api][2]} answered with something that is not XML ({answer.url})") from None

    def _send(self, api: str, request: httpx.Request) -> httpx.Response:
        name, host = APIS[api][2], urlsplit(str(request.url)).netloc
        for attempt in range(self.retries + 1):
            try:
                self.requests += 1
                response = self.http.send(request)
            except httpx.TimeoutException:
                if attempt == self.retries:
                    raise FetchError(f"{name} ({host}) did not answer in time") from None
                time.sleep(_backoff(attempt))
                continue
            except httpx.TransportError as error:
                raise FetchError(f"cannot reach {name} ({host}): {error or type(error).__name__}") from None
            if response.status_code == 200:
                return response
            if response.status_code == 404:
                raise FetchError(f"not found at {name}")
            if response.status_code != 429 and response.status_code < 500:
                raise FetchError(f"{name} refused the request ({response.status_code}): {response.text[:200].strip()}")
            if attempt == self.retries:
                raise FetchError(f"{name} is busy or failing ({response.status_code} after {attempt + 1} tries)")
            wait = _retry_after(response)
            time.sleep(_backoff(attempt) if wait is None else wait)
        raise AssertionError("unreachable")

    def _cache_file(self, url: str) -> Path:
        return self.cache_dir / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".json")

    def _cached(self, url: str) -> str | None:
        if self.cache_dir is None:
            return None
        path = self._cache_file(url)
        if path.exists():
            stored = json.loads(path.read_text(encoding="utf-8"))
            if stored.get("url") == url:
                return stored["text"]
        return None


def _backoff(attempt: int) -> float:
    return min(30.0, 0.5 * 2**attempt)


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait by the `Retry-After` header: a number of seconds or an HTTP date."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return min(float(value), 120.0)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), 120.0))
