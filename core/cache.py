"""A small per-app cache for what is built from stored figures that never change (a
released run, a run that succeeded): the village mirror's pages, the results tables."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app

CACHE_SIZE = 256


def cached(store_name: str, key: tuple, build: Callable[[], Any], size: int = CACHE_SIZE) -> Any:
    """What `build` gives, kept per app in `app.extensions[store_name]` for the key (least
    recently used first out). Built outside the lock: two threads may build the same value
    once each, never wait long."""
    store: OrderedDict = current_app.extensions.setdefault(store_name, OrderedDict())
    lock = current_app.extensions.setdefault(f"{store_name}_lock", threading.Lock())
    with lock:
        if key in store:
            store.move_to_end(key)
            return store[key]
    value = build()
    with lock:
        store[key] = value
        while len(store) > size:
            store.popitem(last=False)
    return value
