#!/usr/bin/env bash
# scripts/test.sh — `make test` after deps and `make build`: the Check unit
# tests (ASan leak checks on), a short fuzz pass (`make fuzz-build`, then
# scripts/fuzz.sh --short: every seed corpus file replayed, each target
# fuzzed a few seconds), then a fresh stack under var/test on
# 127.0.0.1:${TEST_PORT:-18081} with the sanitizer build, the lint of the
# OpenAPI document it serves (redocly, rules in redocly.yaml) and the
# end-to-end tests (tests/e2e/run.py) against it, `faceclock audit-verify`
# over what they left, then the browser tests
# (scripts/browser.sh: Chromium, the kiosk and the other pages) against the
# same stack, and a scan of the server log for sanitizer reports and
# unexpected worker deaths (scripts/scan_log.py); then the short form of
# the fault suite (scripts/faults.sh short) on a stack of its own
# (FAULTS_VAR=$TEST_VAR-faults, port TEST_PORT + 1) so that the faults
# never touch the e2e stack; then a short soak (scripts/soak.sh 2m, the
# release build, SOAK_VAR=$TEST_VAR-soak, port TEST_PORT + 2) so that a
# leak fails the run. Always stops the stacks; exits non-zero on any
# failure.
#
# Environment: TEST_PORT (18081), TEST_VAR (var/test), FC_BIN (build/test/faceclock),
# FACECLOCK_WORKERS (2), FACECLOCK_SCRYPT_LOG_N (14), E2E_ARGS (extra arguments for run.py),
# BROWSER_ARGS (test files for scripts/browser.sh, e.g. "kiosk"), SOAK_DURATION (2m),
# SUITES (which of "unit fuzz e2e browser faults soak" to run; default all six, e.g.
# SUITES=browser make test for the browser tests alone on a fresh stack),
# FC_KEEP_STACK=1 leaves the stack running afterwards for inspection.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
FC_SAY_PREFIX="[test]"

STACK=$FC_ROOT/scripts/stack.sh
export FC_VAR=$(abs_path "${TEST_VAR:-var/test}")
export PORT=${TEST_PORT:-18081}
export FC_BIN=${FC_BIN:-build/test/faceclock}
export FACECLOCK_WORKERS=${FACECLOCK_WORKERS:-2}
# scrypt at 2^14, not the production 2^17 (fcgi/config.h): every test hotel
# hashes its logins, and the sanitizer build takes seconds per 2^17 hash
export FACECLOCK_SCRYPT_LOG_N=${FACECLOCK_SCRYPT_LOG_N:-14}
# the stack's scheduler service is off: the tests move time themselves
# (`faceclock alerts-tick`); attendance/test_scheduler.py runs its own
export FACECLOCK_SCHEDULER_INTERVAL=${FACECLOCK_SCHEDULER_INTERVAL:-0}
# the notifier (live/test_notify.py): webhooks to the test's own receiver
# on 127.0.0.1, due retries every second, the back-off at 1% (30 s -> 0.3 s)
# and mail to the SMTP sink the test runs on TEST_PORT + 1000
export FACECLOCK_NOTIFY_ALLOW_PRIVATE=${FACECLOCK_NOTIFY_ALLOW_PRIVATE:-1}
export FACECLOCK_NOTIFY_INTERVAL=${FACECLOCK_NOTIFY_INTERVAL:-1}
export FACECLOCK_NOTIFY_BACKOFF_SCALE=${FACECLOCK_NOTIFY_BACKOFF_SCALE:-1}
export FACECLOCK_SMTP_URL=${FACECLOCK_SMTP_URL:-smtp://127.0.0.1:$((PORT + 1000))}
export FACECLOCK_SMTP_FROM=${FACECLOCK_SMTP_FROM:-faceclock@faceclock.test}
export LOGIN_RATE=${LOGIN_RATE:-200r/s}
export LOGIN_BURST=${LOGIN_BURST:-200}
# every test request comes from 127.0.0.1 (most with the admin key): the
# /api/ limit must not bite; fcgi/test_nginx_limits.py runs a strict nginx
export API_RATE=${API_RATE:-5000r/s}
export API_BURST=${API_BURST:-5000}
# The tests always get a private cluster and a socket of their own.
unset DATABASE_URL FACECLOCK_MIGRATE_URL FACECLOCK_SOCKET FACECLOCK_CONFIG

UNIT=build/test/unit_tests
E2E=tests/e2e/run.py
SUITES=" ${SUITES:-unit fuzz e2e browser faults soak} "
want() { [[ $SUITES == *" $1 "* ]]; }

unit_tests() {
    [[ -x $UNIT ]] || die "no $UNIT (run: make build/test/unit_tests)"
    say "unit tests: $UNIT"
    # CK_FORK=no: forking the sanitizer build per check costs ~20x the run
    CK_FORK=${CK_FORK:-no} ASAN_OPTIONS=${UNIT_ASAN_OPTIONS:-detect_leaks=1} "$UNIT" ||
        die "unit tests failed"
}

# The fuzz targets (tests/fuzz/), briefly: every seed replayed, then a few
# seconds each (scripts/fuzz.sh --short; make fuzz runs them long).
fuzz_tests() {
    say "fuzz: make fuzz-build, scripts/fuzz.sh --short"
    make --no-print-directory fuzz-build || die "the fuzz targets do not build"
    "$FC_ROOT/scripts/fuzz.sh" --short || die "fuzzing failed"
}

# The OpenAPI document the stack serves (/api/openapi.json), linted by
# @redocly/cli from node_modules (npm ci, scripts/static.sh); no network:
# no telemetry, no update check.
lint_openapi() {
    local doc=$FC_VAR/openapi.json
    say "openapi: redocly lint of $BASE_URL/api/openapi.json"
    curl -fsS -o "$doc" "$BASE_URL/api/openapi.json" || { warn "GET /api/openapi.json failed"; return 1; }
    REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
        npx --no-install redocly lint --config redocly.yaml "$doc"
}

stop_stack() {
    trap - EXIT
    if [[ ${FC_KEEP_STACK:-0} == 1 ]]; then
        say "FC_KEEP_STACK=1: the stack stays up ($FC_VAR/env; stop: FC_VAR=$FC_VAR scripts/stack.sh stop)"
    else
        "$STACK" stop >/dev/null || warn "stopping the test stack failed"
    fi
}

# Sanitizer reports and unexpected worker deaths in the server log fail
# the run (scripts/scan_log.py says which deaths are expected: SIGKILLs
# sent on purpose, the test build's crash route).
scan_log() {
    local log=$FC_VAR/log/faceclock.log
    [[ -r $log ]] || return 0
    if ! python3 "$FC_ROOT/scripts/scan_log.py" "$log"; then
        say "the sanitizer reports in $log, in full:"
        grep -nE -A25 'ERROR: AddressSanitizer|runtime error' "$log" | head -120 >&2 || true
        return 1
    fi
}

# Every hotel's face audit chain must still hold after everything the
# tests did (faceclock audit-verify, docs/operations.md).
audit_verify() {
    local out
    if out=$(ASAN_OPTIONS=detect_leaks=0 "$FC_BIN" audit-verify 2>&1); then
        say "audit-verify: every chain holds ($(grep -c ': ok,' <<<"$out") hotels)"
        return 0
    fi
    grep -v ': ok,' <<<"$out" | head -20 >&2
    return 1
}

# The e2e and browser suites on a fresh stack; 0 when they passed.
stack_suites() {
    say "stack: fresh one under $FC_VAR on port $PORT"
    "$STACK" wipe >/dev/null || return 1
    trap stop_stack EXIT
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1 "$STACK" start || return 1

    set -a
    # shellcheck disable=SC1091
    . "$FC_VAR/env"
    set +a

    local rc=0
    if want e2e; then
        lint_openapi || { warn "the OpenAPI document does not lint"; rc=1; }
        say "e2e tests: python3 $E2E ${E2E_ARGS:-}"
        # shellcheck disable=SC2086
        python3 "$E2E" ${E2E_ARGS:-} || rc=$?
        audit_verify || { warn "an audit chain does not hold after the e2e tests"; rc=1; }
    fi
    if want browser; then
        say "browser tests: scripts/browser.sh ${BROWSER_ARGS:-}"
        # shellcheck disable=SC2086
        "$FC_ROOT/scripts/browser.sh" ${BROWSER_ARGS:-} || rc=1
    fi

    stop_stack
    scan_log || rc=1
    return "$rc"
}

main() {
    [[ -f $E2E ]] || die "no $E2E yet: the end-to-end tests are missing"
    [[ -x $FC_BIN ]] || die "no sanitizer build at $FC_BIN (run: make build)"
    if want unit; then unit_tests; fi
    if want fuzz; then fuzz_tests; fi

    local rc=0
    if want e2e || want browser; then
        stack_suites || rc=1
    fi
    if want faults; then
        say "fault suite (short form): scripts/faults.sh short"
        FAULTS_VAR=${FAULTS_VAR:-$FC_VAR-faults} FAULTS_PORT=${FAULTS_PORT:-$((PORT + 1))} \
            "$FC_ROOT/scripts/faults.sh" short || rc=1
    fi
    if want soak; then
        # the release build: what runs in production, and the sanitizer's
        # quarantine would be growth of its own
        say "soak (short form): scripts/soak.sh ${SOAK_DURATION:-2m}"
        SOAK_VAR=${SOAK_VAR:-$FC_VAR-soak} SOAK_PORT=${SOAK_PORT:-$((PORT + 2))} FC_BIN=build/release/faceclock \
            FACECLOCK_WORKERS=4 "$FC_ROOT/scripts/soak.sh" "${SOAK_DURATION:-2m}" || rc=1
    fi
    if (( rc != 0 )); then
        die "tests failed (server log: $FC_VAR/log/faceclock.log)"
    fi
    say "all tests passed"
}

main "$@"
