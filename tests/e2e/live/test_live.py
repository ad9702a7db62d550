"""Live events (issue 13; docs/api.md "Live events"): committed changes
reach nchan subscribers through the publisher service, and only they.

- who may subscribe: /api/events/hotel/{slug} for the hotel's manager, hr,
  admin (bearer or cookie session) and the system administrator; 401 with
  no or bad credentials, 403 for other roles and kiosks, 404 for another
  hotel's users and an unknown hotel; /api/events/kiosk/{id} for that kiosk
  only (another kiosk's id: 404);
- the events: a rostered scan's clock.in (to the hotel and to the kiosk it
  happened at), a face registered and revoked, an unrostered log and its
  approval, a device's status; a rolled-back transaction emits nothing;
  one that commits after later ones were published (a lower id) is
  published all the same;
- catching up: a subscriber reconnecting with Last-Event-ID gets what it
  missed; events committed while the publisher is dead (kill -9) are
  published by its successor; GET /api/staff/hotel/{slug}/events/?after=
  answers the hotel's events after an id from the outbox, in id order and
  the messages' own shape, a page at a time (limit, has_more, next), only
  to those who may subscribe, "gap" once events after the id were deleted
  (trimmed), and 400 for an after or limit that is not one;
- sql/029 (the publisher's snapshot cursor) on a database with events:
  nothing lost, nothing read twice at the switch;
- the service under the master: kill -9 → respawned (logged with its
  name); SIGHUP replaces it; SIGTERM stops it with the master."""

import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import fc
from attendance.att import AttHotel, near, person
from fcgi import server
from fcgi.test_resilience import master_pid
from live.sse import Sse

WAIT = 15.0


def sub_path(h):
    return "/api/events/hotel/%s" % h.slug


def publisher_pid():
    return server.services(master_pid()).get("publisher")


class LiveCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = AttHotel("live", extra=12).make()
        cls.h.settings(duplicate_scan_seconds=0)
        cls.next = 0

    def person(self):
        sid = self.h.people[type(self).next]
        type(self).next += 1
        return sid

    def subscribe(self, role="manager", **kw):
        s = Sse(sub_path(self.h), token=self.h.login(role), **kw)
        self.addCleanup(s.close)
        self.assertEqual(s.status, 200, s.body)
        self.assertTrue(s.headers.get("content-type", "").startswith("text/event-stream"), s.headers)
        return s

    def expect(self, s, typ, **match):
        def ok(d):
            return d.get("type") == typ and all(d["data"].get(k) == v for k, v in match.items())
        ev = s.until(ok, WAIT)
        self.assertIsNotNone(ev, "no %s %r within %.0f s" % (typ, match, WAIT))
        return ev


class Subscribe(LiveCase):
    def test_who_may_subscribe(self):
        h = self.h
        other = fc.Hotel("live-b")
        other.create()
        cases = [
            ({}, 401, "UNAUTHENTICATED"),
            ({"token": "nobody-" + "0" * 40}, 401, "UNAUTHENTICATED"),
            ({"token": h.login("staff")}, 403, "FORBIDDEN"),
            ({"api_key": h.kiosk}, 403, "FORBIDDEN"),
            ({"token": other.login("manager")}, 404, "NOT_FOUND"),
        ]
        for cred, status, code in cases:
            with self.subTest(cred=sorted(cred), status=status):
                s = Sse(sub_path(h), **cred)
                self.assertEqual(s.status, status, s.body)
                self.assertEqual(s.json()["code"], code)
        for role in ("manager", "hr", "admin"):
            with self.subTest(role=role):
                s = Sse(sub_path(h), token=h.login(role))
                s.close()
                self.assertEqual(s.status, 200, s.body)
        s = Sse(sub_path(h), api_key=fc.ADMIN_KEY)
        s.close()
        self.assertEqual(s.status, 200, s.body)
        s = Sse("/api/events/hotel/no-such-hotel-x", token=h.login("manager"))
        self.assertEqual(s.status, 404, s.body)

    def test_cookie_session(self):
        s = Sse(sub_path(self.h), cookie="fc_token=" + self.h.login("hr"))
        self.addCleanup(s.close)
        self.assertEqual(s.status, 200, s.body)

    def test_plain_get_is_the_authorization_route(self):
        r = fc.get(sub_path(self.h), token=self.h.login("manager"))
        self.assertEqual(fc.assert_json(r, 200), {"channel": "hotel:" + self.h.slug})
        fc.assert_error(fc.get(sub_path(self.h), token=self.h.login("staff")), 403, "FORBIDDEN")

    def test_kiosk_channel(self):
        h = self.h
        kiosk = h.new_kiosk("Live kiosk")
        other = h.new_kiosk("Other kiosk")
        s = Sse("/api/events/kiosk/%d" % kiosk["id"], api_key=kiosk["api_key"])
        self.addCleanup(s.close)
        self.assertEqual(s.status, 200, s.body)
        x = Sse("/api/events/kiosk/%d" % other["id"], api_key=kiosk["api_key"])
        self.assertEqual((x.status, x.json()["code"]), (404, "NOT_FOUND"))
        x = Sse("/api/events/kiosk/%d" % kiosk["id"], token=h.login("manager"))
        self.assertEqual((x.status, x.json()["code"]), (403, "FORBIDDEN"))
        sid = self.person()
        desc = h.register(sid)
        h.shift_now(sid)
        r = h.scan(near(desc, 0.05), api_key=kiosk["api_key"])
        log_id = fc.assert_json(r, 201)["log"]["id"]
        ev = self.expect(s, "clock.in", log_id=log_id)
        self.assertEqual(ev["data"]["kiosk_id"], kiosk["id"])


class Events(LiveCase):
    def test_scan_clock_in_and_out(self):
        h = self.h
        s = self.subscribe()
        sid = self.person()
        desc = h.register(sid)
        h.shift_now(sid)
        body = fc.assert_json(h.scan(near(desc, 0.05)), 201)
        ev = self.expect(s, "clock.in", log_id=body["log"]["id"])
        d = ev["data"]
        self.assertEqual((d["hotel"], d["data"]["staff_id"], d["data"]["source"]), (h.slug, sid, "face"))
        self.assertIsInstance(d["id"], int)
        self.assertTrue(ev["id"], "nchan gives every message an id for Last-Event-ID")
        self.assertLess(len(str(d)), 8000)
        fc.assert_json(h.scan(near(desc, 0.05)), 200)
        self.expect(s, "clock.out", log_id=body["log"]["id"])

    def test_face_registered_and_revoked(self):
        h = self.h
        s = self.subscribe(role="admin")
        sid = self.person()
        h.register(sid)
        self.expect(s, "face.registered", staff_id=sid)
        r = fc.admin("DELETE", h.att("revoke-face/%d/" % sid), json={"reason": "left the hotel"})
        fc.assert_json(r, 200)
        self.expect(s, "face.revoked", staff_id=sid)

    def test_unrostered_and_its_approval(self):
        h = self.h
        s = self.subscribe()
        sid = self.person()
        desc = h.register(sid)
        body = fc.assert_json(h.scan(near(desc, 0.05)), 200)
        self.assertEqual(body["action"], "unrostered_detected")
        r = fc.post(h.att("unrostered-confirm/"), json={"confirmation_token": body["confirmation_token"]},
                    api_key=h.kiosk)
        log_id = fc.assert_json(r, 201)["log"]["id"]
        self.expect(s, "clock.unrostered", log_id=log_id)
        r = fc.post(h.att("%d/approve/" % log_id), json={"approved": True},
                    token=h.login("manager"))
        fc.assert_json(r, 200)
        self.expect(s, "clock.approved", log_id=log_id)

    def test_device_status(self):
        h = self.h
        s = self.subscribe(role="hr")
        body = {"device_id": "live-cam-1", "display_name": "Live cam", "device_category": "camera",
                "capability": "face_recognition", "location_label": "Lobby", "location_geo": None}
        fc.assert_json(fc.post("/api/iot/devices", json=body, token=h.login("admin")), 201)
        ev = self.expect(s, "device.status", device_id="live-cam-1")
        self.assertIsNone(ev["data"]["data"]["previous"])
        fc.assert_json(fc.delete("/api/iot/devices/live-cam-1", token=h.login("admin")), 200)
        ev = self.expect(s, "device.status", device_id="live-cam-1", deactivated=True)

    def test_rolled_back_transaction_emits_nothing(self):
        h = self.h
        s = self.subscribe()
        sid = self.person()
        before = int(fc.psql("SELECT count(*) FROM events"))
        fc.psql("BEGIN; INSERT INTO clock_logs (hotel_id, staff_id, time_in, source) "
                "VALUES (%d, %d, now(), 'manager'); ROLLBACK;" % (h.hotel_id, sid))
        self.assertEqual(int(fc.psql("SELECT count(*) FROM events")), before)
        h.register(sid)                 # a committed change after it
        ev = s.next(WAIT)
        self.assertIsNotNone(ev)
        self.assertEqual((ev["data"]["type"], ev["data"]["data"]["staff_id"]), ("face.registered", sid),
                         "the first event after the rollback is the committed one")

    def test_transaction_committed_out_of_id_order_is_published(self):
        """An event whose transaction commits after later ones were
        published (a lower id and xid) is published all the same: the
        publisher's cursor is a snapshot of the transactions it has seen
        (sql/029_event_cursor.sql), not the highest id it has posted."""
        h = self.h
        s = self.subscribe()
        held = subprocess.Popen(fc._psql_cmd() + [fc.ENV["FACECLOCK_MIGRATE_URL"], "-X", "-q", "-tA",
                                                  "-v", "ON_ERROR_STOP=1"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd="/")
        self.addCleanup(held.kill)
        held.stdin.write("BEGIN;\nSELECT fc_emit(%d, 'test.held', NULL, '{\"n\": 1}');\n" % h.hotel_id)
        held.stdin.flush()
        held_id = int(held.stdout.readline())
        later = emit(h, 1)[0]            # committed while the first is open
        self.assertGreater(later, held_id)
        self.expect(s, "test.catchup", n=1)
        fc.wait_for(lambda: fc.psql("SELECT pg_visible_in_snapshot(xid, (SELECT snap FROM event_cursors "
                                    "WHERE name = 'publisher')) FROM events WHERE id = %d" % later) == "t", WAIT)
        held.stdin.write("COMMIT;\n")
        held.stdin.close()
        self.assertEqual(held.wait(30), 0)
        ev = self.expect(s, "test.held", n=1)
        self.assertEqual(ev["data"]["id"], held_id)

    def test_reconnect_with_last_event_id_catches_up(self):
        h = self.h
        s = self.subscribe()
        first = self.person()
        h.register(first)
        ev = self.expect(s, "face.registered", staff_id=first)
        s.close()
        missed = [self.person(), self.person()]
        for sid in missed:
            h.register(sid)
        fc.wait_for(lambda: int(fc.psql("SELECT count(*) FROM events WHERE NOT pg_visible_in_snapshot(xid, "
                                        "(SELECT snap FROM event_cursors WHERE name = 'publisher')) "
                                        "AND hotel_id = %d" % h.hotel_id)) == 0, WAIT)
        again = self.subscribe(last_event_id=ev["id"])
        for sid in missed:
            self.expect(again, "face.registered", staff_id=sid)


def catchup_path(h, after, limit=None):
    return "/api/staff/hotel/%s/events/?after=%s%s" % (h.slug, after, "" if limit is None else "&limit=%s" % limit)


def head(h):
    return int(fc.psql("SELECT coalesce(max(id), 0) FROM events WHERE hotel_id = %d" % h.hotel_id))


def emit(h, n):
    """n events of a test type in the hotel's outbox (fc_emit, as a trigger
    does): their ids, in order."""
    out = fc.psql("SELECT fc_emit(%d, 'test.catchup', NULL, jsonb_build_object('n', g)) "
                  "FROM generate_series(1, %d) g" % (h.hotel_id, n))
    return [int(x) for x in out.split()]


class CatchUp(LiveCase):
    def catchup(self, after, limit=None, role="manager", status=200):
        return fc.assert_json(fc.get(catchup_path(self.h, after, limit), token=self.h.login(role)), status)

    def test_events_after_an_id_in_order_as_subscribers_get_them(self):
        h = self.h
        s = self.subscribe()
        base = head(h)
        sid = self.person()
        desc = h.register(sid)
        h.shift_now(sid)
        log_id = fc.assert_json(h.scan(near(desc, 0.05)), 201)["log"]["id"]
        live = self.expect(s, "clock.in", log_id=log_id)["data"]
        body = self.catchup(base)
        self.assertEqual(set(body), {"events", "has_more", "next", "gap"})
        ids = [e["id"] for e in body["events"]]
        self.assertEqual(ids, sorted(ids))
        self.assertTrue(all(i > base for i in ids), ids)
        self.assertEqual([e["type"] for e in body["events"]][:1], ["face.registered"])
        self.assertIn(live, body["events"], "the live message, as it came, among the caught-up ones")
        self.assertEqual((body["has_more"], body["gap"], body["next"]), (False, False, ids[-1]))
        rest = self.catchup(live["id"])
        self.assertTrue(all(e["id"] > live["id"] for e in rest["events"]))

    def test_pages_by_limit_and_next(self):
        h = self.h
        base = head(h)
        ids = emit(h, 5)
        got, after, pages = [], base, 0
        while True:
            body = self.catchup(after, limit=2, role="hr")
            self.assertLessEqual(len(body["events"]), 2)
            got += [e["id"] for e in body["events"]]
            after, pages = body["next"], pages + 1
            if not body["has_more"]:
                break
            self.assertEqual(after, got[-1])
        self.assertEqual(got, ids)
        self.assertEqual(pages, 3)
        body = self.catchup(base, role="admin")
        self.assertEqual(([e["id"] for e in body["events"]], body["has_more"]), (ids, False))
        self.assertEqual(body["events"][0]["data"], {"n": 1})
        self.assertEqual((body["events"][0]["type"], body["events"][0]["hotel"]), ("test.catchup", h.slug))
        body = self.catchup(ids[-1])
        self.assertEqual((body["events"], body["has_more"], body["next"]), ([], False, ids[-1]))
        body = self.catchup(ids[1], limit=1)
        self.assertEqual(([e["id"] for e in body["events"]], body["has_more"], body["next"]), ([ids[2]], True, ids[2]))

    def test_only_the_hotels_readers_and_only_its_events(self):
        h = self.h
        other = AttHotel("live-cu-b").make()
        base = head(h)
        mine, theirs = emit(h, 1), emit(other, 1)
        got = [e["id"] for e in self.catchup(base)["events"]]
        self.assertIn(mine[0], got)
        self.assertNotIn(theirs[0], got)
        path = catchup_path(h, base)
        fc.assert_error(fc.get(path, token=other.login("manager")), 404, "NOT_FOUND")
        fc.assert_error(fc.get(path, token=h.login("staff")), 403, "FORBIDDEN")
        fc.assert_error(fc.get(path, api_key=h.kiosk), 403, "FORBIDDEN")
        fc.assert_error(fc.get(path), 401, "UNAUTHENTICATED")
        body = fc.assert_json(fc.get(path, api_key=fc.ADMIN_KEY), 200)
        self.assertIn(mine[0], [e["id"] for e in body["events"]])

    def test_bad_after_or_limit_is_400(self):
        h = self.h
        tok = h.login("manager")
        for q in ("after=-1", "after=abc", "after=1.5", "after=", "after=99999999999999999999",
                  "after=9007199254740992", "after=0x10", "after=1&limit=0", "after=1&limit=1001",
                  "after=1&limit=x", "limit=5", ""):
            with self.subTest(q=q):
                r = fc.get("/api/staff/hotel/%s/events/?%s" % (h.slug, q), token=tok)
                field = "limit" if "limit=" in q and "after=1&" in q else "after"
                fc.assert_error(r, 400, "VALIDATION_ERROR", field=field)
        body = self.catchup(9007199254740991)
        self.assertEqual((body["events"], body["has_more"], body["gap"]), ([], False, False))

    def test_gap_once_events_after_the_id_were_trimmed(self):
        h = AttHotel("live-cu-gap").make()
        tok = h.login("manager")

        def catchup(after):
            return fc.assert_json(fc.get(catchup_path(h, after), token=tok), 200)
        before = head(h)
        ids = emit(h, 4)
        self.assertFalse(catchup(before)["gap"])
        # trimmed as the publisher does (published, older than 7 days): the
        # first two, made old, then the trim's own statement, as the owner
        fc.psql("UPDATE events SET created_at = now() - interval '8 days' WHERE id IN (%d, %d)" % (ids[0], ids[1]))
        fc.psql("DELETE FROM events WHERE created_at < now() - make_interval(days => 7) "
                "AND hotel_id = %d" % h.hotel_id)
        for after, gap, got in ((before, True, ids[2:]), (ids[0], True, ids[2:]), (ids[1], False, ids[2:]),
                                (ids[2], False, ids[3:])):
            with self.subTest(after=after):
                body = catchup(after)
                self.assertEqual((body["gap"], [e["id"] for e in body["events"]]), (gap, got))
        # another hotel's trim is not this one's gap
        self.assertFalse(self.catchup(head(self.h))["gap"])


class Publisher(LiveCase):
    def test_killed_publisher_is_respawned_and_catches_up(self):
        h = self.h
        s = self.subscribe()
        old = publisher_pid()
        self.assertIsNotNone(old, "no svc:publisher under the master")
        os.kill(old, signal.SIGKILL)
        sid = self.person()
        h.register(sid)                 # committed while it may be down
        new = fc.wait_for(lambda: (publisher_pid() or old) != old and publisher_pid(), 10.0)
        self.assertTrue(new, "the publisher was not respawned")
        self.expect(s, "face.registered", staff_id=sid)
        log = open(os.path.join(fc.ENV["FC_VAR"], "log", "faceclock.log"), errors="replace").read()
        self.assertIn("service publisher (%d) killed by signal 9" % old, log)


class Supervision(server.ServerTest):
    """A private `faceclock serve`: its service starts with it, is replaced
    on SIGHUP and stops with it on SIGTERM."""

    def test_sighup_replaces_and_sigterm_stops_the_service(self):
        s = self.server("svc")
        first = fc.wait_for(lambda: server.services(s.pid).get("publisher"), 10.0)
        self.assertTrue(first, "no publisher service:\n" + s.log_tail())
        self.assertNotIn(first, s.workers_now(), "a service is not counted as a worker")
        s.signal(signal.SIGHUP)
        second = fc.wait_for(lambda: (server.services(s.pid).get("publisher") or first) != first
                             and server.services(s.pid).get("publisher"), 15.0)
        self.assertTrue(second, "the service was not replaced on SIGHUP:\n" + s.log_tail())
        self.assertFalse(os.path.exists("/proc/%d" % first) and server._stat(first)
                         and server._stat(first)[0] == s.pid, "the old one is gone")
        self.assert_stopped_cleanly(s)
        self.assertFalse(server._stat(second) and server._stat(second)[0] == s.pid)
        self.assertIn("comp=publisher", s.log())
        self.assertIn("service stopped (status 0)", s.log())


class Migration(unittest.TestCase):
    def test_029_switch_loses_nothing_and_repeats_nothing(self):
        """sql/029_event_cursor.sql on a database with events: those
        published before it are never read again, the unpublished ones
        are read once, and so is the event of a transaction that was open
        across the migration (in a scratch database of the stack's
        cluster, migrated to 028, then to 029)."""
        db = "fc_mig029_%d" % os.getpid()
        fc.psql("CREATE DATABASE %s" % db)
        self.addCleanup(fc.psql, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)
        url = "%s dbname=%s" % (fc.ENV["FACECLOCK_MIGRATE_URL"], db)
        sql = os.path.join(fc.REPO, "sql")
        step = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, step)
        os.chmod(step, 0o755)

        def migrate(*names):
            for n in names:
                os.symlink(os.path.join(sql, n), os.path.join(step, n))
            p = fc.faceclock(["migrate", step], FACECLOCK_MIGRATE_URL=url)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

        def q(text):
            p = subprocess.run(fc._psql_cmd() + [url, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-c", text],
                               capture_output=True, text=True, timeout=30, cwd="/")
            self.assertEqual(p.returncode, 0, p.stderr)
            return p.stdout.strip()
        migrate(*sorted(n for n in os.listdir(sql) if n.endswith(".sql") and n < "029"))
        q("INSERT INTO hotels (slug, name) VALUES ('mig', 'Mig')")
        ids = [int(x) for x in q("SELECT fc_emit(1, 'test.old', NULL, jsonb_build_object('n', g)) "
                                 "FROM generate_series(1, 5) g").split()]
        q("UPDATE events SET published_at = now() WHERE id IN (%d, %d, %d)" % tuple(ids[:3]))
        # a transaction with its xid from before the migration, its event after
        held = subprocess.Popen(fc._psql_cmd() + [url, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd="/")
        self.addCleanup(held.kill)
        held.stdin.write("BEGIN;\nSELECT pg_current_xact_id();\n")
        held.stdin.flush()
        self.assertTrue(held.stdout.readline().strip().isdigit())
        migrate("029_event_cursor.sql")
        held.stdin.write("SELECT fc_emit(1, 'test.held', NULL, '{}');\nCOMMIT;\n")
        held.stdin.close()
        held_id = int(held.stdout.readline())
        self.assertEqual(held.wait(30), 0)
        unseen = ("SELECT coalesce(string_agg(e.id::text, ' ' ORDER BY e.id), '') FROM events e, event_cursors c "
                  "WHERE c.name = 'publisher' AND NOT pg_visible_in_snapshot(e.xid, c.snap)")
        self.assertEqual(q(unseen), "%d %d %d" % (ids[3], ids[4], held_id))
        q("UPDATE event_cursors SET snap = pg_current_snapshot() WHERE name = 'publisher'")
        self.assertEqual(q(unseen), "")
