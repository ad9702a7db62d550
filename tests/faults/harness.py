"""tests/faults/harness.py — what the fault suite (tests/faults/run.py) and
the soak (tests/soak/run.py) share: the stack scripts/stack.sh started
(its env file, recorded PIDs, requests through nginx as ledger entries,
psql as the owner), process trees from /proc, a hotel of scanned staff,
enrollees, a kiosk and an edge device, and the steady traffic that drives
it with every answer in a ledger.

It owns: the traffic threads and their client pool (Traffic.finish joins
them), the live subscriber's thread and connection (Subscriber.finish);
nothing it starts outlives the caller.
"""

import concurrent.futures
import datetime
import http.client
import json
import os
import random
import shlex
import socket
import subprocess
import sys
import threading
import time

from ledger import Entry

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e", "live"))
from sse import Sse  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DIM = 128
SLUG = "faults"
STAFF0 = 50000          # scanned people: STAFF0 + i
ENROLL0 = 60000         # enrollees (captured, never scanned)
BIG0 = 70000            # the long PMS sync's extra staff
DEVICE = "faults-cam"



def load_env(var):
    env = {}
    with open(os.path.join(var, "env")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = shlex.split(v)[0] if v else ""
    return env


class Stack:
    """The stack scripts/stack.sh started under FC_VAR: its addresses,
    keys and recorded PIDs."""

    def __init__(self, var):
        self.var = var
        self.env = load_env(var)
        self.port = int(self.env["PORT"])
        self.admin = self.env["FACECLOCK_ADMIN_KEY"]
        self.deadline = int(os.environ.get("FACECLOCK_REQUEST_DEADLINE", "5"))
        self.pg_dir = os.path.realpath(os.path.join(var, "pg"))

    def pid(self, name):
        with open(os.path.join(self.var, "pids", name + ".pid")) as f:
            return int(f.read().split()[0])

    def script(self, *cmd):
        env = dict(os.environ, FC_VAR=self.var, PORT=str(self.port), FC_BIN=self.env["FC_BIN"],
                   PG_BIN=self.env["PG_BIN"])
        p = subprocess.run([os.path.join(REPO, "scripts", "stack.sh")] + list(cmd), env=env, cwd=REPO,
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("stack.sh %s: %s%s" % (" ".join(cmd), p.stdout, p.stderr))

    def as_pg(self, argv):
        if self.env.get("RUN_AS"):
            argv = ["runuser", "-u", self.env["RUN_AS"], "--"] + argv
        return subprocess.run(argv, cwd="/", capture_output=True, text=True, timeout=120)

    def psql(self, sql):
        p = subprocess.run([os.path.join(self.env["PG_BIN"], "psql"), self.env["FACECLOCK_MIGRATE_URL"], "-X", "-q",
                            "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("psql: %s" % p.stderr.strip())
        return p.stdout.strip()

    def request(self, kind, who, method, path, body=None, key=None, timeout=None, keep=1024, headers=None):
        """One request on a fresh connection (no keep-alive races with the
        reloads); an Entry for the ledger and the body read."""
        headers = dict(headers or {}, Connection="close")
        if key:
            headers["X-API-Key"] = key
        if body is not None:
            headers["Content-Type"] = "application/json"
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body)
        sent = time.time()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout or self.deadline + 3)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            return Entry(kind, who, sent, time.time(), r.status, data if len(data) <= keep else data[:keep]), data
        except (OSError, http.client.HTTPException) as e:
            return Entry(kind, who, sent, time.time(), 0, error=type(e).__name__ + ": " + str(e)), b""
        finally:
            conn.close()

    def must(self, method, path, body=None, key=None, timeout=120):
        e, data = self.request("setup", None, method, path, body, key or self.admin, timeout=timeout, keep=1 << 30)
        if not e.ok():
            raise RuntimeError("%s %s: %s %s" % (method, path, e.status or e.error, data[:300]))
        return json.loads(data)


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


# ------------------------------------------------------------------ hotel

def roster_doc(n_scan, n_enroll, extra=0, tag="", users=()):
    """The hotel's PMS document; users: more staff rows as they are (the
    soak's sign-in accounts)."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    days = [today + datetime.timedelta(days=d) for d in (-1, 0, 1)]
    staff = [{"id": STAFF0 + i, "employee_code": "FLT%05d" % i, "first_name": "Scan",
              "last_name": "Person %d" % i, "department_id": 1} for i in range(n_scan)]
    staff += [{"id": ENROLL0 + i, "employee_code": "ENR%05d" % i, "first_name": "Enrol",
               "last_name": "Person %d" % i, "department_id": 1} for i in range(n_enroll)]
    staff += [{"id": BIG0 + i, "employee_code": "BIG%05d" % i, "first_name": "Big",
               "last_name": "Person %d %s" % (i, tag), "department_id": 1} for i in range(extra)]
    staff += list(users)
    # a shift yesterday, today and tomorrow with a day of early window:
    # any scan, whenever the suite runs (across midnight UTC too), clocks in
    roster = [{"id": 900000 + 3 * i + d, "staff_id": STAFF0 + i, "date": day.isoformat(),
               "start_time": "00:00:00", "end_time": "23:59:59", "department_id": 1}
              for i in range(n_scan) for d, day in enumerate(days)]
    return {"hotel": {"name": "Fault Hotel", "timezone": "UTC"},
            "settings": {"duplicate_scan_seconds": 0, "clock_in_early_minutes": 1440,
                         "face_attendance_departments": [], "require_face_consent": True},
            "departments": [{"id": 1, "name": "Front of house"}], "staff": staff, "roster": roster}


def make_jpeg():
    """A 64x48 gradient as JPEG (cjpeg): the capture's five images."""
    w, h = 64, 48
    pix = bytes(v for y in range(h) for x in range(w) for v in (x * 4 % 256, y * 5 % 256, 128))
    return subprocess.run(["cjpeg", "-quality", "80"], input=b"P6\n%d %d\n255\n" % (w, h) + pix,
                          capture_output=True, check=True).stdout


class Hotel:
    def __init__(self, stack, n_scan, n_enroll, users=()):
        self.s, self.n_scan, self.n_enroll, self.users = stack, n_scan, n_enroll, users
        rnd = random.Random(1212)
        self.faces = [[rnd.gauss(0, 0.09) for _ in range(DIM)] for _ in range(n_scan + n_enroll)]
        self.scan_body = [json.dumps({"descriptor": [round(x + rnd.gauss(0, 0.004), 6) for x in f]})
                          for f in self.faces[:n_scan]]

    def path(self, rest):
        return "/api/staff/hotel/%s/%s" % (SLUG, rest)

    def setup(self):
        s = self.s
        self.doc = roster_doc(self.n_scan, self.n_enroll, users=self.users)
        s.must("PUT", self.path("pms-sync/"), self.doc)
        self.hid = int(s.psql("SELECT id FROM hotels WHERE slug = '%s'" % SLUG))
        have = int(s.psql("SELECT count(*) FROM face_data WHERE hotel_id = %d" % self.hid))
        if have < self.n_scan:
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda i: s.must("POST", self.path("attendance/clock-logs/register-face/"),
                                               {"descriptor": self.faces[i], "consent_given": True,
                                                "staff_id": STAFF0 + i}), range(self.n_scan)))
        self.kiosk = s.must("POST", self.path("kiosks/"), {"name": "faults"})["api_key"]
        made = s.must("POST", "/api/iot/devices?hotel=" + SLUG,
                      {"device_id": DEVICE, "display_name": "Fault camera", "device_category": "camera",
                       "capability": "face_recognition", "location_label": "Lobby"})
        self.device_key = s.must("POST", "/api/iot/devices/provision",
                                 {"device_id": DEVICE, "provisioning_token": made["provisioning_token"]})["api_key"]
        s.must("POST", "/api/iot/devices/%s/heartbeat" % DEVICE, {}, self.device_key)
        img = "data:image/jpeg;base64," + __import__("base64").b64encode(make_jpeg()).decode()
        self.capture_bodies = []
        for i in range(self.n_enroll):
            base = self.faces[self.n_scan + i]
            caps = []
            for k, pose in enumerate(("front", "left", "right", "up", "down")):
                d = list(base)
                d[k] += 0.05
                caps.append({"pose": pose, "imageData": img, "descriptor": d})
            self.capture_bodies.append(json.dumps({"userId": "ENR%05d" % i, "consent_given": True,
                                                   "captures": caps}))
        # the long PMS sync's document (run by `faceclock import`: over the
        # 1 MiB body limit of the API)
        self.big_doc = os.path.join(s.var, "faults-big-sync.json")

    def write_big_doc(self, extra, tag):
        with open(self.big_doc, "w") as f:
            json.dump(roster_doc(self.n_scan, self.n_enroll, extra, tag), f)

    def audit_rows(self, n):
        """Tops the hotel's face audit log up to n rows (as the owner, in
        batches of 100 000): the big export's input. (rows, seconds taken)"""
        have = int(self.s.psql("SELECT count(*) FROM face_audit_log WHERE hotel_id = %d" % self.hid))
        t0 = time.monotonic()
        while have < n:
            k = min(100000, n - have)
            self.s.psql("INSERT INTO face_audit_log (hotel_id, staff_id, action, performed_by, reason, consent_given,"
                        " client_ip, user_agent) SELECT %d, %d + g %% %d, 'REGISTERED', NULL, 'fault suite row ' || g,"
                        " true, '127.0.0.1', 'faults' FROM generate_series(1, %d) AS g"
                        % (self.hid, STAFF0, self.n_scan, k))
            have += k
        self.s.psql("VACUUM (ANALYZE) face_audit_log")
        return have, time.monotonic() - t0


# ---------------------------------------------------------------- traffic

class Traffic:
    """Open-loop scans at `rate` per second (a pool of 64 client threads;
    a person is never scanned twice at once: the slot goes to an idle
    person), PMS syncs of the hotel's own document every 2 s, a capture
    every second, sync pulls at rate/10. Every answer goes in the ledger."""

    def __init__(self, stack, hotel, rate):
        self.s, self.h, self.rate = stack, hotel, rate
        self.ledger = []
        self.skipped = []          # times a scan slot found no free thread
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.idle = list(range(hotel.n_scan))
        random.Random(5).shuffle(self.idle)
        self.busy = 0
        self.pool = concurrent.futures.ThreadPoolExecutor(64)
        self.threads = [threading.Thread(target=f, daemon=True) for f in self.drivers()]

    def drivers(self):
        """The loops a thread each runs until finish()."""
        return (self.scans, self.pms, self.captures, self.pulls)

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join()
        self.pool.shutdown(wait=True)

    def scan(self, i):
        e, _ = self.s.request("scan", STAFF0 + i, "POST", self.h.path("attendance/clock-logs/face-clock-in/"),
                              self.h.scan_body[i], self.h.kiosk)
        self.ledger.append(e)
        with self.lock:
            self.idle.append(i)
            self.busy -= 1

    def scans(self):
        t0, n = time.time(), 0
        while not self.stop.is_set():
            n += 1
            due = t0 + n / self.rate
            wait = due - time.time()
            if wait > 0:
                time.sleep(wait)
            with self.lock:
                if not self.idle or self.busy >= 64:
                    self.skipped.append(due)
                    continue
                i = self.idle.pop(0)
                self.busy += 1
            self.pool.submit(self.scan, i)

    def loop(self, period, fn):
        k = 0
        while not self.stop.is_set():
            t = time.time()
            self.ledger.append(fn(k))
            k += 1
            rest = period - (time.time() - t)
            if rest > 0:
                self.stop.wait(rest)

    def pms(self):
        body = json.dumps(self.h.doc)
        self.loop(2.0, lambda k: self.s.request("pms", None, "PUT", self.h.path("pms-sync/"), body,
                                                self.s.admin)[0])

    def captures(self):
        n = self.h.n_enroll
        self.loop(1.0, lambda k: self.s.request("capture", ENROLL0 + k % n, "POST",
                                                "/api/enrollment/capture?hotel=" + SLUG,
                                                self.h.capture_bodies[k % n], self.s.admin)[0])

    def pulls(self):
        path = "/api/iot/enrollments/sync?device_id=%s&since_version=%%d" % DEVICE
        self.loop(10.0 / self.rate, lambda k: self.s.request("pull", None, "GET", path % (0 if k % 50 == 0 else 1),
                                                            None, self.h.device_key)[0])



class Subscriber:
    """The hotel's live channel (/api/events/hotel/<slug>, nchan's SSE) read
    by one thread for the whole run, as the admin: every message as
    (event id, type, log id, time received) in `received`. A stream that
    ends (nginx reloaded) or will not open is opened again, with nchan's
    Last-Event-ID so the channel's buffer fills the gap; `reconnects`
    counts those. Once it is open again the subscriber catches up from the
    outbox as a page does (GET /api/staff/hotel/<slug>/events/?after=, a
    page at a time, retried each second until it answers): what a reload
    dropped from nchan's buffer comes that way, into `received` as well
    (`caught_up` counts them, `gaps` the answers saying events were
    trimmed; `streamed` holds the ids the stream brought). It asks from
    the highest event id received more than SETTLE seconds before: a
    transaction can commit an event with a lower id than one already
    received for as long as a request may last, and a repeat is harmless
    (told apart by id). And from that same id once more RECHECK seconds
    later: a reload may still drop events posted just after the stream
    was opened again (seen: 8 in 70 ms, full form)."""

    SETTLE = 10.0
    RECHECK = 5.0

    def __init__(self, stack):
        self.s = stack
        self.received = []
        self.reconnects = 0
        self.refused = []          # statuses of openings that failed
        self.stop = threading.Event()
        self.thread = None
        self.start_id = 0          # the hotel's last event id when it subscribed
        self.due = []              # catch-ups to make: [when, after id]
        self.caught_up = 0
        self.streamed = set()      # event ids that came by the stream
        self.catchups = 0
        self.gaps = 0

    def open(self, last):
        return Sse("/api/events/hotel/" + SLUG, api_key=self.s.admin, last_event_id=last,
                   addr=("127.0.0.1", self.s.port))

    def cursor(self):
        """The id to catch up after: the highest received SETTLE seconds ago."""
        settled = time.time() - self.SETTLE
        return max([r[0] for r in list(self.received) if r[3] < settled and isinstance(r[0], int)]
                   + [self.start_id])

    def catch_up(self, after):
        """Every event after the id `after` from the outbox into `received`:
        True, or False when the route did not answer (the next loop tries
        again)."""
        while True:
            e, data = self.s.request("catchup", None, "GET", "/api/staff/hotel/%s/events/?after=%d&limit=1000"
                                     % (SLUG, after), key=self.s.admin, keep=1 << 30)
            if e.status != 200:
                return False
            try:
                page = json.loads(data)
            except ValueError:
                return False
            self.catchups += 1
            self.gaps += 1 if page.get("gap") else 0
            for d in page.get("events", []):
                data_ = d.get("data") if isinstance(d.get("data"), dict) else {}
                self.received.append((d.get("id"), d.get("type"), data_.get("log_id"), time.time()))
                self.caught_up += 1
            if not page.get("has_more"):
                return True
            after = page["next"]

    def start(self):
        """Subscribed before it returns (the first stream open)."""
        self.start_id = int(self.s.psql("SELECT coalesce(max(e.id), 0) FROM events e JOIN hotels h "
                                        "ON h.id = e.hotel_id WHERE h.slug = '%s'" % SLUG))
        first = self.open(None)
        if first.status != 200:
            raise RuntimeError("subscribing to %s: %s %s" % (SLUG, first.status, first.body))
        self.thread = threading.Thread(target=self.run, args=(first,), daemon=True)
        self.thread.start()

    def run(self, sse):
        last = None
        while not self.stop.is_set():
            if sse is None:
                try:
                    sse = self.open(last)
                except OSError as e:
                    self.refused.append(type(e).__name__)
                    self.stop.wait(0.2)
                    continue
                self.reconnects += 1
                if sse.status != 200:
                    self.refused.append(sse.status)
                    sse = None
                    self.stop.wait(0.2)
                    continue
                after, now = self.cursor(), time.time()
                self.due += [[now, after], [now + self.RECHECK, after]]
            now = time.time()
            self.due = [d for d in self.due if d[0] > now or not self.catch_up(d[1])]
            try:
                ev = sse.next(1.0)
            except (OSError, UnicodeDecodeError):
                ev, sse.buf = None, b""
            if ev is None:
                if not self._alive(sse):
                    sse.close()
                    sse = None
                continue
            last = ev.get("id", last)
            d = ev.get("data")
            if isinstance(d, dict):
                data = d.get("data") if isinstance(d.get("data"), dict) else {}
                self.received.append((d.get("id"), d.get("type"), data.get("log_id"), time.time()))
                self.streamed.add(d.get("id"))
        if sse is not None:
            sse.close()

    @staticmethod
    def _alive(sse):
        """False when the stream has ended (the peer closed it)."""
        try:
            sse.sock.settimeout(0)
            data = sse.sock.recv(65536)
        except (BlockingIOError, socket.timeout, TimeoutError):
            return True
        except OSError:
            return False
        if not data:
            return False
        sse.buf += data
        return True

    def finish(self):
        self.stop.set()
        if self.thread is not None:
            self.thread.join()
