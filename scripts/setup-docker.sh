#!/usr/bin/env bash
# Makes a real Docker engine answer for the docker-runtime tests and bench:
# installs Debian's docker.io when it is missing, starts dockerd in the
# background when nothing answers, and makes the base image the generated
# Dockerfiles use (node:20-slim) locally. No registry can be reached from these
# machines, so the image is made from the host's own node + npm, its shared
# libraries, busybox and the CA bundle. Idempotent: each step is skipped when
# its result is already there.
set -euo pipefail

BASE_IMAGE=${MSX_BASE_IMAGE:-node:20-slim}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/msx-dockerd.log}

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

install_engine() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

start_engine() {
  engine_answers && { echo "== Docker engine answers ($(docker version --format '{{.Server.Version}}'))"; return 0; }
  echo "== starting dockerd (log: $DOCKERD_LOG)"
  # setsid: the engine outlives this script and the shell that ran it, like the host's PostgreSQL.
  setsid dockerd >"$DOCKERD_LOG" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    engine_answers && { echo "== Docker engine answers ($(docker version --format '{{.Server.Version}}'))"; return 0; }
    sleep 0.5
  done
  echo "error: dockerd did not answer within 30 s; last lines of $DOCKERD_LOG:" >&2
  tail -n 20 "$DOCKERD_LOG" >&2
  return 1
}

# node + npm, the libraries node links against, busybox as /bin/sh and the
# usual tools (npm scripts need sh and /usr/bin/env), the CA bundle (the
# registry is reached through an intercepting TLS proxy), and a passwd file
# with uid 1000, which the generated Dockerfiles run as.
make_node_image() {
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then echo "== $BASE_IMAGE is there"; return 0; fi
  echo "== making $BASE_IMAGE from the host's node $(node --version) and npm $(npm --version)"
  local root node; root=$(mktemp -d); node=$(readlink -f "$(command -v node)")
  mkdir -p "$root"/{usr/bin,usr/lib/node_modules,lib/x86_64-linux-gnu,lib64,bin,etc/ssl/certs,tmp,root,app}
  chmod 1777 "$root/tmp"
  cp "$node" "$root/usr/bin/node"
  for lib in $(ldd "$node" | awk '/=>/ {print $3}'); do cp -L "$lib" "$root/lib/x86_64-linux-gnu/"; done
  cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
  cp -a "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$root/usr/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"; done
  ln -s /bin/env "$root/usr/bin/env"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' > "$root/etc/group"
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    -c 'CMD ["node"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
  echo "== $BASE_IMAGE made ($(docker image inspect "$BASE_IMAGE" --format '{{.Size}}' | awk '{printf "%d MB", $1/1048576}'))"
}

install_engine
start_engine
make_node_image
