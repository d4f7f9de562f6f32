"""A drop-in for ``pymongo_auth_aws`` 1.3, backed by mongoawsauth.

:func:`mongoawsauth.patch_pymongo` registers this module as ``pymongo_auth_aws`` (and as its
``auth``, ``errors`` and ``version`` submodules), so pymongo's MONGODB-AWS authentication and
pymongocrypt's on-demand KMS credentials run here, without boto3. The public names and their
behaviour are those of 1.3: :class:`AwsCredential`, :class:`AwsSaslContext` with its three
injection hooks, :func:`aws_temp_credentials`, the cache functions,
:class:`PyMongoAuthAwsError` and ``__version__``.

What differs, on purpose:

- credentials come from the MongoDB spec's chain (environment, web identity, container
  endpoint, IMDSv2), never from ``~/.aws`` files, and are cached in mongoawsauth's process-wide
  cache with the spec's 5-minute window, single flight and refresh ahead of expiry;
- errors say why (the chain's attempts are in the message) and keep the underlying exception
  as ``__cause__``;
- ``set_cached_credentials(None)``, which pymongo calls after any failed login, drops the cache
  entry of the credentials the failed login on this thread used, rather than every entry;
- ``bson_encode``/``bson_decode`` are never called (the payloads are built natively), but
  subclasses may still define them; ``binary_type`` wraps every payload returned.
"""

from __future__ import annotations

import functools
import sys
import threading
import time

from . import _native
from .errors import MongoAwsAuthError

__all__ = [
    "AwsCredential",
    "AwsSaslContext",
    "PyMongoAuthAwsError",
    "__version__",
    "aws_temp_credentials",
    "aws_temp_credentials_async",
    "get_cached_credentials",
    "get_use_cached_credentials",
    "set_cached_credentials",
    "set_use_cached_credentials",
]

# pymongo puts it in its error messages; the local part says what really answered.
__version__ = f"1.3.0+mongoawsauth.{_native.__version__}"

# 1.3's margin for AwsCredential.refresh_needed on credentials stored by set_cached_credentials.
_credential_buffer_seconds = 60


class PyMongoAuthAwsError(Exception):
    """The error pymongo turns into ``OperationFailure``."""


class AwsCredential:
    """Credentials as pymongo passes them: ``username`` (access key id), ``password`` (secret),
    ``token`` (session token or None) and ``refresh_needed`` (None or a callable taking a buffer
    in seconds and returning whether they expire within it). ``repr()`` hides the secrets."""

    def __init__(self, username, password, token, refresh_needed=None):
        self.username = username
        self.password = password
        self.token = token
        self.refresh_needed = refresh_needed

    def __repr__(self):
        return (
            f"AwsCredential(username={self.username!r}, password="
            f"{None if self.password is None else '** redacted **'!r}, token="
            f"{None if self.token is None else '** redacted **'!r})"
        )


_lock = threading.Lock()
_use_cached_credentials = None
_cached_credentials = None
_options = {}
_authenticator = None
# The cache generation of the credentials the last conversation on this thread used: what
# set_cached_credentials(None) drops after pymongo reports a failed login.
_thread = threading.local()


def _configure(**options):
    """Sets the options of every later login (validated now)."""
    global _authenticator, _options
    authenticator = _native.Authenticator(**options)
    with _lock:
        _options = dict(options)
        _authenticator = authenticator


def _get_authenticator():
    global _authenticator
    with _lock:
        if _authenticator is None:
            _authenticator = _native.Authenticator(**_options)
        return _authenticator


_SUBMODULES = ("auth", "errors", "version")


def _install():
    module = sys.modules[__name__]
    sys.modules["pymongo_auth_aws"] = module
    for name in _SUBMODULES:
        sys.modules[f"pymongo_auth_aws.{name}"] = module


def _uninstall():
    module = sys.modules[__name__]
    for name in ("pymongo_auth_aws", *(f"pymongo_auth_aws.{n}" for n in _SUBMODULES)):
        if sys.modules.get(name) is module:
            del sys.modules[name]


# The submodules of the real package are this same module.
auth = errors = version = sys.modules[__name__]


def get_use_cached_credentials():
    """Whether :func:`set_cached_credentials` stores credentials (pymongo sets it to True)."""
    return _use_cached_credentials


def set_use_cached_credentials(value):
    """Sets the flag :func:`get_use_cached_credentials` returns."""
    global _use_cached_credentials
    _use_cached_credentials = value


def _from_native(credentials):
    expiration = credentials.expiration_timestamp
    refresh_needed = None
    if expiration is not None:

        def refresh_needed(buffer_seconds=0):
            return time.time() + buffer_seconds >= expiration

    result = AwsCredential(
        credentials.access_key_id,
        credentials.secret_access_key,
        credentials.session_token,
        refresh_needed,
    )
    result._mongoawsauth = credentials
    return result


def _to_native(credential):
    native = getattr(credential, "_mongoawsauth", None)
    if (
        native is not None
        and native.access_key_id == credential.username
        and native.secret_access_key == credential.password
        and native.session_token == credential.token
    ):
        return native
    return _native.Credentials(
        credential.username, credential.password, credential.token, source="pymongo"
    )


def _stored_credentials():
    """What set_cached_credentials stored, while more than the 60 s buffer remains."""
    global _cached_credentials
    with _lock:
        credential = _cached_credentials
        if (
            credential is not None
            and credential.refresh_needed is not None
            and credential.refresh_needed(_credential_buffer_seconds)
        ):
            _cached_credentials = credential = None
        return credential


def get_cached_credentials():
    """The cached credentials, or None: those stored by :func:`set_cached_credentials` while
    they have more than 60 s left, else the process-wide cache's entry while it is usable."""
    credential = _stored_credentials()
    if credential is not None:
        return credential
    entries = _native.cache_entries()
    if len(entries) != 1:
        return None
    # The core serves an entry while more than its refresh window (5 minutes) remains.
    if entries[0].expiration_timestamp - time.time() <= 300:
        return None
    native = _native.cache_get(entries[0].key)
    return None if native is None else _from_native(native)


def set_cached_credentials(credentials):
    """Stores credentials for :func:`aws_temp_credentials` (only while the flag is set), or,
    given None, forgets them and drops the cache entry the last login on this thread used."""
    global _cached_credentials
    if credentials is None:
        with _lock:
            _cached_credentials = None
        generation = getattr(_thread, "generation", None)
        _thread.generation = None
        if generation is not None:
            _native.invalidate_generation(generation)
        return
    if _use_cached_credentials:
        with _lock:
            _cached_credentials = credentials


def _failure_message(exc):
    return f"temporary MONGODB-AWS credentials could not be obtained: {exc}"


def aws_temp_credentials():
    """Credentials from the cache, else from the spec's chain (blocking; the GIL is released
    while waiting). Raises :class:`PyMongoAuthAwsError` with the reason and the sources tried."""
    # The process-wide cache is consulted by the chain itself, for its own sources only.
    cached = _stored_credentials() if _use_cached_credentials else None
    if cached is not None and cached.username is not None:
        return cached
    try:
        credentials = _get_authenticator().credentials()
    except MongoAwsAuthError as exc:
        set_cached_credentials(None)
        raise PyMongoAuthAwsError(_failure_message(exc)) from exc
    _thread.generation = credentials.generation
    return _from_native(credentials)


async def aws_temp_credentials_async():
    """Awaitable twin of :func:`aws_temp_credentials` (not in 1.3): never blocks the loop."""
    # The process-wide cache is consulted by the chain itself, for its own sources only.
    cached = _stored_credentials() if _use_cached_credentials else None
    if cached is not None and cached.username is not None:
        return cached
    try:
        credentials = await _get_authenticator().credentials_async()
    except MongoAwsAuthError as exc:
        set_cached_credentials(None)
        raise PyMongoAuthAwsError(_failure_message(exc)) from exc
    return _from_native(credentials)


def _handle_credentials(method):
    """Drops the credentials a failing step used, as 1.3 does, then re-raises."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception:
            set_cached_credentials(None)
            raise

    return wrapper


class AwsSaslContext:
    """The client side of one MONGODB-AWS conversation, driven by ``step()``.

    Subclasses provide ``binary_type()`` (pymongo: ``bson.binary.Binary``); ``bson_encode`` and
    ``bson_decode`` are kept as hooks for compatibility but not needed.
    """

    def __init__(self, credentials):
        self._credentials = credentials
        self._step = 0
        self._client_nonce = None
        self._conversation = None

    def binary_type(self):
        """Returns the type every payload is wrapped in (pymongo: ``bson.binary.Binary``)."""
        raise NotImplementedError

    def bson_encode(self, doc):
        """Kept for subclasses written for 1.3; not called."""
        raise NotImplementedError

    def bson_decode(self, data):
        """Kept for subclasses written for 1.3; not called."""
        raise NotImplementedError

    def step(self, server_payload):
        """Step 1 returns the client-first payload; step 2 takes the server's first payload and
        returns the client-final one; any further step is an error."""
        self._step += 1
        if self._step == 1:
            return self._first_payload()
        if self._step == 2:
            return self._second_payload(server_payload)
        raise PyMongoAuthAwsError("MONGODB-AWS failed: too many steps")

    @_handle_credentials
    def _first_payload(self):
        if self._credentials.username is None:
            self._credentials = aws_temp_credentials()
        try:
            native = _to_native(self._credentials)
            self._conversation = _native.Conversation(native)
        except MongoAwsAuthError as exc:
            raise PyMongoAuthAwsError(f"MONGODB-AWS failed: {exc}") from exc
        _thread.generation = native.generation
        return self.binary_type()(self._conversation.client_first())

    @_handle_credentials
    def _second_payload(self, server_payload):
        if not server_payload:
            raise PyMongoAuthAwsError("MONGODB-AWS failed: server payload empty")
        try:
            payload = self._conversation.client_final(bytes(server_payload))
        except MongoAwsAuthError as exc:
            raise PyMongoAuthAwsError(f"MONGODB-AWS failed: {exc}") from exc
        return self.binary_type()(payload)
