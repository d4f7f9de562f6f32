# libmongoawsauth: the two commands a new user runs, and the ones CI runs.
#
#   make demo   log in to the built-in loopback stand-ins through the real MONGODB-AWS conversation
#   make test   every check and test, in a clean AWS environment
#
# Both run with every inherited AWS_* variable dropped, AWS_EC2_METADATA_DISABLED=true, and HOME,
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
	HOME=$(EMPTY_HOME) \
	AWS_CONFIG_FILE=$(EMPTY_HOME)/.aws/config \
	AWS_SHARED_CREDENTIALS_FILE=$(EMPTY_HOME)/.aws/credentials

.PHONY: help demo test fmt-check clippy cargo-test bench empty-home

help:
	@echo "make demo    run the self-contained MONGODB-AWS demo (loopback only)"
	@echo "make test    run every check and test"
	@echo "make bench   run the criterion benchmarks"

empty-home:
	@rm -rf $(EMPTY_HOME) && mkdir -p $(EMPTY_HOME)

demo: empty-home
	$(CLEAN_ENV) $(CARGO) run --quiet --release -p mongoawsauth-cli -- demo

test: empty-home fmt-check clippy cargo-test

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CLEAN_ENV) $(CARGO) clippy --workspace --all-targets -- -D warnings

cargo-test: empty-home
	$(CLEAN_ENV) $(CARGO) test --workspace

bench: empty-home
	$(CLEAN_ENV) $(CARGO) bench -p mongoawsauth
