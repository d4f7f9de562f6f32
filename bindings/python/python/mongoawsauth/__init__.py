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

from ._native import (
    Attempt,
    Authenticator,
    Conversation,
    Credentials,
    Resolution,
    SamlProvider,
    __version__,
)
from .errors import (
    AuthenticationError,
    ConfigurationError,
    CredentialsNotFoundError,
    CredentialsProviderError,
    CredentialsTimeoutError,
    InternalError,
    InvalidArgumentError,
    MongoAwsAuthError,
    RuntimeContextError,
    SigningError,
)

__all__ = [
    "Attempt",
    "AuthenticationError",
    "Authenticator",
    "ConfigurationError",
    "Conversation",
    "Credentials",
    "CredentialsNotFoundError",
    "CredentialsProviderError",
    "CredentialsTimeoutError",
    "InternalError",
    "InvalidArgumentError",
    "MongoAwsAuthError",
    "Resolution",
    "RuntimeContextError",
    "SamlProvider",
    "SigningError",
    "__version__",
    "patch_pymongo",
    "unpatch_pymongo",
]


def patch_pymongo(**options):
    """Makes ``import pymongo_auth_aws`` resolve to :mod:`mongoawsauth.pymongo_auth_aws`, so
    pymongo's MONGODB-AWS authentication runs on mongoawsauth. Call it before the first login.

    Keyword arguments are those of :class:`Authenticator` (``provider=``, ``timeout=``...) and
    configure every login pymongo makes; without them the spec's default chain is used.
    """
    from . import pymongo_auth_aws

    pymongo_auth_aws._configure(**options)
    pymongo_auth_aws._install()


def unpatch_pymongo():
    """Undoes :func:`patch_pymongo`: ``import pymongo_auth_aws`` finds the installed package
    again, if there is one."""
    from . import pymongo_auth_aws

    pymongo_auth_aws._uninstall()
