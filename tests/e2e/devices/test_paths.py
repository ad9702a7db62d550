"""Paths of the enrollment / IoT routes: trailing slashes, 405 with Allow
for the other methods, odd path segments (long, percent-escaped, unicode)
answered as JSON 4xx, never 500 or HTML."""

import urllib.parse

import fc
from devices.iot import IotCase, IotHotel, q


class Paths(IotCase):
    @classmethod
    def setUpClass(cls):
        h = cls.h = IotHotel("paths").make()
        cls.dev = h.device("path-cam")
        h.enroll(h.people[0])

    def test_trailing_slashes(self):
        h = self.h
        code = h.code(h.people[0])
        admin = {"token": h.login("admin")}
        cases = [
            ("GET", "/api/enrollment/%s/" % code, None, admin, 200),
            ("GET", "/api/iot/devices/", None, admin, 200),
            ("POST", "/api/iot/devices/path-cam/heartbeat/", {}, {"api_key": self.dev.key}, 200),
            ("GET", q("/api/iot/enrollments/sync/", device_id="path-cam", since_version=0), None,
             {"api_key": self.dev.key}, 200),
            ("GET", "/api/iot/events/", None, admin, 200),
            ("POST", "/api/iot/enrollments/push/", {"employee_id": code, "push_mode": "all"}, admin, 200),
            ("POST", "/api/iot/devices/path-cam/provisioning-token/", {}, admin, 201),
        ]
        for method, path, body, cred, status in cases:
            with self.subTest(path=path):
                fc.assert_json(fc.request(method, path, json=body, **cred), status)

    def test_other_methods(self):
        h = self.h
        admin = {"token": h.login("admin")}
        cases = [
            ("GET", "/api/enrollment/capture/x"), ("PUT", "/api/enrollment/capture"),
            ("DELETE", "/api/enrollment/E1"), ("POST", "/api/enrollment/E1"),
            ("PUT", "/api/iot/devices"), ("PATCH", "/api/iot/devices/path-cam"),
            ("GET", "/api/iot/devices/path-cam/heartbeat"), ("GET", "/api/iot/devices/provision/x"),
            ("POST", "/api/iot/enrollments/sync"), ("GET", "/api/iot/enrollments/push"),
            ("DELETE", "/api/iot/events"), ("GET", "/api/iot/devices/path-cam/provisioning-token"),
        ]
        for method, path in cases:
            with self.subTest(method=method, path=path):
                r = fc.request(method, path, json={} if method in ("POST", "PUT", "PATCH") else None, **admin)
                self.assertIn(r.status, (404, 405), r)
                body = fc.assert_error(r, r.status, "METHOD_NOT_ALLOWED" if r.status == 405 else "NOT_FOUND")
                if r.status == 405:
                    self.assertTrue(r.header("Allow"), "405 without Allow")
        # the ones that are certainly 405
        for method, path in (("PUT", "/api/enrollment/capture"), ("PUT", "/api/iot/devices"),
                             ("GET", "/api/iot/devices/path-cam/heartbeat"), ("POST", "/api/iot/enrollments/sync"),
                             ("DELETE", "/api/iot/events")):
            with self.subTest(sure=path):
                fc.assert_error(fc.request(method, path, **admin), 405, "METHOD_NOT_ALLOWED")

    def test_odd_segments(self):
        h = self.h
        admin = {"token": h.login("admin")}
        odd = ["x" * 300, "%E2%9C%93", "%C3%28", "a%2Fb", "..", "%20", "E%27%3B--", "%FF%FE"]
        for seg in odd:
            with self.subTest(segment=seg):
                for method, path, body, cred in (
                        ("GET", "/api/enrollment/" + seg, None, admin),
                        ("DELETE", "/api/iot/devices/" + seg, None, admin),
                        ("POST", "/api/iot/devices/%s/provisioning-token" % seg, {}, admin),
                        ("POST", "/api/iot/devices/%s/heartbeat" % seg, {}, {"api_key": self.dev.key})):
                    r = fc.request(method, path, json=body, **cred)
                    self.assertIn(r.status, (400, 404), (method, path, r))
                    fc.assert_error(r, r.status, "VALIDATION_ERROR" if r.status == 400 else "NOT_FOUND")
        for seg in ("x" * 300, "%E2%9C%93", "%C3%28", "%00"):
            with self.subTest(query=seg):
                r = fc.get("/api/iot/enrollments/sync?device_id=%s&since_version=0" % seg, api_key=self.dev.key)
                self.assertIn(r.status, (400, 404), r)
                r = fc.get("/api/iot/events?device_id=%s" % seg, **admin)
                self.assertIn(r.status, (200, 400), r)
                fc.assert_json(r, r.status)
                r = fc.get("/api/iot/devices?location_label=%s" % seg, **admin)
                self.assertIn(r.status, (200, 400), r)
                fc.assert_json(r, r.status)
