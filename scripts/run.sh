#!/usr/bin/env bash
# scripts/run.sh — `make run` after deps and the build: starts the stack
# under var/run on 127.0.0.1:$PORT (default 8080), loads the demo hotel
# (unless FACECLOCK_DEMO=0), makes a kiosk key for it, prints the URLs and
# credentials, then stays in the foreground until Ctrl-C / SIGTERM, which
# stop the whole stack (by the PIDs it recorded: scripts/stack.sh stop).
#
# Meanwhile it supervises: a piece whose recorded process died (the
# faceclock master, nginx, the private PostgreSQL, mosquitto) is started again
# (scripts/stack.sh revive) after a back-off of 1 s, doubled while it keeps
# dying (2 s, 4 s ... at most SUPERVISE_MAX_DELAY, 30 s) and back to 1 s
# once it has lived a minute; each death and return is said on the
# console. While PostgreSQL is away faceclock answers JSON 503 and picks the
# database up again by itself: it is not restarted for that. A piece
# stopped on purpose (scripts/stack.sh pg-stop) is left alone until it is
# started again (pg-start).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
FC_SAY_PREFIX="[run]"

export FC_VAR=${FC_VAR:-var/run}
export PORT=${PORT:-8080}
export FC_BIN=${FC_BIN:-build/release/faceclock}
STACK=$FC_ROOT/scripts/stack.sh
DEMO_SLUG=demo-hotel

stopping=0
stop_stack() {
    (( stopping )) && return 0
    stopping=1
    say "stopping the stack"
    "$STACK" stop || true
}

on_signal() {
    echo
    stop_stack
    exit 0
}

load_demo() {
    local doc=$FC_VAR/demo-hotel.json out=$FC_VAR/log/import.log
    scripts/demo-hotel.sh >"$doc"
    say "demo: importing \"Demo Grand Hotel\" ($DEMO_SLUG)"
    if ! DATABASE_URL=$DATABASE_URL "$FC_BIN" import "$DEMO_SLUG" "$doc" >"$out" 2>&1; then
        show_tail "$out"
        die "demo: import failed"
    fi
}

make_kiosk_key() {
    local body code
    body=$(mktemp)
    code=$(curl -sS -o "$body" -w '%{http_code}' --max-time 10 -X POST \
        -H "X-API-Key: $FACECLOCK_ADMIN_KEY" -H 'Content-Type: application/json' \
        --data '{"name":"Lobby kiosk"}' \
        "$BASE_URL/api/staff/hotel/$DEMO_SLUG/kiosks/") || code=000
    if [[ $code != 201 && $code != 200 ]]; then
        warn "demo: creating a kiosk key answered $code: $(head -c 300 "$body")"
        rm -f "$body"
        return 1
    fi
    KIOSK_KEY=$(python3 -c '
import json, sys
try:
    print(json.load(sys.stdin).get("api_key") or "")
except Exception:
    pass' <"$body")
    [[ -n $KIOSK_KEY ]] || warn "demo: the kiosk answer has no api_key: $(head -c 300 "$body")"
    rm -f "$body"
    [[ -n $KIOSK_KEY ]]
}

banner() {
    cat <<EOF

  faceclock is running
    API         $BASE_URL/api/
    health      $BASE_URL/healthz
    metrics     $BASE_URL/metrics   (local only)
    admin key   X-API-Key: $FACECLOCK_ADMIN_KEY
EOF
    if [[ -n ${TLS_URL:-} ]]; then
        cat <<EOF
    mTLS port   $TLS_URL/api/   (devices' client certificates; server certificate $TLS_SERVER_CERT)
EOF
    fi
    if [[ -n ${MQTT_URL:-} ]]; then
        cat <<EOF
    MQTT broker $MQTT_URL   (devices: user <hotel_slug>/<device_id>, password their API key; docs/iot.md "MQTT push")
EOF
    fi
    if [[ ${FACECLOCK_DEMO:-1} != 0 ]]; then
        cat <<EOF
    kiosk       $BASE_URL/kiosk/   (pair it with the kiosk key below)
    demo hotel  Demo Grand Hotel (slug $DEMO_SLUG, Europe/Dublin)
    users       manager / manager123   hr / hr12345678  admin / admin12345   john / john123456
    kiosk key   X-API-Key: ${KIOSK_KEY:-(not created)}
    try         curl -s $BASE_URL/api/auth/login -H 'Content-Type: application/json' \\
                     -d '{"username":"manager","password":"manager123"}'
EOF
    fi
    cat <<EOF
    logs        $FC_VAR/log/
  Ctrl-C stops everything.

EOF
}

# ------------------------------------------------------------ supervisor

SUPERVISE_MAX_DELAY=${SUPERVISE_MAX_DELAY:-30}
SUPERVISE_SETTLED=60           # seconds alive after which the back-off resets
declare -A DELAY=() DUE=() UP_AT=() HELD=()

piece_log() {
    case $1 in
        faceclock) printf '%s\n' "$FC_VAR/log/faceclock.log" ;;
        postgres)  printf '%s\n' "$FC_VAR/log/postgres.log" ;;
        nginx)     printf '%s\n' "$FC_VAR/log/nginx-error.log" ;;
        mosquitto) printf '%s\n' "$FC_VAR/log/mosquitto.log" ;;
    esac
}

# supervise_piece NAME NOW — one look at one piece (every second).
supervise_piece() {
    local name=$1 now=$2 pid comm=$1
    [[ $name == faceclock ]] && comm=""
    if [[ -e $FC_VAR/pids/$name.stopped ]]; then
        (( ${HELD[$name]:-0} )) || say "$name was stopped on purpose: not restarting it until it is started again"
        HELD[$name]=1 DUE[$name]=0
        return 0
    fi
    if (( ${HELD[$name]:-0} )); then
        HELD[$name]=0 UP_AT[$name]=$now
        say "$name was started again: supervising it"
    fi
    pid=$(read_pid "$FC_VAR/pids/$name.pid")
    if (( ${DUE[$name]:-0} == 0 )); then
        if [[ -n $pid ]] && pid_alive "$pid" "$comm"; then
            (( now - ${UP_AT[$name]:-0} >= SUPERVISE_SETTLED )) && DELAY[$name]=1
            return 0
        fi
        DUE[$name]=$(( now + ${DELAY[$name]:-1} ))
        warn "$name${pid:+ (pid $pid)} died; restarting it in ${DELAY[$name]:-1} s"
        show_tail "$(piece_log "$name")" 10
        return 0
    fi
    (( now >= DUE[$name] )) || return 0
    local delay=${DELAY[$name]:-1}
    delay=$(( delay * 2 > SUPERVISE_MAX_DELAY ? SUPERVISE_MAX_DELAY : delay * 2 ))
    DELAY[$name]=$delay
    if "$STACK" revive "$name"; then
        DUE[$name]=0 UP_AT[$name]=$(date +%s)
        say "$name is back (pid $(read_pid "$FC_VAR/pids/$name.pid"))"
    else
        DUE[$name]=$(( $(date +%s) + delay ))
        warn "$name did not start again; next try in $delay s"
    fi
}

main() {
    trap on_signal INT TERM
    trap stop_stack EXIT
    "$STACK" start
    FC_VAR=$(abs_path "$FC_VAR")
    set -a
    # shellcheck disable=SC1091
    . "$FC_VAR/env"
    set +a

    KIOSK_KEY=""
    if [[ ${FACECLOCK_DEMO:-1} != 0 ]]; then
        load_demo
        make_kiosk_key || warn "demo: no kiosk key (see $FC_VAR/log/faceclock.log)"
    fi
    banner

    local pieces=(nginx faceclock) name now
    [[ $FC_DB_MODE == private ]] && pieces=(postgres "${pieces[@]}")
    [[ -z ${MQTT_URL:-} ]] || pieces+=(mosquitto)
    now=$(date +%s)
    for name in "${pieces[@]}"; do UP_AT[$name]=$now; done
    say "supervising ${pieces[*]} (a piece that dies is started again)"
    while true; do
        sleep 1 &
        wait $! || true
        now=$(date +%s)
        for name in "${pieces[@]}"; do
            supervise_piece "$name" "$now"
        done
    done
}

main "$@"
