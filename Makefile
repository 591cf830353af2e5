# SafeCert — `make run` serves the demo on :8080; `make test` runs everything CI runs.
SWIFT       ?= swift
PORT        ?= 8080
HOST        ?= 0.0.0.0
BIN         := .build/debug/safecert
export SAFECERT_DATA_DIR ?= $(CURDIR)/data

.PHONY: run build deps deps-test test test-swift test-postgres test-browser test-system permissions clean

## Install missing Debian packages, build, migrate, seed the demo data (first start only), serve.
run: deps build
	SAFECERT_DEMO=1 $(BIN) seed --demo
	SAFECERT_DEMO=1 $(BIN) serve --hostname $(HOST) --port $(PORT)

build:
	$(SWIFT) build

deps:
	@scripts/install-deps.sh run

deps-test:
	@scripts/install-deps.sh test

## The whole suite on SQLite, again on PostgreSQL, the browser tests, then the system tests
## against a real `safecert serve` (hostile-input sweep, audit verify).
test: deps-test
	$(SWIFT) build --build-tests
	$(MAKE) test-swift
	$(MAKE) test-postgres
	$(MAKE) test-browser
	$(MAKE) test-system

test-swift:
	$(SWIFT) test --skip-build

test-postgres:
	@scripts/with-postgres.sh $(SWIFT) test --skip-build --filter SafeCertAppTests

test-browser:
	SAFECERT_BINARY=$(CURDIR)/$(BIN) python3 -m pytest -q Tests/browser

## A real `safecert serve` over HTTP: the hostile sweep, the access matrix, audit verify,
## schemathesis against /api/v1/openapi.json, the systemd unit (systemd-analyze verify).
## Needs a built binary (`swift build`) and `make deps-test`.
test-system:
	SAFECERT_BINARY=$(CURDIR)/$(BIN) python3 -m pytest -q -s Tests/system

## The role → permission table, as in the README.
permissions: build
	@$(BIN) permissions

clean:
	rm -rf .build artifacts
