"""escape_markdown: text from a file or URL shown as written wherever Streamlit renders markdown."""

from __future__ import annotations

import re
import string

from hypothesis import given
from hypothesis import strategies as st

from geo.text import WORD_JOINER, escape_markdown


def unescape(markdown: str) -> str:
    out, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\" and i + 1 < len(markdown) and markdown[i + 1] in string.punctuation:
            out.append(markdown[i + 1])
            i += 2
        else:
            assert markdown[i] not in string.punctuation, (markdown, i)
            out.append(markdown[i])
            i += 1
    return "".join(out).replace(WORD_JOINER, "")


def test_links_images_formulas_colours_and_html_are_escaped():
    for text in [
        "[a](https://evil.example)",
        "![i](https://evil.example/p.png)",
        "$x^2$",
        ":red[alert]",
        ":skull:",
        "<b>x</b>",
        "&lt;",
        "`code`",
        "**b**",
        "~~s~~",
        "# heading",
        "1. item",
        "- item",
        "> quote",
        "a\\*b",
        "www.evil.example",
        "x@evil.example",
        "| a | b |",
    ]:
        escaped = escape_markdown(text)
        assert unescape(escaped) == text


def test_bare_links_and_emails_are_broken_invisibly():
    escaped = escape_markdown("see https://evil.example, HTTP://x.y, www.evil.example, a@evil.ex")
    plain = escaped.replace("\\", "")
    assert not re.search(r"(?i)https?://|www\.|@[\w-]", plain)  # GFM's bare-link patterns
    assert unescape(escaped) == "see https://evil.example, HTTP://x.y, www.evil.example, a@evil.ex"


def test_line_breaks_cannot_start_blocks():
    escaped = escape_markdown("ok\n\n    indented code\r\n# heading\u2028x")
    assert "\n" not in escaped and "\r" not in escaped and "\u2028" not in escaped
    assert unescape(escaped).split() == ["ok", "indented", "code", "#", "heading", "x"]
    assert not escaped.startswith(" ")


@given(st.text())
def test_any_text_is_shown_as_itself_on_one_line(text):
    escaped = escape_markdown(text)
    assert "\n" not in escaped
    shown = unescape(escaped)
    # Same words (only line breaks became spaces, and bare links got an invisible joiner).
    assert shown.split() == text.replace(WORD_JOINER, "").split()
    assert not shown.startswith(" ")  # four leading spaces would start a code block
