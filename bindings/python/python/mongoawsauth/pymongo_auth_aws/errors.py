"""``pymongo_auth_aws.errors``: the one exception type of pymongo-auth-aws 1.3."""

from __future__ import annotations

from ..errors import MongoAwsAuthError

__all__ = ["PyMongoAuthAwsError"]


class PyMongoAuthAwsError(MongoAwsAuthError):
    """What every failure of the drop-in raises, as pymongo-auth-aws 1.3 does; pymongo turns it
    into ``OperationFailure``.

    It is also a :class:`mongoawsauth.MongoAwsAuthError`, so ``except`` clauses written for
    either package catch it. When mongoawsauth's own error is the reason, that error is the
    ``__cause__`` and its ``code``, ``result_code`` and ``attempts`` are copied here.
    """


def wrap(message: str, cause: BaseException | None = None) -> PyMongoAuthAwsError:
    """``PyMongoAuthAwsError(message)`` carrying the code, result code and attempts of ``cause``."""
    if isinstance(cause, MongoAwsAuthError):
        return PyMongoAuthAwsError(message, attempts=cause.attempts, result_code=cause.result_code)
    return PyMongoAuthAwsError(message)
