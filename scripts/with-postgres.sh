#!/usr/bin/env bash
# Runs a command with SAFECERT_TEST_DATABASE_URL pointing at a real PostgreSQL.
# Uses the URL if already set; otherwise starts Debian's cluster on loopback and makes a
# `safecert` role and database for the tests (each test then works in its own schema).
set -euo pipefail
if [ -z "${SAFECERT_TEST_DATABASE_URL:-}" ]; then
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
  if [ -z "$version" ]; then echo "PostgreSQL is not installed (make deps-test)"; exit 1; fi
  cluster_running() { pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1==v && $2=="main" && $4=="online"' | grep -q .; }
  if ! cluster_running; then
    pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main"' | grep -q . || pg_createcluster "$version" main >/dev/null
    pg_ctlcluster "$version" main start
  fi
  port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
  as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
  # Every test runs its own app (and connection pool) in parallel: allow enough connections.
  if [ "$(as_postgres psql -p "$port" -qtAc "SHOW max_connections")" -lt 500 ]; then
    as_postgres psql -p "$port" -qc "ALTER SYSTEM SET max_connections = 500" >/dev/null
    pg_ctlcluster "$version" main restart
  fi
  as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname='safecert'" | grep -q 1 \
    || as_postgres psql -p "$port" -qc "CREATE ROLE safecert LOGIN PASSWORD 'safecert'"
  as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_database WHERE datname='safecert_test'" | grep -q 1 \
    || as_postgres psql -p "$port" -qc "CREATE DATABASE safecert_test OWNER safecert"
  export SAFECERT_TEST_DATABASE_URL="postgres://safecert:safecert@127.0.0.1:${port}/safecert_test?sslmode=disable"
fi
echo "PostgreSQL tests on ${SAFECERT_TEST_DATABASE_URL%%\?*}" | sed 's#//[^@]*@#//***@#'
exec "$@"
