#!/usr/bin/env bash
# Measures a real server process on loopback: 1 GiB upload/download over TCP, then 20 clients doing
# small upload/list/download/delete rounds for 10 s, and the server's peak RSS.
# Tunables: -Dbench.bigBytes=N -Dbench.clients=N -Dbench.seconds=N -Dbench.heap=256m
# Against running nodes (scripts/cluster.sh start 2): -Dbench.ports=8080,8090 (small ops only).
# scripts/bench.sh --tls [JVM options]: 1 GiB PUT and GET with curl over HTTP vs HTTPS (h1.1 and h2).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
main=dropbox.bench.Bench
if [ "${1:-}" = "--tls" ]; then
  shift
  main=dropbox.bench.TlsBench
fi
exec java "$@" -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" "$main"
