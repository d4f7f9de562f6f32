"""The exceptions of mongoawsauth: one hierarchy under :class:`MongoAwsAuthError`.

Each subclass matches one of the core library's error kinds and carries its stable ``code``
(the same number in the C, Python and Node bindings). A failure of the credential chain also
carries ``attempts``: every source tried, with its outcome and time. No message ever contains a
secret access key, session token or other bearer secret.
"""

from __future__ import annotations

__all__ = [
    "MongoAwsAuthError",
    "InvalidArgumentError",
    "ConfigurationError",
    "CredentialsNotFoundError",
    "CredentialsProviderError",
    "InvalidProviderResultError",
    "AuthenticationError",
    "SigningError",
    "CredentialsTimeoutError",
    "RuntimeContextError",
    "InternalError",
]


class MongoAwsAuthError(Exception):
    """Base class of every error mongoawsauth raises.

    Attributes: ``message`` (one actionable sentence, then one line per source tried),
    ``code`` (stable integer), ``kind`` (short name) and ``attempts`` (a tuple of
    :class:`mongoawsauth.Attempt`, empty unless a credential chain failed).
    """

    code = 0
    kind = ""

    def __init__(self, message, code=None, kind=None, attempts=()):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if kind is not None:
            self.kind = kind
        self.attempts = tuple(attempts)


class InvalidArgumentError(MongoAwsAuthError, ValueError):
    """An argument was invalid (an empty key, a call out of order)."""

    code = 1
    kind = "invalid argument"


class ConfigurationError(MongoAwsAuthError):
    """The configuration cannot work (a half-set environment, a refused URL...)."""

    code = 2
    kind = "configuration"


class CredentialsNotFoundError(MongoAwsAuthError):
    """No configured source could supply credentials; ``attempts`` lists each source."""

    code = 3
    kind = "credentials not found"


class CredentialsProviderError(MongoAwsAuthError):
    """A configured source failed (an endpoint error, a custom provider that raised)."""

    code = 4
    kind = "credentials provider"


class InvalidProviderResultError(CredentialsProviderError, InvalidArgumentError):
    """A custom provider returned a value that is not valid credentials (an expiry out of range,
    a key without its secret). Both a :class:`CredentialsProviderError` and, through
    :class:`InvalidArgumentError`, a ``ValueError``; the rejected value's error is the
    ``__cause__``."""


class AuthenticationError(MongoAwsAuthError):
    """The server's part of the SASL conversation was malformed or failed validation."""

    code = 5
    kind = "authentication"


class SigningError(MongoAwsAuthError):
    """Signing the GetCallerIdentity request failed."""

    code = 6
    kind = "signing"


class CredentialsTimeoutError(MongoAwsAuthError, TimeoutError):
    """The deadline passed before credentials were resolved."""

    code = 7
    kind = "timeout"


class RuntimeContextError(MongoAwsAuthError, RuntimeError):
    """The call cannot run here (a blocking call from inside a credential callback)."""

    code = 8
    kind = "runtime"


class InternalError(MongoAwsAuthError):
    """A bug in mongoawsauth; please report it with the message."""

    code = 99
    kind = "internal"
