#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: `pg_cluster.sh start DIR` runs initdb into DIR and
# starts the server listening only on a unix socket in DIR; `pg_cluster.sh stop DIR` stops it and
# removes DIR. The conninfo is "host=DIR user=pickverify dbname=postgres" (trust authentication,
# nobody but local users of this machine can reach the socket).
#
# initdb and postgres refuse to run as root: as root, the cluster belongs to an unprivileged user
# (PICKVERIFY_PG_USER, default postgres, which Debian's postgresql package creates) via runuser.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [[ -z $action || -z $dir ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

bindir=${PICKVERIFY_PG_BINDIR:-}
if [[ -z $bindir ]]; then
  for candidate in /usr/lib/postgresql/*/bin; do
    [[ -x $candidate/pg_ctl ]] && bindir=$candidate
  done
fi
if [[ -z $bindir || ! -x $bindir/pg_ctl ]]; then
  echo "pg_cluster: no PostgreSQL server binaries (pg_ctl) found; install Debian's postgresql package" \
       "or set PICKVERIFY_PG_BINDIR" >&2
  exit 1
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "${PICKVERIFY_PG_USER:-postgres}" -- "$@"
  else
    "$@"
  fi
}

# The cluster's owner may not be able to read the caller's working directory.
cd /

case $action in
start)
  if [[ -f $dir/data/postmaster.pid ]]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    chown "${PICKVERIFY_PG_USER:-postgres}" "$dir"
  fi
  as_owner "$bindir/initdb" -D "$dir/data" -U pickverify --auth=trust -E UTF8 --locale=C.UTF-8 \
    --no-instructions >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  # Unix socket only (no TCP port to clash with another cluster on this machine), in DIR.
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=300 -c shared_buffers=64MB" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "pg_cluster: PostgreSQL running on host=$dir user=pickverify dbname=postgres"
  ;;
stop)
  if [[ -f $dir/data/postmaster.pid ]]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
