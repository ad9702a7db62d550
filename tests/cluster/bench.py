#!/usr/bin/env python3
"""tests/cluster/bench.py — `make cluster-bench`: face-clock-in through the
cluster's edge (wrk from the client namespace, the scans of
tests/bench/clock_bench.py) with the edge's upstream set to one app host,
then to two, then one and two again (the machine is noisy: the repeat
shows how much). Each row: requests a second, latency p50/p99, and the CPU
each part spent per request, from /proc/<pid>/stat (utime + stime) of the
recorded processes and their descendants before and after the run: nginx
on the edge, the FastCGI workers of each app host (not their services),
PostgreSQL on each database host (split into the app's backends, the
WAL sender, the WAL receiver, the startup process's replay and the
rest), Patroni, etcd, and wrk itself (its rusage).

Environment: CL_ENV (the cluster's env file), CLUSTER_BENCH_SECS (10),
CLUSTER_BENCH_CONNS (32). It owns wrk's process (waited for) and its work
directory $CL_VAR/bench.
"""

import os
import re
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SECS = int(os.environ.get("CLUSTER_BENCH_SECS", "10"))
CONNS = int(os.environ.get("CLUSTER_BENCH_CONNS", "32"))
TICK = os.sysconf("SC_CLK_TCK")


def load_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = shlex.split(v)[0] if v else ""
    return env


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def tree(pid):
    out = [pid]
    for c in children(pid):
        out += tree(c)
    return out


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def cpu(pid):
    """utime + stime of pid, seconds (0 when gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def pg_kind(pid):
    """What a PostgreSQL process is, from its title: the app's backends,
    the WAL sender (primary), the WAL receiver and startup (replay, on the
    standby), or the rest (postmaster, checkpointer, writers, Patroni's
    own connections)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            title = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "other"
    for key, kind in (("faceclock_app", "backends"), ("walsender", "walsender"), ("walreceiver", "walreceiver"),
                      ("startup", "startup (replay)")):
        if key in title:
            return kind
    return "other"


def parts(var):
    """name -> [pids] of the parts measured, as they are now."""
    pids = os.path.join(var, "pids")
    out = {}
    p = read_pid(os.path.join(pids, "nginx.pid"))
    if p:
        out["nginx (edge)"] = tree(p)
    for n in ("app1", "app2"):
        p = read_pid(os.path.join(pids, "faceclock-%s.pid" % n))
        if p:
            out["workers " + n] = [w for w in children(p) if not comm(w).startswith("svc:")]
            out["services " + n] = [w for w in children(p) if comm(w).startswith("svc:")]
    for n in ("db1", "db2"):
        p = read_pid("/var/tmp/fcc-cluster/%s/data/postmaster.pid" % n)
        if p:
            for q in tree(p):
                out.setdefault("postgres %s %s" % (n, pg_kind(q)), []).append(q)
        p = read_pid(os.path.join(pids, "patroni-%s.pid" % n))
        if p:
            out["patroni " + n] = [p]
    p = read_pid(os.path.join(pids, "etcd.pid"))
    if p:
        out["etcd"] = [p]
    return out


def run(env, label, url, lua):
    subprocess.run(["wrk", "-t2", "-c%d" % CONNS, "-d2s", "-s", lua, url], capture_output=True)   # warm-up
    ps = parts(env["CL_VAR"])
    before = {k: sum(cpu(p) for p in v) for k, v in ps.items()}
    proc = subprocess.Popen(["wrk", "-t2", "-c%d" % CONNS, "-d%ds" % SECS, "--latency", "-s", lua, url],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    after = {k: sum(cpu(p) for p in v) for k, v in ps.items()}
    m = re.search(r"(\d+) requests in", out)
    reqs = int(m.group(1)) if m else 0
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)) if "Requests/sec" in out else 0.0
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: (.*)", out)
    used = {k: after[k] - before[k] for k in ps}
    used["wrk (client)"] = ru.ru_utime + ru.ru_stime
    print("%-28s %8.0f req/s  p50 %-8s p99 %-8s %s%s" % (label, rps, lat.get("50", "?"), lat.get("99", "?"),
                                                       "non-2xx %s " % bad.group(1) if bad else "",
                                                       "socket errors: " + errs.group(1) if errs else ""))
    if reqs:
        total = 0.0
        for k in sorted(used):
            us = used[k] * 1e6 / reqs
            if k != "wrk (client)":
                total += us
            if us >= 1:
                print("    %-30s %7.0f µs CPU/request" % (k, us))
        print("    %-30s %7.0f µs CPU/request (the cluster, wrk not counted)" % ("total", total))
    return rps, used, reqs


def main():
    env = load_env(os.environ["CL_ENV"])
    work = os.path.join(env["CL_VAR"], "bench")
    os.makedirs(work, exist_ok=True)
    base = env["BASE_URL"]
    setup_env = dict(os.environ, PG_BIN=env["PG_BIN"], FACECLOCK_MIGRATE_URL=env["OWNER_URL"],
                     PGPASSWORD=env["PGPASSWORD"])
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "bench", "clock_bench.py"), "setup", base,
                    env["FACECLOCK_ADMIN_KEY"], "clock-bench", work, "200"], check=True, env=setup_env)
    url = base + "/api/staff/hotel/clock-bench/attendance/clock-logs/face-clock-in/"
    lua = os.path.join(work, "clock.lua")
    print("wrk -t2 -c%d -d%ds through the edge, %d cores shared by every host; CPU from /proc per part"
          % (CONNS, SECS, os.cpu_count()))
    rates = {1: [], 2: []}
    try:
        for n in (1, 2, 1, 2):
            subprocess.run([env["CLUSTER"], "upstream", str(n)], check=True, capture_output=True)
            time.sleep(1)
            rps, _, _ = run(env, "face-clock-in, %d app host%s" % (n, "s" if n > 1 else ""), url, lua)
            rates[n].append(rps)
    finally:
        subprocess.run([env["CLUSTER"], "upstream", "2"], capture_output=True)
    one, two = sum(rates[1]) / 2, sum(rates[2]) / 2
    print("two app hosts / one: %.2f (means %.0f and %.0f req/s; both hosts share the same %d cores)"
          % (two / one if one else 0, two, one, os.cpu_count()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
