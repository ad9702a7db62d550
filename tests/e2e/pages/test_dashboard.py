"""The dashboard's pages (/dashboard/..., HTML rendered by the workers from
templates/): the login redirect of an unauthenticated page request, every
page with a manager's cookie (status, HTML, no-store, titles, the CSRF meta
tag, the content), every PMS or user text escaped by the template engine
(a staff member and a department named <script>…), the role rules (HR and
staff are sent elsewhere or refused with an HTML 403; their navigation
shows only what they may use), HTML errors for pages while the API keeps
JSON, filters, paging and the CSV export link, and the template set's
reload on SIGHUP (a broken set keeps the old one)."""

import os
import re
import shutil
import signal
import time
import unittest
import urllib.parse

import fc
from attendance import att
from devices.iot import IotHotel, provision
from fcgi.server import Server, ServerTest
from pages.browse import assert_login_redirect, page, session

XSS = "<script>alert(1)</script>"
XSS_ESC = "&lt;script&gt;alert(1)&lt;/script&gt;"
XSS_DEPT = '<img src=x onerror="alert(2)">'
XSS_DEPT_ESC = "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;"
XSS_REASON = "<b onclick='alert(3)'>late</b>"
XSS_KIOSK = "<svg onload=alert(4)>"
XSS_DEVICE = "Cam \"<iframe>\" & co"


class PagesHotel(fc.Hotel):
    """A hotel whose department and staff member carry markup in their
    names, with an open session, a face, a forced log awaiting approval,
    a kiosk and an edge device, all named with markup."""

    def __init__(self):
        super().__init__("pg")
        for row in self.staff:
            if row["id"] == self.plain_staff_id:
                row["first_name"] = XSS
                row["last_name"] = ""

    def body(self):
        b = super().body()
        b["departments"][1]["name"] = XSS_DEPT
        return b


class PageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h = cls.h = PagesHotel()
        h.create()
        mgr = {"token": h.login("manager")}
        # an open session of the staff member named <script>
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"clock_logs": [
            {"staff_id": h.plain_staff_id, "time_in": att.ago(2 * 3600 + 300), "time_out": None}]}), 200)
        # face data (audit REGISTERED)
        fc.assert_json(fc.post(h.path(att.ATT + "register-face/"), json={
            "descriptor": att.person(), "consent_given": True, "staff_id": h.plain_staff_id}, **mgr), 201)
        # a forced log awaiting approval, with markup in its reason
        cls.forced_sid = h.users["staff"]["staff_id"]
        r = fc.post(h.path(att.ATT + "force-log/"), json={"staff_id": cls.forced_sid, "reason": XSS_REASON}, **mgr)
        cls.forced_log = fc.assert_json(r, 201)["log"]["id"]
        fc.assert_json(fc.post(h.path("kiosks/"), json={"name": XSS_KIOSK}, **mgr), 201)
        fc.assert_json(fc.post("/api/iot/devices", json={"device_id": "cam-pg", "display_name": XSS_DEVICE},
                               token=h.login("admin")), 201)
        cls.cookie, cls.csrf = session(h, "manager")

    def get_page(self, path, status=200, cookie=None):
        r = page(path, cookie or self.cookie)
        self.assertEqual(r.status, status, "%s: %r" % (path, r))
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8", path)
        self.assertEqual(r.header("Cache-Control"), "no-store", path)
        return r.text


class TestLoginRedirect(PageTest):
    def test_unauthenticated_page_goes_to_login(self):
        for path, nxt in (("/dashboard/", "/dashboard/"), ("/dashboard", "/dashboard/"),
                          ("/dashboard/approvals", "/dashboard/approvals"),
                          ("/dashboard/audit?action=REVOKED&from=2025-01-01",
                           "/dashboard/audit?action=REVOKED&from=2025-01-01")):
            assert_login_redirect(self, path, nxt,
                                  ({}, {"cookie": "fc_token=" + "0" * 64}, {"cookie": "fc_token=garbage"}))

    def test_api_still_answers_401_json(self):
        fc.assert_error(fc.get(self.h.path(att.ATT + "pending-approval/")), 401, "UNAUTHENTICATED")

    def test_login_page(self):
        text = self.get_page("/dashboard/login?next=/dashboard/audit")
        self.assertIn("<title>Sign in — faceclock</title>", text)
        self.assertIn('data-api="/api/auth/login"', text)
        self.assertIn('data-redirect="/dashboard/audit"', text)
        self.assertIn('<label for="username">', text)
        self.assertNotIn('name="csrf-token"', text)

    def test_login_page_refuses_foreign_next(self):
        for nxt in ("https://evil.example/", "//evil.example/x", "/api/auth/logout", "/dashboard/../api",
                    '/dashboard/"><script>'):
            with self.subTest(next=nxt):
                text = self.get_page("/dashboard/login?" + urllib.parse.urlencode({"next": nxt}))
                self.assertIn('data-redirect="/dashboard/"', text)
                self.assertNotIn("evil", text)

    def test_login_answer_carries_the_csrf_token(self):
        self.assertRegex(self.csrf or "", r"^[0-9a-f]{64}$")
        r = fc.get("/api/auth/me", cookie=self.cookie)
        fc.assert_json(r, 200)
        self.assertEqual(r.header("X-CSRF-Token"), self.csrf)


class TestPagesAsManager(PageTest):
    PAGES = {
        "/dashboard/": "Board",
        "/dashboard/approvals": "Approvals",
        "/dashboard/staff": "Staff",
        "/dashboard/audit": "Face audit log",
        "/dashboard/clock-logs": "Clock logs",
        "/dashboard/insights": "Insights",
        "/dashboard/settings": "Attendance settings",
        "/dashboard/kiosks": "Kiosks",
        "/dashboard/devices": "Edge devices",
        "/dashboard/alerts": "Alerts",
        "/dashboard/logout": "Sign out",
    }

    def test_every_page_renders(self):
        for path, title in self.PAGES.items():
            with self.subTest(path=path):
                text = self.get_page(path)
                self.assertTrue(text.startswith("<!doctype html>"), text[:100])
                self.assertIn('<html lang="en">', text)
                self.assertIn("<title>%s — %s — faceclock</title>" % (title, self.h.name), text)
                self.assertIn('<meta name="csrf-token" content="%s">' % self.csrf, text)
                self.assertIn('<meta name="viewport"', text)
                self.assertRegex(text, r"<h1[ >]")
                self.assertIn('<main id="main"', text)
                self.assertIn('aria-label="Dashboard"', text)
                self.assertTrue(text.rstrip().endswith("</html>"))
                # the current page is marked in the navigation
                if path != "/dashboard/logout":
                    self.assertIn('<a href="%s" aria-current="page">' % path, text)

    def test_head_request(self):
        r = fc.request("HEAD", "/dashboard/staff", cookie=self.cookie)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")

    def test_markup_from_the_pms_and_users_is_escaped(self):
        cases = {
            "/dashboard/": [(XSS, XSS_ESC), (XSS_DEPT, XSS_DEPT_ESC)],
            "/dashboard/approvals": [(XSS_REASON, re.compile(r"&lt;b onclick=&#(39|x27);alert\(3\)&#(39|x27);&gt;late&lt;/b&gt;"))],
            "/dashboard/staff": [(XSS, XSS_ESC), (XSS_DEPT, XSS_DEPT_ESC)],
            "/dashboard/audit": [(XSS, XSS_ESC)],
            "/dashboard/clock-logs": [(XSS, XSS_ESC), (XSS_DEPT, XSS_DEPT_ESC)],
            "/dashboard/insights": [(XSS_DEPT, XSS_DEPT_ESC)],
            "/dashboard/settings": [(XSS_DEPT, XSS_DEPT_ESC)],
            "/dashboard/kiosks": [(XSS_KIOSK, "&lt;svg onload=alert(4)&gt;")],
            "/dashboard/devices": [(XSS_DEVICE, "Cam &quot;&lt;iframe&gt;&quot; &amp; co")],
        }
        for path, pairs in cases.items():
            text = self.get_page(path)
            for raw, esc in pairs:
                with self.subTest(path=path, raw=raw):
                    self.assertNotIn(raw, text)
                    if isinstance(esc, str):
                        self.assertIn(esc, text)
                    else:
                        self.assertRegex(text, esc)
            with self.subTest(path=path):
                self.assertNotRegex(text, r"<(script|img|svg|iframe|b)[ >][^<]*alert",
                                    "unescaped markup with alert() in %s" % path)

    def test_board(self):
        text = self.get_page("/dashboard/")
        # who is clocked in, for how long, with the 6 h thresholds legend
        self.assertIn("Clocked in now", text)
        self.assertRegex(text, r"<td>2 h (0[5-9]|1\d) min</td>")
        self.assertIn('data-src="/api/staff/hotel/%s/attendance/clock-logs/currently-clocked-in/?limit=1000"'
                      % self.h.slug, text)
        self.assertRegex(text, r'data-count="clocked_in">[1-9]\d*<')
        self.assertIn("Warnings after 6 h (break), 10 h (overtime) and 12 h", text)
        # the week chart, drawn on the server: one row per department
        svg = re.search(r"<svg [^>]*class=\"chart\".*?</svg>", text, re.S)
        self.assertIsNotNone(svg, "no chart")
        svg = svg.group(0)
        self.assertIn('role="img"', svg)
        self.assertEqual(svg.count('<g class="chart-row">'), 2)
        self.assertIn("Reception", svg)
        self.assertIn(XSS_DEPT_ESC, svg)
        self.assertNotIn("style=", svg)
        self.assertIn("awaiting approval", text)

    def test_board_flags_long_sessions(self):
        h = self.h
        sid = h.users["hr"]["staff_id"]
        fc.assert_json(fc.admin("PUT", h.sync_path, json={"clock_logs": [
            {"staff_id": sid, "time_in": att.ago(13 * 3600), "time_out": None}]}), 200)
        text = self.get_page("/dashboard/")
        row = re.search(r"<tr data-log=\"\d+\">\s*<th scope=\"row\">F%d L%d</th>.*?</tr>" % (sid % 1000, sid % 1000),
                        text, re.S)
        self.assertIsNotNone(row, text)
        for label in ("Break due (6 h)", "Overtime (10 h)", "Past hard limit (12 h)", "Must clock out"):
            self.assertIn(label, row.group(0))

    def test_approvals_lists_the_forced_log_with_its_decision_form(self):
        text = self.get_page("/dashboard/approvals")
        self.assertIn('id="log-%d"' % self.forced_log, text)
        self.assertIn('data-api="/api/staff/hotel/%s/attendance/clock-logs/%d/approve/"'
                      % (self.h.slug, self.forced_log), text)
        self.assertIn('name="approved" value="true"', text)
        self.assertIn('name="approved" value="false"', text)
        row = re.search(r'<tr id="log-%d">.*?</tr>' % self.forced_log, text, re.S).group(0)
        self.assertNotIn("auto-closed", row)

    def test_staff_page_face_status_and_actions(self):
        h = self.h
        text = self.get_page("/dashboard/staff")
        row = re.search(r'<tr id="staff-%d">.*?</tr>' % h.plain_staff_id, text, re.S).group(0)
        self.assertIn("Registered", row)
        self.assertIn('data-api="/api/staff/hotel/%s/attendance/clock-logs/revoke-face/%d/"'
                      % (h.slug, h.plain_staff_id), row)
        self.assertIn('data-method="DELETE"', row)
        self.assertIn('name="reason" required', row)
        self.assertIn('href="/dashboard/staff/%d/register"' % h.plain_staff_id, row)
        other = re.search(r'<tr id="staff-%d">.*?</tr>' % h.users["hr"]["staff_id"], text, re.S).group(0)
        self.assertNotIn("revoke-face", other)
        # filters: one department
        text = self.get_page("/dashboard/staff?department_id=%d&is_active=" % h.dept[1])
        self.assertIn('<option value="%d" selected>' % h.dept[1], text)
        self.assertNotIn('id="staff-%d"' % h.users["staff"]["staff_id"], text)

    def test_audit_filters_paging_and_csv_link(self):
        h = self.h
        text = self.get_page("/dashboard/audit?limit=1&action=")
        nxt = re.search(r'<a href="([^"]+)" rel="next">', text)
        self.assertIsNotNone(nxt, "no next page link")
        href = nxt.group(1).replace("&amp;", "&")
        self.assertIn("offset=1", href)
        self.assertIn("limit=1", href)
        second = self.get_page(href)
        self.assertIn('rel="prev"', second)
        self.assertIn("Rows 2–2 of", second)
        # a filter carries into the CSV link, which the cookie may fetch
        text = self.get_page("/dashboard/audit?action=REGISTERED&staff_id=%d" % h.plain_staff_id)
        self.assertIn('<option value="REGISTERED" selected>', text)
        csv = re.search(r'<a class="button" href="([^"]+)" download id="audit-csv">', text).group(1)
        csv = csv.replace("&amp;", "&")
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(csv).query)
        self.assertEqual(q, {"format": ["csv"], "action": ["REGISTERED"], "staff_id": [str(h.plain_staff_id)]})
        r = fc.get(csv, cookie=self.cookie)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "text/csv")
        self.assertIn("attachment", r.header("Content-Disposition"))
        lines = r.text.strip().split("\r\n")
        self.assertEqual(len(lines), 2, lines)
        self.assertIn("REGISTERED", lines[1])

    def test_clock_logs_filters_and_csv_link(self):
        h = self.h
        text = self.get_page("/dashboard/clock-logs?from=2025-11-30&to=2025-11-30&staff_id=&department_id=")
        self.assertIn('value="2025-11-30"', text)
        self.assertIn("Rows 1–1 of 1", text)
        self.assertIn("F%d L%d" % (h.users["staff"]["staff_id"] % 1000, h.users["staff"]["staff_id"] % 1000), text)
        csv = re.search(r'href="([^"]+)" download id="logs-csv"', text).group(1).replace("&amp;", "&")
        r = fc.get(csv, cookie=self.cookie)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.text.strip().split("\r\n")), 2)

    def test_settings_form(self):
        text = self.get_page("/dashboard/settings")
        self.assertIn('data-method="PATCH"', text)
        self.assertRegex(text, r'name="break_warning_hours" type="number" step="any" data-type="number" value="6(\.0)?"')
        self.assertIn('data-error-for="break_warning_hours"', text)
        self.assertIn("Save settings", text)
        self.assertNotIn("<fieldset disabled>", text)
        # the auto-close of forgotten sessions: its mode (off by default) and hours
        self.assertIn('<select id="s-auto-close" name="auto_close"', text)
        self.assertIn('<option value="off" selected>', text)
        self.assertIn('<option value="shift_end">', text)
        self.assertRegex(text, r'name="auto_close_after_hours" type="number" step="any" data-type="number" value="2(\.0)?"')
        self.assertIn('data-error-for="auto_close"', text)
        self.assertIn('data-error-for="auto_close_after_hours"', text)

    def test_kiosks_and_devices(self):
        text = self.get_page("/dashboard/kiosks")
        self.assertIn("Create kiosk", text)
        self.assertIn('data-method="DELETE"', text)
        text = self.get_page("/dashboard/devices?status=provisioning")
        self.assertIn('<option value="provisioning" selected>', text)
        self.assertIn("cam-pg", text)
        self.assertIn("status-provisioning", text)
        text = self.get_page("/dashboard/devices?status=online")
        self.assertNotIn("cam-pg", text)

    def test_page_errors_are_html(self):
        text = self.get_page("/dashboard/audit?action=NOPE", status=400)
        self.assertIn("action must be REGISTERED", text)
        self.assertIn("<h1>Bad request</h1>", text)
        text = self.get_page("/dashboard/no-such-page", status=404)
        self.assertIn("<h1>Not found</h1>", text)
        r = fc.post("/dashboard/staff", cookie=self.cookie)
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        # unknown page paths answer 404 even without a session; the API keeps JSON
        self.assertEqual(page("/dashboard/nothing/here", None).status, 404)
        fc.assert_error(fc.get("/api/nothing", cookie=self.cookie), 404, "NOT_FOUND")


class TestRoles(PageTest):
    def test_hr(self):
        cookie, _ = session(self.h, "hr")
        r = page("/dashboard/", cookie)
        self.assertEqual((r.status, r.header("Location")), (303, "/dashboard/clock-logs"))
        for path in ("/dashboard/approvals", "/dashboard/kiosks"):
            with self.subTest(path=path):
                text = self.get_page(path, status=403, cookie=cookie)
                self.assertIn("<h1>Not allowed</h1>", text)
        text = self.get_page("/dashboard/clock-logs", cookie=cookie)
        nav = re.search(r'<nav class="nav".*?</ul>', text, re.S).group(0)
        self.assertEqual(re.findall(r'<a href="([^"]+)"', nav),
                         ["/dashboard/staff", "/dashboard/audit", "/dashboard/clock-logs",
                          "/dashboard/insights", "/dashboard/settings", "/dashboard/devices",
                          "/dashboard/alerts", "/dashboard/me"])
        # alerts: read only (an open alert of the hotel's shows, without buttons)
        fc.psql("INSERT INTO alerts (hotel_id, rule, subject) SELECT id, 'face_revoked', 'staff:hr-view' "
                "FROM hotels WHERE slug = %s" % fc.sql_str(self.h.slug))
        text = self.get_page("/dashboard/alerts", cookie=cookie)
        self.assertIn("staff:hr-view", text)
        self.assertNotIn("/acknowledge/", text)
        self.assertNotIn("/resolve/", text)
        # settings: read only
        text = self.get_page("/dashboard/settings", cookie=cookie)
        self.assertIn("<fieldset disabled>", text)
        self.assertNotIn("Save settings", text)
        # staff: no revoke, no register
        text = self.get_page("/dashboard/staff", cookie=cookie)
        self.assertNotIn("revoke-face", text)
        self.assertNotIn("/register", text)

    def test_staff(self):
        cookie, _ = session(self.h, "staff")
        r = page("/dashboard/", cookie)
        self.assertEqual((r.status, r.header("Location")), (303, "/dashboard/me"))
        for path in ("/dashboard/staff", "/dashboard/audit", "/dashboard/settings"):
            with self.subTest(path=path):
                self.get_page(path, status=403, cookie=cookie)

    def test_admin_sees_every_page(self):
        cookie, _ = session(self.h, "admin")
        text = self.get_page("/dashboard/", cookie=cookie)
        nav = re.search(r'<nav class="nav".*?</ul>', text, re.S).group(0)
        self.assertEqual(len(re.findall(r"<li>", nav)), 12)    # with /enroll/ and /dashboard/me

    def test_other_hotel_cookie_sees_its_own_hotel(self):
        other = fc.Hotel("pg2")
        other.create()
        cookie, _ = session(other, "manager")
        text = self.get_page("/dashboard/staff", cookie=cookie)
        self.assertNotIn(XSS_ESC, text)
        self.assertIn(other.name, text)


# ------------------------------------------------------------- templates

class TestDevicesPage(unittest.TestCase):
    """The devices page per lifecycle (docs/iot.md "Lifecycle"): an admin
    gets the register form and, per device, exactly the buttons its state
    allows, each the API call it names; managers and HR see it read-only;
    a provisioning token is never in the page."""

    # the API call of each button, after /api/iot/devices/<id>; every
    # device in service also has its ACL tier form (PUT /tier)
    TIER = ("PUT", "/tier")
    BUTTONS = {
        "UNALLOCATED": {("POST", "/allocate"), ("DELETE", ""), TIER},
        "ALLOCATED": {("POST", "/allocate"), ("POST", "/provisioning-token"), ("POST", "/disable"), ("DELETE", ""), TIER},
        "PROVISIONING": {("POST", "/provisioning-token"), ("POST", "/disable"), ("DELETE", ""), TIER},
        "PROVISIONED": {("POST", "/provisioning-token"), ("POST", "/disable"), ("DELETE", ""), TIER},
        "ACTIVE": {("POST", "/provisioning-token"), ("POST", "/disable"), ("DELETE", ""), TIER},
        "ERROR": {("POST", "/provisioning-token"), ("DELETE", "/error"), ("POST", "/disable"), ("DELETE", ""), TIER},
        "DISABLED": {("POST", "/enable"), ("DELETE", ""), TIER},
    }

    @classmethod
    def setUpClass(cls):
        h = cls.h = IotHotel("pgdev").make()
        cls.devs = {}
        for state in cls.BUTTONS:
            device_id = "pg-" + state.lower()
            cls.devs[state] = device_id
            h.in_lifecycle(device_id, state)

    def rows(self, text):
        """{device_id: (data-lifecycle, {(method, path tail)})} of the table."""
        out = {}
        for device_id, lifecycle, body in re.findall(r'<tr id="device-([^"]+)" data-lifecycle="([A-Z]+)">(.*?)</tr>',
                                                     text, re.S):
            forms = set()
            for api, method in re.findall(r'<form data-api="([^"]+)" data-method="([A-Z]+)"', body):
                prefix = "/api/iot/devices/" + device_id
                self.assertTrue(api.startswith(prefix), api)
                forms.add((method, api[len(prefix):]))
            out[device_id] = (lifecycle, forms)
        return out

    def test_admin_buttons_per_state(self):
        h = self.h
        cookie, _ = session(h, "admin")
        r = page("/dashboard/devices", cookie)
        self.assertEqual(r.status, 200, r)
        text = r.text
        self.assertIn('<form data-api="/api/iot/devices" data-method="POST"', text)
        self.assertIn('name="provision" value="false" data-type="bool"', text)
        self.assertIn('<div id="device-token" class="notice" role="status" hidden>', text)
        rows = self.rows(text)
        for state, device_id in self.devs.items():
            with self.subTest(state=state):
                lifecycle, forms = rows[device_id]
                if state not in ("PROVISIONED",):       # PROVISIONED, never heard from: shown OFFLINE
                    self.assertEqual(lifecycle, state)
                self.assertEqual(forms, self.BUTTONS[state])
        # the token button shows its answer in the box, the others reload
        self.assertIn('/provisioning-token" data-method="POST" data-result="#device-token"', text)
        # the register form's tier choice, and each device's tier selected in its form
        self.assertIn('<select id="d-tier" name="tier"', text)
        self.assertRegex(text, r'<select id="tier-pg-active" name="tier">\s*<option value="camera" selected>camera</option>')

    def test_tier_shown_and_changed(self):
        """The page shows a device's tier and its form sends PUT .../tier
        (what the browser's form sends, here by hand with the session)."""
        h = self.h
        cookie, csrf = session(h, "admin")
        fc.assert_json(fc.request("PUT", "/api/iot/devices/pg-active/tier", json={"tier": "display"},
                                  cookie=cookie, headers={"X-CSRF-Token": csrf}), 200)
        text = page("/dashboard/devices", cookie).text
        self.assertRegex(text, r'(?s)<tr id="device-pg-active".*?<td class="tier">display ')
        self.assertRegex(text, r'<select id="tier-pg-active" name="tier">\s*<option value="camera">camera</option>\s*'
                               r'<option value="display" selected>display</option>')
        fc.assert_json(fc.request("PUT", "/api/iot/devices/pg-active/tier", json={"tier": "camera"},
                                  cookie=cookie, headers={"X-CSRF-Token": csrf}), 200)
        # readers see the tier, without the form
        text = page("/dashboard/devices", session(h, "hr")[0]).text
        self.assertIn('<td class="tier">camera ', text)
        self.assertNotIn('/tier" data-method="PUT"', text)

    def test_issue_token_then_active(self):
        """What the page's buttons send, in order: register, allocate, issue
        a token (shown in the answer, never in the page), then the device
        provisions itself and is shown ACTIVE with its own buttons."""
        h = self.h
        cookie, csrf = session(h, "admin")
        hdr = {"X-CSRF-Token": csrf}
        fc.assert_json(fc.post("/api/iot/devices", json={"provision": False, "device_id": "pg-new",
                                                         "display_name": "New", "serial_number": "SN-9"},
                               cookie=cookie, headers=hdr), 201)
        self.assertEqual(self.rows(page("/dashboard/devices", cookie).text)["pg-new"],
                         ("UNALLOCATED", self.BUTTONS["UNALLOCATED"]))
        fc.assert_json(fc.post("/api/iot/devices/pg-new/allocate", json={"location_label": "Bar"},
                               cookie=cookie, headers=hdr), 200)
        tok = fc.assert_json(fc.post("/api/iot/devices/pg-new/provisioning-token", json={}, cookie=cookie,
                                     headers=hdr), 201)["provisioning_token"]
        text = page("/dashboard/devices", cookie).text
        self.assertNotIn(tok, text)
        self.assertEqual(self.rows(text)["pg-new"], ("PROVISIONING", self.BUTTONS["PROVISIONING"]))
        key = fc.assert_json(provision("pg-new", tok), 200)["api_key"]
        fc.assert_json(fc.post("/api/iot/devices/pg-new/heartbeat", json={}, api_key=key), 200)
        self.assertEqual(self.rows(page("/dashboard/devices", cookie).text)["pg-new"],
                         ("ACTIVE", self.BUTTONS["ACTIVE"]))

    def test_read_only_for_managers_and_hr(self):
        for role in ("manager", "hr"):
            with self.subTest(role=role):
                cookie, _ = session(self.h, role)
                text = page("/dashboard/devices", cookie).text
                rows = self.rows(text)
                self.assertLessEqual(set(self.devs.values()), set(rows))
                for device_id, (_, forms) in rows.items():
                    self.assertEqual(forms, set(), device_id)
                self.assertNotIn('data-api="/api/iot/devices"', text)
                self.assertNotIn("device-token", text)
                self.assertNotIn(">Actions</th>", text)


class TestTemplateReload(ServerTest):
    """FACECLOCK_TEMPLATES names the set; SIGHUP re-reads it; a set that
    does not load keeps the old one; a server whose set does not load at
    start-up does not start."""

    def template_dir(self, tag):
        d = os.path.join(fc.ENV["FC_VAR"], "zy", "templates-%s-%d-%04x" % (tag, os.getpid(), fc._rng.getrandbits(16)))
        shutil.copytree(os.path.join(fc.REPO, "templates"), d)
        os.chmod(d, 0o755)
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def login_page(self, s):
        r = s.request("GET", "/dashboard/login")
        self.assertEqual(r.status, 200, r)
        return r.body.decode()

    def reload(self, s):
        before = set(s.workers_now())
        s.signal(signal.SIGHUP)
        now = fc.wait_for(lambda: (lambda w: w if w and not (w & before) else None)(set(s.workers_now())), 15)
        self.assertTrue(now, "workers not replaced after SIGHUP:\n%s" % s.log_tail())

    def test_sighup_rereads_and_keeps_the_old_set_when_broken(self):
        d = self.template_dir("reload")
        s = self.server("tpl", settings={"FACECLOCK_TEMPLATES": d})
        self.assertIn("<h1 id=\"login-title\">Sign in</h1>", self.login_page(s))
        path = os.path.join(d, "login.mustache")
        with open(path) as f:
            src = f.read()
        with open(path, "w") as f:
            f.write(src.replace(">Sign in</h1>", ">Sign in here</h1>"))
        self.reload(s)
        self.assertIn(">Sign in here</h1>", self.login_page(s))
        with open(path, "w") as f:
            f.write("{{#never_closed}}broken\n")
        self.reload(s)
        self.assertIn(">Sign in here</h1>", self.login_page(s))
        self.assertIn("keeping the ones loaded before", s.log())

    def test_a_broken_set_stops_the_start(self):
        d = self.template_dir("broken")
        with open(os.path.join(d, "board.mustache"), "w") as f:
            f.write("{{/closed_never_opened}}\n")
        srv = Server("tplbad", settings={"FACECLOCK_TEMPLATES": d})
        self.addCleanup(srv.cleanup)
        with self.assertRaises(AssertionError):
            srv.start()
        self.assertNotEqual(srv.wait_exit(5), 0)
        self.assertIn("not loaded", srv.log())
