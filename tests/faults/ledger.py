"""tests/faults/ledger.py — the fault suite's judgement, pure: the ledger
of every request the traffic sent (one Entry each) set against what the
database holds afterwards, and the verdict of one fault (the row of the
table). No I/O here: tests/faults/test_ledger.py checks every rule with
ledgers and databases made up by hand; tests/faults/run.py feeds it real
ones.

A person's scans are sent one at a time (the traffic never has two scans
of one person in flight), so each clock event in the database (a time_in
or a time_out, stamped by PostgreSQL's now() inside the request) falls in
the [sent, answered] window of exactly one of that person's requests:
  lost     a 2xx scan whose log row does not hold its event (by id, and
           its time inside the request's window)
  doubled  an event in no request's window, or two events in one window
  unacked  an event in the window of a request answered non-2xx or not at
           all: the outcome of a request cut by the fault (a worker
           killed, COMMIT sent and the connection lost) is unknown to the
           server too, so this is counted and shown, not failed; it is a
           violation only after a 4xx (the server said it refused).

The live events of those scans (live_events): every clock event the
database holds for a 2xx scan (its outbox row in `events`, written in the
scan's transaction) must reach the hotel's SSE subscriber at least once;
a repeat is allowed only under the same event id (at-least-once), never
as a second event of the same clock event.

The scheduler's work under kill -9 (scheduler_work), judged from the
database once it has caught up: every session due for auto-close closed,
marked auto_closed and audited exactly once (one clock_log.auto_closed
row), nobody with two open sessions; every alert condition that held all
along raised exactly once per rule and subject; the daily purge run by
the scheduler once, never twice within a day.
"""

import json

SLACK = 0.05          # seconds: now() vs the client's clock, same machine
WRITE_ACTIONS = ("CLOCK_IN", "CLOCK_OUT")


class Entry:
    """One request: kind (scan, pms, capture, pull, export), who (a person's
    staff id for scans), sent/done (time.time()), status (0: no HTTP answer),
    body (bytes, first KiB is enough), error (the client's exception text)."""
    __slots__ = ("kind", "who", "sent", "done", "status", "code", "action", "log_id", "json_error", "error")

    def __init__(self, kind, who, sent, done, status, body=b"", error=""):
        self.kind, self.who, self.sent, self.done = kind, who, sent, done
        self.status, self.error = status, error
        self.code = self.action = self.log_id = None
        self.json_error = False
        try:
            doc = json.loads(body) if body else None
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            self.code = doc.get("code")
            self.action = doc.get("action")
            log = doc.get("log")
            if isinstance(log, dict):
                self.log_id = log.get("id")
            self.json_error = isinstance(doc.get("code"), str) and isinstance(doc.get("message"), str)

    def ok(self):
        return 200 <= self.status < 300

    def wrote(self):
        return self.kind == "scan" and self.ok() and self.action in WRITE_ACTIONS

    def to_json(self):
        return {k: getattr(self, k) for k in self.__slots__}


def scan_events(entries, db_rows):
    """lost, doubled, unacked, refused_written (lists of (time, text)) of
    the scans in entries against db_rows: (log_id, staff_id, time_in,
    time_out) epoch seconds (time_out None when open) of the people's
    clock logs whose time_in or time_out falls in the entries' span."""
    lost, doubled, unacked, refused = [], [], [], []
    scans = [e for e in entries if e.kind == "scan"]
    if not scans:
        return lost, doubled, unacked, refused
    by_id = {r[0]: r for r in db_rows}
    lo = min(e.sent for e in scans) - SLACK
    hi = max(e.done for e in scans) + SLACK
    windows = {}
    for e in scans:
        windows.setdefault(e.who, []).append(e)
    for e in scans:
        if not e.wrote():
            continue
        row = by_id.get(e.log_id)
        t = None if row is None else (row[2] if e.action == "CLOCK_IN" else row[3])
        if row is None or row[1] != e.who or t is None or not e.sent - SLACK <= t <= e.done + SLACK:
            lost.append((e.sent, "staff %s %s log %s at %.3f: not in the database" % (e.who, e.action, e.log_id, e.sent)))
    hits = {}
    for log_id, who, t_in, t_out in db_rows:
        for what, t in (("in", t_in), ("out", t_out)):
            if t is None or not lo <= t <= hi:
                continue
            mine = [e for e in windows.get(who, ()) if e.sent - SLACK <= t <= e.done + SLACK]
            if not mine:
                doubled.append((t, "staff %s log %s %s at %.3f: no request of theirs was in flight"
                                % (who, log_id, what, t)))
                continue
            # a person's scans never overlap, but the slack can reach the
            # next one's start (a person scanned again at once, when
            # everyone else is busy): the scan whose own span holds t first
            e = next((x for x in mine if x.sent <= t <= x.done), mine[0])
            hits.setdefault(id(e), []).append((log_id, what))
            if len(hits[id(e)]) == 2:
                doubled.append((e.sent, "staff %s: one scan at %.3f wrote twice (%s)" % (who, e.sent, hits[id(e)])))
            if not e.ok():
                (refused if 400 <= e.status < 500 else unacked).append(
                    (e.sent, "staff %s log %s %s at %.3f: answered %s %s" % (who, log_id, what, t,
                                                                          e.status or "nothing", e.code or e.error)))
    return lost, doubled, unacked, refused


EVENT_OF = {"CLOCK_IN": "clock.in", "CLOCK_OUT": "clock.out"}


def live_events(entries, outbox, received):
    """undelivered, twice (lists of (time, text)): outbox is the hotel's
    clock events in the database, (event_id, type, log_id); received what
    the subscriber read, (event_id, type, log_id) per message, repeats
    included (only clock.in and clock.out count). Each 2xx scan that wrote must have its event in the outbox
    and that event id among the received; a clock event (type, log_id)
    received under two event ids, or one id received as two different
    events, is twice."""
    undelivered, twice = [], []
    ids = {}
    for ev_id, typ, log_id in outbox:
        ids.setdefault((typ, log_id), []).append(ev_id)
    got = {}
    seen = {}
    for ev_id, typ, log_id in received:
        if typ not in EVENT_OF.values():
            continue                 # face.*, device.*: no clock event
        if seen.setdefault(ev_id, (typ, log_id)) != (typ, log_id):
            twice.append((0.0, "event %s received as %s and as %s" % (ev_id, seen[ev_id], (typ, log_id))))
        got.setdefault((typ, log_id), set()).add(ev_id)
    for e in entries:
        if not e.wrote():
            continue
        key = (EVENT_OF[e.action], e.log_id)
        mine = ids.get(key, [])
        if not mine:
            undelivered.append((e.sent, "staff %s %s log %s at %.3f: no event in the outbox"
                                % (e.who, e.action, e.log_id, e.sent)))
        elif not set(mine) & got.get(key, set()):
            undelivered.append((e.sent, "staff %s %s log %s at %.3f: event %s never reached the subscriber"
                                % (e.who, e.action, e.log_id, e.sent, mine[0])))
    for key, evs in got.items():
        if len(evs) > 1:
            twice.append((0.0, "%s of log %s received under event ids %s" % (key[0], key[1], sorted(evs))))
    return undelivered, twice


def notified(outbox, received):
    """undelivered, wrong (lists of (time, text)) of the webhooks a
    receiver got for an endpoint that wants clock.in and clock.out: outbox
    is the hotel's clock events in the database, (event_id, type, log_id);
    received what the receiver read, (header event id, body id,
    signature ok) per request, repeats included. Every event of the outbox
    must arrive at least once (it is what a 2xx scan wrote: live_events
    checks that the outbox has it); a repeat is fine only under the same id.
    Wrong: a request whose header and body ids differ, an id that is no
    clock event of the outbox, a signature that does not verify."""
    undelivered, wrong = [], []
    want = {ev_id for ev_id, typ, _ in outbox if typ in EVENT_OF.values()}
    got = set()
    for hdr, body, sig_ok in received:
        if hdr != body:
            wrong.append((0.0, "a webhook with event id %s in its header and %s in its body" % (hdr, body)))
        elif hdr not in want:
            wrong.append((0.0, "a webhook of event %s, no clock event of the outbox" % hdr))
        if not sig_ok:
            wrong.append((0.0, "a webhook of event %s whose signature does not verify" % hdr))
        if hdr == body and sig_ok:
            got.add(hdr)
    for ev_id, typ, log_id in sorted(outbox):
        if ev_id in want and ev_id not in got:
            undelivered.append((0.0, "%s of log %s (event %s) never reached the receiver" % (typ, log_id, ev_id)))
    return undelivered, wrong


def bad_answers(entries, deadline):
    """(late, malformed), lists of (time, text): requests left without an answer past the deadline
    (plus a second for the answer to travel), and non-2xx answers that are
    not a JSON {code, message} or are a 500."""
    late, malformed = [], []
    for e in entries:
        if e.kind == "export":
            continue                 # a stream: judged on its own (run.py)
        if e.status == 0 or e.done - e.sent > deadline + 1.0:
            late.append((e.sent, "%s %s at %.3f: %s after %.1fs" % (e.kind, e.who, e.sent, e.status or e.error,
                                                                  e.done - e.sent)))
        elif not e.ok() and (not e.json_error or e.status == 500):
            malformed.append((e.sent, "%s %s at %.3f: %d %s" % (e.kind, e.who, e.sent, e.status,
                                                                 e.code or "not JSON")))
    return late, malformed


def recovery(entries, fault_end, until, rate, bin_s=0.5, share=0.8):
    """Seconds after fault_end until the scans are back to full rate: the
    start of the first bin from which on every bin up to `until` holds at
    least share·rate·bin_s scans sent and answered 2xx, and no scan sent
    from there on failed. None when that never happens."""
    scans = sorted((e for e in entries if e.kind == "scan" and e.sent >= fault_end), key=lambda e: e.sent)
    nbins = int((until - fault_end) / bin_s)
    if nbins <= 0:
        return None
    good = [0] * nbins
    last_bad = None
    for e in scans:
        i = int((e.sent - fault_end) / bin_s)
        if i >= nbins:
            break
        if e.ok():
            good[i] += 1
        else:
            last_bad = i
    need = share * rate * bin_s
    start = 0 if last_bad is None else last_bad + 1
    for i in range(start, nbins):
        if all(g >= need for g in good[i:]):
            return i * bin_s
    return None


DAY = 86400.0


def auto_closes(due, logs, audits):
    """not_closed, twice, stray, two_open (lists of text): due is the ids of
    the sessions the scheduler had to close; logs the hotel's clock logs,
    (log_id, staff_id, closed, auto_closed); audits the targets of its
    clock_log.auto_closed audit rows ("clock_log:<id>", repeats included).
    A due log must be closed, marked and audited once; an audit row of a
    log that was not due, or not marked, is stray; a person may hold one
    open session at most."""
    not_closed, twice, stray, two_open = [], [], [], []
    by_id = {r[0]: r for r in logs}
    count = {}
    for t in audits:
        count[t] = count.get(t, 0) + 1
    for log_id in sorted(due):
        row = by_id.get(log_id)
        n = count.get("clock_log:%d" % log_id, 0)
        if row is None or not row[2] or not row[3] or n == 0:
            not_closed.append("log %s: %s" % (log_id, "missing" if row is None else
                                               "still open" if not row[2] else
                                               "closed but not marked auto_closed" if not row[3] else
                                               "closed with no clock_log.auto_closed audit row"))
        elif n > 1:
            twice.append("log %s: %d clock_log.auto_closed audit rows" % (log_id, n))
    for t, n in sorted(count.items()):
        log_id = int(t.split(":", 1)[1]) if t.startswith("clock_log:") and t[10:].isdigit() else None
        if log_id not in due:
            stray.append("%s: audited auto-closed (%d) but was not due" % (t, n))
    opened = {}
    for log_id, who, closed, _ in logs:
        if not closed:
            opened.setdefault(who, []).append(log_id)
    two_open += ["staff %s: open sessions %s" % (who, ids) for who, ids in sorted(opened.items()) if len(ids) > 1]
    return not_closed, twice, stray, two_open


def alerts_once(expected, alerts):
    """missing, twice (lists of text): expected is the (rule, subject) whose
    condition held from before the first tick to the end (never cleared,
    so never resolved by the scheduler); alerts the hotel's rows, (rule,
    subject, state). Each expected one must have exactly one row; no
    (rule, subject) at all may have two (a second raise of a condition
    that never cleared is a storm)."""
    rows = {}
    for rule, subject, state in alerts:
        rows.setdefault((rule, subject), []).append(state)
    missing = ["%s %s: never raised" % k for k in sorted(expected) if k not in rows]
    twice = ["%s %s: %d alerts (%s)" % (k[0], k[1], len(v), ", ".join(v)) for k, v in sorted(rows.items())
             if len(v) > 1]
    return missing, twice


def purge_runs(times, due):
    """missed, twice (lists of text): times are when the scheduler's purge
    ran (its purge.ran audit rows, epoch seconds); due whether a run was
    due during the observation. Two runs less than a day apart are twice."""
    times = sorted(times)
    missed = ["the purge was due and never ran"] if due and not times else []
    twice = ["purge ran at %.3f and again at %.3f" % (a, b) for a, b in zip(times, times[1:]) if b - a < DAY]
    return missed, twice
