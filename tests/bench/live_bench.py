#!/usr/bin/env python3
"""tests/bench/live_bench.py — the live events row of scripts/bench.sh
(`scripts/bench.sh live`): SUBSCRIBERS open SSE subscribers spread over
HOTELS hotels, each authorised by its hotel's manager token, through nginx
(nchan) to /api/events/hotel/{slug}, held by one asyncio process while the
face-clock-in load runs beside it; the same process sends probe scans to
the clock bench's hotel (one of the hotels) and times each probe's event
from the scan's answer to each subscriber's receipt (one clock, one
process).

    live_bench.py setup BASE_URL ADMIN_KEY WORKDIR HOTELS
        the clock bench hotel (clock_bench.py setup first: its
        clock_probe.json) and HOTELS-1 more hotels live-bench-NN, each with
        a manager; logs every manager in; writes WORKDIR/live_tokens.json.
    live_bench.py run BASE_URL WORKDIR SUBSCRIBERS SECONDS PROBE_RATE
        opens the subscribers, touches WORKDIR/live_ready once all answered
        200, holds them SECONDS while probing, then prints the held count,
        the events received and the probe latency p50/p99.

It owns: its sockets (closed before it exits).
"""
import asyncio
import http.client
import json
import os
import sys
import time
import urllib.parse

from benchlib import call, must

PASSWORD = "live-bench-mgr-pw"    # bench-only users on a loopback stack


def setup(base, key, work, hotels):
    with open(os.path.join(work, "clock_probe.json")) as f:
        probe = json.load(f)
    accounts = [(probe["slug"], probe["manager"][0], probe["manager"][1])]
    for k in range(1, hotels):
        slug = "live-bench-%02d" % k
        doc = {"hotel": {"name": "Live Bench %d" % k, "timezone": "UTC"},
               "departments": [{"id": 1, "name": "Front of house"}],
               "staff": [{"id": 40000, "employee_code": "LIV00000", "first_name": "Live", "last_name": "Manager",
                          "department_id": 1, "role": "manager", "username": slug + "-mgr", "password": PASSWORD}],
               "roster": []}
        must(call(base, "PUT", "/api/staff/hotel/%s/pms-sync/" % slug, doc, key), "pms sync of " + slug)
        accounts.append((slug, slug + "-mgr", PASSWORD))
    tokens = []
    for slug, user, pw in accounts:
        tok = must(call(base, "POST", "/api/auth/login", {"username": user, "password": pw}), "login " + user)["token"]
        tokens.append([slug, tok])
    with open(os.path.join(work, "live_tokens.json"), "w") as f:
        json.dump(tokens, f)


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]


class Run:
    def __init__(self, base, work, n, seconds, rate):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.work, self.n, self.seconds, self.rate = work, n, seconds, rate
        with open(os.path.join(work, "live_tokens.json")) as f:
            self.tokens = json.load(f)
        with open(os.path.join(work, "clock_probe.json")) as f:
            self.probe = json.load(f)
        self.answered = {}         # (type, log_id) -> time the probe scan's answer came
        self.receipts = []         # (type, log_id, time received) on the probe hotel
        self.events = 0
        self.held = 0
        self.failed = []
        self.stop = asyncio.Event()

    async def subscriber(self, slug, token, opened):
        try:
            r, w = await asyncio.open_connection(self.host, self.port)
        except OSError as e:
            self.failed.append(type(e).__name__)
            opened.set_result(False)
            return
        w.write(("GET /api/events/hotel/%s HTTP/1.0\r\nHost: %s:%s\r\nAccept: text/event-stream\r\n"
                 "Authorization: Bearer %s\r\n\r\n" % (slug, self.host, self.port, token)).encode())
        try:
            status = (await r.readline()).split()
            ok = len(status) > 1 and status[1] == b"200"
            if not ok:
                self.failed.append(status[1].decode() if len(status) > 1 else "no answer")
            opened.set_result(ok)
            if not ok:
                return
            self.held += 1
            probe = slug == self.probe["slug"]
            while True:
                line = await r.readline()
                if not line:
                    self.held -= 1
                    self.failed.append("closed")
                    return
                if not line.startswith(b"data:"):
                    continue
                t = time.time()
                self.events += 1
                if probe:
                    try:
                        d = json.loads(line[5:])
                        self.receipts.append((d.get("type"), (d.get("data") or {}).get("log_id"), t))
                    except ValueError:
                        pass
        finally:
            w.close()

    def scan(self, i):
        """One probe scan, blocking (run in a thread): ((type, log_id), answered) or None."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request("POST", "/api/staff/hotel/%s/attendance/clock-logs/face-clock-in/" % self.probe["slug"],
                         body=self.probe["scans"][i % len(self.probe["scans"])],
                         headers={"X-API-Key": self.probe["kiosk"], "Content-Type": "application/json"})
            resp = conn.getresponse()
            body = resp.read()
            t = time.time()
            doc = json.loads(body) if resp.status < 300 else {}
            typ = {"CLOCK_IN": "clock.in", "CLOCK_OUT": "clock.out"}.get(doc.get("action"))
            if typ and isinstance(doc.get("log"), dict):
                return (typ, doc["log"].get("id")), t
        except (OSError, http.client.HTTPException, ValueError):
            pass
        finally:
            conn.close()
        return None

    async def main(self):
        loop = asyncio.get_running_loop()
        tasks, opens = [], []
        for k in range(self.n):
            slug, token = self.tokens[k % len(self.tokens)]
            fut = loop.create_future()
            opens.append(fut)
            tasks.append(asyncio.create_task(self.subscriber(slug, token, fut)))
            if k % 50 == 49:
                await asyncio.sleep(0.05)     # nchan asks faceclock for each: no burst of 500
        ok = await asyncio.gather(*opens)
        with open(os.path.join(self.work, "live_ready"), "w") as f:
            f.write("%d\n" % sum(ok))
        t0, i = time.monotonic(), 0
        while time.monotonic() - t0 < self.seconds:
            i += 1
            got = await loop.run_in_executor(None, self.scan, i * 7)
            if got:
                self.answered[got[0]] = got[1]
            await asyncio.sleep(max(0.0, t0 + i / self.rate - time.monotonic()))
        await asyncio.sleep(2.0)          # the last probes' events
        held = self.held
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        lat = [(t - self.answered[(typ, log)]) * 1000.0 for typ, log, t in self.receipts
               if (typ, log) in self.answered]
        reached = {(typ, log) for typ, log, _ in self.receipts} & set(self.answered)
        print("%d of %d subscribers held over %d hotels (%d failed: %s); %d events received; "
              "%d probe scans, %d of their events reached the probe hotel's subscribers; "
              "event latency from the scan's answer to receipt: p50 %.1f ms, p99 %.1f ms (%d receipts)"
              % (held, self.n, len(self.tokens), len(self.failed), ",".join(sorted(set(self.failed)))[:80],
                 self.events, len(self.answered), len(reached), pct(lat, 50), pct(lat, 99), len(lat)))


def main(argv):
    if len(argv) == 6 and argv[1] == "setup":
        setup(argv[2], argv[3], argv[4], int(argv[5]))
    elif len(argv) == 7 and argv[1] == "run":
        asyncio.run(Run(argv[2], argv[3], int(argv[4]), float(argv[5]), float(argv[6])).main())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
