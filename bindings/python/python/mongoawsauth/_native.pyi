"""Type stubs of the native module (the reference for what each call accepts). A test checks
them against the built module with mypy's stubtest, so a native function, method or parameter
added without its stub fails the suite."""

import datetime
from collections.abc import Awaitable, Callable, Mapping
from os import PathLike
from types import TracebackType
from typing import Any, Literal, Optional, Union

from typing_extensions import disjoint_base, final

from .errors import ErrorCode

__all__ = [
    "__version__",
    "core_version",
    "Credentials",
    "Resolution",
    "Attempt",
    "Conversation",
    "Authenticator",
    "SamlProvider",
    "CacheEntry",
    "CancelOnDone",
    "cache_entries",
    "cache_get",
    "cache_set",
    "cache_clear",
    "cache_expire",
    "cache_poison",
    "invalidate_generation",
    "shutdown_runtime",
    "close_before_exit",
    "error_kinds",
    "defaults",
    "sts_region",
    "sign_get_caller_identity",
    "client_final_payload",
    "validate_settings",
    "credentials_from_object",
]

__version__: str
core_version: str

_ProviderResult = Union["Credentials", Mapping[str, Any], Any]
_Provider = Callable[[], Union[_ProviderResult, Awaitable[_ProviderResult]]]

@final
class Credentials:
    """``expiration``: a timezone-aware datetime or epoch seconds between 1970 and the end of
    year 9999; another type raises ``InvalidArgumentTypeError`` (a ``TypeError``), a value out
    of range ``InvalidArgumentError`` (a ``ValueError``). ``source``: the name the credentials
    report; ``None`` means ``"application"``, the name of credentials an application builds."""

    def __new__(
        cls,
        access_key_id: Optional[str],
        secret_access_key: Optional[str],
        session_token: Optional[str] = None,
        *,
        expiration: Union[datetime.datetime, float, None] = None,
        source: Optional[str] = None,
    ) -> Credentials: ...
    @property
    def access_key_id(self) -> str: ...
    @property
    def secret_access_key(self) -> str: ...
    @property
    def session_token(self) -> Optional[str]: ...
    @property
    def expiration(self) -> Optional[datetime.datetime]: ...
    @property
    def expiration_timestamp(self) -> Optional[float]: ...
    @property
    def source(self) -> str: ...
    @property
    def is_temporary(self) -> bool: ...
    @property
    def generation(self) -> Optional[int]: ...

@final
class Resolution:
    @property
    def credentials(self) -> Credentials: ...
    @property
    def from_cache(self) -> bool: ...
    @property
    def elapsed(self) -> float: ...

@final
class Attempt:
    @property
    def source(self) -> str: ...
    @property
    def outcome(self) -> Literal["succeeded", "not_configured", "failed"]: ...
    @property
    def message(self) -> Optional[str]: ...
    @property
    def code(self) -> Optional[ErrorCode]: ...
    @property
    def elapsed(self) -> float: ...

@final
class Conversation:
    def __new__(cls, credentials: Credentials) -> Conversation: ...
    @property
    def credentials(self) -> Credentials: ...
    def client_first(self) -> bytes: ...
    def client_final(self, server_payload: Union[bytes, bytearray]) -> bytes: ...
    def report_failure(self) -> bool: ...
    def __enter__(self) -> "Conversation": ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> bool: ...

@final
class SamlProvider:
    def __new__(
        cls,
        role_arn: str,
        principal_arn: str,
        *,
        assertion: Union[str, Callable[[], str], None] = None,
        assertion_file: Union[str, PathLike[str], None] = None,
        duration: Optional[int] = None,
        policy: Optional[str] = None,
    ) -> SamlProvider: ...
    @property
    def role_arn(self) -> str: ...
    @property
    def principal_arn(self) -> str: ...

@disjoint_base
class Authenticator:
    """The native class; ``mongoawsauth.Authenticator`` subclasses it, making the ``*_async``
    methods coroutines. Every keyword not given (or ``None``) takes the core's default
    (``mongoawsauth.defaults``)."""

    def __new__(
        cls,
        *,
        provider: Union[_Provider, SamlProvider, None] = None,
        credentials: Optional[Credentials] = None,
        credential_policy: Optional[Literal["strict", "legacy"]] = None,
        env: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        refresh_window: Optional[float] = None,
        refresh_ahead: Optional[float] = None,
        sts_endpoint: Optional[str] = None,
        imds_endpoint: Optional[str] = None,
        ecs_base_url: Optional[str] = None,
        metadata_connect_timeout: Optional[float] = None,
        metadata_read_timeout: Optional[float] = None,
        sts_timeout: Optional[float] = None,
        profile: Optional[str] = None,
        shared_config: Optional[bool] = None,
    ) -> Authenticator:
        """``profile``: the profile of ``~/.aws/config`` / ``~/.aws/credentials`` to use,
        overriding ``AWS_PROFILE``; it must exist in one of the files (``ConfigurationError``
        otherwise). ``shared_config=False``: the files are not read at all (the MongoDB
        specification's chain only). A wrong type raises ``InvalidArgumentTypeError`` (a
        ``TypeError``), a bad value ``InvalidArgumentError`` (a ``ValueError``), naming the
        keyword."""
    def credentials(self, timeout: Optional[float] = None) -> Credentials: ...
    def credentials_async(self, timeout: Optional[float] = None) -> Awaitable[Credentials]: ...
    def resolve(self, timeout: Optional[float] = None) -> Resolution: ...
    def resolve_async(self, timeout: Optional[float] = None) -> Awaitable[Resolution]: ...
    def conversation(self, timeout: Optional[float] = None) -> Conversation: ...
    def conversation_async(self, timeout: Optional[float] = None) -> Awaitable[Conversation]: ...
    def report_failure(self, used: Union[Conversation, Credentials, int]) -> bool: ...

@final
class CacheEntry:
    @property
    def key(self) -> str: ...
    @property
    def access_key_id(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def expiration_timestamp(self) -> float: ...
    @property
    def generation(self) -> int: ...

@final
class CancelOnDone:
    """The done-callback that cancels a native fetch when its asyncio future is cancelled."""

    def __call__(self, future: Any) -> None: ...

def cache_entries() -> list[CacheEntry]: ...
def cache_get(key: Optional[str] = None) -> Optional[Credentials]: ...
def cache_set(key: str, credentials: Credentials) -> int: ...
def cache_clear() -> None: ...
def cache_expire(expiration: Union[datetime.datetime, float], key: Optional[str] = None) -> int: ...
def cache_poison(key: Optional[str] = None) -> int: ...
def invalidate_generation(generation: int) -> bool: ...
def shutdown_runtime() -> None: ...

# Registered with atexit by the package: the core's worker threads stop entering the interpreter.
def close_before_exit() -> None: ...

# The core's tables: error kinds (name, result code, words) and defaults (mongoawsauth.defaults).
def error_kinds() -> list[tuple[str, int, str]]: ...
def defaults() -> dict[str, Any]: ...

# Behind mongoawsauth.signing, mongoawsauth.settings and the pymongo_auth_aws drop-in.
def sts_region(host: str) -> str: ...
def sign_get_caller_identity(
    credentials: Credentials,
    host: str,
    server_nonce: Union[bytes, bytearray],
    at: Union[datetime.datetime, float, None] = None,
) -> tuple[str, str]: ...
def client_final_payload(
    credentials: Credentials,
    host: str,
    server_nonce: Union[bytes, bytearray],
    at: Union[datetime.datetime, float, None] = None,
) -> bytes: ...
def validate_settings(
    uri: str, credential_policy: Optional[Literal["strict", "legacy"]] = None
) -> tuple[str, Optional[Credentials]]: ...
def credentials_from_object(value: Union[Credentials, Mapping[str, Any], Any]) -> Credentials: ...
