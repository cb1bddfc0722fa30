"""The words labpubs adds to pages, in the site's language: Material's `theme.language`.

One small YAML table per language in `locales/` (en.yaml holds every key; another language may
leave keys out, which then read in English), chosen over gettext catalogues because a lab adds a
language by copying one file, with no compile step, and the words are few. Babel (which Material
already installs) gives what a table cannot: each language's date format and plural rules.
"""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from markupsafe import Markup, escape

LOCALES = Path(__file__).parent / "locales"


@cache
def _table(code: str) -> dict:
    path = LOCALES / f"{code}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def available() -> list[str]:
    return sorted(path.stem for path in LOCALES.glob("*.yaml"))


def _format(text: str, values: dict) -> str:
    """The phrase with its values; safe HTML when a value is (a list of links): the phrase and the
    other values are escaped around it."""
    if any(isinstance(value, Markup) for value in values.values()):
        return Markup(escape(text)).format(**values)
    return text.format(**values)


class Words:
    """The catalogue of one language: `words("venue_unknown")`, `words("more", n=3)`,
    `words.count("publications", 12)`, `words.date(day)`, `words.type("journal")`."""

    def __init__(self, language: str = "en"):
        self.language = language or "en"
        code = self.language.replace("_", "-")
        chain = [code, code.split("-")[0], "en"]
        self.table: dict = {}
        for name in reversed(chain):
            self.table.update(_table(name))
        try:
            self.locale = Locale.parse(code.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            self.locale = Locale.parse("en")

    def __call__(self, key: str, **values) -> str:
        text = self.table[key]
        if isinstance(text, dict):
            text = text.get("other", next(iter(text.values())))
        return _format(text, values)

    def pattern(self, key: str) -> str:
        """The phrase with its {names} left in, for a script to fill (labpubs.js)."""
        return self.table[key]

    def count(self, key: str, n: int, **values) -> str:
        """A phrase with a number, in the plural form the language gives that number."""
        text = self.table[key]
        if isinstance(text, dict):
            text = text.get(self.locale.plural_form(n), text.get("other"))
        return _format(text, {"n": n, **values})

    def date(self, day: datetime.date) -> str:
        return format_date(day, format="medium", locale=self.locale)

    def type(self, paper_type: str) -> str:
        return self.table["types"][paper_type]

    def link(self, kind: str) -> str:
        return self.table["links"][kind]
