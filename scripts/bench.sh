#!/usr/bin/env bash
# scripts/bench.sh — `make bench`: wrk against the stack, beside two ceilings
# measured in the same run: the same nginx in front of a do-nothing FastCGI
# responder (tests/bench/hello.c: the transport) and pgbench running the
# endpoint's SQL (the database). Prints one table, the /healthz-to-hello
# ratio and each worker's idle resident memory; then the face-audit-log CSV
# export of BENCH_AUDIT_ROWS rows through nginx beside `psql \copy` of the
# same SELECT, with the serving worker's memory during the export.
# `scripts/bench.sh auth` runs only the rows of what a stranger costs: the
# workers' CPU per request with no credential and with a wrong kiosk key
# (target: under 50 us each). `scripts/bench.sh flood` runs only
# face-clock-in alone and beside FLOOD_RATE (200) wrong-key requests a second
# from one client, and the share of its rate the scans keep (target: 90 %).
# `scripts/bench.sh live` runs only face-clock-in alone and beside
# LIVE_SUBSCRIBERS (500) open SSE subscribers over LIVE_HOTELS (20) hotels
# (tests/bench/live_bench.py), the share of its rate the scans keep
# (target: within 10 %) and the events' latency from a scan's answer to a
# subscriber's receipt, p50/p99; `make bench` runs it too.
# `scripts/bench.sh cost` runs only the cost of a scan (issue 15): CPU per
# request of each process set (PostgreSQL, the workers, the services,
# nginx, wrk) from /proc over each run, for /healthz and face-clock-in at
# BENCH_CONNECTIONS and 16 connections, beside pgbench's bare transaction,
# and where PostgreSQL's time goes (per process, statement, function,
# round trip: pg_stat_statements, which a stack started with PG_STATEMENTS=1
# preloads; the bench starts its own so); `make bench` runs it too.
# `scripts/bench.sh idem` runs only face-clock-in without and with an
# Idempotency-Key on every scan (a fresh one each: no replays), with the
# CPU per scan of the workers and of PostgreSQL over each run
# (IDEM_REPEAT=1: both twice, to see the host's noise; the last pair is
# compared), then where PostgreSQL's time goes for each (bench_where: the
# round trips, wakeups and statements per scan).
# `scripts/bench.sh audit` runs only the audit page rows (issue 15): the
# CPU per page of the workers and PostgreSQL (from /proc) for the first
# page, a keyset page half way down and a filtered page of the
# BENCH_AUDIT_ROWS-row log (target: <= 400 us), and the first page of the
# hotel's action audit log of as many rows; `make bench` runs them too.
# `scripts/bench.sh fleet` runs only the fleet row (issue 14): FLEET_DEVICES
# (2000) simulated cameras over FLEET_HOTELS (4) hotels connected to
# mosquitto (tests/bench/fleet_bench.py), a face revoked in each hotel, the
# time from the revocation's answer to each camera's "sync now" p50/p99/max,
# FLEET_SAMPLE (200) cameras' sync pulled end to end, and the CPU of
# svc:mqtt, mosquitto, PostgreSQL and nginx meanwhile; `make bench` runs it
# too. A stack it starts for this row alone hashes secrets at
# FACECLOCK_SCRYPT_LOG_N=${FLEET_SCRYPT_LOG_N:-14} (provisioning costs two
# scrypt hashes a device); the devices are provisioned once and kept.
#
# `scripts/bench.sh bulk` runs only the bulk rows (issue 15; `make bench`
# runs them too): a PMS sync of BENCH_BULK_STAFF (10 000) staff through
# nginx into a new hotel, again with every row changed and again unchanged,
# a full sync pull of BENCH_SYNC_PROFILES (10 000) profiles (targets: each
# under 2 s) and the audit export beside `psql \copy` (target: >= 80 % of
# its speed), each with its wall time and the CPU PostgreSQL, the workers
# and nginx spent on it (/proc).
#
# Uses the stack under $FC_VAR (default var/bench) if it runs; otherwise
# starts one there with the release binary on ${BENCH_PORT:-18090} and stops
# it afterwards. The hello responder listens behind nginx on PORT+1.
#
# Environment: FC_VAR, BENCH_PORT, BENCH_DURATION (wrk/pgbench seconds, 10),
# BENCH_WARMUP (seconds of uncounted wrk before each measured run, 2),
# BENCH_CONNECTIONS (64), BENCH_STAFF (200), BENCH_AUDIT_ROWS (audit rows of
# the audit-bench hotel, 1000000; inserted once, topped up when fewer),
# BENCH_EXPORT_RUNS (CSV exports and \copy runs each, best kept; 2),
# LIVE_SUBSCRIBERS (500), LIVE_HOTELS (20), LIVE_PROBE_RATE (10),
# FLEET_DEVICES (2000), FLEET_HOTELS (4), FLEET_SAMPLE (200),
# FLEET_SCRYPT_LOG_N (14), PROVISION_THREADS (4).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
FC_SAY_PREFIX="[bench]"

export FC_VAR=$(abs_path "${FC_VAR:-var/bench}")
export FC_BIN=${FC_BIN:-build/release/faceclock}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
CONNS=${BENCH_CONNECTIONS:-64}
NSTAFF=${BENCH_STAFF:-200}
SYNC_PROFILES=${BENCH_SYNC_PROFILES:-10000}
AUDIT_ROWS=${BENCH_AUDIT_ROWS:-1000000}
EXPORT_RUNS=${BENCH_EXPORT_RUNS:-2}
AUDIT_SLUG=audit-bench
STACK=$FC_ROOT/scripts/stack.sh
WORK=$FC_VAR/bench
HELLO_BIN=$FC_ROOT/build/bench/hello
HELLO_CONF=$FC_VAR/nginx/extra/bench-hello.conf
BENCH_SLUG=bench-hotel-$NSTAFF
LOGIN_USER=manager
LOGIN_PASS=manager123

own_stack=0
FLEET_ONLY=""
hello_pid=""

# ------------------------------------------------------------------ setup

nginx_pid() { read_pid "$FC_VAR/pids/nginx.pid"; }

stack_running() {
    local pid
    pid=$(nginx_pid)
    [[ -n $pid ]] && pid_alive "$pid" nginx && [[ -r $FC_VAR/env ]]
}

start_stack_if_needed() {
    if stack_running; then
        say "using the running stack under $FC_VAR"
        return 0
    fi
    own_stack=1
    say "starting a stack under $FC_VAR (release build)"
    local cost=()
    [[ -z $FLEET_ONLY ]] || cost=(FACECLOCK_SCRYPT_LOG_N="${FLEET_SCRYPT_LOG_N:-14}")
    env PORT="${BENCH_PORT:-18090}" PG_STATEMENTS=1 "${cost[@]}" LOGIN_RATE=100000r/s LOGIN_BURST=100000 API_RATE=100000r/s \
        API_BURST=100000 "$STACK" start
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    rm -f "$HELLO_CONF"
    [[ -z ${PG_TRACKING:-} ]] || pg_tracking off || true
    if (( own_stack )); then
        "$STACK" stop >/dev/null || true
    elif stack_running; then
        kill -HUP "$(nginx_pid)" 2>/dev/null || true
    fi
    if [[ -n $hello_pid ]] && pid_alive "$hello_pid"; then
        kill -TERM "$hello_pid" 2>/dev/null || true
        wait_gone "$hello_pid" 5 || kill -KILL "$hello_pid" 2>/dev/null || true
    fi
    rm -f "$FC_VAR/pids/hello.pid"
    exit "$rc"
}

worker_pids() {
    local master
    master=$(read_pid "$FC_VAR/pids/faceclock.pid")
    [[ -n $master ]] || return 0
    local pid
    # the FastCGI workers, not the services (process name "svc:<name>")
    for pid in $(cat "/proc/$master/task/$master/children" 2>/dev/null); do
        [[ $(cat "/proc/$pid/comm" 2>/dev/null) == svc:* ]] || printf '%s\n' "$pid"
    done
}

start_hello() {
    local sock=$FC_VAR/hello.sock nworkers hello_port=$((PORT + 1)) i
    nworkers=$(worker_pids | wc -w)
    (( nworkers > 0 )) || nworkers=$(nproc)
    port_in_use "$hello_port" && die "port $hello_port (for the hello ceiling) is already in use"
    mkdir -p "$(dirname "$HELLO_BIN")"
    say "hello: cc tests/bench/hello.c -> build/bench/hello ($nworkers workers, 127.0.0.1:$hello_port)"
    cc -O2 -Wall -Wextra -Werror -o "$HELLO_BIN" tests/bench/hello.c -lfcgi ||
        die "could not build tests/bench/hello.c"
    setsid "$HELLO_BIN" "$sock" "$nworkers" </dev/null >>"$FC_VAR/log/hello.log" 2>&1 &
    hello_pid=$!
    echo "$hello_pid" >"$FC_VAR/pids/hello.pid"
    for (( i = 0; i < 50; i++ )); do
        [[ -S $sock ]] && break
        sleep 0.1
    done
    [[ -S $sock ]] || { show_tail "$FC_VAR/log/hello.log"; die "hello: no socket"; }

    # A server of its own on PORT+1 with the site's FastCGI parameters and
    # headers, so that only the application differs.
    {
        echo "# written by scripts/bench.sh; removed when it ends"
        echo "server {"
        echo "    listen 127.0.0.1:$hello_port;"
        grep -E '^    (fastcgi_[a-z_]+|add_header) ' "$FC_VAR/nginx/faceclock.conf"
        echo "    location / { fastcgi_pass unix:$sock; }"
        echo "}"
    } >"$HELLO_CONF"
    kill -HUP "$(nginx_pid)"
    for (( i = 0; i < 50; i++ )); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hello_port/") == 200 ]] && break
        sleep 0.1
    done
    HELLO_URL=http://127.0.0.1:$hello_port/
}

# PUT the generated hotel once (creates it), and make sure the demo user
# for the login benchmark exists.
prepare_data() {
    mkdir -p "$WORK"
    python3 tests/bench/gen_hotel.py json "$BENCH_SLUG" "$NSTAFF" >"$WORK/hotel.json"
    python3 tests/bench/gen_hotel.py pgbench "$BENCH_SLUG" "$NSTAFF" >"$WORK/pms.sql"
    local code
    code=$(curl -s -o "$WORK/put.out" -w '%{http_code}' -X PUT --max-time 60 \
        -H "X-API-Key: $FACECLOCK_ADMIN_KEY" -H 'Content-Type: application/json' \
        --data-binary @"$WORK/hotel.json" "$BASE_URL/api/staff/hotel/$BENCH_SLUG/pms-sync/") || code=000
    [[ $code == 200 ]] || die "pms-sync of the $NSTAFF-staff hotel answered $code: $(head -c 300 "$WORK/put.out")"

    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --max-time 10 -H 'Content-Type: application/json' \
        --data "{\"username\":\"$LOGIN_USER\",\"password\":\"$LOGIN_PASS\"}" "$BASE_URL/api/auth/login") || code=000
    if [[ $code != 200 ]]; then
        say "loading the demo hotel (for the login benchmark)"
        scripts/demo-hotel.sh >"$WORK/demo.json"
        "$FC_BIN" import demo-hotel "$WORK/demo.json" >"$WORK/import.log" 2>&1 ||
            { show_tail "$WORK/import.log"; die "demo import failed"; }
    fi

    say "sync: ${SYNC_PROFILES} profiles pushed to one edge device (first run registers them; later runs top up)"
    python3 tests/bench/sync_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" sync-bench "$WORK" "$SYNC_PROFILES" ||
        die "could not prepare the sync benchmark"
    say "face-clock-in: a $NSTAFF-staff hotel rostered all day, faces registered"
    python3 tests/bench/clock_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" clock-bench "$WORK" "$NSTAFF" ||
        die "could not prepare the face-clock-in benchmark"

    say "face-audit-logs: hotel $AUDIT_SLUG with $AUDIT_ROWS audit rows, an hr user"
    python3 tests/bench/audit_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" "$AUDIT_SLUG" "$WORK" \
        "$AUDIT_ROWS" || die "could not prepare the face-audit-log benchmark"
    AUDIT_URL=$BASE_URL/api/staff/hotel/$AUDIT_SLUG/attendance/clock-logs/face-audit-logs/

    cat >"$WORK/healthz.sql" <<'EOF'
SELECT 1;
EOF
    cat >"$WORK/login.sql" <<EOF
-- POST /api/auth/login (success): the statements of handlers/people/sessions_store.c
SELECT count(*) FILTER (WHERE scope = 'user'), COALESCE(floor(extract(epoch FROM now() - max(at) FILTER (WHERE scope = 'user')))::bigint, 0), count(*) FILTER (WHERE scope = 'ip' AND at > now() - make_interval(secs => 900)) FROM auth_failures WHERE at > now() - make_interval(secs => 604800) AND ((scope = 'user' AND key = lower('$LOGIN_USER') AND addr = '127.0.0.1') OR (scope = 'ip' AND key = '127.0.0.1'));
SELECT u.id AS uid, u.hotel_id AS hid FROM users u JOIN staff s ON s.hotel_id = u.hotel_id AND s.id = u.staff_id JOIN hotels h ON h.id = u.hotel_id WHERE lower(u.username) = lower('$LOGIN_USER') \gset
DELETE FROM auth_failures WHERE scope = 'user' AND key = lower('$LOGIN_USER') AND addr = '127.0.0.1';
INSERT INTO auth_tokens (token_hash, user_id, hotel_id, client_ip, expires_at) VALUES (sha256(convert_to(random()::text || clock_timestamp()::text, 'UTF8')), :uid, :hid, '127.0.0.1'::inet, now() + make_interval(secs => 43200)) RETURNING fc_ts(expires_at);
EOF
    cat >"$WORK/login.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"$LOGIN_USER","password":"$LOGIN_PASS"}'
EOF
    cat >"$WORK/pms.lua" <<EOF
local f = assert(io.open("$WORK/hotel.json", "rb"))
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "$FACECLOCK_ADMIN_KEY"
wrk.body = f:read("*a")
f:close()
EOF
}

# --------------------------------------------------------------- measuring

# to_ms 4.36ms|812.00us|1.02s -> milliseconds
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
        else printf "?" }'
}

# run_wrk LABEL URL [LUA] — one table row; sets LAST_RPS.
run_wrk() {
    local label=$1 url=$2 lua=${3:-} out=$WORK/wrk.out rps p50 p99 bad errs
    local args=(-t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency)
    [[ -n $lua ]] && args+=(-s "$lua")
    # Warm-up, not counted: every worker prepares its statements and loads
    # what it caches (a hotel's faces) on its first requests.
    if (( WARMUP > 0 )); then
        wrk -t2 -c"$CONNS" -d"${WARMUP}s" --timeout 10s ${lua:+-s "$lua"} "$url" >/dev/null 2>&1 || true
        settle
    fi
    steal_mark
    cpu_mark
    local TIMEFORMAT='%3U %3S' took=$WORK/wrk.time
    { time wrk "${args[@]}" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed for $label"; }; } 2>"$took"
    cpu_take "$(awk '/ requests in / {print $1}' "$out")" "$(awk '{print $1 + $2}' "$took")"
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
    bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
    bad=${bad:-0}
    errs=$(awk '/Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i } END { print n + 0 }' "$out")
    (( errs == 0 )) || bad="$bad+${errs}err"
    [[ -n ${QUIET:-} ]] || row "$label" "$rps" "$p50" "$p99" "$bad" "$(steal_pct)"
    LAST_RPS=$rps LAST_P50=$p50 LAST_P99=$p99 LAST_BAD=$bad
    settle
}

# ------------------------------------------- CPU per request per process set

# tree_cpu ROOT [WHICH] — user + system clock ticks into CPU of process
# ROOT, of the children it has reaped (cutime + cstime: a PostgreSQL
# backend that ended, a recycled worker) and of its live children; WHICH
# "workers" keeps only the children that are not services (comm "svc:*"),
# "services" only those (ROOT's own ticks left out). 0 when ROOT is none.
tree_cpu() {
    local root=$1 which=${2:-all} pid comm stat total=0
    local -a f
    CPU=0
    [[ -n $root ]] || return 0
    { read -r stat <"/proc/$root/stat"; } 2>/dev/null || return 0   # not $(<...): fatal under set -e when gone
    read -r -a f <<<"${stat##*) }"                # f[0] is field 3, as in cpu_of
    [[ $which == services ]] || total=$(( f[11] + f[12] + f[13] + f[14] ))   # fields 14-17
    for pid in $(cat "/proc/$root/task/$root/children" 2>/dev/null); do
        { read -r comm <"/proc/$pid/comm"; } 2>/dev/null || continue
        case $which in
            workers) [[ $comm != svc:* ]] || continue ;;
            services) [[ $comm == svc:* ]] || continue ;;
        esac
        cpu_of "$pid" && total=$(( total + CPU ))
    done
    CPU=$total
}

# The process sets of the stack whose CPU a request costs: the whole
# PostgreSQL cluster (postmaster and every backend and helper), the
# FastCGI workers (with their master), faceclock's services (the events
# publisher's work follows each scan), nginx (master and workers).
CPU_SETS=(postgres workers services nginx)
declare -A CPU0 CPU_D
cpu_read() {       # cpu_read SET -> CPU
    case $1 in
        postgres) tree_cpu "$(read_pid "$FC_VAR/pids/postgres.pid")" ;;
        workers) tree_cpu "$(read_pid "$FC_VAR/pids/faceclock.pid")" workers ;;
        services) tree_cpu "$(read_pid "$FC_VAR/pids/faceclock.pid")" services ;;
        nginx) tree_cpu "$(nginx_pid)" ;;
    esac
}
# cpu_mark — every set's ticks now; cpu_take REQS LOADGEN_SECONDS — the
# ticks since into CPU_D[set], the load generator's seconds into
# CPU_D[wrk] (as ticks), REQS into LAST_REQS.
cpu_mark() {
    local set
    for set in "${CPU_SETS[@]}"; do cpu_read "$set"; CPU0[$set]=$CPU; done
}
cpu_take() {
    local set
    for set in "${CPU_SETS[@]}"; do cpu_read "$set"; CPU_D[$set]=$(( CPU - CPU0[$set] )); done
    CPU_D[wrk]=$(awk -v s="${2:-0}" -v hz="$HZ" 'BEGIN { printf "%d", s * hz + 0.5 }')
    LAST_REQS=${1:-0}
}
HZ=$(getconf CLK_TCK)
# us_per TICKS N — microseconds of CPU per request
us_per() { awk -v d="$1" -v hz="$HZ" -v n="$2" 'BEGIN { printf "%.0f", (n > 0 ? d / hz * 1e6 / n : 0) }'; }

# run_cpu LABEL URL [LUA] — run_wrk's row, then the CPU the faceclock
# workers spent per request during it. Sets LAST_US.
run_cpu() {
    WARMUP=0 run_wrk "$@"
    LAST_US=$(awk -v d="${CPU_D[workers]}" -v hz="$HZ" -v n="$LAST_REQS" \
        'BEGIN { printf "%.1f", (n > 0 ? d / hz * 1e6 / n : 0) }')
    echo "    worker CPU per request: $LAST_US us (${CPU_D[workers]} ticks over $LAST_REQS requests)"
}

# bench_idem — `scripts/bench.sh idem`: what an Idempotency-Key costs a
# scan, in CPU per request of the workers (run_cpu) and of PostgreSQL.
bench_idem() {
    local url=$BASE_URL/api/staff/hotel/clock-bench/attendance/clock-logs/face-clock-in/
    local lua plain_w plain_pg keyed_w keyed_pg
    mkdir -p "$WORK"
    python3 tests/bench/clock_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" clock-bench "$WORK" "$NSTAFF" ||
        die "could not prepare the face-clock-in benchmark"
    say "wrk -t2 -c$CONNS -d${DURATION}s; $(nproc) cores, $(worker_pids | wc -w) faceclock workers"
    row "endpoint" "req/s" "p50 ms" "p99 ms" "non-2xx" "steal"
    row "--------" "-----" "------" "------" "-------" "-----"
    # not counted: each worker prepares its statements and loads the hotel's faces
    wrk -t2 -c"$CONNS" -d3s --timeout 10s -s "$WORK/clock.lua" "$url" >/dev/null 2>&1 || true
    for lua in clock clock_keyed ${IDEM_REPEAT:+clock clock_keyed}; do
        run_cpu "POST face-clock-in ($lua.lua)" "$url" "$WORK/$lua.lua"   # CPU_D of every set (cpu_take)
        PG_US=$(us_per "${CPU_D[postgres]}" "$LAST_REQS")
        echo "    PostgreSQL CPU per request: $PG_US us"
        if [[ $lua == clock ]]; then plain_w=$LAST_US; plain_pg=$PG_US; else keyed_w=$LAST_US; keyed_pg=$PG_US; fi
    done
    awk -v a="$plain_w" -v b="$keyed_w" -v c="$plain_pg" -v d="$keyed_pg" 'BEGIN {
        printf "an Idempotency-Key on every scan: worker %+.0f us (x%.2f), PostgreSQL %+.0f us (x%.2f) per scan\n",
            b - a, (a > 0 ? b / a : 0), d - c, (c > 0 ? d / c : 0) }'
    # the round trips a key adds, counted (PostgreSQL's wakeups and top-level
    # statements per scan): steadier on a noisy host than its CPU
    for lua in clock clock_keyed; do
        echo; echo "== $lua.lua"
        bench_where "$url" "$WORK/$lua.lua"
    done
}

# bench_auth — `scripts/bench.sh auth`: a hotel with one kiosk, then what a
# request without a credential and one with a wrong key for that kiosk's id
# cost the workers.
bench_auth() {
    local slug=auth-bench code kid
    mkdir -p "$WORK"
    python3 tests/bench/gen_hotel.py json "$slug" 1 >"$WORK/auth-hotel.json"
    code=$(curl -s -o "$WORK/put.out" -w '%{http_code}' -X PUT --max-time 60 \
        -H "X-API-Key: $FACECLOCK_ADMIN_KEY" -H 'Content-Type: application/json' \
        --data-binary @"$WORK/auth-hotel.json" "$BASE_URL/api/staff/hotel/$slug/pms-sync/") || code=000
    [[ $code == 200 ]] || die "pms-sync of $slug answered $code: $(head -c 300 "$WORK/put.out")"
    kid=$(curl -fsS -X POST --max-time 10 -H "X-API-Key: $FACECLOCK_ADMIN_KEY" \
        -H 'Content-Type: application/json' --data '{"name":"auth bench"}' \
        "$BASE_URL/api/staff/hotel/$slug/kiosks/" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])') ||
        die "could not make a kiosk"
    printf 'wrk.headers["X-API-Key"] = "kio_%s_%s"\n' "$kid" "$(printf '0%.0s' {1..64})" >"$WORK/badkey.lua"
    say "wrk -t2 -c$CONNS -d${DURATION}s; $(nproc) cores, $(worker_pids | wc -w) faceclock workers"
    row "endpoint" "req/s" "p50 ms" "p99 ms" "non-2xx" "steal"
    row "--------" "-----" "------" "------" "-------" "-----"
    run_cpu "GET /api/auth/me, no credential (401)" "$BASE_URL/api/auth/me"
    run_cpu "GET /api/auth/me, wrong key of kiosk $kid (401)" "$BASE_URL/api/auth/me" "$WORK/badkey.lua"
    echo "(target: under 50 us of worker CPU per request)"
}

# bench_flood — face-clock-in alone, beside FLOOD_RATE (200) requests a
# second with a wrong key for the bench kiosk's id from one client
# (tests/bench/flood.py), and alone again; prints the share of its rate the
# scans keep against the mean of the two runs alone (the issue's target: at
# least 90 %), and the workers' CPU per request of each run. Needs
# clock_bench.py's setup.
bench_flood() {
    local rate=${FLOOD_RATE:-200} kid a1 a2 with url
    url=$BASE_URL/api/staff/hotel/clock-bench/attendance/clock-logs/face-clock-in/
    kid=$(grep -o "kio_[0-9]*" "$WORK/clock.lua" | head -1)
    [[ -n $kid ]] || die "no kiosk key in $WORK/clock.lua"
    run_cpu "POST face-clock-in ($NSTAFF staff), alone" "$url" "$WORK/clock.lua";     a1=$LAST_RPS
    python3 tests/bench/flood.py "$BASE_URL/api/auth/me" "${kid}_$(printf '0%.0s' {1..64})" "$rate" \
        $(( DURATION + 1 )) >"$WORK/flood.out" 2>&1 &
    local flood=$!
    run_cpu "POST face-clock-in, $rate bad-key req/s beside" "$url" "$WORK/clock.lua"; with=$LAST_RPS
    wait "$flood" || true
    echo "    $(<"$WORK/flood.out")"
    run_cpu "POST face-clock-in ($NSTAFF staff), alone again" "$url" "$WORK/clock.lua"; a2=$LAST_RPS
    echo "    scans keep $(awk -v a="$a1" -v b="$a2" -v w="$with" 'BEGIN { m = (a + b) / 2; printf "%.0f", (m > 0 ? 100 * w / m : 0) }') % of their rate beside the flood (target: at least 90 %)"
}

# ------------------------------------------ the cost of a scan (issue 15)

# cost_row LABEL — the last run (run_wrk or run_pgbench) as a row: rate,
# latency and the CPU per request of each process set, in microseconds;
# "stack" sums the sets (the load generator apart).
cost_row() {
    local set total=0 cells=()
    for set in "${CPU_SETS[@]}"; do
        cells+=("$(us_per "${CPU_D[$set]}" "$LAST_REQS")")
        total=$(( total + CPU_D[$set] ))
    done
    cost_line "$1" "$(printf '%.0f' "$LAST_RPS")" "$LAST_P50" "$LAST_P99" "${cells[@]}" \
        "$(us_per "$total" "$LAST_REQS")" "$(us_per "${CPU_D[wrk]}" "$LAST_REQS")" "$(steal_pct)"
    COST_PG=${cells[0]} COST_WORKERS=${cells[1]} COST_STACK=$(us_per "$total" "$LAST_REQS")
}
cost_line() { printf '%-38s %7s %7s %7s %8s %7s %8s %6s %6s %6s %5s\n' "$@"; }

# psql_as_owner DB ARGS... — psql as the cluster's owner on database DB.
psql_as_owner() {
    local db=$1
    shift
    PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" "$FACECLOCK_MIGRATE_URL dbname=$db" -X -q -At \
        -v ON_ERROR_STOP=1 "$@"
}

# pg_tracking on|off — pg_stat_statements (with planning) and PL function
# timing for the whole cluster, by ALTER SYSTEM and a reload: the workers'
# connections follow without reconnecting. Off again when the bench ends.
pg_tracking() {
    if [[ $1 == on ]]; then
        psql_as_owner postgres -c "ALTER SYSTEM SET pg_stat_statements.track = 'all'" \
            -c "ALTER SYSTEM SET pg_stat_statements.track_planning = on" \
            -c "ALTER SYSTEM SET track_functions = 'pl'" -c "SELECT pg_reload_conf()" >/dev/null
    else
        psql_as_owner postgres -c "ALTER SYSTEM RESET pg_stat_statements.track" \
            -c "ALTER SYSTEM RESET pg_stat_statements.track_planning" \
            -c "ALTER SYSTEM RESET track_functions" -c "SELECT pg_reload_conf()" >/dev/null
    fi
    sleep 0.2      # the reload reaches every backend at its next command
}

# pg_children_ticks — "kind ticks voluntary-switches" of each live process
# of the cluster (kind: "backend" for a client's, else its title: walwriter,
# checkpointer, autovacuum ...).
pg_children_ticks() {
    local pm pid title kind
    pm=$(read_pid "$FC_VAR/pids/postgres.pid")
    for pid in $(cat "/proc/$pm/task/$pm/children" 2>/dev/null); do
        title=$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || continue
        title=${title#postgres: }
        case $title in
            faceclock_app\ *|fc_owner\ *) kind=backend ;;
            *) kind=${title%"${title##*[! ]}"}; kind=${kind// /_} ;;   # padding trimmed
        esac
        cpu_of "$pid" || continue
        printf '%s %s %s %s\n' "$pid" "$kind" "$CPU" \
            "$(awk '/^voluntary_ctxt_switches:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
    done
}

# bench_where URL LUA — where PostgreSQL's CPU per scan goes, measured over
# one run of wrk -c16: per process of the cluster, per statement
# (pg_stat_statements: executor and planner time per scan; the nested
# statements of triggers and functions indented) and per PL function (self
# time), and the round trips: top-level statements per scan and the
# backends' wakeups (voluntary context switches) per scan. Times are the
# statements' own clocks (wall time inside PostgreSQL, on idle cores close
# to CPU); what they do not cover — parsing the protocol, commit and WAL,
# the wakeups — is the remainder to the cluster's measured CPU.
bench_where() {
    local url=$1 lua=$2 n pm before after
    if [[ $(psql_as_owner postgres -c "SHOW shared_preload_libraries") != *pg_stat_statements* ]]; then
        echo "(where PostgreSQL's time goes: skipped; the stack's cluster was started without PG_STATEMENTS=1)"
        return 0
    fi
    psql_as_owner postgres -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
    pg_tracking on
    PG_TRACKING=1
    psql_as_owner postgres -c "SELECT pg_stat_statements_reset()" >/dev/null
    psql_as_owner "$(db_name)" -c "SELECT pg_stat_reset()" >/dev/null
    pg_children_ticks >"$WORK/pg_before"
    CONNS=16 WARMUP=0 QUIET=1 run_wrk "scan, tracked" "$url" "$lua"
    pg_children_ticks >"$WORK/pg_after"
    pg_tracking off
    PG_TRACKING=""
    n=$LAST_REQS
    echo
    echo "where PostgreSQL's time goes, per scan ($n scans at 16 connections, statements tracked; $(printf '%.0f' "$LAST_RPS") scans/s):"
    awk -v n="$n" -v hz="$HZ" -v total="${CPU_D[postgres]}" -v cs0="$(awk '{s += $4} END {print s + 0}' "$WORK/pg_before")" '
        FNR == NR { t0[$1] = $3; v0[$1] = $4; next }
        { d = $3 - t0[$1]; ticks[$2] += d; sum += d; vol += $4 - v0[$1] }
        END {
            printf "  %-40s %8s\n", "process of the cluster", "us/scan"
            for (k in ticks) if (ticks[k] > 0) printf "  %-40s %8.0f\n", k, ticks[k] / hz * 1e6 / n
            printf "  %-40s %8.0f\n", "ended meanwhile, and the postmaster", (total - sum) / hz * 1e6 / n
            printf "  %-40s %8.0f\n", "all of the cluster", total / hz * 1e6 / n
            printf "  wakeups of PostgreSQL processes (voluntary context switches): %.1f per scan\n", vol / n
        }' "$WORK/pg_before" "$WORK/pg_after"
    psql_as_owner postgres -F '|' -c "
        SELECT s.toplevel, s.calls, s.total_exec_time, s.total_plan_time,
               left(regexp_replace(s.query, '\s+', ' ', 'g'), 200)
        FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = '$(db_name)' ORDER BY s.total_exec_time + s.total_plan_time DESC" >"$WORK/statements"
    awk -F'|' -v n="$n" '
        BEGIN { printf "  %-74s %6s %8s %8s\n", "statement (nested ones indented)", "calls", "exec us", "plan us" }
        { top = $1 == "t"; q = $5; if (length(q) > (top ? 74 : 72)) q = substr(q, 1, top ? 71 : 69) "..."
          if (top) { rt += $2; ex += $3; pl += $4 }
          if (++shown <= 14 && ($3 + $4) * 1000 / n >= 0.5)
              printf "  %s%-*s %6.2f %8.1f %8.1f\n", top ? "" : "  ", top ? 74 : 72, q, $2 / n, $3 * 1000 / n, $4 * 1000 / n }
        END { printf "  %-74s %6.2f %8.1f %8.1f\n", "top-level statements: round trips and their time", rt / n, ex * 1000 / n, pl * 1000 / n }' \
        "$WORK/statements"
    psql_as_owner "$(db_name)" -F '|' -c "
        SELECT funcname, calls, self_time, total_time FROM pg_stat_user_functions ORDER BY self_time DESC LIMIT 8" |
        awk -F'|' -v n="$n" '
            NR == 1 { printf "  %-40s %6s %8s %8s\n", "PL/pgSQL function", "calls", "self us", "total us" }
            { printf "  %-40s %6.2f %8.1f %8.1f\n", $1, $2 / n, $3 * 1000 / n, $4 * 1000 / n }'
}

db_name() { sed -n 's/.*dbname=\([^ ]*\).*/\1/p' <<<"$DATABASE_URL"; }

# bench_cost — `scripts/bench.sh cost`, and a part of `make bench`: CPU per
# request per process set for /healthz (a reference) and face-clock-in at
# BENCH_CONNECTIONS and at 16 connections, beside the pgbench run of the
# scan's statements (PostgreSQL's CPU per bare transaction), then where
# PostgreSQL's time goes (bench_where). Needs clock_bench.py's setup.
bench_cost() {
    local url=$BASE_URL/api/staff/hotel/clock-bench/attendance/clock-logs/face-clock-in/
    echo
    echo "CPU per request, us: /proc utime+stime of each process set over the measured run"
    echo "(postgres: the whole cluster; workers: FastCGI workers and master; services: svc:*; stack: those four)"
    cost_line "endpoint" "req/s" "p50 ms" "p99 ms" "postgres" "workers" "services" "nginx" "stack" "wrk" "steal"
    CONNS=$CONNS QUIET=1 run_wrk "healthz" "$BASE_URL/healthz"
    cost_row "GET /healthz (c$CONNS)"
    QUIET=1 run_wrk "scan" "$url" "$WORK/clock.lua"
    cost_row "POST face-clock-in (c$CONNS)"
    CONNS=16 QUIET=1 run_wrk "scan" "$url" "$WORK/clock.lua"
    cost_row "POST face-clock-in (c16)"
    local p99_16=$LAST_P99 pg=$COST_PG workers=$COST_WORKERS stack=$COST_STACK
    QUIET=1 run_pgbench "pgbench" "$WORK/clock.sql"
    cost_row "  pgbench: the scan's SQL (c2; wrk=pgbench)"
    echo "face-clock-in at 16 connections: $stack us across the stack (target <= 450), PostgreSQL $pg (<= 250)," \
        "workers $workers (<= 100); p99 $p99_16 ms (< 25); PostgreSQL per bare transaction in pgbench: $COST_PG us"
    bench_where "$url" "$WORK/clock.lua"
}

# bench_live — face-clock-in alone, then beside LIVE_SUBSCRIBERS open SSE
# subscribers over LIVE_HOTELS hotels, the clock bench's hotel among them,
# held by tests/bench/live_bench.py (which also probes LIVE_PROBE_RATE scans
# a second and times their events), and alone again; prints what the
# subscribers saw, the event latency and the share of its rate the scans
# keep. Needs clock_bench.py's setup.
bench_live() {
    local n=${LIVE_SUBSCRIBERS:-500} hotels=${LIVE_HOTELS:-20} rate=${LIVE_PROBE_RATE:-10} url a1 a2 with i
    url=$BASE_URL/api/staff/hotel/clock-bench/attendance/clock-logs/face-clock-in/
    python3 tests/bench/live_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" "$WORK" "$hotels" ||
        die "could not prepare the live events benchmark"
    run_wrk "POST face-clock-in ($NSTAFF staff), alone" "$url" "$WORK/clock.lua";          a1=$LAST_RPS
    rm -f "$WORK/live_ready"
    python3 tests/bench/live_bench.py run "$BASE_URL" "$WORK" "$n" $(( WARMUP + DURATION + 8 )) "$rate" \
        >"$WORK/live.out" 2>&1 &
    local live=$!
    for (( i = 0; i < 600; i++ )); do
        [[ -s $WORK/live_ready ]] && break
        pid_alive "$live" || break
        sleep 0.1
    done
    [[ -s $WORK/live_ready ]] || { cat "$WORK/live.out" >&2; die "the live subscribers did not open"; }
    run_wrk "POST face-clock-in, $(<"$WORK/live_ready") SSE subscribers open" "$url" "$WORK/clock.lua"; with=$LAST_RPS
    wait "$live" || { cat "$WORK/live.out" >&2; die "the live events benchmark failed"; }
    echo "    $(<"$WORK/live.out")"
    run_wrk "POST face-clock-in ($NSTAFF staff), alone again" "$url" "$WORK/clock.lua";    a2=$LAST_RPS
    echo "    scans keep $(awk -v a="$a1" -v b="$a2" -v w="$with" 'BEGIN { m = (a + b) / 2; printf "%.0f", (m > 0 ? 100 * w / m : 0) }') % of their rate beside $n subscribers (target: at least 90 %)"
}

# audit_page_row LABEL URL — run_wrk's row at AUDIT_CONNS (4) connections
# after a warm-up, then the CPU per page of the faceclock workers and of
# PostgreSQL over the run, from /proc. Sets LAST_US (their sum).
audit_page_row() {
    wrk -t2 -c"${AUDIT_CONNS:-4}" -d"${WARMUP}s" -s "$WORK/audit.lua" "$2" >/dev/null 2>&1 || true
    WARMUP=0 CONNS=${AUDIT_CONNS:-4} run_wrk "$1" "$2" "$WORK/audit.lua"    # CPU_D of every set (cpu_take)
    local w=${CPU_D[workers]} pg=${CPU_D[postgres]} reqs=$LAST_REQS
    LAST_US=$(us_per $(( w + pg )) "$reqs")
    echo "    CPU per page: worker $(us_per "$w" "$reqs") us + PostgreSQL $(us_per "$pg" "$reqs") us = $LAST_US us ($reqs requests; target <= 400 us)"
}

# bench_audit_page — `scripts/bench.sh audit` (and `make bench`): the
# audit page at BENCH_AUDIT_ROWS rows (issue 15): the first page, a keyset
# page half way down (its cursor reached by following Link rel="next"),
# and a page filtered by staff member and action.
bench_audit_page() {
    local rows deep
    rows=$(<"$WORK/audit_rows")
    AUDIT_TOKEN=$(<"$WORK/audit_token")
    deep=$(python3 tests/bench/audit_bench.py deep "$BASE_URL" "$AUDIT_SLUG" "$WORK" $(( rows / 2 ))) ||
        die "could not walk to the middle of the audit log"
    echo "audit page at $rows rows (wrk -c${AUDIT_CONNS:-4}):"
    audit_page_row "face-audit-logs: first page (100 rows)" "$AUDIT_URL?limit=100"
    audit_page_row "face-audit-logs: keyset page at row $(( rows / 2 ))" "$BASE_URL$deep"
    audit_page_row "face-audit-logs: staff_id + action filter" "$AUDIT_URL?staff_id=30002&action=REVOKED&limit=100"
    audit_page_row "face-audit-logs: from= bound (capped count)" \
        "$AUDIT_URL?from=$(date -u -d '-20 days' +%Y-%m-%dT%H:%M:%SZ)&limit=100"
    audit_page_row "action-audit-logs: first page (100 rows)" \
        "$BASE_URL/api/staff/hotel/$AUDIT_SLUG/action-audit-logs/?limit=100"
}

# bench_fleet — FLEET_DEVICES cameras on mosquitto, a revocation in each of
# FLEET_HOTELS hotels, the fan-out's latency and the server's CPU during it
# (tests/bench/fleet_bench.py prints the figures).
bench_fleet() {
    local n=${FLEET_DEVICES:-2000} hotels=${FLEET_HOTELS:-4} sample=${FLEET_SAMPLE:-200}
    [[ -n ${MQTT_URL:-} ]] || { warn "fleet: the stack has no MQTT broker (scripts/deps.sh installs mosquitto): row skipped"; return 0; }
    mkdir -p "$WORK"
    say "fleet: $n devices over $hotels hotels on $MQTT_URL; $(nproc) cores"
    python3 tests/bench/fleet_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" "$WORK" "$n" "$hotels" ||
        die "could not prepare the fleet benchmark"
    python3 tests/bench/fleet_bench.py run "$BASE_URL" "$MQTT_URL" "$WORK" "$n" "$sample" ||
        die "the fleet benchmark failed (not every device got the revocation)"
}

# activity — a text that changes whenever a faceclock worker runs.
activity() {
    local pid line sig=""
    for pid in $(worker_pids); do
        if [[ -r /proc/$pid/schedstat ]]; then
            { read -r line <"/proc/$pid/schedstat"; } 2>/dev/null || line=gone
        else
            line=$(grep ctxt_switches "/proc/$pid/status" 2>/dev/null) || line=gone
        fi
        sig+="$pid:$line;"
    done
    printf '%s' "$sig"
}

# settle — when wrk stops, the requests it left queued (up to one per
# connection: seconds of work for a slow endpoint) are still being served.
# Wait until no worker has run for 0.25 s (at most 30 s), so that they do
# not share the machine with the next measurement (its pgbench ceiling).
settle() {
    local i now prev=""
    for (( i = 0; i < 120; i++ )); do
        now=$(activity)
        [[ $now == "$prev" ]] && return 0
        prev=$now
        sleep 0.25
    done
    say "the workers are still busy 30 s after wrk ended; going on"
}

# run_pgbench LABEL SCRIPT — one table row from pgbench's per-transaction log.
run_pgbench() {
    local label=$1 script=$2 out=$WORK/pgbench.out prefix=$WORK/pgb tps p50 p99 failed
    rm -f "$prefix".*
    steal_mark
    cpu_mark
    local TIMEFORMAT='%3U %3S' took=$WORK/pgbench.time
    { time (cd "$WORK" && "$PG_BIN/pgbench" -n -M prepared -c2 -j2 -T"$DURATION" -l --log-prefix="$prefix" \
        -f "$script" "$DATABASE_URL") >"$out" 2>&1 || { cat "$out" >&2; die "pgbench failed for $label"; }; } 2>"$took"
    cpu_take "$(awk '/number of transactions actually processed:/ {print $NF}' "$out")" "$(awk '{print $1 + $2}' "$took")"
    tps=$(awk '/^tps = / {print $3; exit}' "$out")
    failed=$(awk '/number of failed transactions:/ {print $5}' "$out")
    # log lines: client_id transaction_no time_us script_no epoch epoch_us
    read -r p50 p99 < <(cat "$prefix".* | awk '{print $3}' | sort -n | awk '
        { v[NR] = $1 } END {
            if (NR == 0) { print "? ?"; exit }
            i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
            i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
            printf "%.3f %.3f\n", v[i50] / 1000, v[i99] / 1000 }')
    rm -f "$prefix".*
    [[ -n ${QUIET:-} ]] || row "$label" "$(printf '%.1f' "$tps")" "$p50" "$p99" "${failed:-0}" "$(steal_pct)"
    LAST_TPS=$tps LAST_RPS=$tps LAST_P50=$p50 LAST_P99=$p99 LAST_BAD=${failed:-0}
}

# steal_mark / steal_pct — the share of the machine's CPU time the host
# took (the "steal" of /proc/stat) between the two calls: on a shared
# virtual machine every figure is only worth as much as the cores it got.
steal_mark() { read -r _ STEAL0_U STEAL0_N STEAL0_S STEAL0_I STEAL0_W STEAL0_Q STEAL0_SQ STEAL0_ST _ </proc/stat; }
steal_pct() {
    local _ u n s i w q sq st
    read -r _ u n s i w q sq st _ </proc/stat
    awk -v u=$((u - STEAL0_U)) -v n=$((n - STEAL0_N)) -v s=$((s - STEAL0_S)) -v i=$((i - STEAL0_I)) \
        -v w=$((w - STEAL0_W)) -v q=$((q - STEAL0_Q)) -v sq=$((sq - STEAL0_SQ)) -v st=$((st - STEAL0_ST)) \
        'BEGIN { t = u + n + s + i + w + q + sq + st; printf "%.0f%%", (t > 0 ? 100 * st / t : 0) }'
}

# disk_probe — how many 8 KiB write + fdatasync() pairs one second holds,
# in the cluster's data directory: every face-clock-in commits with one, so
# its figures hold only beside the disk's speed at the time (on a shared
# virtual disk this swings from ~15 000/s to ~100/s when throttled).
disk_probe() {
    python3 - "$FC_VAR/pg" <<'PY'
import os, sys, time
path = os.path.join(sys.argv[1], "bench-fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
block, n, t0 = b"\0" * 8192, 0, time.monotonic()
try:
    while time.monotonic() - t0 < 1.0:
        os.pwrite(fd, block, 0)
        os.fdatasync(fd)
        n += 1
finally:
    os.close(fd)
    os.unlink(path)
el = time.monotonic() - t0
print("%.0f fdatasync/s (%.0f us each)" % (n / el, 1e6 * el / max(n, 1)))
PY
}

row() { printf '%-44s %10s %9s %9s %8s %6s\n' "$1" "$2" "$3" "$4" "$5" "${6:-}"; }

# rss_table WHEN — resident and proportional memory of each worker.
rss_table() {
    local pid rss pss
    for pid in $(worker_pids); do
        rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
        pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo "?")
        printf '  worker %-8s %-12s RSS %6.1f MiB   PSS %6.1f MiB\n' "$pid" "$1" \
            "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" "$(awk -v k="$pss" 'BEGIN {print k / 1024}')"
    done
}

# ----------------------------------------------------- the audit CSV export

# rss_of PID — VmRSS in KiB into RSS (no fork: polled every 50 ms); 1 when
# the process is gone.
rss_of() {
    local k v _
    RSS=0
    [[ -r /proc/$1/status ]] || return 1
    while read -r k v _; do
        [[ $k == VmRSS: ]] && { RSS=$v; return 0; }
    done <"/proc/$1/status" 2>/dev/null
    return 1
}

# cpu_of PID — user + system clock ticks so far into CPU.
cpu_of() {
    local stat
    local -a f
    CPU=0
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1       # not $(<...): fatal under set -e when gone
    read -r -a f <<<"${stat##*) }"                # f[0] is field 3 (state)
    CPU=$(( f[11] + f[12] ))                      # fields 14 and 15
}

num_lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# export_once — one ?format=csv of the whole audit log through nginx while
# every worker's VmRSS is sampled every 50 ms. The worker that served it is
# the one whose CPU time grew most. Sets EXP_SECS EXP_BYTES, and EXP_PID
# EXP_RSS_IDLE EXP_RSS_MAX (KiB) of that worker.
export_once() {
    local out=$WORK/export.curl pid curl_pid code d best=-1
    local -a pids
    local -A idle peak cpu0
    read -r -a pids <<<"$(worker_pids)"
    (( ${#pids[@]} > 0 )) || die "no faceclock workers"
    for pid in "${pids[@]}"; do
        rss_of "$pid" || true; idle[$pid]=$RSS; peak[$pid]=$RSS
        cpu_of "$pid" || true; cpu0[$pid]=$CPU
    done
    : >"$out"
    curl -s --max-time 120 -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' \
        -H "Authorization: Bearer $AUDIT_TOKEN" "$AUDIT_URL?format=csv" >"$out" &
    curl_pid=$!
    while kill -0 "$curl_pid" 2>/dev/null; do
        for pid in "${pids[@]}"; do
            rss_of "$pid" && (( RSS > peak[$pid] )) && peak[$pid]=$RSS
        done
        sleep 0.05
    done
    wait "$curl_pid" || die "curl of the CSV export failed (exit $?)"
    read -r code EXP_SECS EXP_BYTES <"$out"
    [[ $code == 200 ]] || die "the CSV export answered $code"
    for pid in "${pids[@]}"; do
        cpu_of "$pid" || continue
        d=$(( CPU - cpu0[$pid] ))
        if (( d > best )); then
            best=$d EXP_PID=$pid EXP_RSS_IDLE=${idle[$pid]} EXP_RSS_MAX=${peak[$pid]}
        fi
    done
}

# psql_copy_secs SELECT [SET-STATEMENT] — seconds psql takes to \copy the
# rows of SELECT to /dev/null as CSV with a header, inside one transaction
# after SET-STATEMENT (as attendance/export_store.c does). Prints the seconds.
psql_copy_secs() {
    local select=$1 set=${2:-SELECT 1} t0 t1
    t0=$EPOCHREALTIME
    "$PG_BIN/psql" "$FACECLOCK_MIGRATE_URL" -X -q -v ON_ERROR_STOP=1 -c BEGIN -c "$set" \
        -c "\\copy ($select) to '/dev/null' with (format csv, header)" -c COMMIT >/dev/null ||
        die "psql \\copy of the audit rows failed"
    t1=$EPOCHREALTIME
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

bench_export() {
    local set select literal rows i secs best_curl="" best_psql="" bytes=0 max=0 before=0 pid="" cpu_curl cpu_psql
    set=$(<"$WORK/export_set.sql")
    select=$(<"$WORK/export_select.sql")
    literal=$(<"$WORK/export_literal.sql")
    rows=$(<"$WORK/audit_rows")
    say "CSV export of $rows audit rows: $EXPORT_RUNS x curl through nginx, $EXPORT_RUNS x psql \\copy (best of each)"
    for (( i = 0; i < EXPORT_RUNS; i++ )); do
        bulk_mark
        secs=$(psql_copy_secs "$select" "$set")
        sleep 0.3                       # its backend ends after psql: reaped, it counts
        bulk_cpu
        if [[ -z $best_psql ]] || num_lt "$secs" "$best_psql"; then
            best_psql=$secs cpu_psql=$BULK_CPU
        fi
        bulk_mark
        export_once
        bulk_cpu
        if [[ -z $best_curl ]] || num_lt "$EXP_SECS" "$best_curl"; then
            best_curl=$EXP_SECS bytes=$EXP_BYTES cpu_curl=$BULK_CPU
        fi
        # the highest peak of any run, beside that worker's memory before it
        if (( EXP_RSS_MAX > max )); then
            max=$EXP_RSS_MAX before=$EXP_RSS_IDLE pid=$EXP_PID
        fi
    done
    secs=$(psql_copy_secs "$literal")
    awk -v n="$rows" -v c="$best_curl" -v y="$bytes" -v p="$best_psql" 'BEGIN {
        printf "CSV export of %d audit rows: %.2f s (%.0f MB) vs psql \\copy %.2f s -> %.0f%% of \\copy speed (target >= 80%%: %s)\n",
            n, c, y / 1e6, p, (c > 0 ? 100 * p / c : 0), (c > 0 && p / c >= 0.8 ? "ok" : "MISSED") }'
    BULK_CPU=$cpu_curl; bulk_row "  the export through nginx (best)" "$best_curl" ""
    BULK_CPU=$cpu_psql; bulk_row "  psql \\copy of the same SELECT (best)" "$best_psql" ""
    printf 'worker RSS during export: max %s MiB (idle %s MiB)   [worker %s, VmRSS every 50 ms]\n' \
        "$(mib "$max")" "$(mib "$before")" "$pid"
    printf '  (psql \\copy of the same rows with the filters as literals, the planner choosing: %.2f s)\n' "$secs"
}

# ------------------------------------------------- bulk work (issue 15)

# bulk_mark / bulk_cpu — the CPU milliseconds of each process set
# (cpu_mark / cpu_take above) since bulk_mark, as
# "postgres N  worker N  nginx N" into BULK_CPU.
bulk_mark() { cpu_mark; }
bulk_cpu() {
    cpu_take
    BULK_CPU=$(awk -v p="${CPU_D[postgres]}" -v w="${CPU_D[workers]}" -v n="${CPU_D[nginx]}" -v hz="$HZ" \
        'BEGIN { printf "postgres %5.0f  worker %4.0f  nginx %4.0f", 1e3 * p / hz, 1e3 * w / hz, 1e3 * n / hz }')
}

# bulk_row LABEL SECS VERDICT — one line: wall time, CPU ms (BULK_CPU), verdict.
bulk_row() { printf '%-42s %6.2f s   CPU ms: %s   %s\n' "$1" "$2" "$BULK_CPU" "$3"; }

under() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? "ok" : "MISSED") }'; }

# bulk_pms LABEL SLUG FILE SECTION — one PUT pms-sync of FILE through nginx;
# its row, and a check that every staff row counted under SECTION.
bulk_pms() {
    local label=$1 slug=$2 file=$3 section=$4 code secs n
    bulk_mark
    read -r code secs < <(curl -s -o "$WORK/bulk.out" -w '%{http_code} %{time_total}\n' -X PUT --max-time 120 \
        -H "X-API-Key: $FACECLOCK_ADMIN_KEY" -H 'Content-Type: application/json' \
        --data-binary @"$file" "$BASE_URL/api/staff/hotel/$slug/pms-sync/") || code=000
    bulk_cpu
    [[ $code == 200 ]] || die "$label answered $code: $(head -c 300 "$WORK/bulk.out")"
    n=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["staff"][sys.argv[2]])' \
        "$WORK/bulk.out" "$section")
    [[ $n == "$BULK_STAFF" ]] || die "$label: staff.$section is $n, not $BULK_STAFF"
    bulk_row "$label" "$secs" "$(under "$secs" 2) (target < 2 s)"
}

# bench_bulk — the PMS-sync rows (a new hotel each run: the first import is
# a real one) and the full sync pull. Needs sync_bench.py's setup.
bench_bulk() {
    local slug out secs
    slug=bulk-$(date +%s)
    BULK_STAFF=${BENCH_BULK_STAFF:-10000}
    python3 tests/bench/gen_hotel.py bulk "$slug" "$BULK_STAFF" a >"$WORK/bulk-a.json"
    python3 tests/bench/gen_hotel.py bulk "$slug" "$BULK_STAFF" b >"$WORK/bulk-b.json"
    say "bulk work: PMS sync of $BULK_STAFF staff through nginx (new hotel $slug, $(stat -c %s "$WORK/bulk-a.json") bytes), full sync pull of $SYNC_PROFILES profiles"
    bulk_pms "PUT pms-sync, $BULK_STAFF staff, first import" "$slug" "$WORK/bulk-a.json" created
    bulk_pms "PUT pms-sync, $BULK_STAFF staff, every row changed" "$slug" "$WORK/bulk-b.json" updated
    bulk_pms "PUT pms-sync, $BULK_STAFF staff, unchanged" "$slug" "$WORK/bulk-b.json" unchanged
    bulk_mark
    out=$(python3 tests/bench/sync_bench.py full "$BASE_URL" "$WORK") || die "full sync failed"
    bulk_cpu
    secs=${out%% s*}
    bulk_row "GET sync, full, $SYNC_PROFILES profiles" "$secs" "$(under "$secs" 2) (target < 2 s; ${out#* s  })"
}

# The in-memory 1:N match (handlers/attendance/match_rules.c), no stack involved: one line,
# beside a plain scalar loop over the same descriptors. Built with the
# Makefile's CFLAGS_R.
MATCH_BIN=$FC_ROOT/build/bench/match_bench
MATCH_CFLAGS=(-std=c11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
              -Ifcgi -Ihandlers -D_GNU_SOURCE)

bench_match() {
    mkdir -p "$(dirname "$MATCH_BIN")"
    cc "${MATCH_CFLAGS[@]}" -o "$MATCH_BIN" tests/bench/match_bench.c handlers/attendance/match_rules.c \
        handlers/attendance/descriptor_rules.c -ljson-c -lm || die "could not build tests/bench/match_bench.c"
    "$MATCH_BIN" || die "match_bench failed"
    echo "  (target: under 0.5 ms per scan)"
}

main() {
    command -v wrk >/dev/null || die "wrk not found (run scripts/deps.sh)"
    [[ -x $FC_BIN ]] || die "no faceclock binary at $FC_BIN (run make)"
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    if [[ ${1:-} == fleet ]]; then FLEET_ONLY=1; fi
    start_stack_if_needed
    set -a
    # shellcheck disable=SC1091
    . "$FC_VAR/env"
    set +a
    [[ -n ${PG_BIN:-} ]] || PG_BIN=/usr/lib/postgresql/15/bin
    if [[ ${1:-} == auth ]]; then
        bench_auth
        return 0
    fi
    if [[ ${1:-} == idem ]]; then
        bench_idem
        return 0
    fi
    if [[ ${1:-} == live ]]; then
        mkdir -p "$WORK"
        python3 tests/bench/clock_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" clock-bench "$WORK" "$NSTAFF" ||
            die "could not prepare the face-clock-in benchmark"
        say "wrk -t2 -c$CONNS -d${DURATION}s; $(nproc) cores, $(worker_pids | wc -w) faceclock workers"
        row "endpoint" "req/s" "p50 ms" "p99 ms" "non-2xx" "steal"
        bench_live
        return 0
    fi
    if [[ ${1:-} == fleet ]]; then
        bench_fleet
        return 0
    fi
    if [[ ${1:-} == cost ]]; then
        mkdir -p "$WORK"
        python3 tests/bench/clock_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" clock-bench "$WORK" "$NSTAFF" ||
            die "could not prepare the face-clock-in benchmark"
        say "wrk -t2 -d${DURATION}s, pgbench -c2 -T$DURATION; $(nproc) cores, $(worker_pids | wc -w) faceclock workers"
        bench_cost
        return 0
    fi
    if [[ ${1:-} == bulk ]]; then
        mkdir -p "$WORK"
        python3 tests/bench/sync_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" sync-bench "$WORK" "$SYNC_PROFILES" ||
            die "could not prepare the sync benchmark"
        python3 tests/bench/audit_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" "$AUDIT_SLUG" "$WORK" \
            "$AUDIT_ROWS" || die "could not prepare the face-audit-log benchmark"
        AUDIT_URL=$BASE_URL/api/staff/hotel/$AUDIT_SLUG/attendance/clock-logs/face-audit-logs/
        AUDIT_TOKEN=$(<"$WORK/audit_token")
        bench_bulk
        bench_export
        return 0
    fi
    if [[ ${1:-} == audit ]]; then
        mkdir -p "$WORK"
        say "face-audit-logs: hotel $AUDIT_SLUG with $AUDIT_ROWS audit rows, an hr user"
        python3 tests/bench/audit_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" "$AUDIT_SLUG" "$WORK" \
            "$AUDIT_ROWS" || die "could not prepare the face-audit-log benchmark"
        AUDIT_URL=$BASE_URL/api/staff/hotel/$AUDIT_SLUG/attendance/clock-logs/face-audit-logs/
        row "endpoint" "req/s" "p50 ms" "p99 ms" "non-2xx" "steal"
        bench_audit_page
        return 0
    fi
    if [[ ${1:-} == flood ]]; then
        mkdir -p "$WORK"
        python3 tests/bench/clock_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" clock-bench "$WORK" "$NSTAFF" ||
            die "could not prepare the face-clock-in benchmark"
        say "wrk -t2 -c$CONNS -d${DURATION}s; $(nproc) cores, $(worker_pids | wc -w) faceclock workers"
        row "endpoint" "req/s" "p50 ms" "p99 ms" "non-2xx" "steal"
        bench_flood
        return 0
    fi

    local idle_before
    sleep 1
    idle_before=$(rss_table "idle, before")
    start_hello
    prepare_data

    say "wrk -t2 -c$CONNS -d${DURATION}s, pgbench -c2 -T$DURATION; $(nproc) cores, $(worker_pids | wc -w) faceclock workers"
    echo "disk before: $(disk_probe)"
    echo
    row "endpoint" "req/s" "p50 ms" "p99 ms" "non-2xx" "steal"
    row "--------" "-----" "------" "------" "-------" "-----"
    local hello_rps healthz_rps
    run_wrk "hello FastCGI behind nginx (ceiling)" "$HELLO_URL";               hello_rps=$LAST_RPS
    run_wrk "GET /healthz" "$BASE_URL/healthz";                                 healthz_rps=$LAST_RPS
    run_pgbench "  pgbench: SELECT 1 (ceiling)" "$WORK/healthz.sql"
    run_wrk "POST /api/auth/login ($LOGIN_USER)" "$BASE_URL/api/auth/login" "$WORK/login.lua"
    run_pgbench "  pgbench: login SQL (ceiling)" "$WORK/login.sql"
    run_wrk "PUT pms-sync ($NSTAFF staff)" "$BASE_URL/api/staff/hotel/$BENCH_SLUG/pms-sync/" "$WORK/pms.lua"
    run_pgbench "  pgbench: pms-sync SQL (ceiling)" "$WORK/pms.sql"
    local clock_rps clock_p99 clock_tps
    run_wrk "POST face-clock-in ($NSTAFF staff, in/out)" \
        "$BASE_URL/api/staff/hotel/clock-bench/attendance/clock-logs/face-clock-in/" "$WORK/clock.lua"
    clock_rps=$LAST_RPS
    clock_p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$WORK/wrk.out")")
    run_pgbench "  pgbench: face-clock-in SQL (ceiling)" "$WORK/clock.sql";     clock_tps=$LAST_TPS
    bench_flood
    bench_live
    bench_fleet
    echo "disk after face-clock-in: $(disk_probe)"
    local audit_rps audit_tps
    AUDIT_TOKEN=$(<"$WORK/audit_token")
    run_wrk "GET face-audit-logs (100 rows of $(<"$WORK/audit_rows"))" "$AUDIT_URL?limit=100" \
        "$WORK/audit.lua";                                                     audit_rps=$LAST_RPS
    run_pgbench "  pgbench: face-audit-logs SQL (ceiling)" "$WORK/audit.sql";   audit_tps=$LAST_TPS
    bench_audit_page
    local sync_rps
    run_wrk "GET sync, no changes (device of $SYNC_PROFILES)" "$BASE_URL/" "$WORK/sync_noop.lua"
    sync_rps=$LAST_RPS
    echo
    awk -v a="$healthz_rps" -v b="$hello_rps" 'BEGIN {
        printf "/healthz at %.0f%% of the hello-FastCGI ceiling (target >= 70%%)\n", (b > 0 ? 100 * a / b : 0) }'
    awk -v a="$clock_rps" -v b="$clock_tps" -v p="$clock_p99" 'BEGIN {
        printf "face-clock-in at %.0f%% of its pgbench ceiling, p99 %s ms (targets: >= 50%%, p99 < 25 ms at %s connections)\n",
            (b > 0 ? 100 * a / b : 0), p, "'"$CONNS"'" }'
    awk -v a="$audit_rps" -v b="$audit_tps" 'BEGIN {
        printf "face-audit-logs page at %.0f%% of its pgbench ceiling\n", (b > 0 ? 100 * a / b : 0) }'
    awk -v a="$sync_rps" 'BEGIN { printf "incremental sync with no changes: %.0f syncs/s (target >= 5000)\n", a }'
    bench_bulk
    rss_table "after the full sync"
    echo "scans of a hotel while PMS syncs of it run:"
    python3 tests/bench/sync_bench.py scans "$BASE_URL" "$FACECLOCK_ADMIN_KEY" "$WORK" "$SYNC_PROFILES" ||
        die "the scans-during-sync benchmark failed"
    bench_cost
    bench_export
    bench_match
    sleep 2
    echo "worker memory (target: RSS < 8 MiB idle):"
    printf '%s\n' "$idle_before"
    rss_table "idle, after"
}

main "$@"
