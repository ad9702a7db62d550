"""A Server-Sent Events client for the tests (not collected): subscribes
through the stack's nginx (nchan) and reads events one by one. The fault
suite (tests/faults/harness.py) uses it too, with its own address."""

import json
import socket
import time


class Sse:
    """GET path with Accept: text/event-stream (HTTP/1.0 over a plain
    socket: the stream is the rest of the connection); status and headers
    at once, then next() per event: {"id", "event", "data"} (data parsed as
    JSON when it is), or None when none came in time."""

    def __init__(self, path, token=None, api_key=None, cookie=None, last_event_id=None, timeout=10, addr=None):
        if addr is None:                  # the e2e stack's (tests/e2e/fc.py)
            import fc
            addr = (fc.BASE.hostname, fc.BASE.port)
        hdrs = {"Host": "%s:%s" % addr, "Accept": "text/event-stream"}
        if token:
            hdrs["Authorization"] = "Bearer " + token
        if api_key:
            hdrs["X-API-Key"] = api_key
        if cookie:
            hdrs["Cookie"] = cookie
        if last_event_id:
            hdrs["Last-Event-ID"] = last_event_id
        self.sock = socket.create_connection(addr, timeout=timeout)
        req = "GET %s HTTP/1.0\r\n%s\r\n" % (path, "".join("%s: %s\r\n" % kv for kv in hdrs.items()))
        self.sock.sendall(req.encode())
        self.buf = b""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            if not self._fill(deadline):
                break
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("iso-8859-1").split("\r\n")
        self.status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
        self.headers = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.body = None
        if self.status != 200:
            while self._fill(time.monotonic() + 2):
                pass
            self.body, self.buf = self.buf, b""
            self.close()

    def _fill(self, deadline):
        """Read more into buf before deadline: False at its end or the stream's."""
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, TimeoutError, OSError):
            return False
        if not data:
            return False
        self.buf += data
        return True

    def json(self):
        return json.loads(self.body)

    def next(self, timeout=5.0):
        """The next event that has data (comments and pings skipped), or None."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" not in self.buf.replace(b"\r\n", b"\n"):
                if not self._fill(deadline):
                    return None
            text = self.buf.replace(b"\r\n", b"\n")
            block, _, rest = text.partition(b"\n\n")
            self.buf = rest
            ev = {}
            for line in block.decode("utf-8").split("\n"):
                if line.startswith(":") or not line:
                    continue
                k, _, v = line.partition(":")
                v = v[1:] if v.startswith(" ") else v
                ev[k] = ev[k] + "\n" + v if k == "data" and "data" in ev else v
            if "data" not in ev:
                continue
            try:
                ev["data"] = json.loads(ev["data"])
            except ValueError:
                pass
            return ev

    def until(self, pred, timeout=5.0):
        """The first event whose data satisfies pred, or None."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ev = self.next(left)
            if ev is None:
                return None
            if isinstance(ev.get("data"), dict) and pred(ev["data"]):
                return ev

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
