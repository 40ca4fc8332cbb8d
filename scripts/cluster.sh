#!/usr/bin/env bash
# A local cluster of N nodes on loopback sharing one blob root (./data-cluster) and one PostgreSQL, for
# trying clustering out on one machine. Production nodes run on separate hosts: see docs/deploy.md.
#
#   scripts/cluster.sh start N     start PostgreSQL, then nodes 1..N (builds target/dropbox-server.jar if missing)
#   scripts/cluster.sh stop        stop every node of this cluster (SIGTERM, one at a time), then PostgreSQL
#   scripts/cluster.sh status      which nodes run, their ports, each node's /health, and PostgreSQL
#
# Ports of node i (1..9): TCP 8080+10(i-1), HTTP 8081+10(i-1), event bus 8082+10(i-1), Hazelcast 5700+i.
#   node 1: tcp 8080  http 8081  bus 8082  hazelcast 5701
#   node 2: tcp 8090  http 8091  bus 8092  hazelcast 5702   ...
# DROPBOX_CLUSTER_BASE_PORT (8080) and DROPBOX_CLUSTER_HZ_BASE (5700) move them.
# Pid files and logs: ./data-cluster-run/node-<i>.pid, node-<i>.log (outside the storage root, which holds
# only what the server writes; the previous start's log is kept as node-<i>.log.1). Extra server options can be passed
# in DROPBOX_CLUSTER_OPTS (e.g. "--default-quota 1073741824"); any DROPBOX_* setting works as usual.
#
# The database: clustered nodes need PostgreSQL (the embedded SQLite serves one node only). Unless
# DROPBOX_DB_URL names one already, a throw-away PostgreSQL of Debian's package (initdb + pg_ctl, no
# system service, trust authentication on 127.0.0.1 only) is created in ./data-cluster-pg (as root: in
# /var/tmp/dropbox-cluster-pg-<checkout hash>, owned by the postgres user, since PostgreSQL refuses to run as
# root and may not reach a checkout under /root; one per checkout, so two checkouts never share one) on
# port DROPBOX_CLUSTER_PG_PORT (5433), log server.log there. `stop` stops it; the data stays
# for the next start (delete the data-cluster* directories, and that one, to begin afresh). Install it with: apt-get install postgresql
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=./data-cluster
RUN=./data-cluster-run
JAR=target/dropbox-server.jar
MAX=9
# Hazelcast's wishes on Java 17 (the jar's manifest opens the same packages; explicit for clarity).
JVM_FLAGS=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)

BASE=${DROPBOX_CLUSTER_BASE_PORT:-8080}
HZ_BASE=${DROPBOX_CLUSTER_HZ_BASE:-5700}
PG_PORT=${DROPBOX_CLUSTER_PG_PORT:-5433}
if [ "$(id -u)" = 0 ]; then
  PG_DIR=/var/tmp/dropbox-cluster-pg-$(printf '%s' "$PWD" | sha256sum | cut -c1-12); PG_USER=postgres
else
  PG_DIR=$PWD/data-cluster-pg; PG_USER=
fi

tcp_port()  { echo $((BASE + 10 * ($1 - 1))); }
http_port() { echo $((BASE + 1 + 10 * ($1 - 1))); }
bus_port()  { echo $((BASE + 2 + 10 * ($1 - 1))); }
hz_port()   { echo $((HZ_BASE + $1)); }

usage() {
  sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

# ------------------------------------------------------------------ the local PostgreSQL

pg_bin() {
  local b
  # The newest installed major version of Debian's package.
  b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n | tail -1)
  if [ -z "$b" ] || [ ! -x "$b/initdb" ]; then
    echo "cluster.sh: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)." >&2
    echo "  Install it (apt-get install postgresql), or set DROPBOX_DB_URL (and DROPBOX_DB_USER," >&2
    echo "  DROPBOX_DB_PASSWORD) to a PostgreSQL database the nodes share." >&2
    exit 1
  fi
  echo "$b"
}

# Runs a PostgreSQL tool as the user that owns the data directory (never as root).
pg() {
  local tool=$1; shift
  if [ -n "$PG_USER" ]; then
    (cd / && runuser -u "$PG_USER" -- "$(pg_bin)/$tool" "$@")
  else
    "$(pg_bin)/$tool" "$@"
  fi
}

pg_running() { [ -f "$PG_DIR/data/postmaster.pid" ] && pg pg_ctl -D "$PG_DIR/data" status >/dev/null 2>&1; }

pg_start() {
  if [ -n "${DROPBOX_DB_URL:-}" ]; then return; fi # the operator's own database
  pg_bin >/dev/null
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    mkdir -p "$PG_DIR"
    chmod 0700 "$PG_DIR"
    [ -z "$PG_USER" ] || chown "$PG_USER" "$PG_DIR"
    # UTF8 (names sort by their UTF-8 bytes), the superuser the nodes connect as, trust on loopback only.
    pg initdb -D "$PG_DIR/data" -U dropbox -A trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || {
      echo "cluster.sh: initdb failed; see $PG_DIR/initdb.log" >&2
      exit 1
    }
  fi
  if pg_running; then
    echo "PostgreSQL already running (port $PG_PORT, $PG_DIR)"
  else
    pg pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR" start >/dev/null || {
      echo "cluster.sh: PostgreSQL did not start; last lines of $PG_DIR/server.log:" >&2
      tail -20 "$PG_DIR/server.log" >&2
      exit 1
    }
    echo "PostgreSQL up: 127.0.0.1:$PG_PORT (data $PG_DIR/data, log $PG_DIR/server.log)"
  fi
  export DROPBOX_DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" DROPBOX_DB_USER=dropbox
}

pg_stop() {
  if [ -n "${DROPBOX_DB_URL:-}" ] || ! pg_running; then return; fi
  pg pg_ctl -D "$PG_DIR/data" -m fast -w stop >/dev/null && echo "PostgreSQL stopped"
}

pg_status() {
  if [ -n "${DROPBOX_DB_URL:-}" ]; then echo "database: $DROPBOX_DB_URL (DROPBOX_DB_URL)"; return; fi
  if pg_running; then echo "PostgreSQL: running on 127.0.0.1:$PG_PORT ($PG_DIR)"; else echo "PostgreSQL: not running"; fi
}

pid_of() {
  local f="$RUN/node-$1.pid"
  [ -f "$f" ] || return 1
  local pid
  pid=$(cat "$f")
  # The pid must still be one of our servers, not a recycled pid of something else.
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'dropbox-server.jar'; then
    echo "$pid"
  else
    return 1
  fi
}

start() {
  local n=$1
  if ! [[ "$n" =~ ^[1-9]$ ]]; then echo "cluster.sh: N must be 1..$MAX" >&2; exit 2; fi
  [ -f "$JAR" ] || mvn -B -q package -DskipTests
  mkdir -p "$DATA" "$RUN"
  pg_start
  local members="" i
  for ((i = 1; i <= n; i++)); do members+="${members:+,}127.0.0.1:$(hz_port "$i")"; done
  for ((i = 1; i <= n; i++)); do
    if pid_of "$i" >/dev/null; then echo "node $i already running (pid $(pid_of "$i"))"; continue; fi
    local log="$RUN/node-$i.log"
    # A stale "ready" line of the previous run must not count; its log is kept one start (a crash's story).
    [ ! -f "$log" ] || mv -f "$log" "$log.1"
    # shellcheck disable=SC2086 # DROPBOX_CLUSTER_OPTS is a list of options on purpose
    DROPBOX_CLUSTER_BUS_PORT=$(bus_port "$i") nohup java "${JVM_FLAGS[@]}" -jar "$JAR" --storage "$DATA" \
      --host 127.0.0.1 --tcp-port "$(tcp_port "$i")" --http-port "$(http_port "$i")" \
      --cluster --cluster-host 127.0.0.1 --cluster-port "$(hz_port "$i")" --cluster-members "$members" \
      ${DROPBOX_CLUSTER_OPTS:-} >"$log" 2>&1 &
    echo $! >"$RUN/node-$i.pid"
    # One at a time: the first member forms the cluster, the others join it.
    local waited=0
    until grep -qs 'ready tcp=' "$log"; do
      if ! kill -0 "$(cat "$RUN/node-$i.pid")" 2>/dev/null; then
        echo "node $i failed to start; last lines of $log:" >&2
        tail -20 "$log" >&2
        exit 1
      fi
      if ((waited >= 120)); then echo "node $i not ready after 60 s; see $log" >&2; exit 1; fi
      sleep 0.5
      waited=$((waited + 1))
    done
    printf 'node %d up: tcp %d  http %d  bus %d  hazelcast %d  (pid %s, log %s)\n' "$i" \
      "$(tcp_port "$i")" "$(http_port "$i")" "$(bus_port "$i")" "$(hz_port "$i")" "$(cat "$RUN/node-$i.pid")" "$log"
  done
}

stop() {
  local i pid any=0
  # Highest first, one at a time, each waited for: Hazelcast hands its partitions over cleanly that way.
  for ((i = MAX; i >= 1; i--)); do
    pid=$(pid_of "$i") || { rm -f "$RUN/node-$i.pid"; continue; }
    any=1
    kill -TERM "$pid"
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
      if ((waited >= 120)); then echo "node $i (pid $pid) ignores SIGTERM after 60 s; left running" >&2; break; fi
      sleep 0.5
      waited=$((waited + 1))
    done
    kill -0 "$pid" 2>/dev/null || { rm -f "$RUN/node-$i.pid"; echo "node $i stopped"; }
  done
  [ "$any" = 1 ] || echo "no node running"
  pg_stop
}

status() {
  local i pid any=0
  for ((i = 1; i <= MAX; i++)); do
    pid=$(pid_of "$i") || continue
    any=1
    local health="(no answer)"
    if command -v curl >/dev/null 2>&1; then
      health=$(curl -s -m 3 "http://127.0.0.1:$(http_port "$i")/health" || echo "(no answer)")
    fi
    printf 'node %d pid %s: tcp %d http %d hazelcast %d  health %s\n' "$i" "$pid" \
      "$(tcp_port "$i")" "$(http_port "$i")" "$(hz_port "$i")" "$health"
  done
  pg_status
  [ "$any" = 1 ] || { echo "no node running"; return 3; }
}

case "${1:-}" in
  start) [ $# -eq 2 ] || usage; start "$2" ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
