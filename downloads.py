"""Export downloads streamed to the browser a chunk at a time, when the app runs as serve.py.

``st.download_button`` hands Streamlit the whole file (its media store keeps it in memory, a
callable's result too), so a million events would sit in the server as a 0.7 GB CSV or a
1.2 GB GeoJSON. ``streamlit run serve.py`` runs the same app as an ``st.App`` with one more
route, ``/api/export/<token>`` (:func:`routes`): the browser's request is answered with
geo.export's chunks as they are written, so the server holds one chunk, not the file.

:func:`button` draws the download: a link button to that route when it is mounted in this
process, else (``streamlit run app.py``, AppTest) Streamlit's download button with the same
bytes, built when clicked. What a link streams (the chunks' generator, the file name) is an
:class:`Offer`, kept in the session's state under ``download_offer:<key>`` and replaced at each
run; the route finds it by its token through a weak map, so an offer goes with its session and
nothing else keeps the events alive.
"""

from __future__ import annotations

import queue
import secrets
import threading
import weakref
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import streamlit as st

TOKEN_KEY = "download_token:{key}"  # session state: this session's token for one button
OFFER_KEY = "download_offer:{key}"  # session state: the Offer that token names
ROUTE = "api/export/{token}"
# gzip level 1: a CSV shrinks to about 14% (level 5, Streamlit's for its own responses: 10%)
# at half the CPU, which on a 2-core server decides how fast a million events stream. Only for
# a browser on another machine: on this one (or a reverse proxy here, which may compress for
# its clients) the bytes cost less to send than to compress (a 1M-event CSV: 3.5 s of CPU).
GZIP_LEVEL = 1
LOCAL = ("127.0.0.1", "::1", "localhost")
AHEAD = 1  # chunks written ahead of the one being sent: what a download holds in memory

_offers: weakref.WeakValueDictionary[str, Offer] = weakref.WeakValueDictionary()
_lock = threading.Lock()
_mounted = threading.Event()  # set by routes(): serve.py serves ROUTE in this process


@dataclass(eq=False)  # weakly referenced by token: identity, not value
class Offer:
    """What a download link streams: ``chunks()`` gives the file's bytes, a chunk at a time."""

    chunks: Callable[[], Iterable[bytes]]
    file_name: str
    mime: str


def _base() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/" if base else "/"


def routes() -> list:
    """The route serve.py adds to Streamlit's (Starlette) server; marks streaming available."""
    from starlette.routing import Route

    _mounted.set()
    return [Route(_base() + ROUTE, _endpoint, methods=["GET"])]


def streamed() -> bool:
    """Is the export route mounted in this process (the app started as serve.py)?"""
    return _mounted.is_set()


def content_disposition(file_name: str) -> str:
    """``attachment`` with the file name, percent-encoded (RFC 6266/5987) unless plain ASCII.

    >>> content_disposition("events_in-view_7.csv")
    'attachment; filename="events_in-view_7.csv"'
    >>> content_disposition('a"b é.csv')
    "attachment; filename*=utf-8''a%22b%20%C3%A9.csv"
    """
    if file_name.isascii() and file_name.isprintable() and not set('"\\') & set(file_name):
        return f'attachment; filename="{file_name}"'
    return f"attachment; filename*=utf-8''{quote(file_name, safe='')}"


def accepts_gzip(accept_encoding: str) -> bool:
    """Does an ``Accept-Encoding`` header accept gzip (browsers send ``gzip, deflate, br``)?

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("br;q=1, gzip;q=0"), accepts_gzip("")
    (True, False, False)
    """
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return not params.strip() or float(q) > 0
            except ValueError:
                return False
    return False


def body(chunks: Iterable[bytes], gzip: bool) -> Iterator[bytes]:
    """The response's bytes: `chunks`, gzip-compressed when asked. The chunks are written in
    a thread of their own, up to AHEAD ahead, so writing the next chunk overlaps compressing
    and sending this one.

    >>> b"".join(body(iter([b"a", b"b"]), gzip=False)), zlib.decompress(
    ...     b"".join(body([b"a" * 1000], gzip=True)), wbits=31)[:3]
    (b'ab', b'aaa')
    """
    ready: queue.Queue = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def write() -> None:
        try:
            for chunk in chunks:
                if not put(chunk):
                    return
            put(end)
        except BaseException as exc:  # raised where the response is read
            put(exc)

    threading.Thread(target=write, name="export-writer", daemon=True).start()
    pack = zlib.compressobj(GZIP_LEVEL, wbits=31) if gzip else None
    try:
        while (item := ready.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            out = pack.compress(item) if pack else item
            if out:
                yield out
        if pack:
            yield pack.flush()
    finally:  # finished, or the browser went away: the writer stops at its next chunk
        stop.set()


async def _endpoint(request):
    from starlette.responses import PlainTextResponse, StreamingResponse

    with _lock:
        offer = _offers.get(request.path_params["token"])
    if offer is None:
        return PlainTextResponse(
            "This download link has expired (its page was closed or has changed): "
            "go back to the app and click the download button again.",
            status_code=404,
        )
    remote = request.client is not None and request.client.host not in LOCAL
    gzip = remote and accepts_gzip(request.headers.get("accept-encoding", ""))
    headers = {
        "Content-Disposition": content_disposition(offer.file_name),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Vary": "Accept-Encoding",
    }
    # Encoded here or marked as not (Streamlit's gzip middleware leaves either alone).
    headers["Content-Encoding"] = "gzip" if gzip else "identity"
    # A plain iterator: Starlette reads it in a worker thread, never on the event loop.
    return StreamingResponse(body(offer.chunks(), gzip), media_type=offer.mime, headers=headers)


def offer(key: str, chunks: Callable[[], Iterable[bytes]], file_name: str, mime: str) -> str:
    """Register what this session's `key` download streams now; return its URL path."""
    token = st.session_state.setdefault(TOKEN_KEY.format(key=key), secrets.token_urlsafe(16))
    current = Offer(chunks, file_name, mime)
    st.session_state[OFFER_KEY.format(key=key)] = current  # the session keeps it alive
    with _lock:
        _offers[token] = current
    return _base() + ROUTE.format(token=token)


def button(
    container,
    label: str,
    chunks: Callable[[], Iterable[bytes]],
    *,
    file_name: str,
    mime: str,
    key: str,
    help: str,
    disabled: bool = False,
) -> None:
    """A download of ``chunks()``: streamed through serve.py's route when it is mounted,
    else Streamlit's download button with the joined chunks, built when clicked."""
    icon = ":material/download:"
    if not streamed():
        container.download_button(
            label,
            data=lambda: b"".join(chunks()),
            file_name=file_name,
            mime=mime,
            key=key,
            on_click="ignore",
            disabled=disabled,
            icon=icon,
            help=help,
        )
        return
    if disabled:  # nothing to stream: let the last offer (and its events) go
        st.session_state.pop(OFFER_KEY.format(key=key), None)
        url = _base()
    else:
        url = offer(key, chunks, file_name, mime)
    container.link_button(label, url, key=key, disabled=disabled, icon=icon, help=help)
