"""asyncio glue used by the native module (not public)."""


def run_awaitable(awaitable, loop, timeout):
    """Waits for what a credential callback returned, from a worker thread: on the caller's
    event loop when the call came from ``*_async``, else in a private loop on this thread."""
    import asyncio

    async def wait():
        return await awaitable

    if loop is None:
        return asyncio.run(wait())
    return asyncio.run_coroutine_threadsafe(wait(), loop).result(timeout)


def resolve_future(future, ok, value):
    """Completes an asyncio future on its own loop, unless it was cancelled meanwhile."""
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
