#!/usr/bin/env bash
# Time to all-ready for 3 generated REST services (svc1 <- svc2 <- svc3) on a
# real Docker engine: `msx up --runtime docker --detach` cold (images built)
# and warm (nothing changed), beside `docker-compose up -d` on a hand-written
# equivalent compose file (bench/docker/compose-file.sh) plus waiting for the
# same readiness checks, in the same run. Goal (issue 5): warm msx up no slower
# than compose (ratio <= 1.0) and under 2 s. Everything made is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
RUNS=${RUNS:-5}
COUNT=3
bash scripts/setup-docker.sh >/dev/null
command -v docker-compose >/dev/null || { echo "== installing docker-compose"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }
[ -d dist ] && [ -f oclif.manifest.json ] || npm run build >/dev/null
MSX="node $REPO/bin/run.js"
WORK=$(mktemp -d)
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
MSX_WS=benchdk-msx-$$ COMPOSE_WS=benchdk-compose-$$

cleanup() {
  (cd "$WORK/$MSX_WS" 2>/dev/null && $MSX down --runtime docker --volumes >/dev/null 2>&1) || true
  (cd "$WORK/$COMPOSE_WS" 2>/dev/null && docker-compose -p "$COMPOSE_WS" down --rmi all -v >/dev/null 2>&1) || true
  docker images -q --filter "label=dev.msx.workspace=$MSX_WS" | xargs -r docker rmi -f >/dev/null 2>&1 || true
  # Build-stage images of these builds are untagged and unlabelled: removed by creation time.
  for id in $(docker images -q --filter dangling=true); do
    [[ "$(docker image inspect -f '{{.Created}}' "$id" 2>/dev/null)" > "$STARTED" ]] && docker rmi "$id" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

make_workspace() { # name first-port
  local ws="$WORK/$1"
  $MSX init "$ws" --name "$1" >/dev/null
  for i in $(seq 1 $COUNT); do
    local deps=(); [ "$i" -gt 1 ] && deps=(--depends-on "svc$((i - 1))")
    (cd "$ws" && $MSX new service "svc$i" --kind rest --context bench --port $(($2 + i - 1)) "${deps[@]}" >/dev/null)
  done
}

wait_ready() { # first-port
  for i in $(seq 1 $COUNT); do
    until curl -sf -o /dev/null "http://127.0.0.1:$(($1 + i - 1))/health/ready"; do sleep 0.05; done
  done
}

ms_of() { # command... → wall ms
  local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N); echo $(((end - start) / 1000000))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

msx_up() { (cd "$WORK/$MSX_WS" && $MSX up --runtime docker --detach) && wait_ready 42101; }
compose_up() { (cd "$WORK/$COMPOSE_WS" && docker-compose -p "$COMPOSE_WS" up -d "$@") && wait_ready 42111; }

# Different workspace names give different package.json files, so neither run reuses the other's build cache.
make_workspace "$MSX_WS" 42101
make_workspace "$COMPOSE_WS" 42111
bash bench/docker/compose-file.sh "$WORK/$COMPOSE_WS" "$COMPOSE_WS" 42111 $COUNT > "$WORK/$COMPOSE_WS/docker-compose.yml"

msx_cold=$(ms_of msx_up)
compose_cold=$(ms_of compose_up --build)
msx_warm=$(for _ in $(seq 1 "$RUNS"); do ms_of msx_up; done | median)
compose_warm=$(for _ in $(seq 1 "$RUNS"); do ms_of compose_up; done | median)
# msx checks every context for changes on each up; compose does that only with --build.
compose_warm_build=$(for _ in $(seq 1 "$RUNS"); do ms_of compose_up --build; done | median)

printf '%-44s %8s %8s %7s\n' "3 REST services, time to all ready" "msx" "compose" "ratio"
printf '%-44s %6d ms %6d ms %7.2f\n' "cold (images built from scratch)" "$msx_cold" "$compose_cold" "$(echo "$msx_cold / $compose_cold" | bc -l)"
printf '%-44s %6d ms %6d ms %7.2f\n' "warm (nothing changed, median of $RUNS)" "$msx_warm" "$compose_warm" "$(echo "$msx_warm / $compose_warm" | bc -l)"
printf '%-44s %6d ms %6d ms %7.2f\n' "warm, compose up -d --build (median of $RUNS)" "$msx_warm" "$compose_warm_build" "$(echo "$msx_warm / $compose_warm_build" | bc -l)"
