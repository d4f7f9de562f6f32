"""mongoawsauth after os.fork() and from several threads at once, logging in through pymongo."""

from __future__ import annotations

import os
import threading

import pytest

import mongoawsauth
from mongoawsauth import testing as cache

from helpers import login, set_env


def test_child_process_authenticates_after_fork(standins, monkeypatch):
    user = standins["identities"]["user"]
    set_env(monkeypatch, AWS_ACCESS_KEY_ID=user["access_key_id"], AWS_SECRET_ACCESS_KEY=user["secret_access_key"])
    mongoawsauth.patch_pymongo()
    # The parent has used the library runtime (and its worker threads) before forking.
    assert login(standins["mongodb_uri"]) == user["arn"]
    assert mongoawsauth.Authenticator().credentials().access_key_id == user["access_key_id"]
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            ok = login(standins["mongodb_uri"]) == user["arn"]
            ok = ok and mongoawsauth.Authenticator().credentials().access_key_id == user["access_key_id"]
            code = 0 if ok else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert login(standins["mongodb_uri"]) == user["arn"]


def test_fork_keeps_the_cache_and_a_child_can_refetch(standins, monkeypatch):
    set_env(monkeypatch, AWS_EC2_METADATA_DISABLED="false", AWS_EC2_METADATA_SERVICE_ENDPOINT=standins["imds_url"])
    mongoawsauth.patch_pymongo()
    assert ":assumed-role/imds-role/" in login(standins["mongodb_uri"])
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            kept = len(cache.entries()) == 1
            cache.clear()
            ok = ":assumed-role/imds-role/" in login(standins["mongodb_uri"]) and len(cache.entries()) == 1
            code = 0 if kept and ok else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0


@pytest.mark.parametrize("threads", [8])
def test_threads_log_in_at_once_with_one_fetch(standins, monkeypatch, threads):
    set_env(
        monkeypatch,
        AWS_CONTAINER_CREDENTIALS_FULL_URI=standins["container_url"],
        AWS_CONTAINER_AUTHORIZATION_TOKEN=standins["container_token"],
    )
    mongoawsauth.patch_pymongo()
    auth = mongoawsauth.Authenticator()
    barrier = threading.Barrier(threads)
    keys, arns, failures = [], [], []

    def work():
        try:
            barrier.wait()
            keys.append(auth.credentials().access_key_id)
            arns.append(login(standins["mongodb_uri"]))
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not failures, failures
    # The stand-in issues a new session per request: one key means one fetch (single flight).
    assert len(set(keys)) == 1 and len(keys) == threads
    assert len(arns) == threads and all(":assumed-role/container-role/" in a for a in arns)
