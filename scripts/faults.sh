#!/usr/bin/env bash
# scripts/faults.sh — the fault suite (`make faults`; its short form is the
# `faults` entry of SUITES in scripts/test.sh): a fresh stack of its own
# under $FAULTS_VAR on 127.0.0.1:$FAULTS_PORT with a small request deadline,
# then tests/faults/run.py (traffic, one fault at a time, the ledger against
# the database, the table). Always stops that stack (by its recorded PIDs,
# scripts/stack.sh stop) and unmounts the disk-full fault's tmpfs.
#
#   scripts/faults.sh [full|short] [FAULT...]
#
# Environment: FAULTS_VAR (var/faults), FAULTS_PORT (18091), FC_BIN
# (build/release/faceclock; scripts/test.sh passes the sanitizer build),
# FACECLOCK_REQUEST_DEADLINE (5), FAULTS_SCHEDULER_INTERVAL (1: the
# scheduler's tick, whatever FACECLOCK_SCHEDULER_INTERVAL the caller's own
# stack has — scripts/test.sh turns its off),
# FACECLOCK_WORKERS (4), FAULTS_MQTT_PORT (PORT + 7; 0: no broker, the
# broker-restart fault skipped), FAULTS_RATE and
# FAULTS_EXPORT_ROWS (tests/faults/run.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
FC_SAY_PREFIX="[faults]"

MODE=${1:-full}
shift || true
[[ $MODE == full || $MODE == short ]] || die "usage: $0 [full|short] [FAULT...]"

export FC_VAR=$(abs_path "${FAULTS_VAR:-var/faults}")
export PORT=${FAULTS_PORT:-18091}
# the broker-restart fault's mosquitto (FAULTS_MQTT_PORT; 0: none, the
# fault is then skipped)
export MQTT_PORT=${FAULTS_MQTT_PORT:-$((PORT + 7))}
export FACECLOCK_REQUEST_DEADLINE=${FACECLOCK_REQUEST_DEADLINE:-5}
# the scheduler ticks every second: the scheduler-kill fault's work comes due under load
export FACECLOCK_SCHEDULER_INTERVAL=${FAULTS_SCHEDULER_INTERVAL:-1}
# the notifier (notifier-kill): webhooks to tests/faults/run.py's receiver
# on 127.0.0.1, due retries every second, the back-off at 1 %
export FACECLOCK_NOTIFY_ALLOW_PRIVATE=${FACECLOCK_NOTIFY_ALLOW_PRIVATE:-1}
export FACECLOCK_NOTIFY_INTERVAL=${FACECLOCK_NOTIFY_INTERVAL:-1}
export FACECLOCK_NOTIFY_BACKOFF_SCALE=${FACECLOCK_NOTIFY_BACKOFF_SCALE:-1}
suite_stack_env
STACK=$FC_ROOT/scripts/stack.sh

# the disk-full fault's tmpfs, beside the cluster (run.py mounts it)
disk_mount() {
    local pg=$FC_VAR/pg
    [[ -e $pg ]] || return 0
    printf '%s/faults-disk\n' "$(dirname "$(readlink -f "$pg")")"
}

unmount_disk() {
    local m
    m=$(disk_mount)
    if [[ -n $m ]] && mountpoint -q "$m" 2>/dev/null; then
        umount "$m" || warn "could not unmount $m"
    fi
}

cleanup() {
    trap - EXIT
    if [[ ${FC_KEEP_STACK:-0} == 1 ]]; then
        say "FC_KEEP_STACK=1: the stack stays up (stop: FC_VAR=$FC_VAR scripts/stack.sh stop)"
        return
    fi
    "$STACK" stop >/dev/null || warn "stopping the fault stack failed"
    unmount_disk
}

main() {
    [[ -x $FC_BIN ]] || die "no faceclock binary at $FC_BIN (run make)"
    # the judge first: a ledger check that cannot fail would pass any run
    python3 tests/faults/test_ledger.py 2>/dev/null || { python3 tests/faults/test_ledger.py; die "tests/faults/test_ledger.py failed"; }
    command -v cjpeg >/dev/null || die "cjpeg not found (run scripts/deps.sh)"
    # a leftover run: its stack and mount first, then a clean slate
    "$STACK" stop >/dev/null 2>&1 || true
    unmount_disk
    "$STACK" wipe >/dev/null
    trap cleanup EXIT
    say "stack: $FC_BIN under $FC_VAR on port $PORT, deadline ${FACECLOCK_REQUEST_DEADLINE}s, $FACECLOCK_WORKERS workers"
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        "$STACK" start || die "the stack did not start"
    local rc=0
    python3 tests/faults/run.py "$MODE" "$@" || rc=$?
    local log=$FC_VAR/log/faceclock.log
    if grep -qE 'runtime error|AddressSanitizer' "$log" 2>/dev/null; then
        grep -nE -A20 'ERROR: AddressSanitizer|runtime error' "$log" | head -60 >&2
        warn "sanitizer reports in $log"
        rc=1
    fi
    (( rc == 0 )) || die "the fault suite failed (server log: $log, ledger: $FC_VAR/faults-ledger.jsonl)"
    say "the fault suite passed"
}

main "$@"
