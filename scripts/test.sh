#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: installs what the browser tests need (Debian's
# Chromium and ChromeDriver) and what the PostgreSQL tests need (Debian's postgresql, whose initdb and
# pg_ctl the tests run in a temp dir), what the TLS tests need (openssl, curl) and what the WebDAV tests
# need (litmus, rclone) when they are missing, then builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing chromium and chromium-driver for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "test.sh: chromium and chromedriver are required for the browser tests;" >&2
    echo "         install them (Debian: sudo apt-get install -y chromium chromium-driver) and run again." >&2
    exit 1
  fi
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing postgresql for the PostgreSQL tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "test.sh: PostgreSQL's server binaries are required for the PostgreSQL tests;" >&2
    echo "         install them (Debian: sudo apt-get install -y postgresql) and run again." >&2
    exit 1
  fi
fi

if ! command -v openssl >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing openssl and curl for the TLS tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl curl >/dev/null
  else
    echo "test.sh: openssl and curl are required for the TLS tests;" >&2
    echo "         install them (Debian: sudo apt-get install -y openssl curl) and run again." >&2
    exit 1
  fi
fi

if ! command -v litmus >/dev/null 2>&1 || ! command -v rclone >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing litmus and rclone for the WebDAV tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq litmus rclone >/dev/null
  else
    echo "test.sh: litmus and rclone are required for the WebDAV tests;" >&2
    echo "         install them (Debian: sudo apt-get install -y litmus rclone) and run again." >&2
    exit 1
  fi
fi

exec mvn -B verify "$@"
