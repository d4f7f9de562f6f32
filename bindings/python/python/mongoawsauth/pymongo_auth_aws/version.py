"""``pymongo_auth_aws.version``: the version pymongo prints in its error messages.

The public part is the API level this drop-in implements (pymongo-auth-aws 1.3.0); the local
part names what really answered, so a bug report shows it.
"""

from .. import _native

__all__ = ["__version__"]

__version__ = f"1.3.0+mongoawsauth.{_native.__version__}"
