"""Credential fetching does not block the event loop: another task keeps running while a slow
stand-in (a container credentials endpoint on 127.0.0.1 that takes a second) answers."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import json
import threading
import time

import pytest

import mongoawsauth
from mongoawsauth import errors

DELAY = 1.0


class SlowContainerEndpoint(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        time.sleep(DELAY)
        expiration = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = json.dumps(
            {
                "AccessKeyId": "ASIASLOWSTANDIN00000",
                "SecretAccessKey": "slow-secret",
                "Token": "slow-token",
                "Expiration": expiration,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_endpoint():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowContainerEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/creds"
    server.shutdown()
    server.server_close()


async def ticks_while(awaitable):
    ticks = 0
    stop = False

    async def ticker():
        nonlocal ticks
        while not stop:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    started = time.monotonic()
    try:
        result = await awaitable
    finally:
        stop = True
        await task
    return result, ticks, time.monotonic() - started


def test_slow_endpoint_does_not_block_the_loop(slow_endpoint):
    auth = mongoawsauth.Authenticator(
        env={"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONTAINER_CREDENTIALS_FULL_URI": slow_endpoint}
    )

    async def main():
        return await ticks_while(auth.credentials_async())

    creds, ticks, elapsed = asyncio.run(main())
    assert creds.access_key_id == "ASIASLOWSTANDIN00000" and creds.source == "container"
    assert elapsed >= DELAY * 0.9
    # At 10 ms per tick the ticker runs dozens of times during the wait; a blocked loop gives 1.
    assert ticks >= 20, ticks


def test_slow_sync_provider_does_not_block_the_loop():
    def provider():
        time.sleep(DELAY)
        return mongoawsauth.Credentials("AKIASLOW", "secret")

    auth = mongoawsauth.Authenticator(provider=provider)

    async def main():
        return await ticks_while(auth.credentials_async())

    creds, ticks, _ = asyncio.run(main())
    assert creds.access_key_id == "AKIASLOW" and ticks >= 20, ticks


def test_async_provider_runs_on_the_callers_loop():
    seen = {}

    async def provider():
        seen["loop"] = asyncio.get_running_loop()
        await asyncio.sleep(0.05)
        return mongoawsauth.Credentials("AKIAONLOOP", "secret")

    async def main():
        creds = await mongoawsauth.Authenticator(provider=provider).credentials_async()
        return creds, asyncio.get_running_loop()

    creds, loop = asyncio.run(main())
    assert creds.access_key_id == "AKIAONLOOP" and seen["loop"] is loop


def test_cancellation_and_timeout(slow_endpoint):
    auth = mongoawsauth.Authenticator(
        env={"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONTAINER_CREDENTIALS_FULL_URI": slow_endpoint}
    )

    async def main():
        task = asyncio.ensure_future(auth.credentials_async())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        with pytest.raises(errors.CredentialsTimeoutError):
            await auth.credentials_async(timeout=0.2)

    asyncio.run(main())
