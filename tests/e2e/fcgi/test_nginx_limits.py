"""nginx's per-address limit on /api/ (nginx/faceclock.conf.in), on a
private nginx this file starts in front of the stack's FastCGI socket with a
strict API_RATE (the stack's own nginx has a generous one, since every test
comes from 127.0.0.1): a burst of wrong kiosk keys, of requests without a
credential or of guesses at the admin key gets 429 RATE_LIMITED as JSON,
while a good key of another kiosk and a session still get through."""

import os
import re
import shutil
import socket
import subprocess
import time
import unittest

import fc
from fcgi.server import free_tcp_port

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
NCHAN_MODULE = "/usr/lib/nginx/modules/ngx_nchan_module.so"
API_BURST = 3                   # then nothing more for a minute (1r/m)
START_S = 10.0


class PrivateNginx:
    """nginx/nginx.conf.in and faceclock.conf.in rendered into a directory
    of its own under $FC_VAR/zy/, on a free port, in front of the stack's
    FastCGI socket; run in the foreground, stopped by its PID."""

    def __init__(self, api_rate, api_burst):
        if not fc.ENV.get("FC_SOCKET") or not os.access(NGINX, os.X_OK):
            raise unittest.SkipTest("no FC_SOCKET in %s or no %s" % (fc.ENV["_ENV_FILE"], NGINX))
        self.port = free_tcp_port()
        self.var = os.path.join(fc.ENV["FC_VAR"], "zy", "nginx-%d-%d" % (os.getpid(), self.port))
        for d in ("nginx/tmp", "nginx/extra", "log", "pids"):
            os.makedirs(os.path.join(self.var, d), exist_ok=True)
        sock = fc.ENV["FC_SOCKET"]
        subs = {"LISTEN": "127.0.0.1:%d" % self.port, "PORT": str(self.port),
                "UPSTREAM": "unix:" + sock if sock.startswith("/") else sock,
                "STATIC_ROOT": os.path.join(fc.REPO, "static"),
                "LOGIN_RATE": "1000r/s", "LOGIN_BURST": "1000",
                "API_RATE": api_rate, "API_BURST": str(api_burst), "REQUEST_DEADLINE": "30",
                "USER_LINE": "user root;" if os.geteuid() == 0 else "", "WORKERS": "1",
                "VAR": self.var, "REQUEST_DEADLINE": "30",
                "SELF": "127.0.0.1:%d" % self.port, "NCHAN_PUB": os.path.join(self.var, "nchan.sock"),
                "LOAD_MODULES": "load_module %s;" % NCHAN_MODULE if os.path.exists(NCHAN_MODULE) else "",
                # the mTLS port's: named in the header only once its lines are left out
                "TLS_LISTEN": "", "TLS_CERT": "", "TLS_KEY": "", "CA_CERT": "", "CA_CRL": ""}
        for name, dest in (("faceclock.conf.in", "nginx/faceclock.conf"), ("nginx.conf.in", "nginx/nginx.conf")):
            with open(os.path.join(fc.REPO, "nginx", name)) as f:
                # no mTLS port here (as scripts/stack.sh renders it with TLS_PORT=0)
                text = re.sub(r"(?ms)^[ \t]*#tls\{.*?#tls\}[^\n]*\n", "", f.read())
                text = re.sub(r"@([A-Z_]+)@", lambda m: subs[m.group(1)], text)
            if not os.path.exists(NCHAN_MODULE):        # as scripts/stack.sh renders it
                text = re.sub(r"(?ms)^[ \t]*#nchan\{.*?#nchan\}[^\n]*\n", "", text)
            with open(os.path.join(self.var, dest), "w") as f:
                f.write(text)
        self.base = "http://127.0.0.1:%d" % self.port
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([NGINX, "-g", "daemon off;", "-p", self.var + "/nginx/",
                                      "-c", self.var + "/nginx/nginx.conf",
                                      "-e", self.var + "/log/nginx-error.log"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, start_new_session=True)
        end = time.monotonic() + START_S
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError("nginx exited: %s" % self.proc.stderr.read().decode())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("nginx did not listen on %d within %.0f s" % (self.port, START_S))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()                   # by PID: SIGTERM, fast shutdown
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc is not None:
            self.proc.stderr.close()
        shutil.rmtree(self.var, ignore_errors=True)


class ApiLimit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("ratelim")
        cls.h.create()
        cls.nginx = PrivateNginx("1r/m", API_BURST).start()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    def get(self, path, source, **kw):
        return fc.get(path, base=self.nginx.base, source=source, **kw)

    def source(self):
        src = fc.fresh_source()
        if src is None:
            raise unittest.SkipTest("cannot bind a fresh loopback address")
        return src

    def assert_limited(self, r):
        fc.assert_error(r, 429, "RATE_LIMITED")
        self.assertEqual(r.content_type, "application/json")
        self.assertIsNotNone(r.header("Retry-After"))

    def burst(self, path, source, n=API_BURST + 3, **kw):
        return [self.get(path, source, **kw) for _ in range(n)]

    def test_wrong_keys_limited_good_key_of_another_kiosk_passes(self):
        src = self.source()
        target, other = self.h.new_kiosk("Attacked"), self.h.new_kiosk("Neighbour")
        got = [r.status for r in (self.get("/api/auth/me", src, api_key="kio_%d_%s" % (target["id"], os.urandom(32).hex()))
                                  for _ in range(API_BURST + 3))]
        self.assertEqual(got[:API_BURST + 1], [401] * (API_BURST + 1), got)
        self.assertEqual(set(got[API_BURST + 1:]), {429}, got)
        self.assert_limited(self.get("/api/auth/me", src, api_key="kio_%d_%s" % (target["id"], os.urandom(32).hex())))
        # the other kiosk behind the same address, and a signed-in user
        self.assertEqual(fc.assert_json(self.get("/api/auth/me", src, api_key=other["api_key"]), 200)["kiosk_id"],
                         other["id"])
        fc.assert_json(self.get("/api/auth/me", src, token=self.h.login("manager")), 200)
        # another address is not held back by this one's flood
        fc.assert_json(self.get("/api/auth/me", self.source(), api_key=target["api_key"]), 200)

    def test_requests_without_credentials_limited(self):
        src = self.source()
        got = [r.status for r in self.burst("/api/auth/me", src)]
        self.assertEqual(got[:API_BURST + 1], [401] * (API_BURST + 1), got)
        self.assert_limited(self.get("/api/auth/me", src))
        self.assert_limited(self.get("/api/openapi.json", src))
        fc.assert_json(self.get("/api/auth/me", src, token=self.h.login("manager")), 200)

    def test_admin_key_guesses_limited(self):
        src, path = self.source(), self.h.path("kiosks/")
        got = [r.status for r in self.burst(path, src, api_key=os.urandom(32).hex())]
        self.assertEqual(got[:API_BURST + 1], [401] * (API_BURST + 1), got)
        self.assertEqual(set(got[API_BURST + 1:]), {429}, got)
        # guesses and the key itself look alike to nginx: the key waits too
        self.assert_limited(self.get(path, src, api_key=fc.ADMIN_KEY))
        fc.assert_json(self.get(path, self.source(), api_key=fc.ADMIN_KEY), 200)
