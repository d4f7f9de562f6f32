# libmongoawsauth: the two commands a new user runs, and the ones CI runs.
#
#   make demo   log in to the built-in loopback stand-ins through the real MONGODB-AWS conversation
#   make test   every check and test, in a clean AWS environment
#   make install PREFIX=/usr/local   the C library: include/, lib/ (.so.*, .a), lib/pkgconfig/, lib/cmake/
#   make dist   every release artifact in target/dist/, with sizes and SHA-256 (make dist-c: C only)
#   make header regenerate include/mongoawsauth.h after changing the C ABI
#   make fuzz   every fuzz target for FUZZ_TIME seconds each (default 60); fuzz/README.md
#
# Both run with every inherited AWS_* variable dropped, AWS_EC2_METADATA_DISABLED=true,
# MONGOAWSAUTH_LOOPBACK_ONLY=1 (the library refuses any request to a non-loopback host), and HOME,
# AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE pointed at an empty directory, so nothing on the
# machine (a real ~/.aws, an EC2 instance role, a CI's own AWS variables) can leak into a result
# and no test can reach a real metadata endpoint.

SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
# HOME is replaced below; keep cargo and rustup pointed at the real toolchain.
export CARGO_HOME ?= $(HOME)/.cargo
export RUSTUP_HOME ?= $(HOME)/.rustup
export PATH := $(CARGO_HOME)/bin:$(PATH)

EMPTY_HOME := $(CURDIR)/target/empty-home
INHERITED_AWS := $(filter AWS_%,$(.VARIABLES))
CLEAN_ENV := env $(foreach v,$(INHERITED_AWS),-u $(v)) \
	AWS_EC2_METADATA_DISABLED=true \
	MONGOAWSAUTH_LOOPBACK_ONLY=1 \
	HOME=$(EMPTY_HOME) \
	AWS_CONFIG_FILE=$(EMPTY_HOME)/.aws/config \
	AWS_SHARED_CREDENTIALS_FILE=$(EMPTY_HOME)/.aws/credentials

.PHONY: standins help demo test fmt-check clippy doc-check dist-rust cargo-test bench empty-home header install c-deps c-test python-test node-test \
	dist-python python-install-test check-dist-sdist \
	fuzz fuzz-smoke fuzz-build fuzz-tools
.PHONY: nightly-tools c-sanitize miri check-deep

# The C library. PREFIX is where `make install` lays it out; the C tests install into a private
# prefix under target/ and compile against that, exactly as a user would.
PREFIX ?= /usr/local
CARGO_TARGET_DIR ?= $(CURDIR)/target
VERSION := $(shell sed -n 's/^version = "\([^"]*\)"/\1/p' Cargo.toml | head -n1)
REPOSITORY_URL := $(shell sed -n 's/^repository = "\([^"]*\)"/\1/p' Cargo.toml | head -n1)
# The ABI version in the SONAME; crates/mongoawsauth-capi/build.rs sets the same number.
ABI_VERSION := 0
C_TEST_PREFIX := $(CARGO_TARGET_DIR)/c-test/prefix

# The loopback stand-ins every non-Rust suite starts (crates/mongoawsauth-testkit). The debug
# binary that `cargo test --workspace` already links: building it on its own, or in release,
# resolves its dependencies' features for the testkit alone and compiles them again (about a
# minute and a half of `make test`, most of it the release profile's whole-program link). After
# `cargo-test` the `standins` step checks that nothing changed and returns; run alone, it builds
# the tests.
STANDINS := $(CARGO_TARGET_DIR)/debug/mongoawsauth-standins

help:
	@echo "make demo    run the self-contained MONGODB-AWS demo (loopback only)"
	@echo "make test    run every check and test"
	@echo "make bench   run the criterion benchmarks"
	@echo "make install PREFIX=dir   install the C library, header, pkg-config file and CMake package"
	@echo "make dist    build every release artifact into target/dist/ (make dist-c: the C tarball)"
	@echo "make header  regenerate include/mongoawsauth.h"
	@echo "make fuzz    run every fuzz target for FUZZ_TIME seconds (default 60)"
	@echo "make doc-check   rustdoc of every Rust crate, warnings as errors"
	@echo "make check-references   no comment or doc cites a file outside the repository (part of make test)"
	@echo "make dist-rust   the core crate's .crate, built and verified as crates.io would, in target/dist/"
	@echo "make fleet   the fleet simulation (FLEET_ARGS, e.g. --duration 10); docs/benchmarks.md"
	@echo "make fuzz-smoke   run every fuzz target for FUZZ_SMOKE_TIME seconds (part of make test)"
	@echo "make c-sanitize   the C tests against the library under AddressSanitizer and UBSan"
	@echo "make miri    the core's pure modules and the C ABI's pointer helpers under Miri"
	@echo "make check-deep   longer fuzzing, sanitizers and Miri (docs/reliability.md)"
	@echo "make dist-python / dist-node   the Python wheel and sdist / the npm tarballs, in target/dist/"
	@echo "make python-install-test / node-install-test   install those artifacts with no Rust on PATH and log in"
	@echo "make check-dist-sdist   build the Python sdist with pip in a fresh venv (slow; not in make test)"
	@echo "make abi-check   compare the C library's ABI with the checked-in baseline (make abi-baseline renews it)"
	@echo "make abi-baseline   renew the checked-in ABI baseline after an intended change of the C ABI"
	@echo "make dist-c  the C library's release tarball alone, in target/dist/"
	@echo "make fmt-check / clippy / cargo-test / c-test / node-test / python-test   one step of make test"
	@echo "make standins   build the loopback stand-ins binary the C, Python and Node suites start"
	@echo "make c-release / node-build / fuzz-build   build the C library (release) / the Node addon / the fuzz targets"
	@echo "make c-deps / fuzz-tools / nightly-tools   install what is missing: the C test packages / cargo-fuzz / nightly and Miri"
	@echo "make empty-home   recreate target/empty-home, the empty HOME every test runs with"
	@echo "make help    this list (scripts/check-make-help.sh checks that it names every target)"

empty-home:
	@rm -rf $(EMPTY_HOME) && mkdir -p $(EMPTY_HOME)

demo: empty-home
	$(CLEAN_ENV) $(CARGO) run --quiet --release -p mongoawsauth-cli -- demo

test: empty-home fmt-check check-references clippy doc-check cargo-test c-test node-test python-test dist-rust fuzz-smoke

fmt-check:
	$(CARGO) fmt --all --check

# No comment or doc points at a document outside the repository or a docs/ page that does not
# exist (scripts/check-references.sh says what it looks for); `make help` lists every target; and
# the C, Python and Node builds agree on their shared dependencies' features, so that each reuses
# what the others compiled (scripts/check-feature-union.py, crates/feature-union).
.PHONY: check-references
check-references:
	scripts/check-references.sh
	scripts/check-make-help.sh
	$(PYTHON) scripts/check-feature-union.py

clippy:
	$(CLEAN_ENV) $(CARGO) clippy --workspace --all-targets -- -D warnings

# rustdoc of every Rust crate with warnings as errors: a broken intra-doc link or a bad code block
# fails here rather than on docs.rs. The core, the C library and the CLI binary all document under
# the name `mongoawsauth`, so each has a run of its own. Each run also selects the testkit and the
# feature-union crate: cargo enables dependency features per run, from the packages selected, and
# with those two in every run the three agree on almost every dependency's features, so the
# second and third runs reuse the first one's checked dependencies (71 s against 125 s when each
# crate was documented alone; docs/reliability.md, "Where each check runs").
DOC_PACKAGES := mongoawsauth mongoawsauth-capi mongoawsauth-cli
DOC_SHARED := -p mongoawsauth-testkit -p mongoawsauth-feature-union
doc-check:
	set -e; for p in $(DOC_PACKAGES); do RUSTDOCFLAGS="-D warnings" $(CARGO) doc --quiet --no-deps -p $$p $(DOC_SHARED); done

# The core crate as crates.io would receive it: `cargo package` builds the packaged sources on
# their own, so a file left out of the package or a dependency that is not published fails here.
# `--allow-dirty` lets a developer run it before committing; CI runs it on a clean clone.
dist-rust:
	$(CARGO) package --quiet --locked --allow-dirty -p mongoawsauth
	install -d $(CARGO_TARGET_DIR)/dist
	cp $(CARGO_TARGET_DIR)/package/mongoawsauth-$(VERSION).crate $(CARGO_TARGET_DIR)/dist/

standins:
	$(CLEAN_ENV) $(CARGO) test --quiet --workspace --no-run

cargo-test: empty-home
	$(CLEAN_ENV) $(CARGO) test --workspace

bench: empty-home
	$(CLEAN_ENV) $(CARGO) bench -p mongoawsauth

header:
	MONGOAWSAUTH_WRITE_HEADER=1 $(CARGO) test --quiet -p mongoawsauth-capi --test header

c-release:
	$(CARGO) build --release -p mongoawsauth-capi

# `make install` and the tarball of `make dist-c` lay out the same tree (scripts/install-c.sh):
# include/, lib/ (.so.VERSION, .so.ABI and .so symlinks, .a), lib/pkgconfig/, lib/cmake/mongoawsauth/.
install: c-release
	scripts/install-c.sh $(PREFIX) $(CARGO_TARGET_DIR)/release $(VERSION) $(ABI_VERSION) $(REPOSITORY_URL)

# Release artifacts, all in target/dist/, versioned from the workspace version. Each face has its
# own target; `dist` builds them all and prints each file with its size and SHA-256.
DIST_DIR := $(CARGO_TARGET_DIR)/dist
C_TARBALL := $(DIST_DIR)/libmongoawsauth-$(VERSION)-linux-$(shell uname -m).tar.gz
.PHONY: c-release dist dist-c abi-check abi-baseline

dist: dist-c dist-python dist-node dist-rust
	@scripts/dist-summary.sh $(DIST_DIR)

# The C tarball: libmongoawsauth-VERSION-linux-ARCH.tar.gz (scripts/dist-c.sh).
dist-c: c-release
	scripts/dist-c.sh $(CARGO_TARGET_DIR)/release $(DIST_DIR) $(VERSION) $(ABI_VERSION) $(REPOSITORY_URL)

# Debian packages for the C tests and example (gcc, valgrind, libbson-dev...), installed only
# when missing.
c-deps:
	.ci/c-deps.sh

# The C ABI tested from C: unit tests against the shared and the static library, under valgrind,
# a C++ compile of the header, and examples/c/authenticate.c against the loopback stand-ins; the
# exported symbols against the header; the release tarball extracted and examples/c/cmake built
# from it with no Rust toolchain on PATH; the ABI against its baseline, and that check failing on
# a deliberate break.
c-test: empty-home c-deps standins
	@rm -rf $(C_TEST_PREFIX)
	$(MAKE) --no-print-directory install PREFIX=$(C_TEST_PREFIX)
	$(PYTHON) tests/c/contract_tables.py tests/data/contract $(C_TEST_PREFIX)/../build/contract_tables.h
	$(CLEAN_ENV) tests/c/run.sh $(C_TEST_PREFIX) $(STANDINS)
	tests/c/check-exports.sh $(C_TEST_PREFIX)/lib/libmongoawsauth.so include/mongoawsauth.h
	$(MAKE) --no-print-directory dist-c
	$(CLEAN_ENV) tests/c/run-cmake-example.sh $(C_TARBALL) \
		$(STANDINS) $(C_TEST_PREFIX)/../build $(C_TEST_PREFIX)
	$(MAKE) --no-print-directory abi-check
	tests/c/abi-check-fails.sh $(CARGO_TARGET_DIR)/release/libmongoawsauth.so include/mongoawsauth.h $(C_TEST_PREFIX)/../abi-break

# The C ABI against its checked-in baseline (libabigail's abidiff, from .ci/c-deps.sh): fails on an
# incompatible change and says how to bump the SONAME. `make abi-baseline` regenerates the baseline
# (at a release, or with a new ABI_VERSION).
ABI_BASELINE := crates/mongoawsauth-capi/abi/libmongoawsauth.so.$(ABI_VERSION).abi

abi-check: c-release c-deps
	scripts/abi-check.sh check $(CARGO_TARGET_DIR)/release/libmongoawsauth.so $(ABI_BASELINE)

abi-baseline: c-release c-deps
	scripts/abi-check.sh update $(CARGO_TARGET_DIR)/release/libmongoawsauth.so $(ABI_BASELINE)

# The Node package (bindings/node): npm ci from the committed package-lock.json, then the addon,
# compiled once in release mode into target/release (next to the C library's
# dependencies, which it reuses; bindings/node/scripts/build.mjs says why not `napi build`).
# node-test runs `node --test` on that addon with the `standins` binary (npm's pretest, which
# builds one for a developer's `npm test`, is skipped: --ignore-scripts), packs it
# into the npm tarballs (dist-node) and installs those into a fresh project with no Rust
# toolchain on PATH, where the examples log in against the stand-ins (node-install-test).
# HOME is replaced by the clean environment, so npm's cache lives under target/.
NODE_DIR := bindings/node
NPM_ENV := npm_config_cache=$(CURDIR)/target/npm-cache npm_config_update_notifier=false \
	npm_config_fund=false npm_config_audit=false

# moto (tests/e2e/moto_sts.py) verifies the Node logins' signatures with botocore's code.
NODE_MOTO_VENV := $(CURDIR)/target/moto-venv

.PHONY: node-build dist-node node-install-test

NODE_INSTALL_TEST := cd $(NODE_DIR) && $(CLEAN_ENV) $(NPM_ENV) MONGOAWSAUTH_DIST=$(CARGO_TARGET_DIR)/dist \
	MONGOAWSAUTH_STANDINS=$(STANDINS) node scripts/install-test.mjs

node-test: empty-home standins $(NODE_MOTO_VENV)/.installed node-build dist-node
	cd $(NODE_DIR) && $(CLEAN_ENV) $(NPM_ENV) MONGOAWSAUTH_MOTO_PYTHON=$(NODE_MOTO_VENV)/bin/python \
		MONGOAWSAUTH_STANDINS=$(STANDINS) npm test --ignore-scripts
	$(NODE_INSTALL_TEST)

node-build: empty-home
	cd $(NODE_DIR) && $(CLEAN_ENV) $(NPM_ENV) npm ci
	cd $(NODE_DIR) && $(CLEAN_ENV) $(NPM_ENV) npm run build

# target/dist/mongoawsauth-VERSION.tgz (the JavaScript) and
# target/dist/mongoawsauth-linux-x64-gnu-VERSION.tgz (the addon), versioned from Cargo.toml.
dist-node: node-build
	cd $(NODE_DIR) && $(CLEAN_ENV) $(NPM_ENV) node scripts/dist.mjs $(CARGO_TARGET_DIR)/dist

node-install-test: empty-home standins dist-node
	$(NODE_INSTALL_TEST)

$(NODE_MOTO_VENV)/.installed:
	python3 -m venv $(NODE_MOTO_VENV)
	PIP_CACHE_DIR=$(CURDIR)/target/pip-cache $(NODE_MOTO_VENV)/bin/pip install --quiet --disable-pip-version-check \
		'moto[iam,sts]==5.2.5' 'flask==3.1.3' 'flask-cors==6.0.5' 'werkzeug==3.1.9'
	touch $@

# The Python package (bindings/python, a member of the cargo workspace, so `fmt-check` and `clippy`
# cover its Rust): a venv under target/ with the pinned test tools, then pytest in the clean
# environment on the release wheel `dist-python` built (so the extension is compiled once, and
# what is tested is what ships), installed like a user's. HOME is replaced there, so pip's cache
# lives under target/. pytest's "no tests collected" (exit 5) fails the target like any other
# failure.
# The whole suite runs on the newest pymongo; the same wheel then goes into one venv per older
# pymongo 4 release (PY_COMPAT_PYMONGO), which runs only the focused compatibility module.
PYTHON ?= python3
PY_DIR := $(CARGO_TARGET_DIR)/python
PY_VENV := $(PY_DIR)/venv
# The binding builds into the workspace's own target directory, so the dependencies that
# `cargo test` already compiled (same versions, features and profile) are reused, not rebuilt.
PY_ENV := PIP_CACHE_DIR=$(PY_DIR)/pip-cache PIP_DISABLE_PIP_VERSION_CHECK=1 \
	CARGO_TARGET_DIR=$(CARGO_TARGET_DIR) PYO3_PYTHON=$(PY_VENV)/bin/python
PY_TEST_TOOLS := maturin==1.16.0 pytest==9.2.0 pymongo==4.20.1 'moto[iam,sts]==5.2.5' \
	flask==3.1.3 flask-cors==6.0.5 werkzeug==3.1.9 boto3==1.44.8 botocore==1.44.8 \
	mypy==2.4.1 typing_extensions==4.16.0
PY_COMPAT_PYMONGO := 4.0.2 4.6.3
PY_COMPAT_TESTS := test_pymongo_compat.py
# faulthandler prints every thread's Python stack if the interpreter dies of a signal, and
# LIBC_FATAL_STDERR_ sends glibc's own fatal messages to the log rather than to a terminal CI
# does not have: a crash at interpreter exit then says where it happened.
PY_PYTEST := PYTHONDONTWRITEBYTECODE=1 PYTHONFAULTHANDLER=1 LIBC_FATAL_STDERR_=1 MONGOAWSAUTH_STANDINS=$(STANDINS)

python-test: empty-home python-install-test
	env $(PY_ENV) $(PY_VENV)/bin/pip install --quiet $(PY_TEST_TOOLS)
	env $(PY_ENV) $(PY_VENV)/bin/pip install --quiet --force-reinstall --no-deps $(PY_WHEEL)
	cd bindings/python/tests && $(CLEAN_ENV) $(PY_PYTEST) \
		$(PY_VENV)/bin/python -m pytest -q -p no:cacheprovider --rootdir=.. .
	set -e; for version in $(PY_COMPAT_PYMONGO); do \
		venv=$(PY_DIR)/venv-pymongo-$$version; \
		test -x $$venv/bin/python || $(PYTHON) -m venv $$venv; \
		env $(PY_ENV) $$venv/bin/pip install --quiet pymongo==$$version pytest==9.2.0; \
		env $(PY_ENV) $$venv/bin/pip install --quiet --force-reinstall --no-deps $(PY_WHEEL); \
		echo "pymongo $$version: $(PY_COMPAT_TESTS)"; \
		(cd bindings/python/tests && $(CLEAN_ENV) $(PY_PYTEST) \
			$$venv/bin/python -m pytest -q -p no:cacheprovider --rootdir=.. $(PY_COMPAT_TESTS)); \
	done

# Python release artifacts in target/dist/ (docs/python.md, "Installing"): an abi3 wheel built
# with the release profile and a manylinux tag, and an sdist that builds with a Rust toolchain
# and pip alone. The tag is the one this machine's glibc lets the wheel honestly claim: the
# extension links glibc's pthread and dlsym symbols at version GLIBC_2.34 (glibc 2.34 merged
# libpthread into libc), so manylinux_2_34. maturin refuses a wheel that needs more
# (`--auditwheel check`: nothing is grafted in), and `auditwheel show` must agree on the tag;
# nothing to repair, as the module links only libc, libm and libgcc_s.
# The binding's crate takes the workspace's version (pyproject.toml takes it from there).
DIST_DIR := $(CARGO_TARGET_DIR)/dist
PY_MANYLINUX := manylinux_2_34
PY_DIST_TOOLS := maturin==1.16.0 auditwheel==6.8.2
PY_WHEEL := $(DIST_DIR)/mongoawsauth-$(VERSION)-cp39-abi3-$(PY_MANYLINUX)_x86_64.whl
PY_SDIST := $(DIST_DIR)/mongoawsauth-$(VERSION).tar.gz

dist-python:
	test -x $(PY_VENV)/bin/python || $(PYTHON) -m venv $(PY_VENV)
	env $(PY_ENV) $(PY_VENV)/bin/pip install --quiet $(PY_DIST_TOOLS)
	@mkdir -p $(DIST_DIR) && rm -f $(DIST_DIR)/mongoawsauth-*.whl $(DIST_DIR)/mongoawsauth-*.tar.gz
	cd bindings/python && env $(PY_ENV) $(PY_VENV)/bin/maturin build --release --locked \
		--compatibility $(PY_MANYLINUX) --auditwheel check --interpreter $(PY_VENV)/bin/python \
		--out $(DIST_DIR)
	env $(PY_ENV) $(PY_VENV)/bin/auditwheel show $(PY_WHEEL) | tee $(PY_DIR)/auditwheel-show.txt
	@tr -s ' \n' ' ' < $(PY_DIR)/auditwheel-show.txt | grep -q 'consistent with the following platform tag: "$(PY_MANYLINUX)_x86_64"' \
		|| { echo "auditwheel does not confirm $(PY_MANYLINUX) for $(PY_WHEEL)" >&2; exit 1; }
	cd bindings/python && env $(PY_ENV) $(PY_VENV)/bin/maturin sdist --out $(DIST_DIR)
	@ls -l $(PY_WHEEL) $(PY_SDIST)

# The wheel installed the way users install it: a fresh venv, a PATH with no cargo, rustc or
# maturin on it, pip allowed only prebuilt wheels (the package and pymongo from the pip cache),
# then the examples of examples/python log in against the stand-ins.
PY_INSTALL_DIR := $(PY_DIR)/install-test
PY_USER_PATH := $(PY_INSTALL_DIR)/venv/bin:/usr/bin:/bin

python-install-test: empty-home standins dist-python
	rm -rf $(PY_INSTALL_DIR) && mkdir -p $(PY_INSTALL_DIR) && $(PYTHON) -m venv $(PY_INSTALL_DIR)/venv
	set -e; export PATH=$(PY_USER_PATH); unset CARGO_HOME RUSTUP_HOME CARGO_TARGET_DIR; \
	for tool in cargo rustc maturin; do \
		if command -v $$tool; then echo "$$tool is on the install test's PATH ($$PATH)" >&2; exit 1; fi; \
	done; \
	PIP_CACHE_DIR=$(PY_DIR)/pip-cache PIP_DISABLE_PIP_VERSION_CHECK=1 pip install --quiet \
		--only-binary :all: $(PY_WHEEL) pymongo==4.20.1; \
	cd $(PY_INSTALL_DIR) && $(CLEAN_ENV) PYTHONDONTWRITEBYTECODE=1 \
		python $(CURDIR)/bindings/python/tests/check_installed.py $(STANDINS) $(CURDIR)/examples/python

# The sdist built and installed as a user without the wheel would: pip in a fresh venv, with the
# Rust toolchain on PATH but no maturin (pip fetches it as the build backend) and no target
# directory to reuse. Not in `make test`: it compiles the extension from nothing, about 6 minutes
# of CPU time (44 minutes of wall time when measured on a busy shared 2-core machine), against
# the 3 minutes a step of `make test` may take.
check-dist-sdist: empty-home standins dist-python
	rm -rf $(PY_DIR)/sdist-test && mkdir -p $(PY_DIR)/sdist-test && $(PYTHON) -m venv $(PY_DIR)/sdist-test/venv
	set -e; export PATH=$(PY_DIR)/sdist-test/venv/bin:$(CARGO_HOME)/bin:/usr/bin:/bin; unset CARGO_TARGET_DIR; \
	if command -v maturin; then echo "maturin is on the sdist test's PATH" >&2; exit 1; fi; \
	PIP_CACHE_DIR=$(PY_DIR)/pip-cache PIP_DISABLE_PIP_VERSION_CHECK=1 pip install --quiet \
		$(PY_SDIST) pymongo==4.20.1; \
	cd $(PY_DIR)/sdist-test && $(CLEAN_ENV) PYTHONDONTWRITEBYTECODE=1 \
		python $(CURDIR)/bindings/python/tests/check_installed.py $(STANDINS) $(CURDIR)/examples/python

# Fuzzing (fuzz/, its own cargo workspace; fuzz/README.md): cargo-fuzz on the nightly toolchain,
# both installed here only when missing. Each target starts from its checked-in seeds
# (fuzz/corpus/<target>, never written to) and keeps what it finds in target/fuzz-corpus/<target>;
# a crash lands in fuzz/artifacts/<target>/ and fails the run. `fuzz` is the long run
# (FUZZ_TIME seconds per target, optimised build). `fuzz-smoke` is the short run `make test` does:
# the same targets, seeds, dictionaries and AddressSanitizer, but built without optimisation
# (FUZZ_SMOKE_BUILD), because the optimised cold build alone costs more than the whole budget of
# the smoke step (docs/reliability.md has the measurements).
FUZZ_TIME ?= 60
FUZZ_SMOKE_TIME ?= 5
FUZZ_SECONDS ?= $(FUZZ_TIME)
FUZZ_TOOLCHAIN ?= nightly
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_TARGETS := conversation sts_response metadata_json metadata_endpoints settings shared_config capi \
	credential_process sso sts_scrub
FUZZ_CORPUS := $(CARGO_TARGET_DIR)/fuzz-corpus
FUZZ := $(CARGO) +$(FUZZ_TOOLCHAIN) fuzz
# How the targets are built: -O for the long runs. The smoke build is unoptimised and without
# debug info (only symbol names in a report; `fuzz-run-<target>` rebuilds with -O to debug).
FUZZ_BUILD ?= -O
FUZZ_BUILD_ENV ?=
FUZZ_SMOKE_BUILD := FUZZ_BUILD=--dev FUZZ_BUILD_ENV=CARGO_PROFILE_DEV_DEBUG=0

# The nightly toolchain with rust-src (Miri and -Zbuild-std need the standard library's sources)
# and Miri, added only when missing.
nightly-tools:
	@rustup toolchain list | grep -q '^$(FUZZ_TOOLCHAIN)' || rustup toolchain install $(FUZZ_TOOLCHAIN) --profile minimal
	@rustup component list --toolchain $(FUZZ_TOOLCHAIN) --installed | grep -q '^rust-src' \
		|| rustup component add --toolchain $(FUZZ_TOOLCHAIN) rust-src
	@rustup component list --toolchain $(FUZZ_TOOLCHAIN) --installed | grep -q '^miri' \
		|| rustup component add --toolchain $(FUZZ_TOOLCHAIN) miri

fuzz-tools:
	@rustup toolchain list | grep -q '^$(FUZZ_TOOLCHAIN)' || rustup toolchain install $(FUZZ_TOOLCHAIN) --profile minimal
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked --version $(CARGO_FUZZ_VERSION)

# Every target in one cargo invocation, so that the dependencies build once, in parallel.
fuzz-build: fuzz-tools
	cd fuzz && env $(FUZZ_BUILD_ENV) $(FUZZ) build $(FUZZ_BUILD)

# One target at a time: `-timeout` turns a hang into a failure, `-print_final_stats` reports the
# executions and coverage that docs/reliability.md records.
fuzz-run-%: fuzz-build
	@mkdir -p $(FUZZ_CORPUS)/$*
	cd fuzz && $(CLEAN_ENV) $(FUZZ_BUILD_ENV) $(FUZZ) run $(FUZZ_BUILD) $* $(FUZZ_CORPUS)/$* corpus/$* -- \
		-max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
		$(if $(wildcard fuzz/dict/$*.dict),-dict=dict/$*.dict)

fuzz: empty-home fuzz-build
	set -e; for t in $(FUZZ_TARGETS); do $(MAKE) --no-print-directory fuzz-run-$$t FUZZ_SECONDS=$(FUZZ_TIME); done

fuzz-smoke: empty-home
	$(MAKE) --no-print-directory fuzz-build $(FUZZ_SMOKE_BUILD)
	set -e; for t in $(FUZZ_TARGETS); do \
		$(MAKE) --no-print-directory fuzz-run-$$t FUZZ_SECONDS=$(FUZZ_SMOKE_TIME) $(FUZZ_SMOKE_BUILD); done

# The C tests against the library built with AddressSanitizer (LeakSanitizer included), the C
# side compiled by gcc with -fsanitize=address,undefined (tests/c/run.sh, MONGOAWSAUTH_C_SANITIZE).
# Rust has no UndefinedBehaviorSanitizer (-Zsanitizer accepts address, cfi, dataflow, hwaddress, kcfi,
# leak, memory, memtag, safestack, shadow-call-stack, thread and realtime, not undefined): on the Rust
# side the library is built with debug assertions and overflow checks (which include the standard
# library's checks of unsafe preconditions), and Miri (`make miri`) looks for the undefined
# behaviour UBSan would. Its own target directory and an explicit --target, so that the flags
# reach neither the normal build nor build scripts and proc macros.
SANITIZE_DIR := $(CARGO_TARGET_DIR)/sanitize
SANITIZE_PREFIX := $(SANITIZE_DIR)/prefix
HOST_TRIPLE = $(shell rustc -vV | sed -n 's/^host: //p')
SANITIZE_RUSTFLAGS := -Zsanitizer=address -Cdebug-assertions -Coverflow-checks -Cforce-frame-pointers=yes
SANITIZE_LIB = $(SANITIZE_DIR)/$(HOST_TRIPLE)/release

c-sanitize: empty-home c-deps nightly-tools standins
	RUSTFLAGS="$(SANITIZE_RUSTFLAGS)" $(CARGO) +$(FUZZ_TOOLCHAIN) build --release -p mongoawsauth-capi \
		--target $(HOST_TRIPLE) --target-dir $(SANITIZE_DIR)
	@rm -rf $(SANITIZE_PREFIX)
	scripts/install-c.sh $(SANITIZE_PREFIX) $(SANITIZE_LIB) $(VERSION) $(ABI_VERSION) $(REPOSITORY_URL)
	$(PYTHON) tests/c/contract_tables.py tests/data/contract $(SANITIZE_DIR)/build/contract_tables.h
	$(CLEAN_ENV) MONGOAWSAUTH_C_SANITIZE=1 tests/c/run.sh $(SANITIZE_PREFIX) \
		$(STANDINS)

# Miri (nightly) over what has no I/O: the core's unit tests of credentials, signing, STS request
# and answer handling, the metadata and credential_process parsers, the shared config parser and
# time formatting, the conversation and connection-string integration tests, and the C ABI's
# pointer helpers and handle lifecycles (crates/mongoawsauth-capi/src/ffi_tests.rs). Isolation is
# off so that the tests can read their vectors under tests/data. What does not run, and why
# (sockets, the tokio runtime, ring's C and assembly), is in docs/reliability.md; those tests carry
# #[cfg_attr(miri, ignore)] or sit in modules not selected here.
MIRI := $(CARGO) +$(FUZZ_TOOLCHAIN) miri
# The clean environment replaces HOME: keep Miri's standard library build (its sysroot) under target/.
# Property tests run 4 cases each under Miri (PROPTEST_CASES): each case is interpreted, and the
# ordinary run already tries 256; Miri's job is to check that what runs is free of undefined
# behaviour, which a few inputs per test exercise.
MIRI_ENV := MIRIFLAGS=-Zmiri-disable-isolation XDG_CACHE_HOME=$(CARGO_TARGET_DIR)/miri-cache PROPTEST_CASES=4
# libtest filters match anywhere in a test's path, so each names a module whole: a bare `sts::`
# would also match every `tests::`.
MIRI_CORE_FILTERS := credentials::tests error::tests redact::tests time_fmt::tests signing::tests \
	shared_config:: sts::request:: sts::response:: sts::scrub:: sts::caller_identity:: \
	sts::endpoint:: sts::retry:: sts::assume_role:: provider::metadata:: provider::imds::token:: \
	provider::profile::process:: provider::profile::sso::
MIRI_CORE_TESTS := --test conversation --test connection_string
# Tests that read real files are left to the ordinary run: under Miri each file system call is
# interpreted and one such test alone does not finish within an hour.
MIRI_CORE_SKIP := --skip shared_config::files::tests::real_

miri: empty-home nightly-tools
	$(CLEAN_ENV) $(MIRI_ENV) $(MIRI) test -p mongoawsauth --lib -- $(MIRI_CORE_FILTERS) $(MIRI_CORE_SKIP)
	$(CLEAN_ENV) $(MIRI_ENV) $(MIRI) test -p mongoawsauth $(MIRI_CORE_TESTS)
	$(CLEAN_ENV) $(MIRI_ENV) $(MIRI) test -p mongoawsauth-capi --lib -- ffi::

# What does not fit in `make test`'s budget (docs/reliability.md, "Where each check runs"): every
# fuzz target for FUZZ_DEEP_TIME seconds on the optimised build, the sanitizer build of the C
# tests, and Miri.
FUZZ_DEEP_TIME ?= 60
check-deep: empty-home
	$(MAKE) --no-print-directory fuzz FUZZ_TIME=$(FUZZ_DEEP_TIME)
	$(MAKE) --no-print-directory c-sanitize
	$(MAKE) --no-print-directory miri

# The fleet simulation (benchmarks/fleet.py, docs/benchmarks.md "Fleet simulation"): worker
# processes logging in against the rate-limited IMDS and container stand-ins, with refresh-ahead
# on and off; prints a Markdown table. Release builds; loopback only.
.PHONY: fleet
FLEET_ARGS ?=
fleet: empty-home
	$(CLEAN_ENV) $(PYTHON) benchmarks/fleet.py $(FLEET_ARGS)
