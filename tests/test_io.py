"""write_atomic: whole-file replace that never clobbers what is not a regular file."""

from __future__ import annotations

import os
import stat

import pytest

from geo.io import NotARegularFileError, write_atomic
from geo.problems import GeoError


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_writes_new_file_with_the_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.csv", "a,b\n")
    finally:
        os.umask(old)
    assert (tmp_path / "new.csv").read_text() == "a,b\n"
    assert _mode(tmp_path / "new.csv") == 0o644


def test_new_file_follows_a_stricter_umask(tmp_path):
    old = os.umask(0o077)
    try:
        write_atomic(tmp_path / "new.csv", b"x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "new.csv") == 0o600


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o664, 0o755])
def test_keeps_the_existing_files_mode(tmp_path, mode):
    target = tmp_path / "events.csv"
    target.write_text("old")
    target.chmod(mode)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert _mode(target) == mode


def test_writes_through_a_symlink_and_keeps_it(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    real.chmod(0o644)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert _mode(real) == 0o644


def test_relative_symlink_resolved_from_its_own_folder(tmp_path):
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to("data/real.csv")
    write_atomic(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["real.csv"]


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "later.csv")
    write_atomic(link, "x")
    assert link.is_symlink()
    assert (tmp_path / "later.csv").read_text() == "x"


def test_refuses_a_fifo_and_leaves_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFileError, match="pipe") as caught:
        write_atomic(fifo, "x")
    assert isinstance(caught.value, GeoError)
    assert isinstance(caught.value, OSError)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_refuses_a_symlink_to_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "out").symlink_to(fifo)
    with pytest.raises(NotARegularFileError):
        write_atomic(tmp_path / "out", "x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_refuses_a_directory(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "keep").write_text("k")
    with pytest.raises(NotARegularFileError, match="folder"):
        write_atomic(folder, "x")
    assert (folder / "keep").read_text() == "k"
    assert sorted(os.listdir(tmp_path)) == ["folder"]


def test_refuses_a_character_device():
    # /dev/null is what `geo.ingest -o /dev/null` used to turn into a regular file as root.
    before = os.stat("/dev/null")
    with pytest.raises(NotARegularFileError, match="/dev/null"):
        write_atomic("/dev/null", "x")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_failed_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "events.csv"
    target.write_text("old")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["events.csv"]
