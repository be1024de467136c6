#!/usr/bin/env bash
# Stops the all-in-one cloud that scripts/start.sh started (by its pid, nothing else).
set -euo pipefail
if [ -z "${NIMBUS_DATA_DIR:-}" ]; then
  if [ "$(id -u)" = 0 ]; then NIMBUS_DATA_DIR=/var/lib/nimbus; else NIMBUS_DATA_DIR="$HOME/.local/share/nimbus"; fi
fi
pidfile="$NIMBUS_DATA_DIR/nimbus.pid"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  pid=$(cat "$pidfile")
  kill -TERM "$pid"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  rm -f "$pidfile"
  echo "Nimbus stopped."
else
  echo "Nimbus is not running."
fi
