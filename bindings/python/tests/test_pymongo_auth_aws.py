"""The pymongo-auth-aws 1.3 surface of mongoawsauth.pymongo_auth_aws, name by name, with 1.3's
exception types and the messages code matches on; no server needed."""

from __future__ import annotations

import datetime
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import bson
import pytest

import mongoawsauth
from mongoawsauth import pymongo_auth_aws as shim
from mongoawsauth import testing as cache
from mongoawsauth.pymongo_auth_aws import _state

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
    _state.configure()
    shim.set_use_cached_credentials(None)
    shim.set_cached_credentials(None)
    yield
    shim.set_use_cached_credentials(None)


def server_first(client_first, host="sts.amazonaws.com"):
    nonce = bson.decode(client_first)["r"]
    return bson.Binary(bson.encode({"s": bson.Binary(nonce + os.urandom(32), 0), "h": host}))


def test_every_name_of_1_3_imports_and_works(monkeypatch):
    """Each import form code in the wild uses, and each name doing what 1.3's does."""
    mongoawsauth.patch_pymongo()
    import pymongo_auth_aws
    from pymongo_auth_aws import AwsCredential, AwsSaslContext, PyMongoAuthAwsError, __version__, auth
    from pymongo_auth_aws.auth import (
        _aws_auth_header,
        _aws_temp_credentials,
        _credential_buffer_seconds,
        _enable_use_cached_credentials,
        _get_region,
        _handle_credentials,
        aws_temp_credentials,
        get_cached_credentials,
        get_use_cached_credentials,
        set_cached_credentials,
        set_use_cached_credentials,
        utc,
    )
    from pymongo_auth_aws.errors import PyMongoAuthAwsError as ErrorsPyMongoAuthAwsError
    from pymongo_auth_aws.version import __version__ as version_version

    assert pymongo_auth_aws is shim and auth is shim.auth
    assert ErrorsPyMongoAuthAwsError is PyMongoAuthAwsError is auth.PyMongoAuthAwsError
    assert AwsSaslContext is auth.AwsSaslContext and AwsCredential is auth.AwsCredential
    # __version__: 1.3's API level, at least one dot, and what really answers.
    assert __version__ == version_version and __version__.startswith("1.3.0+mongoawsauth.")
    # utc: a tzinfo usable as 1.3's.
    assert datetime.datetime(2030, 1, 1, tzinfo=utc).utcoffset() == datetime.timedelta(0)
    assert utc.tzname(None) == "UTC"
    # _get_region: the spec's table, PyMongoAuthAwsError on a host 1.3 rejects.
    assert _get_region("sts.amazonaws.com") == "us-east-1" and _get_region("first") == "us-east-1"
    assert _get_region("first.second.third") == "second"
    for host in ("", "i" * 256, "first..second", ".first.second", "first.second."):
        with pytest.raises(PyMongoAuthAwsError, match="Server returned an invalid sts host"):
            _get_region(host)
    # The flag and the slot.
    assert get_use_cached_credentials() is None
    _enable_use_cached_credentials()
    assert get_use_cached_credentials() is True
    set_use_cached_credentials(False)
    assert get_use_cached_credentials() is False
    set_use_cached_credentials(True)
    creds = AwsCredential("AKIAEXAMPLE", SECRET, None)
    set_cached_credentials(creds)
    assert get_cached_credentials() is creds and aws_temp_credentials() is creds
    assert _aws_temp_credentials() is creds
    set_cached_credentials(None)
    assert get_cached_credentials() is None
    assert _credential_buffer_seconds == 60
    # _aws_auth_header: 1.3's {a, d[, t]} for explicit inputs.
    header = _aws_auth_header(AwsCredential("AKIAEXAMPLE", SECRET, "TOKEN"), os.urandom(64), "sts.us-west-2.amazonaws.com")
    assert header["a"].startswith("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/") and "/us-west-2/sts/" in header["a"]
    assert len(header["d"]) == 16 and header["t"] == "TOKEN"
    assert "t" not in _aws_auth_header(creds, os.urandom(64), "sts.amazonaws.com")
    with pytest.raises(PyMongoAuthAwsError, match="Server returned an invalid sts host: a..b"):
        _aws_auth_header(creds, os.urandom(64), "a..b")

    # _handle_credentials: a failing step drops what its login used, then re-raises.
    class Failing(Context):
        @_handle_credentials
        def explode(self):
            raise ValueError("boom")

    set_cached_credentials(creds)
    ctx = Failing(AwsCredential(None, None, None))
    ctx.step(None)  # uses the hand-set credentials
    with pytest.raises(ValueError, match="boom"):
        ctx.explode()
    assert get_cached_credentials() is None
    # AwsSaslContext drives a whole conversation.
    ctx = Context(AwsCredential("AKIAEXAMPLE", SECRET, None))
    first = ctx.step(None)
    assert isinstance(first, bson.Binary) and bson.decode(first)["p"] == 110
    assert "Credential=AKIAEXAMPLE/" in bson.decode(ctx.step(server_first(first)))["a"]


def test_errors_are_both_hierarchies():
    assert issubclass(shim.PyMongoAuthAwsError, mongoawsauth.MongoAwsAuthError)
    with pytest.raises(shim.PyMongoAuthAwsError) as info:
        shim.aws_temp_credentials()
    assert isinstance(info.value, mongoawsauth.MongoAwsAuthError)
    assert info.value.code == mongoawsauth.CredentialsNotFoundError.code and info.value.attempts


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
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAOTHER")
    assert shim.aws_temp_credentials().username == "AKIAOTHER", "environment keys are never cached"


def test_aws_temp_credentials_failure_keeps_1_3_message():
    with pytest.raises(shim.PyMongoAuthAwsError) as info:
        shim.aws_temp_credentials()
    assert str(info.value).startswith("temporary MONGODB-AWS credentials could not be obtained")
    assert "environment: not configured" in str(info.value)
    assert isinstance(info.value.__cause__, mongoawsauth.CredentialsNotFoundError)


class Endpoint:
    """A loopback container-credentials endpoint answering what the test says."""

    def __init__(self):
        self.body = {}
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                data = json.dumps(endpoint.body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/creds"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, key, expires_in):
        expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=expires_in)
        self.body = {
            "AccessKeyId": key,
            "SecretAccessKey": SECRET,
            "Token": "fizz",
            "Expiration": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


@pytest.fixture
def endpoint(monkeypatch):
    e = Endpoint()
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", e.url)
    yield e
    e.server.shutdown()


def test_expired_credentials_from_an_endpoint_raise_pymongo_auth_aws_error(endpoint):
    shim.set_use_cached_credentials(True)
    endpoint.answer("ASIAEXPIRED", -3600)
    with pytest.raises(shim.PyMongoAuthAwsError, match="could not be obtained"):
        shim.aws_temp_credentials()
    endpoint.answer("ASIAFRESH", 86400)
    assert shim.aws_temp_credentials().username == "ASIAFRESH"


def test_endpoint_credentials_are_cached_and_read_back(endpoint):
    shim.set_use_cached_credentials(True)
    endpoint.answer("ASIACACHED", 86400)
    first = shim.aws_temp_credentials()
    endpoint.answer("ASIAOTHER", 86400)
    assert shim.aws_temp_credentials() is first
    assert shim.get_cached_credentials() is first
    assert first.refresh_needed(60) is False and first.refresh_needed(2 * 86400) is True
    shim.set_cached_credentials(None)  # outside a login: empties the slot, as 1.3 does
    assert shim.get_cached_credentials() is None
    assert shim.aws_temp_credentials().username == "ASIAOTHER"


def test_hand_set_credentials_follow_1_3():
    creds = shim.AwsCredential("AKIASTORED", SECRET, None)
    shim.set_cached_credentials(creds)
    assert shim.get_cached_credentials() is None  # the flag is off: nothing stored
    shim.set_use_cached_credentials(True)
    shim.set_cached_credentials(creds)
    assert shim.get_cached_credentials() is creds and shim.aws_temp_credentials() is creds
    expiring = shim.AwsCredential("AKIA", SECRET, None, lambda buffer: buffer >= 60)
    shim.set_cached_credentials(expiring)
    assert shim.get_cached_credentials() is None  # within the 60 s buffer: dropped


def test_set_cached_credentials_checks_what_it_is_given():
    shim.set_use_cached_credentials(True)
    with pytest.raises(mongoawsauth.InvalidArgumentError, match="no secret access key"):
        shim.set_cached_credentials(shim.AwsCredential("AKIA", None, None))
    far = {"access_key_id": "AKIA", "secret_access_key": SECRET, "expiration": 10**12}
    with pytest.raises(ValueError, match="year 9999"):
        shim.set_cached_credentials(far)
    assert shim.get_cached_credentials() is None


def test_sasl_context_errors_keep_1_3_messages():
    ctx = Context(shim.AwsCredential("AKIA", SECRET, None))
    ctx.step(None)
    with pytest.raises(shim.PyMongoAuthAwsError, match="server payload empty"):
        ctx.step(b"")
    ctx = Context(shim.AwsCredential("AKIA", SECRET, None))
    ctx.step(None)
    with pytest.raises(shim.PyMongoAuthAwsError, match=r"^Server returned an invalid nonce\.") as info:
        ctx.step(bson.encode({"s": bson.Binary(os.urandom(64), 0), "h": "sts.amazonaws.com"}))
    assert isinstance(info.value.__cause__, mongoawsauth.AuthenticationError)
    ctx = Context(shim.AwsCredential("AKIA", SECRET, None))
    first = ctx.step(None)
    with pytest.raises(shim.PyMongoAuthAwsError, match=r"^Server returned an invalid sts host"):
        ctx.step(server_first(first, host="sts..amazonaws.com"))
    with pytest.raises(shim.PyMongoAuthAwsError, match="too many steps"):
        ctx.step(b"")
    with pytest.raises(shim.PyMongoAuthAwsError, match="no secret access key") as info:
        Context(shim.AwsCredential("AKIA", None, None)).step(None)
    assert SECRET not in str(info.value)
    with pytest.raises(NotImplementedError):
        shim.AwsSaslContext(shim.AwsCredential("AKIA", SECRET, None)).step(None)


def test_failed_step_drops_the_cached_entry_it_used(endpoint):
    endpoint.answer("ASIACACHED", 86400)
    ctx = Context(shim.AwsCredential(None, None, None))
    ctx.step(None)
    (entry,) = cache.entries()
    with pytest.raises(shim.PyMongoAuthAwsError):
        ctx.step(bson.encode({"s": bson.Binary(os.urandom(64), 0), "h": "sts.amazonaws.com"}))
    assert cache.entries() == []
    assert entry.access_key_id == "ASIACACHED"


def test_failure_in_the_first_payload_keeps_the_previous_logins_entry(endpoint):
    endpoint.answer("ASIACACHED", 86400)
    ok = Context(shim.AwsCredential(None, None, None))
    ok.step(None)
    (entry,) = cache.entries()
    failing = Context(shim.AwsCredential("AKIA", None, None))
    with pytest.raises(shim.PyMongoAuthAwsError):
        failing.step(None)
    shim.set_cached_credentials(None)  # what pymongo calls next, while its context is alive
    assert [e.generation for e in cache.entries()] == [entry.generation]


def test_async_twin(monkeypatch):
    import asyncio

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAASYNC")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    c = asyncio.run(shim.aws_temp_credentials_async())
    assert c.username == "AKIAASYNC"


def test_patch_and_unpatch_pymongo_registers_the_modules():
    mongoawsauth.patch_pymongo()
    import pymongo_auth_aws.auth

    assert sys.modules["pymongo_auth_aws.auth"] is shim.auth
    mongoawsauth.unpatch_pymongo()
    assert sys.modules.get("pymongo_auth_aws") is not shim
    with pytest.raises(TypeError):
        mongoawsauth.patch_pymongo(timeout="soon")


def test_a_login_failing_before_its_first_step_drops_nothing():
    """pymongo may refuse a login before it builds the context (an old server, say): nothing was
    used, so the wrapper around pymongo's login must not clear the cache."""
    from mongoawsauth import _pymongo_patch

    def refused(credentials, connection):
        raise RuntimeError("MONGODB-AWS authentication requires MongoDB version 4.4 or later")

    shim.set_use_cached_credentials(True)
    creds = shim.AwsCredential("AKIAEXAMPLE", SECRET, None)
    shim.set_cached_credentials(creds)
    with pytest.raises(RuntimeError):
        _pymongo_patch._wrap_sync(refused)(shim.AwsCredential(None, None, None), None)
    assert shim.get_cached_credentials() is creds
