#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: `pg_cluster.sh start DIR` runs initdb into DIR and
# starts the server listening only on a unix socket in DIR; `pg_cluster.sh stop DIR` stops it and
# removes DIR. The conninfo is "host=DIR user=pickverify dbname=postgres" (trust authentication,
# nobody but local users of this machine can reach the socket).
#
# Replication, for the failover tests: `pg_cluster.sh standby PRIMARY DIR` makes DIR a streaming
# standby of the running cluster PRIMARY (pg_basebackup over PRIMARY's socket) and makes it
# PRIMARY's synchronous standby, so a commit returns only once it is on both servers;
# `pg_cluster.sh kill DIR` stops a server the way a crash does (immediate: no checkpoint, clients
# cut off); `pg_cluster.sh promote DIR` turns a standby into the primary; `pg_cluster.sh restart DIR`
# starts a stopped or killed cluster again.
#
# initdb and postgres refuse to run as root: as root, the cluster belongs to an unprivileged user
# (PICKVERIFY_PG_USER, default postgres, which Debian's postgresql package creates) via runuser.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [[ -z $action || -z $dir ]]; then
  echo "usage: $0 start|stop|kill|restart|promote DIR, or $0 standby PRIMARY DIR" >&2
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

server_options() { # DIR
  echo "-c listen_addresses='' -c unix_socket_directories='$1' -c max_connections=300 -c shared_buffers=64MB"
}

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
    -o "$(server_options "$dir")" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "pg_cluster: PostgreSQL running on host=$dir user=pickverify dbname=postgres"
  ;;
stop)
  if [[ -f $dir/data/postmaster.pid ]]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  fi
  rm -rf "$dir"
  ;;
standby)
  primary=$dir
  dir=${3:-}
  [[ -n $dir && -f $primary/data/postmaster.pid ]] || { echo "usage: $0 standby PRIMARY DIR (PRIMARY running)" >&2; exit 2; }
  rm -rf "$dir"
  mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    chown "${PICKVERIFY_PG_USER:-postgres}" "$dir"
  fi
  # -R writes standby.signal and primary_conninfo; the standby's name is what the primary waits for.
  as_owner "$bindir/pg_basebackup" -h "$primary" -U pickverify -D "$dir/data" -R -X stream -c fast \
    -d "host=$primary user=pickverify application_name=standby" >"$dir/basebackup.log" 2>&1 ||
    { cat "$dir/basebackup.log" >&2; exit 1; }
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(server_options "$dir")" start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  as_owner "$bindir/psql" -X -q -h "$primary" -U pickverify -d postgres \
    -c "ALTER SYSTEM SET synchronous_standby_names = 'standby'" -c "SELECT pg_reload_conf()" >/dev/null
  # Until the standby streams, a commit on the primary would wait: wait for it here instead.
  for _ in $(seq 1 100); do
    state=$(as_owner "$bindir/psql" -X -A -t -q -h "$primary" -U pickverify -d postgres \
      -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'")
    [[ $state == sync ]] && break
    sleep 0.1
  done
  [[ $state == sync ]] || { echo "pg_cluster: the standby in $dir does not stream synchronously" >&2; exit 1; }
  echo "pg_cluster: synchronous standby of $primary running on host=$dir"
  ;;
kill)
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
  ;;
restart)
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(server_options "$dir")" start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  ;;
promote)
  as_owner "$bindir/pg_ctl" -D "$dir/data" -w -t 60 promote >/dev/null
  ;;
*)
  echo "usage: $0 start|stop|kill|restart|promote DIR, or $0 standby PRIMARY DIR" >&2
  exit 2
  ;;
esac
