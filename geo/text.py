"""Small text helpers for what pages show: counts with the right plural, names as plain text.

>>> plural(1, "event"), plural(1234, "event"), plural(2, "casualty", "casualties")
('1 event', '1,234 events', '2 casualties')
>>> plain_markdown("[x](https://evil) :red[y] $z$")
'\\\\[x\\\\]\\\\(https\\\\://evil\\\\) \\\\:red\\\\[y\\\\] \\\\$z\\\\$'
"""

from __future__ import annotations

import re

# Every character that Markdown, GitHub-flavoured extensions or Streamlit's own syntax
# (":red[x]", ":emoji:", "$math$") can give a meaning to.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|:$<>~&=^\"'])")


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 event', '7 events': the count with thousands separators and the right form."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def plain_markdown(text: str) -> str:
    """Text that st.markdown shows literally: every markup character backslash-escaped and
    line breaks turned into spaces (a name is one line)."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))
