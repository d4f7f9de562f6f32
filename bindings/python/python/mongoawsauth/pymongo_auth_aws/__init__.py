"""A drop-in for ``pymongo_auth_aws`` 1.3, backed by mongoawsauth.

:func:`mongoawsauth.patch_pymongo` registers this package as ``pymongo_auth_aws`` (and its
``auth``, ``errors`` and ``version`` modules as the submodules of the same names) and re-points
what pymongo already imported, so pymongo's MONGODB-AWS authentication and pymongocrypt's
on-demand KMS credentials run here, without boto3. Every name of 1.3 is here with 1.3's
behaviour; ``docs/python.md`` has the table of what differs and why.
"""

from . import auth, errors, version
from .auth import (
    AwsCredential,
    AwsSaslContext,
    _aws_auth_header,
    _aws_temp_credentials,
    _credential_buffer_seconds,
    _enable_use_cached_credentials,
    _get_region,
    aws_temp_credentials,
    aws_temp_credentials_async,
    get_cached_credentials,
    get_use_cached_credentials,
    set_cached_credentials,
    set_use_cached_credentials,
    utc,
)
from .errors import PyMongoAuthAwsError
from .version import __version__

__all__ = [
    "AwsCredential",
    "AwsSaslContext",
    "PyMongoAuthAwsError",
    "__version__",
    "auth",
    "aws_temp_credentials",
    "aws_temp_credentials_async",
    "errors",
    "get_cached_credentials",
    "get_use_cached_credentials",
    "set_cached_credentials",
    "set_use_cached_credentials",
    "version",
]
