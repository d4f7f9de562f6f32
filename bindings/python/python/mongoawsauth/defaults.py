"""The defaults and limits of :class:`mongoawsauth.Authenticator`, read from the core library
(the same values in every face), in seconds and under the keyword names of ``Authenticator``.

``Authenticator()`` uses these for every keyword not given (or given as ``None``)::

    >>> import mongoawsauth.defaults
    >>> mongoawsauth.defaults.timeout, mongoawsauth.defaults.refresh_window
    (10.0, 300.0)
"""

from __future__ import annotations

from typing import Final

from . import _native

_values = _native.defaults()

#: How long ``credentials()`` and its twins wait for credentials, in seconds.
timeout: Final[float] = _values["timeout"]
#: Cached credentials expiring within this many seconds are not handed out; they are refreshed.
refresh_window: Final[float] = _values["refresh_window"]
#: Cached credentials expiring within this many seconds are refreshed in the background.
refresh_ahead: Final[float] = _values["refresh_ahead"]
#: Connection timeout of the instance metadata and container endpoints, in seconds.
metadata_connect_timeout: Final[float] = _values["metadata_connect_timeout"]
#: Read timeout of the instance metadata and container endpoints, in seconds.
metadata_read_timeout: Final[float] = _values["metadata_read_timeout"]
#: Timeout of one STS request, in seconds.
sts_timeout: Final[float] = _values["sts_timeout"]
#: The ECS container credentials endpoint's base URL.
ecs_base_url: Final[str] = _values["ecs_base_url"]
#: Whether ``~/.aws/config`` and ``~/.aws/credentials`` are read.
shared_config: Final[bool] = _values["shared_config"]
#: The largest timeout any face accepts (2^31-1 milliseconds), in seconds.
max_timeout: Final[float] = _values["max_timeout"]
#: The shortest and longest session ``SamlProvider(duration=...)`` may ask for, in seconds.
saml_duration_min: Final[int] = _values["saml_duration_min"]
saml_duration_max: Final[int] = _values["saml_duration_max"]

__all__ = [
    "ecs_base_url",
    "max_timeout",
    "metadata_connect_timeout",
    "metadata_read_timeout",
    "refresh_ahead",
    "refresh_window",
    "saml_duration_max",
    "saml_duration_min",
    "shared_config",
    "sts_timeout",
    "timeout",
]
