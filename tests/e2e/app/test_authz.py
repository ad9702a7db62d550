"""Authorization matrix: every caller kind against every route class of issue
2 on hotel A, one generated test per cell, with the expected status (401 no
or bad credentials, 404 another hotel's user, 403 role not allowed, 200/201
otherwise). Denied writes are checked to have changed nothing. Also: an
unknown hotel slug is 404 for everyone (pms-sync aside, see
test_pms_sync.py)."""

import unittest

import fc

CALLERS = ["none", "bad_key", "bad_token", "sysadmin", "staff", "manager", "hr", "admin",
           "manager_b", "admin_b", "kiosk"]

# route class -> expected status per caller (None: not part of the contract, not tested)
MATRIX = {
    #                 none bad_key bad_tok sys  staff mgr  hr   admin mgr_b adm_b kiosk
    "kiosks_list":    [401, 401,    401,    200, 403,  200, 403, 200,  404,  404,  403],
    "kiosks_create":  [401, 401,    401,    201, 403,  201, 403, 201,  404,  404,  403],
    "kiosks_revoke":  [401, 401,    401,    200, 403,  200, 403, 200,  404,  404,  403],
    "settings_read":  [401, 401,    401,    200, 403,  200, 200, 200,  404,  404,  403],
    "settings_write": [401, 401,    401,    200, 403,  200, 403, 200,  404,  404,  403],
    "staff_list":     [401, 401,    401,    200, 403,  200, 200, 200,  404,  404,  403],
    "pms_sync":       [401, 401,    401,    200, 403,  403, 403, 200,  404,  404,  403],
    "auth_me":        [401, 401,    401,    None, 200, 200, 200, 200,  200,  200,  200],
    "logout":         [401, 401,    401,    None, 200, 200, 200, 200,  200,  200,  None],
}

CODES = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND"}


class Fixture:
    """Hotels A and B and a kiosk of A, made once for the whole matrix."""
    _made = None

    @classmethod
    def get(cls):
        if cls._made is None:
            f = cls()
            f.a = fc.Hotel("mxa")
            f.a.create()
            f.b = fc.Hotel("mxb")
            f.b.create()
            f.kiosk = f.a.new_kiosk("Matrix kiosk")
            f.next_dept = 0
            cls._made = f
        return cls._made

    def cred(self, caller, fresh=False):
        a, b = self.a, self.b
        if caller == "none":
            return {}
        if caller == "bad_key":
            return {"api_key": "definitely-not-a-key"}
        if caller == "bad_token":
            return {"token": "0123456789abcdef0123456789abcdef"}
        if caller == "sysadmin":
            return {"api_key": fc.ADMIN_KEY}
        if caller == "kiosk":
            return {"api_key": self.kiosk["api_key"]}
        if caller.endswith("_b"):
            return {"token": b.login(caller[:-2], fresh=fresh)}
        return {"token": a.login(caller, fresh=fresh)}


def route_request(f, route):
    """(method, path, json body, check-after) for a route class on hotel A."""
    a = f.a
    if route == "kiosks_list":
        return "GET", a.path("kiosks/"), None, None
    if route == "kiosks_create":
        return "POST", a.path("kiosks/"), {"name": "matrix"}, None
    if route == "kiosks_revoke":
        k = a.new_kiosk("revoke target")

        def still_alive(tc, status):
            if status != 200:
                rows = fc.assert_json(fc.admin("GET", a.path("kiosks/?limit=1000")), 200)
                row = [r for r in rows if r["id"] == k["id"]][0]
                tc.assertIsNone(row["revoked_at"], "a refused revoke revoked the kiosk")
        return "DELETE", a.path("kiosks/%d/" % k["id"]), None, still_alive
    if route == "settings_read":
        return "GET", a.path("attendance/settings/"), None, None
    if route == "settings_write":
        def unchanged(tc, status):
            if status != 200:
                s = fc.assert_json(fc.admin("GET", a.path("attendance/settings/")), 200)
                tc.assertEqual(s["clock_in_early_minutes"], 120, "a refused PATCH changed settings")
        return "PATCH", a.path("attendance/settings/"), {"clock_in_early_minutes": 120}, unchanged
    if route == "staff_list":
        return "GET", a.path("staff/"), None, None
    if route == "pms_sync":
        # a department id of its own per cell, so each cell's check is independent
        f.next_dept += 1
        new_id = a.base + 900 + f.next_dept

        def no_department(tc, status):
            if status != 200:
                # a refused sync must not have created the department: a
                # sysadmin sync of it now reports it as created
                r = fc.admin("PUT", a.sync_path, json={"departments": [{"id": new_id, "name": "Matrix"}]})
                tc.assertEqual(fc.assert_json(r, 200)["departments"]["created"], 1,
                               "a refused sync created a department")
        return "PUT", a.sync_path, {"departments": [{"id": new_id, "name": "Matrix"}]}, no_department
    if route == "auth_me":
        return "GET", "/api/auth/me", None, None
    if route == "logout":
        return "POST", "/api/auth/logout", None, None
    raise KeyError(route)


class AuthzMatrix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = Fixture.get()


def make_cell(route, caller, expected):
    def test(self):
        f = self.f
        method, path, body, after = route_request(f, route)
        cred = f.cred(caller, fresh=(route == "logout"))
        r = fc.request(method, path, json=body, **cred)
        if expected in CODES:
            fc.assert_error(r, expected, CODES[expected])
        else:
            fc.assert_json(r, expected)
        if after:
            after(self, r.status)
        if route == "auth_me" and expected == 200 and caller == "kiosk":
            self.assertEqual((r.json["kind"], r.json["hotel"], r.json["kiosk_id"]),
                             ("kiosk", f.a.slug, f.kiosk["id"]))
        elif route == "auth_me" and expected == 200:
            user = r.json["user"]
            hotel = f.b if caller.endswith("_b") else f.a
            self.assertEqual(user["hotel"], hotel.slug)
            self.assertEqual(user["role"], caller[:-2] if caller.endswith("_b") else caller)
    test.__doc__ = "%s as %s -> %s" % (route, caller, expected)
    return test


for _route, _row in MATRIX.items():
    for _caller, _expected in zip(CALLERS, _row):
        if _expected is None:
            continue
        setattr(AuthzMatrix, "test_%s__%s" % (_route, _caller), make_cell(_route, _caller, _expected))


class UnknownHotel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = Fixture.get()
        cls.slug = fc.unique_slug("ghost")

    def test_unknown_slug_is_404(self):
        base = "/api/staff/hotel/%s/" % self.slug
        cases = [("GET", "kiosks/", None), ("POST", "kiosks/", {"name": "x"}),
                 ("DELETE", "kiosks/%d/" % self.f.kiosk["id"], None),
                 ("GET", "attendance/settings/", None),
                 ("PATCH", "attendance/settings/", {"enforce_limits": True}),
                 ("GET", "staff/", None)]
        for who in ("sysadmin", "manager", "admin"):
            cred = self.f.cred(who)
            for method, rest, body in cases:
                with self.subTest(who=who, method=method, path=rest):
                    fc.assert_error(fc.request(method, base + rest, json=body, **cred), 404, "NOT_FOUND")
        # the kiosk named above was not revoked through the ghost path
        fc.assert_error(fc.get(self.f.a.path("kiosks/"), api_key=self.f.kiosk["api_key"]), 403, "FORBIDDEN")
