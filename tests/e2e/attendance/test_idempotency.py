"""Idempotent scans (issue 15; docs/api.md "Idempotency-Key"): a kiosk's
scan sent again with its Idempotency-Key gets the first answer again
(same status and body, Idempotent-Replayed: true) and is done once — one
clock log, one audit row; the key with a different body is 422
IDEMPOTENCY_KEY_REUSED and changes nothing; another kiosk's same key is
its own; malformed keys are 400 VALIDATION_ERROR (field
"Idempotency-Key"); parallel requests with one key do one scan; a refusal
is kept too (a repeat is not counted again), a 429 is not; a repeat after
the window is a new scan, and the scheduler deletes expired keys. The
unrostered confirmation and the forced log take a key the same way."""

import json
import threading
import unittest
import uuid

import fc
from attendance.att import AttHotel, near
from fcgi import server

PARALLEL = 8


def scan(h, desc, key, api_key=None, **extra):
    body = {"descriptor": desc}
    body.update(extra)
    headers = {"Idempotency-Key": key} if key is not None else None
    return fc.post(h.att("face-clock-in/"), json=body, api_key=api_key or h.kiosk, headers=headers)


def keys_of(h):
    return int(fc.psql("SELECT count(*) FROM idempotency_keys WHERE hotel_id = %d" % h.hotel_id))


class Idempotency(unittest.TestCase):
    def setUp(self):
        self.h = AttHotel("idem").make()
        self.sid = self.h.people[0]
        self.desc = self.h.register(self.sid)

    def test_repeat_gets_the_same_answer_once(self):
        h = self.h
        h.shift_now(self.sid)
        d = near(self.desc, 0.05)
        key = str(uuid.uuid4())
        first = scan(h, d, key)
        fc.assert_json(first, 201)
        self.assertIsNone(first.header("Idempotent-Replayed"))
        again = scan(h, d, key)
        self.assertEqual(again.status, 201)
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        self.assertEqual(again.json, first.json)
        self.assertEqual(again.body, first.body)
        logs = h.db_logs(self.sid)
        self.assertEqual(len(logs), 1, logs)
        self.assertTrue(logs[0]["open"])
        # a new key is a new scan: within the duplicate window, the 409
        fc.assert_error(scan(h, d, str(uuid.uuid4())), 409, "ALREADY_CLOCKED_IN")
        self.assertEqual(len(h.db_logs(self.sid)), 1)

    def test_forced_log_audited_once(self):
        h = self.h
        d = near(self.desc, 0.05)
        key = "force-" + uuid.uuid4().hex
        first = scan(h, d, key, force_log=True, force_reason="no roster today")
        fc.assert_json(first, 201)
        again = scan(h, d, key, force_log=True, force_reason="no roster today")
        self.assertEqual((again.status, again.body), (first.status, first.body))
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        self.assertEqual(len(h.db_logs(self.sid)), 1)
        n = fc.psql("SELECT count(*) FROM face_audit_log WHERE hotel_id = %d AND staff_id = %d "
                    "AND action = 'FORCED_CLOCK_IN'" % (h.hotel_id, self.sid))
        self.assertEqual(n, "1")

    def confirm_token(self):
        """An unrostered person's scan: its confirmation token."""
        b = fc.assert_json(scan(self.h, near(self.desc, 0.05), None), 200)
        self.assertEqual(b["action"], "unrostered_detected")
        return b["confirmation_token"]

    def test_confirmation_sent_again_gets_its_answer(self):
        h = self.h
        token = self.confirm_token()
        key = str(uuid.uuid4())
        path = h.att("unrostered-confirm/")
        body = {"confirmation_token": token}
        first = fc.post(path, json=body, api_key=h.kiosk, headers={"Idempotency-Key": key})
        fc.assert_json(first, 201)
        again = fc.post(path, json=body, api_key=h.kiosk, headers={"Idempotency-Key": key})
        self.assertEqual((again.status, again.body), (first.status, first.body))
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        self.assertEqual(len(h.db_logs(self.sid)), 1)
        # without the key the spent token is refused, as before
        fc.assert_error(fc.post(path, json=body, api_key=h.kiosk), 403, "FORBIDDEN")
        # the key with another body
        fc.assert_error(fc.post(path, json={"confirmation_token": token + "x"}, api_key=h.kiosk,
                                headers={"Idempotency-Key": key}), 422, "IDEMPOTENCY_KEY_REUSED")
        fc.assert_error(fc.post(path, json=body, api_key=h.kiosk, headers={"Idempotency-Key": "a b"}),
                        400, "VALIDATION_ERROR")

    def test_forced_log_sent_again_gets_its_answer(self):
        h = self.h
        token = self.confirm_token()
        key = str(uuid.uuid4())
        path = h.att("force-log/")
        body = {"confirmation_token": token, "reason": "covering a colleague"}
        first = fc.assert_json(fc.post(path, json=body, api_key=h.kiosk, headers={"Idempotency-Key": key}), 201)
        again = fc.post(path, json=body, api_key=h.kiosk, headers={"Idempotency-Key": key})
        self.assertEqual((again.status, again.json), (201, first))
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        self.assertEqual(len(h.db_logs(self.sid)), 1)
        n = fc.psql("SELECT count(*) FROM face_audit_log WHERE hotel_id = %d AND staff_id = %d "
                    "AND action = 'FORCED_CLOCK_IN'" % (h.hotel_id, self.sid))
        self.assertEqual(n, "1")

    def test_different_body_is_422_and_changes_nothing(self):
        h = self.h
        h.shift_now(self.sid)
        d = near(self.desc, 0.05)
        key = str(uuid.uuid4())
        first = fc.assert_json(scan(h, d, key), 201)
        other = scan(h, near(self.desc, 0.06), key)
        fc.assert_error(other, 422, "IDEMPOTENCY_KEY_REUSED")
        self.assertNotIn("log", other.json)
        logs = h.db_logs(self.sid)
        self.assertEqual(len(logs), 1, logs)
        self.assertTrue(logs[0]["open"])
        self.assertEqual(logs[0]["id"], first["log"]["id"])
        # the key still answers its own request
        self.assertEqual(scan(h, d, key).json, first)

    def test_keys_are_the_kiosks_own(self):
        h = self.h
        h.settings(duplicate_scan_seconds=0)
        h.shift_now(self.sid)
        d = near(self.desc, 0.05)
        other_kiosk = h.new_kiosk("Back door")["api_key"]
        key = "shared-key-1"
        a = scan(h, d, key)
        fc.assert_json(a, 201)
        b = scan(h, d, key, api_key=other_kiosk)
        fc.assert_json(b, 200)
        self.assertEqual(b.json["action"], "CLOCK_OUT")
        self.assertIsNone(b.header("Idempotent-Replayed"))
        self.assertEqual(len(h.db_logs(self.sid)), 1)
        self.assertFalse(h.db_logs(self.sid)[0]["open"])
        # and in another hotel the same kiosk scope cannot reach this one's keys
        self.assertEqual(scan(h, d, key).json, a.json)

    def test_malformed_keys_are_400(self):
        h = self.h
        d = near(self.desc, 0.05)
        for bad in ["", "x" * 129, "has space", "tab\there", "é-key", "semi;colon", "\"unclosed",
                    "\"\"", "a,b", "<tag>"]:
            with self.subTest(key=bad):
                r = scan(h, d, bad)
                fc.assert_error(r, 400, "VALIDATION_ERROR", field="Idempotency-Key")
        self.assertEqual(h.db_logs(self.sid), [])
        self.assertEqual(keys_of(h), 0)
        # the longest key, and a quoted one (the draft standard's form)
        h.shift_now(self.sid)
        fc.assert_json(scan(h, d, "k" * 128), 201)
        r = scan(h, d, "\"" + "k" * 128 + "\"")
        self.assertEqual(r.status, 201)
        self.assertEqual(r.header("Idempotent-Replayed"), "true")

    def test_parallel_repeats_scan_once(self):
        h = self.h
        h.settings(duplicate_scan_seconds=0)
        h.shift_now(self.sid)
        d = near(self.desc, 0.05)
        key = str(uuid.uuid4())
        kiosk = h.kiosk             # made once, before the threads
        barrier = threading.Barrier(PARALLEL)
        out = [None] * PARALLEL

        def run(i):
            barrier.wait(timeout=30)
            out[i] = scan(h, d, key, api_key=kiosk)
        threads = [threading.Thread(target=run, args=(i,)) for i in range(PARALLEL)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertTrue(all(r is not None for r in out), out)
        self.assertEqual({r.status for r in out}, {201}, [r.status for r in out])
        self.assertEqual(len({r.body for r in out}), 1)
        replayed = [r.header("Idempotent-Replayed") for r in out]
        self.assertEqual(replayed.count(None), 1, replayed)
        logs = h.db_logs(self.sid)
        self.assertEqual(len(logs), 1, logs)
        self.assertTrue(logs[0]["open"])

    def temp_trigger(self, name, events, table, when, body):
        """A BEFORE ... FOR EACH ROW trigger `name` on table running body
        (PL/pgSQL) when the condition holds, for this test: returns the
        function that drops it (once; also at cleanup)."""
        fc.psql("CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN %s END$$" % (name, body))
        fc.psql("CREATE TRIGGER %s BEFORE %s ON %s FOR EACH ROW WHEN (%s) EXECUTE FUNCTION %s()"
                % (name, events, table, when, name))
        dropped = []

        def drop():
            if not dropped:
                fc.psql("DROP TRIGGER %s ON %s; DROP FUNCTION %s()" % (name, table, name))
                dropped.append(1)
        self.addCleanup(drop)
        return drop

    def test_answer_not_kept_is_503_and_nothing_done(self):
        # the kept answer and its COMMIT go in one round trip: when keeping
        # fails (here a full disk, 53100, on this hotel's keys) the COMMIT
        # is skipped, the scan's work rolled back with it, and the worker's
        # connection serves the next requests
        h = self.h
        h.settings(duplicate_scan_seconds=0)
        h.shift_now(self.sid)
        d = near(self.desc, 0.05)
        drop = self.temp_trigger("test_keep_fails_%d" % h.hotel_id, "INSERT OR UPDATE", "idempotency_keys",
                                 "NEW.hotel_id = %d AND NEW.status IS NOT NULL" % h.hotel_id,
                                 "RAISE EXCEPTION 'no space left' USING ERRCODE = '53100';")
        key = str(uuid.uuid4())
        for _ in range(4):          # on several workers' connections
            fc.assert_error(scan(h, d, key), 503, "UNAVAILABLE")
        self.assertEqual(h.db_logs(self.sid), [])
        self.assertEqual(keys_of(h), 0)
        drop()
        first = scan(h, d, key)
        fc.assert_json(first, 201)
        self.assertEqual(first.json["action"], "CLOCK_IN")
        self.assertIsNone(first.header("Idempotent-Replayed"))
        for _ in range(4):
            r = scan(h, d, key)
            self.assertEqual((r.status, r.body), (201, first.body))
            self.assertEqual(r.header("Idempotent-Replayed"), "true")
        logs = h.db_logs(self.sid)
        self.assertEqual(len(logs), 1, logs)
        self.assertTrue(logs[0]["open"])

    def test_key_written_without_the_lock_rolls_the_work_back(self):
        # a key's requests take its lock before they read it; a row that
        # appears without it (a worker of the previous version claiming
        # the key during an upgrade; here a trigger on the clock log)
        # makes the answer's insert fail, the COMMIT behind it is skipped
        # and nothing of the scan stays: never a scan done twice
        h = self.h
        h.shift_now(self.sid)
        d = near(self.desc, 0.05)
        key = "old-" + uuid.uuid4().hex
        drop = self.temp_trigger("test_key_sneaks_in_%d" % h.hotel_id, "INSERT", "clock_logs",
                                 "NEW.hotel_id = %d" % h.hotel_id,
                                 "INSERT INTO idempotency_keys (hotel_id, scope, key, fingerprint, expires_at, "
                                 "status, body) VALUES (NEW.hotel_id, 'kiosk:' || NEW.kiosk_id, '%s', "
                                 "repeat('0', 64), now() + interval '1 hour', 201, '{}'); RETURN NEW;" % key)
        fc.assert_error(scan(h, d, key), 503, "UNAVAILABLE")
        self.assertEqual(h.db_logs(self.sid), [])
        self.assertEqual(keys_of(h), 0)
        drop()
        r = scan(h, d, key)
        fc.assert_json(r, 201)
        self.assertIsNone(r.header("Idempotent-Replayed"))
        self.assertEqual(len(h.db_logs(self.sid)), 1)

    def test_refusal_is_kept_and_counted_once(self):
        h = self.h
        stranger = near(self.desc, 2.5)
        key = str(uuid.uuid4())
        first = scan(h, stranger, key)
        fc.assert_error(first, 404, "FACE_NOT_RECOGNIZED")
        again = scan(h, stranger, key)
        self.assertEqual((again.status, again.body), (404, first.body))
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        n = fc.psql("SELECT coalesce(sum(attempts), 0) FROM recognition_daily WHERE hotel_id = %d"
                    % h.hotel_id)
        self.assertEqual(n, "1")

    def test_throttled_429_is_not_kept(self):
        h = self.h
        h.shift_now(self.sid)
        d = near(self.desc, 0.05)
        fc.assert_error(scan(h, near(self.desc, 2.5), None), 404, "FACE_NOT_RECOGNIZED")
        fc.psql("UPDATE kiosk_scan_failures SET blocked_until = now() + interval '10 minutes' "
                "WHERE hotel_id = %d" % h.hotel_id)
        key = str(uuid.uuid4())
        fc.assert_error(scan(h, d, key), 429, "RATE_LIMITED")
        self.assertEqual(keys_of(h), 0)
        fc.psql("UPDATE kiosk_scan_failures SET blocked_until = NULL WHERE hotel_id = %d" % h.hotel_id)
        r = scan(h, d, key)          # the retry does the work
        fc.assert_json(r, 201)
        self.assertIsNone(r.header("Idempotent-Replayed"))
        self.assertEqual(len(h.db_logs(self.sid)), 1)

    def test_failed_scans_with_keys_still_throttle(self):
        # the alert's own transaction runs inside the key's (a savepoint):
        # the third failure raises the alert and throttles, as without keys
        h = self.h
        r = fc.patch(h.path("alerts/rules/"), json={"failed_scans": {"threshold": 3, "cooldown_minutes": 1}},
                     token=h.login("manager"))
        fc.assert_json(r, 200)
        for i in range(3):
            fc.assert_error(scan(h, near(self.desc, 2.5 + i * 0.01), "fail-%d" % i), 404, "FACE_NOT_RECOGNIZED")
        fc.assert_error(scan(h, near(self.desc, 0.05), "after"), 429, "RATE_LIMITED")
        n = fc.psql("SELECT count(*) FROM alerts WHERE hotel_id = %d AND rule = 'failed_scans' AND state = 'open'"
                    % h.hotel_id)
        self.assertEqual(n, "1")
        self.assertEqual(keys_of(h), 3)

    def test_expired_key_is_a_new_scan(self):
        h = self.h
        h.settings(duplicate_scan_seconds=0)
        h.shift_now(self.sid)
        d = near(self.desc, 0.05)
        key = str(uuid.uuid4())
        fc.assert_json(scan(h, d, key), 201)
        fc.psql("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE hotel_id = %d"
                % h.hotel_id)
        r = scan(h, d, key)
        fc.assert_json(r, 200)
        self.assertEqual(r.json["action"], "CLOCK_OUT")
        self.assertIsNone(r.header("Idempotent-Replayed"))
        # taken over: the key now keeps the clock-out, for a new window
        again = scan(h, d, key)
        self.assertEqual((again.status, again.json["action"]), (200, "CLOCK_OUT"))
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        self.assertEqual(len(h.db_logs(self.sid)), 1)
        left = fc.psql("SELECT count(*) FROM idempotency_keys WHERE hotel_id = %d AND expires_at > now() "
                       "+ interval '1 hour'" % h.hotel_id)
        self.assertEqual(left, "1")


class Expiry(server.ServerTest):
    def test_scheduler_deletes_expired_keys(self):
        h = AttHotel("idemx").make()
        sid = h.people[0]
        desc = h.register(sid)
        d = near(desc, 0.05)
        for i in range(3):
            fc.assert_error(scan(h, near(desc, 2.5), "gone-%d" % i), 404, "FACE_NOT_RECOGNIZED")
        self.assertEqual(fc.assert_json(scan(h, d, "kept"), 200)["action"], "unrostered_detected")
        fc.psql("UPDATE idempotency_keys SET expires_at = now() - interval '1 minute' "
                "WHERE hotel_id = %d AND key LIKE 'gone-%%'" % h.hotel_id)
        self.assertEqual(keys_of(h), 4)
        s = self.server("idem", settings={"FACECLOCK_SCHEDULER_INTERVAL": "1"})
        self.assertTrue(fc.wait_for(lambda: keys_of(h) == 1, 20.0),
                        "expired keys not deleted:\n" + s.log_tail())
        self.assertEqual(fc.psql("SELECT key FROM idempotency_keys WHERE hotel_id = %d" % h.hotel_id), "kept")


if __name__ == "__main__":
    unittest.main()
