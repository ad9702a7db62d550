"""The face pages (docs/pages.md, "Enrollment", "Face registration",
"Self-service"): /enroll/ (seed 000's enrollment modal as a page),
/dashboard/staff/{id}/register (a manager registers one face) and
/dashboard/me (a staff member's own face data and clock logs). With a
cookie session they answer HTML; without one they send the browser to the
login page and back (/enroll is a page path too); the role rules (staff
and HR cannot enroll or register others; everyone has their own page);
every PMS value escaped by the template engine; the hotel's rules shown
ahead (department not allowed, self-registration off, consent required);
own clock logs only; withdrawing consent through the API call the page's
form makes (cookie + CSRF token). The camera parts run in the browser
tests (tests/browser/enroll.test.mjs, selfservice.test.mjs)."""

import html
import html.parser
import re
import urllib.parse

import fc
from attendance import att
from pages.browse import assert_login_redirect, page, session

XSS = "<script>alert('pms')</script>"
XSS_ESC = "&lt;script&gt;alert(&#39;pms&#39;)&lt;/script&gt;"
XSS_LAST = '"><img src=x onerror=alert(1)>'


class TagScan(html.parser.HTMLParser):
    """The page's script elements (src, body) and any inline style or event
    handler attribute, or <style> element."""

    def __init__(self):
        super().__init__()
        self.scripts, self.bad, self._script = [], [], None

    def handle_starttag(self, tag, attrs):
        for k, _ in attrs:
            if k == "style" or k.startswith("on"):
                self.bad.append((tag, k))
        if tag == "style":
            self.bad.append((tag, ""))
        if tag == "script":
            self._script = [dict(attrs).get("src"), ""]

    def handle_data(self, data):
        if self._script is not None:
            self._script[1] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append(tuple(self._script))
            self._script = None


class EnrollHotel(att.AttHotel):
    """An AttHotel whose staff-role user and one staff member without a
    login carry markup in their names; the staff user has two logs and the
    manager one (the staff user must see only theirs)."""

    def __init__(self, tag="pe"):
        super().__init__(tag, extra=3)
        self.staff_sid = self.users["staff"]["staff_id"]
        self.xss_sid = self.people[0]
        for row in self.staff:
            if row["id"] == self.xss_sid:
                row["first_name"] = XSS
            if row["id"] == self.staff_sid:
                row["last_name"] = XSS_LAST
        self.clock_logs.append({"staff_id": self.staff_sid, "time_in": "2025-12-01T07:00:00Z",
                                "time_out": "2025-12-01T15:30:00Z", "roster_shift_id": None})
        self.clock_logs.append({"staff_id": self.users["manager"]["staff_id"],
                                "time_in": "2025-12-02T06:00:00Z", "time_out": None,
                                "roster_shift_id": None})


class PagesCase(att.AttCase):
    hotel_settings = None

    @classmethod
    def setUpClass(cls):
        cls.h = EnrollHotel().make()
        if cls.hotel_settings:
            cls.h.settings(**cls.hotel_settings)
        cls.cookies = {}

    def cookie(self, role):
        if role not in self.cookies:
            self.cookies[role] = session(self.h, role)
        return self.cookies[role][0]

    def csrf(self, role):
        self.cookie(role)
        return self.cookies[role][1]

    def html_page(self, path, role="manager", status=200):
        r = page(path, self.cookie(role))
        self.assertEqual(r.status, status, "%s as %s: %r" % (path, role, r))
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8", path)
        self.assertEqual(r.header("Cache-Control"), "no-store", path)
        return r.text

    def assert_escaped(self, text):
        self.assertNotIn("<script>alert", text)
        self.assertNotIn("<img src=x", text)
        self.assertNotIn("<script>", text.replace('<script type="module" src="/static/js/', ""))

    def assert_no_inline_script_or_style(self, text):
        """CSP: script-src 'self', style-src 'self' — no inline code."""
        p = TagScan()
        p.feed(text)
        self.assertEqual(p.bad, [])
        for src, body in p.scripts:
            self.assertRegex(src or "", r"^/static/js/[a-z]+\.js$")
            self.assertEqual(body.strip(), "")

    def nav_links(self, text):
        nav = re.search(r'<nav class="nav".*?</ul>', text, re.S).group(0)
        return re.findall(r'<a href="([^"]+)"', nav)


class TestRedirects(PagesCase):
    def test_unauthenticated_pages_go_to_login(self):
        h = self.h
        for path, nxt in (("/enroll/", "/enroll/"), ("/enroll", "/enroll/"),
                          ("/enroll/?employee=E1", "/enroll/?employee=E1"),
                          ("/dashboard/me", "/dashboard/me"),
                          ("/dashboard/staff/%d/register" % h.xss_sid, "/dashboard/staff/%d/register" % h.xss_sid)):
            assert_login_redirect(self, path, nxt, ({}, {"cookie": "fc_token=" + "0" * 64}))

    def test_login_page_goes_back_to_enroll(self):
        r = page("/dashboard/login?next=%2Fenroll%2F")
        self.assertEqual(r.status, 200, r)
        self.assertIn('data-redirect="/enroll/"', r.text)

    def test_unknown_path_under_enroll_is_an_html_404(self):
        r = page("/enroll/nothing", self.cookie("manager"))
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")


class TestEnrollPage(PagesCase):
    def test_manager_and_admin_open_it(self):
        h = self.h
        for role in ("manager", "admin"):
            with self.subTest(role=role):
                text = self.html_page("/enroll/", role)
                self.assertTrue(text.startswith("<!doctype html>"))
                self.assertIn("<title>Face enrollment — %s — faceclock</title>" % h.name, text)
                self.assertIn('<meta name="csrf-token" content="%s">' % self.csrf(role), text)
                self.assertIn("<h1>Face enrollment</h1>", text)
                self.assertIn('<script type="module" src="/static/js/enroll.js"></script>', text)
                self.assertIn('<a href="/enroll/" aria-current="page">Enrollment</a>', text)
                # every active staff member is a choice, by employee code
                for row in h.staff:
                    if row.get("is_active", True):
                        self.assertIn('<option value="%s"' % row["employee_code"], text)
                self.assertNotIn('value="E%d"' % h.inactive["staff_id"], text)
                # the seed's deployment step: legend, select all online, deploy button
                self.assertIn("Deploy to Edge Devices", text)
                self.assertIn("Select devices to receive this facial profile:", text)
                self.assertIn("Select All Online Devices", text)
                self.assertIn("Deploy to Selected", text)
                self.assertIn('class="dot dot-offline"', text)
                self.assertIn('data-may-deploy="1"', text)
                for pose in ("front", "left", "right", "up", "down"):
                    self.assertIn('data-pose="%s"' % pose, text)
                self.assert_no_inline_script_or_style(text)

    def test_pms_names_are_escaped(self):
        text = self.html_page("/enroll/")
        self.assertIn('data-name="%s L%d"' % (XSS_ESC, self.h.xss_sid % 1000), text)
        self.assertIn(">%s L%d — E%d" % (XSS_ESC, self.h.xss_sid % 1000, self.h.xss_sid), text)
        self.assertIn(html.escape(XSS_LAST, quote=True).replace("&#x27;", "&#39;"), text)
        self.assert_escaped(text)

    def test_staff_and_hr_may_not_enroll(self):
        for role in ("staff", "hr"):
            with self.subTest(role=role):
                text = self.html_page("/enroll/", role, status=403)
                self.assertIn("<h1>Not allowed</h1>", text)
                self.assertNotIn("/enroll/", self.nav_links(self.html_page("/dashboard/me", role)))

    def test_preselected_employee(self):
        code = "E%d" % self.h.people[1]
        text = self.html_page("/enroll/?employee=" + code)
        self.assertRegex(text, r'<option value="%s"[^>]* selected>' % code)
        self.assertEqual(text.count(" selected>"), 1)
        text = self.html_page("/enroll/?employee=" + urllib.parse.quote('"><b>'))
        self.assertEqual(text.count(" selected>"), 0)
        self.assertNotIn('"><b>', text)

    def test_consent_required_by_default(self):
        text = self.html_page("/enroll/")
        self.assertRegex(text, r'<input type="checkbox" id="consent" name="consent_given" required')
        self.assertIn("Required by this hotel.", text)


class TestEnrollRules(PagesCase):
    """Department 1 only, consent not required: the others are marked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        h = cls.h
        h.settings(face_attendance_departments=[h.dept[0]], require_face_consent=False)

    def test_refused_departments_are_marked(self):
        h = self.h
        text = self.html_page("/enroll/")
        allowed, refused = h.people[0], h.people[1]     # dept[0], dept[1]
        self.assertRegex(text, r'<option value="E%d" data-name="[^"]*">' % allowed)
        self.assertRegex(text, r'<option value="E%d" data-name="[^"]*" data-refusal="Face attendance is not '
                         r'enabled for this staff member&#39;s department\.">' % refused)
        self.assertRegex(text, r'<input type="checkbox" id="consent" name="consent_given" aria-describedby')
        self.assertIn("This hotel does not require it", text)

    def test_face_attendance_off_is_announced(self):
        h = EnrollHotel("pe2").make()
        h.settings(face_attendance_enabled=False)
        cookie, _ = session(h, "manager")
        r = page("/enroll/", cookie)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Face attendance is not enabled for this hotel", r.text)
        self.assertIn('data-refusal="Face attendance is not enabled for this hotel."', r.text)


class TestRegisterPage(PagesCase):
    def test_manager_opens_it(self):
        h = self.h
        sid = h.xss_sid
        text = self.html_page("/dashboard/staff/%d/register" % sid)
        self.assertIn("<title>Register a face — %s — faceclock</title>" % h.name, text)
        self.assertIn('<a href="/dashboard/staff" aria-current="page">Staff</a>', text)
        self.assertIn("<dd>E%d</dd>" % sid, text)
        self.assertIn("<dd>%s L%d</dd>" % (XSS_ESC, sid % 1000), text)
        self.assertIn('data-staff-id="%d"' % sid, text)
        self.assertIn('data-register="/api/staff/hotel/%s/attendance/clock-logs/register-face/"' % h.slug, text)
        self.assertIn('data-audit="/api/staff/hotel/%s/attendance/clock-logs/face-audit-logs/"' % h.slug, text)
        self.assertIn('data-had-face=""', text)
        self.assertIn('<dd id="face-status">None</dd>', text)
        self.assertIn('<script type="module" src="/static/js/register.js"></script>', text)
        self.assertRegex(text, r'id="consent" name="consent_given" required')
        self.assertNotIn('id="refusal-note"', text)
        self.assert_escaped(text)
        self.assert_no_inline_script_or_style(text)

    def test_face_status_after_registration(self):
        h = self.h
        sid = h.people[2]
        h.register(sid)
        text = self.html_page("/dashboard/staff/%d/register" % sid)
        self.assertIn('data-had-face="1"', text)
        self.assertRegex(text, r'<dd id="face-status">Registered <time datetime="[0-9T:-]+Z" data-local>'
                         r'\d{4}-\d\d-\d\d \d\d:\d\d UTC</time>; a new registration replaces it\.</dd>')

    def test_refusal_shown_ahead(self):
        h = EnrollHotel("pe3").make()
        h.settings(face_attendance_departments=[h.dept[0]])
        cookie, _ = session(h, "manager")
        r = page("/dashboard/staff/%d/register" % h.people[1], cookie)
        self.assertEqual(r.status, 200, r)
        self.assertIn('<p class="notice notice-warn" id="refusal-note">The hotel\'s rules will refuse this '
                      'registration: Face attendance is not enabled for this staff member&#39;s department.</p>',
                      r.text)

    def test_roles(self):
        path = "/dashboard/staff/%d/register" % self.h.people[1]
        for role in ("staff", "hr"):
            with self.subTest(role=role):
                self.assertIn("<h1>Not allowed</h1>", self.html_page(path, role, status=403))
        self.html_page(path, "admin")

    def test_unknown_inactive_and_other_hotels_staff(self):
        h = self.h
        other = EnrollHotel("pe4").make()
        for path in ("/dashboard/staff/%d/register" % (h.base + 999),
                     "/dashboard/staff/%d/register" % h.inactive["staff_id"],
                     "/dashboard/staff/%d/register" % other.people[0],
                     "/dashboard/staff/abc/register", "/dashboard/staff/0/register",
                     "/dashboard/staff/99999999999999999999/register"):
            with self.subTest(path=path):
                text = self.html_page(path, status=404)
                self.assertIn("<h1>Not found</h1>", text)

    def test_staff_page_links_here_and_to_enrollment(self):
        text = self.html_page("/dashboard/staff")
        self.assertIn('href="/dashboard/staff/%d/register"' % self.h.xss_sid, text)
        self.assertIn('<a href="/enroll/?employee=E%d">Enroll<span class="visually-hidden"> %s L%d in five poses'
                      % (self.h.xss_sid, XSS_ESC, self.h.xss_sid % 1000), text)
        self.assertNotIn("/enroll/?employee=", self.html_page("/dashboard/staff", "hr"))


class TestMePage(PagesCase):
    def test_staff_sees_their_own_page(self):
        h = self.h
        sid = h.staff_sid
        text = self.html_page("/dashboard/me", "staff")
        self.assertIn("<title>My face data and clock logs — %s — faceclock</title>" % h.name, text)
        self.assertIn('<a href="/dashboard/me" aria-current="page">My page</a>', text)
        self.assertEqual(self.nav_links(text), ["/dashboard/me"])
        self.assertIn("<dd>E%d</dd>" % sid, text)
        self.assertIn('<dd id="face-status">None</dd>', text)
        # self-registration allowed by default: the camera form, for oneself
        self.assertIn('id="face-form"', text)
        self.assertIn('data-staff-id="%d"' % sid, text)
        self.assertNotIn("data-audit=", text)       # staff may not read the audit log
        self.assertIn("I agree to my face data being stored", text)
        # no face data: the withdrawal is there but hidden
        self.assertRegex(text, r'<section class="card" id="withdraw" aria-labelledby="h-withdraw" hidden>')
        self.assert_escaped(text)
        self.assert_no_inline_script_or_style(text)

    def test_own_clock_logs_only(self):
        text = self.html_page("/dashboard/me", "staff")
        self.assertIn("2025-12-01 07:00 UTC", text)
        self.assertIn("2025-11-30 08:58 UTC", text)
        self.assertIn("8 h 30 min", text)
        self.assertNotIn("2025-12-02 06:00 UTC", text)     # the manager's
        # filters by date; staff_id cannot widen it
        text = self.html_page("/dashboard/me?from=2025-12-01&to=2025-12-01&staff_id=%d"
                              % self.h.users["manager"]["staff_id"], "staff")
        self.assertIn("2025-12-01 07:00 UTC", text)
        self.assertNotIn("2025-11-30 08:58 UTC", text)
        self.assertNotIn("2025-12-02 06:00 UTC", text)
        text = self.html_page("/dashboard/me?from=2030-01-01", "staff")
        self.assertIn("No clock logs in these dates.", text)
        self.html_page("/dashboard/me?from=yesterday", "staff", status=400)

    def test_every_role_has_a_page_of_its_own(self):
        for role in ("manager", "hr", "admin"):
            with self.subTest(role=role):
                text = self.html_page("/dashboard/me", role)
                self.assertIn("<dd>E%d</dd>" % self.h.users[role]["staff_id"], text)
                self.assertIn('href="/dashboard/me"', text)
        # the manager's own open session, not the staff member's logs
        text = self.html_page("/dashboard/me", "manager")
        self.assertIn("2025-12-02 06:00 UTC", text)
        self.assertNotIn("2025-12-01 07:00 UTC", text)

    def test_withdraw_consent(self):
        h = self.h
        sid = h.users["admin"]["staff_id"]
        h.register(sid)
        text = self.html_page("/dashboard/me", "admin")
        self.assertRegex(text, r'<section class="card" id="withdraw" aria-labelledby="h-withdraw">')
        action = "/api/staff/hotel/%s/attendance/clock-logs/revoke-face/%d/" % (h.slug, sid)
        self.assertIn('data-api="%s" data-method="DELETE" data-redirect="/dashboard/me?done=withdrawn"' % action,
                      text)
        self.assertIn("Register my face again", text)
        # the form's call: the cookie needs the page's CSRF token
        cookie, token = self.cookie("admin"), self.csrf("admin")
        self.assertIn('<meta name="csrf-token" content="%s">' % token, text)
        fc.assert_error(fc.delete(action, json={"reason": "I withdraw"}, cookie=cookie), 403, "CSRF_FAILED")
        r = fc.delete(action, json={"reason": "I withdraw"}, cookie=cookie, headers={"X-CSRF-Token": token})
        self.assertFalse(fc.assert_json(r, 200)["has_registered_face"])
        text = self.html_page("/dashboard/me?done=withdrawn", "admin")
        self.assertIn("Your consent is withdrawn", text)
        self.assertIn('<dd id="face-status">None</dd>', text)
        self.assertNotIn("Your consent is withdrawn", self.html_page("/dashboard/me?done=other", "admin"))
        rows = h.audit(sid, action="REVOKED")
        self.assertEqual(rows[0]["reason"], "I withdraw")

    def test_self_registration_off(self):
        h = EnrollHotel("pe5").make()
        h.settings(allow_face_self_registration=False)
        cookie, _ = session(h, "staff")
        r = page("/dashboard/me", cookie)
        self.assertEqual(r.status, 200, r)
        self.assertIn("This hotel does not allow staff to register their own face. "
                      "Ask your manager to register your face for you.", r.text)
        self.assertNotIn('id="face-form"', r.text)
        self.assertNotIn("register.js", r.text)

    def test_department_not_allowed(self):
        h = EnrollHotel("pe6").make()
        h.settings(face_attendance_departments=[h.dept[1]])     # the staff user is in dept[0]
        cookie, _ = session(h, "staff")
        r = page("/dashboard/me", cookie)
        self.assertIn("Face attendance is not enabled for this staff member&#39;s department.", r.text)
        self.assertNotIn("Ask your manager", r.text)
        self.assertNotIn('id="face-form"', r.text)
