"""The same logins with moto as the STS: the fake mongod forwards GetCallerIdentity to moto,
which verifies the signature with botocore's SigV4 code. A verifier we did not write accepts
what we sign, and rejects a wrong secret (which also proves its authentication is on)."""

from __future__ import annotations

import pymongo
import pytest

import mongoawsauth

from helpers import login, set_env

pytestmark = pytest.mark.moto


def wrong(secret: str) -> str:
    """`secret` with its first character changed: always a different secret. (Putting an "x"
    in front of the rest left it unchanged whenever moto's random key began with "x".)"""
    return ("y" if secret[0] == "x" else "x") + secret[1:]


def test_moto_accepts_the_user_key(moto, moto_standins, monkeypatch):
    user = moto["user"]
    set_env(monkeypatch, AWS_ACCESS_KEY_ID=user["access_key_id"], AWS_SECRET_ACCESS_KEY=user["secret_access_key"])
    mongoawsauth.patch_pymongo()
    assert login(moto_standins["mongodb_uri"]) == user["arn"]


def test_moto_rejects_a_wrong_secret(moto, moto_standins, monkeypatch):
    user = moto["user"]
    set_env(monkeypatch, AWS_ACCESS_KEY_ID=user["access_key_id"], AWS_SECRET_ACCESS_KEY=wrong(user["secret_access_key"]))
    mongoawsauth.patch_pymongo()
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        login(moto_standins["mongodb_uri"])
    assert info.value.code == 18


def test_moto_rejects_an_unknown_key(moto, moto_standins, monkeypatch):
    set_env(monkeypatch, AWS_ACCESS_KEY_ID="AKIAUNKNOWNUNKNOWN00", AWS_SECRET_ACCESS_KEY=moto["user"]["secret_access_key"])
    mongoawsauth.patch_pymongo()
    with pytest.raises(pymongo.errors.OperationFailure):
        login(moto_standins["mongodb_uri"])


def test_moto_web_identity(moto, moto_standins, monkeypatch, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(moto["web_identity"]["token"] + "\n")
    set_env(
        monkeypatch,
        AWS_WEB_IDENTITY_TOKEN_FILE=str(token_file),
        AWS_ROLE_ARN=moto["web_identity"]["role_arn"],
        AWS_ROLE_SESSION_NAME="mongo-py",
        AWS_ENDPOINT_URL_STS=moto["endpoint"],
    )
    mongoawsauth.patch_pymongo()
    assert login(moto_standins["mongodb_uri"]).endswith(":assumed-role/mongo-web-identity/mongo-py")


def test_moto_temporary_credentials_and_a_wrong_secret(moto, moto_standins, monkeypatch, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(moto["web_identity"]["token"])
    auth = mongoawsauth.Authenticator(
        env={
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
            "AWS_ROLE_ARN": moto["web_identity"]["role_arn"],
            "AWS_ENDPOINT_URL_STS": moto["endpoint"],
        }
    )
    temp = auth.credentials()
    assert temp.access_key_id.startswith("ASIA") and temp.source == "web_identity"
    set_env(
        monkeypatch,
        AWS_ACCESS_KEY_ID=temp.access_key_id,
        AWS_SECRET_ACCESS_KEY=temp.secret_access_key,
        AWS_SESSION_TOKEN=temp.session_token,
    )
    mongoawsauth.patch_pymongo()
    assert ":assumed-role/mongo-web-identity/" in login(moto_standins["mongodb_uri"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong(temp.secret_access_key))
    with pytest.raises(pymongo.errors.OperationFailure):
        login(moto_standins["mongodb_uri"])


def test_moto_saml(moto, moto_standins):
    saml = moto["saml"]
    provider = mongoawsauth.SamlProvider(saml["role_arn"], saml["principal_arn"], assertion=saml["assertion"])
    mongoawsauth.patch_pymongo(provider=provider, sts_endpoint=moto["endpoint"])
    assert login(moto_standins["mongodb_uri"]).endswith(":assumed-role/mongo-saml/mongo-saml-user")
