"""`make run` supervises (scripts/run.sh): a run.sh of the test's own, in
the background with the demo hotel, on a port and a state directory of its
own ($FC_VAR/sup, its own PostgreSQL cluster), always stopped with SIGTERM
by its PID at the end, which must stop every piece it recorded.

- the faceclock master killed with SIGKILL: started again (a new master
  PID), said so on the console, and the kiosk's scans succeed again;
- PostgreSQL stopped on purpose (scripts/stack.sh pg-stop): scans answer
  JSON 503 UNAVAILABLE and it is not restarted behind the operator's back;
  after pg-start they succeed again with the same faceclock master;
- nginx killed with SIGKILL: started again, scans succeed;
- mosquitto killed with SIGKILL: started again (when installed);
- the private PostgreSQL killed with SIGKILL: started again by itself;
- a piece that keeps dying waits longer each time: 2 s, 4 s, then 4 s
  (SUPERVISE_MAX_DELAY=4 here; 30 s by default)."""

import os
import random
import re
import shlex
import signal
import subprocess
import unittest

import fc
from fcgi.server import free_tcp_port

START_S = 240.0                     # initdb, migrations and the demo import
BACK_S = 60.0                       # a piece back after its death

# the test stack's settings run.sh must not inherit: its stack is its own
STACK_ENV = ("BASE_URL", "PORT", "FACECLOCK_ADMIN_KEY", "FACECLOCK_DATA_KEY", "DATABASE_URL",
             "FACECLOCK_MIGRATE_URL", "FC_VAR", "FC_BIN", "PG_BIN", "FC_SOCKET", "RUN_AS", "FC_LOG",
             "FC_STACK", "FC_DB_MODE", "FACECLOCK_SOCKET", "FACECLOCK_CONFIG", "TLS_URL", "TLS_SERVER_CERT",
             "FC_STATE", "FACECLOCK_STATE_DIR", "TLS_PORT", "MQTT_PORT", "MQTT_URL", "FACECLOCK_MQTT_SECRET",
             "FACECLOCK_MQTT_URL")


def read_env(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = shlex.split(v)[0] if v else ""
    return env


def pid_of(var, piece):
    try:
        with open(os.path.join(var, "pids", piece + ".pid")) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


class TestSupervisor(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.var = os.path.join(fc.ENV["FC_VAR"], "sup")
        cls.port = free_tcp_port()
        env = {k: v for k, v in os.environ.items() if k not in STACK_ENV}
        # the mTLS port and the broker's on free ports too (PORT + 5 and
        # PORT + 7 may be ports in use in the ephemeral range)
        env.update(FC_VAR=cls.var, PORT=str(cls.port), FC_BIN=fc.ENV["FC_BIN"], FACECLOCK_WORKERS="2",
                   FACECLOCK_DEMO="1", SUPERVISE_MAX_DELAY="4", TLS_PORT=str(free_tcp_port()),
                   MQTT_PORT=str(free_tcp_port()))
        os.makedirs(cls.var, exist_ok=True)
        cls.out_path = os.path.join(fc.ENV["FC_VAR"], "log", "run-sup.out")
        cls.out = open(cls.out_path, "w")
        cls.proc = subprocess.Popen([os.path.join(fc.REPO, "scripts", "run.sh")], cwd=fc.REPO, env=env,
                                    stdin=subprocess.DEVNULL, stdout=cls.out, stderr=subprocess.STDOUT)
        try:
            up = fc.wait_for(lambda: "[run] supervising " in cls.console() or cls.proc.poll() is not None,
                             START_S, 0.2)
            if not up or cls.proc.poll() is not None:
                raise AssertionError("run.sh did not come up:\n%s" % cls.console()[-4000:])
            cls.env = read_env(os.path.join(cls.var, "env"))
            cls.base = cls.env["BASE_URL"]
            m = re.search(r"kiosk key\s+X-API-Key: (\S+)", cls.console())
            if not m:
                raise AssertionError("no kiosk key in the banner:\n%s" % cls.console()[-4000:])
            cls.kiosk = m.group(1)
            cls.descriptor = cls.register_face()
        except BaseException:
            cls.stop_run()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stop_run()
        pids = {p: pid_of(cls.var, p) for p in ("nginx", "faceclock", "postgres", "mosquitto")}
        left = {p: pid for p, pid in pids.items() if pid is not None and alive(pid)}
        assert not left, "run.sh left pieces running after SIGTERM: %s" % left

    @classmethod
    def stop_run(cls):
        if cls.proc.poll() is None:
            cls.proc.send_signal(signal.SIGTERM)
            try:
                cls.proc.wait(90)
            except subprocess.TimeoutExpired:
                cls.proc.kill()
                cls.proc.wait(10)
        cls.out.close()

    @classmethod
    def console(cls):
        with open(cls.out_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    @classmethod
    def call(cls, method, path, **kw):
        kw.setdefault("timeout", 10)
        return fc.request(method, path, base=cls.base, **kw)

    @classmethod
    def register_face(cls):
        """The demo's hotel administrator (no shift in the roster)
        registers a face: each scan of it by the kiosk is 200
        "unrostered_detected", and writes nothing."""
        r = cls.call("POST", "/api/auth/login", json={"username": "admin", "password": "admin12345"})
        token = fc.assert_json(r, 200)["token"]
        rng = random.Random(12)
        descriptor = [round(rng.uniform(-0.2, 0.2), 6) for _ in range(128)]
        r = cls.call("POST", "/api/staff/hotel/demo-hotel/attendance/clock-logs/register-face/",
                     json={"descriptor": descriptor, "consent_given": True}, token=token)
        if r.status not in (200, 201):
            raise AssertionError("registering a face: %r %s" % (r, r.text[:300]))
        return descriptor

    def scan(self):
        return self.call("POST", "/api/staff/hotel/demo-hotel/attendance/clock-logs/face-clock-in/",
                         json={"descriptor": self.descriptor}, api_key=self.kiosk)

    def scan_ok(self):
        try:
            r = self.scan()
        except (AssertionError, OSError):
            return False
        return 200 <= r.status < 300

    def assert_back(self, piece, old_pid, delay=1):
        def back():
            pid = pid_of(self.var, piece)
            return pid if pid and pid != old_pid and alive(pid) else None
        pid = fc.wait_for(back, BACK_S, 0.2)
        self.assertTrue(pid, "%s not started again:\n%s" % (piece, self.console()[-3000:]))
        self.assertTrue(fc.wait_for(self.scan_ok, 30.0, 0.2),
                        "scans do not succeed after %s came back: %r" % (piece, self.scan()))
        said = r"%s \(pid %d\) died; restarting it in %d s\n(?s:.*)\n\[run\] %s is back \(pid %d\)\n" % (
            piece, old_pid, delay, piece, pid)
        self.assertTrue(fc.wait_for(lambda: re.search(said, self.console()), 10.0, 0.1),
                        "the console does not say %r:\n%s" % (said, self.console()[-3000:]))
        self.assertNotIn("did not start again", self.console())
        return pid

    def test_1_faceclock_master_killed(self):
        self.assertTrue(self.scan_ok(), self.scan())
        old = pid_of(self.var, "faceclock")
        os.kill(old, signal.SIGKILL)
        self.assert_back("faceclock", old)

    def test_2_postgres_stopped_and_started(self):
        master = pid_of(self.var, "faceclock")
        self.assertTrue(fc.wait_for(self.scan_ok, 30.0, 0.2))
        stack = [os.path.join(fc.REPO, "scripts", "stack.sh")]
        env = dict(os.environ, FC_VAR=self.var, PORT=str(self.port))
        try:
            p = subprocess.run(stack + ["pg-stop"], env=env, cwd=fc.REPO, capture_output=True, text=True,
                               timeout=90)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            for i in range(6):
                with self.subTest(scan=i):
                    fc.assert_error(self.scan(), 503, "UNAVAILABLE")
            # stopped on purpose: still down a few supervisor rounds later
            self.assertTrue(fc.wait_for(lambda: "postgres was stopped on purpose" in self.console(), 10.0, 0.1),
                            self.console()[-2000:])
            fc.assert_error(self.scan(), 503, "UNAVAILABLE")
            self.assertIsNone(pid_of(self.var, "postgres"))
        finally:
            p = subprocess.run(stack + ["pg-start"], env=env, cwd=fc.REPO, capture_output=True, text=True,
                               timeout=90)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(fc.wait_for(self.scan_ok, 30.0, 0.2), "scans do not succeed after pg-start")
        self.assertEqual(pid_of(self.var, "faceclock"), master, "faceclock was restarted")

    def test_3_nginx_killed(self):
        old = pid_of(self.var, "nginx")
        os.kill(old, signal.SIGKILL)
        self.assert_back("nginx", old)

    def test_3b_mosquitto_killed(self):
        if not read_env(os.path.join(self.var, "env")).get("MQTT_URL"):
            raise unittest.SkipTest("no MQTT broker in this stack (mosquitto not installed: scripts/deps.sh)")
        old = pid_of(self.var, "mosquitto")
        os.kill(old, signal.SIGKILL)
        self.assert_back("mosquitto", old)

    def test_4_postgres_killed(self):
        master = pid_of(self.var, "faceclock")
        old = pid_of(self.var, "postgres")
        os.kill(old, signal.SIGKILL)
        self.assert_back("postgres", old)
        self.assertEqual(pid_of(self.var, "faceclock"), master, "faceclock was restarted")

    def test_5_backoff_doubles_and_is_capped(self):
        """test_1 killed the master less than a minute ago: the next
        deaths wait 2 s, 4 s and 4 s (the cap)."""
        for delay in (2, 4, 4):
            with self.subTest(delay=delay):
                old = pid_of(self.var, "faceclock")
                os.kill(old, signal.SIGKILL)
                self.assert_back("faceclock", old, delay)
