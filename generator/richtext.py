"""Record text rendered: one walk over the text makes a small tree (text, math, styled spans),
and two backends print it, as HTML for pages and as plain Unicode for `<title>`, meta tags,
search, feeds and citations. Both read the same tree, so they cannot disagree on what a command
means (pybtex's shape: `richtext` plus `backends/html.py` and `plaintext.py`).

Math becomes MathML at build time (latex2mathml: no script, no CDN) and `∞` in plain text.
The rules of record text are in `latex`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from xml.etree import ElementTree

from latex2mathml.converter import convert as latex_to_mathml
from markupsafe import Markup, escape
from pylatexenc.latexwalker import LatexGroupNode, LatexMacroNode

from .latex import (
    CITE,
    DROP,
    KEEP,
    MACROS,
    QUOTE,
    STYLE_TAGS,
    SYMBOLS,
    chunks,
    known,
    last_argument,
    latex_to_text,
    node_text,
    prose_source,
    segments,
    walk,
)

# Text without any of these is plain already: the fast path for most titles and names.
_LATEX_HINTS = re.compile(r"[\\${}~%&#]|``|''|--|[!?]`")


@dataclass(frozen=True)
class Math:
    source: str


@dataclass(frozen=True)
class Styled:
    tag: str  # em, strong, code, u, sup, sub
    children: tuple


@lru_cache(maxsize=65536)
def parse(text: str) -> tuple:
    """Record text as a tree: strings, `Math` and `Styled` nodes."""
    out: list = []
    for is_math, source in segments(text):
        if is_math:
            out.append(Math(source))
            continue
        for is_latex, chunk in chunks(prose_source(source)):
            out += _convert(walk(chunk)) if is_latex else [chunk]
    return tuple(out)


def _convert(nodes) -> list:
    out: list = []
    nodes = list(nodes or ())
    for i, node in enumerate(nodes):
        if isinstance(node, LatexGroupNode):
            unknown = i and isinstance(nodes[i - 1], LatexMacroNode) and not known(nodes[i - 1].macroname)
            out += ["{", *_convert(node.nodelist), "}"] if unknown else _convert(node.nodelist)
        elif isinstance(node, LatexMacroNode):
            out += _macro(node)
        else:
            out.append(node_text(node))
    return out


def _macro(node) -> list:
    name, arg = node.macroname, last_argument(node)
    role = MACROS.get(name, (None,))[0]
    inner = _convert([arg]) if arg is not None else []
    if name in SYMBOLS:
        return [SYMBOLS[name]]
    if name in STYLE_TAGS:
        return [Styled(STYLE_TAGS[name], tuple(inner))]
    if role == KEEP:
        return inner
    if role == DROP:
        return [" "] if name == "hspace" else []
    if role == QUOTE:
        return ["“", *inner, "”"]
    if role == CITE:
        return ["[", *inner, "]"]
    if known(name):
        return [node_text(node)]
    return [node.latex_verbatim()]  # a command we do not know: shown as written, with its {argument}


# --- the HTML backend ---------------------------------------------------------------------------

# Symbols TeX treats as ordinary letters that latex2mathml marks as operators (<mo>), which
# browsers then pad with operator spacing: "$\infty$Bench" would read "∞ Bench".
_ORDINARY = re.compile(r"<mo>(&#x0221E;|&#x02202;|&#x02207;|&#x02205;|&#x02113;|&#x0210F;)</mo>")
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_MATHML_ELEMENTS = set(
    "math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mstyle merror mpadded mphantom "
    "mfenced menclose munder mover munderover mtable mtr mtd mlabeledtr mmultiscripts mprescripts none "
    "semantics annotation".split()
)


def _only_mathml(mathml: str) -> bool:
    """Whether latex2mathml's output is MathML elements with harmless attributes only, and nothing
    a formula's text could have smuggled in (`$\\text{<img onerror=...>}$`)."""
    if "<!" in mathml or "<?" in mathml:  # comments, CDATA, declarations: XML drops them, HTML does not
        return False
    try:
        root = ElementTree.fromstring(mathml)
    except ElementTree.ParseError:
        return False
    return all(
        element.tag.startswith(_MATHML)
        and element.tag[len(_MATHML) :] in _MATHML_ELEMENTS
        and not any(name.lower().startswith("on") or "href" in name.lower() for name in element.attrib)
        for element in root.iter()
    )


@lru_cache(maxsize=4096)
def math_to_mathml(source: str) -> str | None:
    """MathML for one inline formula, or None when latex2mathml cannot read it."""
    try:
        mathml = latex_to_mathml(source)
    except Exception:  # latex2mathml raises many kinds; a formula must never break a page
        return None
    if not _only_mathml(mathml):  # latex2mathml copies \\text{...} into <mtext> unescaped
        return None
    # the LaTeX as `alttext`: what a screen reader without MathML support reads out
    mathml = mathml.replace("<math ", f'<math alttext="{escape(source)}" ', 1)
    return _ORDINARY.sub(r'<mi mathvariant="normal">\1</mi>', mathml)


def to_html(text: str | None, links: bool = False) -> Markup:
    """Safe HTML for record text: escaped prose, MathML for `$...$`, <em>/<strong> for styles;
    with `links`, web addresses in the text become links (abstracts print code URLs)."""
    if not text:
        return Markup("")
    if not _LATEX_HINTS.search(text) and not (links and "://" in text):
        return escape(text)
    return Markup(_html(parse(text), links))


def _html(nodes, links: bool) -> str:
    out = []
    for node in nodes:
        if isinstance(node, Math):
            out.append(math_to_mathml(node.source) or str(escape(f"${node.source}$")))
        elif isinstance(node, Styled):
            out.append(f"<{node.tag}>{_html(node.children, links)}</{node.tag}>")
        else:
            out.append(_linked(node) if links else str(escape(node)))
    return "".join(out)


def _linked(text: str) -> str:
    out, pos = [], 0
    for match in _URL.finditer(text):
        url = match.group(0)
        out += [str(escape(text[pos : match.start()])), f'<a href="{escape(url)}">{escape(url)}</a>']
        pos = match.end()
    return "".join(out) + str(escape(text[pos:]))


# --- the plain-text backend ---------------------------------------------------------------------


def _math_text(source: str) -> str:
    """A formula as plain Unicode (`\\infty` -> `∞`); as written when it cannot be read."""
    if math_to_mathml(source):
        try:
            text = latex_to_text(source).strip()
            if "%s" not in text:  # pylatexenc's placeholder for a missing argument (\frac{1})
                return text
        except Exception:
            pass
    return f"${source}$"


@lru_cache(maxsize=65536)
def to_plain(text: str | None) -> str:
    """Plain Unicode for titles, meta tags and search: `$\\infty$Bench` -> `∞Bench`."""
    if not text:
        return ""
    if not _LATEX_HINTS.search(text):
        return text
    return re.sub(r"\s+", " ", _plain(parse(text))).strip()


def _plain(nodes) -> str:
    return "".join(
        _math_text(n.source) if isinstance(n, Math) else _plain(n.children) if isinstance(n, Styled) else n
        for n in nodes
    )
