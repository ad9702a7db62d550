#!/usr/bin/env bash
# scripts/stack.sh — owns one private faceclock stack under $FC_VAR:
# PostgreSQL (private cluster, unix socket only), `faceclock serve` (the
# FastCGI pool), nginx (127.0.0.1:$PORT) and the MQTT broker mosquitto
# (127.0.0.1:$MQTT_PORT, when installed). It starts and stops exactly the
# processes whose PIDs it recorded in $FC_VAR/pids/.
#
#   scripts/stack.sh start|stop|status|pg-stop|pg-start|wipe
#   scripts/stack.sh revive faceclock|nginx|postgres|mosquitto
#   scripts/stack.sh site >/etc/nginx/sites-available/faceclock
#
# `revive` starts one piece of a started stack again after it died, with
# the settings `start` wrote to $FC_VAR/env (scripts/run.sh's supervisor
# calls it). A piece stopped on purpose (stop, pg-stop) is marked so in
# $FC_VAR/pids/<piece>.stopped until it is started again: the supervisor
# leaves such a piece alone.
#
# Environment (all optional):
#   FC_VAR              state directory (default var/run; relative to the repo)
#   PORT                nginx listens on 127.0.0.1:$PORT (default 8080)
#   FC_BIN              faceclock binary (default build/release/faceclock)
#   LOGIN_RATE          nginx limit on /api/auth/login per address (10r/s),
#                       and on /api/iot/devices/provision
#   LOGIN_BURST         requests over that rate let through at once (20)
#   API_RATE            nginx limit on the rest of /api/ per address, for
#                       requests without a credential or with a key (10r/s;
#                       nginx/faceclock.conf.in says which are counted)
#   API_BURST           requests over that rate let through at once (50)
#   NGINX_WORKERS       nginx worker processes (default 1)
#   FACECLOCK_WORKERS   FastCGI workers (the binary's default: cores)
#   FACECLOCK_ADMIN_KEY system administrator key; default: generated once
#                       into $FC_VAR/admin_key and reused
#   FACECLOCK_DATA_KEY  key of the biometric data at rest (64 hex); default:
#                       generated once into $FC_VAR/data_key and reused
#   FACECLOCK_SOCKET    FastCGI socket: unix path or host:port
#                       (default $FC_VAR/faceclock.sock)
#   FACECLOCK_SOCKET_GROUP  group of the unix socket (mode 0660): default
#                       the group nginx runs as here, the caller's
#   TLS_PORT            the mTLS port, nginx on 127.0.0.1:$TLS_PORT (HTTPS, a
#                       client certificate of the devices' CA optional;
#                       default PORT + 5; 0: none). Its server certificate
#                       is made once into $FC_VAR/tls/ (openssl, self-signed)
#   MQTT_PORT           mosquitto on 127.0.0.1:$MQTT_PORT (default PORT + 7; 0:
#                       none, nor when mosquitto is not installed: devices
#                       then poll). Anonymous access off; its password and
#                       ACL files are $FC_STATE/mqtt/passwd and acl, written
#                       by faceclock's mqtt service from the device table
#                       (docs/iot.md "MQTT push"); its config is
#                       $FC_VAR/mosquitto.conf. The service's own broker
#                       password is generated once into $FC_VAR/mqtt_secret
#   FACECLOCK_STATE_DIR what the service keeps (the devices' CA, its CRL):
#                       default $FC_VAR/state, made by `faceclock ca-init`
#                       before nginx starts
#   FACECLOCK_REQUEST_DEADLINE  seconds a request may take (30): the
#                       binary's watchdog and nginx's fastcgi_read_timeout
#   DATABASE_URL        an existing PostgreSQL: then no private cluster
#   FACECLOCK_MIGRATE_URL  conninfo migrations run with (default: the owner)
#   PG_BIN              PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#   PG_STATEMENTS       1: the private cluster preloads pg_stat_statements
#                       (tracking nothing until a client sets
#                       pg_stat_statements.track: scripts/bench.sh cost)
#   any other FACECLOCK_* reaches the binary unchanged.
#
# After `start`, $FC_VAR/env holds sh-quoted KEY='value' lines for clients:
# BASE_URL PORT FACECLOCK_ADMIN_KEY FACECLOCK_DATA_KEY DATABASE_URL FACECLOCK_MIGRATE_URL FC_VAR
# FC_BIN PG_BIN FC_SOCKET RUN_AS FC_LOG FC_STACK FC_DB_MODE TLS_URL (empty
# without an mTLS port) TLS_SERVER_CERT FC_STATE MQTT_URL (empty without a
# broker) FACECLOCK_MQTT_SECRET.
#
# As root, PostgreSQL (which refuses root) runs as the system user
# `faceclock`, and `faceclock serve` gets FACECLOCK_USER=faceclock to drop
# to after binding. When that user cannot reach $FC_VAR (a clone under
# /root, say) or the socket path would be too long, the cluster lives in
# /var/tmp/faceclock-<hash of $FC_VAR>/pg and $FC_VAR/pg links to it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
FC_SAY_PREFIX="[stack]"

FC_VAR=$(abs_path "${FC_VAR:-var/run}")
PORT=${PORT:-8080}
TLS_PORT=${TLS_PORT:-$((PORT + 5))}
MQTT_PORT=${MQTT_PORT:-$((PORT + 7))}
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
FC_BIN=$(abs_path "${FC_BIN:-build/release/faceclock}")
LOGIN_RATE=${LOGIN_RATE:-10r/s}
LOGIN_BURST=${LOGIN_BURST:-20}
API_RATE=${API_RATE:-10r/s}
API_BURST=${API_BURST:-50}
NGINX_WORKERS=${NGINX_WORKERS:-1}
REQUEST_DEADLINE=${FACECLOCK_REQUEST_DEADLINE:-30}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
NGINX=${NGINX:-/usr/sbin/nginx}
# live events (docs/operations.md "Live events"): nginx's nchan module, when
# installed, and the unix socket of its internal publisher location
NCHAN_MODULE=${NCHAN_MODULE:-/usr/lib/nginx/modules/ngx_nchan_module.so}
NCHAN_PUB=$FC_VAR/nchan.sock
# the mTLS port's server certificate and key (made once), and the state
# directory: the devices' CA (ca/cert.pem) and its CRL (crl.pem)
TLS_DIR=$FC_VAR/tls
FC_STATE=$(abs_path "${FACECLOCK_STATE_DIR:-$FC_VAR/state}")

PIDS=$FC_VAR/pids
LOGS=$FC_VAR/log
ENV_FILE=$FC_VAR/env
SVC_USER=faceclock
RUN_AS=""
(( EUID == 0 )) && RUN_AS=$SVC_USER

PG_OWNER=fc_owner
PG_APP=faceclock_app
PG_DB=faceclock

# ---------------------------------------------------------------- helpers

# mark_stopped PIECE — PIECE is being stopped on purpose: the supervisor
# (scripts/run.sh) must not start it again; its start removes the mark.
mark_stopped() {
    [[ -d $PIDS ]] && : >"$PIDS/$1.stopped"
    return 0
}

# reap_group PIECE COMM [SIGNAL] — after PIECE's recorded process died: the
# processes it leaves in its process group (workers of a killed faceclock
# master or nginx master; both lead a group of their own) are sent SIGNAL
# (faceclock's workers need none: they get SIGTERM when their master dies),
# given 5 s to finish and go, and then killed. COMM guards against a
# recycled PID.
reap_group() {
    local pid p left t
    pid=$(read_pid "$PIDS/$1.pid")
    [[ -n $pid ]] || return 0
    pid_alive "$pid" && die "$1: pid $pid is still running"
    if [[ -n ${3:-} ]]; then
        for p in $(pgrep -g "$pid" 2>/dev/null || true); do
            if pid_alive "$p" "$2"; then kill "-$3" "$p" 2>/dev/null || true; fi
        done
    fi
    for (( t = 0; t < 50; t++ )); do
        left=""
        for p in $(pgrep -g "$pid" 2>/dev/null || true); do
            pid_alive "$p" "$2" && left+=" $p"
        done
        [[ -n $left ]] || return 0
        sleep 0.1
    done
    warn "$1: processes left by the dead pid $pid:$left; killing them"
    for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
}

# as_pg CMD... — run CMD as the user PostgreSQL runs as, from /.
as_pg() {
    if [[ -n $RUN_AS ]]; then
        (cd / && runuser -u "$RUN_AS" -- "$@")
    else
        (cd / && "$@")
    fi
}

ensure_service_user() {
    [[ -n $RUN_AS ]] || return 0
    getent passwd "$SVC_USER" >/dev/null && return 0
    say "creating system user $SVC_USER"
    useradd --system --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$SVC_USER" ||
        die "could not create the system user $SVC_USER"
}

# The pg directory: $FC_VAR/pg, or a symlink to /var/tmp/faceclock-<hash>/pg.
# Sets PG_DIR (the real path), PG_DATA, PG_SOCK.
pg_paths() {
    local link=$FC_VAR/pg
    if [[ -L $link ]]; then
        PG_DIR=$(readlink -f "$link")
    else
        PG_DIR=$link
    fi
    PG_DATA=$PG_DIR/data
    PG_SOCK=$PG_DIR/sock
}

pg_prepare_dirs() {
    local link=$FC_VAR/pg target base sockpath
    mkdir -p "$FC_VAR"
    if [[ ! -e $link && ! -L $link ]]; then
        sockpath="$FC_VAR/pg/sock/.s.PGSQL.5432"
        if { [[ -n $RUN_AS ]] && ! runuser -u "$RUN_AS" -- test -x "$FC_VAR" 2>/dev/null; } ||
           (( ${#sockpath} > 100 )); then
            base=/var/tmp/faceclock-$(printf '%s' "$FC_VAR" | sha256sum | cut -c1-12)
            target=$base/pg
            say "postgres: $FC_VAR not reachable by ${RUN_AS:-the server} (or path too long); cluster in $target"
            mkdir -p "$base"
            [[ -O $base && ! -L $base ]] || die "$base exists but is not owned by $(id -un); remove it"
            chmod 755 "$base"
            mkdir -p "$target"
            ln -s "$target" "$link"
        else
            mkdir -p "$link"
        fi
    fi
    pg_paths
    mkdir -p "$PG_DIR" "$PG_SOCK"
    if [[ -n $RUN_AS ]]; then
        chown "$RUN_AS:" "$PG_DIR" "$PG_SOCK"
        [[ -d $PG_DATA ]] && chown "$RUN_AS:" "$PG_DATA"
    fi
    chmod 700 "$PG_DIR" "$PG_SOCK"
    as_pg test -w "$PG_DIR" || die "postgres: ${RUN_AS:-$(id -un)} cannot write $PG_DIR"
}

owner_url() { printf 'host=%s dbname=%s user=%s' "$PG_SOCK" "$PG_DB" "$PG_OWNER"; }
app_url()   { printf 'host=%s dbname=%s user=%s' "$PG_SOCK" "$PG_DB" "$PG_APP"; }

psql_owner() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -U "$PG_OWNER" "$@"
}

# Is the database the private cluster? DATABASE_URL from the environment
# means an external one, unless it is the value this stack wrote itself.
db_is_private() {
    [[ -z ${DATABASE_URL:-} ]] && return 0
    [[ -r $ENV_FILE ]] || return 1
    local mode url
    mode=$(sed -n "s/^FC_DB_MODE='\(.*\)'$/\1/p" "$ENV_FILE")
    url=$(sed -n "s/^DATABASE_URL='\(.*\)'$/\1/p" "$ENV_FILE")
    [[ $mode == private && $url == "$DATABASE_URL" ]]
}

# -------------------------------------------------------------- postgres

pg_running() {
    local pid
    pid=$(read_pid "$PIDS/postgres.pid")
    [[ -n $pid ]] && pid_alive "$pid" postgres
}

pg_init() {
    [[ -f $PG_DATA/PG_VERSION ]] && return 0
    local locale=C
    locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && locale=C.UTF-8
    say "postgres: initdb $PG_DATA (owner $PG_OWNER, $locale)"
    if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_OWNER" --auth=trust \
            -E UTF8 --locale="$locale" >"$LOGS/initdb.log" 2>&1; then
        show_tail "$LOGS/initdb.log"
        die "postgres: initdb failed"
    fi
    printf "\n# faceclock: settings written by scripts/stack.sh at each start\ninclude_if_exists = 'faceclock.conf'\n" \
        >>"$PG_DATA/postgresql.conf"
}

pg_write_conf() {
    cat >"$PG_DATA/faceclock.conf" <<EOF
# written by scripts/stack.sh start; edits are overwritten
listen_addresses = ''
unix_socket_directories = '$PG_SOCK'
unix_socket_permissions = 0700
max_connections = 60
shared_buffers = 32MB
work_mem = 4MB
maintenance_work_mem = 32MB
effective_cache_size = 256MB
fsync = on
timezone = 'UTC'
log_timezone = 'UTC'
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
    [[ ${PG_STATEMENTS:-0} != 1 ]] ||
        printf "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = none\n" \
            >>"$PG_DATA/faceclock.conf"
    [[ -z $RUN_AS ]] || chown "$RUN_AS:" "$PG_DATA/faceclock.conf"
}

pg_start() {
    pg_prepare_dirs
    ln -sfn "$PG_DIR/postgres.log" "$LOGS/postgres.log"
    if pg_running; then
        say "postgres: already running (pid $(read_pid "$PIDS/postgres.pid"))"
        return 0
    fi
    pg_init
    pg_write_conf
    say "postgres: starting (socket $PG_SOCK)"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/postgres.log" \
            -w -t 60 -s start >"$LOGS/pg_ctl.log" 2>&1; then
        cat "$LOGS/pg_ctl.log" >&2
        show_tail "$PG_DIR/postgres.log"
        die "postgres: did not start"
    fi
    local pid
    pid=$(read_pid "$PG_DATA/postmaster.pid")
    [[ -n $pid ]] || die "postgres: no pid in $PG_DATA/postmaster.pid"
    echo "$pid" >"$PIDS/postgres.pid"
    "$PG_BIN/pg_isready" -q -h "$PG_SOCK" -d postgres -t 15 ||
        { show_tail "$PG_DIR/postgres.log"; die "postgres: not accepting connections"; }
    rm -f "$PIDS/postgres.stopped"
    say "postgres: ready (pid $pid)"
}

pg_bootstrap() {
    if [[ -z $(psql_owner -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_APP'") ]]; then
        say "postgres: creating role $PG_APP"
        psql_owner -d postgres -c "CREATE ROLE $PG_APP LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" ||
            die "postgres: could not create role $PG_APP"
    fi
    if [[ -z $(psql_owner -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") ]]; then
        say "postgres: creating database $PG_DB"
        psql_owner -d postgres -c "CREATE DATABASE $PG_DB OWNER $PG_OWNER ENCODING 'UTF8' TEMPLATE template0" ||
            die "postgres: could not create database $PG_DB"
    fi
}

pg_stop() {
    local pid
    mark_stopped postgres
    pid=$(read_pid "$PIDS/postgres.pid")
    if [[ -n $pid ]] && pid_alive "$pid" postgres; then
        say "postgres: stopping (pid $pid)"
        pg_paths
        if [[ -f $PG_DATA/postmaster.pid ]] &&
           as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 -s stop >/dev/null 2>&1; then
            :
        else
            kill -INT "$pid" 2>/dev/null || true
        fi
        wait_gone "$pid" 30 || { warn "postgres (pid $pid) still running after 30 s; sending SIGQUIT"; kill -QUIT "$pid" 2>/dev/null || true; wait_gone "$pid" 5 || true; }
    fi
    rm -f "$PIDS/postgres.pid"
}

# ------------------------------------------------------------- faceclock

# FC_SOCKET: FACECLOCK_SOCKET (a unix path, or host:port) or the default.
fc_socket_choose() {
    if [[ -z ${FACECLOCK_SOCKET:-} ]]; then
        FC_SOCKET=$FC_VAR/faceclock.sock
    elif [[ $FACECLOCK_SOCKET == /* || $FACECLOCK_SOCKET != *:* ]]; then
        FC_SOCKET=$(abs_path "$FACECLOCK_SOCKET")
    else
        FC_SOCKET=$FACECLOCK_SOCKET
    fi
    [[ $FC_SOCKET != /* ]] || (( ${#FC_SOCKET} < 100 )) ||
        die "socket path too long for a unix socket: $FC_SOCKET (set FACECLOCK_SOCKET to a shorter path)"
}

fc_socket_ready() {
    if [[ $FC_SOCKET == /* ]]; then
        [[ -S $FC_SOCKET ]]
    else
        (exec 3<>"/dev/tcp/${FC_SOCKET%:*}/${FC_SOCKET##*:}") 2>/dev/null
    fi
}

fc_start() {
    local pid
    pid=$(read_pid "$PIDS/faceclock.pid")
    if [[ -n $pid ]] && pid_alive "$pid"; then
        say "faceclock: already running (pid $pid)"
        return 0
    fi
    [[ -x $FC_BIN ]] || die "faceclock: no binary at $FC_BIN (build it: make ${FC_BIN#"$FC_ROOT"/})"
    [[ $FC_SOCKET == /* && -S $FC_SOCKET ]] && rm -f "$FC_SOCKET"
    # a dead master's PID (revive) must not pass for the new one's below
    rm -f "$PIDS/faceclock.pid"
    say "faceclock: starting $FC_BIN serve (socket $FC_SOCKET${FACECLOCK_WORKERS:+, $FACECLOCK_WORKERS workers})"
    (
        export FACECLOCK_SOCKET=$FC_SOCKET DATABASE_URL=$APP_URL FACECLOCK_ADMIN_KEY=$ADMIN_KEY FACECLOCK_DATA_KEY=$DATA_KEY
        export FACECLOCK_STATE_DIR=$FC_STATE
        if [[ -n $MQTT_URL ]]; then
            export FACECLOCK_MQTT_URL=$MQTT_URL FACECLOCK_MQTT_SECRET=$MQTT_SECRET
        fi
        [[ -z $RUN_AS ]] || export FACECLOCK_USER=${FACECLOCK_USER:-$RUN_AS}
        # nginx runs as the caller (as root: `user root;`): it connects
        # through the socket's group
        export FACECLOCK_SOCKET_GROUP=${FACECLOCK_SOCKET_GROUP:-$(id -gn)}
        [[ ! -f $NCHAN_MODULE ]] || export FACECLOCK_NCHAN_PUB=${FACECLOCK_NCHAN_PUB:-$NCHAN_PUB}
        unset FACECLOCK_MIGRATE_URL
        cd "$FC_ROOT"
        exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PIDS/faceclock.pid" \
            "$FC_BIN" serve </dev/null >>"$LOGS/faceclock.log" 2>&1
    ) &
    local i
    for (( i = 0; i < 300; i++ )); do
        pid=$(read_pid "$PIDS/faceclock.pid")
        if [[ -n $pid ]] && ! pid_alive "$pid"; then
            show_tail "$LOGS/faceclock.log"
            die "faceclock: exited during start-up"
        fi
        [[ -n $pid ]] && fc_socket_ready && break
        sleep 0.1
    done
    fc_socket_ready || { show_tail "$LOGS/faceclock.log"; die "faceclock: socket $FC_SOCKET did not appear within 30 s"; }
    rm -f "$PIDS/faceclock.stopped"
    say "faceclock: listening (pid $pid)"
}

fc_stop() {
    local pid left p
    mark_stopped faceclock
    pid=$(read_pid "$PIDS/faceclock.pid")
    if [[ -n $pid ]] && pid_alive "$pid"; then
        say "faceclock: stopping (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" 20; then
            warn "faceclock (pid $pid) did not drain within 20 s; killing its process group"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" 5 || true
        fi
        # Workers share the master's process group (setsid at start).
        left=""
        for p in $(pgrep -g "$pid" 2>/dev/null || true); do
            pid_alive "$p" && left+=" $p"
        done
        if [[ -n $left ]]; then
            warn "faceclock: workers left after the master exited:$left; killing them"
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$PIDS/faceclock.pid"
    [[ ${FC_SOCKET:-} == /* && -S $FC_SOCKET ]] && rm -f "$FC_SOCKET"
    return 0
}

# ------------------------------------------------------------ state, TLS

# The state directory, reachable and writable by the user faceclock runs
# as (the workers sign certificates and write the CRL): like the cluster,
# under /var/tmp/faceclock-<hash> with a link when $FC_VAR is not
# reachable by that user. Then the devices' CA in it (faceclock ca-init,
# as that user) and, with an mTLS port, its server certificate.
state_prepare() {
    if [[ ! -e $FC_STATE && ! -L $FC_STATE ]]; then
        if [[ -n $RUN_AS ]] && ! runuser -u "$RUN_AS" -- test -x "$(dirname "$FC_STATE")" 2>/dev/null; then
            local base
            base=/var/tmp/faceclock-$(printf '%s' "$FC_VAR" | sha256sum | cut -c1-12)
            mkdir -p "$base/state"
            [[ -O $base && ! -L $base ]] || die "$base exists but is not owned by $(id -un); remove it"
            chmod 755 "$base"
            ln -s "$base/state" "$FC_STATE"
        else
            mkdir -p "$FC_STATE"
        fi
    fi
    [[ -z $RUN_AS ]] || chown "$RUN_AS:" "$(readlink -f "$FC_STATE")"
    local out=$LOGS/ca-init.log
    if ! if [[ -n $RUN_AS ]]; then
            (cd / && runuser -u "$RUN_AS" -- env FACECLOCK_STATE_DIR="$FC_STATE" "$FC_BIN" ca-init)
         else
            FACECLOCK_STATE_DIR=$FC_STATE "$FC_BIN" ca-init
         fi >"$out" 2>&1; then
        cat "$out" >&2
        die "the devices' CA could not be made under $FC_STATE"
    fi
    (( TLS_PORT == 0 )) && return 0
    [[ -s $TLS_DIR/server.crt && -s $TLS_DIR/server.key ]] && return 0
    command -v openssl >/dev/null || die "openssl not found (run scripts/deps.sh): the mTLS port needs a server certificate"
    say "tls: a self-signed server certificate for 127.0.0.1 into $TLS_DIR"
    mkdir -p "$TLS_DIR"
    (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
        -subj "/CN=faceclock 127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.crt" >"$LOGS/tls.log" 2>&1) ||
        { cat "$LOGS/tls.log" >&2; die "tls: openssl could not make the server certificate"; }
}

# ----------------------------------------------------------------- nginx

sed_escape() { printf '%s' "$1" | sed -e 's/[|&\\]/\\&/g'; }

nginx_args() { printf '%s\n' -p "$FC_VAR/nginx/" -c "$FC_VAR/nginx/nginx.conf" -e "$LOGS/nginx-error.log"; }

# render_site LISTEN ZONE UPSTREAM STATIC_ROOT NCHAN_PUB [TLS_LISTEN TLS_CERT TLS_KEY STATE]
# — nginx/faceclock.conf.in rendered on stdout, with the rates and deadline
# of the environment: the stack's own site, and (`site`) the one a system
# nginx installs. Without the nchan module the live-event lines (between
# "#nchan{" and "#nchan}", each alone on its line: the header's mention
# of them is no marker) are left out; without TLS_LISTEN the mTLS port's
# (between "#tls{" and "#tls}").
render_site() {
    [[ $LOGIN_RATE =~ ^[0-9]+r/[sm]$ ]] || die "LOGIN_RATE must look like 10r/s, not '$LOGIN_RATE'"
    [[ $LOGIN_BURST =~ ^[0-9]+$ ]] || die "LOGIN_BURST must be a number, not '$LOGIN_BURST'"
    [[ $REQUEST_DEADLINE =~ ^[1-9][0-9]*$ ]] ||
        die "FACECLOCK_REQUEST_DEADLINE must be a number of seconds, not '$REQUEST_DEADLINE'"
    [[ $API_RATE =~ ^[0-9]+r/[sm]$ ]] || die "API_RATE must look like 10r/s, not '$API_RATE'"
    [[ $API_BURST =~ ^[0-9]+$ ]] || die "API_BURST must be a number, not '$API_BURST'"
    sed -e "s|@LISTEN@|$(sed_escape "$1")|g" -e "s|@PORT@|$(sed_escape "$2")|g" \
        -e "s|@UPSTREAM@|$(sed_escape "$3")|g" \
        -e "s|@STATIC_ROOT@|$(sed_escape "$4")|g" \
        -e "s|@LOGIN_RATE@|$LOGIN_RATE|g" -e "s|@LOGIN_BURST@|$LOGIN_BURST|g" \
        -e "s|@REQUEST_DEADLINE@|$REQUEST_DEADLINE|g" \
        -e "s|@API_RATE@|$API_RATE|g" -e "s|@API_BURST@|$API_BURST|g" \
        -e "s|@NCHAN_PUB@|$(sed_escape "$5")|g" -e "s|@SELF@|127.0.0.1:${1##*:}|g" \
        -e "s|@TLS_LISTEN@|$(sed_escape "${6:-}")|g" -e "s|@TLS_CERT@|$(sed_escape "${7:-}")|g" \
        -e "s|@TLS_KEY@|$(sed_escape "${8:-}")|g" -e "s|@CA_CERT@|$(sed_escape "${9:-}/ca/cert.pem")|g" \
        -e "s|@CA_CRL@|$(sed_escape "${9:-}/crl.pem")|g" \
        "$FC_ROOT/nginx/faceclock.conf.in" |
        if [[ -f $NCHAN_MODULE ]]; then cat; else sed -e '/^[[:space:]]*#nchan{/,/^[[:space:]]*#nchan}/d'; fi |
        if [[ -n ${6:-} ]]; then cat; else sed -e '/^[[:space:]]*#tls{/,/^[[:space:]]*#tls}/d'; fi
}

nginx_render() {
    local upstream user_line=""
    mkdir -p "$FC_VAR/nginx/tmp" "$FC_VAR/nginx/extra"
    if [[ $FC_SOCKET == /* ]]; then upstream="unix:$FC_SOCKET"; else upstream=$FC_SOCKET; fi
    (( EUID == 0 )) && user_line="user root;"
    local tls_listen=""
    (( TLS_PORT == 0 )) || tls_listen="127.0.0.1:$TLS_PORT"
    render_site "127.0.0.1:$PORT" "$PORT" "$upstream" "$FC_ROOT/static" "$NCHAN_PUB" \
        "$tls_listen" "$TLS_DIR/server.crt" "$TLS_DIR/server.key" "$FC_STATE" >"$FC_VAR/nginx/faceclock.conf"
    local modules=""
    [[ -f $NCHAN_MODULE ]] && modules="load_module $NCHAN_MODULE;"
    sed -e "s|@USER_LINE@|$user_line|g" -e "s|@WORKERS@|$NGINX_WORKERS|g" \
        -e "s|@LOAD_MODULES@|$(sed_escape "$modules")|g" \
        -e "s|@VAR@|$(sed_escape "$FC_VAR")|g" \
        "$FC_ROOT/nginx/nginx.conf.in" >"$FC_VAR/nginx/nginx.conf"
}

nginx_running() {
    local pid
    pid=$(read_pid "$PIDS/nginx.pid")
    [[ -n $pid ]] && pid_alive "$pid" nginx
}

# Render the config and check it before anything is started.
nginx_prepare() {
    nginx_running && return 0
    nginx_render
    local out=$LOGS/nginx-start.log args
    mapfile -t args < <(nginx_args)
    if ! "$NGINX" -t -q "${args[@]}" >"$out" 2>&1; then
        cat "$out" >&2
        die "nginx: configuration $FC_VAR/nginx/nginx.conf is invalid"
    fi
}

nginx_start() {
    if nginx_running; then
        say "nginx: already running (pid $(read_pid "$PIDS/nginx.pid"))"
        return 0
    fi
    local out=$LOGS/nginx-start.log args
    mapfile -t args < <(nginx_args)
    say "nginx: starting on 127.0.0.1:$PORT"
    rm -f "$PIDS/nginx.pid"
    # a killed nginx leaves its unix socket behind: bind() would fail on it
    [[ -S $NCHAN_PUB ]] && rm -f "$NCHAN_PUB"
    if ! "$NGINX" "${args[@]}" </dev/null >"$out" 2>&1; then
        if grep -q 'Address already in use' "$out"; then
            die "port $PORT is already in use (set PORT=... to use another)"
        fi
        cat "$out" >&2
        show_tail "$LOGS/nginx-error.log" 10
        die "nginx: did not start"
    fi
    local i
    for (( i = 0; i < 50; i++ )); do
        nginx_running && break
        sleep 0.1
    done
    nginx_running || { show_tail "$LOGS/nginx-error.log" 10; die "nginx: no master pid in $PIDS/nginx.pid"; }
    # the nchan publisher socket: the faceclock service's only
    if [[ -S $NCHAN_PUB ]]; then
        [[ -z $RUN_AS ]] || chown "$RUN_AS:" "$NCHAN_PUB"
        chmod 600 "$NCHAN_PUB"
    fi
    rm -f "$PIDS/nginx.stopped"
    say "nginx: running (pid $(read_pid "$PIDS/nginx.pid"))"
}

nginx_stop() {
    local pid
    mark_stopped nginx
    pid=$(read_pid "$PIDS/nginx.pid")
    if [[ -n $pid ]] && pid_alive "$pid" nginx; then
        say "nginx: stopping (pid $pid)"
        kill -QUIT "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" 10; then
            warn "nginx (pid $pid) did not quit within 10 s; sending SIGTERM"
            kill -TERM "$pid" 2>/dev/null || true
            wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$PIDS/nginx.pid"
}

# ------------------------------------------------------------- mosquitto

# MQTT_URL: the broker's (empty: no broker — MQTT_PORT=0 or no mosquitto).
mqtt_choose() {
    MQTT_URL=""
    [[ $MQTT_PORT =~ ^[0-9]+$ ]] && (( MQTT_PORT < 65536 )) || die "MQTT_PORT must be a port number, not '$MQTT_PORT'"
    (( MQTT_PORT == 0 )) && return 0
    if [[ ! -x $MOSQUITTO ]]; then
        warn "mosquitto not found at $MOSQUITTO (run scripts/deps.sh): no MQTT push, devices poll"
        return 0
    fi
    MQTT_URL=mqtt://127.0.0.1:$MQTT_PORT
}

mqtt_running() {
    local pid
    pid=$(read_pid "$PIDS/mosquitto.pid")
    [[ -n $pid ]] && pid_alive "$pid" mosquitto
}

# The broker's config, and empty password and ACL files until faceclock's
# mqtt service writes them (it owns them: $FC_STATE/mqtt is its).
mqtt_prepare() {
    [[ -n $MQTT_URL ]] || return 0
    local dir=$FC_STATE/mqtt user_line=""
    mkdir -p "$dir"
    chmod 700 "$dir"
    [[ -e $dir/passwd ]] || : >"$dir/passwd"
    [[ -e $dir/acl ]] || : >"$dir/acl"
    chmod 600 "$dir/passwd" "$dir/acl"
    if [[ -n $RUN_AS ]]; then
        chown -R "$RUN_AS:" "$dir"
        user_line="user $RUN_AS"
    fi
    printf '%s\n' "# written by scripts/stack.sh start; edits are overwritten" \
        "per_listener_settings false" "allow_anonymous false" \
        "password_file $dir/passwd" "acl_file $dir/acl" \
        "listener $MQTT_PORT 127.0.0.1" "pid_file $dir/mosquitto.pid" \
        "log_dest file $dir/mosquitto.log" "connection_messages true" \
        "$user_line" >"$FC_VAR/mosquitto.conf"
}

mqtt_start() {
    [[ -n $MQTT_URL ]] || return 0
    if mqtt_running; then
        say "mosquitto: already running (pid $(read_pid "$PIDS/mosquitto.pid"))"
        return 0
    fi
    local dir=$FC_STATE/mqtt pid="" i
    port_in_use "$MQTT_PORT" && die "port $MQTT_PORT (mosquitto) is already in use (set MQTT_PORT=... or MQTT_PORT=0)"
    rm -f "$PIDS/mosquitto.pid" "$dir/mosquitto.pid"
    ln -sfn "$dir/mosquitto.log" "$LOGS/mosquitto.log"
    say "mosquitto: starting on 127.0.0.1:$MQTT_PORT"
    if ! "$MOSQUITTO" -d -c "$FC_VAR/mosquitto.conf" </dev/null >"$LOGS/mosquitto-start.log" 2>&1; then
        cat "$LOGS/mosquitto-start.log" >&2
        die "mosquitto: did not start"
    fi
    for (( i = 0; i < 50; i++ )); do
        pid=$(read_pid "$dir/mosquitto.pid")
        [[ -n $pid ]] && pid_alive "$pid" mosquitto && port_in_use "$MQTT_PORT" && break
        sleep 0.1
    done
    [[ -n $pid ]] && pid_alive "$pid" mosquitto ||
        { show_tail "$dir/mosquitto.log" 10; die "mosquitto: no pid in $dir/mosquitto.pid"; }
    echo "$pid" >"$PIDS/mosquitto.pid"
    rm -f "$PIDS/mosquitto.stopped"
    say "mosquitto: running (pid $pid)"
}

mqtt_stop() {
    local pid
    mark_stopped mosquitto
    pid=$(read_pid "$PIDS/mosquitto.pid")
    if [[ -n $pid ]] && pid_alive "$pid" mosquitto; then
        say "mosquitto: stopping (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDS/mosquitto.pid"
}

# --------------------------------------------------------------- the stack

# $1: the variable's value (may be empty), $2: file under $FC_VAR that keeps
# a generated one: 32 random bytes as hex, made once and reused
secret_or_kept() {
    if [[ -n $1 ]]; then
        printf '%s\n' "$1"
    elif [[ -s $FC_VAR/$2 ]]; then
        head -n1 "$FC_VAR/$2"
    else
        (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$FC_VAR/$2")
        head -n1 "$FC_VAR/$2"
    fi
}
admin_key() { secret_or_kept "${FACECLOCK_ADMIN_KEY:-}" admin_key; }
data_key() { secret_or_kept "${FACECLOCK_DATA_KEY:-}" data_key; }
mqtt_secret() { secret_or_kept "${FACECLOCK_MQTT_SECRET:-}" mqtt_secret; }

write_env() {
    local tmp=$ENV_FILE.tmp
    {
        echo "# written by scripts/stack.sh start; sh-quoted (use shlex to parse)"
        printf 'BASE_URL=%s\n' "$(shq "http://127.0.0.1:$PORT")"
        printf 'PORT=%s\n' "$(shq "$PORT")"
        printf 'FACECLOCK_ADMIN_KEY=%s\n' "$(shq "$ADMIN_KEY")"
        printf 'FACECLOCK_DATA_KEY=%s\n' "$(shq "$DATA_KEY")"
        printf 'DATABASE_URL=%s\n' "$(shq "$APP_URL")"
        printf 'FACECLOCK_MIGRATE_URL=%s\n' "$(shq "$MIGRATE_URL")"
        printf 'FC_VAR=%s\n' "$(shq "$FC_VAR")"
        printf 'FC_BIN=%s\n' "$(shq "$FC_BIN")"
        printf 'PG_BIN=%s\n' "$(shq "$PG_BIN")"
        printf 'FC_SOCKET=%s\n' "$(shq "$FC_SOCKET")"
        printf 'RUN_AS=%s\n' "$(shq "$RUN_AS")"
        printf 'FC_LOG=%s\n' "$(shq "$LOGS/faceclock.log")"
        printf 'FC_STACK=%s\n' "$(shq "$FC_ROOT/scripts/stack.sh")"
        printf 'FC_DB_MODE=%s\n' "$(shq "$DB_MODE")"
        if (( TLS_PORT != 0 )); then
            printf 'TLS_URL=%s\n' "$(shq "https://127.0.0.1:$TLS_PORT")"
        else
            printf 'TLS_URL=%s\n' "''"
        fi
        printf 'TLS_SERVER_CERT=%s\n' "$(shq "$TLS_DIR/server.crt")"
        printf 'FC_STATE=%s\n' "$(shq "$FC_STATE")"
        printf 'MQTT_URL=%s\n' "$(shq "$MQTT_URL")"
        printf 'FACECLOCK_MQTT_SECRET=%s\n' "$(shq "$MQTT_SECRET")"
    } >"$tmp"
    chmod 600 "$tmp"
    mv "$tmp" "$ENV_FILE"
}

migrate() {
    say "migrations: $FC_BIN migrate"
    if ! FACECLOCK_MIGRATE_URL=$MIGRATE_URL DATABASE_URL=$APP_URL \
            "$FC_BIN" migrate >>"$LOGS/migrate.log" 2>&1; then
        show_tail "$LOGS/migrate.log"
        die "migrations failed"
    fi
}

check_health() {
    local code="" i body=$FC_VAR/healthz.out
    for (( i = 0; i < 30; i++ )); do
        code=$(curl -sS -o "$body" -w '%{http_code}' --max-time 5 \
               "http://127.0.0.1:$PORT/healthz" 2>/dev/null) || code=000
        [[ $code == 200 ]] && break
        sleep 0.3
    done
    if [[ $code != 200 ]]; then
        printf 'GET /healthz answered %s: %s\n' "$code" "$(head -c 300 "$body" 2>/dev/null)" >&2
        show_tail "$LOGS/faceclock.log"
        die "the stack is up but /healthz is not healthy"
    fi
    rm -f "$body"
    say "healthz: ok at http://127.0.0.1:$PORT/healthz"
}

on_start_exit() {
    local rc=$1
    trap - EXIT
    if (( rc != 0 )); then
        say "start failed; stopping what was started"
        do_stop || true
    fi
    exit "$rc"
}

do_start() {
    [[ $PORT =~ ^[0-9]+$ ]] && (( PORT > 0 && PORT < 65536 )) || die "PORT must be a port number, not '$PORT'"
    mkdir -p "$FC_VAR" "$PIDS" "$LOGS"
    if ! nginx_running && port_in_use "$PORT"; then
        die "port $PORT is already in use (set PORT=... to use another)"
    fi
    command -v "$NGINX" >/dev/null || die "nginx not found at $NGINX (run scripts/deps.sh)"
    [[ -x $FC_BIN ]] || die "no faceclock binary at $FC_BIN (build it: make ${FC_BIN#"$FC_ROOT"/})"

    fc_socket_choose
    if (( TLS_PORT != 0 )) && ! nginx_running && port_in_use "$TLS_PORT"; then
        die "port $TLS_PORT (the mTLS port) is already in use (set TLS_PORT=... or TLS_PORT=0)"
    fi
    state_prepare
    nginx_prepare
    mqtt_choose
    mqtt_prepare
    ADMIN_KEY=$(admin_key)
    DATA_KEY=$(data_key)
    MQTT_SECRET=$(mqtt_secret)
    trap 'on_start_exit $?' EXIT

    if db_is_private; then
        DB_MODE=private
        [[ -x $PG_BIN/pg_ctl ]] || die "PostgreSQL binaries not found in $PG_BIN (run scripts/deps.sh or set PG_BIN)"
        ensure_service_user
        pg_start
        pg_bootstrap
        APP_URL=$(app_url)
        MIGRATE_URL=$(owner_url)
    else
        DB_MODE=external
        say "postgres: using DATABASE_URL from the environment (no private cluster)"
        APP_URL=$DATABASE_URL
        MIGRATE_URL=${FACECLOCK_MIGRATE_URL:-$DATABASE_URL}
    fi
    migrate
    mqtt_start
    fc_start
    nginx_start
    write_env
    check_health
    trap - EXIT
    say "up: http://127.0.0.1:$PORT  (env in $ENV_FILE)"
}

do_stop() {
    if [[ -z ${FC_SOCKET:-} ]]; then
        FC_SOCKET=$FC_VAR/faceclock.sock
        [[ -r $ENV_FILE ]] && FC_SOCKET=$(sed -n "s/^FC_SOCKET='\(.*\)'$/\1/p" "$ENV_FILE")
    fi
    nginx_stop
    fc_stop
    mqtt_stop
    pg_stop
}

do_status() {
    local name pid comm rc=0
    local names=(nginx faceclock postgres)
    [[ -z $(read_pid "$PIDS/mosquitto.pid") && ! -e $PIDS/mosquitto.stopped ]] || names+=(mosquitto)
    for name in "${names[@]}"; do
        pid=$(read_pid "$PIDS/$name.pid")
        comm=$name; [[ $name == faceclock ]] && comm=""
        if [[ -n $pid ]] && pid_alive "$pid" "$comm"; then
            printf '%-10s running (pid %s)\n' "$name" "$pid"
        else
            printf '%-10s stopped\n' "$name"
            rc=3
        fi
    done
    [[ -r $ENV_FILE ]] && printf '%-10s %s\n' url "$(sed -n "s/^BASE_URL='\(.*\)'$/\1/p" "$ENV_FILE")"
    return "$rc"
}

do_pg_start() {
    [[ -d $FC_VAR/pg ]] || die "no private cluster under $FC_VAR (start the stack first)"
    mkdir -p "$PIDS" "$LOGS"
    pg_start
}

do_pg_stop() {
    [[ -d $FC_VAR/pg ]] || die "no private cluster under $FC_VAR"
    pg_stop
    say "postgres: stopped"
}

# The settings of the running stack, from $FC_VAR/env (written by start).
load_env_file() {
    [[ -r $ENV_FILE ]] || die "no $ENV_FILE: start the stack first"
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    # shellcheck disable=SC2031  # set just above by the env file, not in fc_start's subshell
    APP_URL=$DATABASE_URL ADMIN_KEY=$FACECLOCK_ADMIN_KEY DATA_KEY=$FACECLOCK_DATA_KEY DB_MODE=$FC_DB_MODE
    MQTT_URL=${MQTT_URL:-} MQTT_SECRET=${FACECLOCK_MQTT_SECRET:-}
    [[ -z $MQTT_URL ]] || MQTT_PORT=${MQTT_URL##*:}
}

do_revive() {
    load_env_file
    mkdir -p "$PIDS" "$LOGS"
    case ${1:-} in
        faceclock) reap_group faceclock "$(basename "$FC_BIN" | cut -c1-15)"; fc_start ;;
        nginx)     reap_group nginx nginx QUIT; nginx_start ;;
        mosquitto) [[ -n $MQTT_URL ]] || die "mosquitto: not part of this stack"
                   mqtt_prepare; mqtt_start ;;
        postgres)
            [[ $DB_MODE == private ]] || die "postgres: not this stack's (DATABASE_URL is external)"
            pg_start ;;
        *) die "revive what? faceclock, nginx, postgres or mosquitto, not '${1:-}'" ;;
    esac
}

# The site for a system nginx (deploy/systemd, docs/operations.md): SITE_LISTEN
# (80), SITE_UPSTREAM (unix:/run/faceclock/faceclock.sock), SITE_STATIC
# (/usr/local/share/faceclock/static), the rates and deadline as for start.
do_site() {
    local listen=${SITE_LISTEN:-80}
    [[ $listen =~ ^([0-9.]+:|\[[0-9a-fA-F:]+\]:)?[0-9]+$ ]] || die "SITE_LISTEN must be [address:]port, not '$listen'"
    render_site "$listen" "${listen##*:}" "${SITE_UPSTREAM:-unix:/run/faceclock/faceclock.sock}" \
        "${SITE_STATIC:-/usr/local/share/faceclock/static}" "${SITE_NCHAN_PUB:-/run/faceclock/nchan.sock}"
}

do_wipe() {
    do_stop
    if [[ -L $FC_VAR/pg ]]; then
        local target
        target=$(readlink -f "$FC_VAR/pg")
        case $target in
            /var/tmp/faceclock-*/pg) say "wipe: $target"; rm -rf "$target"; rmdir "${target%/pg}" 2>/dev/null || true ;;
            *) warn "not removing $target (unexpected link target)" ;;
        esac
    fi
    if [[ -e $FC_VAR ]]; then
        say "wipe: $FC_VAR"
        rm -rf "$FC_VAR"
    fi
}

main() {
    case ${1:-} in
        start)    do_start ;;
        stop)     do_stop; say "stopped" ;;
        status)   do_status ;;
        pg-stop)  do_pg_stop ;;
        pg-start) do_pg_start ;;
        wipe)     do_wipe ;;
        revive)   do_revive "${2:-}" ;;
        site)     do_site ;;
        *) echo "usage: $0 start|stop|status|pg-stop|pg-start|wipe|revive PIECE|site" >&2; exit 2 ;;
    esac
}

main "$@"
