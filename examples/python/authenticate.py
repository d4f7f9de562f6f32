"""Log in to a MongoDB server with MONGODB-AWS using mongoawsauth, the same scenario as
examples/c/authenticate.c: the SASL conversation by hand, then connectionStatus to show the IAM
ARN the server authenticated.

pymongo serves only as the transport (an unauthenticated client with one connection, so every
command below runs on the same connection). Credentials come from the environment
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for temporary credentials, AWS_SESSION_TOKEN).

Usage: MONGOD_ADDRESS=127.0.0.1:27017 python authenticate.py
"""

import os
import sys

import pymongo

import mongoawsauth


def main() -> int:
    address = os.environ.get("MONGOD_ADDRESS", "127.0.0.1:27017")
    client = pymongo.MongoClient(f"mongodb://{address}/?directConnection=true", maxPoolSize=1)
    external = client["$external"]
    auth = mongoawsauth.Authenticator()
    try:
        with auth.conversation() as conversation:  # a failure below drops cached credentials
            reply = external.command(
                {"saslStart": 1, "mechanism": "MONGODB-AWS", "payload": conversation.client_first()}
            )
            external.command(
                {
                    "saslContinue": 1,
                    "conversationId": reply["conversationId"],
                    "payload": conversation.client_final(reply["payload"]),
                }
            )
        status = client.admin.command("connectionStatus")
        print(status["authInfo"]["authenticatedUsers"][0]["user"])
        return 0
    except pymongo.errors.OperationFailure as exc:
        print(f"login refused (code {exc.code}): {exc.details.get('errmsg')}", file=sys.stderr)
        return 1
    except mongoawsauth.MongoAwsAuthError as exc:
        print(f"login failed ({exc.code}): {exc}", file=sys.stderr)  # code: CREDENTIALS_NOT_FOUND...
        return 2
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main())
