"""Device certificates (issue 14, docs/iot.md "Certificates"): provisioning
with a certificate request (the certificate chains to the deployment's CA,
subject CN=device_id O=hotel slug, client auth, recorded by serial); bad
requests (another subject, RSA 1024, garbage, over 8 KiB, CA:true) are
400 INVALID_CSR and leave the token usable; the hotel's device_auth
(key: the certificate is not accepted; key_or_cert; cert: the key alone
is refused) over the mTLS port; deactivation refuses the certificate at
once (faceclock's own check) and, after an nginx reload, in nginx
itself (the CRL); renewal (a new certificate, the old one still valid)."""

import time

import fc
from devices import pki
from devices.iot import IotCase, IotHotel, provision, q


def sync_path(dev):
    return q("/api/iot/enrollments/sync", device_id=dev.device_id, since_version=0)


class Certs(IotCase):
    @classmethod
    def setUpClass(cls):
        pki.tls_url()
        cls.h = IotHotel("crt").make()

    def provisioned(self, device_id, key="ec"):
        """A new device of the hotel provisioned with a request: (answer,
        DeviceCert)."""
        created = fc.assert_json(self.h.create_device(device_id), 201)
        pem, key_path = pki.csr(device_id, key)
        r = fc.post("/api/iot/devices/provision", json={
            "device_id": device_id, "provisioning_token": created["provisioning_token"], "csr": pem})
        body = fc.assert_json(r, 200)
        return body, pki.DeviceCert(body["certificate"], key_path)

    def set_auth(self, mode):
        self.h.settings(device_auth=mode)

    def test_provision_with_csr(self):
        t0 = time.time()
        body, cert = self.provisioned("crt-ok")
        self.assertRegex(body["api_key"], r"^dev_[0-9]+_[0-9a-f]{64}$")
        self.assertEqual(body["device_id"], "crt-ok")
        ca = pki.DeviceCert(body["ca_certificate"], None)
        # the certificate chains to the CA the stack's nginx trusts
        with open(fc.ENV["FC_STATE"] + "/ca/cert.pem") as f:
            self.assertEqual(f.read(), body["ca_certificate"])
        self.assertIn("OK", pki.openssl("verify", "-CAfile", ca.path, "-purpose", "sslclient", cert.path))
        subject = cert.field("-subject", "-nameopt", "RFC2253")
        self.assertIn("CN=crt-ok", subject)
        self.assertIn("O=%s" % self.h.slug, subject)
        text = cert.field("-text")
        self.assertIn("TLS Web Client Authentication", text)
        self.assertIn("CA:FALSE", text)
        exp = fc.parse_ts(body["expires_at"])
        self.assertTrue(t0 + 29 * 86400 <= exp <= t0 + 31 * 86400, body["expires_at"])
        # recorded by serial: 128 bits
        self.assertEqual(body["certificate_serial"], cert.serial)
        self.assertEqual(len(cert.serial), 32)
        row = fc.psql("SELECT c.fingerprint, c.revoked_at IS NULL FROM device_certificates c JOIN devices d "
                      "ON d.id = c.device_pk WHERE c.serial = '%s' AND d.device_id = 'crt-ok'" % cert.serial)
        fp = pki.openssl("x509", "-in", cert.path, "-noout", "-fingerprint", "-sha256")
        self.assertEqual(row.strip(), "%s|t" % fp.split("=", 1)[1].strip().replace(":", "").lower())
        # audited with the key's provisioning
        self.assertEqual(fc.psql(
            "SELECT a.new_value->>'certificate_serial' FROM action_audit_log a JOIN hotels h ON h.id = a.hotel_id "
            "WHERE h.slug = '%s' AND a.action = 'device.provisioned' AND a.target = 'device:crt-ok'"
            % self.h.slug).strip(), cert.serial)
        # the CA's key never leaves the state directory
        self.assertNotIn("PRIVATE", r"%r" % body)

    def test_provision_without_csr_unchanged(self):
        created = fc.assert_json(self.h.create_device("crt-plain"), 201)
        body = fc.assert_json(provision("crt-plain", created["provisioning_token"]), 200)
        self.assertEqual(set(body), {"device_id", "api_key"})

    def test_bad_requests_keep_the_token(self):
        created = fc.assert_json(self.h.create_device("crt-bad"), 201)
        token = created["provisioning_token"]
        other, _ = pki.csr("crt-other")
        weak, _ = pki.csr("crt-bad", "rsa1024")
        as_ca, _ = pki.csr("crt-bad", extra=("-addext", "basicConstraints=critical,CA:TRUE"))
        good, _ = pki.csr("crt-bad")
        cases = {
            "another subject": other,
            "RSA 1024": weak,
            "CA:true": as_ca,
            "garbage": "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgcmVxdWVzdA==\n-----END CERTIFICATE REQUEST-----\n",
            "not PEM": "hello camera",
            "over 8 KiB": good.replace("-----END", "\n" + "A" * 9000 + "\n-----END"),
            "a number": 7,
        }
        for name, text in cases.items():
            with self.subTest(name):
                r = fc.post("/api/iot/devices/provision",
                            json={"device_id": "crt-bad", "provisioning_token": token, "csr": text})
                fc.assert_error(r, 400, "INVALID_CSR")
                if name != "a number":
                    self.assertIn("certificate request", r.json["message"])
        self.assertEqual(fc.psql("SELECT count(*) FROM device_certificates c JOIN devices d ON d.id = c.device_pk "
                                 "WHERE d.device_id = 'crt-bad'").strip(), "0")
        # nothing was used up: the token still provisions, with a good request
        r = fc.post("/api/iot/devices/provision",
                    json={"device_id": "crt-bad", "provisioning_token": token, "csr": good})
        self.assertIn("certificate", fc.assert_json(r, 200))

    def test_device_auth_modes(self):
        body, cert = self.provisioned("crt-modes")
        dev_key = body["api_key"]
        dev = type("D", (), {"device_id": "crt-modes"})
        try:
            # key (the default): the certificate is not a credential
            fc.assert_error(pki.mtls("GET", sync_path(dev), cert=cert), 401, "UNAUTHENTICATED")
            fc.assert_json(pki.mtls("GET", sync_path(dev), api_key=dev_key), 200)
            fc.assert_json(fc.get(sync_path(dev), api_key=dev_key), 200)
            # both: the certificate is not accepted, the key beside it is
            fc.assert_json(pki.mtls("GET", sync_path(dev), cert=cert, api_key=dev_key), 200)
            fc.assert_error(pki.mtls("GET", sync_path(dev), cert=cert, api_key=dev_key + "0"), 401,
                            "UNAUTHENTICATED")
            # key_or_cert: either
            self.set_auth("key_or_cert")
            fc.assert_json(pki.mtls("GET", sync_path(dev), cert=cert), 200)
            fc.assert_json(pki.mtls("POST", "/api/iot/devices/crt-modes/heartbeat", json={}, cert=cert), 200)
            fc.assert_json(fc.get(sync_path(dev), api_key=dev_key), 200)
            # the certificate speaks for its own device only
            fc.assert_error(pki.mtls("POST", "/api/iot/devices/crt-ok/heartbeat", json={}, cert=cert), 404,
                            "NOT_FOUND")
            # cert: the key alone is refused, over either port
            self.set_auth("cert")
            fc.assert_error(fc.get(sync_path(dev), api_key=dev_key), 401, "UNAUTHENTICATED")
            fc.assert_error(pki.mtls("GET", sync_path(dev), api_key=dev_key), 401, "UNAUTHENTICATED")
            fc.assert_json(pki.mtls("GET", sync_path(dev), cert=cert), 200)
            fc.assert_json(pki.mtls("GET", sync_path(dev), cert=cert, api_key=dev_key), 200)
            # the change is audited
            self.assertIn("device_auth", fc.psql(
                "SELECT string_agg(coalesce(new_value::text, ''), ' ') FROM action_audit_log a JOIN hotels h "
                "ON h.id = a.hotel_id WHERE h.slug = '%s' AND a.action = 'settings.changed'" % self.h.slug))
        finally:
            self.set_auth("key")

    def test_renewal(self):
        body, cert = self.provisioned("crt-renew")
        self.set_auth("key_or_cert")
        try:
            pem, key_path = pki.csr("crt-renew", "ec384")
            r = pki.mtls("POST", "/api/iot/devices/crt-renew/certificate", json={"csr": pem}, cert=cert)
            new = fc.assert_json(r, 201)
            self.assertEqual(new["device_id"], "crt-renew")
            cert2 = pki.DeviceCert(new["certificate"], key_path)
            self.assertNotEqual(cert2.serial, cert.serial)
            # both work until the old one expires
            dev = type("D", (), {"device_id": "crt-renew"})
            fc.assert_json(pki.mtls("GET", sync_path(dev), cert=cert2), 200)
            fc.assert_json(pki.mtls("GET", sync_path(dev), cert=cert), 200)
            # by key as well; a bad request or another device's id is refused
            pem3, _ = pki.csr("crt-renew", "rsa2048")
            fc.assert_json(fc.post("/api/iot/devices/crt-renew/certificate", json={"csr": pem3},
                                   api_key=body["api_key"]), 201)
            wrong, _ = pki.csr("crt-ok")
            fc.assert_error(fc.post("/api/iot/devices/crt-renew/certificate", json={"csr": wrong},
                                    api_key=body["api_key"]), 400, "INVALID_CSR")
            fc.assert_error(fc.post("/api/iot/devices/crt-renew/certificate", json={},
                                    api_key=body["api_key"]), 400, "INVALID_CSR")
            fc.assert_error(fc.post("/api/iot/devices/crt-ok/certificate", json={"csr": wrong},
                                    api_key=body["api_key"]), 404, "NOT_FOUND")
            self.assertEqual(fc.psql(
                "SELECT count(*) FROM action_audit_log a JOIN hotels h ON h.id = a.hotel_id WHERE h.slug = '%s' "
                "AND a.action = 'device.certificate_issued' AND a.target = 'device:crt-renew'" % self.h.slug).strip(),
                "2")
        finally:
            self.set_auth("key")

    def test_deactivation_revokes(self):
        body, cert = self.provisioned("crt-gone")
        self.set_auth("key_or_cert")
        dev = type("D", (), {"device_id": "crt-gone"})
        try:
            fc.assert_json(pki.mtls("GET", sync_path(dev), cert=cert), 200)
            fc.assert_json(fc.delete("/api/iot/devices/crt-gone", token=self.h.login("admin")), 200)
            self.assertEqual(fc.psql("SELECT revoked_at IS NOT NULL FROM device_certificates WHERE serial = '%s'"
                                     % cert.serial).strip(), "t")
            # refused at once by faceclock (nginx has not read the CRL yet)
            fc.assert_error(pki.mtls("GET", sync_path(dev), cert=cert), 401, "UNAUTHENTICATED")
            # the CRL lists it
            crl = pki.openssl("crl", "-in", fc.ENV["FC_STATE"] + "/crl.pem", "-noout", "-text")
            self.assertIn(cert.serial.upper(), crl.replace(":", "").upper())
            # after a reload nginx itself refuses it (403 before the app)
            pki.reload_nginx()
            r = None
            for _ in range(100):                      # new workers take over within moments
                r = pki.mtls("GET", sync_path(dev), cert=cert)
                if r.status == 403:
                    break
                time.sleep(0.1)
            fc.assert_error(r, 403, "FORBIDDEN")
            self.assertIn("certificate", r.json["message"])
            # another device's certificate is still accepted by nginx
            _, other = self.provisioned("crt-stays")
            fc.assert_json(pki.mtls("GET", sync_path(type("D", (), {"device_id": "crt-stays"})), cert=other), 200)
        finally:
            self.set_auth("key")


if __name__ == "__main__":
    import unittest
    unittest.main()
