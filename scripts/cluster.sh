#!/usr/bin/env bash
# scripts/cluster.sh — owns the cluster on one machine (docs/operations.md
# "Cluster"): network namespaces fcc-* joined by veth pairs to a bridge
# inside fcc-sw (nothing is bridged, addressed or routed in the root
# namespace), addresses in 10.231.0.0/24, and on them
#   fcc-edge   10.231.0.10  nginx (the site of scripts/stack.sh) with an
#                           upstream of the two app hosts over TCP FastCGI
#   fcc-app1   10.231.0.11  faceclock serve on :9000 (workers + services)
#   fcc-app2   10.231.0.12  the same
#   fcc-db1    10.231.0.21  Patroni + PostgreSQL 15
#   fcc-db2    10.231.0.22  Patroni + PostgreSQL 15 (synchronous standby)
#   fcc-etcd   10.231.0.30  etcd, one member (Patroni's DCS)
#   fcc-client 10.231.0.40  where the tests' clients run
# It starts and stops exactly the processes whose PIDs it recorded in
# $CL_VAR/pids/ and deletes exactly the namespaces it lists above.
#
#   scripts/cluster.sh deps|up|down|status|test|bench
#   scripts/cluster.sh app-kill N | app-start N     (faceclock on appN)
#   scripts/cluster.sh db-crash N | db-start N      (Patroni + PostgreSQL on dbN)
#   scripts/cluster.sh etcd-kill | etcd-start       (the DCS)
#   scripts/cluster.sh upstream 1|2                 (the edge's app hosts)
#   scripts/cluster.sh in NS CMD...                 (run CMD in fcc-NS)
#
# Root only (namespaces). PostgreSQL, Patroni and etcd run as the system
# user faceclock (setpriv, no fork: the recorded PID is theirs); faceclock
# serve starts as root, binds and drops to it. What that user must write
# lives under $CL_DATA (/var/tmp/fcc-cluster): the PostgreSQL data
# directories, etcd's, the app hosts' state and their pgpass file.
#
# Environment: CL_VAR (var/cluster: configs, logs, pids, secrets, env),
# FC_BIN (build/release/faceclock), FACECLOCK_WORKERS (2 per app host),
# FACECLOCK_REQUEST_DEADLINE (10), API_RATE/API_BURST (5000r/s, 5000: the
# load comes from one client address with one kiosk key), PG_BIN.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
export FC_SAY_PREFIX="[cluster]"

CL_VAR=$(abs_path "${CL_VAR:-var/cluster}")
CL_DATA=/var/tmp/fcc-cluster
FC_BIN=$(abs_path "${FC_BIN:-build/release/faceclock}")
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
WORKERS=${FACECLOCK_WORKERS:-2}
DEADLINE=${FACECLOCK_REQUEST_DEADLINE:-10}
PIDS=$CL_VAR/pids
LOGS=$CL_VAR/log
SECRETS=$CL_VAR/secrets
SVC_USER=faceclock
NET=10.231.0
declare -A ADDR=([edge]=$NET.10 [app1]=$NET.11 [app2]=$NET.12 [db1]=$NET.21 [db2]=$NET.22
                 [etcd]=$NET.30 [client]=$NET.40)
HOSTS=(edge app1 app2 db1 db2 etcd client)
FC_PORT=9000
DB_URL_HOSTS="${ADDR[db1]}:5432,${ADDR[db2]}:5432"

# ------------------------------------------------------------- helpers

ns() { printf 'fcc-%s\n' "$1"; }
in_ns() { local h=$1; shift; ip netns exec "$(ns "$h")" "$@"; }

need_root() { (( EUID == 0 )) || die "the cluster needs root (network namespaces)"; }

# spawn NAME HOST CMD... — CMD in HOST's namespace, in a session of its
# own, its PID in $PIDS/NAME.pid, output in $LOGS/NAME.log.
spawn() {
    local name=$1 host=$2; shift 2
    rm -f "$PIDS/$name.pid"
    # shellcheck disable=SC2016  # expanded by that bash
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PIDS/$name.pid" \
        ip netns exec "$(ns "$host")" "$@" </dev/null >>"$LOGS/$name.log" 2>&1 &
    disown "$!"     # not this shell's job: its death is not reported here
    local i
    for (( i = 0; i < 50; i++ )); do [[ -s $PIDS/$name.pid ]] && break; sleep 0.05; done
}

# stop_pid NAME [SIGNAL] — the recorded process: SIGNAL (TERM), 20 s, KILL;
# then anything left in its process group (its session: spawn).
stop_pid() {
    local pid p
    pid=$(read_pid "$PIDS/$1.pid")
    if [[ -n $pid ]] && pid_alive "$pid"; then
        kill "-${2:-TERM}" "$pid" 2>/dev/null || true
        wait_gone "$pid" 20 || { warn "$1 (pid $pid) still running; killing it"; kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" 5 || true; }
    fi
    if [[ -n $pid ]]; then
        for p in $(pgrep -g "$pid" 2>/dev/null || true); do kill -KILL "$p" 2>/dev/null || true; done
    fi
    rm -f "$PIDS/$1.pid"
}

running() { local pid; pid=$(read_pid "$PIDS/$1.pid"); [[ -n $pid ]] && pid_alive "$pid"; }

secret() {
    mkdir -p "$SECRETS"; chmod 700 "$SECRETS"
    [[ -s $SECRETS/$1 ]] || (umask 077 && od -An -tx1 -N"${2:-32}" /dev/urandom | tr -d ' \n' >"$SECRETS/$1")
    cat "$SECRETS/$1"
}

# wait_for SECONDS WHAT CMD... — until CMD succeeds (false after SECONDS,
# WHAT said)
wait_for() {
    local secs=$1 t=$(( $1 * 10 )) what=$2; shift 2
    until "$@" >/dev/null 2>&1; do
        (( t-- > 0 )) || { warn "waited $secs s for $what"; return 1; }
        sleep 0.1
    done
}

# ------------------------------------------------------------- network

net_up() {
    local h
    ip netns list | grep -q '^fcc-sw\b' || ip netns add fcc-sw
    ip -n fcc-sw link set lo up
    ip -n fcc-sw link show br0 >/dev/null 2>&1 || ip -n fcc-sw link add br0 type bridge
    ip -n fcc-sw link set br0 up
    for h in "${HOSTS[@]}"; do
        ip netns list | grep -q "^$(ns "$h")\b" || ip netns add "$(ns "$h")"
        if ! ip -n fcc-sw link show "v-$h" >/dev/null 2>&1; then
            # made inside fcc-sw, its peer moved straight into the host's
            ip -n fcc-sw link add "v-$h" type veth peer name eth0 netns "$(ns "$h")"
            ip -n "$(ns "$h")" addr add "${ADDR[$h]}/24" dev eth0
        fi
        ip -n fcc-sw link set "v-$h" master br0 up
        ip -n "$(ns "$h")" link set lo up
        ip -n "$(ns "$h")" link set eth0 up
    done
    say "network: fcc-sw bridge, ${#HOSTS[@]} hosts in $NET.0/24"
}

net_down() {
    local h
    for h in "${HOSTS[@]}" sw; do
        ip netns list | grep -q "^$(ns "$h")\b" && ip netns del "$(ns "$h")"
    done
    return 0
}

# ---------------------------------------------------------------- etcd

etcd_start() {
    running etcd && return 0
    local a=${ADDR[etcd]}
    mkdir -p "$CL_DATA/etcd"; chown "$SVC_USER:" "$CL_DATA/etcd"; chmod 700 "$CL_DATA/etcd"
    say "etcd: one member on $a:2379 (a real deployment runs three)"
    spawn etcd etcd setpriv --reuid="$SVC_USER" --regid="$SVC_USER" --init-groups -- \
        etcd --name etcd1 --data-dir "$CL_DATA/etcd/data" \
        --listen-client-urls "http://$a:2379" --advertise-client-urls "http://$a:2379" \
        --listen-peer-urls "http://$a:2380" --initial-advertise-peer-urls "http://$a:2380" \
        --initial-cluster "etcd1=http://$a:2380" --initial-cluster-state new
    wait_for 30 etcd in_ns client curl -sf "http://$a:2379/health" ||
        { show_tail "$LOGS/etcd.log"; die "etcd: not healthy"; }
}

# ------------------------------------------------------------- patroni

patroni_conf() {
    local n=$1 a=${ADDR[$1]} dir=$CL_DATA/$1 locale=C
    locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && locale=C.UTF-8
    cat <<EOF
# written by scripts/cluster.sh up; edits are overwritten
scope: faceclock
name: $n
log:
  level: INFO
restapi:
  listen: $a:8008
  connect_address: $a:8008
etcd3:
  host: ${ADDR[etcd]}:2379
bootstrap:
  dcs:
    # the leader key lives 10 s: a primary that stops renewing it (its host
    # died) is replaced about 10 s later; loop_wait + 2 * retry_timeout <= ttl
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    # a standby more than 1 MiB behind is never promoted
    maximum_lag_on_failover: 1048576
    # COMMIT returns once the standby has the WAL: Patroni promotes only
    # the synchronous standby, so no acknowledged commit is lost. Not
    # strict: with one node left the primary goes on alone (availability),
    # a second failure in that window could lose commits (docs)
    synchronous_mode: true
    synchronous_mode_strict: false
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 5
        max_replication_slots: 5
        wal_keep_size: 128MB
        max_connections: 60
  initdb:
    - encoding: UTF8
    - locale: $locale
    - data-checksums
postgresql:
  listen: $a:5432
  connect_address: $a:5432
  data_dir: $dir/data
  bin_dir: $PG_BIN
  pgpass: $dir/pgpass
  use_unix_socket: true
  # a new standby copies the primary at once, not after a spread checkpoint
  basebackup:
    - checkpoint: fast
  authentication:
    superuser:
      username: fc_owner
      password: $(secret pg_owner 24)
    replication:
      username: replicator
      password: $(secret pg_replicator 24)
  parameters:
    unix_socket_directories: $dir/sock
    # a long export on the standby is not cancelled by the replay of a
    # vacuum on the primary (the primary keeps the rows it still reads)
    hot_standby_feedback: "on"
    unix_socket_permissions: "0700"
    shared_buffers: 64MB
    work_mem: 4MB
    timezone: UTC
    log_timezone: UTC
    log_min_messages: warning
    log_line_prefix: '%m [%p] %q%u@%d '
  pg_hba:
    - local all all trust
    - host replication replicator ${ADDR[db1]}/32 scram-sha-256
    - host replication replicator ${ADDR[db2]}/32 scram-sha-256
    - host all fc_owner $NET.0/24 scram-sha-256
    - host faceclock faceclock_app ${ADDR[app1]}/32 scram-sha-256
    - host faceclock faceclock_app ${ADDR[app2]}/32 scram-sha-256
EOF
}

db_start() {
    local n=$1 dir=$CL_DATA/$1
    running "patroni-$n" && return 0
    mkdir -p "$dir/sock"
    chown "$SVC_USER:" "$dir" "$dir/sock"; chmod 700 "$dir" "$dir/sock"
    (umask 077 && patroni_conf "$n" >"$dir/patroni.yml")
    chown "$SVC_USER:" "$dir/patroni.yml"
    say "patroni: $n on ${ADDR[$n]} (PostgreSQL in $dir/data)"
    spawn "patroni-$n" "$n" setpriv --reuid="$SVC_USER" --regid="$SVC_USER" --init-groups -- \
        env HOME="$dir" patroni "$dir/patroni.yml"
}

# patroni_role N — "primary", "replica", ... from dbN's REST API
patroni_role() {
    in_ns client curl -s --max-time 2 "http://${ADDR[$1]}:8008/patroni" 2>/dev/null |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("role",""), d.get("state",""))' 2>/dev/null || true
}
leader() {
    local n
    for n in db1 db2; do
        in_ns client curl -sf --max-time 2 -o /dev/null "http://${ADDR[$n]}:8008/primary" && { echo "$n"; return 0; }
    done
    return 1
}
sync_ok() {
    [[ $(owner_psql -tAc "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") == 1 ]]
}

owner_url() { printf 'postgresql://fc_owner@%s/%s?target_session_attrs=read-write&connect_timeout=3' "$DB_URL_HOSTS" "${1:-faceclock}"; }
app_url() { printf 'postgresql://faceclock_app@%s/faceclock?target_session_attrs=read-write' "$DB_URL_HOSTS"; }
# the workers' read connection (routes declared READS_STANDBY): a standby
# when one answers, else whichever host does
read_url() { printf 'postgresql://faceclock_app@%s/faceclock?target_session_attrs=prefer-standby' "$DB_URL_HOSTS"; }

# psql as the owner from the client host, on the read-write node
owner_psql() {
    PGPASSWORD=$(secret pg_owner 24) in_ns client "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$(owner_url "${DB:-faceclock}")" "$@"
}

primary_writable() { DB=postgres owner_psql -tAc "SELECT 1"; }

db_bootstrap() {
    wait_for 90 leader leader || { show_tail "$LOGS/patroni-db1.log"; die "patroni: no primary within 90 s"; }
    say "patroni: primary is $(leader)"
    local pw
    pw=$(secret pg_app 24)
    # Patroni answers /primary once it holds the leader key; on kept data
    # its PostgreSQL may still be finishing the promotion (read-only)
    wait_for 60 "the primary accepting writes" primary_writable ||
        { show_tail "$LOGS/patroni-$(leader).log"; die "the primary takes no writes within 60 s"; }
    if [[ -z $(DB=postgres owner_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app'") ]]; then
        DB=postgres owner_psql -c "CREATE ROLE faceclock_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$pw'"
    fi
    if [[ -z $(DB=postgres owner_psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'faceclock'") ]]; then
        DB=postgres owner_psql -c "CREATE DATABASE faceclock OWNER fc_owner ENCODING 'UTF8' TEMPLATE template0"
    fi
    say "migrations: $FC_BIN migrate through the primary"
    PGPASSWORD=$(secret pg_owner 24) FACECLOCK_MIGRATE_URL=$(owner_url) DATABASE_URL=$(app_url) \
        in_ns app1 "$FC_BIN" migrate >>"$LOGS/migrate.log" 2>&1 || { show_tail "$LOGS/migrate.log"; die "migrations failed"; }
    wait_for 60 "a synchronous standby" sync_ok || warn "no synchronous standby yet"
}

# ----------------------------------------------------------- app hosts

app_prepare() {
    local n=$1 st=$CL_DATA/$1
    running "faceclock-$n" && return 0      # up again: its state is in use
    mkdir -p "$st/state"
    chown "$SVC_USER:" "$st" "$st/state"; chmod 700 "$st"
    # libpq's password file: the workers' only copy of the app password
    (umask 077 && printf '*:5432:faceclock:faceclock_app:%s\n' "$(secret pg_app 24)" >"$st/pgpass")
    chown "$SVC_USER:" "$st/pgpass"
    if [[ $n == app1 ]]; then
        (cd / && setpriv --reuid="$SVC_USER" --regid="$SVC_USER" --init-groups -- \
            env FACECLOCK_STATE_DIR="$st/state" "$FC_BIN" ca-init) >>"$LOGS/ca-init.log" 2>&1 ||
            { show_tail "$LOGS/ca-init.log"; die "ca-init failed"; }
    else
        # one devices' CA for the whole service: app1's, copied
        rm -rf "$st/state"; cp -a "$CL_DATA/app1/state" "$st/state"
    fi
}

app_start() {
    local n=$1 st=$CL_DATA/$1
    running "faceclock-$n" && return 0
    [[ -x $FC_BIN ]] || die "no binary at $FC_BIN (make build/release/faceclock)"
    say "faceclock: $n on ${ADDR[$n]}:$FC_PORT, $WORKERS workers"
    spawn "faceclock-$n" "$n" env FACECLOCK_SOCKET="${ADDR[$n]}:$FC_PORT" \
        FACECLOCK_ALLOWED_PEERS="${ADDR[edge]}" FACECLOCK_USER="$SVC_USER" \
        FACECLOCK_WORKERS="$WORKERS" FACECLOCK_REQUEST_DEADLINE="$DEADLINE" \
        DATABASE_URL="$(app_url)" FACECLOCK_READ_DATABASE_URL="$(read_url)" PGPASSFILE="$st/pgpass" \
        FACECLOCK_ADMIN_KEY="$(secret admin_key)" FACECLOCK_DATA_KEY="$(secret data_key)" \
        FACECLOCK_STATE_DIR="$st/state" FACECLOCK_SCRYPT_LOG_N="${FACECLOCK_SCRYPT_LOG_N:-10}" \
        "$FC_BIN" serve
    wait_for 30 "faceclock $n" in_ns edge bash -c "exec 3<>/dev/tcp/${ADDR[$n]}/$FC_PORT" ||
        { show_tail "$LOGS/faceclock-$n.log"; die "faceclock on $n is not listening"; }
}

# app_kill N — kill -9 of appN's master and its workers and services, by
# the PIDs recorded now (the master's children)
app_kill() {
    local n=$1 pid kids
    pid=$(read_pid "$PIDS/faceclock-$n.pid")
    { [[ -n $pid ]] && pid_alive "$pid"; } || die "faceclock on $n is not running"
    kids=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
    echo "$pid $kids" >"$PIDS/faceclock-$n.killed"
    # shellcheck disable=SC2086
    kill -KILL "$pid" $kids 2>/dev/null || true
    wait_gone "$pid" 5 || true
    rm -f "$PIDS/faceclock-$n.pid"
    say "faceclock on $n: killed (kill -9 $pid $kids)"
}

# db_crash N — dbN's host dies: kill -9 of its Patroni and its postmaster
# (PostgreSQL's backends follow their postmaster)
db_crash() {
    local n=$1 pid pm
    pid=$(read_pid "$PIDS/patroni-$n.pid")
    pm=$(read_pid "$CL_DATA/$n/data/postmaster.pid")
    { [[ -n $pid ]] && pid_alive "$pid"; } || die "patroni on $n is not running"
    kill -KILL "$pid" 2>/dev/null || true
    [[ -n $pm ]] && pid_alive "$pm" postgres && kill -KILL "$pm" 2>/dev/null
    wait_gone "$pid" 5 || true
    [[ -z $pm ]] || wait_gone "$pm" 5 || true
    stop_pid "patroni-$n" KILL
    say "$n: crashed (kill -9 patroni $pid, postmaster ${pm:-none})"
}

# etcd_kill — the DCS dies: kill -9 of etcd (its data kept: etcd_start
# brings it back)
etcd_kill() {
    local pid
    pid=$(read_pid "$PIDS/etcd.pid")
    { [[ -n $pid ]] && pid_alive "$pid"; } || die "etcd is not running"
    stop_pid etcd KILL
    say "etcd: killed (kill -9 $pid)"
}

# ---------------------------------------------------------------- edge

edge_conf() {
    local count=${1:-2} dir=$CL_VAR/edge
    mkdir -p "$dir/nginx/tmp" "$dir/nginx/extra" "$dir/pids" "$dir/log"
    # the project's site, nchan and the mTLS port left out (docs), fastcgi_pass
    # to the upstream below
    NCHAN_MODULE=/nonexistent API_RATE=${API_RATE:-5000r/s} API_BURST=${API_BURST:-5000} \
        FACECLOCK_REQUEST_DEADLINE=$DEADLINE SITE_LISTEN="${ADDR[edge]}:80" SITE_UPSTREAM=faceclock_apps \
        SITE_STATIC="$FC_ROOT/static" "$FC_ROOT/scripts/stack.sh" site >"$dir/nginx/faceclock.conf"
    {
        echo "# written by scripts/cluster.sh; the app hosts (upstream 1|2 rewrites it)"
        echo "upstream faceclock_apps {"
        echo "    server ${ADDR[app1]}:$FC_PORT max_fails=1 fail_timeout=5s;"
        (( count < 2 )) || echo "    server ${ADDR[app2]}:$FC_PORT max_fails=1 fail_timeout=5s;"
        echo "}"
        echo "# a request goes to the other host only when it could not be sent"
        echo "# (error) or its host did not answer in time (timeout); never a POST"
        echo "# that reached a host (no non_idempotent): the client retries it,"
        echo "# with its Idempotency-Key"
        echo "fastcgi_next_upstream error timeout;"
        echo "fastcgi_next_upstream_tries 2;"
    } >"$dir/nginx/extra/upstream.conf"
    sed -e "s|@USER_LINE@|user root;|g" -e "s|@WORKERS@|${NGINX_WORKERS:-1}|g" \
        -e "s|@LOAD_MODULES@||g" -e "s|@VAR@|$dir|g" "$FC_ROOT/nginx/nginx.conf.in" >"$dir/nginx/nginx.conf"
}

edge_args() { printf '%s\n' -p "$CL_VAR/edge/nginx/" -c "$CL_VAR/edge/nginx/nginx.conf" -e "$CL_VAR/edge/log/nginx-error.log"; }

edge_start() {
    local args pid
    mapfile -t args < <(edge_args)
    pid=$(read_pid "$CL_VAR/edge/pids/nginx.pid")
    if [[ -n $pid ]] && pid_alive "$pid" nginx; then return 0; fi
    edge_conf 2
    in_ns edge nginx -t -q "${args[@]}" || die "edge: nginx configuration invalid"
    in_ns edge nginx "${args[@]}" </dev/null
    wait_for 5 "nginx pid" test -s "$CL_VAR/edge/pids/nginx.pid"
    cp "$CL_VAR/edge/pids/nginx.pid" "$PIDS/nginx.pid"
    say "edge: nginx on ${ADDR[edge]}:80 (pid $(read_pid "$PIDS/nginx.pid"))"
}

edge_upstream() {
    local args
    mapfile -t args < <(edge_args)
    edge_conf "$1"
    in_ns edge nginx -t -q "${args[@]}" || die "edge: nginx configuration invalid"
    kill -HUP "$(read_pid "$PIDS/nginx.pid")"
    sleep 1
    say "edge: upstream of $1 app host(s)"
}

edge_stop() {
    local pid
    pid=$(read_pid "$PIDS/nginx.pid")
    if [[ -n $pid ]] && pid_alive "$pid" nginx; then
        kill -QUIT "$pid"; wait_gone "$pid" 10 || kill -KILL -- "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDS/nginx.pid"
}

healthy() { in_ns client curl -sf --max-time 3 -o /dev/null "http://${ADDR[edge]}/healthz"; }

write_env() {
    {
        echo "# written by scripts/cluster.sh up; sh-quoted"
        printf 'BASE_URL=%s\n' "$(shq "http://${ADDR[edge]}")"
        printf 'FACECLOCK_ADMIN_KEY=%s\n' "$(shq "$(secret admin_key)")"
        printf 'OWNER_URL=%s\n' "$(shq "$(owner_url)")"
        printf 'PGPASSWORD=%s\n' "$(shq "$(secret pg_owner 24)")"
        printf 'PG_BIN=%s\n' "$(shq "$PG_BIN")"
        printf 'CL_VAR=%s\n' "$(shq "$CL_VAR")"
        printf 'CLUSTER=%s\n' "$(shq "$FC_ROOT/scripts/cluster.sh")"
    } >"$CL_VAR/env"
    chmod 600 "$CL_VAR/env"
}

# ------------------------------------------------------------ commands

# One cluster per machine (the namespaces' names are fixed): up, down and
# wipe leave another checkout's cluster and data alone.
check_owner() {
    if [[ -s $CL_DATA/owner && $(<"$CL_DATA/owner") != "$CL_VAR" ]]; then
        die "the cluster in $CL_DATA is $(<"$CL_DATA/owner")'s: 'scripts/cluster.sh wipe' there (or remove $CL_DATA when that checkout is gone)"
    fi
}

do_deps() {
    local missing=() p
    for p in patroni etcd-server etcd-client python3-psycopg2 python3-etcd iproute2 util-linux curl; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    (( ${#missing[@]} == 0 )) && return 0
    say "installing ${missing[*]}"
    local policy=/usr/sbin/policy-rc.d mine=0
    # Debian would start its own etcd and Patroni services: held off
    if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; mine=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" ||
        { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; }
    (( mine == 0 )) || rm -f "$policy"
}

do_up() {
    need_root
    check_owner
    mkdir -p "$CL_VAR" "$PIDS" "$LOGS" "$CL_DATA"
    chmod 755 "$CL_DATA"
    printf '%s\n' "$CL_VAR" >"$CL_DATA/owner"
    getent passwd "$SVC_USER" >/dev/null ||
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SVC_USER"
    [[ -x $FC_BIN ]] || die "no binary at $FC_BIN (make build/release/faceclock)"
    trap 'rc=$?; trap - EXIT; if (( rc != 0 )); then say "up failed; taking it down"; do_down; fi; exit $rc' EXIT
    net_up
    etcd_start
    # a new cluster: db1 bootstraps it and db2 copies it; on kept data
    # either may have been the leader at the end (a failover: db2), and a
    # former standby alone never promotes itself: both start at once and
    # whichever Patroni elects leads
    db_start db1
    [[ -f $CL_DATA/db2/data/PG_VERSION ]] && db_start db2
    wait_for 60 "a primary" leader ||
        { show_tail "$LOGS/patroni-db1.log"; show_tail "$LOGS/patroni-db2.log"; die "no primary (db1 or db2) within 60 s"; }
    db_start db2
    db_bootstrap
    app_prepare app1; app_prepare app2
    app_start app1; app_start app2
    edge_start
    write_env
    wait_for 20 healthy healthy || die "GET /healthz through the edge is not 200"
    trap - EXIT
    do_status
    say "up: http://${ADDR[edge]}/ (from the client namespace: scripts/cluster.sh in client curl ...)"
}

do_down() {
    check_owner
    edge_stop
    local n
    for n in app1 app2; do stop_pid "faceclock-$n"; done
    # the standby first: a primary stopped first would hand over to it
    local first=db2 second=db1
    [[ $(leader 2>/dev/null) == db2 ]] && { first=db1; second=db2; }
    for n in $first $second; do
        stop_pid "patroni-$n"
        local pm
        pm=$(read_pid "$CL_DATA/$n/data/postmaster.pid")
        if [[ -n $pm ]] && pid_alive "$pm" postgres; then kill -QUIT "$pm"; wait_gone "$pm" 10 || true; fi
    done
    stop_pid etcd
    net_down
    say "down (data kept in $CL_DATA; 'scripts/cluster.sh wipe' removes it)"
}

do_wipe() {
    do_down
    rm -rf "$CL_DATA" "$CL_VAR"   # do_down checked that they are ours
    say "wiped $CL_DATA and $CL_VAR"
}

do_status() {
    local name n rc=0
    for name in etcd patroni-db1 patroni-db2 faceclock-app1 faceclock-app2 nginx; do
        if running "$name"; then printf '%-16s running (pid %s)\n' "$name" "$(read_pid "$PIDS/$name.pid")"
        else printf '%-16s stopped\n' "$name"; rc=3; fi
    done
    if ip netns list | grep -q '^fcc-client\b'; then
        for n in db1 db2; do printf '%-16s %s\n' "$n" "$(patroni_role "$n")"; done
        [[ $rc != 0 ]] || printf '%-16s %s\n' sync "$(owner_psql -tAc "SELECT string_agg(application_name || ' ' || sync_state, ', ') FROM pg_stat_replication" 2>/dev/null)"
    fi
    return "$rc"
}

# the test and the bench: the cluster up (left up when it was), the python
# client run in the client namespace, the cluster down when this started it.
# The test then takes the cluster down with its data kept (after its
# failover the leader is the other host) and brings it up again: scans
# must succeed on it (tests/cluster/run.py --restarted)
with_cluster() {
    local mine=0 script=$1
    # started here: a new cluster, from nothing (its data is kept after
    # for a look, until the next run or a wipe)
    running nginx || { do_wipe >/dev/null; do_up; mine=1; }
    local rc=0
    in_ns client env PYTHONUNBUFFERED=1 CL_ENV="$CL_VAR/env" python3 "$@" || rc=$?
    if (( rc == 0 )) && [[ $script == tests/cluster/run.py ]]; then
        say "restart on kept data: down (the primary was $(leader || echo none)), then up"
        do_down
        do_up
        in_ns client env PYTHONUNBUFFERED=1 CL_ENV="$CL_VAR/env" python3 "$script" --restarted || rc=$?
    fi
    (( mine == 0 )) || do_down
    return "$rc"
}

main() {
    case ${1:-} in
        deps)   do_deps ;;
        up)     do_up ;;
        down)   need_root; do_down ;;
        wipe)   need_root; do_wipe ;;
        status) do_status ;;
        app-kill)  app_kill "app${2:?}" ;;
        app-start) app_start "app${2:?}" ;;
        db-crash)  db_crash "db${2:?}" ;;
        db-start)  db_start "db${2:?}" ;;
        etcd-kill)  etcd_kill ;;
        etcd-start) etcd_start ;;
        upstream)  edge_upstream "${2:?}" ;;
        leader)    leader ;;
        sync-ok)   sync_ok ;;
        in)     shift; h=${1:?}; shift; in_ns "$h" "$@" ;;
        test)   need_root; do_deps; with_cluster tests/cluster/run.py "${@:2}" ;;
        bench)  need_root; do_deps; with_cluster tests/cluster/bench.py "${@:2}" ;;
        *) echo "usage: $0 deps|up|down|wipe|status|test|bench|app-kill N|app-start N|db-crash N|db-start N|etcd-kill|etcd-start|upstream 1|2|in HOST CMD..." >&2; exit 2 ;;
    esac
}

main "$@"
