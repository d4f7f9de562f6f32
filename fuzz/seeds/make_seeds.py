#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/: a handful of valid and near-valid inputs
per target, taken from the shapes the project's tests use (tests/data, the unit tests' bodies).
Rerun after changing a seed here; the files are checked in so that `make fuzz` needs no Python.

The secret values are the markers the targets check for (fuzz_targets/common/mod.rs).
"""
import hashlib
import json
import os
import struct

SECRET = "FuzzSecretKeyMarker/0123456789+abcdefXYZ"
TOKEN = "FuzzSessionTokenMarker/0123456789+abcdefXYZ=="
SENT = "FuzzSentTokenMarker-0123456789abcdef"
NONCE = b"CLIENT-NONCE-PLACEHOLDER-32BYTES"
assert len(NONCE) == 32
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus")


def bson(*elements):
    body = b"".join(elements) + b"\x00"
    return struct.pack("<i", len(body) + 4) + body


def binary(key, data, subtype=0):
    return b"\x05" + key + b"\x00" + struct.pack("<i", len(data)) + bytes([subtype]) + data


def string(key, text):
    raw = text.encode() + b"\x00"
    return b"\x02" + key + b"\x00" + struct.pack("<i", len(raw)) + raw


def int32(key, n):
    return b"\x10" + key + b"\x00" + struct.pack("<i", n)


def write(target, seeds):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    for old in os.listdir(folder):
        os.remove(os.path.join(folder, old))
    for seed in seeds:
        data = seed if isinstance(seed, bytes) else seed.encode()
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


server = NONCE + bytes(range(32))
conversation = [
    bson(binary(b"s", server), string(b"h", "sts.amazonaws.com")),
    bson(string(b"h", "sts.us-west-2.amazonaws.com"), binary(b"s", server)),
    bson(binary(b"s", server), string(b"h", "localhost")),
    bson(binary(b"s", server), string(b"h", "sts..amazonaws.com")),
    bson(binary(b"s", server, subtype=4), string(b"h", "sts.amazonaws.com")),
    bson(binary(b"s", server[:63]), string(b"h", "sts.amazonaws.com")),
    bson(binary(b"s", server), int32(b"h", 1)),
    bson(binary(b"s", server), string(b"h", "sts.amazonaws.com"), int32(b"x", 1)),
    bson(binary(b"s", server)),
    b"",
]
write("conversation", conversation)

web = "AssumeRoleWithWebIdentity"
saml = "AssumeRoleWithSAML"
assume = "AssumeRole"


def xml_success(action, expiration="2014-10-24T23:00:23Z"):
    return f"""<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <{action}Result>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/Role/app1</Arn><AssumedRoleId>AROA:app1</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <SessionToken>{TOKEN}</SessionToken>
      <SecretAccessKey>{SECRET}</SecretAccessKey>
      <Expiration>{expiration}</Expiration>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
    </Credentials>
  </{action}Result>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</{action}Response>"""


def json_success(action, expiration):
    return json.dumps({f"{action}Response": {f"{action}Result": {
        "AssumedRoleUser": {"Arn": "arn:aws:sts::1:assumed-role/R/u", "AssumedRoleId": "x"},
        "Credentials": {"AccessKeyId": "ASIAJSON", "SecretAccessKey": SECRET, "SessionToken": TOKEN,
                        "Expiration": expiration}},
        "ResponseMetadata": {"RequestId": "r"}}})


write("sts_response", [
    xml_success(web),
    xml_success(saml, "2014-10-24T23:00:23.500Z"),
    xml_success(web, "tomorrow"),
    xml_success(assume),
    json_success(assume, 1414191623),
    json_success(saml, 1414191623),
    json_success(web, 1414191623.25),
    json_success(web, "2014-10-24T23:00:23Z"),
    json.dumps({"Credentials": {"AccessKeyId": "A", "SecretAccessKey": SECRET, "SessionToken": TOKEN,
                                "Expiration": 2e9}}),
    """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>No OpenIDConnect provider found</Message></Error>
  <RequestId>r</RequestId></ErrorResponse>""",
    '{"Error":{"Code":"IDPCommunicationError","Message":"try again","Type":"Sender"},"RequestId":"r"}',
    '{"__type":"com.amazonaws.sts#ExpiredTokenException","message":"old"}',
    """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/mongo-role/s</Arn>
  <UserId>AROAEXAMPLE:s</UserId><Account>123456789012</Account></GetCallerIdentityResult>
</GetCallerIdentityResponse>""",
])

imds_doc = json.dumps({"Code": "Success", "LastUpdated": "2021-09-20T21:42:26Z", "Type": "AWS-HMAC",
                       "AccessKeyId": "ASIAX", "SecretAccessKey": SECRET, "Token": TOKEN,
                       "Expiration": "2021-09-21T04:16:53Z"})
container_doc = json.dumps({"AccessKeyId": "ASIAX", "SecretAccessKey": SECRET, "SessionToken": TOKEN,
                            "Expiration": "2030-01-01T00:00:00+02:00", "RoleArn": "arn:aws:iam::1:role/r",
                            "AccountId": "1"})
write("metadata_json", [
    b"\x00" + imds_doc.encode(),
    b"\x00" + container_doc.encode(),
    b"\x00" + json.dumps({"Code": "AssumeRoleUnauthorizedAccess", "Message": f"token {SENT} refused",
                          "SecretAccessKey": SECRET}).encode(),
    b"\x00" + json.dumps({"code": "InvalidToken", "message": f"bad {SECRET[:20]}"}).encode(),
    b"\x00" + json.dumps({"AccessKeyId": "A B", "SecretAccessKey": SECRET, "Token": TOKEN,
                          "Expiration": "9999-12-31T23:59:59Z"}).encode(),
    b"\x00<html>404</html>",
    b"\x01AQAEAFakeTokenValue0123456789abcdefghijklmnopqrstuvwxyz==\x0021600",
    b"\x01AQAEAFakeTokenValue0123456789\x0099999999999999999999999",
    b"\x01AQAEAFakeTokenValue0123456789",
    b"\x01\x000",
])

write("metadata_endpoints", [
    b"\x00/v2/credentials/4f0ce4ab-example",
    b"\x00v2/credentials?token=FuzzSentTokenMarker-0123456789abcdef",
    b"\x01http://127.0.0.1:8080/creds",
    b"\x01http://user:FuzzSentTokenMarker-0123456789abcdef@127.0.0.1:8080/creds?token=FuzzSentTokenMarker-0123456789abcdef",
    b"\x01http://169.254.170.23/v1/credentials",
    b"\x01http://[fd00:ec2::23]/v1/credentials",
    b"\x01https://example.com/creds#FuzzSentTokenMarker-0123456789abcdef",
    b"\x02http://[fd00:ec2::254]",
    b"\x02http://127.0.0.1:1338/",
    b"\x02ftp://u:FuzzSentTokenMarker-0123456789abcdef@host",
    b"\x03IPv6",
])

spec = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "spec",
                                   "connection-string.json")))
uris = [t["uri"] for t in spec["tests"] if "MONGODB-AWS" in t["uri"]][:8]
uris += [
    "mongodb://AKIAEXAMPLE:SecretPassword0123456789@localhost/?authMechanism=MONGODB-AWS"
    "&authMechanismProperties=AWS_SESSION_TOKEN:SessionTokenValue0123456789",
    "mongodb+srv://h/?authMechanism=MONGODB-AWS&authSource=$external",
    "mongodb://localhost/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN%3Ax,y:z",
    "mongodb://%E2%82%AC:%ZZ@h/",
]
write("settings", uris)

config = """[default]
region = eu-west-1
[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = base
duration_seconds = 3600
[profile base]
sts_regional_endpoints = regional
services = corp
[services corp]
sts =
  endpoint_url = http://127.0.0.1:9000
[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Admin
[sso-session corp]
sso_region = us-east-1
sso_start_url = https://corp.awsapps.com/start
[profile proc]
credential_process = /usr/bin/creds --json
[profile web]
web_identity_token_file = /var/run/token
role_arn = arn:aws:iam::123456789012:role/web
"""
credentials = f"""[base]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = {SECRET}
aws_session_token = {TOKEN}
[default]
aws_access_key_id=AKIDDEFAULT
aws_secret_access_key={SECRET}
"""
write("shared_config", [
    f"{config}\x00{credentials}\x00dev",
    f"{config}\x00{credentials}\x00",
    f"{config}\x00{credentials}\x00sso",
    f"[profile loop]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = loop\n\x00\x00loop",
    f"[profile x]\ncredential_source = Ec2InstanceMetadata\nrole_arn = arn:aws:iam::123456789012:role/r\n\x00\x00x",
    f"aws_secret_access_key = {SECRET}\n[default\n\x00[default]\n  aws_secret_access_key = {SECRET}\n",
    f"[default]\naws_access_key_id = A\naws_secret_access_key = {SECRET} ; comment\n",
])

conversation_capi = [b"\x00" + s for s in conversation[:4]]
write("capi", conversation_capi + [
    b"\x01ASIAEXAMPLE\x00" + SECRET.encode() + b"\x00" + TOKEN.encode() + b"\x00" + bytes(32),
    b"\x01A B\x00" + SECRET.encode() + b"\x00\x00" + bytes(32),
    b"\x81\x00" + SECRET.encode() + b"\x00" + bytes(32),
    b"\x02http://127.0.0.1:8080\x00http://[::1]:1338\x00http://127.0.0.1:9000\x00"
    + struct.pack("<8I", 1000, 0, 10, 10_000, 300_000, 600_000, 1, 0),
    b"\x82\x00\x00\xff\xfe\x00" + struct.pack("<8I", 0xFFFFFFFF, 1, 1, 1, 1, 1, 7, 0),
    b"\x03mongodb://localhost/?authMechanism=MONGODB-AWS\x00MONGODB-AWS\x00AKIDEXAMPLE\x00"
    + SECRET.encode() + b"\x00$external\x00AWS_SESSION_TOKEN\x00" + TOKEN.encode() + b"\x00"
    + struct.pack("<8I", 1, 0, 0, 0, 0, 0, 0, 0),
    b"\x83not a uri\x00\x00\x00\x00\x00\x00\x00" + bytes(32),
])

# credential_process: stdout NUL stderr NUL command line.
def process_doc(**fields):
    return json.dumps({"Version": 1, "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": SECRET, **fields})


write("credential_process", [
    process_doc(SessionToken=TOKEN, Expiration="2026-11-29T10:00:00Z")
    + f"\x00warning: using {SECRET} for ASIAEXAMPLE\x00/usr/local/bin/get-creds --profile 'dev ops'",
    process_doc() + "\x00\x00C:\\Program Files\\creds.exe \"a b\" \\\"q\\\"",
    "\ufeff" + process_doc(SessionToken=TOKEN, Expiration="2026-11-29T12:00:00+02:00", AccountId="1")
    + f"\x00token={TOKEN}\nsecond line\x00sh -c 'creds | jq .'",
    process_doc(Expiration="2025-12-31T23:00:00Z") + "\x00expired\x00creds",
    process_doc(Version=2) + "\x00\x00\"unclosed",
    process_doc(Expiration="2026-11-29T10:00:00UTC") + "\x00\x00trailing\\",
    process_doc().replace("/", "\\/") + "\x00\x00creds",
    '{"Version": 1.0, "AccessKeyId": "A B", "SecretAccessKey": 42}\x00\x1b[31merror\x00',
    "not json\x00error: role not found\x00   ",
])

# sso: a selector byte, then a token file (0), a portal answer (1: status, header flag, header,
# body) or an endpoint, account and role (2).
portal_ok = json.dumps({"roleCredentials": {"accessKeyId": "ASIAEXAMPLE", "secretAccessKey": SECRET,
                                            "sessionToken": TOKEN, "expiration": 1767229200000}})
write("sso", [
    b"\x00" + json.dumps({"startUrl": "https://d-abc123.awsapps.com/start", "region": "us-east-1",
                          "accessToken": SENT, "expiresAt": "2026-11-29T10:00:00Z",
                          "refreshToken": TOKEN, "clientSecret": SECRET}).encode(),
    b"\x00" + json.dumps({"accessToken": SENT, "expiresAt": "2019-11-14T04:05:45UTC"}).encode(),
    b"\x00" + json.dumps({"accessToken": " ", "expiresAt": "soon"}).encode(),
    b"\x01" + struct.pack("<H", 200) + b"\x00" + portal_ok.encode(),
    b"\x01" + struct.pack("<H", 200) + b"\x00" + portal_ok.replace("1767229200000", "1.7e12").encode(),
    b"\x01" + struct.pack("<H", 200) + b"\x00" + portal_ok.replace("1767229200000", "253402300799001").encode(),
    b"\x01" + struct.pack("<H", 401) + b"\x01UnauthorizedException:http://internal\x00{}",
    b"\x01" + struct.pack("<H", 400) + b"\x00"
    + json.dumps({"__type": "com.amazon#InvalidRequestException", "message": SENT}).encode(),
    b"\x01" + struct.pack("<H", 429) + b"\x00",
    b"\x02https://portal.sso.eu-west-1.amazonaws.com\x00123456789012\x00Dev Ops&x",
    b"\x02http://127.0.0.1:8080/prefix/?x=1#f\x001\x00r",
    b"\x02file:///tmp\x001\x00r",
])

# sts_scrub: the cap (times 4), then the secrets and last the server's text, NUL-separated.
write("sts_scrub", [
    b"\x80" + SENT.encode() + b"\x00" + f"Token {SENT} is not valid".encode(),
    b"\x80" + TOKEN.encode() + b"\x00" + b"body: WebIdentityToken=FuzzSessionTokenMarker%2F0123456789%2Babcdef"
    b"XYZ%3D%3D&Version=2011-06-15",
    b"\x10" + SECRET.encode() + b"\x00" + TOKEN.encode() + b"\x00" + f"{TOKEN}\r\n\x1b[31m{SECRET}".encode(),
    b"\x02" + SENT.encode() + b"\x00" + ("x" * 600).encode(),
    b"\x40a\x00abc\x00a b abc ab",
    b"\x40" + "pässwörd-€".encode() + b"\x00" + "the assertion p%C3%A4ssw%C3%B6rd-%E2%82%AC".encode(),
])
