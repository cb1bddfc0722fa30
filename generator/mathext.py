"""`$...$` math in hand-written Markdown pages, as MathML at build time, by the same rules as
record text (pandoc's: no space inside the dollars, no digit after the closing one)."""

from __future__ import annotations

from markdown import Extension
from markdown.inlinepatterns import InlineProcessor

from .latex import MATH, balanced
from .richtext import math_to_mathml


class _MathPattern(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 (Python-Markdown's name)
        mathml = math_to_mathml(m.group(1)) if balanced(m.group(1)) else None
        if mathml is None:
            return None, None, None  # not a formula we can read: leave the text as it is
        return self.md.htmlStash.store(mathml), m.start(0), m.end(0)


class MathExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802
        # above emphasis (so `$a_b$` is not italics), below code spans (so `$x$` in code stays)
        md.inlinePatterns.register(_MathPattern(MATH.pattern, md), "labpubs-math", 185)


def makeExtension(**kwargs):  # noqa: N802 (Python-Markdown's name: `markdown_extensions: [generator.mathext]`)
    return MathExtension(**kwargs)
