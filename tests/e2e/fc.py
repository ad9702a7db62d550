"""Shared helpers for the end-to-end tests (Python 3 standard library only).

- ENV: the stack's values, read from $FC_VAR/env (BASE_URL, FACECLOCK_ADMIN_KEY,
  FACECLOCK_MIGRATE_URL, FC_VAR, PG_BIN, ...).
- request(): one HTTP request through nginx; never follows redirects; 10 s
  timeout; returns a Resp (status, headers, body, .json, .text).
- Hotel: a fresh hotel with a unique slug and unique PMS ids, created by PMS
  sync, with one user per role; login() caches tokens.
- assert_error() / assert_json(): the contract's response shapes.
- psql(): SQL as the owner role, for setup and inspection only.
- FcgiConn / fcgi_request(): speak FastCGI straight to a `faceclock serve`
  socket (unix path or host:port), bypassing nginx; answers are Resp too.
- record_body(): with $FC_E2E_BODIES set (run.py sets it), request() and
  fcgi_request() append every JSON body they send, with its answer's
  status, to that file (test_openapi.py checks them against the schemas).
"""

import http.client
import io
import json as jsonlib
import os
import random
import re
import shlex
import socket
import struct
import subprocess
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# a request with no answer in this long is a hang; a starved CI host has
# made sound requests take over 10 s
TIMEOUT = 30.0
_rng = random.SystemRandom()


# --------------------------------------------------------------------- env

def _parse_env_file(path):
    """Values of a sourceable KEY=VALUE file. bash does the parsing (quotes,
    `export`), so the file means exactly what `. file` means to the scripts."""
    script = 'set -a; . "$1" >/dev/null 2>&1; env -0'
    try:
        out = subprocess.run(["bash", "-c", script, "fc-env", path],
                             env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                             capture_output=True, check=True, timeout=10).stdout
        vals = {}
        for item in out.split(b"\0"):
            if b"=" in item:
                k, v = item.split(b"=", 1)
                vals[k.decode()] = v.decode()
        keys = set()
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=", line)
                if m:
                    keys.add(m.group(1))
        return {k: vals[k] for k in keys if k in vals}
    except (OSError, subprocess.SubprocessError):
        vals = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
                if m:
                    v = shlex.split(m.group(2)) if m.group(2).strip() else [""]
                    vals[m.group(1)] = v[0] if v else ""
        return vals


def load_env():
    fc_var = os.environ.get("FC_VAR") or os.path.join(REPO, "var", "test")
    if not os.path.isabs(fc_var):
        fc_var = os.path.join(REPO, fc_var)
    path = os.environ.get("FC_ENV_FILE") or os.path.join(fc_var, "env")
    env = {}
    if os.path.exists(path):
        env = _parse_env_file(path)
    for k in ("BASE_URL", "PORT", "FACECLOCK_ADMIN_KEY", "DATABASE_URL",
              "FACECLOCK_MIGRATE_URL", "FC_BIN", "PG_BIN", "FC_SOCKET", "RUN_AS"):
        if k not in env and os.environ.get(k):
            env[k] = os.environ[k]
    env.setdefault("FC_VAR", fc_var)
    if not os.path.isabs(env["FC_VAR"]):
        env["FC_VAR"] = os.path.join(REPO, env["FC_VAR"])
    if "BASE_URL" not in env:
        env["BASE_URL"] = "http://127.0.0.1:%s" % env.get("PORT", "8080")
    env["_ENV_FILE"] = path
    return env


ENV = load_env()
BASE = urllib.parse.urlsplit(ENV["BASE_URL"])
ADMIN_KEY = ENV.get("FACECLOCK_ADMIN_KEY", "")


# -------------------------------------------------------------------- http

class Resp:
    def __init__(self, status, reason, headers, body, elapsed):
        self.status = status
        self.reason = reason
        self.headers = headers          # http.client.HTTPMessage
        self.body = body                # bytes
        self.elapsed = elapsed          # seconds

    def header(self, name):
        return self.headers.get(name)

    def header_all(self, name):
        return self.headers.get_all(name) or []

    @property
    def content_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def json(self):
        return jsonlib.loads(self.body.decode("utf-8"))

    def __repr__(self):
        body = self.text
        if len(body) > 400:
            body = body[:400] + "...(%d bytes)" % len(self.body)
        return "<%d %s %s>" % (self.status, self.content_type, body)


def fresh_source():
    """A loopback address other than 127.0.0.1 to send requests from, so
    that per-address login limits (the app's and nginx's) start afresh for
    this run or test; None when this machine cannot bind one."""
    for _ in range(5):
        addr = "127.%d.%d.%d" % (_rng.randrange(1, 255), _rng.randrange(0, 256), _rng.randrange(1, 255))
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((addr, 0))
            s.close()
            return addr
        except OSError:
            continue
    return None


# logins come from an address of this run's own, so that failed logins of
# earlier runs against the same database do not count against this one
LOGIN_SOURCE = fresh_source()


def request(method, path, json=None, body=None, headers=None, token=None,
            api_key=None, cookie=None, timeout=TIMEOUT, chunk_send=False, source=None, base=None):
    """One request through nginx. json= is serialized; body= is sent as is
    (bytes or str). token= sends Authorization: Bearer, api_key= X-API-Key,
    cookie= a Cookie header, source= the local address to connect from,
    base= another nginx's URL than the stack's. Redirects are not followed."""
    hdrs = {"Accept": "application/json"}
    if json is not None:
        body = jsonlib.dumps(json)
    if isinstance(body, str):
        body = body.encode("utf-8")
    if body is not None:
        hdrs["Content-Type"] = "application/json"
    if token is not None:
        hdrs["Authorization"] = "Bearer " + token
    if api_key is not None:
        hdrs["X-API-Key"] = api_key
    if cookie is not None:
        hdrs["Cookie"] = cookie
    if headers:
        hdrs.update(headers)
    url = urllib.parse.urlsplit(base) if base else BASE
    host = url.hostname or "127.0.0.1"
    port = url.port or 80
    prefix = url.path.rstrip("/")
    conn = http.client.HTTPConnection(host, port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    t0 = time.monotonic()
    try:
        if not chunk_send:
            conn.request(method, prefix + path, body=body, headers=hdrs)
        else:
            # send the body piecewise and keep going if the server answers
            # (and stops reading) early, as nginx does for an oversize body
            conn.putrequest(method, prefix + path, skip_accept_encoding=True)
            for k, v in hdrs.items():
                conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(body or b"")))
            conn.endheaders()
            view = memoryview(body or b"")
            for off in range(0, len(view), 65536):
                try:
                    conn.send(view[off:off + 65536])
                except (BrokenPipeError, ConnectionResetError):
                    break
        r = conn.getresponse()
        data = r.read()
        record_body(method, path, body, r.status)
        return Resp(r.status, r.reason, r.headers, data, time.monotonic() - t0)
    except socket.timeout:
        raise AssertionError("%s %s: no answer within %.1f s" % (method, path, timeout))
    finally:
        conn.close()


# ---------------------------------------------------------- sent bodies

BODIES_ENV = "FC_E2E_BODIES"
_bodies_lock = threading.Lock()


def record_body(method, path, body, status):
    """Append {method, path (no query), status, body} as one JSON line to
    the file $FC_E2E_BODIES names, when it is set and body is JSON."""
    dest = os.environ.get(BODIES_ENV)
    if not dest or not body:
        return
    try:
        line = jsonlib.dumps({"method": method, "path": path.split("?", 1)[0],
                              "status": status, "body": jsonlib.loads(body)}) + "\n"
    except (ValueError, RecursionError):
        return                          # not JSON: no schema speaks of it
    with _bodies_lock, open(dest, "a", encoding="utf-8") as f:
        f.write(line)


def get(path, **kw):
    return request("GET", path, **kw)


def post(path, json=None, **kw):
    return request("POST", path, json=json, **kw)


def put(path, json=None, **kw):
    return request("PUT", path, json=json, **kw)


def patch(path, json=None, **kw):
    return request("PATCH", path, json=json, **kw)


def delete(path, **kw):
    return request("DELETE", path, **kw)


def admin(method, path, json=None, **kw):
    """A request as the system administrator."""
    return request(method, path, json=json, api_key=ADMIN_KEY, **kw)


def link_next(resp):
    """The target of Link: <...>; rel="next", as a path (with query), or None."""
    for value in resp.header_all("Link"):
        for part in value.split(","):
            m = re.match(r'\s*<([^>]*)>\s*;(.*)$', part)
            if m and re.search(r'rel\s*=\s*"?next"?', m.group(2)):
                u = urllib.parse.urlsplit(m.group(1))
                p = u.path
                if BASE.path and BASE.path != "/" and p.startswith(BASE.path.rstrip("/")):
                    p = p[len(BASE.path.rstrip("/")):]
                return p + ("?" + u.query if u.query else "")
    return None


# ---------------------------------------------------------------- asserts

def _fail(msg, resp=None):
    raise AssertionError(msg + ("" if resp is None else "\n  got: %r" % (resp,)))


def assert_json(resp, status):
    """Check status and Content-Type: application/json; return the parsed body."""
    if resp.status != status:
        _fail("expected status %d" % status, resp)
    if resp.content_type != "application/json":
        _fail("expected Content-Type application/json", resp)
    try:
        return resp.json
    except ValueError:
        _fail("body is not JSON", resp)


def assert_error(resp, status, code, field=None):
    """Check a contract error: status, JSON content type, {"code","message"}
    (+ "field" for VALIDATION_ERROR). field= also checks its value. Returns
    the parsed body."""
    body = assert_json(resp, status)
    if not isinstance(body, dict):
        _fail("error body is not an object", resp)
    if body.get("code") != code:
        _fail("expected code %s" % code, resp)
    if not isinstance(body.get("message"), str) or not body["message"]:
        _fail("error without a message", resp)
    if code == "VALIDATION_ERROR" and not isinstance(body.get("field"), str):
        _fail("VALIDATION_ERROR without a \"field\"", resp)
    if field is not None and body.get("field") != field:
        _fail("expected field %r" % field, resp)
    return body


RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def parse_ts(s):
    """RFC 3339 UTC with Z → epoch seconds."""
    import calendar
    if not isinstance(s, str) or not RFC3339_Z.match(s):
        raise AssertionError("not an RFC 3339 UTC timestamp with Z: %r" % (s,))
    return calendar.timegm(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S"))


# -------------------------------------------------------------- database

_psql_prefix = None


def _psql_cmd():
    global _psql_prefix
    pg_bin = ENV.get("PG_BIN")
    psql_bin = os.path.join(pg_bin, "psql") if pg_bin else "psql"
    if _psql_prefix is None:
        _psql_prefix = []
        run_as = ENV.get("RUN_AS")
        if os.geteuid() == 0 and run_as and run_as != "root":
            probe = subprocess.run([psql_bin, ENV["FACECLOCK_MIGRATE_URL"], "-XtAc", "select 1"],
                                   capture_output=True, timeout=10)
            if probe.returncode != 0:
                _psql_prefix = ["runuser", "-u", run_as, "--"]
    return _psql_prefix + [psql_bin]


def psql(sql, role="owner", check=True):
    """Run SQL as the owner role (FACECLOCK_MIGRATE_URL), or as the
    application's role (role="app": DATABASE_URL); return stdout (-tA).
    check=False returns (returncode, stdout, stderr) instead of raising."""
    var = "FACECLOCK_MIGRATE_URL" if role == "owner" else "DATABASE_URL"
    if not ENV.get(var):
        raise unittest.SkipTest("%s not in %s" % (var, ENV["_ENV_FILE"]))
    cmd = _psql_cmd() + [ENV[var], "-X", "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, cwd="/")
    if not check:
        return p.returncode, p.stdout.strip(), p.stderr.strip()
    if p.returncode != 0:
        raise AssertionError("psql failed (%d): %s\nSQL: %s" % (p.returncode, p.stderr.strip(), sql))
    return p.stdout.strip()


def faceclock(args, clean=False, timeout=120, **settings):
    """`faceclock <args>` (the stack's FC_BIN) against the stack's database,
    from the repository; the CompletedProcess (text). clean=True leaves out
    this process's FACECLOCK_* settings; settings (FACECLOCK_...=value) are
    added. Skips the test when the stack's env names no binary."""
    fc_bin = ENV.get("FC_BIN")
    if not fc_bin or not os.path.exists(fc_bin) or not ENV.get("DATABASE_URL"):
        raise unittest.SkipTest("no FC_BIN / DATABASE_URL in the stack's env")
    env = {k: v for k, v in os.environ.items() if not (clean and k.startswith("FACECLOCK_"))}
    env.update(DATABASE_URL=ENV["DATABASE_URL"], **settings)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    return subprocess.run([fc_bin] + list(args), capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=REPO)


def sql_str(s):
    """A SQL string literal (for test-made values only)."""
    return "'" + str(s).replace("'", "''") + "'"


# ----------------------------------------------------------------- hotels

def unique_slug(tag):
    return "%s-%s" % (tag, "%08x" % _rng.getrandbits(32))


def unique_base():
    """A block of 1000 PMS ids no other test hotel uses (fits in int4)."""
    return _rng.randrange(1000, 2_000_000) * 1000


ROLES = ("staff", "manager", "hr", "admin")


class Hotel:
    """A fresh hotel created through PMS sync by the system administrator:
    two departments, one login user per role, one staff member without a
    login, one inactive user, a roster and a clock log."""

    def __init__(self, tag="t", timezone="Europe/Dublin"):
        self.slug = unique_slug(tag)
        self.base = b = unique_base()
        self.name = "Hotel " + self.slug
        self.timezone = timezone
        self.dept = [b + 1, b + 2]
        self.users = {}      # role -> dict(username, password, staff_id)
        self.staff = []      # PMS staff rows
        for i, role in enumerate(ROLES):
            sid = b + 100 + i
            u = {"username": "%s-%s" % (self.slug, role),
                 "password": "pw-%s-%08x" % (role, _rng.getrandbits(32)),
                 "staff_id": sid}
            self.users[role] = u
            self.staff.append(self.staff_row(sid, self.dept[i % 2], role,
                                             username=u["username"], password=u["password"]))
        self.plain_staff_id = b + 110
        self.staff.append(self.staff_row(self.plain_staff_id, self.dept[1], "staff"))
        self.inactive = {"username": "%s-gone" % self.slug,
                         "password": "pw-gone-%08x" % _rng.getrandbits(32),
                         "staff_id": b + 111}
        self.staff.append(self.staff_row(b + 111, self.dept[0], "staff",
                                         username=self.inactive["username"],
                                         password=self.inactive["password"], is_active=False))
        self.roster = [
            {"id": b + 500, "staff_id": b + 100, "date": "2025-11-30",
             "start_time": "09:00:00", "end_time": "17:00:00",
             "location": "Front Desk", "department_id": self.dept[0]},
            {"id": b + 501, "staff_id": b + 101, "date": "2025-11-30",
             "start_time": "22:00:00", "end_time": "06:00:00",
             "location": "Night Desk", "department_id": self.dept[1]},
        ]
        self.clock_logs = [
            {"staff_id": b + 100, "time_in": "2025-11-30T08:58:00Z",
             "time_out": "2025-11-30T17:02:00Z", "roster_shift_id": b + 500},
        ]
        self._tokens = {}

    @staticmethod
    def staff_row(sid, dept, role, username=None, password=None, is_active=True):
        row = {"id": sid, "employee_code": "E%d" % sid,
               "first_name": "F%d" % (sid % 1000), "last_name": "L%d" % (sid % 1000),
               "department_id": dept, "role": role, "is_active": is_active}
        if username:
            row["username"] = username
            row["password"] = password
        return row

    def add_user(self, key, role="staff", dept_index=0):
        """Another login user (before create()), e.g. a dedicated one for a
        rate-limit test; returned and kept in self.users[key]."""
        sid = self.base + 200 + len(self.users)
        u = {"username": "%s-%s" % (self.slug, key),
             "password": "pw-%s-%08x" % (key, _rng.getrandbits(32)), "staff_id": sid}
        self.users[key] = u
        self.staff.append(self.staff_row(sid, self.dept[dept_index], role,
                                         username=u["username"], password=u["password"]))
        return u

    def body(self):
        return {
            "hotel": {"name": self.name, "timezone": self.timezone},
            "departments": [{"id": self.dept[0], "name": "Reception"},
                            {"id": self.dept[1], "name": "Housekeeping"}],
            "staff": [dict(r) for r in self.staff],
            "roster": [dict(r) for r in self.roster],
            "clock_logs": [dict(r) for r in self.clock_logs],
        }

    # paths
    def path(self, rest=""):
        return "/api/staff/hotel/%s/%s" % (self.slug, rest)

    @property
    def sync_path(self):
        return self.path("pms-sync/")

    def create(self):
        r = admin("PUT", self.sync_path, json=self.body())
        body = assert_json(r, 200)
        if body.get("hotel_created") is not True:
            _fail("PMS sync of a new hotel did not report hotel_created", r)
        return body

    def login(self, role, fresh=False):
        """A bearer token for the hotel's user of that role ('staff',
        'manager', 'hr', 'admin'). Cached; fresh=True makes a new one (not
        cached: for tests that log it out)."""
        u = self.users[role]
        if fresh:
            return login_ok(u["username"], u["password"])["token"]
        if role not in self._tokens:
            self._tokens[role] = login_ok(u["username"], u["password"])["token"]
        return self._tokens[role]

    def new_kiosk(self, name="Lobby kiosk"):
        r = admin("POST", self.path("kiosks/"), json={"name": name})
        return assert_json(r, 201)


def login(username, password, **kw):
    kw.setdefault("source", LOGIN_SOURCE)
    return post("/api/auth/login", json={"username": username, "password": password}, **kw)


def login_ok(username, password):
    r = login(username, password)
    body = assert_json(r, 200)
    if not isinstance(body, dict) or not isinstance(body.get("token"), str):
        _fail("login answer without a token", r)
    return body


def wait_for(fn, deadline_s, interval=0.1):
    """Call fn() until it returns a truthy value or the deadline passes;
    returns the last value."""
    end = time.monotonic() + deadline_s
    while True:
        v = fn()
        if v or time.monotonic() >= end:
            return v
        time.sleep(interval)


# ---------------------------------------------------------------- fastcgi

FCGI_BEGIN_REQUEST, FCGI_ABORT_REQUEST, FCGI_END_REQUEST = 1, 2, 3
FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT, FCGI_STDERR = 4, 5, 6, 7
FCGI_RESPONDER = 1


def _fcgi_records(rtype, content, req_id=1):
    """One or more records of rtype carrying content (one empty record for
    b""), each padded to a multiple of 8 bytes."""
    out = []
    off = 0
    while True:
        chunk = content[off:off + 65528]
        pad = -len(chunk) % 8
        out.append(struct.pack("!BBHHBx", 1, rtype, req_id, len(chunk), pad) + chunk + b"\0" * pad)
        off += len(chunk)
        if off >= len(content):
            return b"".join(out)


def _fcgi_len(n):
    return struct.pack("!B", n) if n < 128 else struct.pack("!I", n | 0x80000000)


def fcgi_pairs(params):
    """FastCGI name-value pairs (str or bytes keys and values)."""
    out = []
    for k, v in params.items():
        k = k.encode() if isinstance(k, str) else k
        v = v.encode() if isinstance(v, str) else v
        out.append(_fcgi_len(len(k)) + _fcgi_len(len(v)) + k + v)
    return b"".join(out)


def fcgi_params(method, uri, body_len=0, content_type=None, headers=None,
                remote_addr="127.0.0.1"):
    """The parameters nginx's location block sends (nginx/faceclock.conf.in),
    headers as HTTP_*."""
    path, _, qs = uri.partition("?")
    p = {"GATEWAY_INTERFACE": "CGI/1.1", "SERVER_SOFTWARE": "fc-e2e",
         "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_SCHEME": "http",
         "REQUEST_METHOD": method, "REQUEST_URI": uri, "SCRIPT_NAME": path,
         "DOCUMENT_URI": path, "QUERY_STRING": qs,
         "CONTENT_TYPE": content_type or "", "CONTENT_LENGTH": str(body_len) if body_len else "",
         "REMOTE_ADDR": remote_addr, "REMOTE_PORT": "40000",
         "SERVER_ADDR": "127.0.0.1", "SERVER_PORT": "80", "SERVER_NAME": "faceclock.test",
         "HTTP_HOST": "faceclock.test", "HTTP_ACCEPT": "application/json"}
    for k, v in (headers or {}).items():
        p["HTTP_" + k.upper().replace("-", "_")] = v
    return p


def fcgi_connect(addr, timeout=TIMEOUT):
    """A socket connected to addr: a unix socket path, or host:port."""
    if "/" in addr or ":" not in addr:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(addr)
        except OSError:
            s.close()
            raise
        return s
    host, port = addr.rsplit(":", 1)
    return socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout)


class FcgiConn:
    """One FastCGI request on its own connection (responder role, no
    keep-alive), in steps so a test can hold the body back:

        c = FcgiConn(addr); c.begin("POST", "/api/auth/login", body_len=n, ...)
        c.send_stdin(part1); c.send_stdin(part2); c.end_stdin()
        resp = c.read_response()        # a Resp; .stderr, .app_status too
    """

    def __init__(self, addr, timeout=TIMEOUT, req_id=1):
        self.addr = addr
        self.req_id = req_id
        self.t0 = time.monotonic()
        self.sock = fcgi_connect(addr, timeout)

    def begin(self, method, uri, body_len=0, content_type=None, headers=None,
              remote_addr="127.0.0.1", params=None):
        p = params if params is not None else fcgi_params(method, uri, body_len, content_type,
                                                          headers, remote_addr)
        begin = struct.pack("!HB5x", FCGI_RESPONDER, 0)
        self.sock.sendall(_fcgi_records(FCGI_BEGIN_REQUEST, begin, self.req_id)
                          + _fcgi_records(FCGI_PARAMS, fcgi_pairs(p), self.req_id)
                          + _fcgi_records(FCGI_PARAMS, b"", self.req_id))

    def send_stdin(self, data):
        if data:
            self.sock.sendall(_fcgi_records(FCGI_STDIN, data, self.req_id))

    def end_stdin(self):
        self.sock.sendall(_fcgi_records(FCGI_STDIN, b"", self.req_id))

    def _read_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("FastCGI connection closed before END_REQUEST "
                                      "(%d bytes of a record missing)" % (n - len(buf)))
            buf += chunk
        return buf

    def read_response(self):
        out, err = [], []
        app_status = proto_status = None
        while True:
            ver, rtype, rid, clen, plen = struct.unpack("!BBHHBx", self._read_exact(8))
            content = self._read_exact(clen + plen)[:clen]
            if rtype == FCGI_STDOUT:
                out.append(content)
            elif rtype == FCGI_STDERR:
                err.append(content)
            elif rtype == FCGI_END_REQUEST:
                app_status, proto_status = struct.unpack("!IB3x", content[:8])
                break
        resp = parse_cgi_response(b"".join(out), time.monotonic() - self.t0)
        resp.stderr = b"".join(err)
        resp.app_status = app_status
        resp.protocol_status = proto_status
        return resp

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def parse_cgi_response(data, elapsed=0.0):
    """A CGI-style answer (header lines, "Status: NNN reason", a blank line,
    the body) as a Resp. No Status header means 200."""
    m = re.search(b"\r?\n\r?\n", data)
    if m is None:
        raise AssertionError("FastCGI answer without a header block: %r" % data[:200])
    head, body = data[:m.start()], data[m.end():]
    headers = http.client.parse_headers(io.BytesIO(head + b"\r\n\r\n"))
    status, reason = 200, "OK"
    st = headers.get("Status")
    if st is not None:
        mm = re.match(r"\s*(\d{3})\s*(.*)$", st)
        if mm is None:
            raise AssertionError("malformed Status header: %r" % st)
        status, reason = int(mm.group(1)), mm.group(2).strip()
    return Resp(status, reason, headers, body, elapsed)


def fcgi_request(addr, method, uri, json=None, body=None, headers=None, token=None,
                 api_key=None, remote_addr="127.0.0.1", timeout=TIMEOUT):
    """One request straight to a FastCGI socket (no nginx); returns a Resp
    (plus .stderr, .app_status, .protocol_status)."""
    hdrs = dict(headers or {})
    if json is not None:
        body = jsonlib.dumps(json)
    if isinstance(body, str):
        body = body.encode("utf-8")
    body = body or b""
    if token is not None:
        hdrs["Authorization"] = "Bearer " + token
    if api_key is not None:
        hdrs["X-API-Key"] = api_key
    with FcgiConn(addr, timeout) as c:
        c.begin(method, uri, len(body), "application/json" if body else None, hdrs, remote_addr)
        c.send_stdin(body)
        c.end_stdin()
        try:
            resp = c.read_response()
        except socket.timeout:
            raise AssertionError("%s %s via FastCGI %s: no answer within %.1f s"
                                 % (method, uri, addr, timeout))
    record_body(method, uri, body, resp.status)
    return resp
