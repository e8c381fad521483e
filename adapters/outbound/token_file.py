"""TokenStore as a JSON file readable only by its owner (0600), shared by the API, the CLI and curl users.

A damaged file (torn, not JSON, no token in it) reads as no token, with a warning naming it: the user logs in again,
which replaces it. A save or logout the disk refuses is a StorageFull or StorageUnavailable."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.outbound import atomic_file
from adapters.outbound.damaged_file import DamageLog
from adapters.outbound.file_io import OS_IO
from adapters.outbound.storage_errors import storage_errors
from application.ports import BrokerSession


class TokenFile:
    def __init__(self, path: Path, durable: bool = True) -> None:
        self.path = Path(path)
        self._durable = durable  # fsync each save (atomic_file.py); off only for benchmarks
        # Keyed by inode too: a save elsewhere replaces the file (a new inode) within one mtime tick.
        self._cache: tuple[tuple[int, int, int], BrokerSession | None] | None = None
        self._damage = DamageLog()

    def load(self) -> BrokerSession | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        mtime = (st.st_ino, st.st_size, st.st_mtime_ns)
        if self._cache and self._cache[0] == mtime:
            return self._cache[1]
        try:
            data = json.loads(self.path.read_text())
            if not isinstance(data["access_token"], str) or not data["access_token"]:
                raise ValueError("no access token in it")
            token = BrokerSession(data["access_token"], data.get("user_id", ""), data.get("user_name", ""),
                                data.get("login_time", ""))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            self._damage.warn("token_file_unreadable", self.path, error=type(error).__name__)
            token = None
        self._cache = (mtime, token)
        return token

    def save(self, token: BrokerSession) -> None:
        data = json.dumps({"access_token": token.access_token, "user_id": token.user_id,
                           "user_name": token.user_name, "login_time": token.login_time})
        with storage_errors(self.path.parent):
            atomic_file.make_directory(self.path.parent, durable=self._durable)
            atomic_file.write_file(self.path, data.encode(), mode=0o600, durable=self._durable)
        self._cache = None

    def clear(self) -> None:
        """Delete the token; with `durable`, the deletion is synced, so a power cut cannot bring a logged-out token
        back."""
        with storage_errors(self.path.parent):
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
            else:
                if self._durable:
                    OS_IO.fsync_directory(self.path.parent)
        self._cache = None
