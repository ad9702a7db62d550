#!/usr/bin/env bash
# scripts/static.sh — the generated part of static/: runs `npm ci` against
# the committed package.json/package-lock.json when node_modules/ is missing
# or older than the lockfile, then copies the @vladmandic/face-api browser ES
# module (the bundle that includes tfjs) and the models the pages use into
# static/vendor/face-api/ (gitignored). Called by scripts/deps.sh, so by
# `make run|test|bench`; safe to run again (it copies only what changed).
#
# Models: tiny_face_detector (finding the face, fast enough to scan
# continuously on a tablet), face_landmark_68 (aligning it) and
# face_recognition (the 128-number descriptor). Nothing else of the package
# is served.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$FC_ROOT"
FC_SAY_PREFIX="[static]"

PKG=node_modules/@vladmandic/face-api
DEST=static/vendor/face-api
MODELS=(tiny_face_detector_model face_landmark_68_model face_recognition_model)

npm_ci() {
    command -v npm >/dev/null 2>&1 || die "npm not found (scripts/deps.sh installs it)"
    local stamp=node_modules/.package-lock.json
    if [[ -f $stamp && ! package-lock.json -nt $stamp && -f $PKG/package.json ]]; then
        return 0
    fi
    local log
    log=$(mktemp -t faceclock-npm.XXXXXX)
    say "npm ci (node_modules missing or older than package-lock.json)"
    if ! npm ci --no-audit --no-fund >"$log" 2>&1; then
        show_tail "$log" 30
        die "npm ci failed"
    fi
    rm -f "$log"
    touch "$stamp"
}

# copy SRC DST — copy when DST is missing or differs.
copy() {
    [[ -f $1 ]] || die "$1 missing from the npm package"
    cmp -s "$1" "$2" 2>/dev/null || cp "$1" "$2"
}

main() {
    npm_ci
    mkdir -p "$DEST/model"
    copy "$PKG/dist/face-api.esm.js" "$DEST/face-api.esm.js"
    copy "$PKG/LICENSE" "$DEST/LICENSE"
    local m f
    for m in "${MODELS[@]}"; do
        copy "$PKG/model/$m-weights_manifest.json" "$DEST/model/$m-weights_manifest.json"
        copy "$PKG/model/$m.bin" "$DEST/model/$m.bin"
    done
    # Anything else in the model folder (a model no longer used) goes.
    for f in "$DEST"/model/*; do
        m=$(basename "$f"); m=${m%-weights_manifest.json}; m=${m%.bin}
        [[ " ${MODELS[*]} " == *" $m "* ]] || rm -f "$f"
    done
    say "face-api $(node -p "require('./$PKG/package.json').version" 2>/dev/null || echo '?') and ${#MODELS[@]} models in $DEST"
}

main "$@"
