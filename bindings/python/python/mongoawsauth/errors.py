"""The exceptions of mongoawsauth: one hierarchy under :class:`MongoAwsAuthError`.

Each subclass matches one of the core library's error kinds. An error carries its ``code``, an
:class:`ErrorCode` (``"INVALID_ARGUMENT"``, ``"CONFIGURATION"``...: the same names in the C,
Python and Node faces), and its ``result_code``, the stable number the C library returns for it.
A failure of the credential chain also carries ``attempts``: every source tried, with its
outcome and time. No message ever contains a secret access key, session token or other bearer
secret.

Before this release, ``code`` was the number and ``kind`` a short phrase; ``code`` still compares equal to
the number (with a :class:`DeprecationWarning`), and ``kind`` still gives the phrase (also with
one), for one release.
"""

from __future__ import annotations

import enum
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Optional, overload

from . import _native

if TYPE_CHECKING:
    from ._native import Attempt

__all__ = [
    "ErrorCode",
    "MongoAwsAuthError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
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

# (name, result code, description) of every kind the core has, from the core itself.
_KINDS: dict[str, tuple[int, str]] = {name: (number, words) for name, number, words in _native.error_kinds()}


class ErrorCode(str, enum.Enum):
    """The code of an error: which of the core's error kinds it is. A ``str``, so it compares
    and serialises as its name (``err.code == "TIMEOUT"``); ``result_code`` gives the number.

    ``UNKNOWN`` is the code of an error whose kind this version of the package does not know
    (a newer core behind an older binding); its ``result_code`` is kept on the error.
    """

    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    CONFIGURATION = "CONFIGURATION"
    CREDENTIALS_NOT_FOUND = "CREDENTIALS_NOT_FOUND"
    CREDENTIALS_PROVIDER = "CREDENTIALS_PROVIDER"
    AUTHENTICATION = "AUTHENTICATION"
    SIGNING = "SIGNING"
    TIMEOUT = "TIMEOUT"
    RUNTIME = "RUNTIME"
    INTERNAL = "INTERNAL"
    UNKNOWN = "UNKNOWN"

    @property
    def result_code(self) -> Optional[int]:
        """The stable number of this kind (the C library's result code); None for UNKNOWN."""
        kind = _KINDS.get(self.value)
        return None if kind is None else kind[0]

    @property
    def description(self) -> str:
        """The kind in words (``"credentials not found"``): what ``kind`` used to be."""
        kind = _KINDS.get(self.value)
        return "unknown" if kind is None else kind[1]

    @classmethod
    def from_result_code(cls, result_code: int) -> ErrorCode:
        """The code of a result code, or ``UNKNOWN`` for a number no kind has."""
        for name, (number, _) in _KINDS.items():
            if number == result_code and name in cls.__members__:
                return cls(name)
        return cls.UNKNOWN

    def __str__(self) -> str:
        return self.value

    def _same_number(self, other: int) -> bool:
        warnings.warn(
            f"comparing an error code with a number is deprecated: compare err.code with "
            f"ErrorCode.{self.value} (or the string {self.value!r}), or err.result_code with "
            f"{other}",
            DeprecationWarning,
            stacklevel=3,
        )
        return self.result_code == other

    def __eq__(self, other: object) -> bool:
        if isinstance(other, int) and not isinstance(other, bool):
            return self._same_number(other)
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        if isinstance(other, int) and not isinstance(other, bool):
            return not self._same_number(other)
        return str.__ne__(self, other)

    # Hashed as the string, so a code finds the same dict entry as its name.
    __hash__ = str.__hash__


class _DeprecatedKind:
    """``kind``: the kind in words, deprecated for ``code`` (readable on the class and on an
    instance, as the old class attribute was)."""

    @overload
    def __get__(self, instance: None, owner: type[MongoAwsAuthError]) -> str: ...
    @overload
    def __get__(self, instance: MongoAwsAuthError, owner: Any = None) -> str: ...
    def __get__(self, instance: Optional[MongoAwsAuthError], owner: Any = None) -> str:
        warnings.warn(
            "MongoAwsAuthError.kind is deprecated: use .code (an ErrorCode such as "
            "'CREDENTIALS_NOT_FOUND'); .code.description gives these words",
            DeprecationWarning,
            stacklevel=2,
        )
        code: ErrorCode = owner.code if instance is None else instance.code
        return code.description


class MongoAwsAuthError(Exception):
    """Base class of every error mongoawsauth raises.

    Attributes: ``message`` (one actionable sentence, then one line per source tried),
    ``code`` (an :class:`ErrorCode`), ``result_code`` (its stable number) and ``attempts`` (a
    tuple of :class:`mongoawsauth.Attempt`, empty unless a credential chain failed). Raised as
    itself only for an error of a kind this version does not know: ``code`` is then
    ``ErrorCode.UNKNOWN`` and ``result_code`` the number the core gave.
    """

    code: ErrorCode = ErrorCode.UNKNOWN
    result_code: int = 0
    kind = _DeprecatedKind()

    def __init__(self, message: str, *, attempts: Iterable[Attempt] = (), result_code: Optional[int] = None):
        super().__init__(message)
        self.message: str = message
        self.attempts: tuple[Attempt, ...] = tuple(attempts)
        if result_code is not None:
            self.code = ErrorCode.from_result_code(result_code)
            self.result_code = result_code

    @staticmethod
    def from_result_code(
        result_code: int, message: str, *, attempts: Iterable[Attempt] = ()
    ) -> MongoAwsAuthError:
        """The error of the class for ``result_code`` (the C library's numbers, also
        ``err.result_code``); the base class with code ``UNKNOWN`` for a number no kind has."""
        cls = _CLASSES.get(ErrorCode.from_result_code(result_code), MongoAwsAuthError)
        return cls(message, attempts=attempts, result_code=result_code)


def _kind_class(code: ErrorCode) -> Any:
    """Sets ``code`` and ``result_code`` of the class it decorates from the core's table."""

    def decorate(cls: type[MongoAwsAuthError]) -> type[MongoAwsAuthError]:
        cls.code = code
        number = code.result_code
        if number is not None:
            cls.result_code = number
        return cls

    return decorate


@_kind_class(ErrorCode.INVALID_ARGUMENT)
class InvalidArgumentError(MongoAwsAuthError, ValueError):
    """An argument was invalid: a value out of range (a negative timeout), a malformed one (an
    endpoint that is not an http(s) URL), a call out of order. The message names the argument."""


@_kind_class(ErrorCode.INVALID_ARGUMENT)
class InvalidArgumentTypeError(MongoAwsAuthError, TypeError):
    """An argument had the wrong type (``timeout="10"``); the message names the argument and the
    type it needs. A ``TypeError``, as Python's own argument checks raise, with the code
    ``INVALID_ARGUMENT`` of :class:`InvalidArgumentError` (which is the ``ValueError`` for a bad
    value of the right type)."""


@_kind_class(ErrorCode.CONFIGURATION)
class ConfigurationError(MongoAwsAuthError):
    """The configuration cannot work (a half-set environment, a refused URL...)."""


@_kind_class(ErrorCode.CREDENTIALS_NOT_FOUND)
class CredentialsNotFoundError(MongoAwsAuthError):
    """No configured source could supply credentials; ``attempts`` lists each source."""


@_kind_class(ErrorCode.CREDENTIALS_PROVIDER)
class CredentialsProviderError(MongoAwsAuthError):
    """A configured source failed (an endpoint error, a custom provider that raised)."""


class InvalidProviderResultError(CredentialsProviderError, InvalidArgumentError):
    """A custom provider returned a value that is not valid credentials (an expiry out of range,
    a key without its secret). Both a :class:`CredentialsProviderError` and, through
    :class:`InvalidArgumentError`, a ``ValueError``; the rejected value's error is the
    ``__cause__``."""


@_kind_class(ErrorCode.AUTHENTICATION)
class AuthenticationError(MongoAwsAuthError):
    """The server's part of the SASL conversation was malformed or failed validation."""


@_kind_class(ErrorCode.SIGNING)
class SigningError(MongoAwsAuthError):
    """Signing the GetCallerIdentity request failed."""


@_kind_class(ErrorCode.TIMEOUT)
class CredentialsTimeoutError(MongoAwsAuthError, TimeoutError):
    """The deadline passed before credentials were resolved."""


@_kind_class(ErrorCode.RUNTIME)
class RuntimeContextError(MongoAwsAuthError, RuntimeError):
    """The call cannot run here (a blocking call from inside a credential callback)."""


@_kind_class(ErrorCode.INTERNAL)
class InternalError(MongoAwsAuthError):
    """A bug in mongoawsauth; please report it with the message."""


_CLASSES: dict[ErrorCode, type[MongoAwsAuthError]] = {
    ErrorCode.INVALID_ARGUMENT: InvalidArgumentError,
    ErrorCode.CONFIGURATION: ConfigurationError,
    ErrorCode.CREDENTIALS_NOT_FOUND: CredentialsNotFoundError,
    ErrorCode.CREDENTIALS_PROVIDER: CredentialsProviderError,
    ErrorCode.AUTHENTICATION: AuthenticationError,
    ErrorCode.SIGNING: SigningError,
    ErrorCode.TIMEOUT: CredentialsTimeoutError,
    ErrorCode.RUNTIME: RuntimeContextError,
    ErrorCode.INTERNAL: InternalError,
}


def _from_core(
    result_code: int, message: str, attempts: Iterable[Attempt], invalid_result: bool, wrong_type: bool
) -> MongoAwsAuthError:
    """What the native module raises for a core error (not public): the kind's class, or the
    subclass a binding-side detail calls for (a provider's invalid return value, a wrong type)."""
    if invalid_result and ErrorCode.from_result_code(result_code) is ErrorCode.CREDENTIALS_PROVIDER:
        return InvalidProviderResultError(message, attempts=attempts, result_code=result_code)
    if wrong_type and ErrorCode.from_result_code(result_code) is ErrorCode.INVALID_ARGUMENT:
        return InvalidArgumentTypeError(message, attempts=attempts, result_code=result_code)
    return MongoAwsAuthError.from_result_code(result_code, message, attempts=attempts)


def _code_of(name: str) -> ErrorCode:
    """The ErrorCode named ``name``, or ``UNKNOWN`` (for ``Attempt.code``)."""
    try:
        return ErrorCode(name)
    except ValueError:
        return ErrorCode.UNKNOWN
