"""tests/soak/verdict.py — the soak's judgement, pure: the samples taken
during the run (one dict per sample) and the ledger of requests (Entry,
tests/faults/ledger.py) reduced to one row per metric (start, end,
growth, bound, verdict). "start" is the second quarter of the run (after
warm-up), "end" the last quarter. No I/O here: tests/soak/test_verdict.py
checks every rule with samples made up by hand; tests/soak/run.py feeds it
real ones.

Bounds (docs/operations.md says how to read them):
  gauges (RSS, open fds, PostgreSQL connections): the median of the
    quarter; RSS may grow by 20 % or 8 MiB (the larger), fds by 5,
    connections by 2
  latency: p99 of each quarter's requests (exports apart) may double,
    with 100 ms of slack for a shared machine; an export is judged by its
    time per 1 000 lines (the exported tables grow by design)
  transient tables: their row growth may not exceed what the run's own
    requests added in between (TRANSIENT: which answers add rows), and
    their bytes may grow by at most 1 KiB per such row plus 512 KiB
  clock_logs, action_audit_log: grow by design; reported as bytes per
    request, not bounded
"""

import math

MIB = 1 << 20
RSS_FRACTION, RSS_FLOOR = 0.20, 8 * MIB
FD_SLACK = 5
CONN_SLACK = 2
P99_FACTOR, P99_SLACK = 2.0, 0.100
ROW_BYTES, BYTES_SLACK = 1024, 512 * 1024

# table -> (rows each counted answer may add, kinds of ledger entries
# counted, statuses counted). What `faceclock purge` would remove from
# them: auth_tokens past expires_at, auth_failures older than the failure
# memory, used_confirmation_tokens past expiry, face_changes older than
# the devices' change history; nothing a run of minutes has aged yet, so
# within a run they may only grow by what its own traffic adds.
TRANSIENT = {
    "auth_tokens": (1, ("login",), (200,)),
    "auth_failures": (2, ("badlogin",), (401, 429)),
    "used_confirmation_tokens": (1, ("confirm",), (200, 201)),
    "face_changes": (2, ("capture",), (200, 201)),
    "device_events": (1, ("event",), (201,)),
}
GROWING = ("clock_logs", "action_audit_log")


def quarters(t0, t1):
    """(second quarter, last quarter) of [t0, t1] as (begin, end) pairs."""
    q = (t1 - t0) / 4.0
    return (t0 + q, t0 + 2 * q), (t0 + 3 * q, t1)


def median(xs):
    xs = sorted(xs)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2.0


def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = min(len(xs) - 1, max(0, int(math.ceil(p / 100.0 * len(xs))) - 1))     # nearest rank
    return xs[k]


def in_window(samples, w):
    return [s for s in samples if w[0] <= s["t"] <= w[1]]


def gauge_bound(name, start):
    if name.startswith("rss"):
        return start + max(start * RSS_FRACTION, RSS_FLOOR)
    if name == "pg_connections":
        return start + CONN_SLACK
    return start + FD_SLACK


GAUGES = ("rss_sum", "rss_max", "fd_master", "fd_worker_max", "fd_nginx_max", "fd_postmaster", "pg_connections")


def row(metric, start, end, bound, unit="", judged=True):
    if start is None or end is None:
        return {"metric": metric, "start": start, "end": end, "growth": None, "bound": bound,
                "unit": unit, "verdict": "no data" if judged else "reported", "ok": not judged}
    ok = (end <= bound) if judged else True
    return {"metric": metric, "start": start, "end": end, "growth": end - start, "bound": bound, "unit": unit,
            "verdict": ("ok" if ok else "FAIL") if judged else "reported", "ok": ok}


def added(ledger, table, w):
    """Rows the run's own answers may have added to table between the
    counts at w[0] and w[1]: every counted request in flight at any time
    in between (one sent before the first count may commit after it)."""
    per, kinds, statuses = TRANSIENT[table]
    return per * sum(1 for e in ledger if e.kind in kinds and e.status in statuses and e.done > w[0] and e.sent < w[1])


def judge(samples, ledger, exports, t0, t1):
    """Rows of the table: samples (dicts with t, the GAUGES, rows_<table>
    and bytes_<table>), ledger (Entry), exports ((sent, seconds, lines)),
    the run's [t0, t1]."""
    q2, q4 = quarters(t0, t1)
    s2, s4 = in_window(samples, q2), in_window(samples, q4)
    out = []
    for g in GAUGES:
        a = median([s[g] for s in s2 if s.get(g) is not None])
        b = median([s[g] for s in s4 if s.get(g) is not None])
        unit = "bytes" if g.startswith("rss") else ""
        out.append(row(g, a, b, None if a is None else gauge_bound(g, a), unit))

    def lat(w):
        return [e.done - e.sent for e in ledger if w[0] <= e.sent < w[1] and e.status and e.kind != "export"]
    a, b = percentile(lat(q2), 99), percentile(lat(q4), 99)
    out.append(row("p99 latency", a, b, None if a is None else max(a * P99_FACTOR, a + P99_SLACK), "s"))

    def per_k(w):
        xs = [1000.0 * secs / lines for sent, secs, lines in exports if w[0] <= sent < w[1] and lines > 0]
        return median(xs)
    a, b = per_k(q2), per_k(q4)
    out.append(row("export s/1000 lines", a, b, None if a is None else max(a * P99_FACTOR, a + P99_SLACK), "s"))

    # the table sizes: the last sample at or before each quarter's end
    # against the first sample at or after the second quarter's start
    first = s2[0] if s2 else None
    last = s4[-1] if s4 else None
    # when the tables were counted (t_db; t in samples without it)
    span = (first.get("t_db", first["t"]), last.get("t_db", last["t"])) if first and last else None
    for table in TRANSIENT:
        if not span:
            out.append(row(table + " rows", None, None, None))
            continue
        n = added(ledger, table, span)
        ra, rb = first["rows_" + table], last["rows_" + table]
        out.append(row(table + " rows", ra, rb, ra + n))
        ba, bb = first["bytes_" + table], last["bytes_" + table]
        out.append(row(table + " bytes", ba, bb, ba + n * ROW_BYTES + BYTES_SLACK, "bytes"))
    for table in GROWING:
        if not span:
            continue
        reqs = sum(1 for e in ledger if span[0] < e.sent <= span[1])
        ba, bb = first["bytes_" + table], last["bytes_" + table]
        r = row(table + " bytes", ba, bb, None, "bytes", judged=False)
        r["note"] = "%.0f bytes/request" % ((bb - ba) / reqs) if reqs else "no requests"
        out.append(r)
    return out


def per_minute(ledger, t0):
    """[(minute, requests, p50, p99)] of the non-export requests."""
    buckets = {}
    for e in ledger:
        if e.status and e.kind != "export":
            buckets.setdefault(int((e.sent - t0) // 60), []).append(e.done - e.sent)
    return [(m, len(xs), percentile(xs, 50), percentile(xs, 99)) for m, xs in sorted(buckets.items())]
