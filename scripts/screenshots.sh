#!/usr/bin/env bash
# scripts/screenshots.sh — copies the screenshots the browser tests wrote to
# var/screenshots/ (not committed) into docs/screenshots/ (committed), which
# the README shows. Run it after `make test` (or scripts/browser.sh) when
# the pages changed, and commit docs/screenshots/.
#
#   scripts/screenshots.sh            # every var/screenshots/*.png
#   scripts/screenshots.sh kiosk-result kiosk-pair
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
FC_SAY_PREFIX="[screenshots]"

SRC=${FC_SCREENSHOTS:-var/screenshots}
DST=docs/screenshots

main() {
    local files=() f n=0
    if (( $# )); then
        for f in "$@"; do files+=("$SRC/${f%.png}.png"); done
    else
        shopt -s nullglob
        files=("$SRC"/*.png)
    fi
    (( ${#files[@]} )) || die "no screenshots in $SRC (run the browser tests first: scripts/browser.sh)"
    mkdir -p "$DST"
    for f in "${files[@]}"; do
        [[ -f $f ]] || die "no $f"
        cp "$f" "$DST/"
        n=$(( n + 1 ))
    done
    say "$n screenshots copied to $DST/ (commit them)"
}

main "$@"
