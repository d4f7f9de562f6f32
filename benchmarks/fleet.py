#!/usr/bin/env python3
"""Fleet simulation: many processes, each with many threads logging in over and over, against a
rate-limited IMDS and container credentials stand-in (loopback only). See docs/benchmarks.md,
section "Fleet simulation".

For each credential source (IMDS, container) and each refresh-ahead setting (on: the window given
by --refresh-ahead; off: refresh-ahead window equal to the refresh window), it starts fresh
stand-ins (mongoawsauth-standins with --imds-rate-limit, --container-rate-limit,
--credentials-lifetime and --rotate-before), runs N fleet_worker processes of M threads for the
duration, asks the stand-ins for their counters, and prints one table row:

  fetches/process  credentials handed out by the stand-in, divided by N
  requests         HTTP requests the stand-in received (429s included; IMDS: token, role and
                   credentials requests)
  429s             requests the stand-in refused for being over its rate (all processes)
  failed logins    logins that got no credentials, or expired ones (goal 0)
  on extended      logins whose credentials outlived the stand-in's lifetime: IMDS static
                   stability serving the last good credentials with a later expiry
  p99              login latency (credentials from the authenticator + signing), all threads

Run from the repository root: `make fleet` or `python3 benchmarks/fleet.py --help`. The table
is Markdown, ready to paste into docs/benchmarks.md; --json writes every figure to a file.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--processes", type=int, default=16, help="worker processes (default 16)")
    p.add_argument("--threads", type=int, default=64, help="threads per process (default 64)")
    p.add_argument("--duration", type=float, default=60, help="seconds per run (default 60)")
    p.add_argument("--think-ms", type=float, default=50,
                   help="pause between two logins of one thread, ms (default 50)")
    p.add_argument("--sources", default="imds,container", help="imds,container (default both)")
    p.add_argument("--modes", default="on,off", help="refresh-ahead on,off (default both)")
    p.add_argument("--lifetime", type=float, default=30,
                   help="seconds the stand-ins' credentials stay valid (default 30)")
    p.add_argument("--rotate-before", type=float, default=5,
                   help="the stand-ins hand out the same credentials until this many seconds "
                        "remain (default 5, the refresh window: the real endpoints promise new "
                        "credentials 5 minutes before expiry); 0: new ones on every request")
    p.add_argument("--refresh-window", type=float, default=5,
                   help="seconds before expiry the cache stops serving (default 5)")
    p.add_argument("--refresh-ahead", type=float, default=10,
                   help="seconds before expiry refresh-ahead starts, when on (default 10)")
    p.add_argument("--imds-rate", default="100,100",
                   help="IMDS requests/s,burst (default 100,100; see docs/benchmarks.md)")
    p.add_argument("--container-rate", default="40,60",
                   help="container endpoint requests/s,burst (default 40,60, the ECS agent's)")
    p.add_argument("--verify-every", type=int, default=0,
                   help="send every Nth login of each thread through the fake mongod (default 0)")
    p.add_argument("--no-build", action="store_true", help="use the binaries already built")
    p.add_argument("--json", metavar="FILE", help="also write every figure to FILE")
    return p.parse_args()


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")


def build():
    cargo = os.environ.get("CARGO", "cargo")
    for cmd in (
        [cargo, "build", "--quiet", "--release", "-p", "mongoawsauth-testkit", "--bin",
         "mongoawsauth-standins"],
        [cargo, "build", "--quiet", "--release", "-p", "mongoawsauth", "--example", "fleet_worker"],
    ):
        subprocess.run(cmd, cwd=ROOT, check=True)


def clean_env():
    """The worker's environment: no inherited AWS_* variable, loopback only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["MONGOAWSAUTH_LOOPBACK_ONLY"] = "1"
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def fmt_secs(s):
    return f"{s:g}"


def start_standins(args):
    cmd = [
        os.path.join(target_dir(), "release", "mongoawsauth-standins"),
        "--imds-rate-limit", args.imds_rate,
        "--container-rate-limit", args.container_rate,
        "--credentials-lifetime", str(int(args.lifetime)),
    ]
    if args.rotate_before > 0:
        cmd += ["--rotate-before", str(int(args.rotate_before))]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=clean_env())
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        sys.exit("mongoawsauth-standins did not start")
    return proc, json.loads(line)


def counters(proc):
    proc.stdin.write("counters\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())["counters"]


def run_once(args, source, refresh_ahead_on):
    standins, info = start_standins(args)
    try:
        if source == "imds":
            endpoint, extra = info["imds_url"], []
        else:
            endpoint, extra = info["container_url"], ["--token", info["container_token"]]
        if args.verify_every > 0:
            extra += ["--mongod", info["mongod"], "--verify-every", str(args.verify_every)]
        ahead = args.refresh_ahead if refresh_ahead_on else args.refresh_window
        worker = os.path.join(target_dir(), "release", "examples", "fleet_worker")
        workers = []
        for i in range(args.processes):
            cmd = [worker, "--id", str(i), "--source", source, "--endpoint", endpoint,
                   "--threads", str(args.threads), "--duration", fmt_secs(args.duration),
                   "--think-ms", fmt_secs(args.think_ms),
                   "--refresh-window", fmt_secs(args.refresh_window),
                   "--refresh-ahead", fmt_secs(ahead), "--lifetime", fmt_secs(args.lifetime)] + extra
            workers.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=clean_env()))
        results = []
        for w in workers:
            out, _ = w.communicate()
            if w.returncode != 0 or not out.strip():
                sys.exit(f"a fleet_worker failed (exit {w.returncode})")
            results.append(json.loads(out.strip().splitlines()[-1]))
        seen = counters(standins)
    finally:
        standins.stdin.close()
        try:
            standins.wait(timeout=10)
        except subprocess.TimeoutExpired:
            standins.kill()
    return summarize(args, source, refresh_ahead_on, results, seen)


def percentile(histogram, base, p):
    total = sum(histogram.values())
    rank = max(1, -(-total * p // 1))
    seen = 0
    for i in sorted(histogram):
        seen += histogram[i]
        if seen >= rank:
            return base ** i
    return 0.0


def summarize(args, source, refresh_ahead_on, results, seen):
    histogram = {}
    failures = {}
    for r in results:
        for k, v in r["histogram"].items():
            histogram[int(k)] = histogram.get(int(k), 0) + v
        for k, v in r["failures"].items():
            failures[k] = failures.get(k, 0) + v
    base = results[0]["bucket_base"]
    fetches = seen[f"{source}.credentials_issued"]
    return {
        "source": source,
        "refresh_ahead": refresh_ahead_on,
        "logins": sum(r["logins"] for r in results),
        "failed": sum(r["failed"] for r in results),
        "from_cache": sum(r["from_cache"] for r in results),
        "verified": sum(r["verified"] for r in results),
        "extended": sum(r["extended"] for r in results),
        "fetches": fetches,
        "fetches_per_process": fetches / args.processes,
        "throttled": seen[f"{source}.throttled"],
        "requests": seen[f"{source}.requests"],
        "p50_ms": percentile(histogram, base, 0.50) / 1000,
        "p99_ms": percentile(histogram, base, 0.99) / 1000,
        "max_ms": max(r["max_us"] for r in results) / 1000,
        "failures": failures,
        "counters": seen,
    }


def print_table(args, rows, command):
    print()
    print(f"Parameters: {args.processes} processes x {args.threads} threads, "
          f"{fmt_secs(args.duration)} s per run, {fmt_secs(args.think_ms)} ms between a thread's "
          f"logins; credentials valid {fmt_secs(args.lifetime)} s, rotated "
          f"{fmt_secs(args.rotate_before)} s before expiry; refresh window "
          f"{fmt_secs(args.refresh_window)} s, refresh-ahead {fmt_secs(args.refresh_ahead)} s "
          f"(on) or {fmt_secs(args.refresh_window)} s (off); IMDS limit {args.imds_rate} "
          f"(requests/s,burst), container limit {args.container_rate}; "
          f"verify every {args.verify_every or 'no'} login(s) through the fake mongod.")
    print(f"Command: `{command}`")
    print()
    print("| source | refresh-ahead | logins | failed logins | fetches/process | "
          "requests | 429s | on extended credentials | p50 login | p99 login | max login |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['source']} | {'on' if r['refresh_ahead'] else 'off'} | {r['logins']} | "
              f"{r['failed']} | {r['fetches_per_process']:.1f} | {r['requests']} | "
              f"{r['throttled']} | {r['extended']} | {r['p50_ms']:.3f} ms | {r['p99_ms']:.2f} ms | "
              f"{r['max_ms']:.0f} ms |")
    for r in rows:
        if r["failures"]:
            print()
            print(f"Failed logins, {r['source']}, refresh-ahead "
                  f"{'on' if r['refresh_ahead'] else 'off'}:")
            for message, n in sorted(r["failures"].items(), key=lambda kv: -kv[1]):
                print(f"- {n} x {message}")


def main():
    args = parse_args()
    command = "python3 benchmarks/fleet.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    if not args.no_build:
        build()
    rows = []
    for source in [s.strip() for s in args.sources.split(",") if s.strip()]:
        if source not in ("imds", "container"):
            sys.exit(f"unknown source {source!r}: use imds and/or container")
        for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
            if mode not in ("on", "off"):
                sys.exit(f"unknown refresh-ahead mode {mode!r}: use on and/or off")
            started = time.monotonic()
            row = run_once(args, source, mode == "on")
            print(f"{source}, refresh-ahead {mode}: {row['logins']} logins, {row['failed']} failed, "
                  f"{row['fetches']} fetches, {row['throttled']} throttled, "
                  f"{row['verified']} verified through the fake mongod "
                  f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
            rows.append(row)
    print_table(args, rows, command.strip())
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"parameters": vars(args), "runs": rows}, f, indent=2)


if __name__ == "__main__":
    main()
