#!/usr/bin/env python3
"""moto as a SigV4-verifying STS on loopback, for the end-to-end tests of every binding.

Starts moto's server on 127.0.0.1 (port 0 unless --port), seeds an IAM user with an access key
and two roles while IAM authentication is still off, switches authentication on, and then
prints one JSON line on stdout (and writes it to --state, if given) describing the endpoint and
the identities. It runs until stdin reaches EOF, or SIGTERM/SIGINT. See README.md beside this
file for the contract.

With authentication on, moto recomputes every signature with botocore's SigV4 code, so a
verifier we did not write judges what our library signs. Two moto behaviours are adjusted, and
neither touches signature checking:

- unsigned AssumeRoleWithWebIdentity and AssumeRoleWithSAML (legitimately unsigned calls) are
  let through, and every other unsigned request gets 403 MissingAuthenticationToken instead of
  moto's HTTP 500 (KeyError 'HTTP_AUTHORIZATION');
- an unsigned request whose Action is in the query string is routed to STS (moto would pick S3).

Needs moto[iam,sts]==5.2.5, flask and flask-cors. Talks to nothing but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import signal
import sys
import threading
import urllib.parse
import urllib.request

# Before moto or botocore is imported: nothing here may look for an EC2 instance role.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _name in [n for n in os.environ if n.startswith("AWS_") and n != "AWS_EC2_METADATA_DISABLED"]:
    del os.environ[_name]

from moto.core import exceptions as moto_exceptions  # noqa: E402
from moto.core.authorization import ActionAuthenticatorMixin  # noqa: E402
from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication  # noqa: E402

UNSIGNED_STS_ACTIONS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}
STS_HOST = "sts.amazonaws.com"
REGION = "us-east-1"
ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
TRUST_ANYONE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "*", "AWS": "*"},
                "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"],
            }
        ],
    }
)


class MissingAuthenticationToken(moto_exceptions._RESTError):
    code = 403

    def __init__(self) -> None:
        super().__init__("MissingAuthenticationToken", "Request is missing Authentication Token")


def _action(handler) -> str | None:
    try:
        return handler._get_action()
    except Exception:  # noqa: BLE001 - an unparseable request is simply not one of ours
        return None


def _patch_moto() -> None:
    original_auth = ActionAuthenticatorMixin._authenticate_and_authorize_action

    def authenticate(self, iam_request_cls, resource="*"):
        if "Authorization" not in self.headers and ActionAuthenticatorMixin.request_count >= _auth_threshold():
            if _action(self) in UNSIGNED_STS_ACTIONS:
                return None
            raise MissingAuthenticationToken()
        return original_auth(self, iam_request_cls, resource)

    ActionAuthenticatorMixin._authenticate_and_authorize_action = authenticate

    original_infer = DomainDispatcherApplication.infer_service_region_host

    def infer(self, environ, path):
        if not environ.get("HTTP_AUTHORIZATION") and not environ.get("HTTP_X_AMZ_TARGET"):
            query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
            if "Action" in query:
                return STS_HOST
            host = original_infer(self, environ, path)
            return host if host is not None else STS_HOST
        return original_infer(self, environ, path)

    DomainDispatcherApplication.infer_service_region_host = infer


def _auth_threshold() -> float:
    from moto import settings

    return settings.INITIAL_NO_AUTH_ACTION_COUNT


def _saml_assertion(role_arn: str, principal_arn: str, session_name: str) -> str:
    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_moto" Version="2.0">
<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">
<saml:Subject><saml:NameID>{session_name}</saml:NameID></saml:Subject>
<saml:AttributeStatement>
<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>{role_arn},{principal_arn}</saml:AttributeValue></saml:Attribute>
<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>{session_name}</saml:AttributeValue></saml:Attribute>
</saml:AttributeStatement>
</saml:Assertion>
</samlp:Response>"""
    return base64.b64encode(xml.encode()).decode()


def _seed(endpoint: str) -> dict:
    import boto3

    iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="AKIASEEDINGONLY00000",
        aws_secret_access_key="seeding-only",
    )
    iam.create_user(UserName="mongo-user")
    iam.put_user_policy(UserName="mongo-user", PolicyName="all", PolicyDocument=ALLOW_ALL)
    key = iam.create_access_key(UserName="mongo-user")["AccessKey"]
    user = iam.get_user(UserName="mongo-user")["User"]
    roles = {}
    for name in ("mongo-web-identity", "mongo-saml"):
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_ANYONE)["Role"]
        iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=ALLOW_ALL)
        roles[name] = role["Arn"]
    principal = iam.create_saml_provider(
        Name="mongo-idp", SAMLMetadataDocument="<EntityDescriptor>" + "x" * 1000 + "</EntityDescriptor>"
    )["SAMLProviderArn"]
    return {
        "user": {
            "arn": user["Arn"],
            "access_key_id": key["AccessKeyId"],
            "secret_access_key": key["SecretAccessKey"],
        },
        "web_identity": {
            "role_arn": roles["mongo-web-identity"],
            # moto does not verify web identity tokens; any non-empty JWT-shaped text will do.
            "token": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtb25nby1hcHAifQ.moto",
        },
        "saml": {
            "role_arn": roles["mongo-saml"],
            "principal_arn": principal,
            "session_name": "mongo-saml-user",
            "assertion": _saml_assertion(roles["mongo-saml"], principal, "mongo-saml-user"),
        },
    }


def _switch_auth_on(endpoint: str) -> None:
    # text/plain: with a form content type moto reads an empty body and answers 500.
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=b"0",
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
    if _auth_threshold() != 0:
        raise RuntimeError("moto did not switch IAM authentication on")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--state", help="also write the JSON description to this file")
    parser.add_argument("--ignore-stdin", action="store_true", help="run until SIGTERM/SIGINT only")
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        parser.error("--host must be a loopback address")

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    _patch_moto()
    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    port = server._server.server_port
    endpoint = f"http://{args.host}:{port}"
    state = {"endpoint": endpoint, "region": REGION, "sts_host": STS_HOST, "pid": os.getpid()}
    state.update(_seed(endpoint))
    _switch_auth_on(endpoint)
    state["auth"] = True

    line = json.dumps(state)
    if args.state:
        tmp = f"{args.state}.tmp"
        with open(tmp, "w") as f:
            f.write(line + "\n")
        os.replace(tmp, args.state)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()

    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    if not args.ignore_stdin:
        threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
