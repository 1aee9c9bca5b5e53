r"""Text from a file or a URL, made safe to pass where Streamlit renders markdown.

Streamlit renders the body of ``st.info``, ``st.warning``, ``st.caption``, expander labels,
``help=`` tooltips and more as GitHub-flavoured markdown with extras: links and bare URLs,
images (fetched from anywhere), KaTeX between ``$``, ``:red[colour]`` directives and
``:emoji:`` shortcodes. :func:`escape_markdown` backslash-escapes every ASCII punctuation
character (CommonMark lets any of them be escaped) and folds line breaks and leading spaces,
so the text shows exactly as written and nothing in it is formatted, linked or fetched.

Escapes do not stop GitHub's bare-link rule: Streamlit's renderer finds ``https://…``,
``www.…`` and ``name@host.tld`` in the text *after* escapes are resolved and makes them links.
So a WORD JOINER (U+2060, invisible and zero-width) is put inside each of those patterns
(``https⁠://``, ``www⁠.``, ``name@⁠host``): the text looks the same and is not a link.

>>> print(escape_markdown("[Log in](evil.example) $x$ :red[!]"))
\[Log in\]\(evil\.example\) \$x\$ \:red\[\!\]
>>> escape_markdown("https://x.example www.x.example a@x.example").count(WORD_JOINER)
3
>>> plural(1, "event"), plural(1234, "event"), plural(2, "casualty", "casualties")
('1 event', '1,234 events', '2 casualties')
>>> quoted("x" * 100, 5)
"'xxxxx'… (100 characters)"
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\t\f\v\u2028\u2029\x85]+")
WORD_JOINER = "\u2060"
# What GFM's bare-link rule looks for (mdast-util-gfm-autolink-literal): a scheme's colon,
# "www" before a dot, a domain after "@". The joiner goes before the colon and the dot, after @.
_BARE_LINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?<=@)(?=[\w-])")


def escape_markdown(text: object) -> str:
    """``text`` as literal markdown: one line, every ASCII punctuation character escaped."""
    one_line = _LINE_BREAKS.sub(" ", str(text)).strip(" ")
    return _PUNCTUATION.sub(r"\\\1", _BARE_LINK.sub(WORD_JOINER, one_line))


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 event', '7 events': the count with thousands separators and the right form."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def quoted(value: object, limit: int = 200) -> str:
    """repr() of a value from a file or a URL, cut at `limit` characters (and saying so), so
    a message about a 100 MB field stays a line, not 100 MB."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + f"… ({len(value):,} characters)"
    return repr(value)
