"""Record text to HTML, to plain text and to LaTeX source.

Record text is Unicode with a little inline LaTeX, as listings and .bib files write it:
`$\\infty$Bench`, `\\textit{duplex models}`, ``` ``quotes'' ```, `0.05\\%`, `{M}amba`. The rules:

- `$...$` is math (pandoc's rule: no space just inside the dollars, no digit right after the
  closing one), so "costs $5 and $6" stays text. On a page math becomes MathML at build time
  (latex2mathml: no script, no CDN); in `<title>`, meta tags and search it becomes plain Unicode.
- A LaTeX command and its braced arguments mean what LaTeX means (`\\textit{x}`, `\\"{u}`).
- Braces around words (`{M}amba`, `{RNN}`, `{Large Language Models}`) protect case, as in
  BibTeX, and do not show; a brace that wraps no words (`{{ 7*7 }}`, a lone `{`) is a literal
  character and shows as written.
- A bare `%`, `&`, `#` or `~` is literal text: an abstract that says "50% faster" is never cut
  short by a LaTeX comment.

`latex_source()` applies these rules once, giving LaTeX that every output is made from.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from latex2mathml.converter import convert as latex_to_mathml
from markupsafe import Markup, escape
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexwalker import get_default_latex_context_db
from pylatexenc.latexwalker import (LatexCharsNode, LatexGroupNode, LatexMacroNode,
                                   LatexMathNode, LatexSpecialsNode, LatexWalker)

logging.getLogger("pylatexenc").setLevel(logging.ERROR)

# Text without any of these is plain already: the fast path for most titles and names.
_LATEX_HINTS = re.compile(r"[\\${}~%&#]|``|''|--")
_MATH = re.compile(r"(?<![\\$])\$(?![\s$])((?:\\.|[^\\$])+?)(?<![\s\\])\$(?!\d)")
_MACRO_BEFORE = re.compile(r"\\(?:[A-Za-z]+|['`^\"~=.])\s*$")  # commands that take arguments
_WORD = r"(?:\\.|[^\s*=<>|%$~^\"`#@\\])+"
_WORDS = re.compile(f"{_WORD}(?: {_WORD})*")  # what protection braces may wrap
_LITERAL = {"%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "~": r"\textasciitilde{}", "{": r"\{", "}": r"\}"}
_STYLES = {"textit": "em", "emph": "em", "textsl": "em", "textbf": "strong", "texttt": "code", "underline": "u"}

_to_text = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


def balanced(text: str) -> bool:
    """Whether the unescaped braces of LaTeX source pair up."""
    depth, i = 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0


def segments(text: str):
    """Yield (is_math, source) pieces of record text; math without its dollars. A formula whose
    braces do not pair is no formula (LaTeX would fail on it): its dollars are text."""
    pos = 0
    for match in _MATH.finditer(text):
        if not balanced(match.group(1)):
            continue
        if match.start() > pos:
            yield False, text[pos : match.start()]
        yield True, match.group(1)
        pos = match.end()
    if pos < len(text):
        yield False, text[pos:]


_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.S)


def _literal_braces(prose: str) -> set[int]:
    """Positions of braces that are text, not LaTeX: unpaired ones and groups that are
    neither a command's argument nor around words (case protection)."""
    literal, stack, pairs, args = set(), [], [], set()
    for match in _BRACE_OR_ESCAPE.finditer(prose):
        c, i = match.group(0), match.start()
        if c == "{":
            stack.append(i)
        elif c == "}":
            if stack:
                pairs.append((stack.pop(), i))
            else:
                literal.add(i)
    literal.update(stack)
    for start, end in sorted(pairs, key=lambda pair: pair[1] - pair[0]):  # inner groups first
        before = prose[max(0, start - 64) : start]  # a command name is short: look just behind
        if _MACRO_BEFORE.search(before) or (start and start - 1 in args):
            args.add(end)
        elif not _WORDS.fullmatch(prose[start + 1 : end]) or any(start < i < end for i in literal):
            literal.update((start, end))
    return literal


_SPECIAL = re.compile(r"\\.|\\$|[%&#$~{}]", re.S)


@lru_cache(maxsize=32768)
def prose_source(prose: str) -> str:
    """LaTeX for a piece of prose (no math): literal characters escaped, commands kept."""
    if not _SPECIAL.search(prose):
        return prose
    literal = _literal_braces(prose) if "{" in prose or "}" in prose else ()

    def escape_one(match: re.Match) -> str:
        token = match.group(0)
        if token[0] == "\\":
            return token if len(token) == 2 else r"\textbackslash{}"  # a command, or a trailing lone \
        if token in "{}":
            return _LITERAL[token] if match.start() in literal else token
        return _LITERAL[token]

    return _SPECIAL.sub(escape_one, prose)


_CONTEXT = get_default_latex_context_db()  # built once: pylatexenc otherwise rebuilds it per walker


def _nodes(source: str):
    return LatexWalker(source, latex_context=_CONTEXT, tolerant_parsing=True).get_latex_nodes()[0]


# pylatexenc reads LaTeX one character at a time (~3 µs each): a 200-word abstract costs ~6 ms.
# So text is cut at top-level white space into chunks, and only chunks with a command, a
# group or math go to pylatexenc; the rest is typeset here with the same results.
_PIECES = re.compile(r"\s+|\S+")
_OPEN, _CLOSE, _DOLLAR = re.compile(r"(?<!\\)\{"), re.compile(r"(?<!\\)\}"), re.compile(r"(?<!\\)\$")
_CONTROL_WORD_END = re.compile(r"\\(?:[A-Za-z]+|['`^\"~=.])$")  # a command that takes the next word
_NEEDS_WALKER = re.compile(r"\\(?![%&#_${}])|(?<!\\)[{}$]")
_SIMPLE_ESCAPE = re.compile(r"\\([%&#_${}])")
_LIGATURES = (("---", "—"), ("--", "–"), ("!`", "¡"), ("?`", "¿"), ("``", "“"), ("''", "”"), ("~", "\u00a0"))


def _chunks(source: str):
    """Yield (needs_walker, chunk): runs of plain text, and pieces of LaTeX that can be read
    on their own (cut at white space outside groups and math, never after a command name)."""
    pos = 0
    while True:
        trigger = _NEEDS_WALKER.search(source, pos)
        if not trigger:
            if pos < len(source):
                yield False, source[pos:]
            return
        start = max(source.rfind(" ", pos, trigger.start()), source.rfind("\n", pos, trigger.start())) + 1
        start = max(start, pos)
        if start > pos:
            yield False, source[pos:start]
        end, depth, math = start, 0, False
        for piece in _PIECES.finditer(source, start):
            text = piece.group(0)
            if text[0].isspace():
                if depth <= 0 and not math and not _CONTROL_WORD_END.search(source, start, piece.start()):
                    break
            else:
                depth += len(_OPEN.findall(text)) - len(_CLOSE.findall(text))
                math ^= len(_DOLLAR.findall(text)) % 2 == 1
            end = piece.end()
        yield True, source[start:end]
        pos = end


def _typeset(chunk: str, keep: str = "") -> str:
    """A chunk without commands, groups or math, as pylatexenc would read it; `keep` names the
    escaped characters to leave escaped."""
    for latex, text in _LIGATURES:
        chunk = chunk.replace(latex, text)
    return _SIMPLE_ESCAPE.sub(lambda m: m.group(0) if m.group(1) in keep else m.group(1), chunk)


def _nodes_html(nodes) -> str:
    out = []
    for node in nodes or ():
        if isinstance(node, LatexMacroNode) and node.macroname in _STYLES and node.nodeargd and node.nodeargd.argnlist:
            tag = _STYLES[node.macroname]
            inner = "".join(_nodes_html([arg]) for arg in node.nodeargd.argnlist if arg is not None)
            out.append(f"<{tag}>{inner}</{tag}>")
        elif isinstance(node, LatexGroupNode):
            out.append(_nodes_html(node.nodelist))
        else:
            out.append(str(escape(_node_text(node))))
    return "".join(out)


def _node_text(node) -> str:
    try:
        return _to_text.nodelist_to_text([node])
    except Exception:  # pylatexenc trips on some malformed commands: show them as written
        return node.latex_verbatim()


# Symbols TeX treats as ordinary letters that latex2mathml marks as operators (<mo>), which
# browsers then pad with operator spacing: "$\infty$Bench" would read "∞ Bench".
_ORDINARY = re.compile(r"<mo>(&#x0221E;|&#x02202;|&#x02207;|&#x02205;|&#x02113;|&#x0210F;)</mo>")


@lru_cache(maxsize=4096)
def math_to_mathml(source: str) -> str | None:
    """MathML for one inline formula, or None when latex2mathml cannot read it."""
    try:
        mathml = latex_to_mathml(source)
    except Exception:  # latex2mathml raises many kinds; a formula must never break a page
        return None
    return _ORDINARY.sub(r'<mi mathvariant="normal">\1</mi>', mathml)


def to_html(text: str | None) -> Markup:
    """Safe HTML for record text: escaped prose, MathML for `$...$`, <em>/<strong> for styles."""
    if not text:
        return Markup("")
    if not _LATEX_HINTS.search(text):
        return escape(text)
    out = []
    for is_math, source in segments(text):
        if is_math:
            out.append(math_to_mathml(source) or str(escape(f"${source}$")))
        else:
            for walk, chunk in _chunks(prose_source(source)):
                out.append(_nodes_html(_nodes(chunk)) if walk else str(escape(_typeset(chunk))))
    return Markup("".join(out))


def _math_text(source: str) -> str:
    """A formula as plain Unicode (`\\infty` -> `∞`); as written when it cannot be read."""
    if math_to_mathml(source):
        try:
            text = _to_text.latex_to_text(source).strip()
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
    out = []
    for is_math, source in segments(text):
        if is_math:
            out.append(_math_text(source))
        else:
            for walk, chunk in _chunks(prose_source(source)):
                out.extend(map(_node_text, _nodes(chunk)) if walk else [_typeset(chunk)])
    return re.sub(r"\s+", " ", "".join(out)).strip()


# ---------------------------------------------------------------------------------------------
# LaTeX (a BibTeX value) to record text: the importer's decoder, the inverse of prose_source.

_ACCENTS = set("'`^\"~=.") | {"c", "v", "u", "H", "k", "r", "d", "b", "t"}
_SYMBOLS = {
    "O", "o", "ss", "ae", "AE", "oe", "OE", "aa", "AA", "l", "L", "i", "j", "dh", "DH", "th", "TH",
    "ng", "NG", "&", "%", "_", "#", "textendash", "textemdash", "textquoteleft", "textquoteright",
    "textquotedblleft", "textquotedblright", "ldots", "dots", "textellipsis", "textcopyright",
    "textregistered", "texttrademark", "textdegree", "textbullet", "textasciitilde",
    "guillemotleft", "guillemotright", "textexclamdown", "textquestiondown", "texteuro",
}
# Symbols pylatexenc has no text for, and the literal characters that must stay escaped in records.
_OWN_SYMBOLS = {"S": "§", "P": "¶", "SS": "SS", "copyright": "©", "pounds": "£", "euro": "€",
                "textasciicircum": "^", "textbraceleft": "\\{", "textbraceright": "\\}"}
_KEPT_STYLES = set(_STYLES) | {"textsc", "textsuperscript", "textsubscript", "textrm", "textsf", "mbox"}
_DECODE_HINTS = re.compile(r"[\\{}$~%]|[!?`]`|''|--")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_SPACES = re.compile(r"[ \t\r\n]+")  # not str.split(): a tie (~) decodes to a no-break space that stays


def from_latex(value: str) -> str:
    """Record text from a BibTeX value: accents and specials become Unicode (`J{\\"o}rg` -> `Jörg`,
    `--` -> `–`), math stays `$...$`, case-protecting braces and style commands stay, unknown
    commands are kept as written, and white space is collapsed as BibTeX does."""
    if _DECODE_HINTS.search(value):
        value = _BARE_PERCENT.sub(r"\\%", value)  # a bare % in a .bib value means a percent sign
        value = "".join(_decode(_nodes(chunk)) if walk else _typeset(chunk, keep="${}")
                        for walk, chunk in _chunks(value))
    return _SPACES.sub(" ", value).strip()


def _decode(nodes) -> str:
    out = []
    for node in nodes or ():
        if isinstance(node, LatexCharsNode):
            out.append(node.chars)
        elif isinstance(node, LatexMathNode):
            verbatim = node.latex_verbatim()
            closed = verbatim.endswith(node.delimiters[1]) and len(verbatim) > len("".join(node.delimiters))
            # a lone \[ or \( is not math: keep it as written
            out.append("$" + "".join(n.latex_verbatim() for n in node.nodelist) + "$" if closed else verbatim)
        elif isinstance(node, LatexGroupNode):
            out.append(_decode_group(node))
        elif isinstance(node, LatexMacroNode):
            out.append(_decode_macro(node))
        elif isinstance(node, LatexSpecialsNode):
            out.append(_node_text(node) if node.specials_chars != "&" else "&")
        else:
            out.append(node.latex_verbatim())
    return "".join(out)


def _decode_group(node) -> str:
    nodes = [n for n in node.nodelist if not (isinstance(n, LatexGroupNode) and not n.nodelist)]  # \ss{}
    if len(nodes) == 1 and isinstance(nodes[0], LatexMacroNode) and _is_character(nodes[0]):
        return _decode_macro(nodes[0])  # {\"u}, {\O}, {\ss{}}: braces that only hold one character
    inner = _decode(node.nodelist)
    if not inner:
        return ""
    if _WORDS.fullmatch(inner):
        return "{" + inner + "}"
    escaped = re.sub(r"(?<!\\)([%&#])", r"\\\1", inner)  # `{\% of {A}}` protects: keep it so
    return "{" + escaped + "}" if _WORDS.fullmatch(escaped) else inner


def _is_character(node) -> bool:
    return node.macroname in _ACCENTS or node.macroname in _SYMBOLS or node.macroname in _OWN_SYMBOLS


def _accent_target(node) -> str | None:
    """The one letter an accent command sits on (`\\'e`, `\\'{e}`), `""` for `\\^{}`, else None."""
    args = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
    arg = args[-1] if args else None
    if isinstance(arg, LatexGroupNode):
        inner = "".join(n.latex_verbatim() for n in arg.nodelist)
        return inner if inner == "" or (len(inner) == 1 and inner.isalpha()) or inner in ("\\i", "\\j") else None
    if isinstance(arg, LatexCharsNode):
        return arg.chars if len(arg.chars) == 1 and arg.chars.isalpha() else None
    if isinstance(arg, LatexMacroNode) and arg.macroname in ("i", "j"):
        return "\\" + arg.macroname
    return None


def _decode_macro(node) -> str:
    name = node.macroname
    if name in _OWN_SYMBOLS:
        return _OWN_SYMBOLS[name]
    if name in _ACCENTS:
        target = _accent_target(node)
        if target == "" and name in "^~":
            return name  # TeX's way to write ^ and ~ themselves
        if not target or (name == "t"):  # an accent over a formula or several letters: keep the TeX
            return node.latex_verbatim()
        return _node_text(node)
    if name in _SYMBOLS:
        return _node_text(node)
    if name == "ensuremath" and node.nodeargd and node.nodeargd.argnlist and node.nodeargd.argnlist[-1] is not None:
        math = node.nodeargd.argnlist[-1].latex_verbatim().strip("{}")
        try:
            symbol = _to_text.latex_to_text(math).strip()
        except Exception:  # pylatexenc trips on some commands (\sqrt{} empty): keep the formula
            symbol = ""
        return symbol if symbol and "\\" not in symbol and not symbol.isascii() else f"${math}$"
    if name in _KEPT_STYLES and node.nodeargd and node.nodeargd.argnlist and node.nodeargd.argnlist[-1] is not None:
        arg = node.nodeargd.argnlist[-1]
        inner = _decode(arg.nodelist) if isinstance(arg, LatexGroupNode) else _decode([arg])
        return f"\\{name}{{{inner}}}"
    return node.latex_verbatim()  # \$, \{, \}, \url{...}, \cite{...} and commands we do not know
