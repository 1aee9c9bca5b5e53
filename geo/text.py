r"""Text from a file or a URL, made safe to pass where Streamlit renders markdown.

Streamlit renders the body of ``st.info``, ``st.warning``, ``st.caption``, expander labels,
``help=`` tooltips and more as GitHub-flavoured markdown with extras: links and bare URLs,
images (fetched from anywhere), KaTeX between ``$``, ``:red[colour]`` directives and
``:emoji:`` shortcodes. :func:`escape_markdown` backslash-escapes every ASCII punctuation
character (CommonMark lets any of them be escaped) and folds line breaks and leading spaces,
so the text shows exactly as written and nothing in it is formatted, linked or fetched.

>>> print(escape_markdown("[Log in](https://evil.example) $x$ :red[!]"))
\[Log in\]\(https\:\/\/evil\.example\) \$x\$ \:red\[\!\]
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\t\f\v\u2028\u2029\x85]+")


def escape_markdown(text: object) -> str:
    """``text`` as literal markdown: one line, every ASCII punctuation character escaped."""
    one_line = _LINE_BREAKS.sub(" ", str(text))
    return _PUNCTUATION.sub(r"\\\1", one_line).strip(" ")
