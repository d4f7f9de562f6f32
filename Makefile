# libmongoawsauth: the two commands a new user runs, and the ones CI runs.
#
#   make demo   log in to the built-in loopback stand-ins through the real MONGODB-AWS conversation
#   make test   every check and test, in a clean AWS environment
#   make install PREFIX=/usr/local   the C library: include/, lib/ (.so, .so.0, .a), lib/pkgconfig/
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

.PHONY: help demo test fmt-check clippy cargo-test bench empty-home header install c-deps c-test python-test node-test \
	fuzz fuzz-smoke fuzz-build fuzz-tools
.PHONY: nightly-tools c-sanitize miri check-deep

# The C library. PREFIX is where `make install` lays it out; the C tests install into a private
# prefix under target/ and compile against that, exactly as a user would.
PREFIX ?= /usr/local
CARGO_TARGET_DIR ?= $(CURDIR)/target
VERSION := $(shell sed -n 's/^version = "\([^"]*\)"/\1/p' Cargo.toml | head -n1)
# The ABI version in the SONAME; crates/mongoawsauth-capi/build.rs sets the same number.
ABI_VERSION := 0
C_TEST_PREFIX := $(CARGO_TARGET_DIR)/c-test/prefix

help:
	@echo "make demo    run the self-contained MONGODB-AWS demo (loopback only)"
	@echo "make test    run every check and test"
	@echo "make bench   run the criterion benchmarks"
	@echo "make install PREFIX=dir   install the C library, header and pkg-config file"
	@echo "make header  regenerate include/mongoawsauth.h"
	@echo "make fuzz    run every fuzz target for FUZZ_TIME seconds (default 60)"
	@echo "make fuzz-smoke   run every fuzz target for FUZZ_SMOKE_TIME seconds (part of make test)"
	@echo "make c-sanitize   the C tests against the library under AddressSanitizer and UBSan"
	@echo "make miri    the core's pure modules and the C ABI's pointer helpers under Miri"
	@echo "make check-deep   longer fuzzing, sanitizers and Miri (docs/reliability.md)"

empty-home:
	@rm -rf $(EMPTY_HOME) && mkdir -p $(EMPTY_HOME)

demo: empty-home
	$(CLEAN_ENV) $(CARGO) run --quiet --release -p mongoawsauth-cli -- demo

test: empty-home fmt-check clippy cargo-test c-test node-test python-test fuzz-smoke

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CLEAN_ENV) $(CARGO) clippy --workspace --all-targets -- -D warnings

cargo-test: empty-home
	$(CLEAN_ENV) $(CARGO) test --workspace

bench: empty-home
	$(CLEAN_ENV) $(CARGO) bench -p mongoawsauth

header:
	MONGOAWSAUTH_WRITE_HEADER=1 $(CARGO) test --quiet -p mongoawsauth-capi --test header

install:
	$(CARGO) build --release -p mongoawsauth-capi
	install -d $(PREFIX)/include $(PREFIX)/lib/pkgconfig
	install -m 644 include/mongoawsauth.h $(PREFIX)/include/mongoawsauth.h
	install -m 755 $(CARGO_TARGET_DIR)/release/libmongoawsauth.so $(PREFIX)/lib/libmongoawsauth.so.$(ABI_VERSION)
	ln -sfn libmongoawsauth.so.$(ABI_VERSION) $(PREFIX)/lib/libmongoawsauth.so
	install -m 644 $(CARGO_TARGET_DIR)/release/libmongoawsauth.a $(PREFIX)/lib/libmongoawsauth.a
	sed -e 's|@PREFIX@|$(abspath $(PREFIX))|' -e 's|@VERSION@|$(VERSION)|' \
		crates/mongoawsauth-capi/mongoawsauth.pc.in > $(PREFIX)/lib/pkgconfig/mongoawsauth.pc

# Debian packages for the C tests and example (gcc, valgrind, libbson-dev...), installed only
# when missing.
c-deps:
	.ci/c-deps.sh

# The C ABI tested from C: unit tests against the shared and the static library, under valgrind,
# a C++ compile of the header, and examples/c/authenticate.c against the loopback stand-ins.
c-test: empty-home c-deps
	@rm -rf $(C_TEST_PREFIX)
	$(MAKE) --no-print-directory install PREFIX=$(C_TEST_PREFIX)
	$(CARGO) build --quiet --release -p mongoawsauth-testkit --bin mongoawsauth-standins
	$(CLEAN_ENV) tests/c/run.sh $(C_TEST_PREFIX) $(CARGO_TARGET_DIR)/release/mongoawsauth-standins

# The Node package (bindings/node): npm ci from the committed package-lock.json, the addon in
# release mode, then `node --test` (its pretest builds the stand-ins binary). HOME is replaced by
# the clean environment, so npm's cache lives under target/.
NODE_DIR := bindings/node
NPM_ENV := npm_config_cache=$(CURDIR)/target/npm-cache npm_config_update_notifier=false \
	npm_config_fund=false npm_config_audit=false

# moto (tests/e2e/moto_sts.py) verifies the Node logins' signatures with botocore's code.
NODE_MOTO_VENV := $(CURDIR)/target/moto-venv

node-test: empty-home $(NODE_MOTO_VENV)/.installed
	cd $(NODE_DIR) && $(CLEAN_ENV) $(NPM_ENV) npm ci
	cd $(NODE_DIR) && $(CLEAN_ENV) $(NPM_ENV) npm run build
	cd $(NODE_DIR) && $(CLEAN_ENV) $(NPM_ENV) MONGOAWSAUTH_MOTO_PYTHON=$(NODE_MOTO_VENV)/bin/python npm test

$(NODE_MOTO_VENV)/.installed:
	python3 -m venv $(NODE_MOTO_VENV)
	PIP_CACHE_DIR=$(CURDIR)/target/pip-cache $(NODE_MOTO_VENV)/bin/pip install --quiet --disable-pip-version-check \
		'moto[iam,sts]==5.2.5' 'flask==3.1.3' 'flask-cors==6.0.5' 'werkzeug==3.1.9'
	touch $@

# The Python package (bindings/python, its own cargo workspace): a venv under target/ with the
# pinned test tools, rustfmt and clippy on the binding, the wheel built by maturin (debug: the
# tests do not time anything; `benchmarks/compare.py` builds a release wheel) and installed like a
# user's, then pytest in the clean environment. HOME is replaced there, so pip's cache lives under
# target/. pytest's "no tests collected" (exit 5) fails the target like any other failure.
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
	flask==3.1.3 flask-cors==6.0.5 werkzeug==3.1.9 boto3==1.44.8 botocore==1.44.8
PY_COMPAT_PYMONGO := 4.0.2 4.6.3
PY_COMPAT_TESTS := test_pymongo_compat.py
PY_PYTEST := PYTHONDONTWRITEBYTECODE=1 MONGOAWSAUTH_STANDINS=$(CARGO_TARGET_DIR)/release/mongoawsauth-standins

python-test: empty-home
	test -x $(PY_VENV)/bin/python || $(PYTHON) -m venv $(PY_VENV)
	env $(PY_ENV) $(PY_VENV)/bin/pip install --quiet $(PY_TEST_TOOLS)
	$(CARGO) fmt --manifest-path bindings/python/Cargo.toml --check
	env $(PY_ENV) $(CARGO) clippy --locked --manifest-path bindings/python/Cargo.toml --all-targets -- -D warnings
	$(CARGO) build --quiet --release -p mongoawsauth-testkit --bin mongoawsauth-standins
	@rm -rf $(PY_DIR)/wheels
	cd bindings/python && env $(PY_ENV) $(PY_VENV)/bin/maturin build --quiet --locked \
		--interpreter $(PY_VENV)/bin/python --out $(PY_DIR)/wheels
	env $(PY_ENV) $(PY_VENV)/bin/pip install --quiet --force-reinstall --no-deps $(PY_DIR)/wheels/*.whl
	cd bindings/python/tests && $(CLEAN_ENV) $(PY_PYTEST) \
		$(PY_VENV)/bin/python -m pytest -q -p no:cacheprovider --rootdir=.. .
	set -e; for version in $(PY_COMPAT_PYMONGO); do \
		venv=$(PY_DIR)/venv-pymongo-$$version; \
		test -x $$venv/bin/python || $(PYTHON) -m venv $$venv; \
		env $(PY_ENV) $$venv/bin/pip install --quiet pymongo==$$version pytest==9.2.0; \
		env $(PY_ENV) $$venv/bin/pip install --quiet --force-reinstall --no-deps $(PY_DIR)/wheels/*.whl; \
		echo "pymongo $$version: $(PY_COMPAT_TESTS)"; \
		(cd bindings/python/tests && $(CLEAN_ENV) $(PY_PYTEST) \
			$$venv/bin/python -m pytest -q -p no:cacheprovider --rootdir=.. $(PY_COMPAT_TESTS)); \
	done

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

c-sanitize: empty-home c-deps nightly-tools
	RUSTFLAGS="$(SANITIZE_RUSTFLAGS)" $(CARGO) +$(FUZZ_TOOLCHAIN) build --release -p mongoawsauth-capi \
		--target $(HOST_TRIPLE) --target-dir $(SANITIZE_DIR)
	@rm -rf $(SANITIZE_PREFIX) && install -d $(SANITIZE_PREFIX)/include $(SANITIZE_PREFIX)/lib/pkgconfig
	install -m 644 include/mongoawsauth.h $(SANITIZE_PREFIX)/include/mongoawsauth.h
	install -m 755 $(SANITIZE_LIB)/libmongoawsauth.so $(SANITIZE_PREFIX)/lib/libmongoawsauth.so.$(ABI_VERSION)
	ln -sfn libmongoawsauth.so.$(ABI_VERSION) $(SANITIZE_PREFIX)/lib/libmongoawsauth.so
	install -m 644 $(SANITIZE_LIB)/libmongoawsauth.a $(SANITIZE_PREFIX)/lib/libmongoawsauth.a
	sed -e 's|@PREFIX@|$(abspath $(SANITIZE_PREFIX))|' -e 's|@VERSION@|$(VERSION)|' \
		crates/mongoawsauth-capi/mongoawsauth.pc.in > $(SANITIZE_PREFIX)/lib/pkgconfig/mongoawsauth.pc
	$(CARGO) build --quiet --release -p mongoawsauth-testkit --bin mongoawsauth-standins
	$(CLEAN_ENV) MONGOAWSAUTH_C_SANITIZE=1 tests/c/run.sh $(SANITIZE_PREFIX) \
		$(CARGO_TARGET_DIR)/release/mongoawsauth-standins

# Miri (nightly) over what has no I/O: the core's unit tests of credentials, signing, STS request
# and answer handling, the metadata and credential_process parsers, the shared config parser and
# time formatting, the conversation and connection-string integration tests, and the C ABI's
# pointer helpers and handle lifecycles (crates/mongoawsauth-capi/src/ffi_tests.rs). Isolation is
# off so that the tests can read their vectors under tests/data. What does not run, and why
# (sockets, the tokio runtime, ring's C and assembly), is in docs/reliability.md; those tests carry
# #[cfg_attr(miri, ignore)] or sit in modules not selected here.
MIRI := $(CARGO) +$(FUZZ_TOOLCHAIN) miri
# The clean environment replaces HOME: keep Miri's standard library build (its sysroot) under target/.
MIRI_ENV := MIRIFLAGS=-Zmiri-disable-isolation XDG_CACHE_HOME=$(CARGO_TARGET_DIR)/miri-cache
# libtest filters match anywhere in a test's path, so each names a module whole: a bare `sts::`
# would also match every `tests::`.
MIRI_CORE_FILTERS := credentials::tests error::tests redact::tests time_fmt::tests signing::tests \
	shared_config:: sts::request:: sts::response:: sts::scrub:: sts::caller_identity:: \
	sts::endpoint:: sts::retry:: sts::assume_role:: provider::metadata:: provider::imds::token:: \
	provider::profile::process:: provider::profile::sso::
MIRI_CORE_TESTS := --test conversation --test connection_string

miri: empty-home nightly-tools
	$(CLEAN_ENV) $(MIRI_ENV) $(MIRI) test -p mongoawsauth --lib -- $(MIRI_CORE_FILTERS)
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
