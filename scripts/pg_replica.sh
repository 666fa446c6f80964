#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL primary, on loopback (docs/postgresql.md).
#
#   scripts/pg_replica.sh start    # pg_basebackup into var/pg-replica (first time), start on port 5433
#   scripts/pg_replica.sh stop     # stop it (reads fall back to the primary)
#   scripts/pg_replica.sh status   # prints "streaming <lag seconds>" or "down"
#   scripts/pg_replica.sh destroy  # stop and delete the replica's data directory
#
# Then: DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/<same database name as the primary>
# Environment: PRIMARY_PORT (5432), REPLICA_PORT (5433), REPLICA_DIR (var/pg-replica).
# The primary needs a pg_hba.conf line admitting replication from 127.0.0.1; this script adds
# "host replication postgres 127.0.0.1/32 trust" when it is missing (a local test cluster only).
set -euo pipefail
cd "$(dirname "$0")/.."

PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=$(realpath -m "${REPLICA_DIR:-var/pg-replica}")
PSQL=(psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -X -q -tA)
BIN=$(dirname "$(realpath "$(command -v pg_basebackup)")")
if [ -d /usr/lib/postgresql ]; then  # Debian: pg_ctl lives beside the server, not on PATH
  version=$("${PSQL[@]}" -c "SHOW server_version_num" | cut -c1-2)
  BIN=/usr/lib/postgresql/$version/bin
fi

as_owner() {  # the server refuses to run as root
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

allow_replication() {
  if psql "host=127.0.0.1 port=$PRIMARY_PORT user=postgres replication=true" -X -q -c "IDENTIFY_SYSTEM" >/dev/null 2>&1; then
    return
  fi
  hba=$("${PSQL[@]}" -c "SHOW hba_file")
  echo "host replication postgres 127.0.0.1/32 trust  # jixing scripts/pg_replica.sh" >> "$hba"
  "${PSQL[@]}" -c "SELECT pg_reload_conf()" >/dev/null
}

start() {
  allow_replication
  if [ ! -f "$REPLICA_DIR/PG_VERSION" ]; then
    mkdir -p "$(dirname "$REPLICA_DIR")"
    mkdir -p "$REPLICA_DIR"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$REPLICA_DIR" && chmod 700 "$REPLICA_DIR"; fi
    # the parent directories must be traversable by the server's user
    if [ "$(id -u)" -eq 0 ]; then chmod o+x "$(dirname "$REPLICA_DIR")"; fi
    as_owner pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$REPLICA_DIR" \
      --write-recovery-conf --wal-method=stream --checkpoint=fast --no-sync
  fi
  # Debian keeps the cluster's configuration in /etc: the copy gets files of its own.
  if [ ! -f "$REPLICA_DIR/postgresql.conf" ]; then
    printf "%s\n" "# jixing loopback replica (scripts/pg_replica.sh)" > "$REPLICA_DIR/postgresql.conf"
    printf "%s\n" "local all all trust" "host all all 127.0.0.1/32 trust" > "$REPLICA_DIR/pg_hba.conf"
    : > "$REPLICA_DIR/pg_ident.conf"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$REPLICA_DIR"/{postgresql.conf,pg_hba.conf,pg_ident.conf}; fi
  fi
  if as_owner "$BIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; then
    echo "replica already running on port $REPLICA_PORT"; return
  fi
  as_owner "$BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/replica.log" -w -t 60 start \
    -o "-p $REPLICA_PORT -k /tmp -c listen_addresses=127.0.0.1 -c hot_standby=on -c max_standby_streaming_delay=5s -c hot_standby_feedback=on"
  for _ in $(seq 60); do
    [ "$(status)" != down ] && break
    sleep 1
  done
  echo "replica on 127.0.0.1:$REPLICA_PORT: $(status)"
}

stop() {
  if [ -f "$REPLICA_DIR/PG_VERSION" ]; then
    as_owner "$BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

status() {
  psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -X -q -tA -F ' ' -c \
    "SELECT (SELECT status FROM pg_stat_wal_receiver), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
     ELSE round(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::numeric, 1) END" 2>/dev/null || echo down
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  destroy) stop; rm -rf "$REPLICA_DIR" ;;
  *) echo "usage: $0 start|stop|status|destroy" >&2; exit 2 ;;
esac
