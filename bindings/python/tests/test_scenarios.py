"""The hermetic scenarios of ``tests/data/scenarios/`` through the real pymongo, patched with
mongoawsauth: one test per folder, each with fresh stand-ins, its own private home and a child
process whose environment is exactly the scenario's (the library reads the process
environment). The same folders run from Rust (``crates/mongoawsauth/tests/scenarios.rs``) and
Node; the loader's own rules are tested below them."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import scenario_loader as loader
from conftest import REPO, Process, standins_binary

SCENARIOS = REPO / "tests" / "data" / "scenarios"
HERE = Path(__file__).resolve().parent
CHILD = f"import sys; sys.path.insert(0, {str(HERE)!r}); import scenario_loader; scenario_loader.child_main()"


def origin(url: str) -> str:
    """``http://host:port`` of a URL: the container stand-in's base for a relative URI."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


class StandIns(Process):
    """A fresh stand-ins process whose counters can be read through its stdin commands."""

    def __init__(self):
        super().__init__([standins_binary()], "mongoawsauth-standins")

    def counters(self) -> dict:
        self.proc.stdin.write("counters\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        assert "counters" in reply, f"the stand-ins did not report counters: {reply}"
        return reply["counters"]


def run_child(prepared: loader.Prepared, request: dict, hidden: list) -> dict:
    env = loader.child_env(prepared)
    assert not any(k.startswith("AWS_") and k not in prepared.env for k in env)
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD],
            input=json.dumps(request),
            env=env,
            cwd=prepared.home,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the scenario's child process did not finish within 60 s")
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        pytest.fail(f"the child process failed (exit {done.returncode}):\n{loader.redact(done.stderr[-3000:], hidden)}")
    return json.loads(lines[-1])


@pytest.mark.parametrize("folder", loader.folders(SCENARIOS), ids=lambda p: p.name)
def test_scenario(folder):
    scenario = loader.load(folder)
    options = loader.python_options(scenario.options)
    standins = StandIns()
    try:
        values = standins.info
        hidden = loader.secrets(values)
        # This runner points the container host at the stand-in (ecs_base_url below).
        prepared = loader.prepare(scenario, values, container_host_overridden=True)
        try:
            request = {
                "uri": values["mongodb_uri"],
                "options": options,
                "ecs_base_url": origin(values["container_url"]),
            }
            outcome = run_child(prepared, request, hidden)
            values = dict(values, home=str(prepared.home), scenario=str(scenario.dir))
            problems = loader.check_outcome(scenario, values, outcome)
            if "error" in outcome:
                text = json.dumps(outcome)
                if any(secret in text for secret in hidden):
                    problems.append("the error leaks a secret")
            problems += loader.check_requests(scenario, standins.counters())
        finally:
            prepared.cleanup()
    finally:
        standins.stop()
    if problems:  # pytest.fail, not assert: the introspected list would skip the redaction
        pytest.fail(loader.redact(f"{scenario.name}: " + "; ".join(problems), hidden), pytrace=False)


def test_every_scenario_folder_loads():
    names = [loader.load(f).name for f in loader.folders(SCENARIOS)]
    assert len(names) >= 10, names


# -- the loader's own rules ----------------------------------------------------------------

STANDINS = {
    "imds_url": "http://127.0.0.1:4000",
    "n": 3,
    "flag": True,
    "identities": {"user": {"access_key_id": "AKIAEXAMPLE", "secret_access_key": "s3cr3t-value-123"}},
}


def write_scenario(root: Path, name: str, doc: dict, home: dict | None = None) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "scenario.json").write_text(json.dumps(doc))
    for relative, (text, mode) in (home or {}).items():
        path = folder / "home" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(mode)
    return folder


def minimal(**extra) -> dict:
    return {"description": "d", "expect": {"login": {}}, **extra}


def test_substitute_resolves_nested_paths_and_reports_unknown_ones():
    assert loader.substitute("[${identities.user.access_key_id}-${n}-${flag}] $HOME", STANDINS) == (
        "[AKIAEXAMPLE-3-true] $HOME"
    )
    with pytest.raises(loader.ScenarioError, match=r"identities\.nobody"):
        loader.substitute("${identities.nobody}", STANDINS)
    with pytest.raises(loader.ScenarioError, match="unterminated"):
        loader.substitute("${imds_url", STANDINS)
    with pytest.raises(loader.ScenarioError, match="not a string or number"):
        loader.substitute("${identities}", STANDINS)


def test_load_refuses_unknown_keys_options_and_expectations(tmp_path):
    bad = {
        "top": minimal(extra=1),
        "option": minimal(options={"region": "us-east-1"}),
        "option-type": minimal(options={"shared_config": "no"}),
        "env-type": minimal(env={"AWS_PROFILE": 3}),
        "login-key": {"description": "d", "expect": {"login": {"role": "x"}}},
        "both": {"description": "d", "expect": {"login": {}, "error": {"contains": "x"}}},
        "count": minimal(requests={"imds.requests": -1}),
        "no-description": {"expect": {"login": {}}},
    }
    for name, doc in bad.items():
        with pytest.raises(loader.ScenarioError, match="scenario.json"):
            loader.load(write_scenario(tmp_path, name, doc))
    good = loader.load(write_scenario(tmp_path, "good", minimal(options={"profile": "p", "shared_config": False})))
    assert good.options == {"profile": "p", "shared_config": False}
    assert loader.python_options(good.options) == {"profile": "p", "shared_config": False}
    with pytest.raises(loader.ScenarioError, match="region"):
        loader.python_options({"region": "x"})


def test_prepare_builds_the_environment_as_the_rust_module_does(tmp_path):
    folder = write_scenario(
        tmp_path,
        "env",
        minimal(env={"AWS_ACCESS_KEY_ID": "${identities.user.access_key_id}", "AWS_CONFIG_FILE": None}),
    )
    prepared = loader.prepare(loader.load(folder), STANDINS, container_host_overridden=False)
    try:
        home = str(prepared.home)
        assert prepared.env == {
            "HOME": home,
            "AWS_SHARED_CREDENTIALS_FILE": f"{home}/.aws/credentials",
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        assert prepared.unset == ["AWS_CONFIG_FILE"]
        assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
        env = loader.child_env(prepared, path="/bin")
        assert env["MONGOAWSAUTH_LOOPBACK_ONLY"] == "1" and env["PATH"] == "/bin"
        assert "AWS_CONFIG_FILE" not in env and set(env) == set(prepared.env) | {"PATH", "MONGOAWSAUTH_LOOPBACK_ONLY"}
    finally:
        prepared.cleanup()
    assert not prepared.home.exists()

    # IMDS stays on only when its endpoint is given, whatever the scenario says about it.
    off = write_scenario(tmp_path, "imds-off", minimal(env={"AWS_EC2_METADATA_DISABLED": "false"}))
    on = write_scenario(tmp_path, "imds-on", minimal(env={"AWS_EC2_METADATA_SERVICE_ENDPOINT": "${imds_url}"}))
    for folder, disabled in ((off, "true"), (on, None)):
        prepared = loader.prepare(loader.load(folder), STANDINS, container_host_overridden=False)
        prepared.cleanup()
        assert prepared.env.get("AWS_EC2_METADATA_DISABLED") == disabled


def test_prepare_copies_home_with_placeholders_and_permissions(tmp_path):
    folder = write_scenario(
        tmp_path,
        "home",
        minimal(),
        home={
            ".aws/config": ("[default]\nkey = ${identities.user.access_key_id}\nhome = ${home}\n", 0o600),
            "bin/helper": ("#!/bin/sh\necho ${scenario}\n", 0o755),
        },
    )
    prepared = loader.prepare(loader.load(folder), STANDINS, container_host_overridden=False)
    try:
        config = prepared.home / ".aws" / "config"
        assert config.read_text() == f"[default]\nkey = AKIAEXAMPLE\nhome = {prepared.home}\n"
        assert stat.S_IMODE(config.stat().st_mode) == 0o600
        helper = prepared.home / "bin" / "helper"
        assert helper.read_text() == f"#!/bin/sh\necho {folder}\n"
        assert stat.S_IMODE(helper.stat().st_mode) == 0o755
    finally:
        prepared.cleanup()
    broken = write_scenario(tmp_path, "broken-home", minimal(), home={"token": ("${nope}", 0o644)})
    with pytest.raises(loader.ScenarioError, match="nope"):
        loader.prepare(loader.load(broken), STANDINS, container_host_overridden=False)


@pytest.mark.parametrize(
    "url, loopback",
    [
        ("http://127.0.0.1:4000/latest", True),
        ("http://[::1]:80", True),
        ("http://localhost", True),
        ("http://user@127.0.0.1:1/", True),
        ("http://169.254.169.254", False),
        ("http://[fd00:ec2::254]", False),
        ("https://sts.amazonaws.com", False),
        ("http://127.0.0.1.example.com/", False),
        ("http://127.0.0.1@example.com/", False),
    ],
)
def test_loopback_check(url, loopback):
    assert loader.is_loopback(url) is loopback


def test_prepare_refuses_non_loopback_endpoints_and_an_unpointed_relative_uri(tmp_path):
    remote = write_scenario(tmp_path, "remote", minimal(env={"AWS_ENDPOINT_URL_STS": "https://sts.amazonaws.com"}))
    with pytest.raises(loader.ScenarioError, match="AWS_ENDPOINT_URL_STS must point at a loopback"):
        loader.prepare(loader.load(remote), STANDINS, container_host_overridden=True)
    relative = write_scenario(tmp_path, "relative", minimal(env={"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/x"}))
    with pytest.raises(loader.ScenarioError, match="RELATIVE_URI"):
        loader.prepare(loader.load(relative), STANDINS, container_host_overridden=False)
    prepared = loader.prepare(loader.load(relative), STANDINS, container_host_overridden=True)
    prepared.cleanup()
    # No refused scenario leaves a private home behind.
    leftovers = [p for p in Path(prepared.home).parent.glob("mongoawsauth-scenario-remote-*")]
    assert not leftovers


def test_check_outcome_and_requests():
    scenario = loader.Scenario(
        "s", Path("."), "d", {}, {}, {"error": {"contains": ["imds", "${n}"], "kind": "credentials_not_found"}},
        {"imds.requests": 0, "sts.requests": 1},
    )
    ok = {"error": {"message": "tried imds 3 times", "kind": "credentials not found"}}
    assert loader.check_outcome(scenario, STANDINS, ok) == []
    wrong_kind = {"error": {"message": "tried imds 3 times", "kind": "configuration"}}
    assert "error kind" in loader.check_outcome(scenario, STANDINS, wrong_kind)[0]
    logged_in = {"login": {"arn": "arn:x", "source": "imds", "access_key_id": "A", "temporary": True}}
    assert "expected an error" in loader.check_outcome(scenario, STANDINS, logged_in)[0]
    assert loader.check_requests(scenario, {"imds.requests": 0, "sts.requests": 1}) == []
    assert loader.check_requests(scenario, {"imds.requests": 2}) == [
        "imds.requests: expected 0, the stand-ins saw 2",
        "unknown counter 'sts.requests'",
    ]
    assert loader.redact("a s3cr3t-value-123 b", loader.secrets(STANDINS)) == "a ** redacted ** b"
