#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: installs what the tests need when it is missing —
# the browser tests Debian's Chromium and ChromeDriver, the PostgreSQL tests Debian's postgresql (whose
# initdb and pg_ctl the tests run in a temp dir), the TLS tests openssl and curl, the WebDAV tests
# litmus and rclone — in one apt-get run, then builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()   # Debian packages to install
why=()       # what needs them, for the message

# need "<what needs it>" "<check command>" <packages...>
need() {
  local what=$1 check=$2; shift 2
  if ! bash -c "$check" >/dev/null 2>&1; then
    missing+=("$@")
    why+=("$what")
  fi
}

need "the browser tests" "command -v chromium && command -v chromedriver" chromium chromium-driver
need "the PostgreSQL tests" "ls /usr/lib/postgresql/*/bin/initdb" postgresql
need "the TLS tests" "command -v openssl && command -v curl" openssl curl
need "the WebDAV tests" "command -v litmus && command -v rclone" litmus rclone

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${missing[*]} for $(IFS=,; echo "${why[*]}" | sed 's/,/, /g')"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "test.sh: ${missing[*]} are required for $(IFS=,; echo "${why[*]}" | sed 's/,/, /g');" >&2
    echo "         install them (Debian: sudo apt-get install -y ${missing[*]}) and run again." >&2
    exit 1
  fi
fi

exec mvn -B verify "$@"
