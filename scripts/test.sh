#!/usr/bin/env bash
# The whole test suite: installs what it needs, starts a private PostgreSQL and RabbitMQ,
# runs unit, integration (SQLite, then the database tests again on PostgreSQL) and end-to-end
# tests, and stops everything it started, even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test

work=$(mktemp -d /tmp/nimbus-test-run.XXXXXX)
chmod 755 "$work"
export NIMBUS_RABBITMQ_STATE="$work/rabbitmq.state"
cleanup() {
  scripts/rabbitmq-test-server.sh stop >/dev/null 2>&1 || true
  scripts/postgres-test-server.sh stop "$work/postgres" || true
  rm -rf "$work"
}
trap cleanup EXIT

NIMBUS_TEST_DATABASE_URL=$(scripts/postgres-test-server.sh start "$work/postgres" 55432)
export NIMBUS_TEST_DATABASE_URL
NIMBUS_TEST_AMQP_URL=$(scripts/rabbitmq-test-server.sh start)
export NIMBUS_TEST_AMQP_URL
echo "test servers: $NIMBUS_TEST_DATABASE_URL, ${NIMBUS_TEST_AMQP_URL%%@*}@…"

node scripts/run-tests.mjs "$@"
