"""Events (contract 6, docs/iot.md): POST /api/iot/events by a device —
201 then 200 duplicate for the same event_id (nothing stored twice, per
hotel), malformed event ids / timestamps / metadata / types → 400
VALIDATION_ERROR naming the field; GET /api/iot/events for managers: shape,
newest first, filters device_id / employee_id / from / to, paging; who may
post and read."""

import datetime

import fc
from devices.iot import ABSENT, IotCase, IotHotel, emp, event_id, q, ts

EVENTS = "/api/iot/events"


def utc(*a):
    return datetime.datetime(*a, tzinfo=datetime.timezone.utc)


class PostEvents(IotCase):
    @classmethod
    def setUpClass(cls):
        h = cls.h = IotHotel("ev").make()
        cls.a = h.device("ev-a")
        cls.b = h.device("ev-b")

    def count(self):
        return self.h.db_count("device_events")

    def test_created_then_duplicate(self):
        h = self.h
        n = self.count()
        eid = event_id()
        r, sent = h.event(self.a, event_id=eid, employee_id=emp(h.people[0]),
                          metadata={"person_name": "F1 L1", "confidence": 0.91, "debug": [1, 2]})
        body = fc.assert_json(r, 201)
        self.assertEqual(set(body), {"id", "event_id", "duplicate"}, body)
        self.assertIsInstance(body["id"], int)
        self.assertEqual(body["event_id"], eid)
        self.assertIs(body["duplicate"], False)
        self.assertEqual(self.count(), n + 1)
        # the same again: 200 duplicate, nothing stored
        r, _ = h.event(self.a, event_id=eid, employee_id=emp(h.people[0]))
        body2 = fc.assert_json(r, 200)
        self.assertEqual(body2.get("event_id"), eid)
        self.assertIs(body2.get("duplicate"), True)
        self.assertEqual(self.count(), n + 1)
        # from another device of the hotel, with other content: still the same event
        r, _ = h.event(self.b, event_id=eid, metadata={"other": True})
        self.assertIs(fc.assert_json(r, 200)["duplicate"], True)
        self.assertEqual(self.count(), n + 1)
        # what is stored is the first one
        rows = fc.assert_json(h.events(device_id="ev-a"), 200)
        mine = [e for e in rows if e["event_id"] == eid]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["metadata"], sent["metadata"])
        self.assertEqual(mine[0]["device_id"], "ev-a")
        self.assertEqual(mine[0]["employee_id"], emp(h.people[0]))

    def test_same_id_in_another_hotel(self):
        h = self.h
        other = IotHotel("ev2").make()
        o = other.device("ev-o")
        eid = event_id()
        fc.assert_json(h.event(self.a, event_id=eid)[0], 201)
        fc.assert_json(other.event(o, event_id=eid)[0], 201)

    def test_optional_fields(self):
        h = self.h
        for label, change in (("no employee", {"employee_id": ABSENT}),
                              ("employee null", {"employee_id": None}),
                              ("no metadata", {"metadata": ABSENT}),
                              ("empty metadata", {"metadata": {}}),
                              ("nested metadata", {"metadata": {"a": {"b": [1, {"c": None}]}, "ü": "✓"}}),
                              ("fractional seconds", {"event_timestamp": "2026-01-16T10:30:00.123Z"}),
                              ("offset", {"event_timestamp": "2026-01-16T12:30:00+02:00"}),
                              ("no event_type", {"event_type": ABSENT}),
                              ("epoch", {"event_timestamp": "1970-01-01T00:00:00Z"}),
                              ("far future", {"event_timestamp": "9999-12-31T23:59:59Z"}),
                              ("employee 64", {"employee_id": "x" * 64}),
                              ("employee unknown", {"employee_id": "not-on-staff"}),
                              ("own device_id", {"device_id": "ev-a"}),
                              ("metadata near 16 KiB", {"metadata": {"s": "x" * (16 * 1024 - 100)}}),
                              ("long random part", {"event_id": event_id(rand="a" * 64)}),
                              ("short random part", {"event_id": event_id(rand="a1B2")})):
            with self.subTest(case=label):
                r, _ = h.event(self.a, **change)
                fc.assert_json(r, 201)

    def test_malformed(self):
        h = self.h
        n = self.count()
        ms = "1768559400000"
        cases = [
            ("event_id", ABSENT), ("event_id", ""), ("event_id", 5), ("event_id", None),
            ("event_id", "EV2-%s-abc123" % ms), ("event_id", "ev1-%s-abc123" % ms),
            ("event_id", "EV1-abc-xyz123"), ("event_id", "EV1-%s-" % ms), ("event_id", "EV1-%s" % ms),
            ("event_id", "EV1-%s-ab_cd" % ms), ("event_id", "EV1-%s-ab-cd" % ms), ("event_id", "EV1-%s-abc" % ms),
            ("event_id", "EV1-123-abcdef"), ("event_id", "EV1-%s-%s" % (ms, "a" * 65)),
            ("event_id", " EV1-%s-abcdef" % ms), ("event_id", "EV1-%s-abcdéf" % ms),
            ("event_timestamp", ABSENT), ("event_timestamp", ""), ("event_timestamp", None),
            ("event_timestamp", "2026-01-16"), ("event_timestamp", "yesterday"),
            ("event_timestamp", "2026-13-01T00:00:00Z"), ("event_timestamp", "2026-02-30T00:00:00Z"),
            ("event_timestamp", "2026-01-16T25:00:00Z"), ("event_timestamp", 1768559400),
            ("event_timestamp", "2026-01-16 10:30:00"), ("event_timestamp", "2026-01-16T10:30:00"),
            ("event_id", "EV1-12345678901234567-abcdef"),
            ("metadata", [1, 2]), ("metadata", "x"), ("metadata", 5), ("metadata", True),
            ("event_type", "emotion"), ("event_type", 1), ("event_type", ""),
            ("employee_id", 5), ("employee_id", ["E1"]), ("employee_id", ""), ("employee_id", "x" * 65),
            ("event_timestamp", "1969-12-31T23:59:59Z"), ("event_timestamp", "10000-01-01T00:00:00Z"),
            ("metadata", {"s": "x" * (16 * 1024 + 1)}), ("metadata", {"s": "a\u0000b"}),
            ("metadata", {"n": 2 ** 64}),
        ]
        for field, v in cases:
            with self.subTest(field=field, value=v):
                r, _ = h.event(self.a, **{field: v})
                fc.assert_error(r, 400, "VALIDATION_ERROR", field=field)
        for text in ("", "{", "[]", "null", '"x"'):
            with self.subTest(body=text):
                r = fc.post(EVENTS, body=text, api_key=self.a.key)
                self.assertIn(fc.assert_json(r, 400)["code"], ("INVALID_JSON", "VALIDATION_ERROR"))
        self.assertEqual(self.count(), n)

    def test_device_id_must_be_its_own(self):
        h = self.h
        n = self.count()
        for other in ("ev-b", "ev-none"):
            with self.subTest(device_id=other):
                r, _ = h.event(self.a, device_id=other)
                fc.assert_error(r, 404, "NOT_FOUND")
        self.assertEqual(self.count(), n)

    def test_who_posts(self):
        h = self.h
        n = self.count()
        body = {"event_id": event_id(), "event_type": "face_recognition", "event_timestamp": ts(),
                "metadata": {}}
        for role in ("manager", "admin", "hr", "staff"):
            with self.subTest(role=role):
                fc.assert_error(fc.post(EVENTS, json=body, token=h.login(role)), 403, "FORBIDDEN")
        fc.assert_error(fc.post(EVENTS, json=body, api_key=h.kiosk), 403, "FORBIDDEN")
        fc.assert_error(fc.post(q(EVENTS, hotel=h.slug), json=body, api_key=fc.ADMIN_KEY), 403, "FORBIDDEN")
        fc.assert_error(fc.post(EVENTS, json=body), 401, "UNAUTHENTICATED")
        fc.assert_error(fc.post(EVENTS, json=body, api_key="dev_1_" + "ab" * 32), 401, "UNAUTHENTICATED")
        self.assertEqual(self.count(), n)
        # a provisioned device that never sent a heartbeat may post
        seen = h.device("ev-seen", state="provisioned")
        fc.assert_json(h.event(seen)[0], 201)


class ListEvents(IotCase):
    @classmethod
    def setUpClass(cls):
        h = cls.h = IotHotel("evl").make()
        cls.a = h.device("evl-a")
        cls.b = h.device("evl-b")
        p0, p1 = emp(h.people[0]), emp(h.people[1])
        # (device, employee, timestamp), posted out of order
        cls.rows = [
            (cls.a, p0, utc(2026, 1, 16, 10, 0, 0)),
            (cls.b, p1, utc(2026, 1, 16, 12, 0, 0)),
            (cls.a, p1, utc(2026, 1, 15, 9, 0, 0)),
            (cls.a, None, utc(2026, 1, 17, 8, 0, 0)),
            (cls.b, p0, utc(2026, 1, 16, 11, 0, 0)),
        ]
        cls.ids = {}
        for i, (dev, e, t) in enumerate(cls.rows):
            eid = event_id(ms=int(t.timestamp() * 1000), rand="row%d" % i)
            fc.assert_json(h.event(dev, event_id=eid, employee_id=e if e else ABSENT, event_timestamp=ts(t),
                                   metadata={"i": i})[0], 201)
            cls.ids[i] = eid

    def listed(self, **filters):
        rows = fc.assert_json(self.h.events(**filters), 200)
        self.assertIsInstance(rows, list)
        return rows

    def order(self, idx):
        """event_ids of rows idx, newest first."""
        return [self.ids[i] for i in sorted(idx, key=lambda i: self.rows[i][2], reverse=True)]

    def test_shape_and_order(self):
        h = self.h
        r = h.events()
        rows = fc.assert_json(r, 200)
        self.assertEqual(r.header("X-Total-Count"), "5")
        self.assertEqual([e["event_id"] for e in rows], self.order(range(5)))
        for e in rows:
            self.assertTrue({"id", "event_id", "device_id", "event_type", "event_timestamp", "employee_id",
                             "metadata"} <= set(e), e)
            self.assertEqual(e["event_type"], "face_recognition")
            fc.parse_ts(e["event_timestamp"])
        by = {e["event_id"]: e for e in rows}
        for i, (dev, emp_id, t) in enumerate(self.rows):
            e = by[self.ids[i]]
            self.assertEqual(e["device_id"], dev.device_id)
            self.assertEqual(e["employee_id"], emp_id)
            self.assertEqual(fc.parse_ts(e["event_timestamp"]), t.timestamp())
            self.assertEqual(e["metadata"], {"i": i})

    def test_filters(self):
        self.assertEqual([e["event_id"] for e in self.listed(device_id="evl-a")], self.order([0, 2, 3]))
        self.assertEqual([e["event_id"] for e in self.listed(device_id="evl-b")], self.order([1, 4]))
        self.assertEqual([e["event_id"] for e in self.listed(employee_id=emp(self.h.people[0]))],
                         self.order([0, 4]))
        self.assertEqual([e["event_id"] for e in self.listed(device_id="evl-b", employee_id=emp(self.h.people[0]))],
                         self.order([4]))
        self.assertEqual(self.listed(device_id="evl-none"), [])
        self.assertEqual(self.listed(employee_id="E-nobody"), [])

    def test_from_to(self):
        got = [e["event_id"] for e in self.listed(**{"from": "2026-01-16T10:00:00Z", "to": "2026-01-16T12:00:00Z"})]
        self.assertEqual(got, self.order([0, 1, 4]))
        got = [e["event_id"] for e in self.listed(**{"from": "2026-01-16T10:00:01Z"})]
        self.assertEqual(got, self.order([1, 3, 4]))
        got = [e["event_id"] for e in self.listed(to="2026-01-16T09:59:59Z")]
        self.assertEqual(got, self.order([2]))
        for k, v in (("from", "yesterday"), ("to", "2026-13-01T00:00:00Z"), ("from", "1")):
            with self.subTest(**{k: v}):
                fc.assert_error(self.h.events(**{k: v}), 400, "VALIDATION_ERROR", field=k)

    def test_from_to_dates_are_hotel_days(self):
        """Dates are the hotel's own days, inclusive (a hotel in New York:
        03:00 UTC on the 16th is still the 15th there)."""
        h = IotHotel("evtz", timezone="America/New_York").make()
        dev = h.device("tz-a")
        rows = {"late15": utc(2026, 1, 16, 3, 0, 0), "noon16": utc(2026, 1, 16, 17, 0, 0),
                "late16": utc(2026, 1, 17, 4, 59, 59), "early17": utc(2026, 1, 17, 5, 0, 0)}
        for name, t in rows.items():
            fc.assert_json(h.event(dev, event_id=event_id(rand=name), event_timestamp=ts(t))[0], 201)
        got = lambda **f: sorted(e["event_id"].rsplit("-", 1)[1] for e in fc.assert_json(h.events(**f), 200))
        self.assertEqual(got(**{"from": "2026-01-16", "to": "2026-01-16"}), ["late16", "noon16"])
        self.assertEqual(got(to="2026-01-15"), ["late15"])
        self.assertEqual(got(**{"from": "2026-01-17"}), ["early17"])
        fc.assert_error(h.events(**{"from": "2026-01-32"}), 400, "VALIDATION_ERROR", field="from")

    def test_paging(self):
        h = self.h
        seen = []
        path = q(EVENTS, limit=2)
        pages = 0
        while path and pages < 10:
            r = fc.get(path, token=h.login("hr"))
            rows = fc.assert_json(r, 200)
            self.assertEqual(r.header("X-Total-Count"), "5")
            self.assertLessEqual(len(rows), 2)
            seen += [e["event_id"] for e in rows]
            path = fc.link_next(r)
            pages += 1
        self.assertEqual(seen, self.order(range(5)))
        self.assertEqual(pages, 3)
        for v in ("0", "-1", "1001", "x"):
            with self.subTest(limit=v):
                fc.assert_error(h.events(limit=v), 400, "VALIDATION_ERROR", field="limit")

    def test_readers(self):
        h = self.h
        for role in ("manager", "hr", "admin", "sysadmin"):
            with self.subTest(role=role):
                self.assertEqual(len(fc.assert_json(h.events(role=role), 200)), 5)
        fc.assert_error(h.events(role="staff"), 403, "FORBIDDEN")
        fc.assert_error(fc.get(EVENTS, api_key=h.kiosk), 403, "FORBIDDEN")
        fc.assert_error(fc.get(EVENTS, api_key=self.a.key), 403, "FORBIDDEN")
        fc.assert_error(fc.get(EVENTS), 401, "UNAUTHENTICATED")
        fc.assert_error(fc.get(EVENTS, api_key=fc.ADMIN_KEY), 400, "VALIDATION_ERROR", field="hotel")

    def test_other_hotel_sees_none(self):
        other = IotHotel("evl2").make()
        o = other.device("evl-a")         # the same device_id, another hotel
        self.assertEqual(fc.assert_json(other.events(), 200), [])
        self.assertEqual(fc.assert_json(other.events(device_id="evl-a"), 200), [])
        fc.assert_json(other.event(o)[0], 201)
        self.assertEqual(len(self.listed()), 5)
