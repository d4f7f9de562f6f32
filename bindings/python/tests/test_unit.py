"""Unit tests of every class and function of the mongoawsauth package (no network)."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.metadata
import inspect
import logging
import os
import pickle
import re
import time

import bson
import pytest

import mongoawsauth
from conftest import REPO
from mongoawsauth import errors
from mongoawsauth import testing as cache

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKENthatmustneverleak"
NO_IMDS = {"AWS_EC2_METADATA_DISABLED": "true"}


def assert_no_secret(*texts):
    for text in texts:
        assert SECRET not in text and TOKEN not in text, text


def env_auth(**variables):
    return mongoawsauth.Authenticator(env={**NO_IMDS, **variables})


# --- Credentials ---------------------------------------------------------------------------


def test_credentials_attributes_and_redaction():
    exp = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    c = mongoawsauth.Credentials("ASIAEXAMPLE", SECRET, TOKEN, expiration=exp, source="vault")
    assert (c.access_key_id, c.secret_access_key, c.session_token) == ("ASIAEXAMPLE", SECRET, TOKEN)
    assert c.expiration == exp and c.expiration_timestamp == exp.timestamp()
    assert c.source == "vault" and c.is_temporary and c.generation is None
    assert "ASIAEXAMPLE" in repr(c) and "redacted" in repr(c)
    assert_no_secret(repr(c), str(c), repr(mongoawsauth.Conversation(c)))
    with pytest.raises(AttributeError):
        c.secret_access_key = "x"
    with pytest.raises(TypeError):
        pickle.dumps(c)


def test_credentials_long_term_and_epoch_expiration():
    c = mongoawsauth.Credentials("AKIAEXAMPLE", SECRET, expiration=2_000_000_000)
    assert not c.is_temporary and c.session_token is None and c.source == "application"
    assert c.expiration.year == 2033 and c.expiration.tzinfo is not None


@pytest.mark.parametrize(
    "args, kwargs, exc, words",
    [
        (("AKIA", ""), {}, errors.InvalidArgumentError, "no secret access key"),
        (("", SECRET), {}, errors.InvalidArgumentError, "no access key id"),
        (("AK IA", SECRET), {}, errors.InvalidArgumentError, "whitespace"),
        ((1, SECRET), {}, TypeError, "access_key_id"),
        (("AKIA", b"secret"), {}, TypeError, "secret_access_key"),
        (("AKIA", SECRET), {"expiration": dt.datetime(2030, 1, 1)}, ValueError, "timezone-aware"),
        (("AKIA", SECRET), {"expiration": "tomorrow"}, TypeError, "expiration"),
        (("AKIA", SECRET), {"expiration": -5}, ValueError, "after 1970"),
        (("AKIA", SECRET), {"expiration": float("nan")}, ValueError, "finite"),
        (("AKIA", SECRET), {"expiration": True}, TypeError, "bool"),
    ],
)
def test_credentials_invalid(args, kwargs, exc, words):
    with pytest.raises(exc, match=words) as info:
        mongoawsauth.Credentials(*args, **kwargs)
    assert_no_secret(str(info.value), repr(info.value))


def test_invalid_argument_is_also_a_value_error():
    with pytest.raises(ValueError):
        mongoawsauth.Credentials("AKIA", " ")


# --- Authenticator ---------------------------------------------------------------------------


def test_environment_credentials_from_os_environ(monkeypatch):
    auth = mongoawsauth.Authenticator()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    c = auth.credentials()
    assert (c.access_key_id, c.source) == ("AKIAFROMENV", "environment")
    # Read again at every call: rotated credentials are seen at once.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAROTATED")
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    c = auth.credentials()
    assert c.access_key_id == "AKIAROTATED" and c.session_token == TOKEN
    r = auth.resolve()
    assert r.credentials.access_key_id == "AKIAROTATED" and r.from_cache is False and r.elapsed >= 0
    assert_no_secret(repr(r), repr(auth))


def test_fixed_env_mapping_ignores_os_environ(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAPROCESS")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    c = env_auth(AWS_ACCESS_KEY_ID="AKIAMAPPING", AWS_SECRET_ACCESS_KEY=SECRET).credentials()
    assert c.access_key_id == "AKIAMAPPING"


def test_no_credentials_lists_every_source():
    with pytest.raises(errors.CredentialsNotFoundError) as info:
        mongoawsauth.Authenticator().credentials()
    e = info.value
    assert isinstance(e, errors.MongoAwsAuthError) and e.code == "CREDENTIALS_NOT_FOUND" and e.result_code == 3
    sources = [a.source for a in e.attempts]
    assert sources == ["cache", "environment", "profile", "web_identity", "container", "imds"]
    assert all(a.outcome == "not_configured" and a.elapsed >= 0 for a in e.attempts)
    assert "AWS_EC2_METADATA_DISABLED" in e.attempts[-1].message
    assert "Attempt(source=" in repr(e.attempts[0])
    assert "Sources tried" in str(e)


def test_half_set_environment_is_a_configuration_error():
    with pytest.raises(errors.ConfigurationError) as info:
        env_auth(AWS_ACCESS_KEY_ID="AKIAONLY").credentials()
    assert "AWS_SECRET_ACCESS_KEY is not" in str(info.value)
    assert info.value.attempts[-1].outcome == "failed"


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        ({"timeout": 0}, ValueError, "timeout"),
        ({"timeout": "10"}, TypeError, "timeout"),
        ({"refresh_window": -1}, ValueError, "refresh_window"),
        ({"credential_policy": "loose"}, ValueError, "credential_policy"),
        ({"provider": 42}, TypeError, "provider"),
        ({"env": ["AWS_REGION"]}, TypeError, "env"),
        ({"env": {"AWS_REGION": 1}}, TypeError, "env"),
        ({"credentials": ("AKIA", SECRET)}, TypeError, "credentials"),
        ({"sts_timeout": float("inf")}, ValueError, "sts_timeout"),
        ({"unknown": 1}, TypeError, "unknown"),
    ],
)
def test_authenticator_rejects_bad_arguments(kwargs, exc, words):
    with pytest.raises(exc, match=words) as info:
        mongoawsauth.Authenticator(**kwargs)
    assert_no_secret(str(info.value))


def test_explicit_credentials_follow_the_policy():
    c = mongoawsauth.Credentials("AKIAEXPLICIT", SECRET)
    with pytest.raises(errors.ConfigurationError, match="not allowed"):
        mongoawsauth.Authenticator(credentials=c)
    auth = mongoawsauth.Authenticator(credentials=c, credential_policy="legacy")
    assert auth.credentials().access_key_id == "AKIAEXPLICIT"


def test_timeout_arguments_are_checked_per_call():
    auth = env_auth(AWS_ACCESS_KEY_ID="AKIA", AWS_SECRET_ACCESS_KEY=SECRET)
    with pytest.raises(ValueError, match="timeout"):
        auth.credentials(timeout=-1)
    assert auth.credentials(timeout=2.5).access_key_id == "AKIA"


# --- custom providers ------------------------------------------------------------------------


class BotocoreLike:
    access_key = "AKIABOTO"
    secret_key = SECRET
    token = None


@pytest.mark.parametrize(
    "returned, key",
    [
        (mongoawsauth.Credentials("AKIAOBJ", SECRET), "AKIAOBJ"),
        ({"access_key_id": "AKIAMAP", "secret_access_key": SECRET, "session_token": TOKEN}, "AKIAMAP"),
        (BotocoreLike(), "AKIABOTO"),
        (type("Aws", (), {"username": "AKIAUSER", "password": SECRET, "token": None})(), "AKIAUSER"),
    ],
)
def test_custom_provider_return_shapes(returned, key):
    auth = mongoawsauth.Authenticator(provider=lambda: returned)
    c = auth.credentials()
    assert c.access_key_id == key and c.secret_access_key == SECRET


def test_custom_provider_with_expiration_in_mapping():
    exp = time.time() + 3600
    auth = mongoawsauth.Authenticator(
        provider=lambda: {"access_key_id": "AKIA", "secret_access_key": SECRET, "expiration": exp}
    )
    assert abs(auth.credentials().expiration_timestamp - exp) < 1e-3


def test_custom_provider_comes_first_and_is_called_every_time(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    calls = []

    def provider():
        calls.append(1)
        return mongoawsauth.Credentials("AKIACUSTOM", SECRET)

    auth = mongoawsauth.Authenticator(provider=provider)
    assert auth.credentials().access_key_id == "AKIACUSTOM"
    assert auth.credentials().access_key_id == "AKIACUSTOM"
    assert len(calls) == 2


def test_custom_provider_exception_is_the_cause():
    class VaultDown(Exception):
        pass

    def provider():
        raise VaultDown("vault is down")

    with pytest.raises(errors.CredentialsProviderError, match="vault is down") as info:
        mongoawsauth.Authenticator(provider=provider).credentials()
    assert isinstance(info.value.__cause__, VaultDown)


def test_custom_provider_wrong_return_type_says_what_was_wrong():
    with pytest.raises(errors.CredentialsProviderError, match="must return") as info:
        mongoawsauth.Authenticator(provider=lambda: 42).credentials()
    assert isinstance(info.value.__cause__, TypeError)
    with pytest.raises(errors.CredentialsProviderError, match="secret_access_key must be a str"):
        mongoawsauth.Authenticator(
            provider=lambda: {"access_key_id": "AKIA", "secret_access_key": 5}
        ).credentials()
    with pytest.raises(errors.CredentialsProviderError, match="no secret access key") as info:
        mongoawsauth.Authenticator(provider=lambda: {"access_key_id": "AKIA"}).credentials()
    assert_no_secret(str(info.value))


def test_async_provider_from_blocking_call():
    async def provider():
        await asyncio.sleep(0.01)
        return mongoawsauth.Credentials("AKIAASYNC", SECRET)

    assert mongoawsauth.Authenticator(provider=provider).credentials().access_key_id == "AKIAASYNC"


def test_slow_provider_times_out():
    def provider():
        time.sleep(1.0)
        return mongoawsauth.Credentials("AKIA", SECRET)

    with pytest.raises(errors.CredentialsTimeoutError) as info:
        mongoawsauth.Authenticator(provider=provider).credentials(timeout=0.2)
    assert isinstance(info.value, TimeoutError) and info.value.code is errors.ErrorCode.TIMEOUT


def test_blocking_call_inside_a_provider_is_an_error_not_a_deadlock():
    inner = env_auth(AWS_ACCESS_KEY_ID="AKIA", AWS_SECRET_ACCESS_KEY=SECRET)

    def provider():
        return inner.credentials()

    with pytest.raises(errors.CredentialsProviderError) as info:
        mongoawsauth.Authenticator(provider=provider).credentials()
    assert isinstance(info.value.__cause__, errors.RuntimeContextError)


# --- Conversation ----------------------------------------------------------------------------


def server_first(client_first: bytes, host: str = "sts.amazonaws.com") -> bytes:
    nonce = bson.decode(client_first)["r"]
    return bson.encode({"s": bson.Binary(nonce + os.urandom(32), 0), "h": host})


def test_conversation_payloads():
    creds = mongoawsauth.Credentials("ASIAEXAMPLE", SECRET, TOKEN)
    conv = mongoawsauth.Conversation(creds)
    first = conv.client_first()
    doc = bson.decode(first)
    assert len(doc["r"]) == 32 and doc["p"] == 110
    final = bson.decode(conv.client_final(bytearray(server_first(first, "sts.us-west-2.amazonaws.com"))))
    assert final["a"].startswith("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/")
    assert "/us-west-2/sts/aws4_request" in final["a"] and final["t"] == TOKEN
    assert len(final["d"]) == 16 and conv.credentials.access_key_id == "ASIAEXAMPLE"


def test_conversation_rejects_a_bad_server_and_misuse():
    conv = mongoawsauth.Conversation(mongoawsauth.Credentials("AKIA", SECRET))
    with pytest.raises(errors.InvalidArgumentError, match="before client_first"):
        conv.client_final(b"")
    first = conv.client_first()
    with pytest.raises(errors.InvalidArgumentError, match="already called"):
        conv.client_first()
    bad = bson.encode({"s": bson.Binary(os.urandom(64), 0), "h": "sts.amazonaws.com"})
    with pytest.raises(errors.AuthenticationError, match="nonce") as info:
        conv.client_final(bad)
    assert info.value.code is errors.ErrorCode.AUTHENTICATION
    conv = mongoawsauth.Conversation(mongoawsauth.Credentials("AKIA", SECRET))
    first = conv.client_first()
    with pytest.raises(errors.AuthenticationError, match="host"):
        conv.client_final(server_first(first, "sts..com"))
    with pytest.raises(TypeError, match="server_payload must be bytes"):
        mongoawsauth.Conversation(mongoawsauth.Credentials("AKIA", SECRET)).client_final("text")
    with pytest.raises(TypeError, match="Credentials"):
        mongoawsauth.Conversation("AKIA")


def test_authenticator_conversation_and_report_failure():
    auth = env_auth(AWS_ACCESS_KEY_ID="AKIA", AWS_SECRET_ACCESS_KEY=SECRET)
    with auth.conversation() as conv:
        assert len(conv.client_first()) == 52
    assert auth.report_failure(conv) is False  # environment credentials are never cached
    assert auth.report_failure(conv.credentials) is False
    assert auth.report_failure(12345) is False
    with pytest.raises(TypeError, match="report_failure takes"):
        auth.report_failure("generation")
    with pytest.raises(ValueError, match="non-negative"):
        auth.report_failure(-1)


# --- cache test hooks ------------------------------------------------------------------------


def test_cache_hooks():
    assert cache.entries() == [] and cache.get() is None
    exp = time.time() + 3600
    gen = cache.set("key-a", mongoawsauth.Credentials("ASIACACHED", SECRET, TOKEN, expiration=exp))
    (entry,) = cache.entries()
    assert (entry.key, entry.access_key_id, entry.generation) == ("key-a", "ASIACACHED", gen)
    assert abs(entry.expiration_timestamp - exp) < 1e-3
    assert_no_secret(repr(entry))
    assert cache.get().access_key_id == "ASIACACHED" and cache.get("key-a").generation == gen
    assert cache.expire(time.time() + 30) == 1 and cache.entries()[0].expiration_timestamp < exp
    assert cache.poison("key-a") == 1 and cache.get("key-a").access_key_id != "ASIACACHED"
    auth = mongoawsauth.Authenticator()
    assert auth.report_failure(gen) is True and cache.entries() == []
    gen = cache.set("key-b", mongoawsauth.Credentials("ASIA", SECRET, TOKEN, expiration=exp))
    assert cache.invalidate_generation(gen) is True and cache.invalidate_generation(gen) is False
    cache.set("key-c", mongoawsauth.Credentials("ASIA", SECRET, TOKEN, expiration=exp))
    cache.clear()
    assert cache.entries() == []
    with pytest.raises(errors.InvalidArgumentError, match="expiry"):
        cache.set("key-d", mongoawsauth.Credentials("AKIA", SECRET))
    with pytest.raises(TypeError):
        cache.set("key-e", "credentials")


# --- errors, logging, version ----------------------------------------------------------------


def test_error_hierarchy_and_codes():
    expected = {
        errors.InvalidArgumentError: 1,
        errors.ConfigurationError: 2,
        errors.CredentialsNotFoundError: 3,
        errors.CredentialsProviderError: 4,
        errors.InvalidProviderResultError: 4,
        errors.AuthenticationError: 5,
        errors.SigningError: 6,
        errors.CredentialsTimeoutError: 7,
        errors.RuntimeContextError: 8,
        errors.InternalError: 99,
    }
    for cls, result_code in expected.items():
        assert issubclass(cls, mongoawsauth.MongoAwsAuthError) and cls.result_code == result_code
        e = cls("message")
        assert e.message == "message" and e.attempts == () and str(e) == "message"
        assert e.result_code == result_code and e.code.result_code == result_code
        assert getattr(mongoawsauth, cls.__name__) is cls
    assert issubclass(errors.InvalidArgumentTypeError, TypeError)
    assert errors.InvalidArgumentTypeError.code is errors.ErrorCode.INVALID_ARGUMENT
    assert set(errors.__all__) == {c.__name__ for c in expected} | {
        "MongoAwsAuthError",
        "InvalidArgumentTypeError",
        "ErrorCode",
    }


def test_tracing_events_reach_the_logging_module(caplog):
    caplog.set_level(logging.DEBUG, logger="mongoawsauth")
    env_auth(AWS_ACCESS_KEY_ID="AKIALOGGED", AWS_SECRET_ACCESS_KEY=SECRET, AWS_SESSION_TOKEN=TOKEN).credentials()
    records = [r for r in caplog.records if r.name.startswith("mongoawsauth")]
    assert any("resolved AWS credentials" in r.getMessage() and "AKIALOGGED" in r.getMessage() for r in records)
    assert any(r.levelno == logging.INFO and r.name == "mongoawsauth.authenticator" for r in records)
    assert_no_secret(caplog.text)


def test_version():
    from mongoawsauth import _native

    assert mongoawsauth.__version__ == _native.__version__ and mongoawsauth.__version__.count(".") == 2


def test_version_is_the_workspace_version():
    # The binding is a separate cargo workspace and restates the version; the wheel's metadata and
    # the module must both say the one the root Cargo.toml's [workspace.package] sets.
    workspace = (REPO / "Cargo.toml").read_text()
    package = re.search(r"^\[workspace\.package\]$(.*?)^\[", workspace, re.M | re.S).group(1)
    version = re.search(r'^version = "([^"]+)"$', package, re.M).group(1)
    assert mongoawsauth.__version__ == version
    assert importlib.metadata.version("mongoawsauth") == version


def test_asyncio_twins():
    auth = env_auth(AWS_ACCESS_KEY_ID="AKIAASYNC", AWS_SECRET_ACCESS_KEY=SECRET)

    async def main():
        c = await auth.credentials_async()
        r = await auth.resolve_async(timeout=5)
        conv = await auth.conversation_async()
        with pytest.raises(errors.CredentialsNotFoundError):
            await mongoawsauth.Authenticator().credentials_async()
        return c, r, conv

    c, r, conv = asyncio.run(main())
    assert c.access_key_id == r.credentials.access_key_id == conv.credentials.access_key_id == "AKIAASYNC"
    # Real coroutines: asyncio.run() takes them directly, and inspect sees coroutine functions.
    assert asyncio.run(auth.credentials_async()).access_key_id == "AKIAASYNC"
    for name in ("credentials_async", "resolve_async", "conversation_async"):
        assert inspect.iscoroutinefunction(getattr(mongoawsauth.Authenticator, name)), name


def test_saml_assertion_callable_exception_is_the_cause():
    class IdpDown(Exception):
        pass

    def assertion():
        raise IdpDown("the identity provider is down")

    saml = mongoawsauth.SamlProvider(
        "arn:aws:iam::123456789012:role/r", "arn:aws:iam::123456789012:saml-provider/p", assertion=assertion
    )
    auth = mongoawsauth.Authenticator(provider=saml, sts_endpoint="http://127.0.0.1:9/")
    with pytest.raises(errors.CredentialsProviderError, match="identity provider is down") as info:
        auth.credentials()
    assert isinstance(info.value.__cause__, IdpDown)
