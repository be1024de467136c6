#!/usr/bin/env bash
# Installs what Nimbus needs and starts the all-in-one cloud in the background, then prints its
# endpoints and openrc. Re-running it while the cloud runs only prints them again.
#   NIMBUS_DATA_DIR   where the database, keys, logs and openrc live (root: /var/lib/nimbus)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh run

if [ -z "${NIMBUS_DATA_DIR:-}" ]; then
  if [ "$(id -u)" = 0 ]; then NIMBUS_DATA_DIR=/var/lib/nimbus; else NIMBUS_DATA_DIR="$HOME/.local/share/nimbus"; fi
fi
export NIMBUS_DATA_DIR
mkdir -p "$NIMBUS_DATA_DIR"
pidfile="$NIMBUS_DATA_DIR/nimbus.pid"
log="$NIMBUS_DATA_DIR/nimbus.log"

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "Nimbus is already running (pid $(cat "$pidfile"))."
else
  setsid bin/nimbus all-in-one >>"$log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if grep -q '^Credentials:' "$log" 2>/dev/null && [ -s "$NIMBUS_DATA_DIR/openrc" ]; then break; fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "Nimbus failed to start; see $log" >&2; tail -20 "$log" >&2; exit 1; fi
    sleep 0.5
  done
fi
echo
echo "Endpoints:"
bin/nimbus endpoints
echo
echo "Credentials (admin): source $NIMBUS_DATA_DIR/openrc"
cat "$NIMBUS_DATA_DIR/openrc"
echo
echo "Try: source $NIMBUS_DATA_DIR/openrc && openstack token issue"
echo "Stop: scripts/stop.sh   Log: $log"
