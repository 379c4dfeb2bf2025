# HMS: the two commands of the README.
#   make demo  - install, migrate a SQLite database, load demo data, serve on http://127.0.0.1:8000/
#   make test  - install what the tests need (MariaDB, Chromium), then ruff and the whole suite on MariaDB
#   make serve - the production server (gunicorn + WhiteNoise) against $DATABASE_URL (README: Production server)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

# The demo runs like production (DEBUG=0: no stack traces shown) with a key generated once per checkout.
DEMO_KEY_FILE := .demo-secret-key
DEMO_ENV = DEBUG=0 SECRET_KEY="$$(cat $(DEMO_KEY_FILE))" DATABASE_URL=sqlite:///db.sqlite3 TWO_FACTOR_REQUIRED_ROLES=
TEST_DB_URL ?= mysql://hms:hms@127.0.0.1:3306/hms
# Tests run in TEST_WORKERS processes (pytest-xdist), each with its own MariaDB test database (test_hms_gw0, ...),
# a test module staying in one process (its module fixtures are built once).
TEST_WORKERS ?= 2
TEST_ENV := DATABASE_URL=$(TEST_DB_URL) SECRET_KEY=test-only-secret-key DEBUG=0
APT_PACKAGES := mariadb-server default-libmysqlclient-dev pkg-config gcc chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test install client-deps system-deps mariadb lint serve contract bench audit clean

$(VENV)/bin/activate:
	@# Debian's own python3 ships venv/ensurepip separately.
	@$(PYTHON) -c "import venv, ensurepip" 2>/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv >/dev/null; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt

# SQLite needs no server, but mysqlclient in requirements.txt compiles against libmysqlclient,
# so the demo installs the client headers and a C compiler too when they are missing.
client-deps:
	@if ! command -v gcc >/dev/null || { ! pkg-config --exists mysqlclient 2>/dev/null && \
		! pkg-config --exists mariadb 2>/dev/null; }; then \
		echo "Installing MySQL client headers and gcc (apt-get)..."; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq default-libmysqlclient-dev pkg-config gcc >/dev/null; \
	fi

$(DEMO_KEY_FILE):
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $(DEMO_KEY_FILE)

demo: client-deps install $(DEMO_KEY_FILE)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@echo
	@echo "HMS demo on http://127.0.0.1:8000/  (back office: /admin/, API: /api/v1/, docs: /api/docs/)"
	@echo "Logins (password: demo): admin, doctor, nurse, reception, billing, pharmacist, labtech, patient, insurer, privacy"
	@echo
	$(DEMO_ENV) $(PY) manage.py runserver --insecure 127.0.0.1:8000

# Production server: gunicorn (hms/gunicorn.conf.py) with WhiteNoise serving the collected static files.
# DATABASE_URL, SECRET_KEY, WEB_CONCURRENCY, PORT/BIND come from the environment; without DATABASE_URL and
# SECRET_KEY it serves the demo's SQLite database with the demo's key.
SERVE_ENV = DEBUG=$${DEBUG:-0} SECRET_KEY="$${SECRET_KEY:-$$(cat $(DEMO_KEY_FILE))}" \
	DATABASE_URL="$${DATABASE_URL:-sqlite:///db.sqlite3}" DATABASE_CONN_MAX_AGE=$${DATABASE_CONN_MAX_AGE:-60}

serve: client-deps install $(DEMO_KEY_FILE)
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(SERVE_ENV) exec $(VENV)/bin/gunicorn -c hms/gunicorn.conf.py

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing (apt-get)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

mariadb: system-deps
	@if ! $(SUDO) mariadb-admin ping >/dev/null 2>&1; then \
		echo "Starting MariaDB..."; $(SUDO) service mariadb start >/dev/null; \
		for i in $$(seq 1 30); do $(SUDO) mariadb-admin ping >/dev/null 2>&1 && break; sleep 1; done; \
	fi
	@$(SUDO) mariadb -e "CREATE USER IF NOT EXISTS 'hms'@'localhost' IDENTIFIED BY 'hms'; \
		CREATE USER IF NOT EXISTS 'hms'@'127.0.0.1' IDENTIFIED BY 'hms'; \
		GRANT ALL PRIVILEGES ON *.* TO 'hms'@'localhost'; GRANT ALL PRIVILEGES ON *.* TO 'hms'@'127.0.0.1'; \
		CREATE DATABASE IF NOT EXISTS hms CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; FLUSH PRIVILEGES;"
	@# Django converts times in SQL (date lists, date hierarchies): the server needs its time zone tables.
	@if [ "$$($(SUDO) mariadb -N -e 'SELECT COUNT(*) FROM mysql.time_zone_name')" = "0" ]; then \
		echo "Loading MariaDB time zone tables..."; \
		$(SUDO) mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | $(SUDO) mariadb mysql; \
	fi

lint: install
	$(VENV)/bin/ruff check .

test: mariadb install
	$(VENV)/bin/ruff check .
	$(TEST_ENV) $(PY) manage.py check --database default --fail-level WARNING
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

# The API contract alone, with schemathesis's coverage phase too (every boundary of every parameter, ~10 min).
contract: mariadb install
	HMS_CONTRACT_COVERAGE=1 $(TEST_ENV) $(VENV)/bin/pytest -m contract

# Builds hms_bench_10k and hms_bench_1m once (seed_scale), then measures every goal of issue 11 at both sizes.
# BENCH_ARGS: --rebuild, --size 10k|1m|both, --only 1,6, --repeat N, --build-only (see README, Benchmark).
BENCH_ARGS ?=
bench: mariadb install
	$(TEST_ENV) $(PY) scripts/benchmark.py $(BENCH_ARGS)

# Tamper evidence (README, Tamper evidence): seal the audit tables' ended days, then verify every chain (exit 1 at a
# break). Against $DATABASE_URL (default: the demo's SQLite database); run it daily after 00:30 UTC from cron.
audit: install $(DEMO_KEY_FILE)
	$(SERVE_ENV) $(PY) manage.py seal_audit
	$(SERVE_ENV) $(PY) manage.py verify_audit

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache $(DEMO_KEY_FILE)
