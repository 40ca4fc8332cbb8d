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
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
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
