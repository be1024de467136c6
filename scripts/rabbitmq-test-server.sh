#!/usr/bin/env bash
# Starts and stops a PRIVATE RabbitMQ node for tests: its own node name, ports, Erlang cookie,
# epmd, data and logs under a temp dir. Never touches the system rabbitmq service.
#
#   scripts/rabbitmq-test-server.sh start   # prints the AMQP url on stdout (progress on stderr)
#   scripts/rabbitmq-test-server.sh stop    # stops the node, its epmd, and removes the temp dir
#   scripts/rabbitmq-test-server.sh url     # prints the url of the running node
#   scripts/rabbitmq-test-server.sh ctl ARGS   # rabbitmqctl ARGS against this node only
#
# Environment (all optional):
#   NIMBUS_RABBITMQ_NODE   node short name            (default nimbus-test)
#   NIMBUS_RABBITMQ_PORT   first AMQP port to try     (default 5673; the next free one is used)
#   NIMBUS_RABBITMQ_STATE  state file for this node   (default ${TMPDIR:-/tmp}/<node>.rabbitmq-test)
set -euo pipefail

NODE_SHORT="${NIMBUS_RABBITMQ_NODE:-nimbus-test}"
NODE="${NODE_SHORT}@localhost"
STATE="${NIMBUS_RABBITMQ_STATE:-${TMPDIR:-/tmp}/${NODE_SHORT}.rabbitmq-test}"
# The Debian wrappers in /usr/sbin `su` to the rabbitmq user and use its cookie and
# /var/lib/rabbitmq; the real scripts behind them honour every RABBITMQ_* variable below.
RMQ_BIN="${NIMBUS_RABBITMQ_BIN:-/usr/lib/rabbitmq/bin}"

log() { echo "rabbitmq-test-server: $*" >&2; }
die() { log "$*"; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port="$1"
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}

# Exports everything the rabbitmq scripts and the Erlang CLI need to reach OUR node only.
node_env() {
  export HOME="$BASE/home"                      # private ~/.erlang.cookie
  export RABBITMQ_NODENAME="$NODE"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$AMQP_PORT"
  export RABBITMQ_DIST_PORT="$DIST_PORT"
  export ERL_EPMD_PORT="$EPMD_PORT"             # own epmd, so stopping it harms no one else
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_MNESIA_BASE="$BASE/mnesia"
  export RABBITMQ_LOG_BASE="$BASE/log"
  export RABBITMQ_PID_FILE="$BASE/rabbitmq.pid"
  export RABBITMQ_CONF_ENV_FILE="$BASE/rabbitmq-env.conf"
  export RABBITMQ_CONFIG_FILE="$BASE/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$BASE/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$BASE/enabled_plugins"
}

load_state() {
  [ -f "$STATE" ] || return 1
  # shellcheck disable=SC1090
  . "$STATE"
  node_env
}

ctl() { "$RMQ_BIN/rabbitmqctl" -q -n "$NODE" "$@"; }

cmd_start() {
  [ -x "$RMQ_BIN/rabbitmq-server" ] || die "rabbitmq-server not found in $RMQ_BIN (apt-get install rabbitmq-server)"
  if load_state 2>/dev/null && ctl status >/dev/null 2>&1; then
    log "node $NODE already running"
    echo "amqp://guest:guest@127.0.0.1:${AMQP_PORT}"
    return 0
  fi
  [ -f "$STATE" ] && cmd_stop >/dev/null 2>&1 || true

  BASE="$(mktemp -d "${TMPDIR:-/tmp}/nimbus-rabbitmq.XXXXXX")"
  AMQP_PORT="$(free_port "${NIMBUS_RABBITMQ_PORT:-5673}")"
  DIST_PORT="$(free_port $((AMQP_PORT + 20000)))"
  EPMD_PORT="$(free_port $((AMQP_PORT + 10000)))"
  mkdir -p "$BASE/home" "$BASE/mnesia" "$BASE/log"
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$BASE/home/.erlang.cookie"
  chmod 400 "$BASE/home/.erlang.cookie"
  : >"$BASE/rabbitmq-env.conf"
  echo '[].' >"$BASE/enabled_plugins"
  echo '[].' >"$BASE/advanced.config"
  printf 'loopback_users.guest = true\nlog.console = false\nlog.file.level = warning\n' >"$BASE/rabbitmq.conf"
  cat >"$STATE" <<EOF
BASE='$BASE'
AMQP_PORT='$AMQP_PORT'
DIST_PORT='$DIST_PORT'
EPMD_PORT='$EPMD_PORT'
EOF
  node_env

  log "starting $NODE on 127.0.0.1:$AMQP_PORT (data in $BASE)"
  # Own session and log file: the node outlives this script and must not hold the caller's pipes.
  setsid "$RMQ_BIN/rabbitmq-server" </dev/null >"$BASE/log/startup.log" 2>&1 &
  local pid=$!
  echo "SERVER_PID='$pid'" >>"$STATE"

  local deadline=$((SECONDS + ${NIMBUS_RABBITMQ_START_TIMEOUT:-90}))
  until ctl await_startup --timeout 5 >/dev/null 2>&1 && port_in_use "$AMQP_PORT"; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 40 "$BASE/log/startup.log" >&2 || true
      cmd_stop >/dev/null 2>&1 || true
      die "node $NODE did not start"
    fi
    sleep 0.5
  done
  log "node $NODE is up"
  echo "amqp://guest:guest@127.0.0.1:${AMQP_PORT}"
}

cmd_stop() {
  load_state || { log "no state file $STATE: nothing to stop"; return 0; }
  ctl stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || true
  # Only if the node ignored the stop request: end the process we started, by its pid.
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    sleep 1
  fi
  # Our private epmd (own port) has nothing else registered once the node is gone.
  epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
  case "$BASE" in
    "${TMPDIR:-/tmp}"/nimbus-rabbitmq.*) rm -rf "$BASE" ;;
  esac
  rm -f "$STATE"
  log "node $NODE stopped"
}

cmd_url() {
  load_state || die "node $NODE is not running (no $STATE)"
  echo "amqp://guest:guest@127.0.0.1:${AMQP_PORT}"
}

cmd_ctl() {
  load_state || die "node $NODE is not running (no $STATE)"
  "$RMQ_BIN/rabbitmqctl" -n "$NODE" "$@"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  url) cmd_url ;;
  ctl) shift; cmd_ctl "$@" ;;
  *) echo "usage: $0 start|stop|url|ctl ARGS" >&2; exit 2 ;;
esac
