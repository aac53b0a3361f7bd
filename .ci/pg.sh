#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and CI: `pg.sh start DIR [PORT]` creates and starts one in DIR on a
# loopback port and prints its connection string; `pg.sh stop DIR` stops it and removes DIR. Used by .ci/run (which
# exports EXECUTUS_TEST_POSTGRES) and by hand: `eval "$(.ci/pg.sh start /tmp/pg)"`. fsync is off (a test cluster) unless
# PG_FSYNC=on (the benchmarks set it, so PostgreSQL commits are as durable as the SQLite ones they are compared with).
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop DIR [PORT]}
dir=${2:?usage: pg.sh start|stop DIR [PORT]}
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$bin/initdb" ] || { echo "pg.sh: no PostgreSQL server binaries (install the postgresql-15 Debian package)" >&2; exit 1; }
# Why: initdb refuses to run as root; the Debian package creates the 'postgres' system user for exactly this.
as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    port=${3:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as "$bin/initdb" -D "$dir/data" -U executus --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=${PG_FSYNC:-off} -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    as "$bin/createdb" -h 127.0.0.1 -p "$port" -U executus executus
    echo "export EXECUTUS_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=executus;Database=executus'"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "pg.sh: unknown command $cmd" >&2; exit 2 ;;
esac
