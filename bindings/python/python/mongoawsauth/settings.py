"""A connection string's MONGODB-AWS settings, checked by the MongoDB specification's rules,
for drivers and tools that take a URI and want to refuse a bad one early. pymongo checks its
own settings; applications using it need none of this."""

from __future__ import annotations

from typing import Literal, NamedTuple, Optional

from . import _native
from ._native import Credentials


class ValidatedSettings(NamedTuple):
    """Settings that passed: ``auth_source`` (always ``"$external"``) and ``credentials`` (only
    under the legacy policy, when the URI carried a complete set; else ``None``)."""

    auth_source: str
    credentials: Optional[Credentials]


def validate(uri: str, *, credential_policy: Literal["strict", "legacy"] = "strict") -> ValidatedSettings:
    """Checks the MONGODB-AWS settings of a ``mongodb://`` or ``mongodb+srv://`` URI: the
    mechanism, ``authSource`` and ``authMechanismProperties``, and (the current specification,
    ``"strict"``) that it carries no credentials, which must come from the environment or a
    provider; ``"legacy"`` accepts a complete set in the URI, as the specification did before
    2025-10. Raises :class:`mongoawsauth.ConfigurationError` for settings the specification
    refuses, :class:`mongoawsauth.InvalidArgumentError` for text that is not a connection
    string. Messages never repeat a password or token."""
    auth_source, credentials = _native.validate_settings(uri, credential_policy)
    return ValidatedSettings(auth_source, credentials)


__all__ = ["ValidatedSettings", "validate"]
