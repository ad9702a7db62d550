"""The runtime itself, on second `faceclock serve` processes this file starts
(fcgi/server.py) beside the stack's own, spoken to in FastCGI directly
(fc.FcgiConn / fc.fcgi_request), not through nginx:

- TCP socket mode: /healthz, a failed login, a 404, a path logged escaped
  (a decoded %0a or quote forges no log line), SIGTERM exits 0; a peer
  outside FACECLOCK_ALLOWED_PEERS is closed unanswered (and logged), one
  in it is served, an invalid list stops the start;
- the unix socket is mode 0660, of FACECLOCK_SOCKET_GROUP (by default the
  group of the user the server runs as); someone neither owner nor in the
  group cannot connect; an unknown group stops the start;
- worker recycling after FACECLOCK_MAX_REQUESTS requests;
- drain on SIGTERM: requests in flight are answered, exit 0, socket removed;
- respawn back-off: a worker SIGKILLed twice is replaced, the back-off logged;
- FACECLOCK_CONFIG re-read on SIGHUP: the worker count follows the file,
  with no failed request;
- face_audit_log refuses UPDATE, DELETE and TRUNCATE from the owner role too;
- the request deadline (FACECLOCK_REQUEST_DEADLINE=2): a login blocked on a
  lock held from a test connection is answered 503 UNAVAILABLE by its worker
  (lock_timeout), which goes on serving; a worker stopped (SIGSTOP) while on
  a request is killed by the master's watchdog, the log naming the route,
  and replaced; a worker that gets SIGSEGV on a request dies (no 500 from a
  signal handler), the sanitizer's report in the log, and is replaced.
- a FACECLOCK_ADMIN_KEY shorter than 32 characters: no start, exit 2;
- FACECLOCK_TLS=1: Secure session cookies and Strict-Transport-Security
  on every answer; off (the stack, over HTTP through nginx), neither, even
  with a client's X-Forwarded-Proto: https;
- a worker whose database backend is terminated between requests
  (pg_terminate_backend) notices before sending: the next login writes
  its token exactly once and is answered, a /healthz after another
  termination too, with no database error counted.

Runs just before test_resilience.py, last of all (run.py)."""

import grp
import json
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import threading
import time
import unittest

import fc
from fcgi.server import Server, ServerTest


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
        # the path is logged decoded but escaped: no forged line, no early quote
        fc.assert_error(s.request("GET", "/api/x%0a2025%20level=info%20func=request%20forged%22%5c"), 404, "NOT_FOUND")
        self.assertTrue(fc.wait_for(lambda: "forged" in s.log(), 5.0, 0.02), s.log_tail())
        forged = [ln for ln in s.log().splitlines() if "forged" in ln]
        self.assertEqual(len(forged), 1, forged)
        self.assertIn(r'path="/api/x\x0a2025 level=info func=request forged\"\\" route=- status=404', forged[0])

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


    def test_peer_outside_the_allow_list_is_refused(self):
        s = self.server("tcp-deny", socket_kind="tcp", workers=1, probe=False,
                        settings={"FACECLOCK_ALLOWED_PEERS": "192.0.2.1, ::1"})
        with self.assertRaises((OSError, AssertionError)) as cm:
            r = s.request("GET", "/healthz", timeout=10)
        self.assertNotIn("no answer within", str(cm.exception), "the worker did not close it")
        self.assertTrue(fc.wait_for(lambda: "refused a FastCGI connection from 127.0.0.1: not in "
                                    "FACECLOCK_ALLOWED_PEERS" in s.log(), 5.0, 0.02), s.log_tail())
        self.assertNotIn("route=", s.log(), "a request of a refused peer was read")
        self.assertEqual(len(s.workers_now()), 1, "the worker died:\n%s" % s.log_tail())
        self.assert_stopped_cleanly(s)

    def test_peer_in_the_allow_list_is_served(self):
        s = self.server("tcp-allow", socket_kind="tcp", workers=1,
                        settings={"FACECLOCK_ALLOWED_PEERS": "192.0.2.1,127.0.0.1"})
        self.assertTrue(s.healthz_ok())
        self.assertNotIn("refused", s.log())
        self.assert_stopped_cleanly(s)

    def test_invalid_allow_list_stops_the_start(self):
        for bad in ("localhost", "127.0.0.1/8", "127.0.0.1,,::1"):
            with self.subTest(bad):
                env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "FACECLOCK_SOCKET": "127.0.0.1:1",
                       "FACECLOCK_ALLOWED_PEERS": bad}
                p = subprocess.run([fc.ENV["FC_BIN"], "serve"], env=env, cwd=fc.REPO, capture_output=True,
                                   text=True, timeout=30, stdin=subprocess.DEVNULL)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("FACECLOCK_ALLOWED_PEERS must be", p.stderr)


class Test1UnixSocketMode(ServerTest):
    """The unix socket: 0660, owner the user the server runs as, group
    FACECLOCK_SOCKET_GROUP or by default that user's group."""

    def other_group(self, run_as):
        """A group the socket may be given that is not the server's own."""
        own = pwd.getpwnam(run_as).pw_gid if run_as else os.getegid()
        if os.geteuid() == 0:
            candidates = [g.gr_name for g in grp.getgrall()]
        else:
            candidates = [grp.getgrgid(g).gr_name for g in os.getgroups()]
        for name in candidates:
            if grp.getgrnam(name).gr_gid != own:
                return name
        raise unittest.SkipTest("no group to give the socket besides the server's own")

    def check_mode(self, s, gid):
        st = os.stat(s.unix_path)
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o660, "socket mode %o" % stat.S_IMODE(st.st_mode))
        self.assertEqual(st.st_gid, gid, "socket group %d, expected %d" % (st.st_gid, gid))
        uid = pwd.getpwnam(s.run_as).pw_uid if s.run_as else os.geteuid()
        self.assertEqual(st.st_uid, uid)

    def test_configured_group(self):
        probe = Server("sock-probe", socket_kind="unix")       # only to learn run_as
        group = self.other_group(probe.run_as)
        shutil.rmtree(probe.dir, ignore_errors=True)
        s = self.server("sock-group", socket_kind="unix", workers=1,
                        settings={"FACECLOCK_SOCKET_GROUP": group})
        self.check_mode(s, grp.getgrnam(group).gr_gid)
        self.assertTrue(s.healthz_ok())
        if os.geteuid() == 0:
            # neither the owner nor in the group: no connection
            stranger = "nobody"
            code = ("import os,socket,sys\nos.stat(sys.argv[1])\ns=socket.socket(socket.AF_UNIX)\n"
                    "try:\n    s.connect(sys.argv[1])\nexcept PermissionError:\n    sys.exit(13)\n")
            p = subprocess.run(["runuser", "-u", stranger, "--", "python3", "-c", code, s.unix_path],
                               capture_output=True, text=True, timeout=30, cwd="/")
            if "PermissionError" in p.stderr and "os.stat" in p.stderr:
                raise unittest.SkipTest("%s cannot reach %s" % (stranger, s.dir))
            self.assertEqual(p.returncode, 13, "%s could connect: %s" % (stranger, p.stderr))
        self.assert_stopped_cleanly(s)

    def test_default_group_is_the_servers(self):
        s = self.server("sock-default", socket_kind="unix", workers=1)
        gid = pwd.getpwnam(s.run_as).pw_gid if s.run_as else os.getegid()
        self.check_mode(s, gid)
        self.assert_stopped_cleanly(s)

    def test_unknown_group_stops_the_start(self):
        s = Server("sock-nogroup", socket_kind="unix", workers=1,
                   settings={"FACECLOCK_SOCKET_GROUP": "fc-no-such-group"})
        self.addCleanup(s.cleanup)
        with self.assertRaises(AssertionError):
            s.start()
        self.assertEqual(s.wait_exit(10), 1)
        self.assertIn("FACECLOCK_SOCKET_GROUP fc-no-such-group does not exist", s.log())
        self.assertFalse(os.path.exists(s.unix_path), "socket left behind")


def login_body(user):
    return json.dumps({"username": user["username"], "password": user["password"]}).encode()


def login_answer_ok(r):
    """True for a 200 JSON login answer with a token."""
    try:
        return r.status == 200 and isinstance(r.json.get("token"), str)
    except (ValueError, AttributeError):
        return False


class Load:
    """Threads sending /healthz to a server one request at a time each until
    the with-block ends (120 s at most); results are (monotonic time
    answered, ok, detail). Tests wait for a number of answers, not for a
    time, so that a starved host only makes them slower."""

    def __init__(self, server, threads=1):
        self.server = server
        self.stop = threading.Event()
        self.results = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]

    def run(self):
        end = time.monotonic() + 120
        while not self.stop.is_set() and time.monotonic() < end:
            try:
                r = self.server.request("GET", "/healthz")
                ok = r.status == 200 and r.json.get("database") == "ok"
                detail = r
            except Exception as e:  # noqa: BLE001 - recorded as a failure
                ok, detail = False, repr(e)
            with self.lock:
                self.results.append((time.monotonic(), ok, detail))
            time.sleep(0.005)

    def failures(self):
        with self.lock:
            return [x for x in self.results if not x[1]]

    def answered_after(self, t):
        with self.lock:
            return len([x for x in self.results if x[0] > t])

    def wait_answers(self, t, n, timeout=60.0):
        """True once at least n requests were answered after monotonic time t."""
        return fc.wait_for(lambda: self.answered_after(t) >= n, timeout, 0.02)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(15)
        return False


class Test2Recycling(ServerTest):
    def test_workers_recycle_after_max_requests(self):
        s = self.server("recycle", socket_kind="unix", workers=2,
                        settings={"FACECLOCK_MAX_REQUESTS": "5"})
        first = set(s.workers_now())
        self.assertEqual(len(first), 2)
        seen = set(first)
        failures = []
        for i in range(40):
            uri = "/healthz" if i % 4 else "/api/no-such-route-%d" % i
            try:
                r = s.request("GET", uri)
                ok = (r.status == 200 and r.json.get("database") == "ok") if uri == "/healthz" \
                    else (r.status == 404 and r.json.get("code") == "NOT_FOUND")
                if not ok:
                    failures.append((i, uri, r))
            except Exception as e:  # noqa: BLE001 - a failed request
                failures.append((i, uri, repr(e)))
            seen.update(s.workers_now())
        self.assertEqual(failures, [], "requests failed while workers recycled")
        # >= 40 requests, 5 per worker life, at most 4 left over per slot:
        # at least ceil((40 - 8) / 5) = 7 recycles
        recycled = fc.wait_for(lambda: len(re.findall(r"recycled itself", s.log())) >= 7, 5.0, 0.05)
        self.assertTrue(recycled, "fewer than 7 'recycled itself' lines in the log:\n%s" % s.log_tail())
        self.assertGreaterEqual(len(seen), 2 + 3, "worker pids seen: %s" % sorted(seen))
        now = fc.wait_for(lambda: len(s.workers_now()) == 2 and s.workers_now(), 5.0, 0.05)
        self.assertTrue(now, "worker count not back at 2: %s" % s.workers_now())
        self.assertNotEqual(set(now), first, "the first workers are still there after 40 requests")
        self.assertNotIn("killed by signal", s.log())
        self.assertNotIn("exited with status", s.log())
        self.assert_stopped_cleanly(s)


class Test3Drain(ServerTest):
    """SIGTERM: what is in flight gets its answer, then exit 0, socket gone."""

    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("zydrain")
        cls.h.create()
        cls.user = cls.h.users["staff"]

    def send_logins(self, s, n):
        """n login requests on n connections from threads, each sent in full
        (sent[i] set) before its answer is read. Returns (threads, sent,
        results)."""
        results = [None] * n
        sent = [threading.Event() for _ in range(n)]
        body = login_body(self.user)

        def go(i):
            try:
                with fc.FcgiConn(s.addr, timeout=15) as c:
                    c.begin("POST", "/api/auth/login", len(body), "application/json", None,
                            fc.fresh_source() or "127.0.0.1")
                    c.send_stdin(body)
                    c.end_stdin()
                    sent[i].set()
                    results[i] = c.read_response()
            except Exception as e:  # noqa: BLE001 - recorded
                results[i] = repr(e)
            finally:
                sent[i].set()
        threads = [threading.Thread(target=go, args=(i,), daemon=True) for i in range(n)]
        for t in threads:
            t.start()
        return threads, sent, results

    def check_drained(self, s, t_signal, threads, results):
        for t in threads:
            t.join(20)
        rc = s.wait_exit(10)
        exited = time.monotonic() - t_signal
        bad = [(i, r) for i, r in enumerate(results) if not login_answer_ok(r)]
        self.assertEqual(bad, [], "requests in flight at SIGTERM not answered 200 "
                         "(a str is the client's exception):\n%s" % s.log_tail(15))
        self.assertEqual(rc, 0, "exit status after SIGTERM (None: still running):\n%s" % s.log_tail())
        self.assertLess(exited, 5.0, "exit took %.1f s after SIGTERM" % exited)
        if s.unix_path:
            self.assertFalse(os.path.exists(s.unix_path), "socket %s left behind" % s.unix_path)

    def test_requests_the_workers_are_on_are_answered(self):
        n = 3
        s = self.server("drain-busy", socket_kind="unix", workers=n)
        workers = s.workers_now()
        base = {w: socket_inodes(w) for w in workers}
        threads, sent, results = self.send_logins(s, n)

        def all_busy():
            # every request sent in full (so no worker waits for its body:
            # see the next tests) and every worker holds a new socket: it
            # has accepted one
            if not all(e.is_set() for e in sent):
                return False
            return all(socket_inodes(w) - base[w] for w in workers) or \
                any(r is not None for r in results)
        self.assertTrue(fc.wait_for(all_busy, 5.0, 0.002), "the workers did not accept within 5 s")
        s.signal(signal.SIGTERM)
        t_signal = time.monotonic()
        self.check_drained(s, t_signal, threads, results)
        self.assertIn("draining workers", s.log())

    def test_requests_waiting_in_the_socket_backlog_are_answered(self):
        # one worker on one login; three more connected and sent in full,
        # waiting to be accepted, when SIGTERM comes
        n = 4
        s = self.server("drain-backlog", socket_kind="unix", workers=1)
        w = s.workers_now()[0]
        base = socket_inodes(w)
        threads, sent, results = self.send_logins(s, n)
        ready = fc.wait_for(lambda: all(e.is_set() for e in sent) and (socket_inodes(w) - base), 5.0, 0.002)
        self.assertTrue(ready, "requests not sent / not accepted within 5 s")
        s.signal(signal.SIGTERM)
        self.check_drained(s, time.monotonic(), threads, results)

    def test_request_whose_body_is_still_arriving_is_answered(self):
        s = self.server("drain-body", socket_kind="unix", workers=1)
        w = s.workers_now()[0]
        base = socket_inodes(w)
        body = login_body(self.user)
        with fc.FcgiConn(s.addr, timeout=15) as c:
            c.begin("POST", "/api/auth/login", len(body), "application/json", None,
                    fc.fresh_source() or "127.0.0.1")
            c.send_stdin(body[:5])
            self.assertTrue(fc.wait_for(lambda: socket_inodes(w) - base, 5.0, 0.002),
                            "the worker did not accept within 5 s")
            s.signal(signal.SIGTERM)
            t_signal = time.monotonic()
            self.assertTrue(fc.wait_for(lambda: "draining workers" in s.log(), 5.0, 0.01),
                            "no 'draining workers' in the log:\n%s" % s.log_tail())
            time.sleep(0.2)     # the master has signalled the worker by now
            c.send_stdin(body[5:])
            c.end_stdin()
            r = c.read_response()
        self.check_drained(s, t_signal, [], [r])


class Test4Respawn(ServerTest):
    def test_sigkilled_worker_is_respawned_with_logged_back_off(self):
        s = self.server("respawn", socket_kind="tcp", workers=2)
        before = s.workers_settled(2)
        self.assertTrue(before, "not 2 workers: %s" % s.workers_now())
        victim = before[0]
        os.kill(victim, signal.SIGKILL)

        def replaced(gone):
            now = s.workers_now()
            new = set(now) - set(before) - {victim}
            return now if len(now) == 2 and gone not in now and new else None
        now = fc.wait_for(lambda: replaced(victim), 10.0, 0.01)
        self.assertTrue(now, "worker %d not replaced within 10 s (now %s)" % (victim, s.workers_now()))
        # the replacement (same slot) dies young: a longer back-off
        second = (set(now) - set(before)).pop()
        os.kill(second, signal.SIGKILL)
        t_kill = time.monotonic()
        before = now

        def replaced2():
            cur = s.workers_now()
            return cur if len(cur) == 2 and second not in cur and set(cur) - set(before) else None
        now = fc.wait_for(replaced2, 10.0, 0.01)
        self.assertTrue(now, "worker %d not replaced within 10 s (now %s)" % (second, s.workers_now()))
        self.assertLess(time.monotonic() - t_kill, 7.0)
        self.assertTrue(s.alive(), "the master died")

        lines = fc.wait_for(lambda: re.findall(r"worker (\d+) \(slot \d+\) killed by signal 9 "
                                               r"after [\d.]+s(?: on route \S+ for [\d.]+s)?; respawn in ([\d.]+)s", s.log()),
                           3.0, 0.05)
        got = {int(pid): float(d) for pid, d in lines}
        self.assertEqual(set(got), {victim, second}, "log lines: %s\n%s" % (lines, s.log_tail()))
        self.assertGreater(got[second], 0.0, "no back-off logged for a worker that died young")
        self.assertGreater(got[second], got[victim], "back-off did not grow: %s" % got)
        for i in range(6):
            with self.subTest(request=i):
                self.assertTrue(s.healthz_ok())
        self.assertEqual(len(s.workers_now()), 2)
        self.assert_stopped_cleanly(s)


class Test5ConfigReload(ServerTest):
    def test_config_file_overrides_environment_and_sighup_grows_the_pool(self):
        s = self.server("config", socket_kind="unix", workers=2, expect_workers=1,
                        config_text="# fcgi/test_serve.py\nFACECLOCK_WORKERS=1\n")
        first = s.workers_now()
        self.assertEqual(len(first), 1, "FACECLOCK_CONFIG's FACECLOCK_WORKERS=1 did not override the "
                         "environment's 2: workers %s" % first)
        with Load(s, threads=2) as load:
            self.assertTrue(load.wait_answers(0, 4), "the load did not start")
            s.write_config("# fcgi/test_serve.py\nFACECLOCK_WORKERS=3\n")
            s.signal(signal.SIGHUP)
            now = s.wait_all_new(first, 3)
            self.assertTrue(now, "not 3 new workers within 60 s of SIGHUP (now %s, before %s)\n%s"
                            % (s.workers_now(), first, s.log_tail()))
            t_new = time.monotonic()
            self.assertTrue(load.wait_answers(t_new, 20), "too few answers after the reload")
        self.assertEqual(load.failures(), [], "requests failed during the reload")
        self.assertIn("reloading: replacing 1 workers with 3", s.log())
        # all three answer: 12 requests in a row, fine
        for i in range(12):
            self.assertTrue(s.healthz_ok(), "request %d" % i)
        self.assert_stopped_cleanly(s)

    def test_sighup_shrinks_the_pool(self):
        s = self.server("config-shrink", socket_kind="tcp", workers=1, expect_workers=3,
                        config_text="FACECLOCK_WORKERS=3\n")
        before = s.workers_now()
        with Load(s, threads=2) as load:
            self.assertTrue(load.wait_answers(0, 4), "the load did not start")
            s.write_config("FACECLOCK_WORKERS=1\n")
            s.signal(signal.SIGHUP)
            now = s.wait_all_new(before, 1)
            self.assertTrue(now, "not 1 new worker within 60 s of SIGHUP (now %s, before %s)"
                            % (s.workers_now(), before))
            t_new = time.monotonic()
            self.assertTrue(load.wait_answers(t_new, 10), "too few answers after the reload")
        self.assertEqual(load.failures(), [], "requests failed during the reload")
        self.assertNotIn("killed by signal", s.log())
        self.assert_stopped_cleanly(s)

    def test_sighup_while_a_request_body_is_arriving(self):
        # the worker being replaced is on a request whose body is not all
        # there yet: it must finish that request, not fail it
        h = fc.Hotel("zyhup")
        h.create()
        body = login_body(h.users["staff"])
        s = self.server("config-body", socket_kind="unix", workers=1, config_text="FACECLOCK_WORKERS=1\n")
        w = s.workers_now()[0]
        base = socket_inodes(w)
        with fc.FcgiConn(s.addr, timeout=15) as c:
            c.begin("POST", "/api/auth/login", len(body), "application/json", None,
                    fc.fresh_source() or "127.0.0.1")
            c.send_stdin(body[:5])
            self.assertTrue(fc.wait_for(lambda: socket_inodes(w) - base, 5.0, 0.002),
                            "the worker did not accept within 5 s")
            s.signal(signal.SIGHUP)
            # the master tells the old worker to finish once the new one is ready
            self.assertTrue(fc.wait_for(lambda: "(slot 0) ready in" in s.log(), 30.0, 0.005),
                            "no replacement ready within 30 s of SIGHUP:\n%s" % s.log_tail())
            time.sleep(0.2)     # the old worker has been told to finish by now
            c.send_stdin(body[5:])
            c.end_stdin()
            r = c.read_response()
        self.assertTrue(login_answer_ok(r), "login on a worker retired by SIGHUP: %r\n%s" % (r, s.log_tail(8)))
        self.assertTrue(fc.wait_for(lambda: s.workers_now() and w not in s.workers_now(), 10.0, 0.02))
        self.assertTrue(s.healthz_ok())
        self.assert_stopped_cleanly(s)

    def test_sighup_retires_old_workers_only_once_the_new_are_connected(self):
        # no request reaches the server during the reload, so a new worker
        # that holds a socket more than the master (the listening one) has
        # connected to the database before the old one left
        s = self.server("config-warm", socket_kind="unix", workers=2)
        before = s.workers_now()
        s.signal(signal.SIGHUP)
        now = s.wait_all_new(before, 2)
        self.assertTrue(now, "workers not replaced within 60 s of SIGHUP (now %s, before %s)"
                        % (s.workers_now(), before))
        base = len(socket_inodes(s.pid))
        for w in now:
            self.assertGreater(len(socket_inodes(w)), base,
                               "worker %d has no database connection of its own:\n%s" % (w, s.log_tail()))
        self.assertEqual(s.log().count(") ready in "), 2, s.log_tail())
        self.assertTrue(s.healthz_ok())
        self.assert_stopped_cleanly(s)

    def test_sighup_with_an_invalid_file_keeps_the_old_configuration(self):
        s = self.server("config-bad", socket_kind="unix", workers=1, expect_workers=2,
                        config_text="FACECLOCK_WORKERS=2\n")
        before = s.workers_now()
        s.write_config("FACECLOCK_WORKERS=0\n")
        s.signal(signal.SIGHUP)
        self.assertTrue(fc.wait_for(lambda: "keeping the old one" in s.log(), 5.0, 0.02),
                        "no 'keeping the old one' in the log:\n%s" % s.log_tail())
        time.sleep(0.2)
        self.assertEqual(s.workers_now(), before, "workers changed on an invalid configuration")
        self.assertTrue(s.healthz_ok())
        # a valid file again is taken up by the next SIGHUP
        s.write_config("FACECLOCK_WORKERS=1\n")
        s.signal(signal.SIGHUP)
        now = s.wait_all_new(before, 1)
        self.assertTrue(now, "workers after a valid reload: %s" % s.workers_now())
        self.assertTrue(s.healthz_ok())
        self.assert_stopped_cleanly(s)


class Test6AuditAppendOnly(unittest.TestCase):
    """face_audit_log refuses UPDATE, DELETE and TRUNCATE even from its owner
    (FACECLOCK_MIGRATE_URL). Each statement runs inside BEGIN ... ROLLBACK,
    so even if one were let through nothing would change."""

    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("zyaudit")
        cls.h.create()
        cls.hotel = "(SELECT id FROM hotels WHERE slug = %s)" % fc.sql_str(cls.h.slug)
        sid = cls.h.plain_staff_id
        # a row made by the application: face data revoked by a PMS deactivation
        rc, _, err = fc.psql("INSERT INTO face_data (hotel_id, staff_id, descriptor_enc, consent_given) "
                             "VALUES (%s, %d, '\\x00', true)" % (cls.hotel, sid), check=False)
        if rc != 0:
            raise unittest.SkipTest("cannot seed face_data: %s" % err)
        row = [x for x in cls.h.staff if x["id"] == sid][0]
        r = fc.admin("PUT", cls.h.sync_path, json={"staff": [dict(row, is_active=False)]})
        body = fc.assert_json(r, 200)
        if body.get("face_data_revoked") != 1:
            raise AssertionError("PMS deactivation did not revoke the face data: %r" % body)
        # and one put in by the owner itself
        fc.psql("INSERT INTO face_audit_log (hotel_id, staff_id, action, reason) "
                "VALUES (%s, %d, 'REGISTERED', 'zy owner insert')" % (cls.hotel, sid))

    def snapshot(self):
        return fc.psql("SELECT string_agg(id || '|' || action || '|' || coalesce(reason, ''), ',' ORDER BY id) "
                       "FROM face_audit_log WHERE hotel_id = %s" % self.hotel)

    def test_owner_owns_the_table(self):
        owner = fc.psql("SELECT tableowner = current_user FROM pg_tables "
                        "WHERE schemaname = 'public' AND tablename = 'face_audit_log'")
        self.assertEqual(owner, "t", "FACECLOCK_MIGRATE_URL's role does not own face_audit_log")

    def test_owner_cannot_update_delete_or_truncate(self):
        before = self.snapshot()
        self.assertEqual(before.count("|"), 4, "expected 2 audit rows: %r" % before)
        self.assertIn("REVOKED", before.upper())
        stmts = {
            "UPDATE": "UPDATE face_audit_log SET reason = 'tampered' WHERE hotel_id = %s" % self.hotel,
            "DELETE": "DELETE FROM face_audit_log WHERE hotel_id = %s" % self.hotel,
            "TRUNCATE": "TRUNCATE face_audit_log",
            "TRUNCATE CASCADE": "TRUNCATE face_audit_log CASCADE",
        }
        for label, sql in stmts.items():
            with self.subTest(label):
                rc, out, err = fc.psql("BEGIN; %s; ROLLBACK;" % sql, check=False)
                self.assertNotEqual(rc, 0, "the owner could run: %s" % sql)
                self.assertIn("append-only", err, "refused, but not by the audit trigger: %s" % err)
        self.assertEqual(self.snapshot(), before)

    def test_owner_can_still_append_and_read(self):
        n = int(fc.psql("SELECT count(*) FROM face_audit_log WHERE hotel_id = %s" % self.hotel))
        rc, out, err = fc.psql("BEGIN; INSERT INTO face_audit_log (hotel_id, staff_id, action, reason) "
                               "VALUES (%s, %d, 'REGISTERED', 'zy'); ROLLBACK;"
                               % (self.hotel, self.h.plain_staff_id), check=False)
        self.assertEqual(rc, 0, err)
        self.assertEqual(int(fc.psql("SELECT count(*) FROM face_audit_log WHERE hotel_id = %s" % self.hotel)), n)


class TableLock:
    """An ACCESS EXCLUSIVE lock on a table, held by a psql session of the
    owner role (its own transaction) until the with-block ends."""

    def __init__(self, table):
        self.table = table
        self.proc = None

    def held(self):
        return fc.psql("SELECT count(*) FROM pg_locks WHERE relation = %s::regclass "
                       "AND mode = 'AccessExclusiveLock' AND granted" % fc.sql_str(self.table)) != "0"

    def __enter__(self):
        if not fc.ENV.get("FACECLOCK_MIGRATE_URL"):
            raise unittest.SkipTest("FACECLOCK_MIGRATE_URL not in %s" % fc.ENV["_ENV_FILE"])
        self.proc = subprocess.Popen(fc._psql_cmd() + [fc.ENV["FACECLOCK_MIGRATE_URL"], "-X", "-q"],
                                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, text=True, cwd="/")
        self.proc.stdin.write("BEGIN;\nLOCK TABLE %s IN ACCESS EXCLUSIVE MODE;\n" % self.table)
        self.proc.stdin.flush()
        if not fc.wait_for(self.held, 10.0, 0.02):
            self.__exit__()
            raise AssertionError("could not lock %s within 10 s" % self.table)
        return self

    def __exit__(self, *exc):
        try:
            self.proc.stdin.write("ROLLBACK;\n")
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        return False


def lock_waiters(table):
    """How many faceclock connections wait for a lock in a statement on table."""
    return int(fc.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'faceclock' "
                       "AND wait_event_type = 'Lock' AND query LIKE %s" % fc.sql_str("%" + table + "%")))


def sanitizer_build():
    """True when the server binary carries AddressSanitizer (the test build)."""
    with open(fc.ENV["FC_BIN"], "rb") as f:
        return b"AddressSanitizer" in f.read()


class Test7RequestDeadline(ServerTest):
    """FACECLOCK_REQUEST_DEADLINE=2 on a one-worker server. Logins read
    auth_failures first: a lock on it held from a test connection makes a
    login wait in PostgreSQL."""

    DEADLINE = 2

    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("zywatch")
        cls.h.create()
        cls.user = cls.h.users["staff"]

    def start(self, name):
        s = self.server(name, socket_kind="unix", workers=1,
                        settings={"FACECLOCK_REQUEST_DEADLINE": str(self.DEADLINE)})
        return s, s.workers_now()[0]

    def login_in_thread(self, s):
        """A login on its own connection in a thread; result[0] is its Resp,
        or the client's exception as a str once the connection closes."""
        result = [None]
        body = login_body(self.user)

        def go():
            try:
                with fc.FcgiConn(s.addr, timeout=60) as c:
                    c.begin("POST", "/api/auth/login", len(body), "application/json", None,
                            fc.fresh_source() or "127.0.0.1")
                    c.send_stdin(body)
                    c.end_stdin()
                    result[0] = c.read_response()
            except Exception as e:  # noqa: BLE001 - recorded
                result[0] = repr(e)
        t = threading.Thread(target=go, daemon=True)
        t.start()
        return t, result

    def replaced(self, s, old):
        return fc.wait_for(lambda: len(s.workers_now()) == 1 and old not in s.workers_now()
                           and s.workers_now(), 30.0, 0.02)

    def test_login_blocked_on_a_lock_is_answered_503_and_the_worker_goes_on(self):
        s, w = self.start("deadline-lock")
        with TableLock("auth_failures"):
            r = s.request("POST", "/api/auth/login", json={"username": self.user["username"],
                                                           "password": self.user["password"]},
                          remote_addr=fc.fresh_source() or "127.0.0.1", timeout=60)
        fc.assert_error(r, 503, "UNAVAILABLE")
        self.assertIn("route=auth.login status=503", s.log())
        self.assertIn("database timeout on POST /api/auth/login", s.log())
        # the lock is gone: the same worker logs in
        r = s.request("POST", "/api/auth/login", json={"username": self.user["username"],
                                                       "password": self.user["password"]},
                      remote_addr=fc.fresh_source() or "127.0.0.1")
        self.assertTrue(login_answer_ok(r), "login after the lock: %r\n%s" % (r, s.log_tail()))
        self.assertEqual(s.workers_now(), [w], "the worker was replaced:\n%s" % s.log_tail())
        self.assertNotIn("killing it", s.log())
        self.assert_stopped_cleanly(s)

    def test_worker_stopped_on_a_request_is_killed_and_replaced(self):
        s, w = self.start("deadline-stop")
        with TableLock("auth_failures"):
            t, result = self.login_in_thread(s)
            self.assertTrue(fc.wait_for(lambda: lock_waiters("auth_failures") > 0, 20.0, 0.01),
                            "the login never waited for the lock:\n%s" % s.log_tail())
            os.kill(w, signal.SIGSTOP)
            killed = fc.wait_for(lambda: re.search(
                r"worker %d busy on route auth\.login for [\d.]+s, past the %ds request deadline; "
                r"killing it" % (w, self.DEADLINE), s.log()), 30.0, 0.05)
            self.assertTrue(killed, "the watchdog did not kill worker %d:\n%s" % (w, s.log_tail()))
        t.join(30)
        self.assertIsInstance(result[0], str, "the killed worker answered: %r" % (result[0],))
        self.assertTrue(fc.wait_for(lambda: re.search(
            r"worker %d \(slot 0\) killed by signal 9 after [\d.]+s on route auth\.login for [\d.]+s"
            % w, s.log()), 10.0, 0.05), s.log_tail())
        now = self.replaced(s, w)
        self.assertTrue(now, "worker %d not replaced (now %s)" % (w, s.workers_now()))
        self.assertTrue(s.healthz_ok())
        self.assert_stopped_cleanly(s)

    def test_worker_crashing_on_a_request_dies_and_is_replaced(self):
        s, w = self.start("deadline-segv")
        with TableLock("auth_failures"):
            t, result = self.login_in_thread(s)
            self.assertTrue(fc.wait_for(lambda: lock_waiters("auth_failures") > 0, 20.0, 0.01),
                            "the login never waited for the lock:\n%s" % s.log_tail())
            os.kill(w, signal.SIGSEGV)
            t.join(30)
        # no answer made inside a signal handler: the connection just closes
        self.assertIsInstance(result[0], str, "the crashed worker answered: %r" % (result[0],))
        # killed by the signal, or (a sanitizer build) exited after its report
        died = fc.wait_for(lambda: re.search(
            r"worker %d \(slot 0\) (killed by signal 11|exited with status \d+) after [\d.]+s "
            r"on route auth\.login for [\d.]+s" % w, s.log()), 30.0, 0.05)
        self.assertTrue(died, "no death of worker %d on route auth.login logged:\n%s" % (w, s.log_tail()))
        if sanitizer_build():
            self.assertIn("AddressSanitizer", s.log(), "the sanitizer's SEGV report is missing")
        now = self.replaced(s, w)
        self.assertTrue(now, "worker %d not replaced (now %s)" % (w, s.workers_now()))
        self.assertTrue(s.healthz_ok())
        self.assert_stopped_cleanly(s)
class Test8AdminKeyLength(unittest.TestCase):
    """FACECLOCK_ADMIN_KEY opens every hotel: under 32 characters the binary
    refuses to start (exit 2, the reason on stderr), whatever the command;
    32 are enough, and unset means no admin key at all."""

    def run_bin(self, args, admin_key):
        if not fc.ENV.get("FC_BIN"):
            raise unittest.SkipTest("FC_BIN not in %s" % fc.ENV["_ENV_FILE"])
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "FACECLOCK_ADMIN_KEY": admin_key,
               "DATABASE_URL": fc.ENV.get("DATABASE_URL", ""), "FACECLOCK_SOCKET": "127.0.0.1:1"}
        return subprocess.run([fc.ENV["FC_BIN"]] + args, env=env, cwd=fc.REPO, capture_output=True,
                              text=True, timeout=30, stdin=subprocess.DEVNULL)

    def test_short_key_refused(self):
        for cmd in (["serve"], ["openapi"]):
            for key in ("short-key", "a" * 31):
                with self.subTest(cmd=cmd[0], length=len(key)):
                    p = self.run_bin(cmd, key)
                    self.assertEqual(p.returncode, 2, p.stderr)
                    self.assertIn("FACECLOCK_ADMIN_KEY is too short", p.stderr)
                    self.assertIn("at least 32", p.stderr)
                    self.assertNotIn(key, p.stderr)          # the key itself is not echoed

    def test_32_characters_accepted(self):
        p = self.run_bin(["openapi"], "b" * 32)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('"openapi"', p.stdout)


def cookie_attrs(resp, name="fc_token"):
    """The attribute names (lower case) of the one Set-Cookie for name."""
    mine = [v for v in resp.header_all("Set-Cookie") if v.split("=", 1)[0].strip() == name]
    if len(mine) != 1:
        raise AssertionError("expected one Set-Cookie for %s: %r" % (name, resp.header_all("Set-Cookie")))
    return {p.split("=", 1)[0].strip().lower() for p in mine[0].split(";")[1:]}


class Test9Tls(ServerTest):
    """FACECLOCK_TLS=1 (every client comes over HTTPS, through a TLS proxy
    in front of nginx): the session cookie of login and of logout is
    Secure, and every answer carries Strict-Transport-Security. Without it,
    over plain HTTP (the stack's own server, through nginx), neither — not
    even when the client claims X-Forwarded-Proto: https."""

    HSTS = "max-age=31536000"
    CLAIM = {"X-Forwarded-Proto": "https"}

    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("zytls")
        cls.user = cls.h.add_user("tls", role="hr")
        cls.h.create()

    def login_body(self):
        return {"username": self.user["username"], "password": self.user["password"]}

    def test_on_secure_cookie_and_hsts(self):
        s = self.server("tls", socket_kind="tcp", workers=1, settings={"FACECLOCK_TLS": "1"})
        r = s.request("POST", "/api/auth/login", json=self.login_body(),
                      remote_addr=fc.fresh_source() or "127.0.0.1")
        token = fc.assert_json(r, 200)["token"]
        self.assertIn("secure", cookie_attrs(r))
        self.assertEqual(r.header("Strict-Transport-Security"), self.HSTS)
        for label, resp in (("healthz", s.request("GET", "/healthz")),
                            ("404", s.request("GET", "/api/no-such-route")),
                            ("me", s.request("GET", "/api/auth/me", token=token))):
            with self.subTest(label):
                self.assertEqual(resp.header("Strict-Transport-Security"), self.HSTS, resp)
        r = s.request("POST", "/api/auth/logout", token=token)
        self.assertIn(r.status, (200, 204), r)
        self.assertIn("secure", cookie_attrs(r))
        self.assertEqual(r.header("Strict-Transport-Security"), self.HSTS)

    def test_off_neither_whatever_the_client_claims(self):
        r = fc.post("/api/auth/login", json=self.login_body(), headers=self.CLAIM, source=fc.LOGIN_SOURCE)
        token = fc.assert_json(r, 200)["token"]
        self.assertNotIn("secure", cookie_attrs(r))
        self.assertIsNone(r.header("Strict-Transport-Security"))
        for label, resp in (("healthz", fc.get("/healthz", headers=self.CLAIM)),
                            ("me", fc.get("/api/auth/me", token=token, headers=self.CLAIM))):
            with self.subTest(label):
                self.assertIsNone(resp.header("Strict-Transport-Security"), resp)
        r = fc.post("/api/auth/logout", token=token, headers=self.CLAIM)
        self.assertIn(r.status, (200, 204), r)
        self.assertNotIn("secure", cookie_attrs(r))
        self.assertIsNone(r.header("Strict-Transport-Security"))


class Test10LostConnection(ServerTest):
    """A one-worker server whose database backend is terminated between
    requests, from a test connection of the owner role (a superuser of the
    private cluster). The worker's backend is the faceclock one that
    appeared with the server."""

    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("zylost")
        cls.h.create()
        cls.user = cls.h.users["staff"]

    @staticmethod
    def backends():
        out = fc.psql("SELECT coalesce(string_agg(pid::text, ','), '') FROM pg_stat_activity "
                      "WHERE application_name = 'faceclock'")
        return {int(x) for x in out.split(",") if x}

    def tokens(self):
        return int(fc.psql("SELECT count(*) FROM auth_tokens t JOIN users u ON u.id = t.user_id "
                           "WHERE u.username = %s" % fc.sql_str(self.user["username"])))

    @staticmethod
    def db_errors(s):
        r = s.request("GET", "/metrics")
        m = re.search(rb"^faceclock_db_errors_total (\d+)$", r.body, re.M)
        if m is None:
            raise AssertionError("no faceclock_db_errors_total in /metrics: %r" % r.body[:300])
        return int(m.group(1))

    def terminate(self, s, others):
        ours = self.backends() - others
        self.assertEqual(len(ours), 1, "the worker's backend among %s (others %s)" % (ours, others))
        pid = ours.pop()
        self.assertEqual(fc.psql("SELECT pg_terminate_backend(%d)" % pid), "t")
        self.assertTrue(fc.wait_for(lambda: pid not in self.backends(), 10.0, 0.02),
                        "backend %d still there" % pid)

    def test_next_requests_are_answered_once_on_a_new_connection(self):
        others = self.backends()
        # the worker's is the server's only backend: its scheduler and notifier are off
        s = self.server("lost-conn", socket_kind="unix", workers=1,
                        settings={"FACECLOCK_SCHEDULER_INTERVAL": "0", "FACECLOCK_NOTIFY_INTERVAL": "0"})
        errors = self.db_errors(s)
        tokens = self.tokens()

        self.terminate(s, others)
        r = s.request("POST", "/api/auth/login", json={"username": self.user["username"],
                                                       "password": self.user["password"]},
                      remote_addr=fc.fresh_source() or "127.0.0.1")
        self.assertTrue(login_answer_ok(r), "login after the backend was terminated: %r\n%s"
                        % (r, s.log_tail()))
        self.assertEqual(self.tokens(), tokens + 1, "the login's token was not written exactly once")

        self.terminate(s, others)
        self.assertTrue(s.healthz_ok(), s.log_tail())

        self.assertEqual(self.db_errors(s), errors,
                         "a statement was sent on the closed connection:\n%s" % s.log_tail())
        self.assertEqual(s.log().count("the database closed this idle connection; reconnecting"), 2,
                         s.log_tail())
        self.assert_stopped_cleanly(s)
