"""The text of a source: pasted, or extracted from a .txt, .html or .pdf file.

HTML goes through BeautifulSoup (scripts, styles and navigation dropped, one line per block);
PDF through pypdf (the text layer of every page; a scanned PDF without one is refused).

>>> extract_text("a.html", b"<p>A drone hit <b>the base</b>.</p><script>x()</script>")
'A drone hit the base.'
>>> extract_text("a.doc", b"...")
Traceback (most recent call last):
...
geo.curate.extract.ExtractError: a.doc: .doc files are not read; upload .txt, .html or .pdf
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from geo.problems import GeoError

SUFFIXES = (".txt", ".html", ".htm", ".pdf")
BLOCKS = (
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "div",
    "td",
    "br",
    "tr",
    "section",
    "article",
    "header",
    "footer",
    "title",
)


class ExtractError(GeoError, ValueError):
    """A file whose text cannot be taken out (unknown kind, not decodable, no text layer)."""


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(
            f"{name}: byte {exc.start} is not UTF-8 "
            f"({data[exc.start : exc.start + 4]!r}); save it as UTF-8 and try "
            "again"
        ) from exc


def html_text(markup: str) -> str:
    """The readable text of an HTML page: one line per block, scripts and menus left out."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(
        ["script", "style", "noscript", "template", "nav", "iframe", "svg", "form", "button"]
    ):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for tag in root.find_all(BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (" ".join(line.split()) for line in root.get_text().splitlines())
    return "\n".join(line for line in lines if line)


def pdf_text(name: str, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise ExtractError(f"{name}: not a readable PDF ({exc})") from exc
    text = "\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise ExtractError(f"{name}: the PDF has no text layer (a scan?); paste its text instead")
    return text


def extract_text(name: str, data: bytes) -> str:
    """The text of an uploaded file, by its suffix. Plain text is kept exactly as it is."""
    suffix = Path(name).suffix.lower()
    if suffix == ".txt":
        text = _decode(name, data)
    elif suffix in (".html", ".htm"):
        text = html_text(_decode(name, data))
    elif suffix == ".pdf":
        text = pdf_text(name, data)
    else:
        shown = suffix or "extension-less"
        raise ExtractError(f"{name}: {shown} files are not read; upload .txt, .html or .pdf")
    if not text.strip():
        raise ExtractError(f"{name}: no text in the file")
    return text


def suggested_title(text: str) -> str:
    """The first line of the text, shortened: a starting point for the source's title."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return re.sub(r"\s+", " ", first)[:120]
