#!/usr/bin/env bash
# scripts/soak.sh — the soak (`make soak DURATION=10m`; its short form is
# the `soak` entry of SUITES in scripts/test.sh): a fresh stack of its own
# under $SOAK_VAR on 127.0.0.1:$SOAK_PORT, then tests/soak/run.py (mixed
# traffic through nginx for DURATION, samples of worker RSS, open fds,
# table sizes and latency, the verdict table). Always stops that stack (by
# its recorded PIDs, scripts/stack.sh stop).
#
#   scripts/soak.sh [DURATION]        (90, 30s, 10m, 1h; default 5m)
#
# Environment: DURATION (when no argument), SOAK_VAR (var/soak), SOAK_PORT
# (18101), FC_BIN (build/release/faceclock; scripts/test.sh passes the
# sanitizer build), FACECLOCK_WORKERS (4), SOAK_RATE and SOAK_EVERY
# (tests/soak/run.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
FC_SAY_PREFIX="[soak]"

DUR=${1:-${DURATION:-5m}}
export FC_VAR=$(abs_path "${SOAK_VAR:-var/soak}")
export PORT=${SOAK_PORT:-18101}
# no MQTT broker here (MQTT_PORT=0): devices poll, the mqtt service idles;
# PORT + 7 may be the test stack's broker
export MQTT_PORT=${SOAK_MQTT_PORT:-0}
suite_stack_env
STACK=$FC_ROOT/scripts/stack.sh

cleanup() {
    trap - EXIT
    if [[ ${FC_KEEP_STACK:-0} == 1 ]]; then
        say "FC_KEEP_STACK=1: the stack stays up (stop: FC_VAR=$FC_VAR scripts/stack.sh stop)"
        return
    fi
    "$STACK" stop >/dev/null || warn "stopping the soak stack failed"
}

main() {
    [[ -x $FC_BIN ]] || die "no faceclock binary at $FC_BIN (run make)"
    # the judge first: a verdict that cannot fail would pass any run
    python3 tests/soak/test_verdict.py 2>/dev/null ||
        { python3 tests/soak/test_verdict.py; die "tests/soak/test_verdict.py failed"; }
    command -v cjpeg >/dev/null || die "cjpeg not found (run scripts/deps.sh)"
    "$STACK" stop >/dev/null 2>&1 || true
    "$STACK" wipe >/dev/null
    trap cleanup EXIT
    say "stack: $FC_BIN under $FC_VAR on port $PORT, $FACECLOCK_WORKERS workers, for $DUR"
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        "$STACK" start || die "the stack did not start"
    local rc=0
    python3 tests/soak/run.py "$DUR" || rc=$?
    # a worker that crashed, or a sanitizer report (FC_BIN of the test
    # build), fails the soak as it fails make test
    local log=$FC_VAR/log/faceclock.log
    python3 scripts/scan_log.py "$log" || rc=1
    (( rc == 0 )) || die "the soak failed (server log: $log, samples: $FC_VAR/soak-samples.csv)"
    say "the soak passed"
}

main "$@"
