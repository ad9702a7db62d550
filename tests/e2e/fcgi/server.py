"""A second `faceclock serve` of a test's own, beside the stack's (the
runtime tests of test_serve.py, the template reload of
pages/test_dashboard.py): started from $FC_VAR/env, spoken to in FastCGI
directly (fc.fcgi_request), always stopped by PID. Server owns one such
process, its directory under $FC_VAR/zy/ (owned by RUN_AS when running as
root, since the master drops to it) and its log
$FC_VAR/log/zy-<name>-<id>.log; ServerTest stops every server a test
started when the test ends, whatever the outcome. No tests here."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
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


def _stat(pid):
    """(ppid, pgrp) of pid from /proc, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[2])


def is_service(pid):
    """Is pid one of the application's services (process name "svc:<name>",
    fcgi/master.c), not a FastCGI worker?"""
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().startswith("svc:")
    except OSError:
        return False


def services(pid):
    """{name: PID} of the services under master pid."""
    out = {}
    for k in all_children(pid):
        try:
            with open("/proc/%d/comm" % k) as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm.startswith("svc:"):
            out[comm[4:]] = k
    return out


def children(pid):
    """The PIDs of pid's workers (its children but the services), sorted;
    [] once it is gone."""
    return [k for k in all_children(pid) if not is_service(k)]


def all_children(pid):
    """The PIDs of pid's children, sorted; [] once it is gone."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return sorted(int(x) for x in f.read().split())
    except FileNotFoundError:
        if not os.path.exists("/proc/%d" % pid):
            return []
    except ProcessLookupError:
        return []
    # no CONFIG_PROC_CHILDREN: scan /proc
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = _stat(int(d))
            if st and st[0] == pid:
                kids.append(int(d))
    return sorted(kids)


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
        # a clean environment: no FACECLOCK_* of the caller's leaks in
        self.env = {k: v for k, v in os.environ.items()
                    if k in ("HOME", "LANG", "LC_ALL", "TZ") or k.startswith("PG")}
        self.env.update({"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "DATABASE_URL": fc.ENV["DATABASE_URL"],
                    "FACECLOCK_ADMIN_KEY": fc.ENV.get("FACECLOCK_ADMIN_KEY", ""),
                    "FACECLOCK_SOCKET": self.addr,
                    "FACECLOCK_WORKERS": str(workers)})
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

    def start(self, probe=True):
        """probe=False (a server that will not answer this client): wait
        only until its workers run."""
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
            if not probe:
                if len(self.workers_now()) == self.expect_workers and "started" in self.log():
                    return self
                time.sleep(0.05)
                continue
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

    def workers_settled(self, n):
        """The n workers, once exactly n children are workers (10 s at
        most, else None): a service just forked bears the master's name
        until it names itself "svc:...", and looks like a worker meanwhile."""
        return fc.wait_for(lambda: (lambda w: w if len(w) == n else None)(self.workers_now()), 10.0, 0.01)

    def wait_all_new(self, before, n):
        """The n workers once none of before is left (60 s at most), else None."""
        def all_new():
            now = self.workers_now()
            return now if len(now) == n and not set(now) & set(before) else None
        return fc.wait_for(all_new, 60.0, 0.02)

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
        """Never leave it running: SIGTERM; if it does not go, SIGKILL to its
        process group (its own session, led by the master's PID, which the
        workers share); then any worker left over, by PID; then the
        directory."""
        if self.proc is not None:
            workers = self.workers_now()
            if self.alive():
                self.stop()
            if self.alive():
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.wait_exit(5)
            for w in workers:
                st = _stat(w)
                if st is not None and st[1] == self.pid:    # still one of ours
                    try:
                        os.kill(w, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        shutil.rmtree(self.dir, ignore_errors=True)


class ServerTest(unittest.TestCase):
    """Starts servers through self.server(), stops them in cleanup."""

    def server(self, name, probe=True, **kw):
        s = Server(name, **kw)
        self.addCleanup(s.cleanup)
        s.start(probe)
        return s

    def assert_stopped_cleanly(self, s, timeout=SERVER_STOP_S):
        t0 = time.monotonic()
        rc = s.stop(timeout)
        self.assertIsNotNone(rc, "%s still running %.0f s after SIGTERM:\n%s"
                             % (s.name, timeout, s.log_tail()))
        self.assertEqual(rc, 0, "%s exited with status %s after SIGTERM:\n%s" % (s.name, rc, s.log_tail()))
        return time.monotonic() - t0
