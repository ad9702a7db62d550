"""Notifications (issue 13; docs/api.md "Notifications"): a hotel's
webhook and email endpoints and the delivery log, delivered by the
notifier service from the transactional outbox of sql/017.

- configuration: create (a webhook's secret shown once, never listed),
  list, PATCH, DELETE, each audited; bad input is a 400 naming the field
  (an ftp:// URL, a user name in the URL, a port out of range, an unknown
  event pattern, a bad email address, fields of the other kind), and a
  loopback or link-local URL is refused by a server without
  FACECLOCK_NOTIFY_ALLOW_PRIVATE (the stack sets it, so that these tests
  can use a receiver on 127.0.0.1);
- a local HTTP receiver gets the webhook of an alert with the event's id
  and a valid signature (verified here as docs/operations.md tells a
  receiver to), and the "send a test" delivery; a rolled-back change and
  an event the endpoint does not want queue nothing, once the notifier's
  fan-out (sql/029_event_cursor.sql) is past them;
- email: with the SMTP relay not answering the delivery is `failed` with
  its last_error in the log (and counted in /metrics), never a 5xx; once
  the sink (aiosmtpd) is up the mail arrives;
- a receiver down (503) for a real minute still gets every webhook
  afterwards, once per event id (repeats only with the same id).

The stack's settings (scripts/test.sh): due retries every second, the
back-off at 1 %, mail to smtp://127.0.0.1:TEST_PORT+1000."""

import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time
import unittest
import urllib.parse

import fc
from fcgi import server

WAIT = 30.0
ENDPOINTS = "notifications/endpoints/"
DELIVERIES = "notifications/deliveries/"
ENDPOINT_FIELDS = {"id", "kind", "url", "address", "role", "events", "enabled", "description", "created_at",
                   "updated_at"}
DELIVERY_FIELDS = {"id", "event_id", "endpoint_id", "event_type", "status", "attempts", "next_attempt_at",
                   "last_status", "last_error", "created_at", "sent_at"}


class Receiver:
    """A webhook receiver on 127.0.0.1: records every request (headers,
    body) while up (answers 200), answers 503 while down."""

    def __init__(self):
        outer = self
        self.got = []
        self.refused = 0
        self.up = True
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                with outer.lock:
                    up = outer.up
                    if up:
                        outer.got.append((dict(self.headers.items()), body))
                    else:
                        outer.refused += 1
                self.send_response(200 if up else 503)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def of_event(self, event_id):
        with self.lock:
            return [(h, b) for h, b in self.got if h.get("X-Faceclock-Event-Id") == str(event_id)]

    def ids(self):
        with self.lock:
            return [int(h["X-Faceclock-Event-Id"]) for h, b in self.got]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class SmtpSink:
    """aiosmtpd on the stack's FACECLOCK_SMTP_URL port, recording mails."""

    def __init__(self, port):
        try:
            from aiosmtpd.controller import Controller
        except ImportError:
            # Debian's python3-aiosmtpd (scripts/deps.sh) for an interpreter
            # that is not Debian's own (pyenv)
            sys.path.append("/usr/lib/python3/dist-packages")
            from aiosmtpd.controller import Controller
        outer = self
        self.mails = []

        class Handler:
            async def handle_DATA(self, srv, session, envelope):
                outer.mails.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.controller.start()

    def close(self):
        self.controller.stop()


def smtp_port():
    url = os.environ.get("FACECLOCK_SMTP_URL", "")
    if not url.startswith("smtp://127.0.0.1:"):
        raise unittest.SkipTest("FACECLOCK_SMTP_URL is not the test stack's sink (scripts/test.sh)")
    return urllib.parse.urlsplit(url).port


def hotel_id(h):
    return int(fc.psql("SELECT id FROM hotels WHERE slug = %s" % fc.sql_str(h.slug)))


def raise_alert(h, subject):
    """A committed alert.raised event of the hotel: its event id."""
    hid = hotel_id(h)
    alert = int(fc.psql("INSERT INTO alerts (hotel_id, rule, subject) VALUES (%d, 'face_revoked', %s) "
                        "RETURNING id" % (hid, fc.sql_str(subject))).split()[0])
    return int(fc.psql("SELECT id FROM events WHERE hotel_id = %d AND type = 'alert.raised' "
                       "AND (data->>'alert_id')::bigint = %d" % (hid, alert)))


def fanned_out(event_id):
    """The notifier's saved cursor (sql/029_event_cursor.sql) is past the
    event: its deliveries, if it has any, are queued."""
    return fc.psql("SELECT pg_visible_in_snapshot(xid, (SELECT snap FROM event_cursors WHERE name = 'notifier')) "
                   "FROM events WHERE id = %d" % event_id) == "t"


class NotifyCase(unittest.TestCase):
    h = None

    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("ntf")
        cls.h.create()

    def create(self, body, role="manager", status=201):
        r = fc.post(self.h.path(ENDPOINTS), json=body, token=self.h.login(role))
        if status != 201:
            return r
        ep = fc.assert_json(r, 201)
        return ep

    def deliveries(self, **filters):
        q = "&".join("%s=%s" % kv for kv in filters.items())
        rows = fc.assert_json(fc.get(self.h.path(DELIVERIES + ("?" + q if q else "")),
                                     token=self.h.login("hr")), 200)
        for d in rows:
            self.assertEqual(set(d), DELIVERY_FIELDS, d)
        return rows

    def delivery(self, endpoint_id, event_id):
        rows = [d for d in self.deliveries(endpoint_id=endpoint_id, limit=1000) if d["event_id"] == event_id]
        return rows[0] if rows else None

    def actions(self, action, target):
        return fc.assert_json(fc.admin("GET", self.h.path("action-audit-logs/?action=%s&target=%s"
                                                          % (action, target))), 200)

    def metric(self, kind, result):
        text = fc.get("/metrics").text
        self.assertIn("# TYPE faceclock_notification_deliveries_total counter\n", text)
        line = 'faceclock_notification_deliveries_total{kind="%s",result="%s"} ' % (kind, result)
        for ln in text.splitlines():
            if ln.startswith(line):
                return int(ln[len(line):])
        return 0


class Config(NotifyCase):
    def test_create_list_change_delete_audited(self):
        h = self.h
        hook = self.create({"kind": "webhook", "url": "https://hooks.example.com/fc", "events": ["alert.*"],
                            "description": "ops"})
        self.assertEqual(set(hook), ENDPOINT_FIELDS | {"secret"})
        self.assertRegex(hook["secret"], r"^whsec_[0-9a-f]{64}$")
        self.assertEqual((hook["kind"], hook["events"], hook["enabled"]), ("webhook", ["alert.*"], True))
        mail = self.create({"kind": "email", "address": "night@hotel.example", "role": "manager",
                            "events": ["clock.unrostered", "alert.raised"]})
        self.assertEqual((mail["address"], mail["role"], mail["url"]), ("night@hotel.example", "manager", None))
        self.assertNotIn("secret", mail)
        # the secret is stored sealed, and never shown again
        stored = fc.psql("SELECT encode(secret_enc, 'hex') FROM notification_endpoints WHERE id = %d" % hook["id"])
        self.assertNotIn(hook["secret"].encode().hex(), stored)
        listed = fc.assert_json(fc.get(h.path(ENDPOINTS), token=h.login("hr")), 200)
        ids = [e["id"] for e in listed]
        self.assertEqual(ids, sorted(ids))          # oldest first
        self.assertLess(ids.index(hook["id"]), ids.index(mail["id"]))
        for e in listed:
            self.assertEqual(set(e), ENDPOINT_FIELDS)
        created = self.actions("notification_endpoint.created", "notification_endpoint:%d" % hook["id"])
        self.assertEqual(len(created), 1)
        self.assertNotIn(hook["secret"], json.dumps(created))

        r = fc.patch(h.path(ENDPOINTS + "%d/" % hook["id"]), json={"events": ["clock.*", "device.status"],
                                                                     "enabled": False}, token=h.login("admin"))
        changed = fc.assert_json(r, 200)
        self.assertEqual((changed["events"], changed["enabled"], changed["url"]),
                         (["clock.*", "device.status"], False, "https://hooks.example.com/fc"))
        audit = self.actions("notification_endpoint.changed", "notification_endpoint:%d" % hook["id"])
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit[0]["old_value"], {"events": ["alert.*"], "enabled": True})
        self.assertEqual(audit[0]["new_value"], {"events": ["clock.*", "device.status"], "enabled": False})

        self.assertEqual(fc.delete(h.path(ENDPOINTS + "%d/" % hook["id"]), token=h.login("manager")).status, 200)
        self.assertEqual(len(self.actions("notification_endpoint.deleted", "notification_endpoint:%d" % hook["id"])), 1)
        fc.assert_error(fc.delete(h.path(ENDPOINTS + "%d/" % hook["id"]), token=h.login("manager")), 404, "NOT_FOUND")
        fc.assert_error(fc.patch(h.path(ENDPOINTS + "%d/" % hook["id"]), json={"enabled": True},
                                 token=h.login("manager")), 404, "NOT_FOUND")
        fc.assert_error(fc.post(h.path(ENDPOINTS + "%d/test/" % hook["id"]), token=h.login("manager")),
                        404, "NOT_FOUND")
        # hr reads, does not change
        fc.assert_error(fc.patch(h.path(ENDPOINTS + "%d/" % mail["id"]), json={"enabled": False},
                                 token=h.login("hr")), 403, "FORBIDDEN")

    def test_bad_input_names_the_field(self):
        hook = {"kind": "webhook", "url": "https://hooks.example.com/x", "events": ["alert.raised"]}
        cases = [
            (dict(hook, url="ftp://hooks.example.com/x"), "url"),
            (dict(hook, url="https://user:pw@hooks.example.com/"), "url"),
            (dict(hook, url="https://hooks.example.com:70000/"), "url"),
            (dict(hook, url="https:///nohost"), "url"),
            (dict(hook, url="https://127.1/"), "url"),
            (dict(hook, url="x" * 2001), "url"),
            (dict(hook, events=["alert.nope"]), "events"),
            (dict(hook, events=["alert.raised", "*.*"]), "events"),
            (dict(hook, events=[]), "events"),
            (dict(hook, events="alert.*"), "events"),
            ({"kind": "webhook", "url": "https://hooks.example.com/x"}, "events"),
            ({"kind": "webhook", "events": ["*"]}, "url"),
            (dict(hook, address="ops@example.com"), "address"),
            (dict(hook, kind="sms"), "kind"),
            ({"kind": "email", "address": "not-an-address", "events": ["*"]}, "address"),
            ({"kind": "email", "address": "ops@example.com\r\nBcc: x@evil.example", "events": ["*"]}, "address"),
            ({"kind": "email", "address": "ops@example.com", "url": "https://a.example/", "events": ["*"]}, "url"),
            ({"kind": "email", "address": "ops@example.com", "role": "staff", "events": ["*"]}, "role"),
            ({"kind": "email", "events": ["*"]}, "address"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                fc.assert_error(self.create(body, status=400), 400, "VALIDATION_ERROR", field=field)
        ep = self.create({"kind": "email", "address": "ops@example.com", "events": ["*"]})
        fc.assert_error(fc.patch(self.h.path(ENDPOINTS + "%d/" % ep["id"]), json={"url": "https://a.example/"},
                                 token=self.h.login("manager")), 400, "VALIDATION_ERROR", field="url")
        fc.assert_error(fc.patch(self.h.path(ENDPOINTS + "%d/" % ep["id"]), json={"events": ["face.nope"]},
                                 token=self.h.login("manager")), 400, "VALIDATION_ERROR", field="events")


class ConfigPrivate(NotifyCase, server.ServerTest):
    def test_loopback_refused_without_the_setting(self):
        settings = {k: os.environ[k] for k in ("FACECLOCK_SMTP_URL", "FACECLOCK_SMTP_FROM",
                                               "FACECLOCK_NOTIFY_BACKOFF_SCALE") if os.environ.get(k)}
        if fc.ENV.get("FACECLOCK_DATA_KEY"):
            settings["FACECLOCK_DATA_KEY"] = fc.ENV["FACECLOCK_DATA_KEY"]
        s = self.server("ntfp", settings=settings)
        tok = self.h.login("manager")
        path = self.h.path(ENDPOINTS)
        for url in ("http://127.0.0.1:9000/hook", "http://localhost/hook", "http://[::1]/hook",
                    "http://169.254.169.254/latest/meta-data", "http://0.0.0.0/"):
            with self.subTest(url=url):
                r = s.request("POST", path, json={"kind": "webhook", "url": url, "events": ["*"]}, token=tok)
                fc.assert_error(r, 400, "VALIDATION_ERROR", field="url")
                self.assertIn("loopback", r.json["message"])
        r = s.request("POST", path, json={"kind": "webhook", "url": "https://hooks.example.com/ok",
                                          "events": ["*"]}, token=tok)
        self.assertEqual(r.status, 201 if fc.ENV.get("FACECLOCK_DATA_KEY") else 503, r.text)


class Delivery(NotifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rx = Receiver()

    @classmethod
    def tearDownClass(cls):
        cls.rx.close()

    def verify(self, headers, body, secret):
        ts = headers["X-Faceclock-Timestamp"]
        want = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        self.assertTrue(hmac.compare_digest(headers["X-Faceclock-Signature"], want), headers)
        self.assertLess(abs(time.time() - int(ts)), 300)

    def test_webhook_signed_with_the_event_id(self):
        h = self.h
        ep = self.create({"kind": "webhook", "url": self.rx.url, "events": ["alert.raised"]})
        event_id = raise_alert(h, "staff:1")
        self.assertTrue(fc.wait_for(lambda: self.rx.of_event(event_id), WAIT), "no webhook for %d" % event_id)
        headers, body = self.rx.of_event(event_id)[0]
        self.verify(headers, body, ep["secret"])
        self.assertEqual(headers["Content-Type"], "application/json")
        msg = json.loads(body)
        self.assertEqual((msg["id"], msg["type"], msg["hotel"]), (event_id, "alert.raised", h.slug))
        self.assertEqual(msg["data"]["subject"], "staff:1")
        fc.parse_ts(msg["created_at"])
        self.assertTrue(fc.wait_for(lambda: (self.delivery(ep["id"], event_id) or {}).get("status") == "sent",
                                    WAIT))
        d = self.delivery(ep["id"], event_id)
        self.assertEqual((d["attempts"], d["last_status"], d["last_error"], d["event_type"]),
                         (1, 200, None, "alert.raised"))
        fc.parse_ts(d["sent_at"])
        # a signature made with another secret does not verify
        with self.assertRaises(AssertionError):
            self.verify(headers, body, "whsec_" + "0" * 64)
        # the test delivery: to this endpoint alone
        r = fc.post(h.path(ENDPOINTS + "%d/test/" % ep["id"]), token=h.login("manager"))
        queued = fc.assert_json(r, 202)
        self.assertEqual((queued["event_type"], queued["status"], queued["endpoint_id"]),
                         ("notification.test", "pending", ep["id"]))
        self.assertTrue(fc.wait_for(lambda: self.rx.of_event(queued["event_id"]), WAIT))
        headers, body = self.rx.of_event(queued["event_id"])[0]
        self.verify(headers, body, ep["secret"])
        self.assertEqual(json.loads(body)["type"], "notification.test")
        self.assertEqual(len(self.actions("notification_endpoint.tested", "notification_endpoint:%d" % ep["id"])), 1)
        self.assertGreaterEqual(self.metric("webhook", "sent"), 2)

    def test_rolled_back_or_unwanted_queues_nothing(self):
        h = self.h
        hid = hotel_id(h)
        ep = self.create({"kind": "webhook", "url": self.rx.url, "events": ["alert.raised"]})
        count = "SELECT count(*) FROM notification_deliveries WHERE endpoint_id = %d" % ep["id"]
        fc.psql("BEGIN; INSERT INTO alerts (hotel_id, rule, subject) VALUES (%d, 'face_revoked', 'staff:rolled'); "
                "ROLLBACK;" % hid)
        # an event it does not want: alert.acknowledged
        event_id = raise_alert(h, "staff:2")
        fc.psql("UPDATE alerts SET state = 'acknowledged', acknowledged_by = 'user:x', acknowledged_at = now() "
                "WHERE hotel_id = %d AND subject = 'staff:2'" % hid)
        acked = int(fc.psql("SELECT max(id) FROM events WHERE hotel_id = %d AND type = 'alert.acknowledged'" % hid))
        self.assertTrue(fc.wait_for(lambda: fanned_out(acked), WAIT))
        self.assertEqual(fc.psql(count), "1")
        self.assertEqual([d["event_id"] for d in self.deliveries(endpoint_id=ep["id"])], [event_id])
        # a disabled endpoint is not queued for
        fc.patch(h.path(ENDPOINTS + "%d/" % ep["id"]), json={"enabled": False}, token=h.login("manager"))
        later = raise_alert(h, "staff:3")
        self.assertTrue(fc.wait_for(lambda: fanned_out(later), WAIT))
        self.assertEqual(fc.psql(count), "1")

    def test_email_relay_down_then_up(self):
        h = self.h
        port = smtp_port()
        failed_before = self.metric("email", "failed")
        ep = self.create({"kind": "email", "address": "night@hotel.example", "role": "manager",
                          "events": ["alert.*"]})
        event_id = raise_alert(h, "staff:4")

        def failed():
            d = self.delivery(ep["id"], event_id)
            return d if d and d["status"] == "failed" and d["last_error"] else None
        self.assertTrue(fc.wait_for(failed, WAIT), self.deliveries(endpoint_id=ep["id"]))
        d = failed()
        self.assertIsNone(d["sent_at"])
        self.assertIn("connect", d["last_error"].lower())
        self.assertIn(d["id"], [x["id"] for x in self.deliveries(status="failed", event_type="alert.raised")])
        self.assertGreater(self.metric("email", "failed"), failed_before)
        sink = SmtpSink(port)
        try:
            self.assertTrue(fc.wait_for(lambda: self.delivery(ep["id"], event_id)["status"] == "sent", 60.0),
                            self.delivery(ep["id"], event_id))
            mails = [m for m in sink.mails if ("Event id: %d" % event_id).encode() in m[2]]
            self.assertEqual(len(mails), 1, sink.mails)
            sender, rcpts, content = mails[0]
            self.assertEqual((sender, rcpts), (os.environ["FACECLOCK_SMTP_FROM"], ["night@hotel.example"]))
            self.assertIn(("Subject: [faceclock %s] alert.raised" % h.slug).encode(), content)
            self.assertEqual(self.delivery(ep["id"], event_id)["last_status"], 250)
        finally:
            sink.close()


class Outage(NotifyCase):
    def test_receiver_down_for_a_minute_gets_every_webhook(self):
        rx = Receiver()
        try:
            rx.up = False
            ep = self.create({"kind": "webhook", "url": rx.url, "events": ["alert.*"]})
            events = [raise_alert(self.h, "staff:%d" % i) for i in range(5)]
            down_until = time.monotonic() + 60
            self.assertTrue(fc.wait_for(lambda: rx.refused >= 10, WAIT), rx.refused)
            rows = self.deliveries(endpoint_id=ep["id"], status="failed")
            self.assertTrue(rows and all(d["last_status"] == 503 for d in rows), rows)
            time.sleep(max(0.0, down_until - time.monotonic()))     # the receiver stays down a real minute
            self.assertEqual(rx.got, [])
            rx.up = True
            self.assertTrue(fc.wait_for(lambda: set(rx.ids()) >= set(events), 60.0),
                            (events, rx.ids(), self.deliveries(endpoint_id=ep["id"])))
            self.assertTrue(fc.wait_for(lambda: all(d["status"] == "sent"
                                                    for d in self.deliveries(endpoint_id=ep["id"])), WAIT))
            # once per event id: repeats (at least once) only with the same id
            self.assertEqual(set(rx.ids()), set(events))
            self.assertEqual(len(self.deliveries(endpoint_id=ep["id"])), len(events))
            for e in events:
                bodies = {json.loads(b)["id"] for h, b in rx.of_event(e)}
                self.assertEqual(bodies, {e})
        finally:
            rx.close()


if __name__ == "__main__":
    unittest.main()
