#!/usr/bin/env python3
"""mongoawsauth against pymongo-auth-aws 1.3, side by side, from one run on one machine.

Prints (and with --markdown, formats for docs/benchmarks.md):

- cold start: a fresh interpreter that imports the package and gets credentials from the
  environment (median of --runs runs each, interleaved), plus import alone, over `python -c pass`;
- building the client-final payload: calls per second, in-process, through each package's
  AwsSaslContext (pymongo's API) and through mongoawsauth.Conversation;
- installed size of each package with its dependencies.

Setup (not part of `make test`): takes the wheel given with --wheel (for example the one `make
dist-python` writes to target/dist/), or else builds a release wheel of bindings/python with
maturin (from target/python/venv, which `make python-test` creates, or maturin on PATH), and
installs each side with `pip install --target` into its own directory under target/python/bench/. Both sides run on
the same base interpreter without site-packages of any venv; children see only the AWS_*
variables set here, with IMDS disabled and the shared files pointed at /dev/null, so nothing
leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
BENCH = REPO / "target" / "python" / "bench"
BINDING = REPO / "bindings" / "python"
THEIRS = "pymongo-auth-aws==1.3.0"
PYMONGO = "pymongo==4.20.1"

CHILD_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": str(BENCH / "home"),
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "MONGOAWSAUTH_LOOPBACK_ONLY": "1",
}

COLD = {
    "baseline": "pass",
    "ours_import": "import mongoawsauth",
    "theirs_import": "import pymongo_auth_aws",
    "ours": "import mongoawsauth; mongoawsauth.Authenticator().credentials()",
    "theirs": "import pymongo_auth_aws.auth as a; a.aws_temp_credentials()",
}

PAYLOAD_SCRIPT = r"""
import json, os, sys, time
import bson
which, seconds = sys.argv[1], float(sys.argv[2])
def server_first(first):
    nonce = bson.decode(first)["r"]
    return bson.encode({"s": bson.Binary(nonce + os.urandom(32), 0), "h": "sts.amazonaws.com"})
ak, sk = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
if which == "native":
    import mongoawsauth
    creds = mongoawsauth.Credentials(ak, sk)
    def one():
        c = mongoawsauth.Conversation(creds)
        s = server_first(c.client_first())
        t = time.perf_counter(); c.client_final(s); return time.perf_counter() - t
else:
    if which == "ours":
        from mongoawsauth import pymongo_auth_aws as pa
    else:
        import pymongo_auth_aws as pa
    class Ctx(pa.AwsSaslContext):
        def binary_type(self): return bson.Binary
        def bson_encode(self, doc): return bson.encode(doc)
        def bson_decode(self, data): return bson.decode(data)
    def one():
        ctx = Ctx(pa.AwsCredential(ak, sk, None))
        s = server_first(ctx.step(None))
        t = time.perf_counter(); ctx.step(s); return time.perf_counter() - t
for _ in range(200): one()
spent, n, end = 0.0, 0, time.perf_counter() + seconds
while time.perf_counter() < end:
    spent += one(); n += 1
print(json.dumps({"calls": n, "per_second": n / spent}))
"""


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def base_python() -> str:
    base = Path(sys.base_prefix) / "bin" / "python3"
    return str(base if base.exists() else sys.executable)


def maturin() -> str:
    venv = REPO / "target" / "python" / "venv" / "bin" / "maturin"
    found = str(venv) if venv.exists() else shutil.which("maturin")
    if not found:
        sys.exit("maturin not found: run `make python-test` once, or pip install maturin")
    return found


def pip_target(directory: Path, *requirements: str) -> None:
    if directory.exists():
        return
    run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--target", str(directory), *requirements])


def setup(rebuild: bool, wheel: Path | None, before: Path | None) -> dict:
    BENCH.mkdir(parents=True, exist_ok=True)
    (BENCH / "home").mkdir(exist_ok=True)
    wheels = BENCH / "wheel"
    if wheel is not None:
        # A given wheel always replaces the installed one: comparing two builds is the point.
        shutil.rmtree(wheels, ignore_errors=True)
        shutil.rmtree(BENCH / "ours", ignore_errors=True)
        wheels.mkdir()
        shutil.copy(wheel, wheels)
    elif rebuild or not list(wheels.glob("*.whl")):
        shutil.rmtree(wheels, ignore_errors=True)
        shutil.rmtree(BENCH / "ours", ignore_errors=True)
        env = dict(os.environ, CARGO_TARGET_DIR=str(REPO / "target" / "python" / "cargo"))
        run([maturin(), "build", "--release", "--quiet", "--locked", "--interpreter", base_python(),
             "--out", str(wheels)], cwd=BINDING, env=env)
    pip_target(BENCH / "ours", str(next(wheels.glob("*.whl"))))
    if before is not None:
        shutil.rmtree(BENCH / "before", ignore_errors=True)
        pip_target(BENCH / "before", str(before))
    pip_target(BENCH / "theirs", THEIRS)
    pip_target(BENCH / "pymongo", PYMONGO)
    dirs = {"ours": BENCH / "ours", "theirs": BENCH / "theirs", "pymongo": BENCH / "pymongo"}
    if before is not None:
        dirs["before"] = BENCH / "before"
    return dirs


def size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def child_env(*paths: Path) -> dict:
    return dict(CHILD_ENV, PYTHONPATH=os.pathsep.join(str(p) for p in paths), PYTHONDONTWRITEBYTECODE="")


def cold_start(dirs: dict, runs: int) -> dict:
    python = base_python()
    commands = dict(COLD)
    if "before" in dirs:  # the other build of ours, in the same interleaved rounds
        commands.update(before_import=COLD["ours_import"], before=COLD["ours"])
    samples = {name: [] for name in commands}
    envs = {name: child_env(dirs[name.split("_")[0]]) for name in commands if name != "baseline"}
    envs["baseline"] = child_env(dirs["theirs"])
    for name, code in commands.items():  # warm the page cache and write the .pyc files
        for _ in range(3):
            run([python, "-s", "-c", code], env=envs[name])
    for _ in range(runs):
        for name, code in commands.items():
            started = time.perf_counter()
            run([python, "-s", "-c", code], env=envs[name])
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def payloads(dirs: dict, seconds: float) -> dict:
    python = base_python()
    out = {}
    for which, path in (("theirs", dirs["theirs"]), ("ours", dirs["ours"]), ("native", dirs["ours"])):
        result = subprocess.run(
            [python, "-s", "-c", PAYLOAD_SCRIPT, which, str(seconds)],
            env=child_env(path, dirs["pymongo"]), check=True, capture_output=True, text=True,
        )
        out[which] = json.loads(result.stdout)["per_second"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="mongoawsauth vs pymongo-auth-aws 1.3")
    parser.add_argument("--runs", type=int, default=25, help="cold-start runs per command (default 25)")
    parser.add_argument("--seconds", type=float, default=3.0, help="time per payload benchmark")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the release wheel")
    parser.add_argument("--wheel", type=Path, help="measure this wheel instead of building one")
    parser.add_argument("--before", type=Path, metavar="WHEEL",
                        help="also time this other build of ours, interleaved with the same runs")
    parser.add_argument("--markdown", action="store_true", help="print a table for docs/benchmarks.md")
    args = parser.parse_args()
    dirs = setup(args.rebuild, args.wheel, args.before)
    cold = cold_start(dirs, args.runs)
    rate = payloads(dirs, args.seconds)
    sizes = {"ours": size(dirs["ours"]), "theirs": size(dirs["theirs"])}
    base = cold["baseline"]
    rows = [
        ("cold start: import + credentials from env, median ms", cold["ours"], cold["theirs"]),
        ("  the same, over `python -c pass`", cold["ours"] - base, cold["theirs"] - base),
        ("import alone over `python -c pass`, median ms", cold["ours_import"] - base, cold["theirs_import"] - base),
        ("client-final payload via AwsSaslContext.step, calls/s", rate["ours"], rate["theirs"]),
        ("installed size with dependencies, MB", sizes["ours"] / 1e6, sizes["theirs"] / 1e6),
    ]
    print(f"python {sys.version.split()[0]} ({base_python()}), {os.cpu_count()} CPUs, "
          f"{args.runs} cold-start runs each; `python -c pass` median {base:.1f} ms")
    print(f"mongoawsauth.Conversation.client_final: {rate['native']:.0f} calls/s")
    if args.markdown:
        print("\n| measure | mongoawsauth | pymongo-auth-aws 1.3 | ratio (theirs / ours) |")
        print("| --- | --- | --- | --- |")
    for label, ours, theirs in rows:
        ratio = (ours / theirs) if "calls/s" in label else (theirs / ours if ours else float("inf"))
        if args.markdown:
            name = "ours / theirs" if "calls/s" in label else ""
            print(f"| {label} | {ours:.1f} | {theirs:.1f} | {ratio:.1f}x {name}".rstrip() + " |")
        else:
            print(f"{label:58} ours {ours:10.1f}   theirs {theirs:10.1f}   ratio {ratio:6.1f}x")
    if "before" in dirs:
        before_size = size(dirs["before"])
        print(f"\n--before wheel against this one, same runs: import + credentials {cold['before']:.1f} "
              f"against {cold['ours']:.1f} ms, import alone {cold['before_import']:.1f} against "
              f"{cold['ours_import']:.1f} ms, installed {before_size / 1e6:.2f} against "
              f"{sizes['ours'] / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
