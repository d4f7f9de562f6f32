"""Test hooks of the process-wide credentials cache, for the MongoDB spec's caching tests.

Applications have no use for these. Every function is safe to call from any thread.

- :func:`entries` lists the cached entries (no secrets);
- :func:`get` returns the cached credentials under a key, or the only entry;
- :func:`set` stores credentials (they must carry an expiration) and returns the generation;
- :func:`clear` empties the cache;
- :func:`expire` changes the expiration of one entry or all;
- :func:`poison` replaces the access key id of one entry or all with one no STS knows;
- :func:`invalidate_generation` drops the entry of a generation if it is still current.
"""

from ._native import CacheEntry
from ._native import cache_clear as clear
from ._native import cache_entries as entries
from ._native import cache_expire as expire
from ._native import cache_get as get
from ._native import cache_poison as poison
from ._native import cache_set as set  # noqa: A001 - the hook's name in every binding
from ._native import invalidate_generation, shutdown_runtime

__all__ = [
    "CacheEntry",
    "clear",
    "entries",
    "expire",
    "get",
    "invalidate_generation",
    "poison",
    "set",
    "shutdown_runtime",
]
