# scripts/lib.sh — small helpers shared by the scripts in scripts/ (sourced,
# never run): messages, failing with a log tail, process checks, quoting.
# shellcheck shell=bash

FC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say()  { printf '%s %s\n' "${FC_SAY_PREFIX:-==>}" "$*"; }
warn() { printf '%s warning: %s\n' "${FC_SAY_PREFIX:-==>}" "$*" >&2; }
die()  { printf '%s error: %s\n' "${FC_SAY_PREFIX:-==>}" "$*" >&2; exit 1; }

# show_tail FILE [LINES] — print the end of a log to stderr, framed.
show_tail() {
    local f=$1 n=${2:-30}
    [[ -r $f ]] || { printf '    (no log at %s)\n' "$f" >&2; return 0; }
    printf -- '---- last %s lines of %s ----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2
    printf -- '----\n' >&2
}

# abs_path PATH — absolute form of PATH (relative to the repository root),
# without requiring it to exist.
abs_path() {
    case $1 in
        /*) printf '%s\n' "$1" ;;
        *)  printf '%s/%s\n' "$FC_ROOT" "${1#./}" ;;
    esac
}

# pid_alive PID [COMM] — true when PID runs (not a zombie) and, if COMM is
# given, its command name starts with COMM (guards against recycled PIDs).
pid_alive() {
    local pid=$1 comm=${2:-} state name
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ -r /proc/$pid/stat ]] || return 1
    state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ $state != Z && $state != X ]] || return 1
    if [[ -n $comm ]]; then
        name=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
        [[ $name == "$comm"* ]] || return 1
    fi
    return 0
}

# read_pid FILE — the first line of FILE if it is a number, else nothing.
read_pid() {
    local pid=""
    [[ -r $1 ]] && read -r pid <"$1" || true
    [[ $pid =~ ^[0-9]+$ ]] && printf '%s\n' "$pid" || true
}

# wait_gone PID SECONDS — wait until PID has exited; false on timeout.
wait_gone() {
    local pid=$1 t=$(( $2 * 10 ))
    while pid_alive "$pid"; do
        (( t-- > 0 )) || return 1
        sleep 0.1
    done
}

# shq VALUE — VALUE single-quoted for sh (safe to source).
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# port_in_use PORT — true when something accepts TCP on 127.0.0.1:PORT or
# listens on that port on any address.
port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1 &&
       [[ -n $(ss -Hltn "sport = :$port" 2>/dev/null) ]]; then
        return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# suite_stack_env — the environment of a suite's own stack under load from
# 127.0.0.1 (scripts/faults.sh, scripts/soak.sh), after FC_VAR and PORT:
# the release build, 4 workers, test-cost scrypt, no demo hotel, nginx's
# per-address limits out of the way (they are not what is measured), no
# mTLS port, and no outside database or socket.
suite_stack_env() {
    export FC_BIN=${FC_BIN:-build/release/faceclock}
    export FACECLOCK_WORKERS=${FACECLOCK_WORKERS:-4}
    export FACECLOCK_SCRYPT_LOG_N=${FACECLOCK_SCRYPT_LOG_N:-14}
    export FACECLOCK_DEMO=0
    export API_RATE=5000r/s API_BURST=5000 LOGIN_RATE=200r/s LOGIN_BURST=200
    export TLS_PORT=0
    unset DATABASE_URL FACECLOCK_STATE_DIR FACECLOCK_MIGRATE_URL FACECLOCK_SOCKET FACECLOCK_CONFIG
}
