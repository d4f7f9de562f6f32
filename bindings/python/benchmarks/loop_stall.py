#!/usr/bin/env python3
"""How long an AsyncMongoClient login stalls the event loop, with and without mongoawsauth's
off-loop fetch. A measurement script, not a test: it prints numbers and asserts nothing.

pymongo's async MONGODB-AWS login calls the synchronous ``AwsSaslContext.step()`` on the event
loop thread; on a cache miss that step would wait for the credential fetch. ``patch_pymongo()``
wraps pymongo's async login so the credentials are awaited off the loop first, and the step
finds them ready. This script measures the worst gap between the ticks of a 1 ms heartbeat task
while one login runs, in three cases:

- ``blocking step``: pymongo's own path (the wrapper removed), cache miss: the fetch is waited
  for inside ``step()``, on the loop;
- ``off-loop fetch``: the path ``patch_pymongo()`` installs, cache miss;
- ``warm cache``: the same path, cache hit.

Credentials come from the stand-ins' container endpoint behind a loopback proxy that delays each
answer by ``--delay`` seconds, standing in for a slow metadata service. Everything listens on
127.0.0.1. Run from the repository root after ``make python-test`` (which builds the stand-ins
and installs the wheel in target/python/venv):

    target/python/venv/bin/python bindings/python/benchmarks/loop_stall.py --delay 0.3 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def clean_environment():
    for name in list(os.environ):
        if name.startswith("AWS_"):
            del os.environ[name]
    os.environ.update(
        AWS_EC2_METADATA_DISABLED="true",
        MONGOAWSAUTH_LOOPBACK_ONLY="1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )


def start_standins():
    binary = os.environ.get("MONGOAWSAUTH_STANDINS") or next(
        str(p) for p in (REPO / "target" / d / "mongoawsauth-standins" for d in ("release", "debug")) if p.exists()
    )
    proc = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return proc, json.loads(proc.stdout.readline())


def slow_proxy(target_url, token, delay):
    """A loopback container endpoint that answers like ``target_url``, ``delay`` seconds late."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            time.sleep(delay)
            request = urllib.request.Request(target_url, headers={"Authorization": token})
            with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
                body = response.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/creds"


async def one_login(uri):
    """(worst heartbeat gap, login time) for one login with a fresh client, in seconds."""
    import pymongo

    worst = 0.0
    done = asyncio.Event()

    async def heartbeat():
        nonlocal worst
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst = max(worst, now - last)
            last = now

    ticker = asyncio.create_task(heartbeat())
    await asyncio.sleep(0.01)
    client = pymongo.AsyncMongoClient(uri, maxPoolSize=1, serverSelectionTimeoutMS=10000)
    started = time.perf_counter()
    try:
        await client.admin.command("ping")
        elapsed = time.perf_counter() - started
    finally:
        done.set()
        await ticker
        await client.close()
    return worst, elapsed


def measure(label, uri, rounds, cold):
    from mongoawsauth import testing

    stalls, logins = [], []
    for _ in range(rounds):
        if cold:
            testing.clear()
        stall, elapsed = asyncio.run(one_login(uri))
        stalls.append(stall)
        logins.append(elapsed)
    print(
        f"| {label:<15} | {max(stalls) * 1000:14.1f} | {statistics.median(stalls) * 1000:15.1f} "
        f"| {statistics.median(logins) * 1000:15.1f} |"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay", type=float, default=0.3, help="seconds the credential endpoint takes")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    clean_environment()
    proc, standins = start_standins()
    server, url = slow_proxy(standins["container_url"], standins["container_token"], args.delay)
    os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = url
    try:
        import pymongo
        import pymongo.asynchronous.auth

        import mongoawsauth
        from mongoawsauth import _pymongo_patch

        mongoawsauth.patch_pymongo()
        uri = standins["mongodb_uri"]
        print(f"pymongo {pymongo.version}, credential endpoint delay {args.delay * 1000:.0f} ms, {args.rounds} rounds\n")
        print("| case            | worst stall ms | median stall ms | median login ms |")
        print("| --- | ---: | ---: | ---: |")
        _pymongo_patch._unwrap_auth_map(pymongo.asynchronous.auth)
        measure("blocking step", uri, args.rounds, cold=True)
        _pymongo_patch._wrap_auth_map(pymongo.asynchronous.auth)
        measure("off-loop fetch", uri, args.rounds, cold=True)
        measure("warm cache", uri, args.rounds, cold=False)
    finally:
        server.shutdown()
        proc.stdin.close()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
