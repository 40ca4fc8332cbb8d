#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: installs what the tests need (Debian's Chromium and
# ChromeDriver for the browser tests, openssl and curl for the TLS tests) when they are missing, then
# builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1 \
    || ! command -v openssl >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing chromium, chromium-driver, openssl and curl for the browser and TLS tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver openssl curl >/dev/null
  else
    echo "test.sh: chromium, chromedriver, openssl and curl are required for the browser and TLS tests;" >&2
    echo "         install them (Debian: sudo apt-get install -y chromium chromium-driver openssl curl) and run again." >&2
    exit 1
  fi
fi

exec mvn -B verify "$@"
