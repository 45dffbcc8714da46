#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests (test/dashboard/),
# which drive it with playwright-core (a devDependency: the driver only, no
# browser download, which this network refuses). Idempotent: nothing is done
# when /usr/bin/chromium is already there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "== chromium installed ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
  exit 0
fi

echo "== installing chromium"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
echo "== chromium installed ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
