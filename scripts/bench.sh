#!/usr/bin/env bash
# Benchmarks of real server processes on loopback. Numbers only, nothing asserted. Modes:
#   scripts/bench.sh [JVM options]   1 GiB upload/download over TCP, then 20 clients doing small
#                                    upload/list/download/delete rounds for 10 s, and the server's peak RSS.
#                                    Tunables: -Dbench.bigBytes=N -Dbench.clients=N -Dbench.seconds=N -Dbench.heap=256m;
#                                    against running nodes (scripts/cluster.sh start 2): -Dbench.ports=8080,8090.
#   scripts/bench.sh --tls [JVM options]  1 GiB PUT and GET with curl over HTTP vs HTTPS (h1.1 and h2).
#   scripts/bench.sh --small [ROUNDS] [CLIENTS] [OPS] [SIZE]
#                                    4 KiB upload/download/list/delete, closed loop (tcpload -q), alternating
#                                    the original C server (shared/bench/seed-c), BASE_JAR (if set) and our
#                                    jar with storage.engine=v2; each run on a fresh root; COLD=1 also times
#                                    the first run of a fresh JVM (default: a warm-up run first, not counted).
#   scripts/bench.sh --http-small    wrk, 4 KiB GET and PUT over 32 keep-alive connections, ours vs nginx
#                                    (user-level nginx, WebDAV PUT). DURATION=10s.
#   scripts/bench.sh --big           1 GiB HTTP PUT and GET, ours vs nginx vs the disk (dd conv=fsync).
#   scripts/bench.sh --pg [CLIENTS] [OPS]  small ops against ours on SQLite vs a single PostgreSQL node.
#   scripts/bench.sh --million       1 000 000 files in one user's tree (seeded through the MetadataStore's
#                                    bulk import), upload/delete rate vs an empty account, first page of a
#                                    100 000-entry folder, RSS while a TCP LIST streams that folder.
#   scripts/bench.sh --dav           rclone (webdav remote) copy of 1000 files of 4 KiB and of one 1 GiB file
#                                    into /dav/, against curl's REST PUT of the same 1 GiB, in one run.
# Ports: BENCH_PORT (default 8080) and the next few. The C original's port is patched in a temp copy.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
# shared/ (the C original, tcpload) sits beside the checkout; a worktree one level deeper finds it too.
shared=${SHARED:-$here/../shared}
[ -d "$shared" ] || shared=$here/../../shared
port=${BENCH_PORT:-8080}
jar=${JAR:-$here/target/dropbox-server.jar}
mode=${1:-}

classpath() {
  mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
  echo "target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
}

case "$mode" in
  --small|--http-small|--big|--pg|--million|--dav) shift ;;
  --tls) shift; exec java "$@" -cp "$(classpath)" dropbox.bench.TlsBench ;;
  *) exec java "$@" -cp "$(classpath)" dropbox.bench.Bench ;;
esac

[ -f "$jar" ] || mvn -B -q package -DskipTests
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

# ours JAR DIR [env...]: our server on $port (TCP) and $port+2 (HTTP), v2, sign-up limit lifted; sets $pid.
ours() {
  local j=$1 d=$2; shift 2
  mkdir -p "$d"
  env "$@" DROPBOX_STORAGE_ENGINE=v2 DROPBOX_AUTH_SIGNUPS_PER_HOUR=1000000 DROPBOX_TCP_TLS_PORT=$((port + 1)) \
    java ${BENCH_JVM:-} -jar "$j" --host 127.0.0.1 --tcp-port "$port" --http-port $((port + 2)) \
    --storage "$d/data" --default-quota $((8 << 30)) >"$d/log" 2>&1 &
  pid=$!; pids+=("$pid")
  wait_port "$port"; wait_port $((port + 2))
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

tcpload_bin() {
  [ -x "$work/tcpload" ] || gcc -O2 -pthread -o "$work/tcpload" "$shared/bench/tcpload.c"
  echo "$work/tcpload"
}

# One closed-loop run; prints "ops/s up_p50 dl_p50 list_p50 del_p50".
tcprun() {
  local clients=$1 ops=$2 size=$3 prefix=$4 out
  out=$("$(tcpload_bin)" -h 127.0.0.1 -p "$port" -c "$clients" -n "$ops" -s "$size" -q -x "$prefix" 2>&1 || true)
  echo "$(echo "$out" | sed -n 's/^RESULT.*ops_per_s=\([0-9.]*\).*/\1/p') $(echo "$out" | awk '$2 ~ /^count/ {sub("p50=","",$4); printf "%s ", $4}')"
}

small() {
  local rounds=${1:-3} clients=${2:-10} ops=${3:-400} size=${4:-4096}
  cp -r "$shared/bench/seed-c" "$work/seed"
  sed -i "s/#define PORT 8080/#define PORT $port/" "$work/seed/dropbox_server.h"
  make -s -C "$work/seed" >/dev/null 2>&1
  local names="c" r n
  [ -n "${BASE_JAR:-}" ] && names="$names base"
  names="$names ours"
  echo "small ops: $rounds rounds x $clients clients x $ops ops of $size bytes; columns: ops/s, p50 upload download list delete"
  for r in $(seq "$rounds"); do
    for n in $names; do
      rm -rf "$work/s"; mkdir -p "$work/s"
      if [ "$n" = c ]; then
        cp "$work/seed/dropbox_server" "$work/s/"
        (cd "$work/s" && trap '' PIPE && exec ./dropbox_server >/dev/null 2>&1) & pid=$!; pids+=("$pid")
        wait_port "$port"
      else
        ours "$([ "$n" = base ] && echo "$BASE_JAR" || echo "$jar")" "$work/s"
        [ "${COLD:-0}" = 1 ] || tcprun "$clients" 800 "$size" warm >/dev/null
      fi
      echo "$n r$r: $(tcprun "$clients" "$ops" "$size" "r$r") load $(load)" | tee -a "$work/small.txt"
      stop "$pid"
    done
  done
  for n in $names; do
    echo "median $n: $(grep "^$n " "$work/small.txt" | awk '{print $3}' | median) ops/s"
  done
}

# nginx as this user: a temp prefix, WebDAV PUT into $work/www, on $port+3; sets $ngpid.
nginx_start() {
  mkdir -p "$work/ng/logs" "$work/ng/tmp" "$work/www"
  # Started as root, nginx's workers would drop to nobody and could not write the private temp dir.
  cat >"$work/ng/nginx.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes 2;
pid $work/ng/nginx.pid;
error_log $work/ng/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/ng/tmp;
  client_max_body_size 0;
  sendfile on;
  server {
    listen 127.0.0.1:$((port + 3));
    root $work/www;
    location / { dav_methods PUT DELETE; create_full_put_path on; }
  }
}
EOF
  nginx -p "$work/ng" -c "$work/ng/nginx.conf" -g 'daemon off;' 2>/dev/null & ngpid=$!; pids+=("$ngpid")
  wait_port $((port + 3))
}

signup() { # user on our HTTP port
  curl -s -o /dev/null -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"benchpass\"}" \
    "http://127.0.0.1:$((port + 2))/api/signup"
}

http_small() {
  local d=${DURATION:-10s} auth
  head -c 4096 /dev/urandom >"$work/4k"
  cat >"$work/put.lua" <<'EOF'
local f = io.open(os.getenv("BODY"), "rb"); local body = f:read("*a"); f:close()
local auth = os.getenv("AUTH")
local n = 0
request = function()
  n = n + 1
  local h = {["Content-Type"] = "application/octet-stream"}
  if auth ~= "" then h["Authorization"] = auth end
  return wrk.format("PUT", "/" .. os.getenv("PREFIX") .. "w" .. (n % 64), h, body)
end
EOF
  cat >"$work/get.lua" <<'EOF'
local auth = os.getenv("AUTH")
request = function()
  local h = {}
  if auth ~= "" then h["Authorization"] = auth end
  return wrk.format("GET", "/" .. os.getenv("PREFIX") .. "g", h)
end
EOF
  nginx_start
  ours "$jar" "$work/o"
  signup bench; auth="Basic $(printf 'bench:benchpass' | base64)"
  cp "$work/4k" "$work/www/g"
  curl -s -o /dev/null -T "$work/4k" -H "Authorization: $auth" "http://127.0.0.1:$((port + 2))/api/files/g"
  rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'; }
  lat() { awk '/Latency/ {print $2}'; }
  for r in 1 2 3; do
    for t in nginx ours; do
      local url pre a
      if [ $t = nginx ]; then url="http://127.0.0.1:$((port + 3))"; pre=""; a=""; else url="http://127.0.0.1:$((port + 2))"; pre="api/files/"; a="$auth"; fi
      local g p
      g=$(AUTH="$a" PREFIX="$pre" wrk -t2 -c32 -d"$d" -s "$work/get.lua" "$url" 2>&1)
      p=$(AUTH="$a" PREFIX="$pre" BODY="$work/4k" wrk -t2 -c32 -d"$d" -s "$work/put.lua" "$url" 2>&1)
      echo "$t r$r: GET $(echo "$g" | rate) req/s (mean latency $(echo "$g" | lat)), PUT $(echo "$p" | rate) req/s (mean $(echo "$p" | lat)), load $(load)" | tee -a "$work/http.txt"
    done
  done
  for t in nginx ours; do
    echo "median $t: GET $(grep "^$t " "$work/http.txt" | awk '{print $4}' | median) PUT $(grep "^$t " "$work/http.txt" | sed 's/.*PUT \([0-9.]*\).*/\1/' | median) req/s"
  done
}

big() {
  local gib=$((1 << 30)) auth rounds=${ROUNDS:-3}
  head -c "$gib" /dev/urandom >"$work/big"
  nginx_start
  mbs() { awk -v b="$gib" -v t="$1" 'BEGIN {printf "%.0f", b / t / 1e6}'; }
  local jars="ours=$jar"; [ -n "${BASE_JAR:-}" ] && jars="base=$BASE_JAR $jars"
  for r in $(seq "$rounds"); do
    sync
    local t0 t1 dd_t np ng spec line
    t0=$(date +%s.%N); dd if="$work/big" of="$work/dd.out" bs=1M conv=fsync status=none; t1=$(date +%s.%N)
    dd_t=$(echo "$t1 - $t0" | bc); rm -f "$work/dd.out"
    np=$(curl -s -o /dev/null -w '%{time_total}' -T "$work/big" "http://127.0.0.1:$((port + 3))/big")
    ng=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$((port + 3))/big")
    rm -f "$work/www/big"
    line="r$r MB/s: dd+fsync $(mbs "$dd_t") | nginx PUT $(mbs "$np") GET $(mbs "$ng")"
    for spec in $jars; do
      rm -rf "$work/o"; ours "${spec#*=}" "$work/o"
      signup bench; auth="Basic $(printf 'bench:benchpass' | base64)"
      local op og
      op=$(curl -s -o /dev/null -w '%{time_total}' -T "$work/big" -H "Authorization: $auth" "http://127.0.0.1:$((port + 2))/api/files/big")
      og=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: $auth" "http://127.0.0.1:$((port + 2))/api/files/big")
      line="$line | ${spec%%=*} PUT $(mbs "$op") GET $(mbs "$og")"
      stop "$pid"
    done
    echo "$line | load $(load)"
  done
}

pg() {
  local clients=${1:-10} ops=${2:-1000} bin=/usr/lib/postgresql/15/bin
  mkdir -p "$work/pg"
  "$bin/initdb" -D "$work/pg/data" -U bench -E UTF8 --locale=C -A trust >/dev/null
  "$bin/pg_ctl" -D "$work/pg/data" -o "-p $((port + 4)) -k $work/pg -c listen_addresses=127.0.0.1" -l "$work/pg/log" -w start >/dev/null
  trap '"$bin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true; cleanup' EXIT
  for r in 1 2 3; do
    for db in sqlite postgresql; do
      rm -rf "$work/o"
      if [ $db = postgresql ]; then
        "$bin/dropdb" -h 127.0.0.1 -p $((port + 4)) -U bench --if-exists bench 2>/dev/null || true
        "$bin/createdb" -h 127.0.0.1 -p $((port + 4)) -U bench bench
        ours "$jar" "$work/o" DROPBOX_DB_URL="jdbc:postgresql://127.0.0.1:$((port + 4))/bench" DROPBOX_DB_USER=bench
      else
        ours "$jar" "$work/o"
      fi
      tcprun "$clients" 800 4096 warm >/dev/null
      echo "$db r$r: $(tcprun "$clients" "$ops" 4096 "r$r") load $(load)" | tee -a "$work/pg.txt"
      stop "$pid"
    done
  done
  for db in sqlite postgresql; do echo "median $db: $(grep "^$db " "$work/pg.txt" | awk '{print $3}' | median) ops/s"; done
}

million() {
  local cp; cp=$(classpath)
  mkdir -p "$work/m"
  echo "seeding 1 000 000 files (100 000 of them in big/) through MetadataStore.importFiles ..."
  java -cp "$cp" dropbox.bench.MillionSeed "$work/m/data" "${MILLION_FILES:-1000000}"
  rm -rf "$work/e"
  for r in 1 2; do
    for acct in empty million; do
      local d=$([ $acct = empty ] && echo "$work/e" || echo "$work/m")
      ours "$jar" "$d"
      # the million-file user is seeded_0: tcpload's SIGNUP makes its account, the tree is already there
      echo "$acct r$r upload+delete (10 clients x 1000 ops, one user, mix ux): $(
        "$(tcpload_bin)" -h 127.0.0.1 -p "$port" -c 10 -n 1000 -s 4096 -q -u 1 -x "seeded" -m ux 2>&1 |
          sed -n 's/^RESULT.*ops_per_s=\([0-9.]*\).*/\1 ops\/s/p') load $(load)"
      stop "$pid"
    done
  done
  ours "$jar" "$work/m"
  local auth="Basic $(printf 'seeded_0:pass' | base64)" r t
  for r in 1 2 3 4 5; do
    t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: $auth" "http://127.0.0.1:$((port + 2))/api/folders/big?limit=1000")
    echo "first page (1000 of 100 000 entries) over HTTP: $(echo "$t * 1000" | bc) ms"
  done
  local rss0; rss0=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  (printf 'LOGIN seeded_0 pass\nLIST big\nQUIT\n'; sleep 120) | nc -q 1 127.0.0.1 "$port" >"$work/list.txt" &
  local nc=$! max=0 v
  while kill -0 $nc 2>/dev/null && ! grep -q Goodbye "$work/list.txt" 2>/dev/null; do
    v=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status"); [ "$v" -gt "$max" ] && max=$v; sleep 0.2
  done
  kill $nc 2>/dev/null || true
  echo "TCP LIST big: $(grep -c ' 10 ' "$work/list.txt") rows; server RSS before ${rss0} kB, peak during ${max} kB"
  stop "$pid"
}

# rclone against our /dav/ vs curl's REST PUT, same server, same run (issue 9's figures).
dav() {
  local n=${DAV_FILES:-1000} url="http://127.0.0.1:$((port + 2))" t0 t1 r
  ours "$jar" "$work/s"
  signup bench
  mkdir -p "$work/small"
  for i in $(seq "$n"); do head -c 4096 /dev/urandom >"$work/small/f$i"; done
  head -c $((1 << 30)) /dev/urandom >"$work/1g"
  export RCLONE_CONFIG="$work/rclone.conf"
  rclone config create bench webdav url="$url/dav/" vendor=owncloud user=bench \
    pass="$(rclone obscure benchpass)" --no-obscure >/dev/null
  echo "WebDAV vs REST, fsync on; load $(load)"
  for r in $(seq "${DAV_ROUNDS:-3}"); do
    t0=$(date +%s.%N); rclone copy --transfers 4 "$work/small" "bench:small$r"; t1=$(date +%s.%N)
    echo "rclone copy $n x 4 KiB r$r: $(echo "$n / ($t1 - $t0)" | bc -l | cut -c1-6) files/s"
    t0=$(date +%s.%N); rclone copyto "$work/1g" "bench:big$r"; t1=$(date +%s.%N)
    echo "rclone 1 GiB r$r: $(echo "1024 / ($t1 - $t0)" | bc -l | cut -c1-6) MiB/s"
    t=$(curl -s -o /dev/null -w '%{time_total}' -u bench:benchpass -T "$work/1g" "$url/api/files/rest$r")
    echo "REST PUT 1 GiB r$r: $(echo "1024 / $t" | bc -l | cut -c1-6) MiB/s"
  done
  echo "load $(load)"
  stop "$pid"
}

case "$mode" in
  --small) small "$@" ;;
  --http-small) http_small ;;
  --big) big ;;
  --pg) pg "$@" ;;
  --million) million ;;
  --dav) dav ;;
esac
