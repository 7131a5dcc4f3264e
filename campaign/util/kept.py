"""What one worker keeps in memory for later requests: least recently used first out, within a
number of entries and a budget of bytes.

The page cache (campaign.web.caching) keeps whole pages in one, the timeline (campaign.timeline.
fragments) its rendered items in another. Written here rather than taken from a library: the
standard library's ``functools.lru_cache`` counts entries, not bytes, and this is the whole of
what both need (a dict in use order, a lock, a byte count), which a new dependency would not
make shorter.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    """Values by key, the least recently used dropped first once a cap would be exceeded.

    *largest* is the biggest value kept at all: one large value must not push out everything
    else. Safe to share between a worker's threads.
    """

    def __init__(self, *, max_bytes: int, largest: int, max_entries: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.largest = largest
        self.bytes = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        """The value kept under *key* (now the most recently used), or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def keep(self, key: K, value: V, size: int) -> None:
        """Keep *value*, counted as *size* bytes, dropping the oldest until every cap holds."""
        if size > self.largest or self.max_entries == 0:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while self._entries and (
                self.bytes > self.max_bytes
                or (self.max_entries is not None and len(self._entries) > self.max_entries)
            ):
                _key, (_value, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped

    def drop_where(self, dead: Callable[[K], bool]) -> int:
        """Forget every value whose key *dead* says will never be asked for again; how many."""
        with self._lock:
            keys = [key for key in self._entries if dead(key)]
            for key in keys:
                _value, size = self._entries.pop(key)
                self.bytes -= size
        return len(keys)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
            self.bytes = 0
