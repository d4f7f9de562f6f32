"""The hermetic credential-resolution scenarios of ``tests/data/scenarios/``, read for Python.

The same rules as the Rust testkit's ``scenario`` module, which documents the format: one folder
per scenario with ``scenario.json`` and an optional ``home/``; ``${dotted.path}`` placeholders
filled from the JSON ``mongoawsauth-standins`` prints plus ``${home}`` and ``${scenario}``; a
private copy of ``home/`` with each file's permissions kept; an environment that is exactly the
scenario's, plus ``HOME``, ``AWS_CONFIG_FILE`` and ``AWS_SHARED_CREDENTIALS_FILE`` in the private
home (unless set, or set to null to leave unset) and ``AWS_EC2_METADATA_DISABLED=true`` unless
``AWS_EC2_METADATA_SERVICE_ENDPOINT`` is given; and a refusal of any endpoint variable that does
not name loopback.

The loader imports neither mongoawsauth nor pymongo: the test module runs each scenario in a
child process (:func:`child_main`, through ``python -c``) whose environment is exactly what
:func:`prepare` built, because the library reads the process environment.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

SCENARIO_FILE = "scenario.json"

# Endpoint variables that must name a loopback stand-in (the Rust module's list).
ENDPOINT_VARIABLES = (
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SSO",
)
LOOPBACK_HOSTS = ("127.0.0.1", "[::1]", "localhost")

# Scenario option names, as the Python face spells them (all identical today).
PYTHON_OPTIONS = {"profile": "profile", "shared_config": "shared_config"}
LOGIN_KEYS = ("source", "arn", "arn_prefix", "access_key_id", "temporary")


class ScenarioError(Exception):
    """A scenario folder that cannot be read, or one this runner must refuse to run."""


@dataclass
class Scenario:
    name: str
    dir: Path
    description: str
    env: dict  # name -> str, or None for "make sure it is unset"
    options: dict  # "profile" -> str, "shared_config" -> bool
    expect: dict  # {"login": {...}} or {"error": {"contains": [...], "kind": str | None}}
    requests: dict = field(default_factory=dict)  # dotted counter name -> count


@dataclass
class Prepared:
    env: dict  # every variable to set, placeholders resolved
    unset: list
    home: Path

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


# -- placeholders --------------------------------------------------------------------------


def _lookup(values, path: str) -> str:
    at = values
    for part in path.split("."):
        # A number picks an item of a list (`assume_role.roles.2.role_arn`), as the Rust loader does.
        if isinstance(at, list) and part.isdigit() and int(part) < len(at):
            at = at[int(part)]
            continue
        if not isinstance(at, dict) or part not in at:
            raise ScenarioError(f"unknown placeholder ${{{path}}}")
        at = at[part]
    if isinstance(at, bool):  # before int: bool is an int in Python, not in JSON
        return "true" if at else "false"
    if isinstance(at, (str, int, float)):
        return str(at)
    raise ScenarioError(f"placeholder ${{{path}}} is not a string or number")


def substitute(text: str, values: dict) -> str:
    """Replaces every ``${a.b.c}`` with the string (or number) at that path of ``values``; an
    unknown path or an unterminated placeholder raises :class:`ScenarioError`; ``$`` alone is kept."""
    out = []
    rest = text
    while True:
        start = rest.find("${")
        if start < 0:
            break
        out.append(rest[:start])
        after = rest[start + 2 :]
        end = after.find("}")
        if end < 0:
            raise ScenarioError(f"unterminated placeholder in {text!r}")
        out.append(_lookup(values, after[:end]))
        rest = after[end + 1 :]
    out.append(rest)
    return "".join(out)


# -- reading -------------------------------------------------------------------------------


def _expect(value) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError('"expect" must be an object')
    if ("login" in value) == ("error" in value) or len(value) != 1:
        raise ScenarioError('expect: exactly one of "login" or "error"')
    if "login" in value:
        login = value["login"]
        if not isinstance(login, dict):
            raise ScenarioError("expect.login must be an object")
        for key, v in login.items():
            if key not in LOGIN_KEYS:
                raise ScenarioError(f"expect.login: unknown key {key!r}")
            if key == "temporary" and not isinstance(v, bool):
                raise ScenarioError("expect.login.temporary must be a boolean")
            if key != "temporary" and not isinstance(v, str):
                raise ScenarioError(f"expect: {key} must be a string")
        return {"login": dict(login)}
    error = value["error"]
    if not isinstance(error, dict):
        raise ScenarioError("expect.error must be an object")
    contains = error.get("contains")
    if isinstance(contains, str):
        contains = [contains]
    elif not (isinstance(contains, list) and all(isinstance(c, str) for c in contains)):
        raise ScenarioError("expect.error.contains (a string or a list of strings) is required")
    kind = error.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise ScenarioError("expect: kind must be a string")
    return {"error": {"contains": contains, "kind": kind}}


def load(folder: Path) -> Scenario:
    """Reads one scenario folder; a malformed ``scenario.json`` raises :class:`ScenarioError`
    naming the file and what is wrong."""
    folder = Path(folder)
    path = folder / SCENARIO_FILE

    def at(what):
        return ScenarioError(f"{path}: {what}")

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise at(exc) from None
    if not isinstance(doc, dict):
        raise at("must be a JSON object")
    for key in doc:
        if key not in ("description", "env", "options", "expect", "requests"):
            raise at(f"unknown key {key!r}")
    description = doc.get("description")
    if not isinstance(description, str):
        raise at('"description" (a string) is required')
    env = doc.get("env", {})
    if not isinstance(env, dict):
        raise at('"env" must be an object')
    for name, value in env.items():
        if value is not None and not isinstance(value, str):
            raise at(f"env {name}: a string, or null for unset")
    options = doc.get("options", {})
    if not isinstance(options, dict):
        raise at('"options" must be an object')
    for name, value in options.items():
        typed = (name == "profile" and isinstance(value, str)) or (
            name == "shared_config" and isinstance(value, bool)
        )
        if not typed:
            raise at(f"options: unknown or mistyped {name!r}")
    if "expect" not in doc:
        raise at('"expect" is required')
    try:
        expect = _expect(doc["expect"])
    except ScenarioError as exc:
        raise at(exc) from None
    requests = doc.get("requests", {})
    if not isinstance(requests, dict):
        raise at('"requests" must be an object')
    for name, count in requests.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise at(f"requests {name}: a count")
    return Scenario(folder.name, folder, description, dict(env), dict(options), expect, dict(requests))


def folders(root: Path) -> list:
    """Every scenario folder under ``root`` (those holding ``scenario.json``), sorted by name."""
    return sorted(p for p in Path(root).iterdir() if (p / SCENARIO_FILE).is_file())


# -- preparing -----------------------------------------------------------------------------


def _copy_tree(source: Path, target: Path, values: dict):
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir()):
        destination = target / entry.name
        if entry.is_dir():
            _copy_tree(entry, destination, values)
            continue
        try:
            text = substitute(entry.read_text(encoding="utf-8"), values)
        except ScenarioError as exc:
            raise ScenarioError(f"{entry}: {exc}") from None
        destination.write_text(text, encoding="utf-8")
        shutil.copymode(entry, destination)  # helper programs stay executable


def _host(url: str) -> str:
    rest = url.split("://", 1)[1] if "://" in url else url
    for stop in "/?#":
        rest = rest.split(stop, 1)[0]
    return rest.rsplit("@", 1)[-1]


def is_loopback(url: str) -> bool:
    """Whether ``url`` names 127.0.0.1, [::1] or localhost (with or without a port)."""
    host = _host(url)
    return any(host == h or host.startswith(h + ":") for h in LOOPBACK_HOSTS)


def check_loopback_only(name: str, env: dict, container_host_overridden: bool):
    """Refuses an environment that could make a resolution reach anything but loopback. The ECS
    relative URI is joined to the container host, so it is only allowed when the runner points
    that host at the stand-in."""
    for variable in ENDPOINT_VARIABLES:
        if variable in env and not is_loopback(env[variable]):
            raise ScenarioError(
                f"{name}: {variable} must point at a loopback stand-in, not {_host(env[variable])!r}"
            )
    if "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" in env and not container_host_overridden:
        raise ScenarioError(
            f"{name}: sets AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, but this runner cannot point the "
            "container host at the stand-in, so the request would go to the ECS agent's address"
        )


def prepare(scenario: Scenario, standins: dict, *, container_host_overridden: bool) -> Prepared:
    """Makes the private home and the environment, resolving placeholders against ``standins``
    (the JSON the stand-ins binary prints). The caller removes the home with
    :meth:`Prepared.cleanup`."""
    home = Path(tempfile.mkdtemp(prefix=f"mongoawsauth-scenario-{scenario.name}-"))  # mode 0700
    try:
        values = dict(standins, home=str(home), scenario=str(scenario.dir))
        source = scenario.dir / "home"
        if source.is_dir():
            try:
                _copy_tree(source, home, values)
            except (OSError, UnicodeDecodeError) as exc:
                raise ScenarioError(f"{scenario.name}: {exc}") from None
        env = {
            "HOME": str(home),
            "AWS_CONFIG_FILE": f"{home}/.aws/config",
            "AWS_SHARED_CREDENTIALS_FILE": f"{home}/.aws/credentials",
        }
        unset = []
        for name, value in scenario.env.items():
            if value is None:
                env.pop(name, None)
                unset.append(name)
            else:
                try:
                    env[name] = substitute(value, values)
                except ScenarioError as exc:
                    raise ScenarioError(f"{scenario.name}: env {name}: {exc}") from None
        if "AWS_EC2_METADATA_SERVICE_ENDPOINT" not in env:
            env["AWS_EC2_METADATA_DISABLED"] = "true"
        check_loopback_only(scenario.name, env, container_host_overridden)
        return Prepared(env, unset, home)
    except BaseException:
        shutil.rmtree(home, ignore_errors=True)
        raise


def child_env(prepared: Prepared, path: Optional[str] = None) -> dict:
    """The whole environment of a scenario's child process: the prepared variables, PATH, and
    MONGOAWSAUTH_LOOPBACK_ONLY=1 (the library then refuses any non-loopback request). Nothing
    else is inherited, above all no AWS_* variable of this process."""
    env = {k: v for k, v in prepared.env.items() if k not in prepared.unset}
    if "PATH" not in env:  # a scenario may set its own (for a credential_process helper)
        env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin") if path is None else path
    env["MONGOAWSAUTH_LOOPBACK_ONLY"] = "1"
    return env


def python_options(options: dict) -> dict:
    """The scenario's options as keyword arguments of ``patch_pymongo``; an option this runner
    does not know raises instead of being dropped."""
    out = {}
    for name, value in options.items():
        if name not in PYTHON_OPTIONS:
            raise ScenarioError(f"option {name!r} has no Python spelling in this runner")
        out[PYTHON_OPTIONS[name]] = value
    return out


# -- comparing -----------------------------------------------------------------------------


def error_kind(kind: str) -> str:
    """A face's error kind ("credentials not found", "CREDENTIALS_NOT_FOUND") as scenarios name
    it (credentials_not_found)."""
    return kind.strip().replace(" ", "_").lower()


def check_outcome(scenario: Scenario, values: dict, outcome: dict) -> list:
    """What differs between the child's outcome and the scenario's expectation (empty: none).

    ``outcome`` is ``{"login": {"arn", "source", "access_key_id", "temporary"}}`` or
    ``{"error": {"message", "kind"}}``."""

    def fill(text):
        return substitute(text, values)

    problems = []
    if "login" in scenario.expect:
        want = scenario.expect["login"]
        if "error" in outcome:
            return [f"expected a login, got: {outcome['error']['message']}"]
        got = outcome["login"]
        if "source" in want and got["source"] != want["source"]:
            problems.append(f"source {got['source']!r}, expected {want['source']!r}")
        if "arn" in want and got["arn"] != fill(want["arn"]):
            problems.append(f"logged in as {got['arn']}, expected {fill(want['arn'])}")
        if "arn_prefix" in want and not got["arn"].startswith(fill(want["arn_prefix"])):
            problems.append(f"logged in as {got['arn']}, expected a prefix {fill(want['arn_prefix'])}")
        if "access_key_id" in want and got["access_key_id"] != fill(want["access_key_id"]):
            problems.append(f"access key id {got['access_key_id']}, expected {fill(want['access_key_id'])}")
        if "temporary" in want and got["temporary"] != want["temporary"]:
            problems.append(f"temporary: {got['temporary']}, expected {want['temporary']}")
        return problems
    want = scenario.expect["error"]
    if "login" in outcome:
        got = outcome["login"]
        return [f"expected an error, but logged in as {got['arn']} through {got['source']}"]
    message = outcome["error"]["message"]
    for part in want["contains"]:
        if fill(part) not in message:
            problems.append(f"the error does not contain {fill(part)!r}: {message}")
    if want["kind"] is not None:
        kind = outcome["error"].get("kind")
        if kind is None or error_kind(kind) != want["kind"]:
            problems.append(f"error kind {kind}, expected {want['kind']}: {message}")
    return problems


def check_requests(scenario: Scenario, counters: dict) -> list:
    """Every counter the scenario lists that the stand-ins report differently, or not at all."""
    problems = []
    for name, want in sorted(scenario.requests.items()):
        if name not in counters:
            problems.append(f"unknown counter {name!r}")
        elif counters[name] != want:
            problems.append(f"{name}: expected {want}, the stand-ins saw {counters[name]}")
    return problems


def secrets(values) -> list:
    """Every secret in the stand-ins' JSON: secret keys, session tokens, tokens, assertions."""
    out = []
    stack = [values]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                secret_key = any(s in key for s in ("secret", "token", "assertion")) and not key.endswith("_file")
                if secret_key and isinstance(item, str) and len(item) >= 8:
                    out.append(item)
                else:
                    stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return out


def redact(text: str, hidden: list) -> str:
    """``text`` with every one of ``hidden`` replaced, for failure messages."""
    for secret in hidden:
        text = text.replace(secret, "** redacted **")
    return text


# -- the child -----------------------------------------------------------------------------


def _patch(options: dict, ecs_base_url: str) -> list:
    """Patches pymongo as an application would; returns the list every login's credentials are
    appended to. An option the face does not know raises here, failing the scenario loudly."""
    import mongoawsauth
    from mongoawsauth.pymongo_auth_aws import _state

    # What the login was given, recorded where the drop-in turns the chain's credentials into
    # pymongo's: the source and temporary-ness exist only on mongoawsauth's own credentials.
    used = []
    from_native = _state.from_native

    def recording(credentials):
        used.append(credentials)
        return from_native(credentials)

    _state.from_native = recording
    # The relative container URI is joined to the stand-in, never to the ECS agent's address.
    mongoawsauth.patch_pymongo(ecs_base_url=ecs_base_url, **options)
    return used


def _login(uri: str, used: list) -> dict:
    import pymongo

    client = pymongo.MongoClient(
        uri, authMechanism="MONGODB-AWS", serverSelectionTimeoutMS=10000, connectTimeoutMS=10000, maxPoolSize=1
    )
    try:
        status = client.admin.command("connectionStatus")
    finally:
        client.close()
    users = status["authInfo"]["authenticatedUsers"]
    if not users:
        raise AssertionError("the login succeeded but connectionStatus shows no user")
    if not used:
        raise AssertionError("the login did not take its credentials from mongoawsauth's chain")
    credentials = used[-1]
    return {
        "login": {
            "arn": users[0]["user"],
            "source": credentials.source,
            "access_key_id": credentials.access_key_id,
            "temporary": credentials.is_temporary,
        }
    }


def _failure(exc: BaseException) -> dict:
    """The message the application sees, and the kind of mongoawsauth's error behind it (pymongo
    raises ``OperationFailure(...) from None``, which keeps it as ``__context__``)."""
    from mongoawsauth import ErrorCode, MongoAwsAuthError

    kind = None
    seen = set()
    link = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if isinstance(link, MongoAwsAuthError) and link.code is not ErrorCode.UNKNOWN:
            kind = str(link.code)
            break
        link = link.__cause__ or link.__context__
    return {"error": {"message": str(exc), "type": type(exc).__name__, "kind": kind}}


def child_main():
    """Runs one scenario's login in this process: reads ``{"uri", "options", "ecs_base_url"}``
    from stdin, prints ``{"login": ...}`` or ``{"error": ...}`` as one JSON line."""
    import sys

    request = json.load(sys.stdin)
    used = _patch(request["options"], request["ecs_base_url"])  # a failure here is the runner's
    try:
        outcome = _login(request["uri"], used)
    except AssertionError:
        raise
    except Exception as exc:  # the scenario may expect exactly this failure
        outcome = _failure(exc)
    sys.stdout.write(json.dumps(outcome) + "\n")
    sys.stdout.flush()
