"""A small least-recently-used store shared by the threads of one process."""

from collections import OrderedDict
from threading import Lock


class RecentlyUsed:
    """The most recently used values, by key, at most `size` of them (given on each put)."""

    def __init__(self):
        self._items: OrderedDict = OrderedDict()
        self._lock = Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value, size: int) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def values(self) -> list:
        with self._lock:
            return list(self._items.values())
