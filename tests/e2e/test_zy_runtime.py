"""The runtime itself, on second `faceclock serve` processes this file starts
(and always stops, by PID) beside the stack's own, spoken to in FastCGI
directly (fc.FcgiConn / fc.fcgi_request), not through nginx:

- TCP socket mode: /healthz, a failed login, a 404, SIGTERM exits 0;
- worker recycling after FACECLOCK_MAX_REQUESTS requests;
- drain on SIGTERM: requests in flight are answered, exit 0, socket removed;
- respawn back-off: a worker SIGKILLed twice is replaced, the back-off logged;
- FACECLOCK_CONFIG re-read on SIGHUP: the worker count follows the file,
  with no failed request;
- face_audit_log refuses UPDATE, DELETE and TRUNCATE from the owner role too.

Each server gets its own directory under $FC_VAR/zy/ (owned by RUN_AS when
running as root, since the master drops to it) and logs to
$FC_VAR/log/zy-<name>-<id>.log. Runs just before test_zz_resilience.py."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import fc

SERVER_START_S = 20.0       # bounded waits, never plain long sleeps
SERVER_STOP_S = 15.0


def free_tcp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def children(pid):
    """The PIDs of pid's children (its workers), sorted; [] once it is gone."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return sorted(int(x) for x in f.read().split())
    except (FileNotFoundError, ProcessLookupError):
        return []


def socket_inodes(pid):
    """The inodes of the sockets pid holds open (a worker that has accepted a
    connection holds one more)."""
    out = set()
    d = "/proc/%d/fd" % pid
    try:
        names = os.listdir(d)
    except OSError:
        return out
    for n in names:
        try:
            t = os.readlink(os.path.join(d, n))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]$", t)
        if m:
            out.add(int(m.group(1)))
    return out


class Server:
    """A second `faceclock serve`: env from $FC_VAR/env plus `settings`;
    socket "tcp" (127.0.0.1:<free port>) or "unix" (in its own directory).
    start() waits until /healthz answers 200 and `workers` workers run."""

    def __init__(self, name, socket_kind="tcp", workers=1, settings=None, config_text=None,
                 expect_workers=None):
        for k in ("FC_BIN", "DATABASE_URL"):
            if not fc.ENV.get(k):
                raise unittest.SkipTest("%s not in %s" % (k, fc.ENV["_ENV_FILE"]))
        self.name = name
        self.tag = "%s-%d-%04x" % (name, os.getpid(), fc._rng.getrandbits(16))
        self.workers = workers
        self.expect_workers = expect_workers or workers
        self.run_as = fc.ENV.get("RUN_AS") if os.geteuid() == 0 else None
        if self.run_as == "root":
            self.run_as = None
        base = os.path.join(fc.ENV["FC_VAR"], "zy")
        os.makedirs(base, exist_ok=True)
        self.dir = os.path.join(base, self.tag)
        if len(os.path.join(self.dir, "fc.sock")) > 100:    # sun_path limit
            self.dir = tempfile.mkdtemp(prefix="fc-zy-")
        else:
            os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        if self.run_as:
            shutil.chown(self.dir, self.run_as)
        if socket_kind == "tcp":
            self.addr = "127.0.0.1:%d" % free_tcp_port()
            self.unix_path = None
        else:
            self.unix_path = self.addr = os.path.join(self.dir, "fc.sock")
        logdir = os.path.join(fc.ENV["FC_VAR"], "log")
        os.makedirs(logdir, exist_ok=True)
        self.log_path = os.path.join(logdir, "zy-%s.log" % self.tag)
        self.config_path = None
        if config_text is not None:
            self.config_path = os.path.join(self.dir, "faceclock.conf")
            self.write_config(config_text)
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "DATABASE_URL": fc.ENV["DATABASE_URL"],
                    "FACECLOCK_ADMIN_KEY": fc.ENV.get("FACECLOCK_ADMIN_KEY", ""),
                    "FACECLOCK_SOCKET": self.addr,
                    "FACECLOCK_WORKERS": str(workers)}
        if self.run_as:
            self.env["FACECLOCK_USER"] = self.run_as
        if self.config_path:
            self.env["FACECLOCK_CONFIG"] = self.config_path
        self.env.update(settings or {})
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid

    def write_config(self, text):
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.config_path)

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([fc.ENV["FC_BIN"], "serve"], env=self.env, cwd=fc.REPO,
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         start_new_session=True)
        end = time.monotonic() + SERVER_START_S
        last = None
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError("%s exited during start-up (status %s):\n%s"
                                     % (self.name, self.proc.returncode, self.log_tail()))
            try:
                r = self.request("GET", "/healthz", timeout=3)
                last = r
                if r.status == 200 and len(self.workers_now()) == self.expect_workers:
                    return self
            except (OSError, AssertionError) as e:
                last = e
            time.sleep(0.05)
        raise AssertionError("%s not ready within %.0f s (last: %r, workers %s):\n%s"
                             % (self.name, SERVER_START_S, last, self.workers_now(), self.log_tail()))

    def request(self, method, uri, **kw):
        return fc.fcgi_request(self.addr, method, uri, **kw)

    def healthz_ok(self):
        r = self.request("GET", "/healthz", timeout=5)
        return r.status == 200 and r.json.get("database") == "ok"

    def workers_now(self):
        return children(self.pid)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, n=30):
        return "\n".join(self.log().splitlines()[-n:])

    def signal(self, sig):
        os.kill(self.pid, sig)

    def wait_exit(self, timeout=SERVER_STOP_S):
        """The exit status, or None if still running after timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=SERVER_STOP_S):
        """SIGTERM by PID; the exit status (None: still running)."""
        if not self.alive():
            return self.proc.returncode
        self.signal(signal.SIGTERM)
        return self.wait_exit(timeout)

    def cleanup(self):
        """Never leave it running: SIGTERM, then SIGKILL to its own process
        group (the master's PID; the workers share it), then the directory."""
        if self.proc is not None:
            if self.alive():
                self.stop()
            if self.alive():
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.wait_exit(5)
            # workers left behind by a master that died abnormally
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


class ServerTest(unittest.TestCase):
    """Starts servers through self.server(), stops them in cleanup."""

    def server(self, name, **kw):
        s = Server(name, **kw)
        self.addCleanup(s.cleanup)
        s.start()
        return s

    def assert_stopped_cleanly(self, s, timeout=SERVER_STOP_S):
        t0 = time.monotonic()
        rc = s.stop(timeout)
        self.assertIsNotNone(rc, "%s still running %.0f s after SIGTERM:\n%s"
                             % (s.name, timeout, s.log_tail()))
        self.assertEqual(rc, 0, "%s exited with status %s after SIGTERM:\n%s" % (s.name, rc, s.log_tail()))
        return time.monotonic() - t0


class Test1TcpSocket(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("zytcp")
        cls.h.create()

    def test_tcp_socket_serves_fastcgi_and_stops_on_sigterm(self):
        s = self.server("tcp", socket_kind="tcp", workers=1)
        self.assertRegex(s.addr, r"^127\.0\.0\.1:\d+$")
        self.assertIn("listening on %s" % s.addr, s.log())

        body = fc.assert_json(s.request("GET", "/healthz"), 200)
        self.assertEqual(body, {"status": "ok", "database": "ok"})

        u = self.h.users["staff"]
        r = s.request("POST", "/api/auth/login", json={"username": u["username"], "password": "not-" + u["password"]},
                      remote_addr=fc.fresh_source() or "127.0.0.1")
        fc.assert_error(r, 401, "INVALID_CREDENTIALS")

        r = s.request("GET", "/api/no-such-route?x=1")
        fc.assert_error(r, 404, "NOT_FOUND")
        r = s.request("GET", "/no/such/page")
        fc.assert_error(r, 404, "NOT_FOUND")

        # a good login too, and the token works on this server
        r = s.request("POST", "/api/auth/login", json={"username": u["username"], "password": u["password"]},
                      remote_addr=fc.fresh_source() or "127.0.0.1")
        token = fc.assert_json(r, 200)["token"]
        me = fc.assert_json(s.request("GET", "/api/auth/me", token=token), 200)
        self.assertIn(u["username"], repr(me))
        self.assertIn("route=auth.login status=401", s.log())

        self.assert_stopped_cleanly(s)
        self.assertIn("stopped", s.log())
        with self.assertRaises(OSError):
            fc.fcgi_connect(s.addr, timeout=2).close()


if __name__ == "__main__":
    unittest.main()
