#!/usr/bin/env python3
"""tests/bench/fleet_bench.py — the fleet row of scripts/bench.sh
(`scripts/bench.sh fleet`, issue 14): DEVICES simulated cameras
(tests/devices/sim.py's SimDevice) over HOTELS hotels connected to
mosquitto at once, a face revoked in every hotel, and the time from each
revocation's API answer to each camera's receipt of its "sync now"
message; a sample of the cameras then pulls the sync and is timed until
it holds the removal (end to end, through the HTTP server).

    fleet_bench.py setup BASE_URL ADMIN_KEY WORKDIR DEVICES HOTELS
        the hotels fleet-bench-NN (one staff member each, whose face is
        registered and revoked), and DEVICES devices registered and
        provisioned through the API, PROVISION_THREADS (4) at a time;
        their keys are kept in WORKDIR/fleet_devices.json so that a later
        run only tops up. Prints what provisioning cost.
    fleet_bench.py run BASE_URL MQTT_URL WORKDIR DEVICES SAMPLE
        connects the first DEVICES devices (one process, paho's
        non-threaded loop over epoll: no thread per client), registers the
        face of each hotel's staff member and lets its push settle, then
        revokes them, times the fan-out and SAMPLE end-to-end syncs, and
        prints the figures with the CPU the server's processes spent from
        the first revocation to the last receipt (their PIDs under
        $FC_VAR/pids: svc:mqtt, mosquitto, PostgreSQL, nginx).

It owns: its MQTT clients and their sockets (disconnected before it exits).
"""
import concurrent.futures
import json
import os
import resource
import selectors
import sys
import threading
import time

from benchlib import call, must, psql

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TESTS, "devices"))
sys.path.insert(0, os.path.join(TESTS, "e2e"))
import sim  # noqa: E402
from devices.iot import POSES, data_url, gradient_jpeg, poses  # noqa: E402  (the e2e tests' enrollment inputs)

STAFF_ID = 50000
CONNECT_S = 180          # bound on connecting the whole fleet
FANOUT_S = 120           # bound on waiting for the last receipt


def slug_of(k):
    return "fleet-bench-%02d" % k


def device_file(work):
    return os.path.join(work, "fleet_devices.json")


def setup(base, key, work, n, hotels):
    for k in range(hotels):
        doc = {"hotel": {"name": "Fleet Bench %d" % k, "timezone": "UTC"},
               "settings": {"face_attendance_departments": []},
               "departments": [{"id": 1, "name": "Front of house"}],
               "staff": [{"id": STAFF_ID, "employee_code": "FLT%05d" % k, "first_name": "Fleet",
                          "last_name": "Person", "department_id": 1}],
               "roster": []}
        must(call(base, "PUT", "/api/staff/hotel/%s/pms-sync/" % slug_of(k), doc, key), "pms sync " + slug_of(k))
    try:
        with open(device_file(work)) as f:
            have = json.load(f)
    except FileNotFoundError:
        have = []
    missing = [(slug_of(i % hotels), "fb-%05d" % i) for i in range(len(have), n)]
    if not missing:
        print("fleet: %d devices already provisioned (kept in %s)" % (len(have), device_file(work)))
        return

    def one(item):
        slug, dev = item
        body = {"device_id": dev, "display_name": "Fleet " + dev, "device_category": "camera",
                "capability": "face_recognition", "location_label": "Lobby", "location_geo": None}
        created = must(call(base, "POST", "/api/iot/devices?hotel=" + slug, body, key), "create " + dev)
        got = sim.provision(base, dev, created["provisioning_token"])
        return [slug, dev, got["api_key"]]

    t0 = time.monotonic()
    threads = int(os.environ.get("PROVISION_THREADS", "4"))
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        made = list(pool.map(one, missing))
    took = time.monotonic() - t0
    with open(device_file(work), "w") as f:
        json.dump(have + made, f)
    print("fleet: registered and provisioned %d devices in %.1f s (%.1f ms each, %d at a time)"
          % (len(made), took, 1000 * took / len(made), threads))


# ---------------------------------------------------------------- CPU

def ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            f = f.read().rsplit(") ", 1)[1].split()
        return int(f[11]) + int(f[12])
    except (OSError, IndexError, ValueError):
        return 0


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def read_pid(name):
    try:
        with open(os.path.join(os.environ["FC_VAR"], "pids", name + ".pid")) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def server_groups():
    """{label: [pids]}: the processes whose CPU the row reports."""
    groups = {}
    master = read_pid("faceclock")
    if master:
        groups["faceclock svc:mqtt"] = [p for p in children(master) if comm(p) == "svc:mqtt"]
        groups["faceclock workers"] = [p for p in children(master) if not comm(p).startswith("svc:")]
    for name, label in (("mosquitto", "mosquitto"), ("postgres", "PostgreSQL"), ("nginx", "nginx")):
        pid = read_pid(name)
        if pid:
            groups[label] = [pid] + children(pid)
    return groups


def snapshot(groups):
    return {label: sum(ticks(p) for p in pids) for label, pids in groups.items()}


# ---------------------------------------------------------------- the fleet

class Fleet:
    """Many SimDevices on one thread: epoll on their sockets, paho's
    loop_read / loop_write / loop_misc by hand."""

    def __init__(self, base, mqtt_url, devices):
        self.sel = selectors.DefaultSelector()
        self.base, self.url = base, mqtt_url
        self.devs = [sim.SimDevice(base, mqtt_url, slug, dev, key, pull=False,
                                   client_id="fleet-%s-%d" % (dev, os.getpid()))
                     for slug, dev, key in devices]
        self.sock = {}
        self.last_misc = time.monotonic()

    def _watch(self, d):
        s = d.client.socket()
        if s is None:
            return
        old = self.sock.get(id(d))
        if old is not None and old is not s:
            try:
                self.sel.unregister(old)
            except (KeyError, ValueError):
                pass
        if old is not s:
            self.sel.register(s, selectors.EVENT_READ, d)
            self.sock[id(d)] = s

    def _unwatch(self, d):
        s = self.sock.pop(id(d), None)
        if s is not None:
            try:
                self.sel.unregister(s)
            except (KeyError, ValueError):
                pass

    def connect(self, d):
        try:
            d.client.connect(d.host, d.port, keepalive=60)
        except OSError:
            return False
        self._watch(d)
        return True

    def pump(self, timeout=0.02):
        now = time.monotonic()
        if now - self.last_misc > 1:       # keepalive pings, retries
            self.last_misc = now
            self.misc()
        for key, _ in self.sel.select(timeout):
            d = key.data
            if d.client.loop_read() != 0 or d.client.socket() is None:
                self._unwatch(d)
        for d in self.devs:
            if id(d) in self.sock and d.client.want_write():
                d.client.loop_write()

    def misc(self):
        for d in self.devs:
            if id(d) in self.sock:
                d.client.loop_misc()

    def ready(self, d):
        return d.connected and bool(d.subscribe_results)

    def connect_all(self):
        """Connect every device, again those refused or dropped (the
        broker's files follow provisioning within a moment) but never one
        whose answer is still on its way; the count connected."""
        end = time.monotonic() + CONNECT_S
        pending = list(self.devs)
        while time.monotonic() < end:
            for i, d in enumerate(pending):
                self._unwatch(d)
                d.refused = None
                self.connect(d)
                if i % 50 == 49:
                    self.pump(0)
            wait_end = min(end, time.monotonic() + 5)
            while time.monotonic() < wait_end:
                self.pump(0.05)
                if all(self.ready(d) or d.refused is not None or id(d) not in self.sock for d in self.devs):
                    break
            if all(self.ready(d) for d in self.devs):
                break
            pending = [d for d in self.devs if d.refused is not None or id(d) not in self.sock]
            if pending:
                time.sleep(1)
        return sum(1 for d in self.devs if self.ready(d))

    def settle(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.pump(0.05)
        self.misc()

    def close(self):
        for d in self.devs:
            if id(d) in self.sock:
                d.client.disconnect()
                d.client.loop_write()
        self.settle(0.2)
        for d in self.devs:
            self._unwatch(d)
            try:
                d.client.socket() and d.client.socket().close()
            except OSError:
                pass


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]


def ms(x):
    return "%.1f" % (1000 * x)


def run(base, mqtt_url, work, n, sample):
    key = os.environ["FACECLOCK_ADMIN_KEY"]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 256:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 1024), hard))
    with open(device_file(work)) as f:
        devices = json.load(f)[:n]
    if len(devices) < n:
        sys.exit("fleet_bench: only %d devices provisioned (setup first)" % len(devices))
    hotels = sorted({slug for slug, _, _ in devices})
    fleet = Fleet(base, mqtt_url, devices)
    t0 = time.monotonic()
    up = fleet.connect_all()
    print("fleet: %d of %d devices connected and subscribed in %.1f s (fd limit %d)"
          % (up, n, time.monotonic() - t0, resource.getrlimit(resource.RLIMIT_NOFILE)[0]))
    if up < n:
        out = [d for d in fleet.devs if not fleet.ready(d)]
        print("  not connected: %s%s (last CONNACK code: %s)" % (
            ", ".join(d.username for d in out[:10]), ", ..." if len(out) > 10 else "",
            sorted({d.refused for d in out[:10]}, key=str)))
    if up == 0:
        sys.exit("fleet_bench: no device connected")
    hid = {s: int(psql("SELECT id FROM hotels WHERE slug = '%s'" % s)) for s in hotels}
    def beat(d):         # a push targets the devices online (a heartbeat within 90 s)
        return call(base, "POST", "/api/iot/devices/%s/heartbeat" % d.device_id, {}, d.api_key)[0]
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        beats = list(pool.map(beat, fleet.devs))
    print("fleet: %d heartbeats in %.1f s, %d answered 200" % (len(beats), time.monotonic() - t0,
                                                               beats.count(200)))
    fleet.misc()
    image = data_url(gradient_jpeg())
    for s in hotels:     # the face each revocation removes, on every device (its own push settles first)
        code = "FLT%05d" % int(s.rsplit("-", 1)[1])
        caps = [{"pose": p, "imageData": image, "descriptor": d} for p, d in zip(POSES, poses())]
        must(call(base, "POST", "/api/enrollment/capture?hotel=" + s,
                  {"userId": code, "captures": caps, "consent_given": True}, key), "enroll in " + s)
        pushed = must(call(base, "POST", "/api/iot/enrollments/push?hotel=" + s,
                           {"employee_id": code, "push_mode": "all"}, key), "push in " + s)["data"]
        if pushed["devices_updated"] == 0:
            sys.exit("fleet_bench: the push in %s reached no device: %r" % (s, pushed))
    fleet.settle(3)
    before = {s: int(psql("SELECT sync_version FROM hotels WHERE id = %d" % hid[s])) for s in hotels}
    mine = [d for d in fleet.devs if fleet.ready(d)]
    sampled = {id(d) for d in mine[:: max(1, len(mine) // sample)][:sample]} if sample else set()
    for d in mine:
        with d.lock:
            d.versions.clear()
        d.synced_version = before[d.hotel]

    answered = {}
    groups = server_groups()

    def revoke_all():
        for s in hotels:
            must(call(base, "DELETE", "/api/staff/hotel/%s/attendance/clock-logs/revoke-face/%d/" % (s, STAFF_ID),
                      {"reason": "fleet bench"}, key), "revoke in " + s)
            answered[s] = time.monotonic()

    pulls = concurrent.futures.ThreadPoolExecutor(8)
    pulled = {}
    cpu0 = snapshot(groups)
    w0 = time.monotonic()
    rev = threading.Thread(target=revoke_all)
    rev.start()
    got = {}
    end = time.monotonic() + FANOUT_S
    while time.monotonic() < end:
        fleet.pump(0.01)
        for d in mine:
            if id(d) in got:
                continue
            with d.lock:
                t = next((t for t, v in d.versions if v > before[d.hotel]), None)
            if t is not None:
                got[id(d)] = (d, t)
                if id(d) in sampled:
                    pulled[id(d)] = pulls.submit(d.sync)
        if len(got) == len(mine) and not rev.is_alive():
            break
    w1 = time.monotonic()
    cpu1 = snapshot(groups)
    rev.join()
    pulls.shutdown(wait=True)
    hz = os.sysconf("SC_CLK_TCK")
    lat = [t - answered[d.hotel] for d, t in got.values() if d.hotel in answered]
    print("fan-out: %d hotels revoked one face each; %d of %d connected devices got \"sync now\""
          % (len(hotels), len(got), len(mine)))
    print("  from the revocation's API answer to each device's receipt: p50 %s ms, p99 %s ms, max %s ms"
          % (ms(pct(lat, 50)), ms(pct(lat, 99)), ms(max(lat) if lat else float("nan"))))
    print("  server CPU from the first revocation to the last receipt (%.2f s):" % (w1 - w0))
    for label in groups:
        d = cpu1[label] - cpu0[label]
        print("    %-20s %6.0f ms  (%3.0f %% of one core)" % (label, 1000 * d / hz, 100 * d / hz / max(w1 - w0, 1e-9)))
    if sampled:
        e2e, saw = [], 0
        for k, fut in pulled.items():
            rec = fut.result()
            d = got[k][0]
            if rec and rec.get("status") == 200:
                e2e.append(rec["at"] - answered[d.hotel])
                saw += bool(rec["removals"])
        print("end to end: %d sampled devices pulled the sync on the message; %d answered 200, %d saw the removal;"
              " from the API answer: p50 %s ms, p99 %s ms, max %s ms"
              % (len(pulled), len(e2e), saw, ms(pct(e2e, 50)), ms(pct(e2e, 99)), ms(max(e2e) if e2e else float("nan"))))
    fleet.close()
    ok = len(got) == len(mine) == n
    return 0 if ok else 1


def main(argv):
    if not sim.available():
        sys.exit("fleet_bench: paho-mqtt not installed (Debian python3-paho-mqtt: scripts/deps.sh)")
    if len(argv) == 6 and argv[0] == "setup":
        setup(argv[1], argv[2], argv[3], int(argv[4]), int(argv[5]))
        return 0
    if len(argv) == 6 and argv[0] == "run":
        return run(argv[1], argv[2], argv[3], int(argv[4]), int(argv[5]))
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
