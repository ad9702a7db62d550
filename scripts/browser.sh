#!/usr/bin/env bash
# scripts/browser.sh — the browser tests (tests/browser/*.test.mjs, node's
# own test runner, Debian's Chromium through playwright-core) against a
# running stack: $FC_VAR (default var/test) names it, as for the e2e tests.
# scripts/test.sh calls it after the e2e tests; alone:
#
#   FC_VAR=var/dev scripts/browser.sh              # every file
#   FC_VAR=var/dev scripts/browser.sh kiosk        # tests/browser/kiosk.test.mjs
#   FC_VAR=var/dev BROWSER_GREP=unpair scripts/browser.sh kiosk   # tests whose name matches
#
# Files run one after another (each test launches its own Chromium; in
# parallel they would fight over the CPU that face-api needs), each with its
# time printed. Screenshots land in var/screenshots/ (FC_SCREENSHOTS moves
# them). Exits non-zero when a test fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
FC_SAY_PREFIX="[browser]"

export FC_VAR=$(abs_path "${FC_VAR:-var/test}")
DIR=tests/browser

main() {
    [[ -r $FC_VAR/env ]] || die "no stack at $FC_VAR (start one: FC_VAR=$FC_VAR PORT=... scripts/stack.sh start)"
    command -v node >/dev/null 2>&1 || die "node not found (run scripts/deps.sh)"
    [[ -x ${FC_CHROMIUM:-/usr/bin/chromium} ]] || die "no ${FC_CHROMIUM:-/usr/bin/chromium} (run scripts/deps.sh)"
    scripts/static.sh >/dev/null

    local files=() f
    if (( $# )); then
        for f in "$@"; do
            f=${f%.test.mjs}; f=${f#"$DIR"/}
            [[ -f $DIR/$f.test.mjs ]] || die "no $DIR/$f.test.mjs"
            files+=("$DIR/$f.test.mjs")
        done
    else
        files=("$DIR"/*.test.mjs)
    fi

    local grep_args=() failed=() t0 t1 rc
    [[ -n ${BROWSER_GREP:-} ]] && grep_args=(--test-name-pattern="$BROWSER_GREP")
    for f in "${files[@]}"; do
        say "$f"
        t0=$(date +%s)
        rc=0
        node --test --test-reporter=spec "${grep_args[@]}" "$f" || rc=$?
        t1=$(date +%s)
        if (( rc == 0 )); then
            say "$f: passed in $(( t1 - t0 )) s"
        else
            say "$f: FAILED in $(( t1 - t0 )) s"
            failed+=("$f")
        fi
    done
    (( ${#failed[@]} == 0 )) || die "browser tests failed: ${failed[*]}"
    say "browser tests passed (${#files[@]} files)"
}

main "$@"
