#!/usr/bin/env bash
# Makes sure the local infra the tests talk to answers: PostgreSQL on
# 127.0.0.1:5432 and RabbitMQ on 127.0.0.1:5672. On this project's machines both
# are installed and usually running; a stopped one is started again.
set -euo pipefail

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # name port
  for _ in $(seq 1 60); do answers "$2" && { echo "== $1 answers on 127.0.0.1:$2"; return 0; }; sleep 1; done
  echo "error: $1 does not answer on 127.0.0.1:$2" >&2
  return 1
}

if ! answers 5432; then
  echo "== starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  else
    echo "error: PostgreSQL is not installed; install it (apt-get install postgresql) or point the tests at one" >&2
    exit 1
  fi
fi
wait_for PostgreSQL 5432

if ! answers 5672; then
  echo "== starting RabbitMQ"
  if command -v rabbitmq-server >/dev/null; then
    rabbitmq-server -detached || true
  else
    echo "error: RabbitMQ is not installed; install it (apt-get install rabbitmq-server)" >&2
    exit 1
  fi
fi
wait_for RabbitMQ 5672
