"""The package's types, checked by mypy: the stub of the native module against the built module
(stubtest), the whole package and every Python snippet of the user docs under ``--strict``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, clean_env

pytest.importorskip("mypy", reason="mypy is one of the test tools (PY_TEST_TOOLS in the Makefile)")

# The documents whose ```python blocks are the documented snippets, each with the names its
# snippets use but leave to the reader (declared, not assigned: mypy checks their use).
DOCS = {
    "docs/python.md": "uri: str\n",
    "bindings/python/README.md": "reply: dict[str, bytes]\n",
}

MYPY_CONFIG = """\
[mypy]
strict = True
"""


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory):
    """One cache for the module's runs: the first one reads pymongo and the package, the others
    reuse it."""
    return tmp_path_factory.mktemp("mypy-cache")


def run_mypy(tmp_path: Path, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "mypy.ini"
    config.write_text(MYPY_CONFIG)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir", str(cache), *args],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def snippets(doc: str) -> list[str]:
    text = (REPO / doc).read_text()
    return re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)


def test_native_stub_matches_the_built_module(tmp_path):
    # stubtest imports the module and compares every class, function, parameter and default with
    # _native.pyi; a native function or parameter added without its stub fails here.
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n")
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "--mypy-config-file", str(config), "mongoawsauth._native"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_package_is_strictly_typed(tmp_path, mypy_cache):
    # Every module, the pymongo_auth_aws drop-in and the private ones included.
    done = run_mypy(tmp_path, mypy_cache, "-p", "mongoawsauth")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_documented_snippets_pass_mypy_strict(tmp_path, mypy_cache, doc):
    blocks = snippets(doc)
    assert blocks, f"{doc} has no python code block"
    # One module per document, in order: later blocks use what earlier ones imported, as a
    # reader following the page would.
    source = DOCS[doc] + "\n".join(blocks)
    path = tmp_path / (Path(doc).stem.lower().replace("-", "_") + "_snippets.py")
    path.write_text(source)
    done = run_mypy(tmp_path, mypy_cache, str(path))
    assert done.returncode == 0, f"{doc}:\n{done.stdout}{done.stderr}\n--- checked source:\n{source}"


def test_the_check_fails_on_a_wrong_call(tmp_path, mypy_cache):
    # The snippet check is not vacuous: a misspelled keyword and a wrong type are reported.
    path = tmp_path / "wrong.py"
    path.write_text(
        "import mongoawsauth\n"
        "mongoawsauth.patch_pymongo(bogus=1)\n"
        'mongoawsauth.Authenticator(timeout="10")\n'
    )
    done = run_mypy(tmp_path, mypy_cache, str(path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert '"bogus"' in done.stdout and '"timeout"' in done.stdout, done.stdout
