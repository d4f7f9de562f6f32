"""``pymongo_auth_aws.auth``: the SASL conversation and the helpers of pymongo-auth-aws 1.3.

Every name of 1.3's module is here, with 1.3's behaviour and the messages code matches on;
credentials come from mongoawsauth (the MongoDB spec's chain and process-wide cache) instead of
boto3, and the payloads are built and signed by mongoawsauth's core.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Mapping
from typing import Any, Optional, TypeVar

from .. import _native
from ..errors import AuthenticationError, MongoAwsAuthError
from . import _state
from ._state import (
    AwsCredential,
    _credential_buffer_seconds,
    _enable_use_cached_credentials,
    aws_temp_credentials,
    aws_temp_credentials_async,
    get_cached_credentials,
    get_use_cached_credentials,
    set_cached_credentials,
    set_use_cached_credentials,
)
from .errors import PyMongoAuthAwsError, wrap

__all__ = [
    "AwsCredential",
    "AwsSaslContext",
    "PyMongoAuthAwsError",
    "ZERO",
    "_aws_auth_header",
    "_aws_temp_credentials",
    "_credential_buffer_seconds",
    "_enable_use_cached_credentials",
    "_get_region",
    "_handle_credentials",
    "aws_temp_credentials",
    "aws_temp_credentials_async",
    "get_cached_credentials",
    "get_use_cached_credentials",
    "set_cached_credentials",
    "set_use_cached_credentials",
    "utc",
]

ZERO = datetime.timedelta(0)
# 1.3 ships its own UTC tzinfo for Python 2; the standard one behaves the same.
utc = datetime.timezone.utc

# The name pymongo-auth-aws 1.0 used; code written against it still imports it.
_aws_temp_credentials = aws_temp_credentials


def _invalid_host(sts_host: object, exc: Optional[BaseException] = None) -> PyMongoAuthAwsError:
    return wrap(f"Server returned an invalid sts host: {sts_host}", exc)


def _get_region(sts_host: str) -> str:
    """The signing region for an STS host, by the MongoDB spec's table (``us-east-1`` for
    ``sts.amazonaws.com`` and hosts without a dot, else the second label). Raises
    :class:`PyMongoAuthAwsError` for an empty host, one over 255 bytes or one with an empty
    label, as 1.3 does."""
    if not isinstance(sts_host, str):
        raise _invalid_host(sts_host)
    try:
        return _native.sts_region(sts_host)
    except AuthenticationError as exc:
        raise _invalid_host(sts_host, exc) from exc


def _aws_auth_header(credentials: Any, server_nonce: bytes, sts_host: str) -> dict[str, str]:
    """The client-final fields ``{"a": Authorization, "d": X-Amz-Date[, "t": token]}`` of the
    GetCallerIdentity request for ``sts_host`` and ``server_nonce``, signed now."""
    try:
        native = _state.to_native(credentials)
        authorization, amz_date = _native.sign_get_caller_identity(native, sts_host, bytes(server_nonce))
    except AuthenticationError as exc:
        raise _invalid_host(sts_host, exc) from exc
    except MongoAwsAuthError as exc:
        raise wrap(f"MONGODB-AWS failed: {exc}", exc) from exc
    final = {"a": authorization, "d": amz_date}
    if credentials.token:
        final["t"] = credentials.token
    return final


_Step = TypeVar("_Step", bound=Callable[..., Any])


def _handle_credentials(method: _Step) -> _Step:
    """Runs a step; if it raises, drops what the login of this context used, then re-raises."""

    @functools.wraps(method)
    def inner(self: AwsSaslContext, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception:
            _state.forget(self)
            raise

    return inner  # type: ignore[return-value]  # the same signature, wrapped


def _rejected_reply(exc: MongoAwsAuthError) -> PyMongoAuthAwsError:
    """1.3's words for a server reply the core rejected, with the core's reason after them."""
    message = str(exc)
    if "nonce" in message:
        return wrap(f"Server returned an invalid nonce. ({message})", exc)
    if "STS host" in message:
        return wrap(f"Server returned an invalid sts host. ({message})", exc)
    return wrap(f"MONGODB-AWS failed: {message}", exc)


class AwsSaslContext:
    """The client side of one MONGODB-AWS conversation, driven by ``step()``.

    Subclasses provide ``binary_type()`` (pymongo: ``bson.binary.Binary``); ``bson_encode`` and
    ``bson_decode`` are kept as hooks for subclasses written for 1.3, but the payloads are built
    natively. The context is also the identity of its login: a failure of it drops exactly the
    credentials it used.
    """

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials
        self._step = 0
        self._client_nonce: Optional[bytes] = None
        self._conversation: Optional[_native.Conversation] = None
        self._mongoawsauth_used: Optional[tuple[str, Any]] = None

    def binary_type(self) -> Callable[[bytes], Any]:
        """Returns the type every payload is wrapped in (pymongo: ``bson.binary.Binary``)."""
        raise NotImplementedError

    def bson_encode(self, doc: Mapping[str, Any]) -> bytes:
        """Kept for subclasses written for 1.3; not called."""
        raise NotImplementedError

    def bson_decode(self, data: bytes) -> Mapping[str, Any]:
        """Kept for subclasses written for 1.3; not called."""
        raise NotImplementedError

    def step(self, server_payload: Optional[bytes]) -> Any:
        """Step 1 returns the client-first payload; step 2 takes the server's first payload and
        returns the client-final one; any further step is an error."""
        self._step += 1
        if self._step == 1:
            return self._first_payload()
        if self._step == 2:
            return self._second_payload(server_payload)
        raise PyMongoAuthAwsError("MONGODB-AWS failed: too many steps")

    @_handle_credentials
    def _first_payload(self) -> Any:
        # First, before anything can fail: a failure from here on is this login's, never the
        # previous one's on this thread or task.
        _state.track(self)
        if self._credentials.username is None:
            self._credentials, self._mongoawsauth_used = _state.resolve()
        try:
            native = _state.to_native(self._credentials)
            if self._mongoawsauth_used is None and native.generation is not None:
                self._mongoawsauth_used = ("cache", native.generation)
            self._conversation = _native.Conversation(native)
            payload = self._conversation.client_first()
        except MongoAwsAuthError as exc:
            raise wrap(f"MONGODB-AWS failed: {exc}", exc) from exc
        return self.binary_type()(payload)

    @_handle_credentials
    def _second_payload(self, server_payload: Optional[bytes]) -> Any:
        if not server_payload:
            raise PyMongoAuthAwsError("MONGODB-AWS failed: server payload empty")
        if self._conversation is None:  # step 1 failed, and pymongo went on regardless
            raise PyMongoAuthAwsError("MONGODB-AWS failed: the first step did not complete")
        try:
            payload = self._conversation.client_final(bytes(server_payload))
        except AuthenticationError as exc:
            raise _rejected_reply(exc) from exc
        except MongoAwsAuthError as exc:
            raise wrap(f"MONGODB-AWS failed: {exc}", exc) from exc
        return self.binary_type()(payload)
