"""Markdown with LaTeX math, rendered on the server to HTML and MathML.

Raw HTML in the source is escaped (markdown-it's commonmark preset without html), so text
from the question bank can never inject markup. Math becomes MathML, which browsers render
natively: no script, no CDN.
"""

from functools import lru_cache

import latex2mathml.converter
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin


def _math(latex: str, display: bool) -> str:
    try:
        return latex2mathml.converter.convert(latex, display="block" if display else "inline")
    except Exception:  # malformed LaTeX from an editor: show the source rather than fail
        return f'<code class="math-error">{escape(latex)}</code>'


def _renderer(content: str, options: dict) -> str:
    return _math(content, display=options.get("display_mode", False))


_md = (
    MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    .enable("table")
    .use(
        dollarmath_plugin,
        allow_space=True,
        double_inline=True,
        renderer=_renderer,
    )
)


@lru_cache(maxsize=1024)
def _render(text: str) -> str:
    return _md.render(text)


def render(text: str) -> SafeString:
    return mark_safe(_render(text or ""))
