"""The Python face against the shared contract data (tests/data/contract/*.json), which the Rust, C
and Node suites read too: error classes, codes and result codes; attempt spellings; credentials
field names; defaults; the options refused and accepted at construction. Then the shared vectors
the Rust suite reads, through the public API: the SigV4 vectors (tests/data/sigv4) and the
MongoDB specification's connection-string cases (tests/data/spec)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import warnings

import pytest

import mongoawsauth
import mongoawsauth.defaults
import mongoawsauth.settings
import mongoawsauth.signing
from conftest import REPO
from mongoawsauth import _native
from mongoawsauth.errors import ErrorCode

CONTRACT = REPO / "tests" / "data" / "contract"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN"


def load(name: str) -> dict:
    return json.loads((CONTRACT / f"{name}.json").read_text())


ERRORS = load("errors")
ATTEMPTS = load("attempts")
CREDENTIALS = load("credentials")
OPTIONS = load("options")
PYTHON_KEYWORD = {o["concept"]: o["python"] for o in OPTIONS["options"]}


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ERRORS["kinds"], ids=lambda k: k["code"])
def test_error_kind_has_its_class_code_and_result_code(kind):
    cls = getattr(mongoawsauth, kind["python"])
    assert issubclass(cls, mongoawsauth.MongoAwsAuthError)
    assert cls.code is ErrorCode(kind["code"]) and cls.result_code == kind["result_code"]
    code = ErrorCode(kind["code"])
    assert code == kind["code"] and str(code) == kind["code"] and code.result_code == kind["result_code"]
    assert code.description == kind["description"]
    # What the native module raises for this kind: the class, the code, the number.
    err = mongoawsauth.MongoAwsAuthError.from_result_code(kind["result_code"], "message")
    assert type(err) is cls and err.code is code and err.result_code == kind["result_code"]
    assert ErrorCode.from_result_code(kind["result_code"]) is code


def test_the_core_has_exactly_the_contract_kinds():
    core = {name: (number, words) for name, number, words in _native.error_kinds()}
    contract = {k["code"]: (k["result_code"], k["description"]) for k in ERRORS["kinds"]}
    assert core == contract
    assert {c.value for c in ErrorCode} == set(contract) | {ERRORS["unknown"]["code"]}


def test_an_unknown_result_code_is_the_base_class_with_code_unknown():
    unknown = ERRORS["unknown"]
    err = mongoawsauth.MongoAwsAuthError.from_result_code(unknown["result_code"], "from a newer core")
    assert type(err) is getattr(mongoawsauth, unknown["python"])
    assert err.code == unknown["code"] and err.code is ErrorCode.UNKNOWN
    assert err.result_code == unknown["result_code"] and err.code.result_code is None


def test_old_integer_code_and_kind_still_work_with_a_deprecation_warning():
    err = mongoawsauth.CredentialsNotFoundError("none")
    with pytest.warns(DeprecationWarning, match="result_code"):
        assert err.code == 3
    with pytest.warns(DeprecationWarning):
        assert 3 == err.code
    with pytest.warns(DeprecationWarning):
        assert err.code != 4
    with pytest.warns(DeprecationWarning, match="kind is deprecated"):
        assert err.kind == "credentials not found"
    with pytest.warns(DeprecationWarning):
        assert mongoawsauth.CredentialsTimeoutError.kind == "timeout"
    # Hashed as the string, so a code and its name find the same entry; no warning for strings.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert hash(err.code) == hash("CREDENTIALS_NOT_FOUND")
        assert {err.code: 1}["CREDENTIALS_NOT_FOUND"] == 1
        assert err.code == "CREDENTIALS_NOT_FOUND" and err.code != "CONFIGURATION"


def test_a_raised_error_carries_code_and_result_code():
    with pytest.raises(mongoawsauth.CredentialsNotFoundError) as info:
        mongoawsauth.Authenticator().credentials()
    assert info.value.code == "CREDENTIALS_NOT_FOUND" and info.value.result_code == 3


# --- attempts -----------------------------------------------------------------------------------


def test_attempt_outcomes_fields_and_codes():
    names = {o["name"] for o in ATTEMPTS["outcomes"]}
    with pytest.raises(mongoawsauth.ConfigurationError) as info:
        mongoawsauth.Authenticator(env={"AWS_ACCESS_KEY_ID": "AKIAONLY"}).credentials()
    attempts = info.value.attempts
    assert attempts and {a.outcome for a in attempts} <= names
    for attempt in attempts:
        for field in ATTEMPTS["fields"]:
            getattr(attempt, field["python"])
    failed = [a for a in attempts if a.outcome == "failed"]
    assert len(failed) == 1 and failed[0].code is ErrorCode.CONFIGURATION
    assert all(a.code is None for a in attempts if a.outcome != "failed")
    assert "not_configured" in {a.outcome for a in attempts}
    assert 'code="CONFIGURATION"' in repr(failed[0])


# --- credentials --------------------------------------------------------------------------------


def test_credentials_fields_and_default_source():
    expiration = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    c = mongoawsauth.Credentials("ASIAEXAMPLE", SECRET, TOKEN, expiration=expiration)
    values = {f["concept"]: getattr(c, f["python"]) for f in CREDENTIALS["fields"]}
    assert values["access_key_id"] == "ASIAEXAMPLE" and values["is_temporary"] is True
    assert values["source"] == CREDENTIALS["default_source"]
    assert abs((values["expiration"] - expiration).total_seconds()) < 1e-3
    assert values["generation"] is None
    assert mongoawsauth.Credentials("AKIA", SECRET, source="vault").source == "vault"


# --- defaults -----------------------------------------------------------------------------------


@pytest.mark.parametrize("option", OPTIONS["options"], ids=lambda o: o["concept"])
def test_default_read_from_the_core(option):
    if "default_ms" in option:
        assert getattr(mongoawsauth.defaults, option["python"]) == option["default_ms"] / 1000
    elif "default" in option:
        assert getattr(mongoawsauth.defaults, option["python"]) == option["default"]
    else:
        assert not hasattr(mongoawsauth.defaults, option["python"])


def test_saml_duration_bounds_and_maximum_timeout():
    bounds = OPTIONS["saml_duration_s"]
    assert (mongoawsauth.defaults.saml_duration_min, mongoawsauth.defaults.saml_duration_max) == (
        bounds["min"],
        bounds["max"],
    )
    assert mongoawsauth.defaults.max_timeout == (2**31 - 1) / 1000


def test_every_option_is_a_keyword_of_authenticator():
    keywords = set(mongoawsauth.AuthenticatorOptions.__annotations__)
    assert set(PYTHON_KEYWORD.values()) <= keywords


# --- validation at construction -----------------------------------------------------------------


def python_value(case: dict):
    return case["value_ms"] / 1000 if "value_ms" in case else case["value"]


INVALID = [c for c in OPTIONS["invalid"]["cases"] if "python" in c.get("faces", ["python"])]


@pytest.mark.parametrize("case", INVALID, ids=lambda c: f"{c['concept']}={python_value(c)!r}")
def test_invalid_option_is_refused_at_construction(case):
    keyword = PYTHON_KEYWORD[case["concept"]]
    expected = mongoawsauth.InvalidArgumentTypeError if case["kind"] == "type" else mongoawsauth.InvalidArgumentError
    with pytest.raises(expected) as info:
        mongoawsauth.Authenticator(**{keyword: python_value(case)})
    err = info.value
    assert type(err) is expected, f"{type(err).__name__}: {err}"
    assert isinstance(err, TypeError if case["kind"] == "type" else ValueError)
    assert err.code is ErrorCode.INVALID_ARGUMENT and err.result_code == 1
    assert keyword in str(err), str(err)
    if keyword != case["concept"]:
        assert case["concept"] not in str(err), f"the core's name leaked: {err}"


@pytest.mark.parametrize("case", OPTIONS["invalid"]["valid"], ids=lambda c: f"{c['concept']}={python_value(c)!r}")
def test_valid_option_is_accepted(case):
    mongoawsauth.Authenticator(**{PYTHON_KEYWORD[case["concept"]]: python_value(case)})


def test_patch_pymongo_names_an_unknown_keyword_and_lists_the_valid_ones():
    with pytest.raises(TypeError) as info:
        mongoawsauth.patch_pymongo(bogus=1)  # type: ignore[call-arg]
    text = str(info.value)
    assert "'bogus'" in text and "__new__" not in text
    for keyword in PYTHON_KEYWORD.values():
        assert keyword in text
    assert isinstance(info.value, mongoawsauth.InvalidArgumentTypeError)


def test_a_wrong_type_says_what_type_is_needed():
    with pytest.raises(mongoawsauth.InvalidArgumentTypeError, match=r"^timeout must be a number of seconds, not str$"):
        mongoawsauth.Authenticator(timeout="10")


# --- the shared SigV4 vectors, through mongoawsauth.signing ---------------------------------------

SIGV4 = json.loads((REPO / "tests" / "data" / "sigv4" / "mongodb-aws-sigv4-vectors.json").read_text())


@pytest.mark.parametrize("case", SIGV4["region_cases"], ids=lambda c: c["host"][:40] or "empty")
def test_sts_region_of_a_host(case):
    if case.get("error"):
        with pytest.raises(mongoawsauth.AuthenticationError):
            mongoawsauth.signing.sts_region(case["host"])
    else:
        assert mongoawsauth.signing.sts_region(case["host"]) == case["region"]


def amz_time(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)


def raw_nonce(case: dict):
    """The 64-byte server nonce behind the case's nonce header, if it is one (the two Node driver
    cases sign a literal header value that no nonce encodes; the public API takes nonces)."""
    try:
        nonce = base64.b64decode(case["x_mongodb_server_nonce"], validate=True)
    except ValueError:
        return None
    return nonce if len(nonce) == 64 else None


SIGNABLE = [c for c in SIGV4["signing_cases"] if raw_nonce(c) is not None]


def test_signable_vectors_exist():
    assert len(SIGNABLE) == 2, [c["name"] for c in SIGV4["signing_cases"]]


@pytest.mark.parametrize("case", SIGNABLE, ids=lambda c: c["name"])
def test_signing_vector(case):
    credentials = mongoawsauth.Credentials(case["access_key_id"], case["secret_access_key"], case["session_token"])
    at = amz_time(case["x_amz_date"])
    signature = mongoawsauth.signing.sign_get_caller_identity(credentials, case["sts_host"], raw_nonce(case), at=at)
    assert signature.authorization == case["authorization"] and signature.amz_date == case["x_amz_date"]
    payload = mongoawsauth.signing.client_final_payload(credentials, case["sts_host"], raw_nonce(case), at=at)
    assert base64.b64encode(payload).decode() == case["client_final_payload_bson_b64"]
    # Epoch seconds name the same moment.
    again = mongoawsauth.signing.client_final_payload(
        credentials, case["sts_host"], raw_nonce(case), at=at.timestamp()
    )
    assert again == payload


# --- the specification's connection-string cases, through mongoawsauth.settings -----------------

SPEC = json.loads((REPO / "tests" / "data" / "spec" / "connection-string.json").read_text())
AWS_CASES = [c for c in SPEC["tests"] if "authMechanism=MONGODB-AWS" in c["uri"]]
# Cases from 2020 the file still marks valid although the current specification (DRIVERS-3131)
# made credentials in the URI an error; only the legacy policy keeps the old answer.
LEGACY_ONLY = {
    "should use username and password if specified (MONGODB-AWS)",
    "should use username, password and session token if specified (MONGODB-AWS)",
}
# The DRIVERS-3131 additions: errors under the current specification; the legacy policy
# accepts a complete set.
DRIVERS_3131 = {
    "should throw an exception if username and password provided (MONGODB-AWS)",
    "should throw an exception if AWS_SESSION_TOKEN provided (MONGODB-AWS)",
}


def test_the_spec_file_has_the_eight_cases():
    assert len(AWS_CASES) == 8
    assert LEGACY_ONLY | DRIVERS_3131 <= {c["description"] for c in AWS_CASES}


@pytest.mark.parametrize("case", AWS_CASES, ids=lambda c: c["description"])
def test_connection_string_under_the_strict_policy(case):
    expected = case["valid"] and case["description"] not in LEGACY_ONLY
    if expected:
        settings = mongoawsauth.settings.validate(case["uri"])
        assert settings.auth_source == "$external" and settings.credentials is None
    else:
        with pytest.raises(mongoawsauth.ConfigurationError) as info:
            mongoawsauth.settings.validate(case["uri"])
        assert "pass!@#" not in str(info.value) and "token!@#" not in str(info.value)


@pytest.mark.parametrize("case", AWS_CASES, ids=lambda c: c["description"])
def test_connection_string_under_the_legacy_policy(case):
    if case["description"] in DRIVERS_3131:
        expected = "user:pass@" in case["uri"]
    else:
        expected = case["valid"]
    if not expected:
        with pytest.raises(mongoawsauth.ConfigurationError):
            mongoawsauth.settings.validate(case["uri"], credential_policy="legacy")
        return
    settings = mongoawsauth.settings.validate(case["uri"], credential_policy="legacy")
    assert settings.auth_source == "$external"
    credential = case.get("credential")
    if not credential:
        return
    if credential["username"] is None:
        assert settings.credentials is None
        return
    assert settings.credentials is not None
    assert settings.credentials.access_key_id == credential["username"]
    assert settings.credentials.secret_access_key == credential["password"]
    token = (credential.get("mechanism_properties") or {}).get("AWS_SESSION_TOKEN")
    assert settings.credentials.session_token == token


def test_not_a_connection_string_is_an_invalid_argument():
    for uri in ["http://localhost/", "localhost:27017", ""]:
        with pytest.raises(mongoawsauth.InvalidArgumentError):
            mongoawsauth.settings.validate(uri)
    with pytest.raises(mongoawsauth.InvalidArgumentError, match="credential_policy"):
        mongoawsauth.settings.validate("mongodb://h/?authMechanism=MONGODB-AWS", credential_policy="loose")  # type: ignore[arg-type]


def test_the_typed_options_are_exactly_the_native_keywords():
    # AuthenticatorOptions (what type checkers see for patch_pymongo) and the keywords the native
    # Authenticator accepts (listed by its unknown-keyword error) must not drift apart.
    with pytest.raises(TypeError) as info:
        mongoawsauth.Authenticator(bogus=1)  # type: ignore[call-arg]
    listed = str(info.value).split("its keyword arguments are ", 1)[1]
    assert set(listed.split(", ")) == set(mongoawsauth.AuthenticatorOptions.__annotations__)


def test_range_errors_come_from_the_core_in_python_spelling():
    # The core names the option by its concept (credentials_timeout); the Python face says the
    # keyword, and the limits are the core's, the same in every face.
    for value in (0, mongoawsauth.defaults.max_timeout + 1):
        with pytest.raises(mongoawsauth.InvalidArgumentError, match=r"^timeout must be ") as info:
            mongoawsauth.Authenticator(timeout=value)
        assert "credentials_timeout" not in str(info.value)
    mongoawsauth.Authenticator(timeout=mongoawsauth.defaults.max_timeout, refresh_window=0, refresh_ahead=0)
    with pytest.raises(mongoawsauth.InvalidArgumentError, match=r"^refresh_ahead must be at most"):
        mongoawsauth.Authenticator(refresh_ahead=mongoawsauth.defaults.max_timeout * 2)
    with pytest.raises(mongoawsauth.InvalidArgumentError, match=r"^sts_timeout must be "):
        mongoawsauth.Authenticator(sts_timeout=0.0)
    # A per-call timeout follows the same rule.
    auth = mongoawsauth.Authenticator(env={"AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": SECRET})
    with pytest.raises(mongoawsauth.InvalidArgumentError, match=r"^timeout must be more than 0") as info:
        auth.credentials(timeout=0)
    assert "credentials_timeout" not in str(info.value)
    # What no duration can be is refused before the core sees it.
    with pytest.raises(mongoawsauth.InvalidArgumentError, match=r"^refresh_window must be a number of seconds of 0 or more"):
        mongoawsauth.Authenticator(refresh_window=-1)
    with pytest.raises(mongoawsauth.InvalidArgumentError, match=r"^timeout must be"):
        mongoawsauth.Authenticator(timeout=float("nan"))


def test_endpoint_errors_hide_a_url_password():
    with pytest.raises(mongoawsauth.InvalidArgumentError) as info:
        mongoawsauth.Authenticator(sts_endpoint="ftp://user:hunter2@127.0.0.1/")
    assert "hunter2" not in str(info.value) and "sts_endpoint" in str(info.value)


def region_env(tmp_path, region: str) -> dict:
    token = tmp_path / "web-identity-token"
    token.write_text("a-web-identity-token")
    return {
        "AWS_REGION": region,
        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/contract",
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
    }


@pytest.mark.parametrize("region", OPTIONS["regions"]["invalid"])
def test_an_invalid_aws_region_is_a_configuration_error_naming_it(tmp_path, region):
    with pytest.raises(mongoawsauth.ConfigurationError) as info:
        mongoawsauth.Authenticator(env=region_env(tmp_path, region)).credentials()
    assert info.value.code is ErrorCode.CONFIGURATION and "AWS_REGION" in str(info.value)


@pytest.mark.parametrize("region", OPTIONS["regions"]["valid"])
def test_a_valid_aws_region_chooses_its_sts_endpoint(tmp_path, region):
    # MONGOAWSAUTH_LOOPBACK_ONLY=1 (conftest) refuses the request by its host name before
    # anything is sent; the refusal shows the endpoint the region chose.
    with pytest.raises(mongoawsauth.MongoAwsAuthError) as info:
        mongoawsauth.Authenticator(env=region_env(tmp_path, region)).credentials()
    assert f"https://sts.{region}.amazonaws.com" in str(info.value), str(info.value)
    assert "not a loopback address" in str(info.value)
    assert info.value.code is not ErrorCode.CONFIGURATION
