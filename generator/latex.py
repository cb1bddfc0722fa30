"""Record text and LaTeX: the rules of record text, the LaTeX source it stands for, and the
decoder that turns a BibTeX value into record text. `richtext` renders record text (HTML, plain
text) and `bibtex` writes it, both from `prose_source`; the importer reads with `from_latex`.

Record text is Unicode with a little inline LaTeX, as listings and .bib files write it:
`$\\infty$Bench`, `\\textit{duplex models}`, ``` ``quotes'' ```, `0.05\\%`, `{M}amba`. The rules:

- `$...$` is math (pandoc's rule: no space just inside the dollars, no digit right after the
  closing one), so "costs $5 and $6" stays text.
- A LaTeX command and its braced arguments mean what LaTeX means (`\\textit{x}`, `\\"{u}`);
  layout commands show their text only (`\\raisebox{-0.5ex}{x}` is x), `\\enquote{x}` is “x”, and a
  command labpubs does not know is shown as written, never silently dropped.
- Braces around words (`{M}amba`, `{RNN}`, `{Large Language Models}`) protect case, as in
  BibTeX, and do not show; a brace that wraps no words (`{{ 7*7 }}`, a lone `{`) is a literal
  character and shows as written.
- A bare `%`, `&`, `#` or `~` is literal text: an abstract that says "50% faster" is never cut
  short by a LaTeX comment. A `\\n` before letters that make no command LaTeX knows
  (`to\\nRank`, `Deep\\nlearning`, pasted from JSON) is a line break: a space.

Why one module of ~480 lines: the rules above, the command table and the decoder are one
definition of record text; most of the length is the tables (commands, symbols, accents).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latex2text import get_default_latex_context_db as text_context_db
from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexMathNode,
    LatexSpecialsNode,
    LatexWalker,
    get_default_latex_context_db,
)
from pylatexenc.macrospec import MacroSpec

logging.getLogger("pylatexenc").setLevel(logging.ERROR)

MATH = re.compile(r"(?<![\\$])\$(?![\s$])((?:\\.|[^\\$])+?)(?<![\s\\])\$(?!\d)")
_MACRO_BEFORE = re.compile(r"\\(?:[A-Za-z]+|['`^\"~=.])\s*$")  # commands that take arguments
_WORD = r"(?:\\.|[^\s*=<>|%$~^\"`#@\\])+"
WORDS = re.compile(f"{_WORD}(?: {_WORD})*")  # what protection braces may wrap
_LITERAL = {"%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "~": r"\textasciitilde{}", "{": r"\{", "}": r"\}"}

# What each command means beyond what pylatexenc knows, for every output: a style (an HTML tag),
# KEEP (show its last argument: layout and font commands), DROP (spacing, colour: show nothing),
# QUOTE (csquotes' \enquote) or CITE (shown as [key]). Argument specs as pylatexenc writes them.
KEEP, DROP, QUOTE, CITE = "keep", "drop", "quote", "cite"
MACROS = {
    "textit": ("em", "{"),
    "emph": ("em", "{"),
    "textsl": ("em", "{"),
    "textbf": ("strong", "{"),
    "texttt": ("code", "{"),
    "underline": ("u", "{"),
    "textsuperscript": ("sup", "{"),
    "textsubscript": ("sub", "{"),
    "mbox": (KEEP, "{"),
    "text": (KEEP, "{"),
    "textrm": (KEEP, "{"),
    "textsf": (KEEP, "{"),
    "textup": (KEEP, "{"),
    "textmd": (KEEP, "{"),
    "textnormal": (KEEP, "{"),
    "fbox": (KEEP, "{"),
    "raisebox": (KEEP, "{[[{"),
    "scalebox": (KEEP, "{[{"),
    "resizebox": (KEEP, "*{{{"),
    "makebox": (KEEP, "[[{"),
    "framebox": (KEEP, "[[{"),
    "textcolor": (KEEP, "[{{"),
    "colorbox": (KEEP, "[{{"),
    "fcolorbox": (KEEP, "[{{{"),
    "smash": (KEEP, "[{"),
    "hspace": (DROP, "*{"),
    "vspace": (DROP, "*{"),
    "color": (DROP, "[{"),
    "phantom": (DROP, "{"),
    "hphantom": (DROP, "{"),
    "vphantom": (DROP, "{"),
    "label": (DROP, "{"),
    "xspace": (DROP, ""),
    "enquote": (QUOTE, "*{"),
    "cite": (CITE, "*[[{"),
    "citep": (CITE, "*[[{"),
    "citet": (CITE, "*[[{"),
    "citealp": (CITE, "*[[{"),
}
STYLE_TAGS = {name: role for name, (role, _) in MACROS.items() if role not in (KEEP, DROP, QUOTE, CITE)}

_to_text = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
_TEXT_CONTEXT = text_context_db()
_CONTEXT = get_default_latex_context_db()  # built once: pylatexenc otherwise rebuilds it per walker
_CONTEXT.add_context_category(
    "labpubs", prepend=True, macros=[MacroSpec(name, spec) for name, (_, spec) in MACROS.items()]
)


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
    for match in MATH.finditer(text):
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
        elif not WORDS.fullmatch(prose[start + 1 : end]) or any(start < i < end for i in literal):
            literal.update((start, end))
    return literal


_SPECIAL = re.compile(r"\\.|\\$|[%&#$~{}]", re.S)
_NEWLINE = re.compile(r"(?<!\\)((?:\\\\)*)\\(n[A-Za-z]*)")
# LaTeX's own commands that start with n and that pylatexenc's tables lack
_N_COMMANDS = {"newline", "noindent", "nobreak", "normalsize", "normalfont", "newpage", "nocite", "nopagebreak"}
_URL_ESCAPE = re.compile(r"\\([_&%#$~])(\{\})?|\\(?:textasciitilde|textunderscore)\b(\{\})?\s?")


def unescape_url(text: str) -> str:
    """A link or id as it is, from the escapes .bib files put in it (DBLP and ADS write `\\_`,
    `\\&`, `\\%`, `\\#`, `\\~{}` or `\\textasciitilde` inside `\\url{...}` and DOIs)."""
    if "\\" not in text:
        return text
    return _URL_ESCAPE.sub(lambda m: m.group(1) or ("~" if "tilde" in m.group(0) else "_"), text)


def _line_breaks(text: str) -> str:
    """A `\\n` pasted from JSON or a program (`Deep\\nlearning`) is a line break, not a command:
    `\\n` followed by letters that make no command LaTeX knows (`\\nu`, `\\newline` stay)."""
    if "\\n" not in text:
        return text

    def one(match: re.Match) -> str:
        word = match.group(2)
        return match.group(0) if known(word) or word in _N_COMMANDS else f"{match.group(1)} {word[1:]}"

    return "".join(f"${source}$" if is_math else _NEWLINE.sub(one, source) for is_math, source in segments(text))


@lru_cache(maxsize=32768)
def prose_source(prose: str) -> str:
    """LaTeX for a piece of prose (no math): literal characters escaped, commands kept."""
    if not _SPECIAL.search(prose):
        return prose
    prose = _line_breaks(prose)
    literal = _literal_braces(prose) if "{" in prose or "}" in prose else ()

    def escape_one(match: re.Match) -> str:
        token = match.group(0)
        if token[0] == "\\":
            return token if len(token) == 2 else r"\textbackslash{}"  # a command, or a trailing lone \
        if token in "{}":
            return _LITERAL[token] if match.start() in literal else token
        return _LITERAL[token]

    return _SPECIAL.sub(escape_one, prose)


def walk(source: str):
    """pylatexenc's nodes for a piece of LaTeX."""
    return LatexWalker(source, latex_context=_CONTEXT, tolerant_parsing=True).get_latex_nodes()[0]


# pylatexenc reads LaTeX one character at a time (~3 µs each): a 200-word abstract costs ~6 ms.
# So text is cut at top-level white space into chunks, and only chunks that hold any LaTeX go to
# pylatexenc; the others are plain text as they are.
_PIECES = re.compile(r"\s+|\S+")
_OPEN, _CLOSE, _DOLLAR = re.compile(r"(?<!\\)\{"), re.compile(r"(?<!\\)\}"), re.compile(r"(?<!\\)\$")
_CONTROL_WORD_END = re.compile(r"\\(?:[A-Za-z]+|['`^\"~=.])$")  # a command that takes the next word
_NEEDS_WALKER = re.compile(r"[\\{}$~]|``|''|--|[!?]`")


def chunks(source: str):
    """Yield (is_latex, chunk): runs of plain text, and pieces of LaTeX that can be read on their
    own (cut at white space outside groups and math, never after a command name)."""
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


def node_text(node) -> str:
    """pylatexenc's plain text for one node; the node as written when pylatexenc cannot read it."""
    try:
        return _to_text.nodelist_to_text([node])
    except Exception:  # pylatexenc trips on some malformed commands
        return node.latex_verbatim()


def latex_to_text(source: str) -> str:
    """Plain text for a formula's LaTeX (`\\infty` -> `∞`), by pylatexenc; raises when it cannot."""
    return _to_text.latex_to_text(source)


def known(name: str) -> bool:
    """Whether pylatexenc or our table knows what a command shows."""
    return name in MACROS or _TEXT_CONTEXT.get_macro_spec(name) is not None


def last_argument(node):
    args = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
    return args[-1] if args else None


# ---------------------------------------------------------------------------------------------
# LaTeX (a BibTeX value) to record text: the importer's decoder, the inverse of prose_source.

_ACCENTS = set("'`^\"~=.") | {"c", "v", "u", "H", "k", "r", "d", "b", "t"}
_SYMBOLS = {
    "O",
    "o",
    "ss",
    "ae",
    "AE",
    "oe",
    "OE",
    "aa",
    "AA",
    "l",
    "L",
    "i",
    "j",
    "dh",
    "DH",
    "th",
    "TH",
    "ng",
    "NG",
    "&",
    "%",
    "_",
    "#",
    "textendash",
    "textemdash",
    "textquoteleft",
    "textquoteright",
    "textquotedblleft",
    "textquotedblright",
    "ldots",
    "dots",
    "textellipsis",
    "textcopyright",
    "textregistered",
    "texttrademark",
    "textdegree",
    "textbullet",
    "textasciitilde",
    "guillemotleft",
    "guillemotright",
    "textexclamdown",
    "textquestiondown",
    "texteuro",
}
# Symbols pylatexenc has no text for (every output), and the literal characters that must stay
# escaped in records (the decoder only).
SYMBOLS = {
    "S": "§",
    "P": "¶",
    "SS": "SS",
    "copyright": "©",
    "pounds": "£",
    "euro": "€",
    "rq": "’",
    "lq": "‘",
    "@": "",
    "/": "",
}
# Combining accents and the LaTeX accent command that writes each (`h` + U+0304 -> `\\={h}`)
COMBINING_ACCENTS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0323": "d",
    "\u0327": "c",
    "\u0328": "k",
    "\u0331": "b",
}


def _math_symbols() -> dict[str, str]:
    """Characters that pylatexenc reads from a math command (`\\hbar` -> ħ), as `\\ensuremath{...}`:
    how the BibTeX writer spells a Greek letter or math symbol that pdflatex cannot set as text."""
    table: dict[str, str] = {}
    for spec in _TEXT_CONTEXT.iter_macro_specs(categories=["latex-base", "advanced-symbols"]):
        char, name = getattr(spec, "simplify_repl", None), spec.macroname
        if isinstance(char, str) and len(char) == 1 and _mathematical(char) and name.isalpha() and name[:4] != "text":
            table.setdefault(char, f"\\ensuremath{{\\{spec.macroname}}}")
    return table


def _mathematical(char: str) -> bool:
    """A math symbol (∞, ∼, ≤), a Greek letter (α, Ω) or a letterlike symbol (ℓ, ℝ, ħ): not text
    of another script (Cyrillic has text commands, `\\cyrp`, that are no math)."""
    return (
        unicodedata.category(char) == "Sm"
        or unicodedata.name(char, "").startswith("GREEK")
        or "\u2100" <= char <= "\u214f"
        or char == "ħ"
    )


MATH_SYMBOLS = _math_symbols()
_OWN_SYMBOLS = {**SYMBOLS, "textasciicircum": "^", "textbraceleft": "\\{", "textbraceright": "\\}"}
_KEPT_STYLES = set(STYLE_TAGS) | {"textsc", "textrm", "textsf", "mbox"}
_DECODE_HINTS = re.compile(r"[\\{}$~%]|[!?]`|``|''|--")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_SPACES = re.compile(r"[ \t\r\n]+")  # not str.split(): a tie (~) decodes to a no-break space that stays


@lru_cache(maxsize=65536)  # names repeat across a file: each spelling is decoded once
def from_latex(value: str) -> str:
    """Record text from a BibTeX value: accents and specials become Unicode (`J{\\"o}rg` -> `Jörg`,
    `--` -> `–`, `\\enquote{x}` -> `“x”`), math stays `$...$`, case-protecting braces and style
    commands stay, layout commands leave their text, unknown commands are kept as written, and
    white space is collapsed as BibTeX does."""
    if _DECODE_HINTS.search(value):
        value = _BARE_PERCENT.sub(r"\\%", value)  # a bare % in a .bib value means a percent sign
        value = _line_breaks(value)
        value = "".join(_decode(walk(chunk)) if is_latex else chunk for is_latex, chunk in chunks(value))
    return _SPACES.sub(" ", value).strip()


def _decode(nodes, nested: bool = False) -> str:
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
            out.append(_decode_group(node, nested))
        elif isinstance(node, LatexMacroNode):
            out.append(_decode_macro(node))
        elif isinstance(node, LatexSpecialsNode):
            out.append(node_text(node) if node.specials_chars != "&" else "&")
        else:
            out.append(node.latex_verbatim())
    return "".join(out)


def _decode_group(node, nested: bool = False) -> str:
    nodes = [n for n in node.nodelist if not (isinstance(n, LatexGroupNode) and not n.nodelist)]  # \ss{}
    if (
        len(nodes) == 1
        and isinstance(nodes[0], LatexMacroNode)
        and _is_character(nodes[0])
        and not (nested and nodes[0].macroname in "&%_#")
    ):
        return _decode_macro(nodes[0])  # {\"u}, {\O}, {\&}: braces that only hold one character
    inner = _decode(node.nodelist, nested=True)
    if not inner:
        return ""
    if WORDS.fullmatch(inner):
        return "{" + inner + "}"
    escaped = re.sub(r"(?<!\\)([%&#])", r"\\\1", inner)  # `{\% of {A}}` protects: keep it so
    return "{" + escaped + "}" if WORDS.fullmatch(escaped) else inner


def _is_character(node) -> bool:
    return node.macroname in _ACCENTS or node.macroname in _SYMBOLS or node.macroname in _OWN_SYMBOLS


def _accent_target(node) -> str | None:
    """The one letter an accent command sits on (`\\'e`, `\\'{e}`), `""` for `\\^{}`, else None."""
    arg = last_argument(node)
    if isinstance(arg, LatexGroupNode):
        inner = "".join(n.latex_verbatim() for n in arg.nodelist)
        return inner if inner == "" or (len(inner) == 1 and inner.isalpha()) or inner in ("\\i", "\\j") else None
    if isinstance(arg, LatexCharsNode):
        return arg.chars if len(arg.chars) == 1 and arg.chars.isalpha() else None
    if isinstance(arg, LatexMacroNode) and arg.macroname in ("i", "j"):
        return "\\" + arg.macroname
    return None


def _argument_source(arg) -> str:
    return _decode(arg.nodelist) if isinstance(arg, LatexGroupNode) else _decode([arg])


def _decode_macro(node) -> str:
    name, arg = node.macroname, last_argument(node)
    role = MACROS.get(name, (None,))[0]
    if name in _OWN_SYMBOLS:
        return _OWN_SYMBOLS[name]
    if name in _ACCENTS:
        target = _accent_target(node)
        if target == "" and name in "^~":
            return name  # TeX's way to write ^ and ~ themselves
        if not target or (name == "t"):  # an accent over a formula or several letters: keep the TeX
            return node.latex_verbatim()
        return node_text(node)
    if name in _SYMBOLS:
        return node_text(node)
    if name == "ensuremath" and arg is not None:
        return _decode_ensuremath(arg.latex_verbatim().strip("{}"))
    if name == "url" and isinstance(arg, LatexGroupNode):  # the record holds the link as it is
        return "\\url{" + unescape_url("".join(n.latex_verbatim() for n in arg.nodelist)) + "}"
    if role in (KEEP, DROP, QUOTE) and name not in _KEPT_STYLES:
        inner = _argument_source(arg) if arg is not None and role != DROP else ""
        return f"“{inner}”" if role == QUOTE else inner
    if name in _KEPT_STYLES and arg is not None:
        return f"\\{name}{{{_argument_source(arg)}}}"
    return node.latex_verbatim()  # \$, \{, \}, \url{...}, \cite{...} and commands we do not know


def _decode_ensuremath(math: str) -> str:
    """`\\ensuremath{\\alpha}` as the character when it is one (α), else as `$...$` math."""
    try:
        symbol = latex_to_text(math).strip()
    except Exception:  # pylatexenc trips on some commands (\sqrt{} empty): keep the formula
        symbol = ""
    return symbol if symbol and "\\" not in symbol and not symbol.isascii() else f"${math}$"
