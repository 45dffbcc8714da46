#!/usr/bin/env bash
# Time to render and validate the Kubernetes manifests of 50 services (goal:
# under 1 s), in process and through the CLI (`msx deploy --dry-run`, which
# also starts node, reads msx.yaml and hashes every service folder for its tag).
# No cluster, registry or Docker is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f oclif.manifest.json ] && [ -d dist/deploy ] || npm run build >/dev/null
SERVICES=${SERVICES:-50}
RUNS=${RUNS:-10}
MSX="$PWD/bin/run.js"

node bench/deploy-render.mjs "$SERVICES" 20

WS=$(mktemp -d)
trap 'rm -rf "$WS"' EXIT
# A workspace of $SERVICES small service folders (a Dockerfile and a source file each).
{
  echo "version: 1"; echo "name: bench"; echo "services:"
  for i in $(seq 0 $((SERVICES - 1))); do
    printf '  svc%s:\n    kind: rest\n    context: c\n    path: contexts/c/svc%s\n    port: %s\n    config: { TIMEOUT_MS: %s }\n' "$i" "$i" $((3000 + i)) "$i"
    mkdir -p "$WS/contexts/c/svc$i/src"
    printf 'FROM scratch\nCOPY src /src\n' > "$WS/contexts/c/svc$i/Dockerfile"
    printf 'console.log(%s);\n' "$i" > "$WS/contexts/c/svc$i/src/main.js"
  done
  echo "environments:"
  echo "  staging: { runtime: kubernetes, registry: r.example.com/bench, namespace: bench }"
} > "$WS/msx.yaml"

echo
T="node $PWD/bench/time-command.mjs $RUNS"
(cd "$WS" && $T "node -e 0" -- node -e 0)
(cd "$WS" && $T "msx deploy --dry-run ($SERVICES services)" -- node "$MSX" deploy --dry-run)
