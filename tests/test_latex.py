"""Record text to HTML and plain text: math, LaTeX styles, literal specials, escaping."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from generator.richtext import to_html, to_plain


@pytest.mark.parametrize(
    "text, plain",
    [
        (r"$\infty$Bench: Extending", "∞Bench: Extending"),
        (r"up to $2.8\times$ over", "up to 2.8× over"),
        (r"we adapt \textit{duplex models} so", "we adapt duplex models so"),
        (r"merely 0.05\% deviation", "merely 0.05% deviation"),
        (r"the ``emergent abilities''", "the “emergent abilities”"),
        ("feedback. % such as in response. Specifically, we", "feedback. % such as in response. Specifically, we"),
        ("50% faster & cheaper #1", "50% faster & cheaper #1"),
        (r"J{\"o}rg M\"uller and {\c{c}}a {\O}", "Jörg Müller and ça Ø"),
        ("{M}amba and {RNN}s", "Mamba and RNNs"),
        ("{{ 7*7 }} and {Large Language Models}", "{{ 7*7 }} and Large Language Models"),
        ("a { b", "a { b"),
        ("costs $5 and $6", "costs $5 and $6"),
        ("~3x faster, x_i and a^b", "~3x faster, x_i and a^b"),
        ("*state collapse*", "*state collapse*"),
        ("Plain title", "Plain title"),
    ],
)
def test_plain_text(text, plain):
    assert to_plain(text) == plain


def test_html_escapes_markup_and_keeps_math():
    html = to_html(r"<script>alert(1)</script> $\infty$ \textbf{bold} & <b>")
    soup = BeautifulSoup(f"<p>{html}</p>", "html.parser")
    assert soup.find("script") is None and soup.find("b") is None
    assert soup.find("math") is not None and soup.find("strong").get_text() == "bold"
    assert soup.get_text() == "<script>alert(1)</script> ∞ bold & <b>"


def test_infinity_is_an_ordinary_symbol_not_a_spaced_operator():
    soup = BeautifulSoup(str(to_html(r"$\infty$Bench")), "html.parser")
    assert soup.find("mi").get_text() == "∞" and soup.find("mo") is None


@pytest.mark.parametrize("formula", [r"$x^$", r"$\sqrt$", r"$\left( x$"])
def test_unreadable_math_is_shown_as_written(formula):
    assert to_plain(f"bad {formula} x") == f"bad {formula} x"
    assert formula in BeautifulSoup(str(to_html(f"bad {formula} x")), "html.parser").get_text()
