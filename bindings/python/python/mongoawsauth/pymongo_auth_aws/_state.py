"""The cache contract of pymongo-auth-aws 1.3, kept over mongoawsauth's process-wide cache.

1.3 has one process-wide slot. ``set_cached_credentials(x)`` puts ``x`` there (only while the
flag of ``set_use_cached_credentials`` is truthy, which pymongo sets), ``get_cached_credentials()``
reads it back (dropping it once it expires within 60 s), ``aws_temp_credentials()`` answers from
it, and ``set_cached_credentials(None)`` empties it; pymongo calls that after any failed login.

Here the slot holds either credentials set by hand or nothing; when it holds nothing it shows
the entry of mongoawsauth's cache that this drop-in's logins use. Setting by hand replaces that
entry (one slot, one value). A failed login drops exactly what *that* login used: the
hand-set credentials if the slot still holds them, else the cache entry of the generation it
signed with, if still current (so one stale failure never discards credentials another login
just fetched). Which login failed is known from the :class:`AwsSaslContext` that ran it, found
through a context variable: each thread and each asyncio task has its own, so concurrent
handshakes on one event loop never see each other's. ``set_cached_credentials(None)`` outside a
failing login (no live context in this thread or task) empties the slot and drops the entry,
exactly as 1.3 empties its slot.
"""

from __future__ import annotations

import contextvars
import sys
import threading
import time
import weakref
from collections.abc import Callable
from contextvars import Token
from typing import TYPE_CHECKING, Any, Optional, cast

from .. import _native, defaults
from .._authenticator import Authenticator
from ..errors import MongoAwsAuthError
from .errors import PyMongoAuthAwsError, wrap

if TYPE_CHECKING:
    from .._options import AuthenticatorOptions

    if sys.version_info >= (3, 11):
        from typing import Unpack
    else:
        from typing_extensions import Unpack

# 1.3's margin: hand-set credentials that expire within it are dropped when read.
_credential_buffer_seconds = 60

_lock = threading.Lock()
_use_cached_credentials: Any = None
_stored: Optional[AwsCredential] = None  # credentials set by hand, or None
_options: AuthenticatorOptions = {}
_authenticator: Optional[Authenticator] = None
_cache_key: Optional[str] = None  # the core cache key this drop-in's fetched credentials live under, once seen
_view: tuple[Optional[int], Optional[AwsCredential]] = (None, None)  # (generation, AwsCredential): one object per cache entry, read back as given

# Credentials fetched off the loop, or the error that fetch raised.
_Outcome = tuple[Optional["_native.Credentials"], Optional[MongoAwsAuthError]]

# The AwsSaslContext of the login in flight in this thread or task (a weak reference: a
# finished login's context, and the secrets it holds, are not kept alive by it).
_login: contextvars.ContextVar[Optional[weakref.ref[Any]]] = contextvars.ContextVar("mongoawsauth_pymongo_login", default=None)
# Credentials fetched off the event loop before pymongo's async login ran its first step:
# (credentials, None) or (None, exception), consumed by that step.
_prefetched: contextvars.ContextVar[Optional[_Outcome]] = contextvars.ContextVar("mongoawsauth_pymongo_prefetched", default=None)


class AwsCredential:
    """Credentials as pymongo passes them: ``username`` (access key id), ``password`` (secret),
    ``token`` (session token or None) and ``refresh_needed`` (None or a callable taking a buffer
    in seconds and returning whether they expire within it). ``repr()`` hides the secrets."""

    def __init__(
        self,
        username: Optional[str],
        password: Optional[str],
        token: Optional[str],
        refresh_needed: Optional[Callable[..., bool]] = None,
    ) -> None:
        self.username = username
        self.password = password
        self.token = token
        self.refresh_needed = refresh_needed
        self._mongoawsauth: Optional[_native.Credentials] = None

    def __repr__(self) -> str:
        return (
            f"AwsCredential(username={self.username!r}, password="
            f"{None if self.password is None else '** redacted **'!r}, token="
            f"{None if self.token is None else '** redacted **'!r})"
        )


# -- configuration -------------------------------------------------------------------------


def configure(**options: Unpack[AuthenticatorOptions]) -> None:
    """Sets the options of every later login (validated now)."""
    global _authenticator, _options, _cache_key, _view
    authenticator = Authenticator(**options)
    with _lock:
        _options = options.copy()
        _authenticator = authenticator
        _cache_key = None
        _view = (None, None)


def authenticator() -> Authenticator:
    global _authenticator
    with _lock:
        if _authenticator is None:
            _authenticator = Authenticator(**_options)
        return _authenticator


# -- the flag ------------------------------------------------------------------------------


def get_use_cached_credentials() -> Any:
    """Whether :func:`set_cached_credentials` stores credentials (pymongo sets it to True)."""
    return _use_cached_credentials


def set_use_cached_credentials(value: Any) -> None:
    """Sets the flag :func:`get_use_cached_credentials` returns."""
    global _use_cached_credentials
    _use_cached_credentials = value


def _enable_use_cached_credentials() -> None:
    """Turns the flag on, as pymongo does before each MONGODB-AWS login."""
    set_use_cached_credentials(True)


# -- between mongoawsauth.Credentials and AwsCredential ------------------------------------


def _same(a: _native.Credentials, b: _native.Credentials) -> bool:
    return (
        a.access_key_id == b.access_key_id
        and a.secret_access_key == b.secret_access_key
        and a.session_token == b.session_token
    )


def from_native(credentials: _native.Credentials) -> AwsCredential:
    """An AwsCredential view of mongoawsauth credentials; the same object for the same cache
    entry, so what a login was given is what :func:`get_cached_credentials` reads back."""
    global _view
    generation = credentials.generation
    with _lock:
        seen_generation, seen = _view
        if (
            generation is not None
            and seen_generation == generation
            and seen is not None
            and seen._mongoawsauth is not None
            and _same(seen._mongoawsauth, credentials)
        ):
            return seen
    expiration = credentials.expiration_timestamp
    refresh_needed = None
    if expiration is not None:

        def refresh_needed(buffer_seconds: Optional[float] = 0) -> bool:
            return time.time() + (buffer_seconds or 0) >= expiration

    view = AwsCredential(
        credentials.access_key_id, credentials.secret_access_key, credentials.session_token, refresh_needed
    )
    view._mongoawsauth = credentials
    if generation is not None:
        with _lock:
            _view = (generation, view)
    return view


def to_native(credential: Any) -> _native.Credentials:
    """mongoawsauth credentials for an AwsCredential (or anything a custom provider may return),
    reusing the ones it was made from while its fields are unchanged."""
    native: Optional[_native.Credentials] = getattr(credential, "_mongoawsauth", None)
    if (
        native is not None
        and native.access_key_id == getattr(credential, "username", None)
        and native.secret_access_key == getattr(credential, "password", None)
        and native.session_token == getattr(credential, "token", None)
    ):
        return native
    if isinstance(credential, AwsCredential):
        return _native.Credentials(credential.username, credential.password, credential.token, source="pymongo")
    return _native.credentials_from_object(credential)


# -- the slot ------------------------------------------------------------------------------


def _stored_credentials() -> Optional[AwsCredential]:
    """What was set by hand, while more than the 60 s buffer remains (else dropped, as 1.3)."""
    global _stored
    with _lock:
        credential = _stored
        refresh_needed = getattr(credential, "refresh_needed", None)
        if credential is not None and refresh_needed is not None and refresh_needed(_credential_buffer_seconds):
            _stored = credential = None
        return credential


def _remember_key(credentials: _native.Credentials) -> None:
    """Learns the cache key this drop-in's fetched credentials live under."""
    global _cache_key
    generation = credentials.generation
    if generation is None:
        return
    for entry in _native.cache_entries():
        if entry.generation == generation:
            with _lock:
                _cache_key = entry.key
            return


def _cache_entry() -> Optional[_native.Credentials]:
    """The cache entry this drop-in's logins use, while more than the refresh window is left."""
    key = _cache_key
    if key is None:
        return None
    credentials = _native.cache_get(key)
    if credentials is None or credentials.expiration_timestamp is None:
        return None
    window = _options.get("refresh_window")
    if window is None:
        window = defaults.refresh_window
    if credentials.expiration_timestamp - time.time() <= window:
        return None
    return credentials


def _drop_cache_entry() -> None:
    key = _cache_key
    entry = None if key is None else _native.cache_get(key)
    if entry is not None and entry.generation is not None:
        _native.invalidate_generation(entry.generation)


def get_cached_credentials() -> Optional[AwsCredential]:
    """The cached credentials, or None: those set by :func:`set_cached_credentials` while more
    than 60 s remain, else the entry of mongoawsauth's cache the drop-in uses while it is usable."""
    credential = _stored_credentials()
    if credential is not None:
        return credential
    entry = _cache_entry()
    return None if entry is None else from_native(entry)


def set_cached_credentials(credentials: Any) -> None:
    """Given credentials: checks them now (``InvalidArgumentError``, a ``ValueError``, for an
    expiry out of range or a key without its secret) and, while the flag is set, makes them what
    every later login uses and what :func:`get_cached_credentials` returns, replacing the cached
    entry. Given None: inside a failed login, drops what that login used; elsewhere, empties the
    slot and drops the cached entry."""
    global _stored
    if credentials is None:
        forget(current_login())
        return
    native = to_native(credentials)
    if not _use_cached_credentials:
        return
    if isinstance(credentials, AwsCredential):
        credentials._mongoawsauth = native
        stored = credentials
    else:
        stored = from_native(native)
    with _lock:
        _stored = stored
    _drop_cache_entry()


# -- logins --------------------------------------------------------------------------------


def track(context: Any) -> None:
    """Marks ``context`` as the login in flight in this thread or task."""
    _login.set(weakref.ref(context))


def current_login() -> Any:
    ref = _login.get()
    return None if ref is None else ref()


def forget(context: Any) -> None:
    """Drops what the login of ``context`` used; with no context, empties the slot and drops
    the cached entry (1.3's ``set_cached_credentials(None)``)."""
    global _stored
    if context is None:
        with _lock:
            _stored = None
        _drop_cache_entry()
        return
    used = getattr(context, "_mongoawsauth_used", None)
    if used is None:
        return
    kind, value = used
    if kind == "stored":
        with _lock:
            if _stored is value:
                _stored = None
    elif kind == "cache":
        _native.invalidate_generation(value)


def _failure(exc: MongoAwsAuthError) -> PyMongoAuthAwsError:
    return wrap(f"temporary MONGODB-AWS credentials could not be obtained: {exc}", exc)


def resolve() -> tuple[AwsCredential, Optional[tuple[str, Any]]]:
    """``(credentials, used)`` for a login without explicit credentials: the hand-set ones, the
    credentials fetched off-loop for this task, or the chain's (blocking, the GIL released)."""
    stored = _stored_credentials()
    if stored is not None:
        return stored, ("stored", stored)
    prefetched = _prefetched.get()
    if prefetched is not None:
        _prefetched.set(None)
        fetched, exc = prefetched
        if exc is not None:
            raise _failure(exc) from exc
        native = cast("_native.Credentials", fetched)  # set whenever exc is not
    else:
        try:
            native = authenticator().credentials()
        except MongoAwsAuthError as exc:
            raise _failure(exc) from exc
    _remember_key(native)
    used = None if native.generation is None else ("cache", native.generation)
    return from_native(native), used


async def prefetch() -> Token[Optional[_Outcome]]:
    """Fetches credentials without blocking the event loop, for the next login in this task
    (unless credentials are set by hand, which that login uses instead). Returns the token that
    :func:`end_prefetch` takes."""
    if _stored_credentials() is not None:
        return _prefetched.set(None)
    outcome: _Outcome
    try:
        outcome = (await authenticator().credentials_async(), None)
    except MongoAwsAuthError as exc:
        outcome = (None, exc)
    return _prefetched.set(outcome)


def end_prefetch(token: Token[Optional[_Outcome]]) -> None:
    _prefetched.reset(token)


def aws_temp_credentials() -> AwsCredential:
    """Credentials for a login: those set by hand (while usable), else from mongoawsauth's
    chain and cache (blocking; the GIL is released while waiting). Raises
    :class:`PyMongoAuthAwsError` saying why, with every source tried."""
    return resolve()[0]


async def aws_temp_credentials_async() -> AwsCredential:
    """Awaitable twin of :func:`aws_temp_credentials` (not in 1.3): never blocks the loop."""
    stored = _stored_credentials()
    if stored is not None:
        return stored
    try:
        native = await authenticator().credentials_async()
    except MongoAwsAuthError as exc:
        raise _failure(exc) from exc
    _remember_key(native)
    return from_native(native)


__all__ = [
    "AwsCredential",
    "PyMongoAuthAwsError",
    "_credential_buffer_seconds",
    "_enable_use_cached_credentials",
    "aws_temp_credentials",
    "aws_temp_credentials_async",
    "get_cached_credentials",
    "get_use_cached_credentials",
    "set_cached_credentials",
    "set_use_cached_credentials",
]
