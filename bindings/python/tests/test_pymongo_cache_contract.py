"""pymongo-auth-aws 1.3's cache contract, through the real MongoClient and AsyncMongoClient
against the stand-ins: what is set is what is used and read back, a failed login clears what it
used (credentials set by hand included) and the next login fetches anew, per login rather than
per thread, on threads and on one event loop."""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import quote_plus

import pymongo
import pytest
from pymongo.errors import OperationFailure

import mongoawsauth
from mongoawsauth import testing as cache

from helpers import set_env

TIMEOUTS = {"serverSelectionTimeoutMS": 10000, "connectTimeoutMS": 10000}


@pytest.fixture
def auth(standins, monkeypatch):
    """pymongo_auth_aws.auth, patched in, with container-endpoint credentials (which are cached)."""
    set_env(
        monkeypatch,
        AWS_CONTAINER_CREDENTIALS_FULL_URI=standins["container_url"],
        AWS_CONTAINER_AUTHORIZATION_TOKEN=standins["container_token"],
    )
    mongoawsauth.patch_pymongo()
    from pymongo_auth_aws import auth

    auth.set_use_cached_credentials(None)
    auth.set_cached_credentials(None)
    yield auth
    auth.set_cached_credentials(None)
    auth.set_use_cached_credentials(None)


def new_client(uri, **kwargs):
    return pymongo.MongoClient(uri, maxPoolSize=1, **TIMEOUTS, **kwargs)


def find_one(uri):
    client = new_client(uri)
    try:
        client.get_database("test").test.find_one()
    finally:
        client.close()


def setup_cache(auth, uri):
    """pymongo's own test suite: log in once, clear the cache by hand, log in again."""
    find_one(uri)
    assert auth.get_use_cached_credentials()
    auth.set_cached_credentials(None)
    assert auth.get_cached_credentials() is None
    find_one(uri)
    return auth.get_cached_credentials()


def test_cache_credentials(auth, standins):
    creds = setup_cache(auth, standins["mongodb_uri"])
    assert creds is not None and creds.token is not None
    assert auth.get_cached_credentials() is creds, "read back as the login was given it"


def test_poisoned_cache(auth, standins):
    """Written as pymongo's test_poisoned_cache: bogus credentials through set_cached_credentials,
    the login fails, the cache is empty afterwards, and the next login fetches anew."""
    uri = standins["mongodb_uri"]
    creds = setup_cache(auth, uri)
    client = new_client(uri)
    try:
        assert creds is not None
        creds = auth.AwsCredential("a" * 24, "b" * 24, "c" * 24)
        auth.set_cached_credentials(creds)
        with pytest.raises(OperationFailure):
            client.get_database("test").test.find_one()
        assert auth.get_cached_credentials() is None
        client.get_database("test").test.find_one()
        assert auth.get_cached_credentials() is not None
    finally:
        client.close()


def test_cache_about_to_expire(auth, standins):
    uri = standins["mongodb_uri"]
    setup_cache(auth, uri)
    creds = auth.get_cached_credentials()
    creds = auth.AwsCredential(creds.username, creds.password, creds.token, lambda buffer: True)
    auth.set_cached_credentials(creds)
    find_one(uri)
    new_creds = auth.get_cached_credentials()
    assert new_creds is not None and new_creds is not creds


def whoami(client):
    return client.admin.command("connectionStatus")["authInfo"]["authenticatedUsers"][0]["user"]


def test_what_is_set_is_used_and_read_back(auth, standins):
    user = standins["identities"]["user"]
    find_one(standins["mongodb_uri"])  # pymongo turns the flag on at its first login
    creds = auth.AwsCredential(user["access_key_id"], user["secret_access_key"], None)
    auth.set_cached_credentials(creds)
    assert cache.entries() == [], "setting by hand replaces the cached entry"
    client = new_client(standins["mongodb_uri"])
    try:
        assert whoami(client) == user["arn"]
    finally:
        client.close()
    assert auth.get_cached_credentials() is creds


def test_failure_with_explicit_credentials_keeps_the_cached_entry(auth, standins):
    uri = standins["mongodb_uri"]
    find_one(uri)
    (entry,) = cache.entries()
    bad = uri.replace("mongodb://", f"mongodb://AKIANOTAKEY00000000:{quote_plus('not-a-secret')}@")
    with pytest.raises(OperationFailure):
        find_one(bad)
    assert [e.generation for e in cache.entries()] == [entry.generation], "the failed login used none"


def test_threads_drop_only_the_poisoned_generation(auth, standins):
    uri = standins["mongodb_uri"]
    find_one(uri)
    (poisoned,) = cache.entries()
    assert cache.poison() == 1
    outcomes = []
    barrier = threading.Barrier(6)

    def worker():
        barrier.wait()
        try:
            find_one(uri)
            outcomes.append("ok")
        except OperationFailure:
            outcomes.append("failed")

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(outcomes) == 6 and "failed" in outcomes
    assert all(e.generation != poisoned.generation for e in cache.entries())
    find_one(uri)  # a later login fetches anew and works
    (fresh,) = cache.entries()
    assert fresh.generation != poisoned.generation


async def async_find_one(uri):
    client = pymongo.AsyncMongoClient(uri, maxPoolSize=1, **TIMEOUTS)
    try:
        await client.get_database("test").test.find_one()
    finally:
        await client.close()


def test_async_concurrent_failures_keep_the_entry_other_logins_use(auth, standins):
    """Handshakes interleave on one loop: failures with explicit bogus keys must not drop the
    cached entry the other logins, running between their steps, are signing with."""
    uri = standins["mongodb_uri"]
    bad = uri.replace("mongodb://", f"mongodb://AKIANOTAKEY00000000:{quote_plus('not-a-secret')}@")

    async def rounds():
        await async_find_one(uri)
        (entry,) = cache.entries()
        for _ in range(3):
            results = await asyncio.gather(
                *(async_find_one(u) for u in [uri, bad] * 4), return_exceptions=True
            )
            assert all(r is None for r in results[0::2]), results
            assert all(isinstance(r, OperationFailure) for r in results[1::2]), results
            assert [e.generation for e in cache.entries()] == [entry.generation]

    asyncio.run(rounds())


def test_async_poisoned_cache(auth, standins):
    uri = standins["mongodb_uri"]

    async def scenario():
        await async_find_one(uri)
        auth.set_cached_credentials(auth.AwsCredential("a" * 24, "b" * 24, "c" * 24))
        with pytest.raises(OperationFailure):
            await async_find_one(uri)
        assert auth.get_cached_credentials() is None
        await async_find_one(uri)
        assert auth.get_cached_credentials() is not None

    asyncio.run(scenario())


def test_async_login_fetches_off_the_event_loop(standins):
    """The provider needs the event loop to answer: it can only succeed if pymongo's login
    leaves the loop free while credentials are fetched."""
    user = standins["identities"]["user"]
    state = {}

    def provider():
        ping = asyncio.run_coroutine_threadsafe(asyncio.sleep(0), state["loop"])
        ping.result(timeout=5)  # times out if the loop is blocked waiting for this provider
        return {"access_key_id": user["access_key_id"], "secret_access_key": user["secret_access_key"]}

    mongoawsauth.patch_pymongo(provider=provider)

    async def scenario():
        state["loop"] = asyncio.get_running_loop()
        client = pymongo.AsyncMongoClient(standins["mongodb_uri"], maxPoolSize=1, **TIMEOUTS)
        try:
            status = await client.admin.command("connectionStatus")
            return status["authInfo"]["authenticatedUsers"][0]["user"]
        finally:
            await client.close()

    assert asyncio.run(scenario()) == user["arn"]
