#!/usr/bin/env bash
# scan_profile.sh — the worker's CPU per face-clock-in scan, counted in
# instructions (valgrind's callgrind), which repeat on a noisy host where
# timings do not. Starts a stack of its own with ONE worker running under
# callgrind, prepares the clock bench's hotel (tests/bench/clock_bench.py:
# N staff rostered all day, faces registered, a kiosk key), sends WARM
# scans (the worker loads the hotel view, caches the kiosk), zeroes the
# counters, sends SCANS scans one after another (the same bodies as
# `make bench`), dumps, stops the stack and prints the worker's
# instructions per scan: the total and the functions (inclusive) that cost
# the most, from callgrind_annotate. The raw profile stays in
# $FC_VAR/callgrind/ for callgrind_annotate or kcachegrind.
# With WRK_SECONDS set, the workers (WORKERS of them) run as they are and
# wrk drives the same scans for that long at WRK_CONNECTIONS; the
# workers' CPU time from /proc (utime + stime) over the run, divided by
# the scans answered, is printed instead.
#
# Usage: scripts/scan_profile.sh [FC_BIN]   (default build/release/faceclock)
# Environment: FC_VAR (var/scan-profile), PORT (18095), SCANS (2000),
# WARM (200), NSTAFF (200), TOP (25 functions); WRK_SECONDS (unset),
# WRK_CONNECTIONS (16), WORKERS (2).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
FC_SAY_PREFIX="[scan-profile]"

export FC_VAR=$(abs_path "${FC_VAR:-var/scan-profile}")
BIN=$(abs_path "${1:-build/release/faceclock}")
export PORT=${PORT:-18095} TLS_PORT=${TLS_PORT:-0} MQTT_PORT=${MQTT_PORT:-0}
SCANS=${SCANS:-2000}
WARM=${WARM:-200}
NSTAFF=${NSTAFF:-200}
TOP=${TOP:-25}
STACK=$FC_ROOT/scripts/stack.sh
OUT=$FC_VAR/callgrind
WORK=$FC_VAR/work

command -v valgrind >/dev/null || die "valgrind is not installed (scripts/deps.sh)"
[[ -x $BIN ]] || die "no binary at $BIN (make build)"
[[ ! -e $FC_VAR/env ]] || die "$FC_VAR holds a stack already: stop it ($STACK stop with FC_VAR) or remove $FC_VAR"

# the worker runs as the stack's user: the wrapper and the output directory
# are its to read and write
mkdir -p "$OUT" "$WORK"
chmod 0777 "$OUT"
WRAP=$FC_VAR/faceclock-callgrind
cat >"$WRAP" <<EOF
#!/bin/sh
# written by scripts/scan_profile.sh: 'serve' under callgrind, the rest as is
if [ "\$1" = serve ]; then
    exec valgrind --tool=callgrind --callgrind-out-file=$OUT/callgrind.%p --collect-atstart=yes "$BIN" "\$@"
fi
exec "$BIN" "\$@"
EOF
chmod 0755 "$WRAP"
chmod o+x "$FC_VAR"

cleanup() {
    trap - EXIT INT TERM
    FC_VAR=$FC_VAR "$STACK" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

if [[ -n ${WRK_SECONDS:-} ]]; then
    command -v wrk >/dev/null || die "wrk is not installed"
    WRAP=$BIN
    say "stack under $FC_VAR on port $PORT, ${WORKERS:=2} workers ($BIN)"
else
    WORKERS=1
    say "stack under $FC_VAR on port $PORT, one worker under callgrind ($BIN)"
fi
env FC_BIN="$WRAP" FACECLOCK_WORKERS=$WORKERS FACECLOCK_REQUEST_DEADLINE=60 LOGIN_RATE=100000r/s \
    LOGIN_BURST=100000 API_RATE=100000r/s API_BURST=100000 "$STACK" start >"$WORK/stack.log" 2>&1 ||
    { show_tail "$WORK/stack.log"; die "the stack did not start"; }
. "$FC_VAR/env"
export PG_BIN FACECLOCK_MIGRATE_URL
say "the clock bench's hotel: $NSTAFF staff, faces, a kiosk"
python3 tests/bench/clock_bench.py setup "$BASE_URL" "$FACECLOCK_ADMIN_KEY" clock-bench "$WORK" "$NSTAFF" ||
    die "could not prepare the face-clock-in hotel"

# The worker: the master's child that is not a service ("svc:<name>").
# callgrind cannot be reached in a worker (its vgdb pipes are not made
# after the fork and the drop of privileges), so each measured worker is
# a fresh one: a worker ended with SIGTERM writes its profile and the
# master forks another.
master=$(read_pid "$FC_VAR/pids/faceclock.pid")
worker_pid() {
    local p
    for p in $(pgrep -P "$master"); do
        [[ $(cat /proc/"$p"/comm 2>/dev/null) == svc:* ]] || { echo "$p"; return 0; }
    done
    return 1
}
next_worker() {    # end the worker (its profile is written), wait for the next
    local old=$1 i p
    kill -TERM "$old"
    for (( i = 0; i < 600; i++ )); do
        p=$(worker_pid) && [[ $p != "$old" ]] && ! pid_alive "$old" && { echo "$p"; return 0; }
        sleep 0.1
    done
    die "no new worker after $old ended"
}

scan() {   # scan N: N scans through nginx, one at a time, every answer 200 or 201
    python3 - "$BASE_URL" "$WORK/clock_probe.json" "$1" <<'PY'
import http.client, json, sys, urllib.parse
base, probe, n = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3])
u = urllib.parse.urlparse(base)
c = http.client.HTTPConnection(u.hostname, u.port)
path = "/api/staff/hotel/%s/attendance/clock-logs/face-clock-in/" % probe["slug"]
head = {"Content-Type": "application/json", "X-API-Key": probe["kiosk"]}
bad = 0
for i in range(n):
    c.request("POST", path, probe["scans"][i % len(probe["scans"])], head)
    r = c.getresponse()
    r.read()
    bad += r.status not in (200, 201)
if bad:
    sys.exit("%d of %d scans were not answered 200/201" % (bad, n))
PY
}

workers_cpu() {   # the workers' utime and stime, in clock ticks: "u s"
    local p u=0 s=0 f
    for p in $(pgrep -P "$master"); do
        [[ $(cat /proc/"$p"/comm 2>/dev/null) == svc:* ]] && continue
        f=$(sed 's/^.*) //' /proc/"$p"/stat)
        set -- $f
        u=$((u + ${12}))
        s=$((s + ${13}))
    done
    echo "$u $s"
}

if [[ -n ${WRK_SECONDS:-} ]]; then
    scan "$WARM"
    read -r u0 s0 < <(workers_cpu)
    wrk -t2 -c"${WRK_CONNECTIONS:-16}" -d"${WRK_SECONDS}s" -s "$WORK/clock.lua" \
        "$BASE_URL/api/staff/hotel/clock-bench/attendance/clock-logs/face-clock-in/" >"$WORK/wrk.out"
    read -r u1 s1 < <(workers_cpu)
    n=$(awk '/requests in/ { print $1 }' "$WORK/wrk.out")
    bad=$(awk '/Non-2xx/ { print $NF }' "$WORK/wrk.out")
    hz=$(getconf CLK_TCK)
    cat "$WORK/wrk.out"
    [[ -z $bad ]] || warn "$bad answers were not 2xx"
    awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$hz" -v n="$n" -v w="$WORKERS" \
        'BEGIN { printf "workers (%d): %.2f s CPU for %d scans: %.1f us CPU per scan (user %.1f, system %.1f)\n",
                 w, (u + s) / hz, n, (u + s) / hz / n * 1e6, u / hz / n * 1e6, s / hz / n * 1e6 }'
    exit 0
fi

w=$(worker_pid) || die "no worker under the master ($master)"
w=$(next_worker "$w")
say "worker $w: $WARM scans (the baseline: the view loaded, the kiosk cached)"
scan "$WARM"
base_w=$w
w=$(next_worker "$w")
say "worker $w: $WARM + $SCANS scans"
scan "$WARM"
scan "$SCANS"
last_w=$w
w=$(next_worker "$w")
sleep 0.5

python3 - "$OUT/callgrind.$base_w" "$OUT/callgrind.$last_w" "$SCANS" "$TOP" <<'PY'
import re, subprocess, sys
base, last, n, top = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

def profile(path):
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                         capture_output=True, text=True, check=True).stdout
    total, fns = 0, {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?\*?\s*PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
            continue
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?\*?\s*([^=\s].*?)(?:\s+\[.*\])?\s*$", line)
        if m and ":" in m.group(2):
            # a function once, by "file:function" under the source tree
            name = re.sub(r"^.*?/(fcgi|handlers)/", r"\1/", m.group(2))
            fns[name] = max(fns.get(name, 0), int(m.group(1).replace(",", "")))
    return total, fns

tb, fb = profile(base)
tl, fl = profile(last)
print("worker instructions per scan: %d (%d scans; %s minus %s)" % ((tl - tb) / n, n, last, base))
print("%14s  %s" % ("Ir per scan", "function (inclusive, the scans only)"))
rows = sorted(((fl[k] - fb.get(k, 0)) / n, k) for k in fl)
for ir, k in reversed(rows[-top:]):
    print("%14d  %s" % (ir, k))
PY
