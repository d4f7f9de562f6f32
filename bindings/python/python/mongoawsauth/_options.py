"""The keyword arguments of ``Authenticator`` as a ``TypedDict``, for ``patch_pymongo(**options)``
and for applications that keep them in a dict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, Optional, TypedDict, Union

if TYPE_CHECKING:
    from ._native import Credentials, SamlProvider, _Provider


class AuthenticatorOptions(TypedDict, total=False):
    """Every keyword of :class:`mongoawsauth.Authenticator`, each optional (``None`` or absent:
    the core's default, :mod:`mongoawsauth.defaults`). Durations are seconds."""

    provider: Union[_Provider, SamlProvider, None]
    credentials: Optional[Credentials]
    credential_policy: Optional[Literal["strict", "legacy"]]
    env: Optional[Mapping[str, str]]
    timeout: Optional[float]
    refresh_window: Optional[float]
    refresh_ahead: Optional[float]
    sts_endpoint: Optional[str]
    imds_endpoint: Optional[str]
    ecs_base_url: Optional[str]
    metadata_connect_timeout: Optional[float]
    metadata_read_timeout: Optional[float]
    sts_timeout: Optional[float]
    profile: Optional[str]
    shared_config: Optional[bool]
