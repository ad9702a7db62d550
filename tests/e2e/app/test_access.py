"""Who may call each route of handlers/app/routes.c, on which hotel
(contract 2, 3, 6; docs/iot.md "Who calls what"). ROUTES is one table of
route × caller kind → status, one generated test per cell, on hotel A:

- no credentials, or a key or token that is nobody's: 401 UNAUTHENTICATED
  (a page: 303 to the login page, with next= the page);
- hotel A's caller whose kind or role the route does not admit: 403
  FORBIDDEN (a page: the HTML 403);
- hotel B's caller: 404 NOT_FOUND for hotel A's slug in the path, whatever
  its role, and for hotel A's objects (person, device) named on a route
  whose hotel is the caller's own; there a list or a creation is simply
  B's own;
- otherwise the route's answer; a public route ignores any credential.

A refused write is checked to have changed nothing in hotel A (every table
of the hotel's). After the table, what it cannot say: an unknown slug,
hotel A's callers naming hotel B's objects, lists showing their own hotel
only, the same device id and employee code in two hotels, where a
provisioned device lands, a logged-out token; and that every route of
routes.c has a row here."""

import os
import re
import unittest
import urllib.parse

import fc
from attendance.att import ago, person
from devices import pki
from devices.iot import IotCase, IotHotel, emp, event_id, q, ts

CALLERS = ("none", "bad_key", "bad_token", "sysadmin", "staff", "manager", "hr", "admin", "kiosk", "device",
           "manager_b", "admin_b", "kiosk_b", "device_b")
CODES = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND"}
ONLY_A = "acc-only-a"                   # a device id hotel B does not have
ONLY_A_PLACE = "acc-only-a-place"       # ONLY_A's location: hotel B has none there
___ = None                              # not fixed by the contract: not tested

# id: (routes.c name, tenant, answer kind, status per caller of CALLERS)
# tenant: "path" ({hotel_slug}), "caller" (the credential's; the system
# administrator adds ?hotel=), None; kind: "json", "csv", "text", "page"
ROUTES = {
    #                                                           none bad_k bad_t sys staff mgr  hr  admin kiosk dev | mgr_b adm_b kio_b dev_b
    "healthz":          ("healthz", None, "json",               [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    "metrics":          ("metrics", None, "text",               [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    "openapi":          ("openapi", None, "json",               [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    # the test build only (#ifdef FC_TEST_ROUTES): the system administrator's
    # call kills a worker, tests/e2e/fcgi/test_crash.py makes it
    "test_crash":       ("test.crash", None, "json",            [401, 401, 401, ___, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    "login":            ("auth.login", None, "json",            [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    "logout":           ("auth.logout", None, "json",           [401, 401, 401, 403, 200, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    "me":               ("auth.me", None, "json",               [401, 401, 401, 403, 200, 200, 200, 200, 200, 403, 200, 200, 200, 403]),
    "pms_sync":         ("pms.sync", "path", "json",            [401, 401, 401, 200, 403, 403, 403, 200, 403, 403, 404, 404, 404, 404]),
    "kiosks_list":      ("kiosks.list", "path", "json",         [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 404, 404]),
    "kiosks_create":    ("kiosks.create", "path", "json",       [401, 401, 401, 201, 403, 201, 403, 201, 403, 403, 404, 404, 404, 404]),
    "kiosks_revoke":    ("kiosks.revoke", "path", "json",       [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 404, 404]),
    "staff_list":       ("staff.list", "path", "json",          [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "settings_get":     ("settings.get", "path", "json",        [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "settings_patch":   ("settings.patch", "path", "json",      [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 404, 404]),
    "register_self":    ("face.register", "path", "json",       [401, 401, 401, ___, 201, 201, 403, 201, 403, 403, 404, 404, 404, 404]),
    "register_other":   ("face.register", "path", "json",       [401, 401, 401, 201, 403, 201, 403, 201, 403, 403, 404, 404, 404, 404]),
    "revoke_face":      ("face.revoke", "path", "json",         [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 404, 404]),
    "scan":             ("clock.face", "path", "json",          [401, 401, 401, 200, 403, 403, 403, 403, 200, 403, 404, 404, 404, 404]),
    "confirm":          ("clock.confirm", "path", "json",       [401, 401, 401, 201, 403, 403, 403, 403, 201, 403, 404, 404, 404, 404]),
    "force_token":      ("clock.force", "path", "json",         [401, 401, 401, 201, 403, 201, 403, 201, 201, 403, 404, 404, 404, 404]),
    "force_staff":      ("clock.force", "path", "json",         [401, 401, 401, 201, 403, 201, 403, 201, ___, 403, 404, 404, 404, 404]),
    "logs":             ("attendance.clock_logs", "path", "json", [401, 401, 401, 200, 200, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "logs_csv":         ("attendance.clock_logs", "path", "csv",  [401, 401, 401, 200, 200, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "pending":          ("attendance.pending", "path", "json",  [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 404, 404]),
    "approve":          ("attendance.approve", "path", "json",  [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 404, 404]),
    "clocked_in":       ("attendance.clocked_in", "path", "json", [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 404, 404]),
    "ack":              ("attendance.long_session_ack", "path", "json", [401, 401, 401, 200, 403, 200, 403, 200, 200, 403, 404, 404, 404, 404]),
    "audit":            ("attendance.audit", "path", "json",    [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "audit_csv":        ("attendance.audit", "path", "csv",     [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "actions":          ("audit.actions", "path", "json",       [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "actions_csv":      ("audit.actions", "path", "csv",        [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "insights":         ("insights", "path", "json",            [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "system_actions":   ("audit.system_actions", None, "json",  [401, 401, 401, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    "alerts":           ("alerts.list", "path", "json",         [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "alerts_csv":       ("alerts.list", "path", "csv",          [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "alert_rules":      ("alerts.rules_get", "path", "json",    [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "alert_rules_patch": ("alerts.rules_patch", "path", "json", [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 404, 404]),
    "alert_ack":        ("alerts.acknowledge", "path", "json",  [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 404, 404]),
    "alert_resolve":    ("alerts.resolve", "path", "json",      [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 404, 404]),
    "notify_list":      ("notifications.endpoints_list", "path", "json",   [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "notify_create":    ("notifications.endpoints_create", "path", "json", [401, 401, 401, 201, 403, 201, 403, 201, 403, 403, 404, 404, 404, 404]),
    "notify_patch":     ("notifications.endpoints_patch", "path", "json",  [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 404, 404]),
    "notify_delete":    ("notifications.endpoints_delete", "path", "json", [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 404, 404]),
    "notify_test":      ("notifications.endpoints_test", "path", "json",   [401, 401, 401, 202, 403, 202, 403, 202, 403, 403, 404, 404, 404, 404]),
    "notify_deliveries": ("notifications.deliveries", "path", "json",      [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "capture":          ("enrollment.capture", "caller", "json", [401, 401, 401, 201, 403, 201, 403, 201, 403, 403, 404, 404, 403, 403]),
    "enrollment":       ("enrollment.get", "caller", "json",    [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 403, 403]),
    "push":             ("iot.push", "caller", "json",          [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 403, 403]),
    "sync":             ("iot.sync", "caller", "json",          [401, 401, 401, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 404]),
    "devices_create":   ("devices.create", "caller", "json",    [401, 401, 401, 201, 403, 403, 403, 201, 403, 403, 403, 201, 403, 403]),
    "devices_list":     ("devices.list", "caller", "json",      [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    "provision":        ("devices.provision", None, "json",     [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    "devices_token":    ("devices.token", "caller", "json",     [401, 401, 401, 201, 403, 403, 403, 201, 403, 403, 403, 404, 403, 403]),
    "devices_delete":   ("devices.deactivate", "caller", "json", [401, 401, 401, 200, 403, 403, 403, 200, 403, 403, 403, 404, 403, 403]),
    "devices_allocate": ("devices.allocate", "caller", "json",  [401, 401, 401, 200, 403, 403, 403, 200, 403, 403, 403, 404, 403, 403]),
    "devices_disable":  ("devices.disable", "caller", "json",   [401, 401, 401, 200, 403, 403, 403, 200, 403, 403, 403, 404, 403, 403]),
    "devices_enable":   ("devices.enable", "caller", "json",    [401, 401, 401, 200, 403, 403, 403, 200, 403, 403, 403, 404, 403, 403]),
    "devices_clear_error": ("devices.clear_error", "caller", "json", [401, 401, 401, 200, 403, 403, 403, 200, 403, 403, 403, 404, 403, 403]),
    "heartbeat":        ("devices.heartbeat", "caller", "json", [401, 401, 401, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 404]),
    "certificate":      ("devices.certificate", "caller", "json", [401, 401, 401, 403, 403, 403, 403, 403, 403, 201, 403, 403, 403, 404]),
    "events_create":    ("events.create", "caller", "json",     [401, 401, 401, 403, 403, 403, 403, 403, 403, 201, 403, 403, 403, 201]),
    "events_list":      ("events.list", "caller", "json",       [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    "device_metrics":   ("devices.metrics", "caller", "json",   [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 403, 403]),
    "device_config":    ("devices.config", "caller", "json",    [401, 401, 401, 200, 403, 200, 200, 200, 403, 200, 404, 404, 403, 404]),
    "device_config_put": ("devices.config_put", "caller", "json", [401, 401, 401, 200, 403, 403, 403, 200, 403, 403, 403, 404, 403, 403]),
    "location_config":  ("locations.config", "caller", "json",  [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 403, 403]),
    "location_config_put": ("locations.config_put", "caller", "json", [401, 401, 401, 200, 403, 200, 403, 200, 403, 403, 404, 404, 403, 403]),
    "device_tier":      ("devices.tier", "caller", "json",      [401, 401, 401, 200, 403, 403, 403, 200, 403, 403, 403, 404, 403, 403]),
    "device_acl":       ("devices.acl", "caller", "json",       [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 403, 403]),
    "actions_create":   ("devices.actions_create", "caller", "json", [401, 401, 401, 201, 403, 403, 403, 201, 403, 403, 403, 404, 403, 403]),
    "actions_list":     ("devices.actions_list", "caller", "json", [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 403, 403]),
    "actions_ack":      ("devices.actions_ack", "caller", "json", [401, 401, 401, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 404]),
    "revocations":      ("revocations.list", "caller", "json",  [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    # the authorization nchan asks for (a plain JSON GET reaches it too)
    "live_hotel":       ("live.hotel", "path", "json",          [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "live_kiosk":       ("live.kiosk", "caller", "json",        [401, 401, 401, 403, 403, 403, 403, 403, 200, 403, 403, 403, 404, 403]),
    "live_catchup":     ("live.catchup", "path", "json",        [401, 401, 401, 200, 403, 200, 200, 200, 403, 403, 404, 404, 404, 404]),
    "page_login":       ("page.login", None, "page",            [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    "page_logout":      ("page.logout", "caller", "page",       [303, 303, 303, 403, 200, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    "page_board":       ("page.board", "caller", "page",        [303, 303, 303, 403, 303, 200, 303, 200, 403, 403, 200, 200, 403, 403]),
    "page_approvals":   ("page.approvals", "caller", "page",    [303, 303, 303, 403, 403, 200, 403, 200, 403, 403, 200, 200, 403, 403]),
    "page_staff":       ("page.staff", "caller", "page",        [303, 303, 303, 403, 403, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    "page_audit":       ("page.audit", "caller", "page",        [303, 303, 303, 403, 403, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    "page_clock_logs":  ("page.clock_logs", "caller", "page",   [303, 303, 303, 403, 403, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    "page_insights":    ("page.insights", "caller", "page",     [303, 303, 303, 403, 403, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    "page_settings":    ("page.settings", "caller", "page",     [303, 303, 303, 403, 403, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    "page_kiosks":      ("page.kiosks", "caller", "page",       [303, 303, 303, 403, 403, 200, 403, 200, 403, 403, 200, 200, 403, 403]),
    "page_devices":     ("page.devices", "caller", "page",      [303, 303, 303, 403, 403, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    "page_alerts":      ("page.alerts", "caller", "page",       [303, 303, 303, 403, 403, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    "page_register":    ("page.staff_register", "caller", "page", [303, 303, 303, 403, 403, 200, 403, 200, 403, 403, 404, 404, 403, 403]),
    "page_me":          ("page.me", "caller", "page",           [303, 303, 303, 403, 200, 200, 200, 200, 403, 403, 200, 200, 403, 403]),
    "page_enroll":      ("page.enroll", "caller", "page",       [303, 303, 303, 403, 403, 200, 403, 200, 403, 403, 200, 200, 403, 403]),
}


# rows of routes declared under #ifdef FC_TEST_ROUTES in routes.c: tested
# when the served document has them (the test build), skipped otherwise
TEST_BUILD_ONLY = ("test_crash",)
_served_names = []


def served_by_this_build(name):
    """Whether the served OpenAPI document has an operation named name."""
    if not _served_names:
        doc = fc.assert_json(fc.get("/api/openapi.json"), 200)
        _served_names.extend(op["operationId"] for item in doc["paths"].values() for op in item.values())
    return name in _served_names


class Req:
    """A request of a cell: after(case, answer) checks its effect, if any."""

    def __init__(self, method, path, body=None, after=None):
        self.method, self.path, self.body, self.after = method, path, body, after


class World:
    """Hotels A and B, made once for the module: each with a kiosk, an
    enrolled person pushed to an online device "acc-cam" (both hotels have
    one), a second device "acc-cam2"; A also has ONLY_A. fresh() hands out
    A's people without face data or sessions, one per cell that needs one."""
    _made = None

    @classmethod
    def get(cls):
        if cls._made is None:
            cls._made = cls()
        return cls._made

    def __init__(self):
        self.a = IotHotel("acca", extra=160).make()
        self.b = IotHotel("accb", extra=8).make()
        for h in (self.a, self.b):
            h.kiosk_row = h.new_kiosk("Access kiosk")
            h.dev = h.device("acc-cam")
            h.dev2 = h.device("acc-cam2")
            h.sid = h.people[0]
            h.enroll(h.sid)
            h.push_ok(h.sid, h.dev)
        self.a.create_device(ONLY_A, location_label=ONLY_A_PLACE)
        self.register_sid = self.a.people[1]    # the page a manager registers a face on
        self._next = 2
        self._seq = 0

    def fresh(self):
        sid = self.a.people[self._next]
        self._next += 1
        return sid

    def seq(self):
        self._seq += 1
        return self._seq

    def fresh_device(self):
        """A device of A only, created for this cell (provisioning)."""
        device_id = "acc-new-%d" % self.seq()
        return device_id, fc.assert_json(self.a.create_device(device_id), 201)

    def hotel_of(self, caller):
        return self.b if caller.endswith("_b") else self.a

    def cred(self, caller, fresh=False, page=False):
        h = self.hotel_of(caller)
        kind = caller[:-2] if caller.endswith("_b") else caller
        if kind == "none":
            return {}
        if kind == "bad_key":
            return {"api_key": "definitely-not-a-key"}
        if kind == "bad_token":
            # shaped like a token, so that it is looked up, and found by no one
            return {"token": "0123456789abcdef" * 4}
        if kind == "sysadmin":
            return {"api_key": fc.ADMIN_KEY}
        if kind == "kiosk":
            return {"api_key": h.kiosk_row["api_key"]}
        if kind == "device":
            return {"api_key": h.dev.key}
        tok = h.login(kind, fresh=fresh)
        return {"cookie": "fc_token=" + tok} if page else {"token": tok}

    def state(self):
        """Every table of hotel A's, as count and digest per table."""
        tables = ("attendance_settings", "departments", "staff", "kiosks", "roster_shifts", "clock_logs",
                  "face_data", "face_audit_log", "used_confirmation_tokens", "enrollments", "devices",
                  "face_changes", "device_profiles", "device_events", "alerts", "alert_rules",
                  "kiosk_scan_failures", "notification_endpoints")
        parts = ["SELECT 'hotels' AS t, count(*) AS n, md5(string_agg(x::text, ',')) AS m "
                 "FROM hotels x WHERE id = %d" % self.a.hotel_id]
        parts += ["SELECT '%s', count(*), md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) "
                  "FROM %s x WHERE hotel_id = %d" % (t, t, self.a.hotel_id) for t in tables]
        # the events, not the deliveries: the notifier queues those from the
        # events on its own time (sql/029_event_cursor.sql) and works on them
        parts.append("SELECT 'events', count(*), md5(coalesce(string_agg((x.id, x.type, x.data)::text, ',' "
                     "ORDER BY x.id), '')) FROM events x WHERE hotel_id = %d" % self.a.hotel_id)
        return fc.psql("SELECT string_agg(t || ' ' || n || ' ' || m, E'\\n' ORDER BY t) FROM (%s) s"
                       % " UNION ALL ".join(parts))


# ------------------------------------------------------------ the requests

def build(w, row, caller):
    """The Req of a row on hotel A, with whatever it needs made fresh for
    this one cell."""
    a = w.a
    att = a.att
    if row == "healthz":
        return Req("GET", "/healthz")
    if row == "metrics":
        return Req("GET", "/metrics")
    if row == "openapi":
        return Req("GET", "/api/openapi.json")
    if row == "test_crash":
        return Req("GET", "/api/test/crash")
    if row == "login":
        u = a.users["staff"]

        def token(tc, r):
            tc.assertIsInstance(r.json["token"], str)
        return Req("POST", "/api/auth/login", {"username": u["username"], "password": u["password"]}, token)
    if row == "logout":
        return Req("POST", "/api/auth/logout")
    if row == "me":
        def who(tc, r):
            if r.status != 200:
                return
            h = w.hotel_of(caller)
            if caller.startswith("kiosk"):
                tc.assertEqual((r.json["kind"], r.json["hotel"], r.json["kiosk_id"]),
                               ("kiosk", h.slug, h.kiosk_row["id"]))
            else:
                tc.assertEqual((r.json["user"]["hotel"], r.json["user"]["role"]),
                               (h.slug, caller[:-2] if caller.endswith("_b") else caller))
        return Req("GET", "/api/auth/me", after=who)
    if row == "pms_sync":
        # a department of its own per cell
        return Req("PUT", a.sync_path, {"departments": [{"id": a.base + 700 + w.seq(), "name": "Access"}]})
    if row == "kiosks_list":
        return Req("GET", a.path("kiosks/"))
    if row == "kiosks_create":
        return Req("POST", a.path("kiosks/"), {"name": "access"})
    if row == "kiosks_revoke":
        return Req("DELETE", a.path("kiosks/%d/" % a.new_kiosk("revoke target")["id"]))
    if row == "staff_list":
        return Req("GET", a.path("staff/"))
    if row == "settings_get":
        return Req("GET", a.path("attendance/settings/"))
    if row == "settings_patch":
        # a value of its own per cell, so a refused PATCH let through shows
        return Req("PATCH", a.path("attendance/settings/"), {"clock_in_early_minutes": 10 + w.seq()})
    if row == "register_self":
        return Req("POST", att("register-face/"), {"descriptor": person(), "consent_given": True})
    if row == "register_other":
        return Req("POST", att("register-face/"), {"descriptor": person(), "consent_given": True,
                                                   "staff_id": w.fresh()})
    if row == "revoke_face":
        sid = w.fresh()
        a.register(sid)
        return Req("DELETE", att("revoke-face/%d/" % sid), {"reason": "access"})
    if row == "scan":
        return Req("POST", att("face-clock-in/"), {"descriptor": a.register(w.fresh())})
    if row in ("confirm", "force_token"):
        tok = fc.assert_json(a.scan(a.register(w.fresh())), 200)["confirmation_token"]
        if row == "confirm":
            return Req("POST", att("unrostered-confirm/"), {"confirmation_token": tok})
        return Req("POST", att("force-log/"), {"confirmation_token": tok, "reason": "access"})
    if row == "force_staff":
        return Req("POST", att("force-log/"), {"staff_id": w.fresh(), "reason": "access"})
    if row == "logs":
        return Req("GET", att(""))
    if row == "logs_csv":
        return Req("GET", att("?format=csv"))
    if row == "pending":
        return Req("GET", att("pending-approval/"))
    if row == "approve":
        r = fc.post(att("force-log/"), json={"staff_id": w.fresh(), "reason": "access"}, api_key=fc.ADMIN_KEY)
        lid = fc.assert_json(r, 201)["log"]["id"]
        return Req("POST", att("%d/approve/" % lid), {"approved": True, "note": "access"})
    if row == "clocked_in":
        return Req("GET", att("currently-clocked-in/"))
    if row == "ack":
        sid = w.fresh()
        a.import_logs((sid, ago(3600), None, None))
        return Req("POST", att("%d/long-session-ack/" % a.open_log_id(sid)), {"mode": "clocked_out"})
    if row == "audit":
        return Req("GET", att("face-audit-logs/"))
    if row == "audit_csv":
        return Req("GET", att("face-audit-logs/?format=csv"))
    if row == "actions":
        return Req("GET", a.path("action-audit-logs/"))
    if row == "actions_csv":
        return Req("GET", a.path("action-audit-logs/?format=csv"))
    if row == "insights":
        return Req("GET", a.path("insights/?from=2025-11-24&to=2025-11-30"))
    if row == "system_actions":
        return Req("GET", "/api/action-audit-logs/")
    if row == "alerts":
        return Req("GET", a.path("alerts/"))
    if row == "alerts_csv":
        return Req("GET", a.path("alerts/?format=csv"))
    if row == "alert_rules":
        return Req("GET", a.path("alerts/rules/"))
    if row == "alert_rules_patch":
        # a value of its own per cell, so a refused PATCH let through shows
        return Req("PATCH", a.path("alerts/rules/"), {"device_offline": {"minutes": 10 + w.seq()}})
    if row in ("alert_ack", "alert_resolve"):
        # an open alert of its own per cell
        alert_id = int(fc.psql("INSERT INTO alerts (hotel_id, rule, subject) VALUES (%d, 'face_revoked', "
                               "'staff:%d') RETURNING id" % (a.hotel_id, w.seq()), check=True).split()[0])
        return Req("POST", a.path("alerts/%d/%s/" % (alert_id, "acknowledge" if row == "alert_ack" else "resolve")))
    if row == "notify_list":
        return Req("GET", a.path("notifications/endpoints/"))
    if row == "notify_create":
        return Req("POST", a.path("notifications/endpoints/"),
                   {"kind": "email", "address": "access%d@example.com" % w.seq(), "events": ["alert.*"]})
    if row in ("notify_patch", "notify_delete", "notify_test"):
        # an endpoint of its own per cell
        ep = int(fc.psql("INSERT INTO notification_endpoints (hotel_id, kind, address, events) VALUES (%d, 'email', "
                         "'access%d@example.com', '{alert.*}') RETURNING id" % (a.hotel_id, w.seq()),
                         check=True).split()[0])
        path = a.path("notifications/endpoints/%d/" % ep)
        if row == "notify_patch":
            return Req("PATCH", path, {"description": "access %d" % w.seq()})
        if row == "notify_delete":
            return Req("DELETE", path)
        return Req("POST", path + "test/")
    if row == "notify_deliveries":
        return Req("GET", a.path("notifications/deliveries/"))
    if row == "capture":
        return Req("POST", "/api/enrollment/capture", a.capture_body(w.fresh()))
    if row == "enrollment":
        return Req("GET", "/api/enrollment/%s" % emp(a.sid))
    if row == "push":
        return Req("POST", "/api/iot/enrollments/push",
                   {"employee_id": emp(a.sid), "push_mode": "selected", "target_devices": [a.dev.device_id]})
    if row in ("sync", "heartbeat"):
        # hotel B's device names a device only A has
        device_id = ONLY_A if caller.endswith("_b") else a.dev.device_id
        if row == "sync":
            return Req("GET", q("/api/iot/enrollments/sync", device_id=device_id, since_version=0))
        return Req("POST", "/api/iot/devices/%s/heartbeat" % device_id, {})
    if row == "certificate":
        # a request of hotel A's device; hotel B's device names a device only A has
        device_id = ONLY_A if caller.endswith("_b") else a.dev.device_id
        return Req("POST", "/api/iot/devices/%s/certificate" % device_id, {"csr": pki.csr(a.dev.device_id)[0]})
    if row == "devices_create":
        device_id = "acc-made-%d" % w.seq()

        def lands(tc, r):
            if r.status == 201:
                # in the caller's own hotel only
                mine, other = (w.b, w.a) if caller.endswith("_b") else (w.a, w.b)
                tc.assertIsNotNone(mine.listed(device_id))
                tc.assertIsNone(other.listed(device_id))
        return Req("POST", "/api/iot/devices", {"device_id": device_id, "display_name": "New"}, lands)
    if row == "devices_list":
        return Req("GET", "/api/iot/devices")
    if row == "provision":
        device_id, created = w.fresh_device()
        return Req("POST", "/api/iot/devices/provision",
                   {"device_id": device_id, "provisioning_token": created["provisioning_token"]})
    if row == "devices_token":
        return Req("POST", "/api/iot/devices/%s/provisioning-token" % w.fresh_device()[0], {})
    if row == "devices_delete":
        return Req("DELETE", "/api/iot/devices/%s" % w.fresh_device()[0])
    if row in ("devices_allocate", "devices_disable", "devices_enable", "devices_clear_error"):
        # a device of A only, in a lifecycle the transition is allowed from
        device_id = "acc-lc-%d" % w.seq()
        start, method, tail, body = {
            "devices_allocate": ("UNALLOCATED", "POST", "/allocate", {"location_label": "Lobby"}),
            "devices_disable": ("ACTIVE", "POST", "/disable", {}),
            "devices_enable": ("DISABLED", "POST", "/enable", {}),
            "devices_clear_error": ("ERROR", "DELETE", "/error", None),
        }[row]
        w.a.in_lifecycle(device_id, start)
        return Req(method, "/api/iot/devices/%s%s" % (device_id, tail), body)
    if row == "events_create":
        eid = event_id()

        def lands(tc, r):
            if r.status != 201:
                return
            n = fc.psql("SELECT count(*) FROM device_events WHERE hotel_id = %d AND event_id = %s"
                        % (w.a.hotel_id, fc.sql_str(eid)))
            tc.assertEqual(n, "0" if caller.endswith("_b") else "1", "event %s in hotel A" % eid)
        return Req("POST", "/api/iot/events",
                   {"event_id": eid, "event_type": "face_recognition", "event_timestamp": ts(), "metadata": {}},
                   lands)
    if row == "live_hotel":
        return Req("GET", "/api/events/hotel/%s" % a.slug)
    if row == "live_kiosk":
        return Req("GET", "/api/events/kiosk/%d" % a.kiosk_row["id"])
    if row == "live_catchup":
        return Req("GET", "/api/staff/hotel/%s/events/?after=0" % a.slug)
    if row == "events_list":
        return Req("GET", "/api/iot/events")
    if row == "device_metrics":
        return Req("GET", "/api/iot/devices/%s/metrics" % ONLY_A)
    if row == "revocations":
        return Req("GET", "/api/iot/revocations")
    if row == "device_config":
        # hotel A's callers read A's device (the device its own); B's name one only A has
        device_id = ONLY_A if caller.endswith("_b") else a.dev.device_id
        return Req("GET", "/api/iot/devices/%s/config" % device_id)
    if row == "actions_create":
        return Req("POST", "/api/iot/devices/%s/actions" % ONLY_A, {"action": "sync_now"})
    if row == "actions_list":
        return Req("GET", "/api/iot/devices/%s/actions" % ONLY_A)
    if row == "actions_ack":
        # an action of hotel A's device; hotel B's device names a device only A has
        r = fc.post("/api/iot/devices/%s/actions" % a.dev.device_id, json={"action": "restart"},
                    token=a.login("admin"))
        action_id = fc.assert_json(r, 201)["id"]
        device_id = ONLY_A if caller.endswith("_b") else a.dev.device_id
        return Req("POST", "/api/iot/devices/%s/actions/%d/ack" % (device_id, action_id), {})
    if row == "location_config":
        return Req("GET", "/api/iot/locations/%s/config" % ONLY_A_PLACE)
    if row == "location_config_put":
        return Req("PUT", "/api/iot/locations/%s/config" % ONLY_A_PLACE, {"min_face_px": 100})
    if row == "device_config_put":
        return Req("PUT", "/api/iot/devices/%s/config" % ONLY_A, {"recognition_threshold": 0.5})
    if row == "device_tier":
        return Req("PUT", "/api/iot/devices/%s/tier" % ONLY_A, {"tier": "camera"})
    if row == "device_acl":
        return Req("GET", "/api/iot/devices/%s/acl" % ONLY_A)
    pages = {"page_login": "/dashboard/login", "page_logout": "/dashboard/logout", "page_board": "/dashboard/",
             "page_approvals": "/dashboard/approvals", "page_staff": "/dashboard/staff",
             "page_audit": "/dashboard/audit", "page_clock_logs": "/dashboard/clock-logs",
             "page_insights": "/dashboard/insights", "page_settings": "/dashboard/settings",
             "page_kiosks": "/dashboard/kiosks", "page_alerts": "/dashboard/alerts",
             "page_devices": "/dashboard/devices",
             "page_register": "/dashboard/staff/%d/register" % w.register_sid,
             "page_me": "/dashboard/me", "page_enroll": "/enroll/"}
    return Req("GET", pages[row])


# ------------------------------------------------------------ the table

def check(tc, kind, r, expected, path, caller):
    """The answer r is the expected one for its kind of route."""
    if kind == "page":
        tc.assertEqual(r.status, expected, r)
        if expected == 303:
            loc = urllib.parse.urlsplit(r.header("Location"))
            if caller in ("none", "bad_key", "bad_token"):
                tc.assertEqual(loc.path, "/dashboard/login")
                tc.assertEqual(urllib.parse.parse_qs(loc.query)["next"], [path])
            else:
                # the board sends staff and HR to a page of theirs
                tc.assertRegex(loc.path, r"^/dashboard/[a-z-]+$")
                tc.assertNotEqual(loc.path, "/dashboard/login")
            return
        tc.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        tc.assertEqual(r.header("Cache-Control"), "no-store")
        if expected == 403:
            tc.assertIn("<h1>Not allowed</h1>", r.text)
    elif expected in CODES:
        fc.assert_error(r, expected, CODES[expected])
    elif kind == "csv":
        tc.assertEqual(r.status, expected, r)
        tc.assertEqual(r.content_type, "text/csv")
    elif kind == "text":
        tc.assertEqual(r.status, expected, r)
        tc.assertEqual(r.content_type, "text/plain")
    else:
        fc.assert_json(r, expected)


class Table(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.w = World.get()


def make_cell(row, caller, expected):
    _, tenant, kind, _ = ROUTES[row]

    def test(self):
        if row in TEST_BUILD_ONLY and not served_by_this_build(ROUTES[row][0]):
            self.skipTest("%s is in the test build only" % ROUTES[row][0])
        w = self.w
        req = build(w, row, caller)
        path = req.path
        if caller == "sysadmin" and tenant == "caller":
            path = q(path, hotel=w.a.slug)
        cred = w.cred(caller, fresh=row in ("logout", "page_logout"), page=kind == "page")
        headers = {"Accept": "text/html"} if kind == "page" else None
        before = w.state() if req.method != "GET" and expected >= 400 else None
        r = fc.request(req.method, path, json=req.body, headers=headers, **cred)
        check(self, kind, r, expected, req.path, caller)
        if before is not None:
            self.assertEqual(w.state(), before, "a refused request changed hotel A")
        if req.after:
            req.after(self, r)
    test.__doc__ = "%s as %s -> %s" % (row, caller, expected)
    return test


for _row, (_name, _tenant, _kind, _statuses) in ROUTES.items():
    assert len(_statuses) == len(CALLERS), _row
    for _caller, _expected in zip(CALLERS, _statuses):
        if _expected is not None:
            setattr(Table, "test_%s__%s" % (_row, _caller), make_cell(_row, _caller, _expected))


class EveryRoute(unittest.TestCase):
    def test_every_route_has_a_row(self):
        """A route added to routes.c without a row here fails."""
        with open(os.path.join(fc.REPO, "handlers", "app", "routes.c"), encoding="utf-8") as f:
            src = f.read()
        names = set(re.findall(r'\.name = "([a-z_.]+)"', src))
        self.assertGreater(len(names), 40, "routes.c not understood")
        self.assertEqual(names, {v[0] for v in ROUTES.values()})


# ------------------------------------------------------ beyond the table

class Tenancy(IotCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.w = World.get()

    def test_unknown_slug(self):
        """Every route with {hotel_slug}, on a slug no hotel has: 404 for the
        system administrator and for hotel A's callers alike (the sync
        aside, for which the system administrator creates the hotel:
        people/test_pms_sync.py), and hotel A is left alone."""
        w, a = self.w, self.w.a
        ghost = fc.unique_slug("ghost")
        reqs = [(row, build(w, row, "sysadmin")) for row, v in ROUTES.items() if v[1] == "path"]
        before = w.state()
        for who in ("sysadmin", "manager", "admin", "kiosk"):
            cred = w.cred(who)
            for row, req in reqs:
                if row == "pms_sync" and who == "sysadmin":
                    continue
                with self.subTest(caller=who, route=row):
                    path = re.sub(r"/hotel/%s(/|$)" % re.escape(a.slug), r"/hotel/%s\1" % ghost, req.path)
                    self.assertNotIn(a.slug, path)
                    fc.assert_error(fc.request(req.method, path, json=req.body, **cred), 404, "NOT_FOUND")
        self.assertEqual(w.state(), before)

    def test_foreign_ids(self):
        """Hotel A's callers on A's slug naming hotel B's staff members and
        logs: 404, and neither hotel changes; B's rows do not show in A's
        lists."""
        a, b = self.w.a, self.w.b
        bsid = b.people[1]
        b.register(bsid)
        blog = fc.assert_json(fc.post(b.att("force-log/"), json={"staff_id": b.people[2], "reason": "b"},
                                      api_key=fc.ADMIN_KEY), 201)["log"]["id"]
        b.import_logs((b.people[3], ago(3600), None, None))
        bopen = b.open_log_id(b.people[3])
        cases = [
            ("POST", a.att("register-face/"), {"descriptor": person(), "consent_given": True, "staff_id": b.people[4]}),
            ("DELETE", a.att("revoke-face/%d/" % bsid), {"reason": "x"}),
            ("POST", a.att("force-log/"), {"staff_id": b.people[4], "reason": "x"}),
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
                                api_key=a.kiosk_row["api_key"]), 404, "NOT_FOUND")
        self.assertEqual((a.state(), b.state()), (before_a, before_b))
        mgr = {"token": a.login("manager")}
        for rest in ("pending-approval/?limit=1000", "currently-clocked-in/?limit=1000", "?limit=1000",
                     "face-audit-logs/?limit=1000"):
            rows = fc.assert_json(fc.get(a.att(rest), **mgr), 200)
            if not rest.startswith("face-audit-logs/"):     # (an audit row's id is not a log's)
                ids = {x.get("id", x.get("log_id")) for x in rows}
                self.assertNotIn(blog, ids, rest)
                self.assertNotIn(bopen, ids, rest)
            self.assertFalse({x.get("staff_id", x.get("staff")) for x in rows} & set(b.people), rest)

    def test_other_hotel_objects(self):
        """What the table's hotel B columns leave out: B's HR and the system
        administrator naming hotel B cannot reach A's person, a push of
        every device is 404 too, and B pushing its own person to a device
        only A has finds no device."""
        w, a, b = self.w, self.w.a, self.w.b
        before = w.state()
        a_emp = emp(a.sid)
        fc.assert_error(fc.get("/api/enrollment/%s" % a_emp, token=b.login("hr")), 404, "NOT_FOUND")
        fc.assert_error(b.sys("GET", "/api/enrollment/%s" % a_emp), 404, "NOT_FOUND")
        for kind in ("manager", "admin"):
            with self.subTest(caller=kind):
                r = fc.post("/api/iot/enrollments/push", json={"employee_id": a_emp, "push_mode": "all"},
                            token=b.login(kind))
                fc.assert_error(r, 404, "NOT_FOUND")
        body = fc.assert_json(fc.post("/api/iot/enrollments/push",
                                      json={"employee_id": emp(b.sid), "push_mode": "selected",
                                            "target_devices": [ONLY_A]}, token=b.login("manager")), 200)
        self.assertEqual(body["data"]["results"], [{"device_id": ONLY_A, "success": False,
                                                   "error": "Device not found"}])
        self.assertEqual(w.state(), before)

    def test_same_device_id_means_own_hotel(self):
        """Both hotels have "acc-cam" and "acc-cam2": each credential reaches
        its own."""
        a, b = self.w.a, self.w.b
        a.set_offline(a.dev)
        fc.assert_json(b.heartbeat(b.dev), 200)
        self.assertEqual(a.listed("acc-cam")["status"], "offline")
        self.assertEqual(b.listed("acc-cam")["status"], "online")
        # B's sync of "acc-cam" is B's profile, not A's
        sb = self.assert_sync(b.sync_ok(b.dev, 0))
        self.assertEqual([x["user_id"] for x in sb["additions"]], [emp(b.sid)])
        # B's admin deactivating "acc-cam2" leaves A's alone
        fc.assert_json(fc.delete("/api/iot/devices/acc-cam2", token=b.login("admin")), 200)
        self.assertIsNotNone(a.listed("acc-cam2"))
        self.assertIsNone(b.listed("acc-cam2"))
        fc.assert_json(a.heartbeat(a.dev2), 200)
        a.set_heartbeat_age(a.dev, 0)

    def test_lists_show_own_hotel_only(self):
        a, b = self.w.a, self.w.b
        fc.assert_json(a.event(a.dev, employee_id=emp(a.sid))[0], 201)
        for kind in ("manager", "hr", "admin"):
            with self.subTest(caller=kind):
                rows = fc.assert_json(fc.get("/api/iot/events", token=b.login(kind)), 200)
                self.assertTrue(all(e["employee_id"] != emp(a.sid) for e in rows), rows)
                devs = fc.assert_json(fc.get(q("/api/iot/devices", limit=1000), token=b.login(kind)), 200)
                mine = fc.psql("SELECT string_agg(device_id, ',' ORDER BY device_id) FROM devices "
                               "WHERE hotel_id = %d AND deactivated_at IS NULL" % b.hotel_id)
                self.assertEqual(",".join(sorted(d["device_id"] for d in devs["devices"])), mine)
        rows = fc.assert_json(fc.get(q("/api/iot/events", employee_id=emp(a.sid)), token=b.login("manager")), 200)
        self.assertEqual(rows, [])

    def test_provisioned_device_lands_in_its_hotel(self):
        """Provisioning is public (the table): the token is what counts, and
        the device is its hotel's, whoever's credential came along."""
        w, a, b = self.w, self.w.a, self.w.b
        device_id, created = w.fresh_device()
        r = fc.post("/api/iot/devices/provision",
                    json={"device_id": device_id, "provisioning_token": created["provisioning_token"]},
                    token=b.login("admin"))
        key = fc.assert_json(r, 200)["api_key"]
        self.assertEqual(a.listed(device_id)["status"], "offline")
        self.assertIsNone(b.listed(device_id))
        fc.assert_error(fc.post("/api/iot/devices/%s/heartbeat" % device_id, json={}, api_key=key + "0"),
                        401, "UNAUTHENTICATED")

    def test_logged_out_token(self):
        a = self.w.a
        tok = a.login("manager", fresh=True)
        fc.assert_json(fc.post("/api/auth/logout", token=tok), 200)
        for path in ("/api/iot/devices", "/api/iot/events", "/api/enrollment/%s" % emp(a.sid)):
            with self.subTest(path=path):
                fc.assert_error(fc.get(path, token=tok), 401, "UNAUTHENTICATED")


class SameEmployeeCode(IotCase):
    def test_codes_are_per_hotel(self):
        """Two hotels with a staff member of the same employee_code: each
        hotel's calls reach its own person only."""
        a = IotHotel("codea").make()
        b = IotHotel("codeb")
        code = emp(a.people[0])
        row = [r for r in b.staff if r["id"] == b.people[0]][0]
        row["employee_code"] = code
        b.make()
        da = a.device("code-cam")
        db = b.device("code-cam")
        fa = a.enroll(a.people[0])
        a.push_ok(code, da)
        va = a.sync_ok(da, 0)["sync_version"]
        # B sees its own, unenrolled person under that code
        g = fc.assert_json(fc.get("/api/enrollment/%s" % code, token=b.login("manager")), 200)
        self.assertEqual(g["enrollment_status"], "unenrolled")
        self.assertEqual(g["devices"], [])
        fc.assert_error(b.push(code, targets=[db]), 404, "NOT_FOUND")
        # B enrolls its person, pushes, revokes: A's device notices nothing
        fb = b.enroll(b.people[0])
        b.push_ok(code, db)
        sb = self.assert_sync(b.sync_ok(db, 0))
        self.assert_floats(self.additions(sb)[code], fb)
        r = fc.request("DELETE", b.att("revoke-face/%d/" % b.people[0]), json={"reason": "x"},
                       token=b.login("manager"))
        fc.assert_json(r, 200)
        s = self.assert_sync(a.sync_ok(da, va))
        self.assertEqual((s["additions"], s["removals"]), ([], []))
        full = self.assert_sync(a.sync_ok(da, 0))
        self.assert_floats(self.additions(full)[code], fa)
        self.assertEqual(a.enrollment_ok(code)["enrollment_status"], "enrolled")
        # events with that employee id stay in their hotel
        fc.assert_json(b.event(db, employee_id=code)[0], 201)
        self.assertEqual(fc.assert_json(a.events(employee_id=code), 200), [])
