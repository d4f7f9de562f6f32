"""The shared config options, ``profile=`` and ``shared_config=``: checked types, and logins
through the real pymongo against the stand-ins' fake mongod with a fake home directory whose
``~/.aws/credentials`` holds the stand-ins' IAM user under a named profile.

The library reads ``HOME``, ``AWS_CONFIG_FILE`` and ``AWS_SHARED_CREDENTIALS_FILE`` from
``os.environ`` at every login, so the in-process cases point them at the temporary home with
monkeypatch; one case starts a fresh interpreter with that environment from its first line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pymongo
import pytest

import mongoawsauth

from conftest import clean_env
from helpers import login

PROFILE = "mongo-ci"


@pytest.fixture
def aws_home(tmp_path, standins):
    """A home directory whose ~/.aws/credentials holds the stand-ins' IAM user as [mongo-ci]."""
    user = standins["identities"]["user"]
    aws = tmp_path / "home" / ".aws"
    aws.mkdir(parents=True)
    (aws / "credentials").write_text(
        f"# the stand-ins' IAM user\n[{PROFILE}]\n"
        f"aws_access_key_id = {user['access_key_id']}\n"
        f"aws_secret_access_key = {user['secret_access_key']}\n"
    )
    (aws / "config").write_text("[default]\nregion = us-east-1\n")
    return aws.parent


@pytest.fixture
def in_aws_home(aws_home, monkeypatch):
    monkeypatch.setenv("HOME", str(aws_home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(aws_home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(aws_home / ".aws" / "credentials"))
    return aws_home


# -- checked types -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, b"mongo-ci", ["mongo-ci"], True])
def test_profile_of_the_wrong_type_is_a_type_error_naming_it(value):
    with pytest.raises(TypeError, match=r"^profile must be a str .* not (int|bytes|list|bool)$"):
        mongoawsauth.Authenticator(profile=value)
    with pytest.raises(TypeError, match=r"^profile must be a str"):
        mongoawsauth.patch_pymongo(profile=value)


@pytest.mark.parametrize("value", ["", "   "])
def test_blank_profile_is_refused_rather_than_falling_back_to_aws_profile(value):
    with pytest.raises(ValueError, match="profile must name a profile"):
        mongoawsauth.Authenticator(profile=value)


@pytest.mark.parametrize("value", ["false", 0, 1, "yes"])
def test_shared_config_of_the_wrong_type_is_a_type_error_naming_it(value):
    with pytest.raises(TypeError, match=r"^shared_config must be True or False .* not (str|int)$"):
        mongoawsauth.Authenticator(shared_config=value)
    with pytest.raises(TypeError, match=r"^shared_config must be True or False"):
        mongoawsauth.patch_pymongo(shared_config=value)


def test_repr_shows_the_options():
    text = repr(mongoawsauth.Authenticator(profile=PROFILE, shared_config=False))
    assert f'profile="{PROFILE}"' in text and "shared_config=False" in text
    assert "profile" not in repr(mongoawsauth.Authenticator())


# -- logins through pymongo ----------------------------------------------------------------


def test_named_profile_logs_in_as_its_user(standins, in_aws_home):
    user = standins["identities"]["user"]
    mongoawsauth.patch_pymongo(profile=PROFILE)
    assert login(standins["mongodb_uri"]) == user["arn"]
    credentials = mongoawsauth.Authenticator(profile=PROFILE).credentials()
    assert credentials.access_key_id == user["access_key_id"]
    assert credentials.source == "profile"


def test_profile_file_found_through_home(standins, aws_home, monkeypatch):
    # No AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE: the files are ~/.aws/..., from HOME.
    monkeypatch.setenv("HOME", str(aws_home))
    user = standins["identities"]["user"]
    mongoawsauth.patch_pymongo(profile=PROFILE)
    assert login(standins["mongodb_uri"]) == user["arn"]


def test_profile_option_overrides_aws_profile(standins, in_aws_home, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "not-a-profile")
    mongoawsauth.patch_pymongo(profile=PROFILE)
    assert login(standins["mongodb_uri"]) == standins["identities"]["user"]["arn"]


def test_named_profile_that_does_not_exist_fails_clearly(standins, in_aws_home):
    secret = standins["identities"]["user"]["secret_access_key"]
    with pytest.raises(mongoawsauth.ConfigurationError) as info:
        mongoawsauth.Authenticator(profile="no-such-profile").credentials()
    message = str(info.value)
    assert "AWS profile `no-such-profile`" in message and "is not in the shared config files" in message
    assert PROFILE in message, "the message lists the profiles that exist"
    assert secret not in message

    mongoawsauth.patch_pymongo(profile="no-such-profile")
    with pytest.raises(pymongo.errors.PyMongoError) as info:
        login(standins["mongodb_uri"])
    assert "AWS profile `no-such-profile`" in str(info.value)
    assert secret not in str(info.value)


def test_shared_config_off_ignores_the_files(standins, in_aws_home):
    secret = standins["identities"]["user"]["secret_access_key"]
    with pytest.raises(mongoawsauth.CredentialsNotFoundError) as info:
        mongoawsauth.Authenticator(profile=PROFILE, shared_config=False).credentials()
    profile_attempts = [a for a in info.value.attempts if a.source == "profile"]
    assert [a.outcome for a in profile_attempts] == ["not_configured"]
    assert "switched off" in profile_attempts[0].message
    assert secret not in str(info.value)

    mongoawsauth.patch_pymongo(profile=PROFILE, shared_config=False)
    with pytest.raises(pymongo.errors.PyMongoError) as info:
        login(standins["mongodb_uri"])
    assert "could not be obtained" in str(info.value)
    assert secret not in str(info.value)

    # The same files with the switch on: the login succeeds, so the failure above is the switch.
    mongoawsauth.patch_pymongo(profile=PROFILE, shared_config=True)
    assert login(standins["mongodb_uri"]) == standins["identities"]["user"]["arn"]


def test_fresh_interpreter_started_in_the_home(standins, aws_home):
    """A new process whose environment names the temporary home from its start: the profile
    login, the missing profile and the switch, with the patch applied before pymongo loads."""
    script = textwrap.dedent(
        """
        import json, sys
        import mongoawsauth
        mongoawsauth.patch_pymongo(**json.loads(sys.argv[2]))
        import pymongo
        client = pymongo.MongoClient(sys.argv[1], serverSelectionTimeoutMS=10000, maxPoolSize=1)
        try:
            status = client.admin.command("connectionStatus")
            print(json.dumps({"user": status["authInfo"]["authenticatedUsers"][0]["user"]}))
        except pymongo.errors.PyMongoError as exc:
            print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
        finally:
            client.close()
        """
    )
    env = clean_env(
        HOME=str(aws_home),
        AWS_CONFIG_FILE=str(aws_home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(aws_home / ".aws" / "credentials"),
    )

    def run(**options):
        proc = subprocess.run(
            [sys.executable, "-c", script, standins["mongodb_uri"], json.dumps(options)],
            env=env, capture_output=True, text=True, timeout=60,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        return json.loads(proc.stdout.strip().splitlines()[-1])

    assert run(profile=PROFILE) == {"user": standins["identities"]["user"]["arn"]}
    missing = run(profile="no-such-profile")
    assert "AWS profile `no-such-profile`" in missing["message"]
    off = run(profile=PROFILE, shared_config=False)
    assert "could not be obtained" in off["message"] and "switched off" in off["message"]
