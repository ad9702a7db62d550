#!/usr/bin/env bash
# scripts/run.sh — `make run` after deps and the build: starts the stack
# under var/run on 127.0.0.1:$PORT (default 8080), loads the demo hotel
# (unless FACECLOCK_DEMO=0), makes a kiosk key for it, prints the URLs and
# credentials, then stays in the foreground until Ctrl-C / SIGTERM, which
# stop the whole stack. If a piece of the stack dies meanwhile, it says so,
# stops the rest and exits non-zero.
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

# The piece that died, if any.
dead_piece() {
    local name pid comm
    for name in nginx faceclock postgres; do
        pid=$(read_pid "$FC_VAR/pids/$name.pid")
        comm=$name; [[ $name == faceclock ]] && comm=""
        if [[ -z $pid ]] || ! pid_alive "$pid" "$comm"; then
            printf '%s\n' "$name"
            return 0
        fi
    done
    return 1
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

    local dead
    while true; do
        sleep 1 &
        wait $! || true
        if dead=$(dead_piece); then
            warn "$dead is no longer running"
            [[ $dead == faceclock ]] && show_tail "$FC_VAR/log/faceclock.log"
            [[ $dead == postgres ]] && show_tail "$FC_VAR/log/postgres.log"
            [[ $dead == nginx ]] && show_tail "$FC_VAR/log/nginx-error.log"
            exit 1
        fi
    done
}

main "$@"
