#!/usr/bin/env bash
# scripts/deps.sh — installs the Debian 12 packages faceclock needs to build,
# run, test and bench, and only those that are missing (`make deps`, and the
# first step of `make run|test|bench`). As root it calls apt-get itself;
# otherwise through sudo when available, else it names what is missing.
# Then scripts/static.sh (npm ci, static/vendor/).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Build: gcc make libfcgi-dev libpq-dev libjson-c-dev libb64-dev
#        libgcrypt20-dev libturbojpeg0-dev libcurl4-openssl-dev (the event
#        publisher posts to nchan), libgnutls28-dev (the devices' CA:
#        certificate requests, certificates, the CRL); unit tests: check
#        libsubunit-dev.
# MQTT push: mosquitto (the broker scripts/stack.sh starts), libmosquitto-dev
#        (the mqtt service publishes with it), python3-paho-mqtt (the device
#        simulator tests/devices/sim.py and tests/e2e/devices/test_mqtt.py).
# mTLS port: openssl (scripts/stack.sh makes the server certificate; the
#        e2e tests make devices' keys and requests with it).
# Stack: nginx and libnginx-mod-nchan (live events), postgresql (pulls postgresql-15, which ships initdb, pg_ctl,
#        postgres and pgbench under /usr/lib/postgresql/15/bin), procps.
# Tests and bench: python3 curl wrk postgresql-contrib; libjpeg-turbo-progs
#        (cjpeg: the e2e tests make their JPEGs; djpeg/jpegtran/cjpeg: the
#        browser tests' fake camera); chromium (the browser tests drive it
#        with playwright-core); python3-jsonschema (the e2e tests check the
#        bodies they send against the OpenAPI document's schemas);
#        python3-aiosmtpd (the notifications test's SMTP sink).
# Production units: systemd (systemd-analyze: tests/e2e/ops/test_systemd.py
#        verifies deploy/systemd/; a CI container lacks it).
# Fuzzing (make fuzz, make test's fuzz suite): clang and libclang-rt-14-dev
#        (libFuzzer and the sanitizer runtimes for clang).
# Coverage (make coverage): gcovr (reads the gcov counters of build/cov/).
# Profiling (scripts/scan_profile.sh): valgrind (callgrind's instruction
#        counts of a worker's scans).
# Pages: nodejs and npm (npm ci of face-api and playwright-core), only when
#        no `node` is installed at all: a NodeSource or nvm node is kept.
# Then scripts/static.sh fills static/vendor/ from npm.
PACKAGES=(
    gcc make libfcgi-dev libpq-dev libjson-c-dev libb64-dev libgcrypt20-dev
    libturbojpeg0-dev libcurl4-openssl-dev libgnutls28-dev openssl check libsubunit-dev
    mosquitto libmosquitto-dev python3-paho-mqtt
    nginx libnginx-mod-nchan postgresql postgresql-contrib postgresql-15 postgresql-client-15
    wrk python3 python3-jsonschema python3-aiosmtpd curl procps libjpeg-turbo-progs chromium
    systemd
    clang libclang-rt-14-dev
    gcovr
    valgrind
)
if ! command -v node >/dev/null 2>&1; then
    PACKAGES+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
    PACKAGES+=(npm)
fi

# While installing, keep Debian from starting the system nginx and
# PostgreSQL services (faceclock runs its own, under var/): a temporary
# policy-rc.d, only when none exists, removed on exit.
POLICY=/usr/sbin/policy-rc.d
hold_services() {
    [[ -e $POLICY ]] && return 0
    "$@" sh -c "printf '#!/bin/sh\\n# faceclock deps.sh: no service starts during install\\nexit 101\\n' >$POLICY && chmod 755 $POLICY" || return 0
    # shellcheck disable=SC2064
    trap "$* rm -f $POLICY" EXIT
}

installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

main() {
    command -v dpkg-query >/dev/null 2>&1 ||
        die "dpkg-query not found: scripts/deps.sh supports Debian 12 only; install by hand: ${PACKAGES[*]}"

    local missing=() p
    for p in "${PACKAGES[@]}"; do
        installed "$p" || missing+=("$p")
    done
    if (( ${#missing[@]} == 0 )); then
        say "packages: all ${#PACKAGES[@]} present"
        return 0
    fi
    say "packages: missing ${missing[*]}"

    local sudo=()
    if (( EUID != 0 )); then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        elif command -v sudo >/dev/null 2>&1 && [[ -t 0 ]]; then
            sudo=(sudo)
        else
            die "missing packages: ${missing[*]}
    not root and no usable sudo; as root run:
    apt-get update && apt-get install -y ${missing[*]}"
        fi
    fi

    local log
    log=$(mktemp -t faceclock-apt.XXXXXX)
    hold_services "${sudo[@]}"
    say "apt-get update"
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >"$log" 2>&1; then
        show_tail "$log" 20
        die "apt-get update failed (network or apt sources?); packages still missing: ${missing[*]}"
    fi
    say "apt-get install -y ${missing[*]}"
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
        show_tail "$log" 20
        die "apt-get install failed for: ${missing[*]}"
    fi
    rm -f "$log"

    for p in "${missing[@]}"; do
        installed "$p" || die "package $p is still not installed after apt-get"
    done
    say "packages: installed ${#missing[@]}"
}

main "$@"
"$(dirname "$0")/static.sh"
