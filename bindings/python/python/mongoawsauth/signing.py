"""The MONGODB-AWS signature over explicit inputs: for checking a signature against known
vectors, or building the client-final payload outside a :class:`mongoawsauth.Conversation`.
Applications logging in need none of this: ``Conversation.client_final`` signs."""

from __future__ import annotations

import datetime
from typing import NamedTuple, Optional, Union

from . import _native
from ._native import Credentials

Time = Union[datetime.datetime, float]


class Signature(NamedTuple):
    """What signing gives: the ``Authorization`` header value (the payload's ``a``) and the
    ``X-Amz-Date`` signed (``d``). Neither is a secret."""

    authorization: str
    amz_date: str


def sts_region(host: str) -> str:
    """The signing region of an STS host by the MongoDB specification's rules
    (``"sts.amazonaws.com"`` is ``us-east-1``, ``"sts.us-west-2.amazonaws.com"`` is
    ``us-west-2``). Raises :class:`mongoawsauth.AuthenticationError` for a host the
    specification refuses (empty, longer than 255 bytes, an empty label)."""
    return _native.sts_region(host)


def sign_get_caller_identity(
    credentials: Credentials, host: str, server_nonce: Union[bytes, bytearray], *, at: Optional[Time] = None
) -> Signature:
    """Signs the GetCallerIdentity request for ``host`` and the server's 64-byte nonce with
    ``credentials``, at ``at`` (a timezone-aware datetime or epoch seconds; default: now)."""
    authorization, amz_date = _native.sign_get_caller_identity(credentials, host, server_nonce, at)
    return Signature(authorization, amz_date)


def client_final_payload(
    credentials: Credentials, host: str, server_nonce: Union[bytes, bytearray], *, at: Optional[Time] = None
) -> bytes:
    """The client-final payload (BSON ``{a, d[, t]}``) for ``host`` and the server's 64-byte
    nonce, signed with ``credentials`` at ``at`` (default: now); ``t`` is there exactly when
    the credentials carry a session token."""
    return _native.client_final_payload(credentials, host, server_nonce, at)


__all__ = ["Signature", "Time", "client_final_payload", "sign_get_caller_identity", "sts_region"]
