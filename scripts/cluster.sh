#!/usr/bin/env bash
# A local cluster of N nodes on loopback sharing one storage root (./data-cluster), for trying clustering
# out on one machine. Production nodes run on separate hosts: see docs/deploy.md.
#
#   scripts/cluster.sh start N     start nodes 1..N (builds target/dropbox-server.jar if missing)
#   scripts/cluster.sh stop        stop every node of this cluster (SIGTERM, one at a time)
#   scripts/cluster.sh status      which nodes run, their ports, and each node's /health
#
# Ports of node i (1..9): TCP 8080+10(i-1), HTTP 8081+10(i-1), event bus 8082+10(i-1), Hazelcast 5700+i.
#   node 1: tcp 8080  http 8081  bus 8082  hazelcast 5701
#   node 2: tcp 8090  http 8091  bus 8092  hazelcast 5702   ...
# Pid files and logs: ./data-cluster/run/node-<i>.pid, node-<i>.log. Extra server options can be passed
# in DROPBOX_CLUSTER_OPTS (e.g. "--default-quota 1073741824"); any DROPBOX_* setting works as usual.
# The nodes share one PostgreSQL (a clustered start on SQLite is refused): DROPBOX_DB_URL (and
# DROPBOX_DB_USER, DROPBOX_DB_PASSWORD) names yours; unset, a throw-away one is created in ./data-cluster/pg
# (Debian's postgresql package, initdb + pg_ctl, loopback only, port DROPBOX_CLUSTER_PG_PORT or 5799) and
# stopped by "stop".
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=./data-cluster
RUN=$DATA/run
JAR=target/dropbox-server.jar
MAX=9
# Hazelcast's wishes on Java 17 (the jar's manifest opens the same packages; explicit for clarity).
JVM_FLAGS=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)

tcp_port()  { echo $((8080 + 10 * ($1 - 1))); }
http_port() { echo $((8081 + 10 * ($1 - 1))); }
bus_port()  { echo $((8082 + 10 * ($1 - 1))); }
hz_port()   { echo $((5700 + $1)); }

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

PG_DIR=$DATA/pg
PG_PORT=${DROPBOX_CLUSTER_PG_PORT:-5799}

# PostgreSQL refuses to run as root: then its files belong to Debian's postgres user.
pg() {
  local bin tool=$1
  shift
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "cluster.sh: PostgreSQL is not installed (apt-get install -y postgresql), or set DROPBOX_DB_URL" >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/$tool" "$@"; else "$bin/$tool" "$@"; fi
}

# The nodes' database: yours (DROPBOX_DB_URL), or a local one in ./data-cluster/pg, started once.
database() {
  if [ -n "${DROPBOX_DB_URL:-}" ]; then return; fi
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    mkdir -p "$PG_DIR"
    chmod 700 "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
    pg initdb -D "$PG_DIR/data" -U dropbox -A trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
      || { echo "initdb failed; see $PG_DIR/initdb.log" >&2; exit 1; }
  fi
  if ! pg pg_ctl -D "$PG_DIR/data" status >/dev/null 2>&1; then
    pg pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$(cd "$PG_DIR" && pwd)" start \
      >/dev/null || { echo "PostgreSQL did not start; see $PG_DIR/server.log" >&2; exit 1; }
    echo "PostgreSQL up: 127.0.0.1:$PG_PORT (data $PG_DIR/data)"
  fi
  export DROPBOX_DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" DROPBOX_DB_USER=dropbox
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
  database
  local members="" i
  for ((i = 1; i <= n; i++)); do members+="${members:+,}127.0.0.1:$(hz_port "$i")"; done
  for ((i = 1; i <= n; i++)); do
    if pid_of "$i" >/dev/null; then echo "node $i already running (pid $(pid_of "$i"))"; continue; fi
    local log="$RUN/node-$i.log"
    rm -f "$log" # a stale "ready" line of the previous run must not count
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
  # The throw-away database goes down with the last node (its data stays for the next start).
  if [ -z "${DROPBOX_DB_URL:-}" ] && [ -f "$PG_DIR/data/PG_VERSION" ] \
      && pg pg_ctl -D "$PG_DIR/data" status >/dev/null 2>&1; then
    pg pg_ctl -D "$PG_DIR/data" -m fast -w stop >/dev/null && echo "PostgreSQL stopped"
  fi
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
  [ "$any" = 1 ] || { echo "no node running"; return 3; }
}

case "${1:-}" in
  start) [ $# -eq 2 ] || usage; start "$2" ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
