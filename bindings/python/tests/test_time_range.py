"""Expiries past year 9999 or otherwise out of range: every API that takes credentials refuses
them with InvalidArgumentError (a ValueError of our hierarchy), never a panic or an overflow,
and repr()/str() of credentials with the furthest expiry allowed never raise."""

from __future__ import annotations

import datetime as dt

import pytest

import mongoawsauth
from mongoawsauth import errors
from mongoawsauth import testing as cache
from mongoawsauth.pymongo_auth_aws import auth

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
UTC = dt.timezone.utc


class HugeOffset(dt.tzinfo):
    """A tzinfo whose offset Python itself refuses."""

    def utcoffset(self, when):
        return dt.timedelta(days=2)


OUT_OF_RANGE = [
    pytest.param(10**12, id="epoch-year-33658"),
    pytest.param(10**400, id="int-beyond-float"),
    pytest.param(float("inf"), id="infinity"),
    pytest.param(253_402_300_800, id="first-second-of-year-10000"),
    pytest.param(dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), id="year-10000-in-utc"),
    pytest.param(dt.datetime(2030, 1, 1, tzinfo=HugeOffset()), id="tzinfo-out-of-range"),
]


def check(excinfo):
    assert isinstance(excinfo.value, errors.InvalidArgumentError)
    assert isinstance(excinfo.value, ValueError) and isinstance(excinfo.value, mongoawsauth.MongoAwsAuthError)


@pytest.mark.parametrize("expiration", OUT_OF_RANGE)
def test_credentials_constructor_refuses(expiration):
    with pytest.raises(ValueError) as info:
        mongoawsauth.Credentials("AKIAEXAMPLE", SECRET, expiration=expiration)
    check(info)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("expiration", OUT_OF_RANGE)
def test_custom_provider_result_refused(expiration):
    provider = lambda: {"access_key_id": "AKIAEXAMPLE", "secret_access_key": SECRET, "expiration": expiration}  # noqa: E731
    authenticator = mongoawsauth.Authenticator(provider=provider)
    with pytest.raises(ValueError) as info:
        authenticator.credentials()
    assert isinstance(info.value, errors.InvalidProviderResultError)
    assert isinstance(info.value, errors.CredentialsProviderError)
    check(type("Info", (), {"value": info.value.__cause__})())


@pytest.mark.parametrize("expiration", OUT_OF_RANGE)
def test_set_cached_credentials_refuses(expiration):
    auth.set_use_cached_credentials(True)
    try:
        with pytest.raises(ValueError) as info:
            auth.set_cached_credentials(
                {"access_key_id": "AKIAEXAMPLE", "secret_access_key": SECRET, "expiration": expiration}
            )
        check(info)
        assert auth.get_cached_credentials() is None
    finally:
        auth.set_use_cached_credentials(None)


@pytest.mark.parametrize("expiration", OUT_OF_RANGE)
def test_cache_hooks_refuse(expiration):
    with pytest.raises(ValueError) as info:
        cache.expire(expiration)
    check(info)


def test_furthest_expiry_allowed_prints_and_reads_back():
    last = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    for value in (last, dt.datetime.max.replace(tzinfo=UTC), last.timestamp()):
        c = mongoawsauth.Credentials("ASIAEXAMPLE", SECRET, "TOKEN", expiration=value)
        assert "9999-12-31T23:59:59Z" in repr(c) and "9999-12-31T23:59:59Z" in str(c)
        assert c.expiration.year == 9999 and c.expiration_timestamp <= 253_402_300_800
        assert SECRET not in repr(c) + str(c)
        with mongoawsauth.Conversation(c) as conversation:
            assert "9999" in repr(conversation)
