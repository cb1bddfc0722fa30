"""Person names: split with bibtexparser's BibTeX name rules, shown as "First von Last, Jr",
and matched through a normalised key so "Chen, Yingfa", "Yingfa Chen" and "CHEN, Yingfa" meet."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from bibtexparser.middlewares.names import parse_single_name_into_parts
from slugify import slugify as python_slugify

from .records import ET_AL  # noqa: F401  (imported from here by the modules that read names)
from .richtext import to_plain


def _words(parts) -> str:
    """Name words joined; a word braced whole (`{C# Team}`) loses its braces: BibTeX's grouping."""
    return " ".join(p[1:-1] if p.startswith("{") and p.endswith("}") and "}" not in p[1:-1] else p for p in parts)


@dataclass(frozen=True)
class Name:
    first: tuple[str, ...]
    von: tuple[str, ...]
    last: tuple[str, ...]
    jr: tuple[str, ...]

    @property
    def display(self) -> str:
        """Reading order, braces and LaTeX gone: `{OpenBMB Team}` -> "OpenBMB Team"."""
        text = _words(self.first + self.von + self.last)
        if self.jr:
            text += ", " + _words(self.jr)
        return to_plain(text)

    @property
    def inverted(self) -> str:
        """ "von Last, Jr, First" as plain text, for reference managers (RIS)."""
        plain = lambda words: to_plain(_words(words))
        return ", ".join(part for part in (plain(self.von + self.last), plain(self.jr), plain(self.first)) if part)

    @property
    def bibtex(self) -> str:
        """BibTeX's unambiguous "von Last, Jr, First" form."""
        last = " ".join(self.von + self.last)
        parts = [last] + ([" ".join(self.jr)] if self.jr else []) + ([" ".join(self.first)] if self.first else [])
        return ", ".join(parts)

    @property
    def family(self) -> str:
        return to_plain(" ".join(self.last))


@cache
def parse_name(text: str) -> Name:
    """Split one author name as BibTeX does ("Last, First", "First Last", "von Last, Jr, First")."""
    parts = parse_single_name_into_parts(text, strict=False)
    return Name(tuple(parts.first), tuple(parts.von), tuple(parts.last), tuple(parts.jr))


def fold(text: str) -> str:
    """Lower-case ASCII-ish form for matching and slugs: accents, case, dots and braces gone."""
    text = unicodedata.normalize("NFKD", to_plain(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\s.{}~-]+", " ", text).strip()


@cache
def name_key(text: str) -> str:
    """The key two spellings of one person share: "Chen, Yingfa" and "Yingfa Chen" -> "yingfa chen"."""
    return fold(parse_name(text).display)


@cache  # a pure function of the text, and a rebuild slugs every author's name again
def slugify(text: str) -> str:
    """URL-safe lower-case ASCII slug, every script transliterated (python-slugify with
    text-unidecode: `Łukasz Ærø` -> lukasz-aero, `Иван Иванов` -> ivan-ivanov, `韩放达` -> han-fang-da);
    empty only when nothing readable is left (the caller falls back)."""
    return python_slugify(to_plain(text).replace("{", "").replace("}", ""))
