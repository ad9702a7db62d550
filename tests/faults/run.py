#!/usr/bin/env python3
"""tests/faults/run.py — the fault suite (scripts/faults.sh starts the
stack and calls it): a hotel of scanned staff, enrollees, a kiosk and an
edge device; steady traffic through nginx (face-clock-in scans, PMS
syncs, enrollment captures, sync pulls) with every request and answer in
a ledger (both in tests/faults/harness.py, shared with the soak); one
fault at a time, each with traffic before and after it; then the ledger
against the database (tests/faults/ledger.py) and a table.
Exits 1 on any violation.

    run.py full|short [FAULT...]        (FAULT: a name from FAULTS below)

Environment: FC_VAR (the stack's, with its env file), FAULTS_RATE (scans
per second; full 100, short 40), FAULTS_EXPORT_ROWS (audit rows for the
big export; full 1000000, short 50000).

All along, a subscriber reads the hotel's live channel (nchan's SSE) and, after
each reconnection, catches up from the outbox (the events route): every
clock event of a 2xx scan must reach it at least once (ledger.live_events),
whatever the fault; `publisher-kill` is the live publisher's own. When
`notifier-kill` runs (a full run, or named), a webhook endpoint of the
hotel wants clock.in and clock.out, delivered to a receiver here: every
clock event of the outbox must reach it at least once, under its own id
and with a valid signature (ledger.notified), whatever the fault;
`notifier-kill` kills the notifier service again and again.
`scheduler-kill` is the scheduler's: forgotten sessions auto-closed once
each, alerts raised once per condition and subject, the daily purge run
once (ledger.auto_closes, alerts_once, purge_runs), whatever the kills.
`broker-restart` is the MQTT broker's: mosquitto killed while profile
versions move, actions are queued and its config changes; every outbox
row is sent once it is back, and the fault's camera (tests/devices/sim.py,
connected all along) gets the last version, acknowledges every action and
runs the last config version.

It owns: the traffic threads, the live subscriber, the processes it signals (found by the PIDs
the stack recorded and their children in /proc), the filler file and the
tmpfs of the disk-full fault (mounted here, unmounted by faults.sh).
"""

import hashlib
import hmac
import http.client
import http.server
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "devices"))

import sim  # noqa: E402
from harness import DEVICE, SLUG, Hotel, Stack, Subscriber, Traffic, children, tree  # noqa: E402
from ledger import (alerts_once, auto_closes, bad_answers, live_events, notified, purge_runs,  # noqa: E402
                    recovery, scan_events)


def say(msg):
    print("[faults] " + msg, flush=True)


# ----------------------------------------------------------------- faults
# Each takes (ctx, seconds) and returns when the fault has ended (the time
# recovery is measured from); ctx.notes collects what to say about it.

class Ctx:
    def __init__(self, stack, hotel, mode):
        self.s, self.h, self.mode = stack, hotel, mode
        self.notes = {}
        self.disk = None

    def note(self, fault, text):
        self.notes.setdefault(fault, []).append(text)
        say("%s: %s" % (fault, text))


def f_worker_kill(ctx, secs):
    end, n = time.time() + secs, 0
    master = ctx.s.pid("faceclock")
    while time.time() < end:
        pids = children(master)
        if pids:
            os.kill(random.choice(pids), signal.SIGKILL)
            n += 1
        time.sleep(min(2.0, max(0.0, end - time.time())))
    ctx.note("worker-kill", "%d workers killed with SIGKILL" % n)
    return time.time()


def service_pid(master, name):
    """The pid of the master's service `name` (its comm is svc:<name>), or None."""
    for p in children(master):
        try:
            with open("/proc/%d/comm" % p) as f:
                if f.read().strip() == "svc:" + name:
                    return p
        except OSError:
            pass
    return None


def kill_service(ctx, service, secs, lo, hi):
    """The service `service` (svc:<service> under the master) killed with
    SIGKILL again and again for secs, each time lo-hi s after it is back
    (the master respawns it, with its backoff); how many times."""
    end, n = time.time() + secs, 0
    master = ctx.s.pid("faceclock")
    while time.time() < end:
        pid = service_pid(master, service)
        if pid is None:
            time.sleep(0.05)
            continue
        time.sleep(random.uniform(lo, hi))
        if time.time() >= end:
            break
        try:
            os.kill(pid, signal.SIGKILL)
            n += 1
        except ProcessLookupError:
            pass
        while service_pid(master, service) == pid:
            time.sleep(0.01)
    return n


def f_publisher_kill(ctx, secs):
    """The live publisher (handlers/live/publisher_svc.c) killed again and
    again, 0.2-1.2 s after it is back: mid-batch, between the post to
    nchan and the mark, or idle."""
    n = kill_service(ctx, "publisher", secs, 0.2, 1.2)
    ctx.note("publisher-kill", "the live publisher killed %d times with SIGKILL" % n)
    return time.time()


AC0, AL0 = 91000, 93000      # staff of the scheduler's hotels: auto-closed, alerted
SCHED_BATCH = (8, 4)        # due sessions added per second in each


def sched_hotel(s, slug, staff0, n, settings):
    """A hotel of n staff (staff0 + i) with settings; its id."""
    staff = [{"id": staff0 + i, "employee_code": "%s%05d" % (slug[-2:].upper(), i), "first_name": "Sched",
              "last_name": "Person %d" % i} for i in range(n)]
    s.must("PUT", "/api/staff/hotel/%s/pms-sync/" % slug,
           {"hotel": {"name": "Fault " + slug, "timezone": "UTC"}, "settings": settings, "staff": staff})
    return int(s.psql("SELECT id FROM hotels WHERE slug = '%s'" % slug))


# the scheduler's session advisory lock (SCHEDULER_LOCK, scheduler_svc.c) as pg_locks shows a bigint key
SCHED_LOCK = (0x66637363, 0x68656475)
AUDIT_CHAIN_LOCK = 7270002  # a hotel's audit chain: pg_advisory_xact_lock(7270002, hotel id), sql/012


class Held:
    """A psql session of the owner holding what lock_sql takes, in an open
    transaction, until release()."""

    def __init__(self, s, lock_sql):
        self.p = subprocess.Popen([os.path.join(s.env["PG_BIN"], "psql"), s.env["FACECLOCK_MIGRATE_URL"], "-X",
                                   "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, cwd="/")
        self.pid = int(self.ask("SELECT pg_backend_pid();"))
        self.ask("BEGIN; %s SELECT 'held';" % lock_sql, "held")

    def ask(self, sql, until=None):
        self.p.stdin.write(sql + "\n")
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError("the lock holder's psql ended: %s" % sql)
            if until is None and line.strip() or line.strip() == until:
                return line.strip()

    def release(self):
        if self.p.poll() is None:
            self.p.stdin.write("ROLLBACK;\n")
            self.p.stdin.close()
            self.p.wait(30)


def scheduler_waiting(s, held):
    """The backend of the scheduler (the holder of its advisory lock) when
    it waits for what held holds, else None."""
    out = s.psql("SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
                 "AND l.locktype = 'advisory' AND l.classid = %d AND l.objid = %d AND l.objsubid = 1 "
                 "AND l.granted WHERE %d = ANY(pg_blocking_pids(a.pid))" % (SCHED_LOCK + (held.pid,)))
    return int(out) if out else None


def kill_inside(ctx, lock_sql, what, wait, then=None):
    """Hold lock_sql (then call `then`) until the scheduler waits for it
    inside one of its transactions (at most `wait` s), then kill -9 the
    scheduler and end its backend with it (so the transaction dies half
    done, as when the process dies mid-statement), and let go. True when
    it was caught."""
    s, sc = ctx.s, ctx.sched
    master = s.pid("faceclock")
    held = Held(s, lock_sql)
    try:
        if then is not None:
            then()
        end = time.time() + wait
        while time.time() < end:
            backend = scheduler_waiting(s, held)
            pid = service_pid(master, "scheduler")
            if backend is not None and pid is not None:
                os.kill(pid, signal.SIGKILL)
                s.psql("SELECT pg_terminate_backend(%d)" % backend)
                sc["kills"] += 1
                sc["inside"].append(what)
                while service_pid(master, "scheduler") == pid:
                    time.sleep(0.01)
                return True
            time.sleep(0.05)
        sc["missed"].append(what)
        return False
    finally:
        held.release()


def f_scheduler_kill(ctx, secs):
    """The scheduler service (handlers/attendance/scheduler_svc.c, ticking
    every FACECLOCK_SCHEDULER_INTERVAL = 1 s on the fault stack) killed with
    SIGKILL while work keeps coming due: each second a batch of forgotten
    sessions (13 h old) in a hotel with auto_close hard_limit, and one in a
    hotel with it off (their hard_limit and overtime alerts), and the daily
    purge made due (its scheduler_runs row a day old). Twice on purpose
    inside a transaction: an auto-close whose clock log is updated and whose
    audit row waits (the hotel's audit chain lock held), and the purge
    whose record waits (scheduler_runs locked) — the process killed and
    its connection ended there. Then again and again, 0.5-2.5 s after it is
    back (its first tick comes a second or two after it starts: the kills
    fall before, inside and between ticks), for the window. Judged by
    sched_verdict()."""
    s = ctx.s
    per = SCHED_BATCH
    n = int(secs + 10) * max(per)
    sc = ctx.sched = {"hotels": {}, "due": {"faults-ac": [], "faults-al": []}, "kills": 0, "inside": [],
                      "missed": []}
    # auto-close off at first: the first batch waits for the lock below
    ac = sc["hotels"]["faults-ac"] = sched_hotel(s, "faults-ac", AC0, n, {"auto_close": "off"})
    sc["hotels"]["faults-al"] = sched_hotel(s, "faults-al", AL0, n, {"auto_close": "off"})
    # the auto-close hotel's sessions raise no alerts: its audit chain is the scheduler's auto-closes alone
    s.must("PATCH", "/api/staff/hotel/faults-ac/alerts/rules/",
           {"hard_limit": {"enabled": False}, "overtime": {"enabled": False}})
    sc["audit0"] = int(s.psql("SELECT coalesce(max(id), 0) FROM action_audit_log"))
    stop = threading.Event()

    def batch(k):
        t_in = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 13 * 3600))
        for (slug, staff0), m in zip((("faults-ac", AC0), ("faults-al", AL0)), per):
            who = [staff0 + k * max(per) + i for i in range(m)]
            s.must("PUT", "/api/staff/hotel/%s/pms-sync/" % slug,
                   {"clock_logs": [{"staff_id": w, "time_in": t_in, "time_out": None} for w in who]})
            sc["due"][slug] += who

    def feed():
        k = 1
        while not stop.wait(1.0) and k * max(per) < n:
            batch(k)
            k += 1

    master = s.pid("faceclock")
    batch(0)
    # an auto-close cut between its update and its audit row: auto-close
    # turned on (as the owner, unaudited) while the hotel's audit chain is held
    kill_inside(ctx, "SELECT pg_advisory_xact_lock(%d, %d);" % (AUDIT_CHAIN_LOCK, ac), "an auto-close", 5.0,
                then=lambda: s.psql("UPDATE attendance_settings SET auto_close = 'hard_limit' WHERE hotel_id = %d"
                                    % ac))
    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        # the purge cut before its record: made due while no scheduler
        # runs (a successor's first tick is a second or more away)
        pid = service_pid(master, "scheduler")
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            sc["kills"] += 1
        s.psql("INSERT INTO scheduler_runs (job, last_run) VALUES ('purge', now() - interval '25 hours') "
               "ON CONFLICT (job) DO UPDATE SET last_run = excluded.last_run")
        kill_inside(ctx, "LOCK TABLE scheduler_runs IN EXCLUSIVE MODE;", "the purge", 8.0)
        sc["kills"] += kill_service(ctx, "scheduler", secs, 0.5, 2.5)
    finally:
        stop.set()
        feeder.join()
    ctx.note("scheduler-kill", "the scheduler killed %d times with SIGKILL, inside a transaction: %s%s; "
             "%d sessions due for auto-close, %d sessions past the hard limit with auto-close off, the purge due"
             % (sc["kills"], ", ".join(sc["inside"]) or "none",
                " (not caught inside: %s)" % ", ".join(sc["missed"]) if sc["missed"] else "",
                len(sc["due"]["faults-ac"]), len(sc["due"]["faults-al"])))
    return time.time()




def f_notifier_kill(ctx, secs):
    """The notifier (handlers/notify/notifier_svc.c) killed again and
    again, 0.2-1.2 s after it is back: mid-delivery (between the
    receiver's answer and the commit of the mark: delivered again, same
    id), between deliveries, or idle."""
    n = kill_service(ctx, "notifier", secs, 0.2, 1.2)
    ctx.note("notifier-kill", "the notifier killed %d times with SIGKILL" % n)
    return time.time()


class Receiver:
    """The hotel's webhook receiver on 127.0.0.1 (the stack allows private
    addresses: scripts/faults.sh): every request as (header event id, body
    id, signature verified), repeats included; answers 200."""

    def __init__(self):
        outer = self
        self.secret = None
        self.received = []
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ts = self.headers.get("X-Faceclock-Timestamp", "")
                mac = hmac.new((outer.secret or "").encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
                ok = hmac.compare_digest(self.headers.get("X-Faceclock-Signature", ""), "sha256=" + mac)
                try:
                    body_id = json.loads(body)["id"]
                except (ValueError, KeyError, TypeError):
                    body_id = None
                hdr = self.headers.get("X-Faceclock-Event-Id", "")
                with outer.lock:
                    outer.received.append((int(hdr) if hdr.isdigit() else hdr, body_id, ok))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/faults-hook" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def subscribe(self, s, h):
        ep = s.must("POST", h.path("notifications/endpoints/"),
                    {"kind": "webhook", "url": self.url, "events": ["clock.in", "clock.out"]})
        self.secret = ep["secret"]
        return ep["id"]

    def got(self):
        with self.lock:
            return list(self.received)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def f_pg_restart(mode):
    def run(ctx, secs):
        name = "pg-restart-" + mode
        data = os.path.join(ctx.s.pg_dir, "data")
        t0 = time.time()
        p = ctx.s.as_pg([os.path.join(ctx.s.env["PG_BIN"], "pg_ctl"), "-D", data, "-m", mode, "-w", "-t", "30",
                         "-s", "stop"])
        if p.returncode != 0:
            raise RuntimeError("pg_ctl stop -m %s: %s" % (mode, p.stderr))
        time.sleep(max(0.0, secs - (time.time() - t0)))
        ctx.s.script("pg-start")
        ctx.note(name, "PostgreSQL down %.1f s (pg_ctl stop -m %s, then scripts/stack.sh pg-start)"
                 % (time.time() - t0, mode))
        return time.time()
    return run


def f_pg_freeze(ctx, secs):
    pids = tree(ctx.s.pid("postgres"))
    for p in pids:                  # the postmaster first: it forks no more
        os.kill(p, signal.SIGSTOP)
    t0 = time.time()
    try:
        time.sleep(secs)
    finally:
        for p in reversed(pids):
            try:
                os.kill(p, signal.SIGCONT)
            except ProcessLookupError:
                pass
    ctx.note("pg-freeze", "%d PostgreSQL processes stopped (SIGSTOP) for %.1f s" % (len(pids), time.time() - t0))
    return time.time()


def f_reloads(ctx, secs):
    end, n = time.time() + secs, [0, 0]
    while time.time() < end:
        os.kill(ctx.s.pid("nginx"), signal.SIGHUP)
        n[0] += 1
        time.sleep(0.5)
        os.kill(ctx.s.pid("faceclock"), signal.SIGHUP)
        n[1] += 1
        time.sleep(0.5)
    ctx.note("reloads", "%d nginx and %d faceclock SIGHUPs" % tuple(n))
    return time.time()


def f_long_work(ctx, secs):
    """The 10 000-staff PMS sync (`faceclock import`, in a loop, renaming
    every extra person each time) and the audit CSV export, while the scans
    go on for at least `secs`."""
    s, h = ctx.s, ctx.h
    env = dict(os.environ, **{k: s.env[k] for k in ("DATABASE_URL", "FACECLOCK_DATA_KEY", "FACECLOCK_ADMIN_KEY")})
    env["ASAN_OPTIONS"] = "detect_leaks=0"
    end, syncs, exports = time.time() + secs, [], []

    def sync_loop():
        k = 0
        while time.time() < end:
            k += 1
            h.write_big_doc(10000, "r%d" % k)
            t0 = time.monotonic()
            p = subprocess.run([s.env["FC_BIN"], "import", SLUG, h.big_doc], env=env, capture_output=True,
                               text=True)
            syncs.append((p.returncode, time.monotonic() - t0, p.stderr[-300:]))

    def export_loop():
        while time.time() < end:
            t0 = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=s.deadline + 30)
            rows, err, status = 0, "", 0
            try:
                conn.request("GET", h.path("attendance/clock-logs/face-audit-logs/?format=csv"),
                             headers={"X-API-Key": s.admin, "Connection": "close"})
                r = conn.getresponse()
                status = r.status
                while True:
                    chunk = r.read(1 << 16)
                    if not chunk:
                        break
                    rows += chunk.count(b"\n")
            except (OSError, http.client.HTTPException) as e:
                err = type(e).__name__
            finally:
                conn.close()
            exports.append((status, rows, time.monotonic() - t0, err))

    ts = [threading.Thread(target=sync_loop), threading.Thread(target=export_loop)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if syncs:
        t = [x[1] for x in syncs]
        ctx.note("long-work", "%d PMS syncs of %d staff (faceclock import), %d failed, %.1f-%.1f s each"
                 % (len(syncs), 10000 + h.n_scan + h.n_enroll, sum(1 for x in syncs if x[0] != 0), min(t), max(t)))
    if exports:
        t = [x[2] for x in exports]
        kinds = {}
        for status, _, _, err in exports:
            k = "%s%s" % (status, " cut (" + err + ")" if err else " whole" if status == 200 else "")
            kinds[k] = kinds.get(k, 0) + 1
        ctx.note("long-work", "%d audit CSV exports of %d+ rows: %s; %.1f-%.1f s, up to %d lines"
                 % (len(exports), ctx.export_rows, ", ".join("%s x%d" % kv for kv in sorted(kinds.items())),
                    min(t), max(t), max(x[1] for x in exports)))
    ctx.long_results = (syncs, exports)
    return time.time()


def disk_prepare(ctx, size_mb=48):
    """A tmpfs of size_mb under the cluster's directory holding clock_logs
    and its indexes (a tablespace): the disk-full fault fills it. Returns
    a reason when it cannot (not root, mount refused)."""
    s = ctx.s
    mnt = os.path.join(os.path.dirname(s.pg_dir), "faults-disk")
    os.makedirs(mnt, exist_ok=True)
    if os.geteuid() != 0:
        return "not root: no tmpfs can be mounted"
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm,mode=0755" % size_mb, "faults-disk", mnt],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return "mount refused: " + p.stderr.strip()
    ctx.disk = mnt
    ts = os.path.join(mnt, "ts")
    os.makedirs(ts)
    if s.env.get("RUN_AS"):
        subprocess.run(["chown", s.env["RUN_AS"] + ":", ts], check=True)
    os.chmod(ts, 0o700)
    s.psql("CREATE TABLESPACE faults_disk LOCATION '%s'" % ts)
    idx = s.psql("SELECT string_agg(format('ALTER INDEX %I SET TABLESPACE faults_disk', indexrelid::regclass::text),"
                 " '; ') FROM pg_index WHERE indrelid = 'clock_logs'::regclass")
    s.psql("ALTER TABLE clock_logs SET TABLESPACE faults_disk; " + idx)
    return None


def f_disk_full(ctx, secs):
    if ctx.disk is None:
        ctx.note("disk-full", "SKIPPED: %s" % ctx.disk_reason)
        time.sleep(secs)
        return time.time()
    filler = os.path.join(ctx.disk, "filler")
    n = 0
    with open(filler, "wb") as f:
        block = b"\0" * (1 << 16)
        try:
            while True:
                f.write(block)
                f.flush()
                n += len(block)
        except OSError:
            pass
    t0 = time.time()
    time.sleep(secs)
    os.unlink(filler)
    ctx.note("disk-full", "clock_logs' tablespace (tmpfs) full for %.1f s (%.1f MB of filler), then freed"
             % (time.time() - t0, n / 1e6))
    return time.time()


def f_broker_restart(ctx, secs):
    """mosquitto killed with SIGKILL, a profile version moved (a push to the
    fault's camera) while it is down, then started again by its PID
    (scripts/stack.sh revive mosquitto), a few times; the camera
    (tests/devices/sim.py) stays subscribed and reconnects by itself.
    Verdict (ctx.mqtt_violations), within 30 s of the end: no mqtt_pushes
    row left unsent; the camera caught up with what moved while the broker
    was away (its pull on reconnection: a "sync now" sent before it
    resubscribed is not kept for it); and a version moved after the fault
    reaches it as a "sync now". Each time the broker is down an action is
    queued for the camera and its configuration changed too: by the end it
    has acknowledged every action and runs the last config version (over
    MQTT, or from its heartbeat on reconnection: the poll path)."""
    url, name = ctx.s.env.get("MQTT_URL"), "broker-restart"
    ctx.mqtt_violations = []
    if not url or not sim.available():
        ctx.note(name, "skipped: no MQTT broker in this stack or no paho-mqtt (scripts/deps.sh)")
        time.sleep(secs)
        return time.time()
    base = "http://127.0.0.1:%d" % ctx.s.port
    cam = sim.SimDevice(base, url, SLUG, DEVICE, ctx.h.device_key, heartbeat=True).start()
    actions = []
    try:
        if not cam.wait_connected(15):
            ctx.mqtt_violations.append("%s: the camera could not connect (%r)" % (name, cam.refused))
            return time.time()
        codes = ctx.s.psql("SELECT s.employee_code FROM staff s JOIN face_data f ON f.staff_id = s.id "
                           "WHERE s.hotel_id = %d ORDER BY s.id LIMIT 20" % ctx.h.hid).split()
        end, kills, pushes = time.time() + secs, 0, 0
        while time.time() < end:
            os.kill(ctx.s.pid("mosquitto"), signal.SIGKILL)
            kills += 1
            ctx.s.must("POST", "/api/iot/enrollments/push?hotel=" + SLUG,
                       {"employee_id": codes[pushes % len(codes)], "target_devices": [DEVICE]})
            actions.append(ctx.s.must("POST", "/api/iot/devices/%s/actions?hotel=%s" % (DEVICE, SLUG),
                                      {"action": "sync_now"})["id"])
            ctx.s.must("PUT", "/api/iot/devices/%s/config?hotel=%s" % (DEVICE, SLUG),
                       {"min_face_px": 80 + pushes % 100})
            pushes += 1
            time.sleep(min(1.0, max(0.0, end - time.time())))
            ctx.s.script("revive", "mosquitto")
            time.sleep(min(random.uniform(1.0, 3.0), max(0.0, end - time.time())))
        t_end = time.time()
        version = "SELECT sync_version FROM hotels WHERE id = %d" % ctx.h.hid
        pending = "SELECT count(*) FROM mqtt_pushes WHERE hotel_id = %d AND sent_at IS NULL" % ctx.h.hid
        moved = int(ctx.s.psql(version))
        caught = cam.wait(lambda: cam.connected and cam.synced_version >= moved, 30)
        if not caught:
            ctx.mqtt_violations.append("%s: the camera did not catch up with version %d (at %d, connected %s)"
                                       % (name, moved, cam.synced_version, cam.connected))
        ctx.s.must("POST", "/api/iot/enrollments/push?hotel=" + SLUG,
                   {"employee_id": codes[pushes % len(codes)], "target_devices": [DEVICE]})
        t_push = time.monotonic()
        last = int(ctx.s.psql(version))
        got = cam.wait(lambda: next((t for t, v in cam.versions if v >= last), None), 30)
        if not got:
            ctx.mqtt_violations.append("%s: version %d, moved after the fault, never reached the camera (got %r)"
                                       % (name, last, [v for _, v in cam.versions][-5:]))
        config = int(ctx.s.psql("SELECT config_version FROM devices WHERE hotel_id = %d AND device_id = '%s' "
                                "AND deactivated_at IS NULL" % (ctx.h.hid, DEVICE)))
        settled = cam.wait(lambda: set(actions) <= set(cam.acked) and cam.config_version >= config, 30)
        if not settled:
            ctx.mqtt_violations.append("%s: the camera did not get every action and config version (acked %d of "
                                       "%d, config %d of %d)" % (name, len(set(actions) & set(cam.acked)),
                                                                 len(actions), cam.config_version, config))
        until = time.time() + 30          # marked once the broker acknowledged it
        while ctx.s.psql(pending) != "0" and time.time() < until:
            time.sleep(0.2)
        left = ctx.s.psql(pending)
        if left != "0":
            ctx.mqtt_violations.append("%s: %s version moves never sent" % (name, left))
        ctx.note(name, "mosquitto killed %d times with SIGKILL, a push, an action and a config change while it "
                 "was down each time; the camera (dropped %d times) caught up with version %d %s, acknowledged "
                 "%d of %d actions and runs config version %d of %d, and version %d moved after the fault "
                 "reached it %s" % (kills, cam.disconnects, moved, "by its pull" if caught else "NEVER",
                                    len(set(actions) & set(cam.acked)), len(actions), cam.config_version, config,
                                    last, "%.2f s after the push" % (got - t_push) if got else "NEVER"))
        return t_end
    finally:
        cam.stop()


FAULTS = [
    ("worker-kill", f_worker_kill),
    ("publisher-kill", f_publisher_kill),
    ("notifier-kill", f_notifier_kill),
    ("pg-restart-fast", f_pg_restart("fast")),
    ("pg-restart-immediate", f_pg_restart("immediate")),
    ("pg-freeze", f_pg_freeze),
    ("reloads", f_reloads),
    ("long-work", f_long_work),
    ("disk-full", f_disk_full),
    ("scheduler-kill", f_scheduler_kill),
    ("broker-restart", f_broker_restart),
]

# (before, fault, after) seconds; the freeze is 10 s in both forms (past
# the request deadline)
WINDOWS = {"full": (6, 25, 8), "short": (3, 6, 5)}
FAULT_SECS = {"full": {"pg-freeze": 10}, "short": {"pg-freeze": 10, "long-work": 8}}


# ------------------------------------------------------------------ verdict

def db_rows(s, hid):
    out = s.psql("SELECT id, staff_id, extract(epoch FROM time_in), extract(epoch FROM time_out) FROM clock_logs "
                 "WHERE hotel_id = %d" % hid)
    rows = []
    for line in out.splitlines():
        a, b, c, d = line.split("|")
        rows.append((int(a), int(b), float(c), float(d) if d else None))
    return rows


def outbox(s, hid):
    out = s.psql("SELECT id, type, data->>'log_id' FROM events WHERE hotel_id = %d AND type IN ('clock.in', 'clock.out')"
                 % hid)
    rows = []
    for line in out.splitlines():
        a, b, c = line.split("|")
        rows.append((int(a), b, int(c) if c else None))
    return rows


def drain(s, h, ledger, sub, wait=30.0):
    """The live verdict once the subscriber has had up to `wait` seconds to
    receive what the publisher still had to post: (undelivered, twice)."""
    end = time.time() + wait
    while True:
        box = outbox(s, h.hid)
        got = [r[:3] for r in list(sub.received)]
        undelivered, twice = live_events(ledger, box, got)
        if not undelivered or time.time() >= end:
            return undelivered, twice, len(box)
        time.sleep(1.0)


def sched_state(s, sc):
    """What the database says of the scheduler's work since the fault began:
    (due log ids, logs, audit targets) of the auto-close hotel, (expected,
    rows) of the alert hotel's alerts, and the scheduler's purge run times."""
    ac, al = sc["hotels"]["faults-ac"], sc["hotels"]["faults-al"]
    logs = []
    for line in s.psql("SELECT id, staff_id, time_out IS NOT NULL, auto_closed FROM clock_logs "
                       "WHERE hotel_id = %d" % ac).splitlines():
        a, b, c, d = line.split("|")
        logs.append((int(a), int(b), c == "t", d == "t"))
    due_staff = set(sc["due"]["faults-ac"])
    due = {r[0] for r in logs if r[1] in due_staff}
    audits = s.psql("SELECT target FROM action_audit_log WHERE id > %d AND hotel_id = %d "
                    "AND action = 'clock_log.auto_closed'" % (sc["audit0"], ac)).split()
    expected = {("hard_limit", "staff:%d" % w) for w in sc["due"]["faults-al"]}
    alerts = [tuple(line.split("|")) for line in s.psql("SELECT rule, subject, state FROM alerts "
                                                        "WHERE hotel_id = %d" % al).splitlines()]
    purges = [float(x) for x in s.psql("SELECT extract(epoch FROM created_at) FROM action_audit_log WHERE id > %d "
                                       "AND action = 'purge.ran' AND actor = 'system:scheduler'"
                                       % sc["audit0"]).split()]
    return (due, logs, audits), (expected, alerts), purges


def sched_verdict(s, ctx, wait=60.0):
    """The scheduler-kill fault's violations, once the scheduler has had up
    to `wait` seconds to finish what came due (ledger.py's rules)."""
    sc = ctx.sched
    end = time.time() + wait
    while True:
        (due, logs, audits), (expected, alerts), purges = sched_state(s, sc)
        closes = auto_closes(due, logs, audits)
        once = alerts_once(expected, alerts)
        runs = purge_runs(purges, True)
        if not (closes[0] or once[0] or runs[0]) or time.time() >= end:
            break
        time.sleep(1.0)
    ctx.note("scheduler-kill", "%d sessions auto-closed, %d clock_log.auto_closed audit rows, %d alerts raised, "
             "%d purge run(s) by the scheduler" % (sum(1 for r in logs if r[3]), len(audits), len(alerts),
                                                     len(purges)))
    names = ("not auto-closed", "auto-closed twice", "stray auto-close", "two open sessions",
             "alert never raised", "alert raised twice", "purge missed", "purge ran twice")
    return ["scheduler-kill: %s: %s" % (k, x) for k, xs in zip(names, closes + once + runs) for x in xs]


def drain_notified(s, h, rx, wait=60.0):
    """The notification verdict once the notifier has had up to `wait`
    seconds to deliver what was due: (undelivered, wrong, events)."""
    end = time.time() + wait
    while True:
        box = outbox(s, h.hid)
        undelivered, wrong = notified(box, rx.got())
        if not undelivered or time.time() >= end:
            return undelivered, wrong, len(box)
        time.sleep(1.0)


def ca_digest(s):
    """The devices' CA (its key and certificate under the state directory:
    docs/operations.md "Device certificates and the mTLS port"): one
    sha256 of both, None when the stack has none. Every fault must leave it
    as it was: a CA lost or made again voids every device certificate."""
    d = os.path.join(s.env.get("FC_STATE") or os.path.join(s.var, "state"), "ca")
    try:
        with open(os.path.join(d, "key.pem"), "rb") as k, open(os.path.join(d, "cert.pem"), "rb") as c:
            return hashlib.sha256(k.read() + b"\0" + c.read()).hexdigest()
    except FileNotFoundError:
        return None


def main(argv):
    mode = argv[1] if len(argv) > 1 else "full"
    if mode not in WINDOWS:
        sys.exit(__doc__)
    only = argv[2:]
    unknown = [n for n in only if n not in dict(FAULTS)]
    if unknown:
        sys.exit("unknown fault(s): %s (known: %s)" % (" ".join(unknown), " ".join(n for n, _ in FAULTS)))
    s = Stack(os.environ["FC_VAR"])
    rate = float(os.environ.get("FAULTS_RATE", "100" if mode == "full" else "40"))
    export_rows = int(os.environ.get("FAULTS_EXPORT_ROWS", "1000000" if mode == "full" else "50000"))
    before, length, after = WINDOWS[mode]
    h = Hotel(s, n_scan=max(100, int(rate * 3)), n_enroll=20)
    say("setup: hotel %s, %d scanned staff, %d enrollees, deadline %d s, %s form, %.0f scans/s"
        % (SLUG, h.n_scan, h.n_enroll, s.deadline, mode, rate))
    h.setup()
    ca_before = ca_digest(s)
    ctx = Ctx(s, h, mode)
    ctx.disk_reason = disk_prepare(ctx) if not only or "disk-full" in only else "not selected"
    if ctx.disk_reason:
        say("disk-full: %s" % ctx.disk_reason)
    if not only or "long-work" in only:
        ctx.export_rows, secs = h.audit_rows(export_rows)
        say("audit log: %d rows (%.0f s to make)" % (ctx.export_rows, secs))
    rx = None
    if not only or "notifier-kill" in only:
        rx = Receiver()
        say("notifications: webhook endpoint %d of the hotel wants clock.in and clock.out, to %s"
            % (rx.subscribe(s, h), rx.url))
    sub = Subscriber(s)
    sub.start()
    traffic = Traffic(s, h, rate)
    traffic.start()
    spans = []
    try:
        for name, fn in FAULTS:
            if only and name not in only:
                continue
            t_begin = time.time()
            time.sleep(before)
            say("%s: begins" % name)
            t_fault = time.time()
            t_end = fn(ctx, FAULT_SECS[mode].get(name, length))
            say("%s: over after %.1f s" % (name, t_end - t_fault))
            time.sleep(after)
            spans.append((name, t_begin, t_fault, t_end, time.time()))
    finally:
        traffic.finish()
        ledger = traffic.ledger
        try:
            undelivered, twice, n_events = drain(s, h, ledger, sub)
        finally:
            sub.finish()
        unnotified, wrong_notes, n_notify = drain_notified(s, h, rx) if rx else ([], [], 0)
        if rx:
            rx.close()
    rows = db_rows(s, h.hid)
    out = os.path.join(s.var, "faults-ledger.jsonl")
    with open(out, "w") as f:
        for e in ledger:
            f.write(json.dumps(e.to_json()) + "\n")
    lost, doubled, unacked, refused = scan_events(ledger, rows)
    late, malformed = bad_answers(ledger, s.deadline)
    two_open = s.psql("SELECT count(*) FROM (SELECT staff_id FROM clock_logs WHERE hotel_id = %d AND time_out IS NULL"
                      " GROUP BY staff_id HAVING count(*) > 1) x" % h.hid)

    def within(items, a, b):
        return [x for x in items if a <= x[0] < b]

    violations = []
    head = "%-22s %8s %7s %6s %6s %5s %7s %7s %5s %9s %6s" % ("fault", "requests", "2xx", "503", "other", "lost",
                                                               "doubled", "unacked", "late", "recovery", "unsent")
    lines = [head, "-" * len(head)]
    for name, t_begin, t_fault, t_end, t_stop in spans:
        mine = [e for e in ledger if t_begin <= e.sent < t_stop]
        c2 = sum(1 for e in mine if e.ok())
        c503 = sum(1 for e in mine if e.status == 503)
        other = len(mine) - c2 - c503
        sel = {k: within(v, t_begin, t_stop) for k, v in
               (("lost", lost), ("doubled", doubled), ("unacked", unacked), ("refused-but-written", refused),
                ("late", late), ("malformed", malformed), ("undelivered live event", undelivered))}
        rec = recovery(mine, t_end, t_stop, rate)
        lines.append("%-22s %8d %7d %6d %6d %5d %7d %7d %5d %9s %6d" % (
            name, len(mine), c2, c503, other, len(sel["lost"]), len(sel["doubled"]), len(sel["unacked"]),
            len(sel["late"]), "never" if rec is None else "%.1f s" % rec, len(sel["undelivered live event"])))
        for k in ("lost", "doubled", "refused-but-written", "late", "malformed"):
            violations += ["%s: %s: %s" % (name, k, x[1]) for x in sel[k]]
        after = [r[3] for r in sub.received if t_end <= r[3] < t_stop]
        if after:
            ctx.note(name, "live events resumed %.1f s after the fault (%d received after it)"
                     % (after[0] - t_end, len(after)))
        else:
            violations.append("%s: no live event received after the fault" % name)
        if rec is None or rec > 2.0:
            violations.append("%s: not back to full rate within 2 s (%s)" % (name, "never" if rec is None
                                                                              else "%.1f s" % rec))
        statuses = {}
        for e in mine:
            if not e.ok():
                key = "%s %s %s" % (e.kind, e.status or "no answer", e.code or e.error[:40])
                statuses[key] = statuses.get(key, 0) + 1
        if statuses:
            ctx.note(name, "non-2xx: " + ", ".join("%s x%d" % kv for kv in sorted(statuses.items())))
    # every scan's, inside a fault's span or not, nginx's reloads included:
    # a reload may drop nchan's in-memory buffer, and the subscriber then
    # catches up from the outbox (Subscriber.catch_up)
    violations += ["live: undelivered: %s" % x[1] for x in undelivered]
    violations += ["live: received twice: %s" % x[1] for x in twice]
    violations += ["notifications: undelivered: %s" % x[1] for x in unnotified]
    violations += ["notifications: %s" % x[1] for x in wrong_notes]
    if two_open != "0":
        violations.append("%s people hold two open sessions" % two_open)
    if getattr(ctx, "sched", None):
        violations += sched_verdict(s, ctx)
    violations += getattr(ctx, "mqtt_violations", [])
    if ca_before is None:
        violations.append("the stack has no devices' CA")
    elif ca_digest(s) != ca_before:
        violations.append("the devices' CA changed or was lost during the faults")
    syncs, exports = getattr(ctx, "long_results", ([], []))
    for rc, _, err in syncs:
        if rc != 0:
            violations.append("long-work: the 10 000-staff PMS sync failed: %s" % err)
    for status, nlines, _, err in exports:
        # whole (every row and the header), or cut where the transfer shows
        # it (the deadline: an incomplete chunked body), or refused cleanly
        if status not in (200, 503) or (status == 200 and not err and nlines < ctx.export_rows + 1):
            violations.append("long-work: an audit export answered %s with %d lines%s"
                              % (status, nlines, " (" + err + ")" if err else ""))
    skipped = len(traffic.skipped)
    print()
    print("\n".join(lines))
    print()
    for name, _ in FAULTS:
        for n in ctx.notes.get(name, []):
            print("  %-20s %s" % (name, n))
    print("  ledger: %d requests (%s), %d scan slots with no free client thread; %s"
          % (len(ledger), ", ".join("%s %d" % (k, sum(1 for e in ledger if e.kind == k))
                                    for k in ("scan", "pms", "capture", "pull")), skipped, out))
    print("  live: %d clock events in the outbox, %d messages received (%d distinct), %d reconnections, "
          "%d catch-up pages (%d events, %d of them never streamed, %d with a gap)%s"
          % (n_events, len(sub.received), len({r[0] for r in sub.received}), sub.reconnects,
             sub.catchups, sub.caught_up, len({r[0] for r in sub.received} - sub.streamed), sub.gaps,
             ", openings refused: %s" % sub.refused[:10] if sub.refused else ""))
    if rx:
        got = rx.got()
        print("  notifications: %d clock events in the outbox, %d webhooks received (%d distinct ids), %d undelivered"
              % (n_notify, len(got), len({g[0] for g in got}), len(unnotified)))
    if violations:
        print()
        for v in violations[:60]:
            print("VIOLATION " + v)
        if len(violations) > 60:
            print("... and %d more" % (len(violations) - 60))
        return 1
    print("\nno violations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
