"""Runs :func:`mongoawsauth.patch_pymongo` at interpreter start when the environment asks for it.

The wheel installs ``mongoawsauth_autopatch.pth`` into site-packages; Python's ``site`` module
runs its one line at every start, which imports this module only when
``MONGOAWSAUTH_PATCH_PYMONGO`` is set, so an unset variable costs one dictionary lookup. The
patch itself imports neither pymongo nor anything that does I/O: it registers the drop-in and an
import hook. A failure is reported on stderr and never stops the interpreter (a ``.pth`` line
that raises would only print a traceback and go on).
"""

import os
import sys
from collections.abc import Mapping

ENV_VAR = "MONGOAWSAUTH_PATCH_PYMONGO"


def run(environ: Mapping[str, str] = os.environ) -> bool:
    value = environ.get(ENV_VAR, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    try:
        import mongoawsauth

        mongoawsauth.patch_pymongo()
    except Exception as exc:  # noqa: BLE001 - never break interpreter start
        sys.stderr.write(f"mongoawsauth: {ENV_VAR} is set but pymongo was not patched: {exc}\n")
        return False
    return True


run()
