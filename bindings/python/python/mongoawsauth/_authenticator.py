"""``Authenticator``: the native class, with its ``*_async`` methods as real coroutines."""

from __future__ import annotations

from typing import Optional

from . import _native
from ._native import Conversation, Credentials, Resolution


class Authenticator(_native.Authenticator):
    """Resolves AWS credentials for MONGODB-AWS and starts conversations. Thread-safe; keep one
    per client. Every keyword is optional; one not given takes the core's default
    (:mod:`mongoawsauth.defaults`). Wrong types raise :class:`InvalidArgumentTypeError` (a
    ``TypeError``), bad values :class:`InvalidArgumentError` (a ``ValueError``), both naming
    the keyword.

    The blocking methods release the GIL while they wait. Each has a coroutine twin,
    ``*_async``, which waits without blocking the event loop: ``await
    auth.credentials_async()``, or ``asyncio.run(auth.credentials_async())``.
    """

    __slots__ = ()

    async def credentials_async(self, timeout: Optional[float] = None) -> Credentials:
        """Coroutine twin of :meth:`credentials`. Cancelling it cancels the fetch."""
        return await super().credentials_async(timeout)

    async def resolve_async(self, timeout: Optional[float] = None) -> Resolution:
        """Coroutine twin of :meth:`resolve`."""
        return await super().resolve_async(timeout)

    async def conversation_async(self, timeout: Optional[float] = None) -> Conversation:
        """Coroutine twin of :meth:`conversation`."""
        return await super().conversation_async(timeout)


Authenticator.__module__ = "mongoawsauth"
