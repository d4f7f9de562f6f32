"""The interpreter exits cleanly while the library's worker threads are busy entering it.

Custom provider callbacks and the logging bridge run Python from the core's worker threads. A
worker that asked for the GIL after finalization had begun was ended by CPython (before 3.13)
with ``pthread_exit``, and the process died of SIGABRT or SIGBUS at exit: every run of the
script below did, before the package closed the interpreter to those threads from an
``atexit`` hook.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import logging, sys, threading, time
    import mongoawsauth

    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)

    def slow_provider():
        time.sleep(0.05)
        return {"access_key_id": "AKIAEXITTEST", "secret_access_key": "exit-test-secret"}

    def work():
        while True:
            try:
                mongoawsauth.Authenticator(provider=slow_provider).credentials()
            except Exception:
                pass

    for _ in range(8):
        threading.Thread(target=work, daemon=True).start()
    time.sleep(0.3)
    print("exiting", flush=True)
    """
)


def test_exit_while_worker_threads_call_into_python():
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
        assert done.stdout == "exiting\n"
        assert "resolved AWS credentials" in done.stderr, "the workers never got going: this run proves nothing"
        assert "exit-test-secret" not in done.stderr
