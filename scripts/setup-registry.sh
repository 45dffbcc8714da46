#!/usr/bin/env bash
# Installs Debian's docker-registry (the Distribution registry server) for the
# deploy image-push test, which starts its own registry on a free 127.0.0.1
# port. Idempotent: nothing is done when the binary is already there. The
# package's own service is stopped and disabled: the test wants no registry on
# the default port 5000 that it did not start.
set -euo pipefail

if command -v docker-registry >/dev/null; then
  echo "== docker-registry installed ($(docker-registry --version 2>/dev/null | head -n1))"
  exit 0
fi

echo "== installing docker-registry"
apt-get update -qq
# policy-rc.d 101: do not start the packaged service during the install (no systemd here anyway).
policy=/usr/sbin/policy-rc.d
had_policy=0
[ -e "$policy" ] && had_policy=1
[ "$had_policy" = 1 ] || { printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-registry >/dev/null
[ "$had_policy" = 1 ] || rm -f "$policy"
echo "== docker-registry installed ($(docker-registry --version 2>/dev/null | head -n1))"
