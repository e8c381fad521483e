"""The one atomic-write helper: old file or new, never a part; no scratch file left; the mode asked for."""

from __future__ import annotations

import os
import resource
import signal
import stat
import threading

import pytest

from adapters.outbound.atomic_file import write_file


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_replaces_the_file_and_leaves_no_scratch(tmp_path):
    path = tmp_path / "f.json"
    write_file(path, b"old")
    write_file(path, b"new", durable=True)
    assert path.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["f.json"]


def test_a_failure_mid_write_keeps_the_old_file_and_removes_the_scratch(tmp_path):
    path = tmp_path / "f.json"
    write_file(path, b"old")
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit raises instead
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))  # a disk that fills after 4 KiB
    try:
        with pytest.raises(OSError):
            write_file(path, b"x" * 100_000)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous_handler)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.json"]


def test_the_mode_is_exactly_the_one_asked_for(tmp_path):
    path = tmp_path / "token.json"
    write_file(path, b"{}")  # an existing file with the umask's mode
    previous = os.umask(0)
    try:
        write_file(path, b'{"access_token": "x"}', mode=0o600)
        plain = tmp_path / "plain"
        write_file(plain, b"")
    finally:
        os.umask(previous)
    assert _mode(path) == 0o600
    assert _mode(plain) == 0o666  # no mode: as open() creates files, less the umask (0 here)


def test_a_leftover_scratch_file_does_not_lend_its_mode(tmp_path):
    path, leftover = tmp_path / "token.json", tmp_path / ".token.json.new"
    leftover.write_bytes(b"from a writer killed before its rename")
    leftover.chmod(0o644)
    write_file(path, b"secret", mode=0o600, scratch=leftover)
    assert _mode(path) == 0o600 and path.read_bytes() == b"secret"
    assert not leftover.exists()


def test_threads_writing_one_file_never_share_a_scratch_file(tmp_path):
    path = tmp_path / "f"
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for _ in range(50):
                write_file(path, str(n).encode() * 1000)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    content = path.read_bytes()
    assert len(content) == 1000 and len(set(content)) == 1
    assert os.listdir(tmp_path) == ["f"]
