#!/usr/bin/env bash
# Writes, to stdout, the docker-compose file a person would write by hand for
# the bench's chain of REST services (svc1 <- svc2 <- svc3): the same
# Dockerfiles, env wiring, 127.0.0.1 ports, restart policy and readiness
# checks as `msx up --runtime docker`, dependents started once what they
# depend on is healthy. Usage: compose-file.sh WORKSPACE_DIR WORKSPACE_NAME FIRST_PORT COUNT
set -euo pipefail
dir=$1 name=$2 first=$3 count=$4

echo "version: '2.4'"
echo "services:"
for i in $(seq 1 "$count"); do
  port=$((first + i - 1))
  cat <<YAML
  svc$i:
    build: { context: $dir/contexts/bench/svc$i }
    image: benchcompose/${name}_svc$i
    ports: ["127.0.0.1:$port:$port"]
    restart: on-failure
    environment:
      PORT: "$port"
      SERVICE_NAME: svc$i
      LOG_FORMAT: json
      OTEL_SERVICE_NAME: svc$i
      MSX_WORKSPACE: $name
YAML
  [ "$i" -gt 1 ] && echo "      SVC$((i - 1))_URL: http://svc$((i - 1)):$((port - 1))"
  cat <<YAML
    healthcheck:
      test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:$port/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
      interval: 1s
      timeout: 2s
      retries: 60
YAML
  if [ "$i" -gt 1 ]; then
    echo "    depends_on:"
    echo "      svc$((i - 1)): { condition: service_healthy }"
  fi
done
