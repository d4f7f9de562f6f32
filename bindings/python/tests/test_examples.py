"""Every Python example runs, as a user would run it, against the stand-ins, so that no example can rot."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO, clean_env

EXAMPLES = REPO / "examples" / "python"


def run(name, **env):
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name)], env=clean_env(**env), capture_output=True, text=True, timeout=60
    )


def test_authenticate_example(standins):
    user = standins["identities"]["user"]
    creds = {"AWS_ACCESS_KEY_ID": user["access_key_id"], "MONGOD_ADDRESS": standins["mongod"]}
    ok = run("authenticate.py", AWS_SECRET_ACCESS_KEY=user["secret_access_key"], **creds)
    assert ok.returncode == 0 and ok.stdout.strip() == user["arn"], ok.stderr
    refused = run("authenticate.py", AWS_SECRET_ACCESS_KEY="wrong", **creds)
    assert refused.returncode == 1 and "code 18" in refused.stderr
    assert user["secret_access_key"] not in refused.stderr + refused.stdout
    # No credentials anywhere: mongoawsauth's own error, with its code.
    missing = run("authenticate.py", MONGOD_ADDRESS=standins["mongod"])
    assert missing.returncode == 2 and "login failed (CREDENTIALS_NOT_FOUND)" in missing.stderr, missing.stderr


def test_pymongo_example(standins):
    temp = standins["identities"]["temporary"]
    result = run(
        "pymongo_login.py",
        AWS_ACCESS_KEY_ID=temp["access_key_id"],
        AWS_SECRET_ACCESS_KEY=temp["secret_access_key"],
        AWS_SESSION_TOKEN=temp["session_token"],
        MONGODB_URI=standins["mongodb_uri"],
    )
    assert result.returncode == 0 and result.stdout.strip() == temp["arn"], result.stderr
