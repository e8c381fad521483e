"""Moved to adapters/outbound/file_lock.py (the tracked list and the fetch log take it too); kept for old imports."""
from adapters.outbound.file_lock import InterProcessLock as InterProcessLock
