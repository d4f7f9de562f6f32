"""The package as a user has it: the examples of examples/python log in against the stand-ins.

Run by `make python-install-test` (and `make check-dist-sdist`) with the interpreter of a fresh
venv into which pip installed only the built wheel (or the sdist) and pymongo, so it uses the
standard library alone, not pytest nor anything under tests/. (The Makefile makes sure no cargo,
rustc or maturin is on PATH.) It checks that what it tests is the installed package, not the
checkout's sources, then runs each example as a user would and compares what it prints with the
identity the stand-ins assigned. Everything stays on 127.0.0.1: the stand-ins are the STS and the mongod.

Usage: python check_installed.py STANDINS_BINARY EXAMPLES_DIR
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path


def fail(message: str) -> None:
    sys.exit(f"check_installed: {message}")


def installed_package() -> Path:
    import mongoawsauth

    location = Path(mongoawsauth.__file__).resolve().parent
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    if location.parent != site:
        fail(f"mongoawsauth was imported from {location}, not from this venv's {site}")
    return location


def child_env(home: Path, **extra: str) -> dict:
    """No AWS_* from outside, IMDS off, loopback only, shared files in an empty directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_EC2_METADATA_DISABLED="true",
        MONGOAWSAUTH_LOOPBACK_ONLY="1",
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
    )
    env.update(extra)
    return env


def run_example(examples: Path, name: str, env: dict, expected: str) -> None:
    result = subprocess.run(
        [sys.executable, str(examples / name)], env=env, capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0 or result.stdout.strip() != expected:
        fail(f"{name} exited {result.returncode}, printed {result.stdout.strip()!r} instead of "
             f"{expected!r}; stderr: {result.stderr[-2000:]}")
    print(f"{name}: logged in as {expected}")


def main() -> None:
    if len(sys.argv) != 3:
        fail(__doc__.strip().splitlines()[-1])
    standins, examples = Path(sys.argv[1]), Path(sys.argv[2])
    package = installed_package()
    print(f"mongoawsauth from {package}")

    home = Path(tempfile.mkdtemp(prefix="mongoawsauth-installed-"))
    process = subprocess.Popen(
        [str(standins)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=child_env(home), text=True,
    )
    try:
        line = process.stdout.readline()
        if not line:
            fail(f"{standins} did not start: {process.stderr.read()[-2000:]}")
        info = json.loads(line)
        user, temporary = info["identities"]["user"], info["identities"]["temporary"]
        run_example(examples, "authenticate.py", child_env(
            home,
            AWS_ACCESS_KEY_ID=user["access_key_id"],
            AWS_SECRET_ACCESS_KEY=user["secret_access_key"],
            MONGOD_ADDRESS=info["mongod"],
        ), user["arn"])
        run_example(examples, "pymongo_login.py", child_env(
            home,
            AWS_ACCESS_KEY_ID=temporary["access_key_id"],
            AWS_SECRET_ACCESS_KEY=temporary["secret_access_key"],
            AWS_SESSION_TOKEN=temporary["session_token"],
            MONGODB_URI=info["mongodb_uri"],
        ), temporary["arn"])
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
