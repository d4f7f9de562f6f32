"""Fixtures: a clean AWS environment for every test, and the loopback stand-ins.

Nothing here talks to anything but 127.0.0.1. Every test starts with every AWS_* variable
removed from os.environ, AWS_EC2_METADATA_DISABLED=true and MONGOAWSAUTH_LOOPBACK_ONLY=1, and
an empty credentials cache. Child processes get the same environment from `clean_env()`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import mongoawsauth
import mongoawsauth.testing

REPO = Path(__file__).resolve().parents[3]
EMPTY_HOME = Path(tempfile.mkdtemp(prefix="mongoawsauth-py-home-"))


def clean_env(**extra: str) -> dict:
    """The environment of a child process: no AWS_* from outside, IMDS off, loopback only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_EC2_METADATA_DISABLED="true",
        MONGOAWSAUTH_LOOPBACK_ONLY="1",
        HOME=str(EMPTY_HOME),
        AWS_CONFIG_FILE=str(EMPTY_HOME / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(EMPTY_HOME / "credentials"),
    )
    env.update(extra)
    assert "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" not in env
    if env.get("AWS_EC2_METADATA_DISABLED") != "true":
        assert env["AWS_EC2_METADATA_SERVICE_ENDPOINT"].startswith("http://127.0.0.1")
    return env


@pytest.fixture(autouse=True)
def aws_clean(monkeypatch):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("MONGOAWSAUTH_LOOPBACK_ONLY", "1")
    mongoawsauth.testing.clear()
    yield
    mongoawsauth.testing.clear()
    mongoawsauth.unpatch_pymongo()


class Process:
    """A helper process that prints one JSON line and runs until its stdin closes."""

    def __init__(self, argv: list[str], name: str):
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=clean_env(), text=True,
        )
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read()
            raise RuntimeError(f"{name} did not start: {err[-2000:]}")
        self.info = json.loads(line)

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def standins_binary() -> str:
    path = os.environ.get("MONGOAWSAUTH_STANDINS")
    if path:
        return path
    for profile in ("debug", "release"):
        candidate = REPO / "target" / profile / "mongoawsauth-standins"
        if candidate.exists():
            return str(candidate)
    pytest.fail(
        "mongoawsauth-standins not found: build it with `cargo build -p "
        "mongoawsauth-testkit --bin mongoawsauth-standins` or set MONGOAWSAUTH_STANDINS"
    )


@pytest.fixture(scope="session")
def standins():
    """The testkit's stand-ins: fake mongod, STS, IMDS and container endpoints."""
    process = Process([standins_binary()], "mongoawsauth-standins")
    yield process.info
    process.stop()


@pytest.fixture(scope="session")
def moto():
    """moto as a SigV4-verifying STS (tests/e2e/moto_sts.py)."""
    process = Process([sys.executable, str(REPO / "tests" / "e2e" / "moto_sts.py")], "moto_sts.py")
    assert process.info["auth"] is True
    yield process.info
    process.stop()


@pytest.fixture(scope="session")
def moto_standins(moto):
    """The stand-ins with the fake mongod forwarding GetCallerIdentity to moto."""
    process = Process([standins_binary(), "--sts-url", moto["endpoint"] + "/"], "mongoawsauth-standins")
    yield process.info
    process.stop()
