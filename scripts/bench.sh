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
#                                    (user-level nginx, WebDAV PUT). DURATION=10s; WARMUP=10s (an uncounted
#                                    run of each first, 0 for none). Ours is asked with Basic on every
#                                    request, as a sync client does.
#   scripts/bench.sh --big           1 GiB HTTP PUT and GET, ours vs nginx (also nginx's PUT followed by an fsync
#                                    of its file) vs the disk (dd conv=fsync). ROUNDS=3; a WARM_MB=1024 MiB warm-up
#                                    PUT+GET per server first (COLD=1: none); GETS=3 GETs per server and round,
#                                    nginx and ours alternating (median shown); cpu = server CPU ms per GiB.
#   scripts/bench.sh --tcp-big       1 GiB TCP UPLOAD and DOWNLOAD vs loopback (the same client to/from a server
#                                    that only discards or sendfile()s the bytes) and
#                                    vs the disk (dd conv=fsync). ROUNDS=3; a 256 MiB warm-up per server (COLD=1: none).
#   scripts/bench.sh --pg [CLIENTS] [OPS]  small ops against ours on SQLite vs a single PostgreSQL node
#                                    (BASE_JAR, if set, alternates with ours in every round).
#   scripts/bench.sh --million       1 000 000 files in one user's tree (seeded through the MetadataStore's
#                                    bulk import), upload/delete rate vs an empty account, first page of a
#                                    100 000-entry folder (HTTP and TCP), RSS while a TCP LIST streams it and the
#                                    whole tree. MILLION_FILES=N seeds fewer; MILLION_DIR=D keeps the seeded root.
#   scripts/bench.sh --dav           rclone (webdav remote) copy of 1000 files of 4 KiB and of one 1 GiB file
#                                    into /dav/, against curl's REST PUT of the same 1 GiB, in one run.
#   scripts/bench.sh --cluster [ROUNDS] [CLIENTS] [OPS]
#                                    small ops (tcpload -q, 4 KiB, udlx) on a throw-away PostgreSQL: one clustered
#                                    node, two clustered nodes on one database and blob root (clients split half/half
#                                    over their TCP ports, two tcpload at once, ops/s added, p50s averaged), one
#                                    unclustered node on PostgreSQL, and SQLite; alternating, medians. Then wrk GET of
#                                    4 KiB against each (DURATION=5s). Ports: BENCH_PORT+0..+25. CLUSTER_CONFIGS="cl1 cl2"
#                                    runs only some of sqlite, pg, cl1, cl2 (with BENCH_JVM=-agentpath:...file=P-%p: a
#                                    profile per node).
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
  mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
  echo "target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
}

case "$mode" in
  --small|--http-small|--big|--tcp-big|--pg|--million|--dav|--cluster) shift ;;
  --tls) shift; exec java "$@" -cp "$(classpath)" dropbox.bench.TlsBench ;;
  *) exec java "$@" -cp "$(classpath)" dropbox.bench.Bench ;;
esac

# The tools a mode runs, installed (as root, with apt-get) when missing, as scripts/test.sh does for the
# tests: without nginx a run used to wait a minute for a port nobody would open, then stop without a word.
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("${2:-$1}"); }
case "$mode" in
  --small) need gcc; need make; [ -f /usr/include/openssl/sha.h ] || missing+=(libssl-dev) ;;
  --http-small) need nginx; need wrk ;;
  --big) need nginx; need curl ;;
  --tcp-big) need python3 ;;
  --dav) need rclone; need curl; need bc ;;
  --pg|--cluster) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql); need wrk ;;
esac
need gcc # tcpload, built by most modes
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench.sh: installing ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bench.sh: $mode needs ${missing[*]} (Debian: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
fi

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
  # One uncounted run of each first: our JIT needs a while under load to reach its steady state (C2
  # was still compiling the request path 30 s in on a busy 2-core box), and a long-running server is
  # what clients meet. nginx gets the same, so both are measured warm.
  if [ "${WARMUP:-10s}" != 0 ]; then
    AUTH="$auth" PREFIX="api/files/" wrk -t2 -c32 -d"${WARMUP:-10s}" -s "$work/get.lua" "http://127.0.0.1:$((port + 2))" >/dev/null 2>&1
    AUTH="$auth" PREFIX="api/files/" BODY="$work/4k" wrk -t2 -c32 -d"${WARMUP:-10s}" -s "$work/put.lua" "http://127.0.0.1:$((port + 2))" >/dev/null 2>&1
    AUTH="" PREFIX="" wrk -t2 -c32 -d"${WARMUP:-10s}" -s "$work/get.lua" "http://127.0.0.1:$((port + 3))" >/dev/null 2>&1
    AUTH="" PREFIX="" BODY="$work/4k" wrk -t2 -c32 -d"${WARMUP:-10s}" -s "$work/put.lua" "http://127.0.0.1:$((port + 3))" >/dev/null 2>&1
  fi
  rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'; }
  # Any answer but 2xx/3xx (a 429, a 500) makes a rate meaningless: shown next to it.
  errs() { sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\)/ (\1 non-2xx!)/p'; }
  lat() { awk '/Latency/ {print $2}'; }
  for r in 1 2 3; do
    for t in nginx ours; do
      local url pre a
      if [ $t = nginx ]; then url="http://127.0.0.1:$((port + 3))"; pre=""; a=""; else url="http://127.0.0.1:$((port + 2))"; pre="api/files/"; a="$auth"; fi
      local g p
      g=$(AUTH="$a" PREFIX="$pre" wrk -t2 -c32 -d"$d" -s "$work/get.lua" "$url" 2>&1)
      p=$(AUTH="$a" PREFIX="$pre" BODY="$work/4k" wrk -t2 -c32 -d"$d" -s "$work/put.lua" "$url" 2>&1)
      echo "$t r$r: GET $(echo "$g" | rate) req/s (mean latency $(echo "$g" | lat))$(echo "$g" | errs), PUT $(echo "$p" | rate) req/s (mean $(echo "$p" | lat))$(echo "$p" | errs), load $(load)" | tee -a "$work/http.txt"
    done
  done
  for t in nginx ours; do
    echo "median $t: GET $(grep "^$t " "$work/http.txt" | awk '{print $4}' | median) PUT $(grep "^$t " "$work/http.txt" | sed 's/.*PUT \([0-9.]*\).*/\1/' | median) req/s"
  done
}

# Each server (ours and nginx) first takes a PUT and a GET of WARM_MB=1024 MiB (other random bytes) that are not
# timed: a fresh JVM spends its first GiBs compiling the upload path on the same 2 cores (measured: a fresh
# JVM's first GiB after a 256 MiB warm-up costs ~3.6 s of server CPU and goes at ~55% of the later ones, which
# take ~2.2 s), and a server in use is warm (COLD=1: no warm-up). "nginx PUT+fsync" is nginx's PUT followed by an fsync of the file it wrote (coreutils sync FILE):
# what answering only once the bytes are durable would cost nginx. Each server's timed PUT comes right after a
# dd of its own ("dd+fsync" before nginx's, "dd2" before ours), whose file is then removed: on a VM that reports
# freed memory to its host (virtio-balloon free page reporting, as on the 2-core CI machine) a GiB of page cache
# taken from memory the host has reclaimed costs ~4 s of CPU in page faults (measured: writing 20 GiB of fresh
# memory took 84 s of system time), while memory freed a moment ago is cheap. nginx's PUT always followed the dd,
# ours a JVM start later, so ours alone paid the faults. A GET of a cached GiB takes ~0.4 s, so one
# GET per round is mostly the noise of the other processes on the box: each server is asked GETS=3 times per
# round, nginx and ours alternating, and the round's median is shown. "cpu" is the server's own CPU time
# (user + system, all its threads; nginx: its workers) per GiB of the PUT and of one GET, in ms: that does not
# depend on what else runs.
big() {
  local gib=$((1 << 30)) auth rounds=${ROUNDS:-3} gets=${GETS:-3}
  head -c "$gib" /dev/urandom >"$work/big"
  head -c $((${WARM_MB:-1024} << 20)) /dev/urandom >"$work/warm"
  nginx_start
  mbs() { awk -v b="$gib" -v t="$1" 'BEGIN {printf "%.0f", b / t / 1e6}'; }
  # cpu_ms PID...: user + system time so far of these processes, in ms
  cpu_ms() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $((t * 1000 / $(getconf CLK_TCK))); }
  local jars="ours=$jar"; [ -n "${BASE_JAR:-}" ] && jars="base=$BASE_JAR $jars"
  local ng="http://127.0.0.1:$((port + 3))" ngw
  ngw=$(pgrep -P "$ngpid" | tr '\n' ' ')
  if [ "${COLD:-0}" != 1 ]; then
    curl -s -o /dev/null -T "$work/warm" "$ng/warm"; curl -s -o /dev/null "$ng/warm"
  fi
  echo "1 GiB over HTTP/1.1 on loopback (curl), MB/s (GET: median of $gets per round); cpu = server ms per GiB; medians at the end"
  for r in $(seq "$rounds"); do
    sync
    local t0 t1 dd_t dd2_t np ng_t nps spec line c0 ngc_put ngc_get ngets g
    t0=$(date +%s.%N); dd if="$work/big" of="$work/dd.out" bs=1M conv=fsync status=none; t1=$(date +%s.%N)
    dd_t=$(echo "$t1 - $t0" | bc); rm -f "$work/dd.out"
    # www/get stays for the GETs below; www/big is the fsynced PUT's, removed after it
    c0=$(cpu_ms $ngw); np=$(curl -s -o /dev/null -w '%{time_total}' -T "$work/big" "$ng/get"); ngc_put=$(($(cpu_ms $ngw) - c0))
    rm -f "$work/www/big"; sync
    t0=$(date +%s.%N); curl -s -o /dev/null -T "$work/big" "$ng/big"; sync "$work/www/big"; t1=$(date +%s.%N)
    nps=$(echo "$t1 - $t0" | bc); rm -f "$work/www/big"
    ngets=(); ngc_get=()
    line=""
    for spec in $jars; do
      rm -rf "$work/o"; ours "${spec#*=}" "$work/o"
      signup bench; auth="Basic $(printf 'bench:benchpass' | base64)"
      local op og oc_put oc_get u="http://127.0.0.1:$((port + 2))/api/files"
      if [ "${COLD:-0}" != 1 ]; then
        curl -s -o /dev/null -T "$work/warm" -H "Authorization: $auth" "$u/warm"
        curl -s -o /dev/null -H "Authorization: $auth" "$u/warm"
      fi
      sync
      t0=$(date +%s.%N); dd if="$work/big" of="$work/dd.out" bs=1M conv=fsync status=none; t1=$(date +%s.%N)
      dd2_t=$(echo "$t1 - $t0" | bc); rm -f "$work/dd.out"
      c0=$(cpu_ms "$pid"); op=$(curl -s -o /dev/null -w '%{time_total}' -T "$work/big" -H "Authorization: $auth" "$u/big"); oc_put=$(($(cpu_ms "$pid") - c0))
      og=(); oc_get=()
      for g in $(seq "$gets"); do
        c0=$(cpu_ms $ngw); ngets+=("$(mbs "$(curl -s -o /dev/null -w '%{time_total}' "$ng/get")")"); ngc_get+=($(($(cpu_ms $ngw) - c0)))
        c0=$(cpu_ms "$pid"); og+=("$(mbs "$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: $auth" "$u/big")")"); oc_get+=($(($(cpu_ms "$pid") - c0)))
      done
      line="$line | dd2 $(mbs "$dd2_t") ${spec%%=*} PUT $(mbs "$op") GET $(printf '%s\n' "${og[@]}" | median | xargs printf '%.0f') cpu PUT $oc_put GET $(printf '%s\n' "${oc_get[@]}" | median | xargs printf '%.0f')"
      stop "$pid"
    done
    rm -f "$work/www/get"
    line="r$r: dd+fsync $(mbs "$dd_t") | nginx PUT $(mbs "$np") PUT+fsync $(mbs "$nps") GET $(printf '%s\n' "${ngets[@]}" | median | xargs printf '%.0f') cpu PUT $ngc_put GET $(printf '%s\n' "${ngc_get[@]}" | median | xargs printf '%.0f')$line"
    echo "$line | load $(load)" | tee -a "$work/big.txt"
  done
  columns_median "$work/big.txt"
}

# The first row of a file of "r<N>: name value ... | load ..." rounds, each number replaced by its column's median.
columns_median() {
  python3 - "$1" <<'EOF'
import re, statistics, sys
rows = [re.sub(r"^r\d+: | \| load.*$", "", l.strip()).split(" ") for l in open(sys.argv[1]) if re.match(r"r\d+:", l)]
out = [f"{statistics.median(int(r[i]) for r in rows):.0f}" if t.isdigit() else t for i, t in enumerate(rows[0])]
print(f"median of {len(rows)} rounds: " + " ".join(out))
EOF
}

# --tcp-big: 1 GiB UPLOAD and DOWNLOAD over the TCP protocol (tcpbig.py: sendfile up, recv_into a reused
# buffer down), against the two limits of the same run: loopback (the same client to and from a server that
# only discards, or sendfile()s, the bytes: no protocol, no disk) and the disk (dd conv=fsync).
tcpbig_py() {
  cat <<'EOF'
# tcpbig.py MODE host port file [warm-up file]: MODE up (to "sink") or down (from "source"), timed; sink and
# source are the loopback reference's server (one connection: discard, or sendfile the file); ours: the TCP
# protocol, UPLOAD then DOWNLOAD. Prints seconds, for ours "upload_s download_s".
import os, socket, sys, time
mode, host, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
size = os.path.getsize(path)
buf = bytearray(1 << 20); view = memoryview(buf)
def connect():
    s = socket.create_connection((host, port)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s
def until(s, tail):
    got = b""
    while not got.endswith(tail):
        b = s.recv(65536)
        if not b: raise SystemExit(f"closed, got {got[-200:]!r}")
        got += b
    return got
def drain(s, n):
    while n > 0:
        k = s.recv_into(view[:min(n, len(buf))])
        if k == 0: raise SystemExit(f"eof with {n} bytes left")
        n -= k
def send_file(s, p):
    with open(p, "rb") as f: s.sendfile(f)
if mode in ("sink", "source"):
    ls = socket.create_server((host, port)); print("listening", flush=True)
    c, _ = ls.accept()
    if mode == "sink":
        while c.recv_into(buf): pass
    else:
        send_file(c, path)
    c.close(); raise SystemExit(0)
s = connect()
if mode == "up":
    t = time.perf_counter(); send_file(s, path); s.shutdown(socket.SHUT_WR); s.recv(1)
    print(f"{time.perf_counter() - t:.4f}")
elif mode == "down":
    t = time.perf_counter(); drain(s, size); print(f"{time.perf_counter() - t:.4f}")
else:
    for _ in range(300):  # a server still starting may close a first connection before its greeting
        try:
            until(s, b": "); break
        except SystemExit:
            time.sleep(0.1); s = connect()
    s.sendall(b"SIGNUP tcpbig benchpass\n")
    r = b""
    while not (r.endswith(b"> ") or r.endswith(b": ")): r += s.recv(65536)
    if b"SIGNUP_SUCCESS" not in r:
        s.sendall(b"LOGIN tcpbig benchpass\n"); until(s, b"> ")
    def up(name, p):
        s.sendall(f"UPLOAD {name}\n".encode()); until(s, b"SEND_FILE_DATA\n")
        s.sendall(os.path.getsize(p).to_bytes(8, "little")); send_file(s, p)
        r = until(s, b"> ")
        if b"SUCCESS" not in r: raise SystemExit(f"upload: {r!r}")
    def down(name):
        s.sendall(f"DOWNLOAD {name}\n".encode())
        hdr = b""
        while len(hdr) < 8: hdr += s.recv(8 - len(hdr))
        drain(s, int.from_bytes(hdr, "little")); r = until(s, b"> ")
        if b"SUCCESS" not in r: raise SystemExit(f"download: {r!r}")
    if len(sys.argv) > 5:  # warm-up, not timed
        up("warm", sys.argv[5]); down("warm")
    os.sync()
    t = time.perf_counter(); up("big", path); u = time.perf_counter() - t
    t = time.perf_counter(); down("big"); d = time.perf_counter() - t
    print(f"{u:.4f} {d:.4f}")
EOF
}

# The reference server serves one connection: wait for its socket without connecting to it.
listening() { for _ in $(seq 100); do ss -ltnH "sport = :$1" | grep -q . && return 0; sleep 0.05; done; return 1; }

tcp_big() {
  local gib=$((1 << 30)) rounds=${ROUNDS:-3} np=$((port + 5))
  head -c "$gib" /dev/urandom >"$work/big"
  head -c $((256 << 20)) "$work/big" >"$work/warm"
  tcpbig_py >"$work/tcpbig.py"
  mbs() { awk -v b="$gib" -v t="$1" 'BEGIN {printf "%.0f", b / t / 1e6}'; }
  local jars="ours=$jar"; [ -n "${BASE_JAR:-}" ] && jars="base=$BASE_JAR $jars"
  echo "1 GiB over the TCP protocol on loopback, MB/s; loopback = the same client to/from a discard/sendfile server"
  for r in $(seq "$rounds"); do
    sync
    local t0 t1 dd_t lu ld spec line w t
    t0=$(date +%s.%N); dd if="$work/big" of="$work/dd.out" bs=1M conv=fsync status=none; t1=$(date +%s.%N)
    dd_t=$(echo "$t1 - $t0" | bc); rm -f "$work/dd.out"
    python3 "$work/tcpbig.py" sink 127.0.0.1 "$np" "$work/big" >/dev/null & w=$!; pids+=("$w"); listening "$np"
    lu=$(python3 "$work/tcpbig.py" up 127.0.0.1 "$np" "$work/big"); wait "$w" || true
    python3 "$work/tcpbig.py" source 127.0.0.1 "$np" "$work/big" >/dev/null & w=$!; pids+=("$w"); listening "$np"
    ld=$(python3 "$work/tcpbig.py" down 127.0.0.1 "$np" "$work/big"); kill "$w" 2>/dev/null || true; wait "$w" 2>/dev/null || true
    line="r$r: dd+fsync $(mbs "$dd_t") | loopback up $(mbs "$lu") down $(mbs "$ld")"
    for spec in $jars; do
      rm -rf "$work/o"; ours "${spec#*=}" "$work/o"
      if [ "${COLD:-0}" = 1 ]; then t=$(python3 "$work/tcpbig.py" ours 127.0.0.1 "$port" "$work/big")
      else t=$(python3 "$work/tcpbig.py" ours 127.0.0.1 "$port" "$work/big" "$work/warm"); fi
      line="$line | ${spec%%=*} UPLOAD $(mbs "${t% *}") DOWNLOAD $(mbs "${t#* }")"
      stop "$pid"
    done
    echo "$line | load $(load)" | tee -a "$work/tcpbig.txt"
  done
  columns_median "$work/tcpbig.txt"
}

pg() {
  local clients=${1:-10} ops=${2:-1000} pgd
  pgbin=/usr/lib/postgresql/15/bin # global: the EXIT trap calls pgt after pg() has returned
  # PostgreSQL refuses to run as root: as root, its directory (outside the root-only $work) belongs to the
  # postgres user and every tool runs as that user, as scripts/cluster.sh does.
  pgd=$(mktemp -d /var/tmp/bench-pg.XXXXXX)
  pgt() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$pgbin/$1" "${@:2}"); else "$pgbin/$1" "${@:2}"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres: "$pgd"
  pgt initdb -D "$pgd/data" -U bench -E UTF8 --locale=C -A trust >/dev/null
  pgt pg_ctl -D "$pgd/data" -o "-p $((port + 4)) -k $pgd -c listen_addresses=127.0.0.1" -l "$pgd/log" -w start >/dev/null
  # Expanded now: $pgd is a local, unset (an error under set -u) by the time the EXIT trap runs.
  trap "pgt pg_ctl -D '$pgd/data' -m immediate stop >/dev/null 2>&1 || true; rm -rf '$pgd'; cleanup" EXIT
  # BASE_JAR (if set) runs beside ours in every round, so a change's cost on each database is measured
  # alternating, not across minutes in which the machine itself drifts.
  local jars="ours=$jar" spec
  [ -n "${BASE_JAR:-}" ] && jars="base=$BASE_JAR $jars"
  for r in 1 2 3; do
    for db in sqlite postgresql; do
      for spec in $jars; do
        rm -rf "$work/o"
        if [ $db = postgresql ]; then
          pgt dropdb -h 127.0.0.1 -p $((port + 4)) -U bench --if-exists bench 2>/dev/null || true
          pgt createdb -h 127.0.0.1 -p $((port + 4)) -U bench bench
          ours "${spec#*=}" "$work/o" DROPBOX_DB_URL="jdbc:postgresql://127.0.0.1:$((port + 4))/bench" DROPBOX_DB_USER=bench
        else
          ours "${spec#*=}" "$work/o"
        fi
        tcprun "$clients" 800 4096 warm >/dev/null
        echo "$db ${spec%%=*} r$r: $(tcprun "$clients" "$ops" 4096 "r$r") load $(load)" | tee -a "$work/pg.txt"
        stop "$pid"
      done
    done
  done
  for db in sqlite postgresql; do
    for spec in $jars; do
      echo "median $db ${spec%%=*}: $(grep "^$db ${spec%%=*} " "$work/pg.txt" | awk '{print $4}' | median) ops/s"
    done
  done
}

probe() {
  cat <<'EOF'
# Probe for bench.sh --million: first-page latency over HTTP (keep-alive, Bearer token) and TCP, and the
# server's RSS while a TCP LIST streams a big folder. argv: host tcp_port http_port server_pid user password
import http.client, json, socket, statistics, sys, threading, time

host, tport, hport, pid, user, pw = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]

def rss_kb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

def ms(xs):
    xs = sorted(xs)
    return f"median {statistics.median(xs):.1f} ms, p90 {xs[int(len(xs) * 0.9) - 1]:.1f}, min {xs[0]:.1f} (n={len(xs)})"

# HTTP: one keep-alive connection, a token from /api/login, so neither a connect nor a password hash is timed.
c = http.client.HTTPConnection(host, hport)
c.request("POST", "/api/login", json.dumps({"username": user, "password": pw}), {"Content-Type": "application/json"})
r = c.getresponse(); token = json.loads(r.read())["token"]
auth = {"Authorization": "Bearer " + token}
def page(path):
    t = time.perf_counter()
    c.request("GET", path, headers=auth)
    r = c.getresponse(); body = r.read()
    dt = (time.perf_counter() - t) * 1000
    if r.status != 200: raise SystemExit(f"{path}: HTTP {r.status} {body[:200]!r}")
    j = json.loads(body)
    return dt, len(j["entries"]), j["cursor"]
for path, label in [("/api/folders/big?limit=1000", "big/ (100 000 entries)"),
                    ("/api/folders/d0000?limit=1000", "d0000/ (1000 entries)"),
                    ("/api/folders/big?limit=1000&sort=modified&order=desc", "big/ sort=modified desc"),
                    ("/api/folders/big?limit=1000&sort=size", "big/ sort=size")]:
    for _ in range(30): page(path)  # JIT warm-up, not counted
    times = []
    for _ in range(50):
        dt, n, cur = page(path); times.append(dt)
    print(f"HTTP GET {path}: {n} entries, cursor {'set' if cur else 'null'}; {ms(times)}  [{label}]")
# a later page, via the cursor of the previous one
dt, n, cur = page("/api/folders/big?limit=1000")
for _ in range(49): dt, n, cur = page("/api/folders/big?limit=1000&cursor=" + cur)
times = []
for _ in range(20): times.append(page("/api/folders/big?limit=1000&cursor=" + cur)[0])
print(f"HTTP GET big/ page 51 (by cursor): {ms(times)}")

# TCP
def tcp_session():
    s = socket.create_connection((host, tport)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    while not buf.endswith(b": "): buf += s.recv(65536)
    s.sendall(f"LOGIN {user} {pw}\n".encode())
    buf = b""
    while not buf.endswith(b"> "): buf += s.recv(65536)
    if b"LOGIN_SUCCESS" not in buf: raise SystemExit(f"TCP login failed: {buf!r}")
    return s
def tcp_list(s, arg):
    """(ms to the first entry row, ms to the final prompt, rows)"""
    t = time.perf_counter(); s.sendall(f"LIST {arg}\n".encode() if arg else b"LIST\n")
    tail = b""; first = None; rows = 0; dashes = False
    while True:
        chunk = s.recv(1 << 20)
        if not chunk: raise SystemExit("TCP: closed during LIST")
        data = tail + chunk
        lines = data.split(b"\n"); tail = lines.pop()
        for l in lines:
            if dashes and not l.startswith(b"Usage:"):
                rows += 1
                if first is None: first = (time.perf_counter() - t) * 1000
            if l.startswith(b"--------"): dashes = True
        if tail == b"> " and data.endswith(b"\n> "):
            return first, (time.perf_counter() - t) * 1000, rows
s = tcp_session()
for arg, reps in [("d0000", 30), ("big", 5)]:
    for _ in range(3): tcp_list(s, arg)
    res = [tcp_list(s, arg) for _ in range(reps)]
    print(f"TCP LIST {arg}: {res[0][2]} rows; first row after {ms([r[0] for r in res])}; whole listing {ms([r[1] for r in res])}")

# RSS while LIST streams: sample every 20 ms in a thread
def sampled(fn):
    peak = [0]; done = threading.Event()
    def run():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb()); time.sleep(0.02)
    th = threading.Thread(target=run); th.start()
    try: out = fn()
    finally: done.set(); th.join()
    return peak[0], out
before = rss_kb()
for arg, label in [("d0000", "1000-entry folder"), ("big", "100 000-entry folder"), ("", "whole tree (classic LIST)")]:
    s2 = tcp_session()
    peak, (first, total, rows) = sampled(lambda: tcp_list(s2, arg))
    s2.close()
    print(f"RSS during TCP LIST {arg or '(all)'} [{label}, {rows} rows, {total / 1000:.1f} s]: before {before} kB, peak {peak} kB")
    before = rss_kb()
EOF
}

million() {
  local cp; cp=$(classpath)
  # MILLION_DIR keeps the seeded root for another run (seeding is the slow part); seeded only when new.
  local m=${MILLION_DIR:-$work/m}
  mkdir -p "$m"
  if [ ! -f "$m/data/dropbox.db" ]; then
    echo "seeding ${MILLION_FILES:-1000000} files (100 000 of them in big/) through MetadataStore.importFiles ..."
    java -cp "$cp" dropbox.bench.MillionSeed "$m/data" "${MILLION_FILES:-1000000}" 2>&1 | grep -v ' INFO '
  fi
  rm -rf "$work/e"
  for r in 1 2; do
    for acct in empty million; do
      local d=$([ $acct = empty ] && echo "$work/e" || echo "$m")
      ours "$jar" "$d"
      # A warm-up as another user first: a fresh JVM's first seconds are JIT, not the database.
      "$(tcpload_bin)" -h 127.0.0.1 -p "$port" -c 10 -n 300 -s 4096 -q -u 1 -x warm -m ux >/dev/null 2>&1 || true
      # the million-file user is seeded_0: tcpload's SIGNUP makes its account, the tree is already there
      local out; out=$("$(tcpload_bin)" -h 127.0.0.1 -p "$port" -c 10 -n 1000 -s 4096 -q -u 1 -x "seeded" -m ux 2>&1 || true)
      echo "$acct r$r upload+delete (10 clients x 1000 ops, one user, mix ux): $(echo "$out" |
          sed -n 's/^RESULT.*ops_per_s=\([0-9.]*\).*/\1 ops\/s/p') $(
          echo "$out" | awk '$2 ~ /^count/ {sub("p50=","",$4); printf "%s p50 %s (%s) ", $1, $4, $3}') load $(load)"
      stop "$pid"
    done
  done
  ours "$jar" "$m"
  # Timed from a client that keeps its connection and logs in once (Bearer token): curl per request timed
  # its own start, the connect and, on a verticle whose Basic cache was cold, a password hash.
  probe >"$work/probe.py"
  python3 "$work/probe.py" 127.0.0.1 "$port" $((port + 2)) "$pid" seeded_0 pass
  echo "load $(load)"
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

# ---- --cluster: one vs two clustered nodes on one PostgreSQL (issue 8), beside an unclustered node on
# PostgreSQL and one on SQLite. Node i (1, 2) uses $port+10(i-1): TCP +0, TLS +1, HTTP +2, event bus +3,
# Hazelcast +5; PostgreSQL listens on $port+20.

# cpg_start: a throw-away PostgreSQL (initdb + pg_ctl, trust on 127.0.0.1 only), as pg() and cluster.sh do:
# PostgreSQL refuses to run as root, so as root its directory belongs to the postgres user. Sets $cpg_port.
cpg_start() {
  cpg_bin=/usr/lib/postgresql/15/bin cpg_port=$((port + 20))
  if (exec 3<>"/dev/tcp/127.0.0.1/$cpg_port") 2>/dev/null; then echo "port $cpg_port is in use" >&2; exit 1; fi
  cpg_dir=$(mktemp -d /var/tmp/bench-cluster-pg.XXXXXX) # global: the EXIT trap needs it after we return
  [ "$(id -u)" = 0 ] && chown postgres: "$cpg_dir"
  cpg initdb -D "$cpg_dir/data" -U bench -E UTF8 --locale=C -A trust >/dev/null
  cpg pg_ctl -D "$cpg_dir/data" -o "-p $cpg_port -k $cpg_dir -c listen_addresses=127.0.0.1" \
    -l "$cpg_dir/log" -w start >/dev/null
  trap "cpg pg_ctl -D '$cpg_dir/data' -m immediate stop >/dev/null 2>&1 || true; rm -rf '$cpg_dir'; cleanup" EXIT
}
cpg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$cpg_bin/$1" "${@:2}"); else "$cpg_bin/$1" "${@:2}"; fi; }
cpg_freshdb() {
  cpg dropdb -h 127.0.0.1 -p "$cpg_port" -U bench --if-exists bench 2>/dev/null || true
  cpg createdb -h 127.0.0.1 -p "$cpg_port" -U bench bench
}

# cnode I DIR MEMBERS: clustered node I on the shared root DIR/data and the bench database; sets $pid.
cnode() {
  local i=$1 d=$2 members=$3 b=$((port + 10 * ($1 - 1)))
  mkdir -p "$d"
  DROPBOX_STORAGE_ENGINE=v2 DROPBOX_AUTH_SIGNUPS_PER_HOUR=1000000 DROPBOX_TCP_TLS_PORT=$((b + 1)) \
    DROPBOX_CLUSTER_BUS_PORT=$((b + 3)) DROPBOX_CLUSTER_NAME="bench-$$" \
    DROPBOX_DB_URL="jdbc:postgresql://127.0.0.1:$cpg_port/bench" DROPBOX_DB_USER=bench \
    java ${BENCH_JVM:-} -jar "$jar" --host 127.0.0.1 --tcp-port "$b" --http-port $((b + 2)) \
    --storage "$d/data" --default-quota $((8 << 30)) \
    --cluster --cluster-host 127.0.0.1 --cluster-port $((b + 5)) --cluster-members "$members" >"$d/node$i.log" 2>&1 &
  pid=$!; pids+=("$pid")
  # One at a time, as cluster.sh does: the first forms the cluster, the second joins it.
  for _ in $(seq 1200); do
    grep -qs 'ready tcp=' "$d/node$i.log" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "clustered node $i did not start:" >&2; tail -20 "$d/node$i.log" >&2; exit 1
}

# crun PORT CLIENTS OPS PREFIX: one closed-loop tcpload run; prints "ops/s errors up dl list del" (p50, ms).
crun() {
  local out
  out=$("$work/tcpload" -h 127.0.0.1 -p "$1" -c "$2" -n "$3" -s 4096 -q -x "$4" 2>&1 || true)
  echo "$(echo "$out" | sed -n 's/^RESULT.*ops_per_s=\([0-9.]*\).*/\1/p') $(echo "$out" | sed -n 's/^RESULT.*errors=\([0-9]*\).*/\1/p') $(
    echo "$out" | awk '$2 ~ /^count/ {sub("p50=","",$4); sub("ms","",$4); printf "%s ", $4}')"
}

# crun2 CLIENTS OPS PREFIX: two tcpload at once, half the clients on node 1, half on node 2; ops/s and errors
# added, p50s averaged (equal halves, so close to the p50 of all operations).
crun2() {
  local a b
  crun "$port" $(($1 / 2)) "$2" "${3}a" >"$work/half1" & a=$!
  crun $((port + 10)) $(($1 - $1 / 2)) "$2" "${3}b" >"$work/half2" & b=$!
  wait "$a" "$b" || true
  paste -d' ' "$work/half1" "$work/half2" |
    awk '{printf "%.1f %d %.3f %.3f %.3f %.3f\n", $1 + $7, $2 + $8, ($3 + $9) / 2, ($4 + $10) / 2, ($5 + $11) / 2, ($6 + $12) / 2}'
}

# cwrk HTTPPORT... : wrk GET of one 4 KiB file over 32 keep-alive connections split over the given HTTP ports
# (all at once); prints the summed req/s.
cwrk() {
  # A Bearer token (shared by the nodes): 32 connections opening with Basic at once are each a password check,
  # and the login throttle answers most of them 429 before the credential cache is warm.
  local n=$# p auth ws=()
  auth="Bearer $(curl -s -H 'Content-Type: application/json' -d '{"username":"bench","password":"benchpass"}' \
    "http://127.0.0.1:$1/api/login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
  for p in "$@"; do
    AUTH="$auth" PREFIX="api/files/" wrk -t$((2 / n)) -c$((32 / n)) -d"${DURATION:-5s}" -s "$work/get.lua" \
      "http://127.0.0.1:$p" >"$work/wrk.$p" 2>&1 & ws+=($!)
  done
  wait "${ws[@]}" || true
  for p in "$@"; do grep -q 'Non-2xx' "$work/wrk.$p" && grep 'Non-2xx' "$work/wrk.$p" >&2; done
  for p in "$@"; do sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p' "$work/wrk.$p"; done | awk '{s += $1} END {printf "%.0f\n", s}'
}

cluster_bench() {
  local rounds=${1:-3} clients=${2:-10} ops=${3:-1000} r n res get
  tcpload_bin >/dev/null
  cat >"$work/get.lua" <<'LUA'
local auth = os.getenv("AUTH")
request = function() return wrk.format("GET", "/" .. os.getenv("PREFIX") .. "g", {["Authorization"] = auth}) end
LUA
  head -c 4096 /dev/urandom >"$work/4k"
  cpg_start
  local hz1="127.0.0.1:$((port + 5))" hz2="127.0.0.1:$((port + 15))"
  echo "cluster: $rounds rounds x $clients clients x $ops ops of 4 KiB (udlx, quick-ACK), wrk GET 4 KiB ${DURATION:-5s}, $(nproc) cores"
  echo "columns: ops/s, errors, p50 ms upload download list delete | wrk GET req/s | load"
  for r in $(seq "$rounds"); do
    for n in ${CLUSTER_CONFIGS:-sqlite pg cl1 cl2}; do
      rm -rf "$work/o"; mkdir -p "$work/o"
      local two=()
      case $n in
        sqlite) ours "$jar" "$work/o" ;;
        pg) cpg_freshdb; ours "$jar" "$work/o" DROPBOX_DB_URL="jdbc:postgresql://127.0.0.1:$cpg_port/bench" DROPBOX_DB_USER=bench ;;
        cl1) cpg_freshdb; cnode 1 "$work/o" "$hz1"; two=("$pid") ;;
        cl2) cpg_freshdb; cnode 1 "$work/o" "$hz1,$hz2"; two=("$pid"); cnode 2 "$work/o" "$hz1,$hz2"; two+=("$pid") ;;
      esac
      [ "$n" = cl2 ] || two=("$pid")
      # A warm-up run first (JIT, pools, Hazelcast partitions), not counted; the same split as the measured run.
      if [ "$n" = cl2 ]; then crun2 "$clients" 400 "warm$r" >/dev/null; res=$(crun2 "$clients" "$ops" "r$r")
      else crun "$port" "$clients" 400 "warm$r" >/dev/null; res=$(crun "$port" "$clients" "$ops" "r$r"); fi
      signup bench
      curl -s -o /dev/null -T "$work/4k" -u bench:benchpass "http://127.0.0.1:$((port + 2))/api/files/g"
      if [ "$n" = cl2 ]; then get=$(cwrk $((port + 2)) $((port + 12))); else get=$(cwrk $((port + 2))); fi
      echo "$n r$r $res $get" >>"$work/cluster.txt"
      echo "$n r$r: $res | $get | load $(load)"
      # the joined node first, then the one that formed the cluster
      for ((i = ${#two[@]} - 1; i >= 0; i--)); do stop "${two[$i]}"; done
    done
  done
  echo "medians over $rounds rounds (ops/s | p50 ms upload download list delete | wrk GET req/s):"
  for n in ${CLUSTER_CONFIGS:-sqlite pg cl1 cl2}; do
    local m="" c
    for c in 3 5 6 7 8 9; do m="$m $(awk -v n="$n" -v c="$c" '$1 == n {print $c}' "$work/cluster.txt" | median)"; done
    local label; case $n in sqlite) label="SQLite, one node";; pg) label="PostgreSQL, one unclustered node";;
      cl1) label="PostgreSQL, one clustered node";; cl2) label="PostgreSQL, two clustered nodes";; esac
    echo "$m" | awk -v l="$label" '{printf "  %-34s %8s ops/s | p50 %s %s %s %s | GET %s req/s\n", l, $1, $2, $3, $4, $5, $6}'
  done
  echo "errors (all rounds): $(awk '{s += $4} END {print s + 0}' "$work/cluster.txt"); load $(load)"
}

case "$mode" in
  --small) small "$@" ;;
  --http-small) http_small ;;
  --big) big ;;
  --tcp-big) tcp_big ;;
  --pg) pg "$@" ;;
  --million) million ;;
  --dav) dav ;;
  --cluster) cluster_bench "$@" ;;
esac
