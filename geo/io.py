"""Atomic file writes: a temporary file beside the target, then os.replace.

A reader never sees a half-written file, and a failed write leaves the old file as it was.
Only regular files are replaced: a directory, a device such as ``/dev/null`` or a FIFO at the
target is refused with :class:`NotARegularFileError` and left alone. A symlink is written
through (its target gets the new content, the link stays a link), an existing file keeps its
permission bits (and, where allowed, its owner), and a new file gets ``0o666`` minus the umask,
as ``open(path, "w")`` would.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from geo.problems import DataFileError, GeoError


class NotARegularFileError(GeoError, OSError):
    """The target of a write exists and is not a regular file (directory, device, FIFO...)."""


_KINDS = [
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
]


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def regular_file(path: str | Path) -> os.stat_result:
    """The stat of the file at `path` (symlinks followed), refused with DataFileError when it is
    a directory, FIFO, device or socket: reading one could hang or never end.

    Raises FileNotFoundError (an OSError) when nothing is there.
    """
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        kind = _kind(info.st_mode)
        raise DataFileError(f"{Path(path).name} is not a regular file (it is {kind})")
    return info


def current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no other way to read it; set it straight back
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Replace the regular file at ``path`` (or create it) with ``data`` in one step.

    Raises :class:`NotARegularFileError` when ``path`` (after following symlinks) exists and is
    not a regular file; nothing is written then.
    """
    target = Path(os.path.realpath(path))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        before = os.stat(target)
    except FileNotFoundError:
        before = None
    if before is not None and not stat.S_ISREG(before.st_mode):
        where = str(path) if Path(path) == target else f"{path} (which points to {target})"
        raise NotARegularFileError(
            f"{where} is {_kind(before.st_mode)}, not a regular file: refusing to write there"
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            if before is None:
                os.fchmod(f.fileno(), 0o666 & ~current_umask())
            else:
                try:
                    os.fchown(f.fileno(), before.st_uid, before.st_gid)
                except PermissionError:
                    pass  # not allowed to give a file away: it stays ours, mode still kept
                os.fchmod(f.fileno(), stat.S_IMODE(before.st_mode))
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
