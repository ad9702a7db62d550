#!/usr/bin/env bash
# scripts/fuzz.sh — runs the libFuzzer targets of build/fuzz/ (`make fuzz`,
# after `make fuzz-build`; tests/fuzz/<target>.c each) and prints a table:
# target, executions, executions per second, coverage edges (cov: of
# libFuzzer's last status line) and crashes.
#
# Each target starts from its seed corpus tests/fuzz/corpus/<target>/
# (committed: a few real inputs, and the reproducers of fixed crashes as
# regression seeds) plus a working corpus var/fuzz/<target>/ (not
# committed; what the runs found, kept between runs), with the dictionary
# tests/fuzz/<target>.dict when there is one. A crash, a hang (FUZZ_TIMEOUT
# seconds for one input) or a leak leaves its reproducer in
# var/fuzz/crashes/<target>/ and fails the run; replay it with
# `build/fuzz/<target> <file>`, fix the code, and copy the file into the
# seed corpus under a name that says what it was (regress-...).
#
# --short (the `fuzz` suite of `make test`, scripts/test.sh): first every
# seed corpus file is replayed once, then each target fuzzes for at most
# FUZZ_SHORT_RUNS executions or FUZZ_SHORT_SECONDS, whichever comes first.
#
# Environment: FUZZ_TARGETS (names, default every target in build/fuzz/),
# FUZZ_RUNS (10000000 executions each), FUZZ_SECONDS (0: no time limit;
# else stop a target after that long), FUZZ_SHORT_RUNS (200000),
# FUZZ_SHORT_SECONDS (3), FUZZ_TIMEOUT (10), FUZZ_VAR (var/fuzz).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
FC_SAY_PREFIX="[fuzz]"

BIN=build/fuzz
SEEDS=tests/fuzz/corpus
VAR=$(abs_path "${FUZZ_VAR:-var/fuzz}")
SHORT=0
[[ ${1:-} == --short ]] && SHORT=1

targets() {
    if [[ -n ${FUZZ_TARGETS:-} ]]; then
        # shellcheck disable=SC2086  # a list of names, split on purpose
        printf '%s\n' $FUZZ_TARGETS
    else
        find "$BIN" -maxdepth 1 -type f -executable -printf '%f\n' | sort
    fi
}

# reproducers CRASHES_DIR — how many it holds (libFuzzer's crash-, leak-,
# timeout- and oom- files; its slow-unit- notes are no failure)
reproducers() { find "$1" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l; }

# stat NAME LOG — a value of libFuzzer's final stats (stat::NAME: value)
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }

# replay TARGET — every seed corpus file once; 0 or the target's failure
replay() {
    local t=$1 files=()
    [[ -d $SEEDS/$t ]] || return 0
    mapfile -t files < <(find "$SEEDS/$t" -type f | sort)
    (( ${#files[@]} > 0 )) || return 0
    "$BIN/$t" -timeout="${FUZZ_TIMEOUT:-10}" "${files[@]}" >"$VAR/logs/$t.replay.log" 2>&1
}

# fuzz TARGET RUNS SECONDS — one run; fills the row's globals
fuzz() {
    local t=$1 runs=$2 secs=$3 args=() seeds=()
    local log=$VAR/logs/$t.log crashes=$VAR/crashes/$t
    mkdir -p "$VAR/$t" "$crashes"
    [[ -f tests/fuzz/$t.dict ]] && args+=("-dict=tests/fuzz/$t.dict")
    (( secs > 0 )) && args+=("-max_total_time=$secs")
    [[ -d $SEEDS/$t ]] && seeds=("$SEEDS/$t")
    local before after rc=0 t0=$EPOCHREALTIME
    before=$(reproducers "$crashes")
    "$BIN/$t" -runs="$runs" -timeout="${FUZZ_TIMEOUT:-10}" -print_final_stats=1 \
        -artifact_prefix="$crashes/" "${args[@]}" "$VAR/$t" "${seeds[@]}" >"$log" 2>&1 || rc=$?
    after=$(reproducers "$crashes")
    EXECS=$(stat number_of_executed_units "$log")
    # over the whole run (libFuzzer's own figure is 0 below a second)
    SPEED=$(awk -v n="${EXECS:-0}" -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b > a ? n / (b - a) : 0) }')
    COV=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    CRASHES=$(( after - before ))
    # a failure that wrote no reproducer (a crash in start-up) counts too
    (( rc != 0 && CRASHES == 0 )) && CRASHES=1
    return 0
}

main() {
    local list=() t failed=0
    mapfile -t list < <(targets)
    (( ${#list[@]} > 0 )) || die "no targets in $BIN/ (run: make fuzz-build)"
    for t in "${list[@]}"; do
        [[ -x $BIN/$t ]] || die "no target $BIN/$t (tests/fuzz/$t.c; run: make fuzz-build)"
    done
    mkdir -p "$VAR/logs"

    if (( SHORT )); then
        for t in "${list[@]}"; do
            if ! replay "$t"; then
                warn "$t: a seed of $SEEDS/$t fails (log: $VAR/logs/$t.replay.log)"
                grep -E -A12 'ERROR|runtime error|Running:' "$VAR/logs/$t.replay.log" | head -40 >&2 || true
                failed=1
            fi
        done
        (( failed == 0 )) || die "seed corpus replay failed"
        say "seed corpora: every file replayed, ${#list[@]} targets"
    fi

    local runs=${FUZZ_RUNS:-10000000} secs=${FUZZ_SECONDS:-0}
    if (( SHORT )); then
        runs=${FUZZ_SHORT_RUNS:-200000}
        secs=${FUZZ_SHORT_SECONDS:-3}
    fi
    local limit="at most $runs executions each"
    (( secs > 0 )) && limit+=" or ${secs}s"
    say "fuzzing ${#list[@]} targets: $limit"
    printf '%-14s %12s %9s %7s %8s\n' target execs exec/s cov crashes
    for t in "${list[@]}"; do
        fuzz "$t" "$runs" "$secs"
        printf '%-14s %12s %9s %7s %8s\n' "$t" "${EXECS:--}" "${SPEED:--}" "${COV:--}" "$CRASHES"
        if (( CRASHES > 0 )); then
            failed=1
            grep -E -A20 '^==[0-9]+==ERROR|runtime error|deadly signal|Test unit written' \
                "$VAR/logs/$t.log" | head -40 >&2 || true
        fi
    done
    if (( failed )); then
        die "a target crashed: reproducers in $VAR/crashes/<target>/ (replay: $BIN/<target> <file>; logs: $VAR/logs/)"
    fi
    say "no crashes"
}

main "$@"
