"""Logins through the real pymongo, patched with mongoawsauth, against the testkit's fake mongod
and STS stand-in: every credential source, a wrong secret, and the spec's caching test plan."""

from __future__ import annotations

import time
from urllib.parse import quote_plus, urlsplit

import pymongo
import pytest

import mongoawsauth
from mongoawsauth import testing as cache

from helpers import find, login, set_env


def test_environment_user(standins, monkeypatch):
    user = standins["identities"]["user"]
    set_env(monkeypatch, AWS_ACCESS_KEY_ID=user["access_key_id"], AWS_SECRET_ACCESS_KEY=user["secret_access_key"])
    mongoawsauth.patch_pymongo()
    assert login(standins["mongodb_uri"]) == user["arn"]


def test_environment_temporary(standins, monkeypatch):
    temp = standins["identities"]["temporary"]
    set_env(
        monkeypatch,
        AWS_ACCESS_KEY_ID=temp["access_key_id"],
        AWS_SECRET_ACCESS_KEY=temp["secret_access_key"],
        AWS_SESSION_TOKEN=temp["session_token"],
    )
    mongoawsauth.patch_pymongo()
    assert login(standins["mongodb_uri"]) == temp["arn"]


def test_wrong_secret_fails_with_operation_failure(standins, monkeypatch):
    user = standins["identities"]["user"]
    set_env(monkeypatch, AWS_ACCESS_KEY_ID=user["access_key_id"], AWS_SECRET_ACCESS_KEY="not-the-secret")
    mongoawsauth.patch_pymongo()
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        login(standins["mongodb_uri"])
    assert info.value.code == 18
    assert user["secret_access_key"] not in str(info.value)


def test_explicit_uri_credentials_are_honoured(standins):
    user = standins["identities"]["user"]
    mongoawsauth.patch_pymongo()
    uri = standins["mongodb_uri"].replace(
        "mongodb://", f"mongodb://{user['access_key_id']}:{quote_plus(user['secret_access_key'])}@"
    )
    assert login(uri) == user["arn"]


def test_web_identity(standins, monkeypatch):
    wi = standins["web_identity"]
    set_env(
        monkeypatch,
        AWS_WEB_IDENTITY_TOKEN_FILE=wi["token_file"],
        AWS_ROLE_ARN=wi["role_arn"],
        AWS_ENDPOINT_URL_STS=standins["local_sts_url"],
    )
    mongoawsauth.patch_pymongo()
    assert ":assumed-role/mongo-web-identity/" in login(standins["mongodb_uri"])
    (entry,) = cache.entries()
    assert entry.source == "web_identity"


def test_container_full_uri(standins, monkeypatch):
    set_env(
        monkeypatch,
        AWS_CONTAINER_CREDENTIALS_FULL_URI=standins["container_url"],
        AWS_CONTAINER_AUTHORIZATION_TOKEN=standins["container_token"],
    )
    mongoawsauth.patch_pymongo()
    assert ":assumed-role/container-role/" in login(standins["mongodb_uri"])


def test_container_relative_uri_with_loopback_base(standins, monkeypatch):
    url = urlsplit(standins["container_url"])
    # The ECS base address is overridden to the stand-in before the relative URI is set.
    mongoawsauth.patch_pymongo(ecs_base_url=f"{url.scheme}://{url.netloc}")
    set_env(
        monkeypatch,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=url.path,
        AWS_CONTAINER_AUTHORIZATION_TOKEN=standins["container_token"],
    )
    assert ":assumed-role/container-role/" in login(standins["mongodb_uri"])


def test_imds(standins, monkeypatch):
    set_env(
        monkeypatch,
        AWS_EC2_METADATA_DISABLED="false",
        AWS_EC2_METADATA_SERVICE_ENDPOINT=standins["imds_url"],
    )
    mongoawsauth.patch_pymongo()
    assert ":assumed-role/imds-role/" in login(standins["mongodb_uri"])


def test_custom_provider(standins):
    temp = standins["identities"]["temporary"]
    calls = []

    def provider():
        calls.append(1)
        return {
            "access_key_id": temp["access_key_id"],
            "secret_access_key": temp["secret_access_key"],
            "session_token": temp["session_token"],
        }

    mongoawsauth.patch_pymongo(provider=provider)
    assert login(standins["mongodb_uri"]) == temp["arn"]
    assert calls


def test_saml(standins):
    saml = standins["saml"]
    provider = mongoawsauth.SamlProvider(saml["role_arn"], saml["principal_arn"], assertion=lambda: saml["assertion"])
    mongoawsauth.patch_pymongo(provider=provider, sts_endpoint=standins["local_sts_url"])
    assert ":assumed-role/mongo-saml/" in login(standins["mongodb_uri"])
    assert saml["assertion"] not in repr(provider)


def test_failure_with_cached_credentials_clears_the_cache(standins, monkeypatch):
    set_env(
        monkeypatch,
        AWS_CONTAINER_CREDENTIALS_FULL_URI=standins["container_url"],
        AWS_CONTAINER_AUTHORIZATION_TOKEN=standins["container_token"],
    )
    mongoawsauth.patch_pymongo()
    assert find(standins["mongodb_uri"])
    assert cache.poison() == 1
    assert not find(standins["mongodb_uri"])
    assert cache.entries() == []
    assert find(standins["mongodb_uri"])


def test_spec_caching_part_a(standins, monkeypatch):
    """auth/tests/mongodb-aws.md, "Cached Credentials", part A, through pymongo."""
    set_env(monkeypatch, AWS_EC2_METADATA_DISABLED="false", AWS_EC2_METADATA_SERVICE_ENDPOINT=standins["imds_url"])
    mongoawsauth.patch_pymongo()
    uri = standins["mongodb_uri"]
    cache.clear()  # 1
    assert find(uri)  # 2, 3
    (first,) = cache.entries()  # 4: the cache is populated
    cache.expire(time.time() + 50)  # 5: override the expiry to within a minute
    assert find(uri)  # 6, 7: a new client refreshes
    (second,) = cache.entries()
    assert second.generation != first.generation and second.expiration_timestamp > time.time() + 600  # 8
    cache.poison()  # 9
    assert not find(uri)  # 10, 11
    assert cache.entries() == []  # 12
    assert find(uri)  # 13
    assert len(cache.entries()) == 1  # 14


def test_spec_caching_part_b(standins, monkeypatch):
    """Part B: environment credentials are never cached, and a valid cache entry wins."""
    set_env(monkeypatch, AWS_EC2_METADATA_DISABLED="false", AWS_EC2_METADATA_SERVICE_ENDPOINT=standins["imds_url"])
    mongoawsauth.patch_pymongo()
    uri = standins["mongodb_uri"]
    cache.clear()
    assert find(uri)
    cached = cache.get()
    set_env(
        monkeypatch,
        AWS_ACCESS_KEY_ID=cached.access_key_id,
        AWS_SECRET_ACCESS_KEY=cached.secret_access_key,
        AWS_SESSION_TOKEN=cached.session_token,
    )
    cache.clear()
    assert find(uri)
    assert cache.entries() == []  # environment credentials are not cached
    set_env(monkeypatch, AWS_ACCESS_KEY_ID="AKIAINVALIDINVALID00", AWS_SECRET_ACCESS_KEY="invalid", AWS_SESSION_TOKEN=None)
    assert not find(uri)
    set_env(monkeypatch, AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
    cache.clear()
    assert find(uri)
    set_env(monkeypatch, AWS_ACCESS_KEY_ID="AKIAINVALIDINVALID00", AWS_SECRET_ACCESS_KEY="invalid")
    assert find(uri), "a valid cached entry wins over the environment"
