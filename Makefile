# Accord — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
TARGET := $(or $(CARGO_TARGET_DIR),target)
ACCORD := $(TARGET)/debug/accord
ADDR ?= 127.0.0.1:3000
DATABASE_URL ?= sqlite://accord.db?mode=rwc
export DATABASE_URL

.PHONY: run test setup build bench bench-impact bench-funnel fmt lint

## Install what is missing, build, migrate, seed demo data into an empty database, serve.
run: setup build
	@$(ACCORD) seed demo
	@echo "Open http://$(ADDR) and sign in with one of the demo logins above."
	@$(ACCORD) serve --addr $(ADDR)

## Every test: unit, integration and end-to-end, on SQLite and PostgreSQL.
test:
	@bash .ci/test.sh

setup:
	@bash .ci/setup.sh run

build:
	cargo leptos build

## Benchmarks (figures go to docs/benchmarks.md by hand, with the machine they ran on).
bench: setup
	cargo build --release -p server --bin accord
	RUST_LOG=warn $(TARGET)/release/accord bench
	@command -v sqlite3 >/dev/null || { echo "bench import compares with sqlite3 .import: apt-get install sqlite3"; exit 1; }
	RUST_LOG=warn $(TARGET)/release/accord bench import

## The impact preview against a bare scan on LEADS synthetic leads (default 1,000,000); errors
## only, since a full scan of a million rows rightly trips sqlx's slow-statement warning.
LEADS ?= 1000000
bench-impact: setup
	cargo build --release -p server --bin accord
	RUST_LOG=error $(TARGET)/release/accord bench impact --leads $(LEADS)

## The funnel API and page against a bare GROUP BY stage on LEADS synthetic leads; a
## postgres:// DATABASE_URL measures on a scratch PostgreSQL database instead of SQLite.
bench-funnel: setup
	cargo build --release -p server --bin accord
	RUST_LOG=error $(TARGET)/release/accord bench funnel --leads $(LEADS)

fmt:
	cargo fmt --all

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
