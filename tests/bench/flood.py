#!/usr/bin/env python3
"""A steady flood of requests with a wrong kiosk key, from one client, for
scripts/bench.sh: RATE requests a second for SECONDS seconds to URL, each
with X-API-Key KEY, over one keep-alive connection (a new one when the
server closes it). Paced by the clock, not by answers, so a slow server
does not slow the flood down. Prints one line: the requests sent, the
answers by status and the rate achieved.

    flood.py URL KEY RATE SECONDS
"""

import collections
import http.client
import sys
import time
import urllib.parse


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    url, key, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    u = urllib.parse.urlsplit(url)
    path = u.path + ("?" + u.query if u.query else "")
    statuses = collections.Counter()
    conn = None
    t0 = time.monotonic()
    sent = 0
    while True:
        due = t0 + sent / rate
        now = time.monotonic()
        if now - t0 >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        try:
            if conn is None:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
            conn.request("GET", path, headers={"X-API-Key": key})
            r = conn.getresponse()
            r.read()
            statuses[r.status] += 1
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as e:
            statuses[type(e).__name__] += 1
            if conn is not None:
                conn.close()
            conn = None
        sent += 1
    elapsed = time.monotonic() - t0
    print("flood: %d requests in %.1f s (%.0f/s), answers %s" % (
        sent, elapsed, sent / elapsed, ", ".join("%s: %d" % kv for kv in sorted(statuses.items(), key=str))))


if __name__ == "__main__":
    main()
