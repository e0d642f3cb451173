# govpulse — two commands set everything up on a fresh machine:
#   make run    build, create ./data/govpulse.db with the demo data set, serve on :8080
#   make test   format/lint gates, Rust tests on SQLite + PostgreSQL, web unit tests, browser tests,
#               the API contract check (schemathesis)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

DB        ?= sqlite://data/govpulse.db
BIND      ?= 127.0.0.1:8080
DEMO_CASES ?= 20000
RELEASE   := target/release/govpulse
DEBUG_BIN := target/debug/govpulse

.PHONY: help run build web web-deps test test-rust test-web test-e2e test-contract lint bench clean api-types python-client

help:
	@echo "make run    build and serve the demo on http://$(BIND)"
	@echo "make test   every gate and test (Rust on SQLite + PostgreSQL, web unit, browser)"
	@echo "make build  release binary $(RELEASE) with the web UI embedded"
	@echo "make bench  benchmark suite -> BENCHMARKS.md"

web-deps:
	@scripts/web-deps.sh

web: web-deps
	npm --prefix web run build

build: web
	cargo build --release --locked -p govpulse-cli

run: build
	@mkdir -p data
	@if [ ! -f data/govpulse.db ]; then $(RELEASE) demo --database $(DB) --cases $(DEMO_CASES) --seed 1; fi
	@scripts/print-demo-accounts.sh $(BIND)
	$(RELEASE) serve --database $(DB) --bind $(BIND)

lint: web-deps
	scripts/check-self-contained.sh
	cargo fmt --all -- --check
	cargo clippy --locked --all-targets -- -D warnings
	npm --prefix web run typecheck

test-rust:
	@scripts/ensure-postgres.sh
	cargo test --locked --workspace

test-web: web-deps
	npm --prefix web run test:unit

test-e2e: web
	@scripts/ensure-chromium.sh
	cargo build --locked -p govpulse-cli
	tests/e2e/run.sh $(DEBUG_BIN)

# schemathesis (from PyPI, in target/contract-venv) against a demo server:
# every documented operation, as three roles (issue 18).
test-contract:
	cargo build --locked -p govpulse-cli
	scripts/api-contract.sh $(DEBUG_BIN) ALL

# The OpenAPI document (web/src/api/openapi.json, committed) and the web
# client's types generated from it (web/src/api/schema.d.ts, committed): run
# after changing a schema. `make test` fails while they are stale (the
# openapi_document test and `npm run typecheck`).
api-types: web-deps
	cargo run --locked -q -p govpulse-cli -- openapi > web/src/api/openapi.json
	npm --prefix web run gen:api

# A Python client generated from the committed document (openapi-python-client,
# in target/contract-venv) into target/python-client/govpulse_client.
python-client:
	GENERATE_ONLY=1 scripts/api-contract.sh

# The web UI is built first so the binary under test embeds the current UI.
test: web lint test-rust test-web test-e2e test-contract

bench: build
	scripts/bench.sh $(RELEASE)

clean:
	cargo clean
	rm -rf web/dist web/node_modules tests/e2e/node_modules
