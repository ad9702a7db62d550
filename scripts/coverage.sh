#!/usr/bin/env bash
# scripts/coverage.sh — `make coverage` after `make cov-build`: zeroes the
# gcov counters of build/cov/, runs the Check unit tests
# (build/cov/unit_tests), replays each fuzz target's seed corpus
# (build/cov/fuzz/<t> over tests/fuzz/corpus/<t>/), runs the e2e suite
# (scripts/test.sh, SUITES=e2e) against a stack of build/cov/faceclock,
# then has gcovr report line and branch coverage of fcgi/ and handlers/:
# the summary and the 15 files missing the most lines on stdout, and
# var/coverage/ (index.html with annotated sources, coverage.txt,
# branches.txt, summary.json). Not part of `make test`.
#
# The server's counters reach the .gcda files only when its processes exit
# normally: the stack's stop (SIGTERM) does that; a worker killed by a
# signal (the watchdog's SIGKILL, a crash test's SIGSEGV) loses its counts.
# As root the servers run as the service user (scripts/stack.sh): the
# .gcda files are made beforehand, writable by it.
#
# Environment: TEST_PORT (18085), TEST_VAR (var/test-cov), E2E_ARGS,
# COV_OUT (var/coverage).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
FC_SAY_PREFIX="[coverage]"

COV=build/cov
OUT=$(abs_path "${COV_OUT:-var/coverage}")
command -v gcovr >/dev/null || die "gcovr not found (run scripts/deps.sh)"
for f in "$COV/faceclock" "$COV/unit_tests"; do
    [[ -x $f ]] || die "no $f (run: make cov-build)"
done

rc=0
mkdir -p "$OUT"
say "zeroing the counters (.gcda under $COV)"
find "$COV" -name '*.gcda' -delete

say "unit tests: $COV/unit_tests"
CK_FORK=no "$COV/unit_tests" >"$OUT/unit.log" 2>&1 || { warn "unit tests failed ($OUT/unit.log)"; rc=1; }
tail -n 1 "$OUT/unit.log"

say "fuzz seed corpora"
for bin in "$COV"/fuzz/*; do
    t=${bin##*/}
    corpus=tests/fuzz/corpus/$t
    [[ -d $corpus ]] || { warn "no seed corpus $corpus for $t"; continue; }
    "$bin" "$corpus" || { warn "replaying $corpus through $t failed"; rc=1; }
done

# As root the stack's server, and the servers some e2e tests start, run as
# the service user: every counter file (an empty one is a new one to gcov)
# is made writable beforehand, or their counts would be lost
if (( EUID == 0 )); then
    find "$COV" -name '*.gcno' | while read -r f; do
        [[ -e ${f%.gcno}.gcda ]] || : >"${f%.gcno}.gcda"
    done
    find "$COV" -name '*.gcda' -exec chmod 0666 {} +
fi

say "e2e tests against $COV/faceclock"
TEST_PORT=${TEST_PORT:-18085} TEST_VAR=${TEST_VAR:-var/test-cov} FC_BIN=$COV/faceclock \
    SUITES=e2e scripts/test.sh || { warn "the e2e run failed"; rc=1; }

# main.o and master.o run only in the server's master: their counts prove
# the stack's processes wrote theirs on the way out
for f in fcgi/main fcgi/master fcgi/worker; do
    [[ -s $COV/$f.gcda ]] || { warn "no $COV/$f.gcda: the server did not exit normally, its counts are lost"; rc=1; }
done

# counter files no process wrote: their code never ran (gcovr counts it
# from the .gcno files)
find "$COV" -name '*.gcda' -empty -delete

say "gcovr: fcgi/ and handlers/ into $OUT/"
rm -f "$OUT"/*.html
gcovr -r . "$COV" -j 2 --filter 'fcgi/' --filter 'handlers/' \
    --html-details "$OUT/index.html" --html-title "faceclock coverage" \
    --txt "$OUT/coverage.txt" --json-summary "$OUT/summary.json" --print-summary
gcovr -r . "$COV" -j 2 --filter 'fcgi/' --filter 'handlers/' -b --txt "$OUT/branches.txt" >/dev/null

say "the 15 files missing the most lines"
python3 - "$OUT/summary.json" <<'EOF'
import json, sys
files = json.load(open(sys.argv[1]))["files"]
files.sort(key=lambda f: (f["line_covered"] - f["line_total"], f["filename"]))
print(f"{'file':44} {'lines':>7} {'missed':>6} {'line%':>6} {'branch%':>7}")
for f in files[:15]:
    missed = f["line_total"] - f["line_covered"]
    print(f"{f['filename']:44} {f['line_total']:7} {missed:6} {f['line_percent']:6.1f} {f['branch_percent']:7.1f}")
EOF
say "report: $OUT/index.html"
(( rc == 0 )) || die "some runs failed (above): the figures are incomplete"
