"""The pymongo_auth_aws 1.3 API of mongoawsauth.pymongo_auth_aws, without a server."""

from __future__ import annotations

import os
import sys
import time

import bson
import pytest

import mongoawsauth
from mongoawsauth import pymongo_auth_aws as shim
from mongoawsauth import testing as cache

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class Context(shim.AwsSaslContext):
    def binary_type(self):
        return bson.Binary

    def bson_encode(self, doc):
        return bson.encode(doc)

    def bson_decode(self, data):
        return bson.decode(data)


@pytest.fixture(autouse=True)
def fresh_shim():
    shim._configure()
    shim.set_use_cached_credentials(None)
    shim.set_cached_credentials(None)
    yield
    shim.set_use_cached_credentials(None)


def test_public_names():
    for name in (
        "AwsCredential", "AwsSaslContext", "PyMongoAuthAwsError", "__version__", "aws_temp_credentials",
        "get_cached_credentials", "get_use_cached_credentials", "set_cached_credentials",
        "set_use_cached_credentials", "_credential_buffer_seconds",
    ):
        assert hasattr(shim, name), name
    assert isinstance(shim.__version__, str) and shim.__version__.startswith("1.3.0+mongoawsauth.")
    assert issubclass(shim.PyMongoAuthAwsError, Exception)
    assert shim.auth is shim and shim.errors is shim


def test_patch_pymongo_registers_the_module():
    mongoawsauth.patch_pymongo()
    import pymongo_auth_aws
    from pymongo_auth_aws.auth import set_cached_credentials
    from pymongo_auth_aws.errors import PyMongoAuthAwsError

    assert pymongo_auth_aws is shim and set_cached_credentials is shim.set_cached_credentials
    assert PyMongoAuthAwsError is shim.PyMongoAuthAwsError
    mongoawsauth.unpatch_pymongo()
    assert sys.modules.get("pymongo_auth_aws") is not shim
    with pytest.raises(TypeError):
        mongoawsauth.patch_pymongo(timeout="soon")


def test_aws_credential_is_mutable_and_redacted():
    c = shim.AwsCredential("AKIA", SECRET, "SESSIONTOKEN", lambda buffer: True)
    c.username = "AKIB"
    assert c.refresh_needed(60) is True
    assert SECRET not in repr(c) and "SESSIONTOKEN" not in repr(c) and "AKIB" in repr(c)
    assert shim.AwsCredential(None, None, None).refresh_needed is None


def test_aws_temp_credentials_from_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    c = shim.aws_temp_credentials()
    assert (c.username, c.password, c.token, c.refresh_needed) == ("AKIAENV", SECRET, None, None)


def test_aws_temp_credentials_failure_says_why():
    with pytest.raises(shim.PyMongoAuthAwsError, match="could not be obtained") as info:
        shim.aws_temp_credentials()
    assert "environment: not configured" in str(info.value)
    assert isinstance(info.value.__cause__, mongoawsauth.CredentialsNotFoundError)


def test_cache_functions_follow_1_3():
    assert shim.get_use_cached_credentials() is None
    creds = shim.AwsCredential("AKIASTORED", SECRET, None)
    shim.set_cached_credentials(creds)
    assert shim.get_cached_credentials() is None  # the flag is off: nothing stored
    shim.set_use_cached_credentials(True)
    shim.set_cached_credentials(creds)
    assert shim.get_cached_credentials() is creds
    assert shim.aws_temp_credentials() is creds
    expiring = shim.AwsCredential("AKIA", SECRET, None, lambda buffer: buffer >= 60)
    shim.set_cached_credentials(expiring)
    assert shim.get_cached_credentials() is None  # within the 60 s buffer: dropped
    shim.set_cached_credentials(creds)
    shim.set_cached_credentials(None)
    assert shim.get_cached_credentials() is None


def test_get_cached_credentials_reports_the_core_cache():
    exp = time.time() + 3600
    gen = cache.set("k", mongoawsauth.Credentials("ASIACORE", SECRET, "tok", expiration=exp))
    c = shim.get_cached_credentials()
    assert c.username == "ASIACORE" and c.refresh_needed(60) is False and c.refresh_needed(7200) is True
    cache.expire(time.time() + 100)
    assert shim.get_cached_credentials() is None  # inside the 5-minute window
    assert cache.invalidate_generation(gen)


def server_first(client_first):
    nonce = bson.decode(client_first)["r"]
    return bson.Binary(bson.encode({"s": bson.Binary(nonce + os.urandom(32), 0), "h": "sts.amazonaws.com"}))


def test_sasl_context_with_explicit_credentials():
    ctx = Context(shim.AwsCredential("AKIAEXPLICIT", SECRET, None))
    first = ctx.step(None)
    assert isinstance(first, bson.Binary) and bson.decode(first)["p"] == 110
    final = bson.decode(ctx.step(server_first(first)))
    assert "Credential=AKIAEXPLICIT/" in final["a"] and "t" not in final
    with pytest.raises(shim.PyMongoAuthAwsError, match="too many steps"):
        ctx.step(b"")


def test_sasl_context_resolves_credentials_when_none_given(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIACHAIN")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    ctx = Context(shim.AwsCredential(None, None, None))
    first = ctx.step(None)
    assert "Credential=AKIACHAIN/" in bson.decode(ctx.step(server_first(first)))["a"]


def test_sasl_context_errors():
    ctx = Context(shim.AwsCredential("AKIA", SECRET, None))
    ctx.step(None)
    with pytest.raises(shim.PyMongoAuthAwsError, match="server payload empty"):
        ctx.step(b"")
    ctx = Context(shim.AwsCredential("AKIA", SECRET, None))
    ctx.step(None)
    with pytest.raises(shim.PyMongoAuthAwsError, match="nonce") as info:
        ctx.step(bson.encode({"s": bson.Binary(os.urandom(64), 0), "h": "sts.amazonaws.com"}))
    assert isinstance(info.value.__cause__, mongoawsauth.AuthenticationError)
    with pytest.raises(shim.PyMongoAuthAwsError, match="no secret access key") as info:
        Context(shim.AwsCredential("AKIA", None, None)).step(None)
    assert SECRET not in str(info.value)
    with pytest.raises(NotImplementedError):
        shim.AwsSaslContext(shim.AwsCredential("AKIA", SECRET, None)).step(None)


def test_failed_step_drops_the_cached_entry_it_used():
    exp = time.time() + 3600
    cache.set("k", mongoawsauth.Credentials("ASIACACHED", SECRET, "tok", expiration=exp))
    # The default chain's cache lookup only serves entries of its own sources; resolve the
    # entry through a provider that returns exactly the cached object, as the chain would.
    cached = cache.get("k")
    shim._configure(provider=lambda: cached)
    ctx = Context(shim.AwsCredential(None, None, None))
    ctx.step(None)
    with pytest.raises(shim.PyMongoAuthAwsError):
        ctx.step(bson.encode({"s": bson.Binary(os.urandom(64), 0), "h": "sts.amazonaws.com"}))
    assert cache.entries() == []


def test_async_twin(monkeypatch):
    import asyncio

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAASYNC")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    c = asyncio.run(shim.aws_temp_credentials_async())
    assert c.username == "AKIAASYNC"
