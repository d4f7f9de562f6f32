"""asyncio glue used by the native module (not public)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, Optional


def run_awaitable(awaitable: Awaitable[Any], loop: Optional[asyncio.AbstractEventLoop], timeout: float) -> Any:
    """Waits for what a credential callback returned, from a worker thread: on the caller's
    event loop when the call came from ``*_async``, else in a private loop on this thread."""

    async def wait() -> Any:
        return await awaitable

    if loop is None:
        return asyncio.run(wait())
    return asyncio.run_coroutine_threadsafe(wait(), loop).result(timeout)


def resolve_future(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    """Completes an asyncio future on its own loop, unless it was cancelled meanwhile."""
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
