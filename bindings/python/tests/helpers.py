"""Shared test helpers: logins through real pymongo, and BSON payload checks."""

from __future__ import annotations

import pymongo


def login(uri: str) -> str:
    """Logs in through pymongo with a fresh client and returns the ARN the server saw."""
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10000, connectTimeoutMS=10000, maxPoolSize=1)
    try:
        status = client.admin.command("connectionStatus")
        return status["authInfo"]["authenticatedUsers"][0]["user"]
    finally:
        client.close()


def find(uri: str) -> bool:
    """The spec's `find`: whether a new client can authenticate and run it."""
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10000, maxPoolSize=1)
    try:
        list(client.test.coll.find({}))
        return True
    except pymongo.errors.OperationFailure as exc:
        assert exc.code == 18 or "MONGODB-AWS" in str(exc), exc
        return False
    finally:
        client.close()


def set_env(monkeypatch, **variables):
    for name, value in variables.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
