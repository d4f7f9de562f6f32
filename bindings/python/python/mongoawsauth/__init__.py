"""MongoDB MONGODB-AWS authentication, without boto3.

Use with pymongo (every credential source, no other change to the application)::

    import mongoawsauth
    mongoawsauth.patch_pymongo()
    client = pymongo.MongoClient(uri, authMechanism="MONGODB-AWS")

Use alone::

    auth = mongoawsauth.Authenticator()
    credentials = auth.credentials()            # or: await auth.credentials_async()
    with auth.conversation() as conversation:
        first = conversation.client_first()     # payload of saslStart
        final = conversation.client_final(reply_payload)  # payload of saslContinue
"""

from __future__ import annotations

import atexit
import sys
from typing import TYPE_CHECKING

from ._authenticator import Authenticator
from ._native import (
    Attempt,
    Conversation,
    Credentials,
    Resolution,
    SamlProvider,
    __version__,
)
from ._native import close_before_exit as _close_before_exit
from ._options import AuthenticatorOptions
from .errors import (
    AuthenticationError,
    ConfigurationError,
    CredentialsNotFoundError,
    CredentialsProviderError,
    CredentialsTimeoutError,
    ErrorCode,
    InternalError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidProviderResultError,
    MongoAwsAuthError,
    RuntimeContextError,
    SigningError,
)

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from typing import Unpack
    else:
        from typing_extensions import Unpack

# Before the interpreter starts to finalize, the library's worker threads (logging, asyncio
# completions, provider callbacks) stop entering it: one that asked for the GIL during
# finalization could take the whole process down at exit.
atexit.register(_close_before_exit)

__all__ = [
    "Attempt",
    "AuthenticationError",
    "Authenticator",
    "AuthenticatorOptions",
    "ConfigurationError",
    "Conversation",
    "Credentials",
    "CredentialsNotFoundError",
    "CredentialsProviderError",
    "CredentialsTimeoutError",
    "ErrorCode",
    "InternalError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "InvalidProviderResultError",
    "MongoAwsAuthError",
    "Resolution",
    "RuntimeContextError",
    "SamlProvider",
    "SigningError",
    "__version__",
    "patch_pymongo",
    "unpatch_pymongo",
]


def patch_pymongo(**options: Unpack[AuthenticatorOptions]) -> None:
    """Makes pymongo's MONGODB-AWS authentication run on mongoawsauth, for pymongo 4.0 to 4.x,
    whether pymongo was imported before this call or is imported after it.

    ``import pymongo_auth_aws`` then finds :mod:`mongoawsauth.pymongo_auth_aws` (the whole
    pymongo-auth-aws 1.3 API), what pymongo already imported from the old package is re-pointed,
    a failed login drops the credentials it used on every pymongo version, and
    ``AsyncMongoClient`` logins fetch credentials off the event loop.

    Keyword arguments are those of :class:`Authenticator` (``provider=``, ``profile=``,
    ``shared_config=``, ``timeout=``...; :class:`AuthenticatorOptions` types them) and configure
    every login pymongo makes; without them the default chain is used (the spec's sources and
    the AWS shared config files). They are checked now, as ``Authenticator(...)`` checks them:
    an unknown keyword or a wrong type raises :class:`InvalidArgumentTypeError` (a
    ``TypeError``), a bad value :class:`InvalidArgumentError`. Raises
    :class:`ConfigurationError` when the installed pymongo is not a 4.x release it supports.
    Setting ``MONGOAWSAUTH_PATCH_PYMONGO=1`` in the environment calls it at interpreter start.
    """
    from . import _pymongo_patch
    from .pymongo_auth_aws import _state

    _state.configure(**options)
    _pymongo_patch.patch()


def unpatch_pymongo() -> None:
    """Undoes :func:`patch_pymongo`: ``import pymongo_auth_aws`` finds the installed package
    again, if there is one, and pymongo's modules get back what they had imported."""
    from . import _pymongo_patch

    _pymongo_patch.unpatch()
