"""patch_pymongo() on whichever pymongo 4 is installed: `make python-test` runs this module under
pymongo 4.0.x, 4.6.x and 4.20.x. Each scenario runs in a fresh interpreter (the order of
`import pymongo` and `patch_pymongo()` is process-wide state) against the stand-ins.

A stand-in for the old package (``old_pymongo_auth_aws`` below, written for these tests) sits on
the child's path where the real pymongo-auth-aws would: pymongo 4.0 to 4.6 import it with
``import pymongo``, and it fails every login it is asked to run, so a login that succeeds after
``patch_pymongo()`` proves pymongo was re-pointed at mongoawsauth.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pymongo
import pytest

from conftest import clean_env

PYMONGO = pymongo.version_tuple[:2]

OLD_PACKAGE = {
    "pymongo_auth_aws/__init__.py": (
        "from pymongo_auth_aws.auth import AwsCredential, AwsSaslContext\n"
        "from pymongo_auth_aws.errors import PyMongoAuthAwsError\n"
        "__version__ = '1.3.0-old'\n"
    ),
    "pymongo_auth_aws/errors.py": "class PyMongoAuthAwsError(Exception):\n    pass\n",
    "pymongo_auth_aws/auth.py": textwrap.dedent(
        """
        from pymongo_auth_aws.errors import PyMongoAuthAwsError
        _use = None
        class AwsCredential:
            def __init__(self, username, password, token, refresh_needed=None):
                self.username, self.password, self.token = username, password, token
        class AwsSaslContext:
            def __init__(self, credentials):
                pass
            def step(self, payload):
                raise PyMongoAuthAwsError("the old package ran this login")
        def set_use_cached_credentials(value):
            global _use
            _use = value
        def get_use_cached_credentials():
            return _use
        def set_cached_credentials(value):
            pass
        def get_cached_credentials():
            return None
        """
    ),
}

SCENARIO = textwrap.dedent(
    """
    import json, sys
    order = sys.argv[1]
    report = {}
    if order == "before":
        import mongoawsauth
        mongoawsauth.patch_pymongo()
    import pymongo
    if order == "after":
        import mongoawsauth
        mongoawsauth.patch_pymongo()
    from mongoawsauth import testing as cache
    import pymongo_auth_aws
    from pymongo_auth_aws import auth

    def find(uri):
        client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10000, maxPoolSize=1)
        try:
            client.get_database("test").test.find_one()
            return "ok"
        except pymongo.errors.OperationFailure as exc:
            return "failed: " + str(exc)
        finally:
            client.close()

    uri = sys.argv[2]
    report["module_is_dropin"] = pymongo_auth_aws is sys.modules["mongoawsauth.pymongo_auth_aws"]
    report["first_login"] = find(uri)
    report["entries_after_login"] = len(cache.entries())
    cache.poison()
    (poisoned,) = cache.entries()
    report["poisoned_login"] = find(uri)
    report["poisoned_left"] = [e.access_key_id == poisoned.access_key_id for e in cache.entries()]
    report["login_after_failure"] = find(uri)
    report["flag"] = auth.get_use_cached_credentials()
    if report["flag"]:
        # pymongo's own test_poisoned_cache, on the versions that turn 1.3's cache on.
        auth.set_cached_credentials(auth.AwsCredential("a" * 24, "b" * 24, "c" * 24))
        report["hand_poisoned_login"] = find(uri)
        report["cached_after_hand_failure"] = auth.get_cached_credentials() is not None
        report["login_after_hand_failure"] = find(uri)
        report["cached_after_login"] = auth.get_cached_credentials() is not None
    mongoawsauth.unpatch_pymongo()
    report["after_unpatch"] = find(uri)
    print(json.dumps(report))
    """
)


@pytest.fixture
def old_package(tmp_path):
    for name, text in OLD_PACKAGE.items():
        path = tmp_path / "old" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "old"


def run(code, *args, pythonpath=None, **env):
    extra = dict(env)
    if pythonpath is not None:
        extra["PYTHONPATH"] = str(pythonpath)
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], env=clean_env(**extra), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.mark.parametrize("order", ["before", "after"])
def test_patch_before_or_after_import_pymongo(standins, old_package, order):
    env = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": standins["container_url"],
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": standins["container_token"],
    }
    report = json.loads(run(SCENARIO, order, standins["mongodb_uri"], pythonpath=old_package, **env).stdout)
    assert report["module_is_dropin"] is True
    assert report["first_login"] == "ok" and report["entries_after_login"] == 1
    assert report["poisoned_login"].startswith("failed")
    # pymongo 4.0 retries the read on a new connection, which fetches anew: what must be gone is
    # the poisoned entry.
    assert True not in report["poisoned_left"], "a failed login clears the cache on every pymongo 4"
    assert report["login_after_failure"] == "ok"
    if PYMONGO >= (4, 6):
        assert report["flag"] is True
    if report["flag"]:
        assert report["hand_poisoned_login"].startswith("failed")
        assert report["cached_after_hand_failure"] is False
        assert report["login_after_hand_failure"] == "ok" and report["cached_after_login"] is True
    if order == "before":
        # Imported after the patch, pymongo 4.0-4.6 hold the drop-in's names even once
        # unpatched; later versions import at each login and find the old package again.
        expected = "ok" if PYMONGO < (4, 7) else "failed"
    else:
        expected = "failed"  # re-pointed names are restored to the old package
    assert report["after_unpatch"].startswith(expected), report["after_unpatch"]
    if expected == "failed":
        assert "the old package ran this login" in report["after_unpatch"]


def test_without_any_pymongo_auth_aws_installed(standins):
    user = standins["identities"]["user"]
    code = textwrap.dedent(
        """
        import sys, pymongo, mongoawsauth
        mongoawsauth.patch_pymongo()
        client = pymongo.MongoClient(sys.argv[1], serverSelectionTimeoutMS=10000)
        print(client.admin.command("connectionStatus")["authInfo"]["authenticatedUsers"][0]["user"])
        """
    )
    env = {"AWS_ACCESS_KEY_ID": user["access_key_id"], "AWS_SECRET_ACCESS_KEY": user["secret_access_key"]}
    assert run(code, standins["mongodb_uri"], **env).stdout.strip() == user["arn"]


def test_zero_code_opt_in(standins):
    """The wheel's .pth hook patches pymongo at interpreter start when asked to, and only then."""
    user = standins["identities"]["user"]
    code = textwrap.dedent(
        """
        import sys
        dropin = sys.modules.get("pymongo_auth_aws")
        print(dropin is not None and dropin.__name__ == "mongoawsauth.pymongo_auth_aws")
        if dropin is not None:
            import pymongo
            client = pymongo.MongoClient(sys.argv[1], serverSelectionTimeoutMS=10000)
            print(client.admin.command("connectionStatus")["authInfo"]["authenticatedUsers"][0]["user"])
        """
    )
    env = {"AWS_ACCESS_KEY_ID": user["access_key_id"], "AWS_SECRET_ACCESS_KEY": user["secret_access_key"]}
    on = run(code, standins["mongodb_uri"], MONGOAWSAUTH_PATCH_PYMONGO="1", **env).stdout.split()
    assert on == ["True", user["arn"]]
    assert run(code, standins["mongodb_uri"], **env).stdout.split() == ["False"]
    assert run(code, standins["mongodb_uri"], MONGOAWSAUTH_PATCH_PYMONGO="0", **env).stdout.split() == ["False"]


def fake_pymongo(root, version, auth_map):
    package = root / "pymongo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"version = {version!r}\nfrom pymongo import auth\n")
    (package / "auth.py").write_text(f"_AUTH_MAP = {auth_map}\n")
    return root


@pytest.mark.parametrize(
    "version, auth_map, message",
    [
        ("3.13.0", "{'MONGODB-AWS': None}", "supports pymongo 4.x, and pymongo 3.13.0 is installed"),
        ("5.0.0", "{'MONGODB-AWS': None}", "supports pymongo 4.x, and pymongo 5.0.0 is installed"),
        ("4.99.0", "{'SCRAM-SHA-256': None}", "pymongo 4.99.0 keeps no MONGODB-AWS entry"),
    ],
)
def test_unsupported_pymongo_raises_saying_so(tmp_path, version, auth_map, message):
    root = fake_pymongo(tmp_path, version, auth_map)
    code = textwrap.dedent(
        """
        import sys, pymongo, mongoawsauth
        try:
            mongoawsauth.patch_pymongo()
        except mongoawsauth.ConfigurationError as exc:
            print(exc)
            print("pymongo_auth_aws" in sys.modules)
        """
    )
    out = run(code, pythonpath=root).stdout.splitlines()
    assert message in out[0]
    assert out[1] == "False", "a refused patch leaves nothing behind"
