"""Device certificates for the e2e tests (docs/iot.md "Certificates"; no
tests here): keys and certificate requests made with the openssl CLI (as
a camera would make them), requests over the stack's mTLS port
(TLS_URL of the stack's env) with or without a client certificate, and
the nginx reload that makes it read the CRL again.

- csr(cn, key="ec"|"ec384"|"rsa1024"|"rsa2048"): (pem, key_path) of a new
  key and its request with subject CN=cn;
- DeviceCert: a certificate and its key on disk, for mtls(..., cert=);
- mtls(method, path, json=, cert=, api_key=): one request to the mTLS
  port, a fc.Resp;
- openssl(*args): run openssl, its stdout;
- reload_nginx(): SIGHUP to the stack's nginx master.
"""

import http.client
import json as jsonlib
import os
import signal
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.parse

import fc

_DIR = tempfile.mkdtemp(prefix="fc-pki-")
_n = [0]
NEWKEY = {"ec": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
          "ec384": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
          "rsa1024": ["-newkey", "rsa:1024"],
          "rsa2048": ["-newkey", "rsa:2048"]}


def tls_url():
    url = fc.ENV.get("TLS_URL", "")
    if not url:
        raise unittest.SkipTest("the stack has no mTLS port (TLS_PORT=0)")
    return url


def _path(suffix):
    _n[0] += 1
    return os.path.join(_DIR, "%d.%s" % (_n[0], suffix))


def openssl(*args, input=None):
    p = subprocess.run(["openssl"] + list(args), input=input, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("openssl %s: %s" % (" ".join(args), p.stderr.decode(errors="replace")))
    return p.stdout.decode()


def csr(cn, key="ec", extra=()):
    """(PEM of a certificate request with subject CN=cn, its key's path)."""
    key_path, csr_path = _path("key"), _path("csr")
    openssl("req", "-new", *NEWKEY[key], "-nodes", "-keyout", key_path, "-subj", "/CN=" + cn,
            *extra, "-out", csr_path)
    with open(csr_path) as f:
        return f.read(), key_path


class DeviceCert:
    """A device's certificate (PEM from the answer) and its key's path."""

    def __init__(self, pem, key_path):
        self.pem = pem
        self.key_path = key_path
        self.path = _path("crt")
        with open(self.path, "w") as f:
            f.write(pem)

    def field(self, *args):
        return openssl("x509", "-in", self.path, "-noout", *args)

    @property
    def serial(self):
        return self.field("-serial").strip().split("=", 1)[1].lower()


def mtls(method, path, json=None, cert=None, api_key=None, timeout=fc.TIMEOUT):
    """One request to the mTLS port: the server certificate checked against
    the stack's own (TLS_SERVER_CERT), cert= a DeviceCert to present."""
    url = urllib.parse.urlsplit(tls_url())
    ctx = ssl.create_default_context(cafile=fc.ENV["TLS_SERVER_CERT"])
    if cert is not None:
        ctx.load_cert_chain(cert.path, cert.key_path)
    hdrs = {"Accept": "application/json"}
    body = None
    if json is not None:
        body = jsonlib.dumps(json).encode()
        hdrs["Content-Type"] = "application/json"
    if api_key is not None:
        hdrs["X-API-Key"] = api_key
    conn = http.client.HTTPSConnection(url.hostname, url.port, context=ctx, timeout=timeout)
    t0 = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        if body is not None:
            fc.record_body(method, path, body, r.status)
        return fc.Resp(r.status, r.reason, r.headers, data, time.monotonic() - t0)
    finally:
        conn.close()


def reload_nginx():
    """SIGHUP to the stack's nginx master: it reads its configuration, the
    CA and the CRL again (new workers; the old ones finish)."""
    with open(os.path.join(fc.ENV["FC_VAR"], "pids", "nginx.pid")) as f:
        os.kill(int(f.read().split()[0]), signal.SIGHUP)
