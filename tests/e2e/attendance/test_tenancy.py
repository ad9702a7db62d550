"""Who may call each attendance endpoint, and tenant isolation (contract 2,
3, 5): one generated test per (route, caller) with the expected status —
401 without credentials, 404 for hotel B's users and kiosk on hotel A's
slug, 403 for roles the route does not admit — refused writes checked to
have changed nothing; hotel A's managers naming hotel B's staff or logs get
404; an unknown slug is 404 for the system administrator on every route."""

import unittest

import fc
from attendance.att import AttHotel, ago, person

CALLERS = ["none", "sysadmin", "staff", "manager", "hr", "admin", "kiosk", "manager_b", "admin_b", "kiosk_b"]

# route -> expected status per caller (None: not fixed by the contract, not tested)
MATRIX = {
    #                none sys   staff mgr  hr   admin kiosk mgr_b adm_b kio_b
    "register_self": [401, None, 201,  201, 403, 201,  403,  404,  404,  404],
    "register_other": [401, 201, 403,  201, 403, 201,  403,  404,  404,  404],
    "revoke":        [401, 200,  403,  200, 403, 200,  403,  404,  404,  404],
    "scan":          [401, 200,  403,  403, 403, 403,  200,  404,  404,  404],
    "confirm":       [401, 201,  403,  None, 403, None, 201,  404,  404,  404],
    "force_token":   [401, 201,  403,  201, 403, 201,  201,  404,  404,  404],
    "force_staff":   [401, 201,  403,  201, 403, 201,  None, 404,  404,  404],
    "pending":       [401, 200,  403,  200, 403, 200,  403,  404,  404,  404],
    "approve":       [401, 200,  403,  200, 403, 200,  403,  404,  404,  404],
    "clocked_in":    [401, 200,  403,  200, 403, 200,  403,  404,  404,  404],
    "ack":           [401, 200,  403,  200, 403, 200,  200,  404,  404,  404],
    "logs":          [401, 200,  200,  200, 200, 200,  403,  404,  404,  404],
    "logs_csv":      [401, 200,  200,  200, 200, 200,  403,  404,  404,  404],
    "audit":         [401, 200,  403,  200, 200, 200,  403,  404,  404,  404],
    "audit_csv":     [401, 200,  403,  200, 200, 200,  403,  404,  404,  404],
}
CODES = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND"}
WRITES = {"register_self", "register_other", "revoke", "scan", "confirm", "force_token", "force_staff",
          "approve", "ack"}


class Fixture:
    _made = None

    @classmethod
    def get(cls):
        if cls._made is None:
            f = cls()
            f.a = AttHotel("amxa", extra=150).make()
            f.b = AttHotel("amxb", extra=4).make()
            f.next = 0
            cls._made = f
        return cls._made

    def fresh(self):
        sid = self.a.people[self.next]
        self.next += 1
        return sid

    def cred(self, caller):
        a, b = self.a, self.b
        if caller == "none":
            return {}
        if caller == "sysadmin":
            return {"api_key": fc.ADMIN_KEY}
        if caller == "kiosk":
            return {"api_key": a.kiosk}
        if caller == "kiosk_b":
            return {"api_key": b.kiosk}
        if caller.endswith("_b"):
            return {"token": b.login(caller[:-2])}
        return {"token": a.login(caller)}


def route_request(f, route):
    """(method, path, json body) on hotel A, with whatever the route needs
    made fresh for this one request."""
    a = f.a
    if route == "register_self":
        return "POST", a.att("register-face/"), {"descriptor": person(), "consent_given": True}
    if route == "register_other":
        return "POST", a.att("register-face/"), {"descriptor": person(), "consent_given": True,
                                                 "staff_id": f.fresh()}
    if route == "revoke":
        sid = f.fresh()
        a.register(sid)
        return "DELETE", a.att("revoke-face/%d/" % sid), {"reason": "matrix"}
    if route == "scan":
        sid = f.fresh()
        return "POST", a.att("face-clock-in/"), {"descriptor": a.register(sid)}
    if route in ("confirm", "force_token"):
        sid = f.fresh()
        tok = fc.assert_json(a.scan(a.register(sid)), 200)["confirmation_token"]
        if route == "confirm":
            return "POST", a.att("unrostered-confirm/"), {"confirmation_token": tok}
        return "POST", a.att("force-log/"), {"confirmation_token": tok, "reason": "matrix"}
    if route == "force_staff":
        return "POST", a.att("force-log/"), {"staff_id": f.fresh(), "reason": "matrix"}
    if route == "pending":
        return "GET", a.att("pending-approval/"), None
    if route == "approve":
        r = fc.post(a.att("force-log/"), json={"staff_id": f.fresh(), "reason": "matrix"}, api_key=fc.ADMIN_KEY)
        lid = fc.assert_json(r, 201)["log"]["id"]
        return "POST", a.att("%d/approve/" % lid), {"approved": True, "note": "matrix"}
    if route == "clocked_in":
        return "GET", a.att("currently-clocked-in/"), None
    if route == "ack":
        sid = f.fresh()
        a.import_logs((sid, ago(3600), None, None))
        return "POST", a.att("%d/long-session-ack/" % a.open_log_id(sid)), {"mode": "clocked_out"}
    if route == "logs":
        return "GET", a.att(""), None
    if route == "logs_csv":
        return "GET", a.att("?format=csv"), None
    if route == "audit":
        return "GET", a.att("face-audit-logs/"), None
    if route == "audit_csv":
        return "GET", a.att("face-audit-logs/?format=csv"), None
    raise KeyError(route)


class AttendanceMatrix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = Fixture.get()


def make_cell(route, caller, expected):
    def test(self):
        f = self.f
        method, path, body = route_request(f, route)
        before = f.a.state() if route in WRITES and expected >= 400 else None
        r = fc.request(method, path, json=body, **f.cred(caller))
        if expected in CODES:
            fc.assert_error(r, expected, CODES[expected])
        elif route.endswith("_csv"):
            self.assertEqual(r.status, expected, r)
            self.assertEqual(r.content_type, "text/csv")
        else:
            fc.assert_json(r, expected)
        if before is not None:
            self.assertEqual(f.a.state(), before, "a refused request changed hotel A")
    test.__doc__ = "%s as %s -> %s" % (route, caller, expected)
    return test


for _route, _row in MATRIX.items():
    for _caller, _expected in zip(CALLERS, _row):
        if _expected is None:
            continue
        setattr(AttendanceMatrix, "test_%s__%s" % (_route, _caller), make_cell(_route, _caller, _expected))


class CrossHotelObjects(unittest.TestCase):
    """Hotel A's managers naming hotel B's staff members and logs: 404, and
    neither hotel changes."""

    @classmethod
    def setUpClass(cls):
        cls.f = Fixture.get()

    def test_foreign_ids(self):
        a, b = self.f.a, self.f.b
        bsid = b.people[0]
        b.register(bsid)
        blog = fc.assert_json(fc.post(b.att("force-log/"), json={"staff_id": b.people[1], "reason": "b"},
                                      api_key=fc.ADMIN_KEY), 201)["log"]["id"]
        b.import_logs((b.people[2], ago(3600), None, None))
        bopen = b.open_log_id(b.people[2])
        cases = [
            ("POST", a.att("register-face/"), {"descriptor": person(), "consent_given": True, "staff_id": b.people[3]}),
            ("DELETE", a.att("revoke-face/%d/" % bsid), {"reason": "x"}),
            ("POST", a.att("force-log/"), {"staff_id": b.people[3], "reason": "x"}),
            ("POST", a.att("%d/approve/" % blog), {"approved": True}),
            ("POST", a.att("%d/long-session-ack/" % bopen), {"mode": "clocked_out"}),
            ("POST", a.att("%d/long-session-ack/" % blog), {"mode": "clocked_out"}),
        ]
        before_a, before_b = a.state(), b.state()
        for cred in ({"token": a.login("manager")}, {"token": a.login("admin")}, {"api_key": fc.ADMIN_KEY}):
            for method, path, body in cases:
                with self.subTest(cred=list(cred.values())[0][:8], path=path):
                    fc.assert_error(fc.request(method, path, json=body, **cred), 404, "NOT_FOUND")
        # the kiosk of A on A's slug with B's open log
        fc.assert_error(fc.post(a.att("%d/long-session-ack/" % bopen), json={"mode": "clocked_out"},
                                api_key=a.kiosk), 404, "NOT_FOUND")
        self.assertEqual((a.state(), b.state()), (before_a, before_b))
        # B's rows do not show in A's lists
        mgr = {"token": a.login("manager")}
        for rest in ("pending-approval/?limit=1000", "currently-clocked-in/?limit=1000", "?limit=1000",
                     "face-audit-logs/?limit=1000"):
            rows = fc.assert_json(fc.get(a.att(rest), **mgr), 200)
            ids = {x.get("id", x.get("log_id")) for x in rows}
            self.assertNotIn(blog, ids, rest)
            self.assertNotIn(bopen, ids, rest)
            self.assertFalse({x.get("staff_id", x.get("staff")) for x in rows} & set(b.people), rest)

    def test_unknown_slug(self):
        slug = fc.unique_slug("ghost")
        base = "/api/staff/hotel/%s/attendance/clock-logs/" % slug
        cases = [("POST", "register-face/", {"descriptor": person(), "consent_given": True, "staff_id": 1}),
                 ("DELETE", "revoke-face/1/", {"reason": "x"}),
                 ("POST", "face-clock-in/", {"descriptor": person()}),
                 ("POST", "unrostered-confirm/", {"confirmation_token": "x"}),
                 ("POST", "force-log/", {"staff_id": 1, "reason": "x"}),
                 ("GET", "pending-approval/", None),
                 ("POST", "1/approve/", {"approved": True}),
                 ("GET", "currently-clocked-in/", None),
                 ("POST", "1/long-session-ack/", {"mode": "clocked_out"}),
                 ("GET", "", None), ("GET", "?format=csv", None),
                 ("GET", "face-audit-logs/", None), ("GET", "face-audit-logs/?format=csv", None)]
        for method, rest, body in cases:
            for cred in ({"api_key": fc.ADMIN_KEY}, {"token": self.f.a.login("manager")},
                         {"api_key": self.f.a.kiosk}):
                with self.subTest(path=rest, cred=list(cred)[0]):
                    fc.assert_error(fc.request(method, base + rest, json=body, **cred), 404, "NOT_FOUND")

    def test_paths_without_trailing_slash(self):
        a = self.f.a
        mgr = {"token": a.login("manager")}
        for rest in ("pending-approval", "currently-clocked-in", "face-audit-logs"):
            fc.assert_json(fc.get(a.att(rest), **mgr), 200)
        fc.assert_json(fc.get(a.path("attendance/clock-logs"), **mgr), 200)
        r = fc.post(a.att("face-clock-in"), json={"descriptor": person()}, api_key=a.kiosk)
        fc.assert_error(r, 404, "FACE_NOT_RECOGNIZED")
