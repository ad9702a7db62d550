"""CSRF protection of cookie sessions (docs/pages.md): a request
authenticated by the fc_token cookie whose method is not GET/HEAD needs
X-CSRF-Token, the session's token (handed over in the X-CSRF-Token header
of the login answer and of /api/auth/me, and in the pages' <meta
name="csrf-token">); without it, or with a wrong one or another
session's, 403 CSRF_FAILED and nothing changes. Bearer tokens and API keys
are not affected. A JSON body sent as anything but application/json (what
an HTML form can send cross-site: text/plain, urlencoded, multipart) is
415 UNSUPPORTED_MEDIA_TYPE before it is read: the login, the settings and
the PMS sync among them."""

import json
import re
import unittest

import fc
from attendance import att


def cookie_session(h, role):
    u = h.users[role]
    r = fc.login(u["username"], u["password"])
    body = fc.assert_json(r, 200)
    tok = r.header("X-CSRF-Token")
    if not tok or not re.fullmatch(r"[0-9a-f]{64}", tok):
        raise AssertionError("login answer without an X-CSRF-Token header: %r" % (r,))
    return "fc_token=" + body["token"], tok, body["token"]


class TestCsrf(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("csrf")
        cls.h.create()
        cls.settings = cls.h.path("attendance/settings/")

    def patch_settings(self, value, **kw):
        return fc.patch(self.settings, json={"duplicate_scan_seconds": value}, **kw)

    def current(self):
        return fc.assert_json(fc.get(self.settings, token=self.h.login("manager")), 200)["duplicate_scan_seconds"]

    def test_cookie_write_without_token_is_refused(self):
        cookie, _, _ = cookie_session(self.h, "manager")
        before = self.current()
        fc.assert_error(self.patch_settings(before + 1, cookie=cookie), 403, "CSRF_FAILED")
        self.assertEqual(self.current(), before)

    def test_wrong_token_is_refused(self):
        cookie, tok, _ = cookie_session(self.h, "manager")
        before = self.current()
        for bad in ("", "x", tok[:-1], tok + "0", tok.upper(), ("0" if tok[0] != "0" else "1") + tok[1:],
                    "0" * 64):
            with self.subTest(bad=bad[:10]):
                r = self.patch_settings(before + 1, cookie=cookie, headers={"X-CSRF-Token": bad})
                fc.assert_error(r, 403, "CSRF_FAILED")
        self.assertEqual(self.current(), before)

    def test_another_sessions_token_is_refused(self):
        cookie, _, _ = cookie_session(self.h, "manager")
        _, other, _ = cookie_session(self.h, "manager")
        fc.assert_error(self.patch_settings(61, cookie=cookie, headers={"X-CSRF-Token": other}), 403, "CSRF_FAILED")

    def test_right_token_passes(self):
        cookie, tok, _ = cookie_session(self.h, "manager")
        before = self.current()
        r = self.patch_settings(before + 1, cookie=cookie, headers={"X-CSRF-Token": tok})
        self.assertEqual(fc.assert_json(r, 200)["duplicate_scan_seconds"], before + 1)
        # the check comes before validation: a bad body with no token is still CSRF_FAILED
        fc.assert_error(fc.patch(self.settings, json={"nope": 1}, cookie=cookie), 403, "CSRF_FAILED")
        fc.assert_error(fc.patch(self.settings, json={"nope": 1}, cookie=cookie,
                                 headers={"X-CSRF-Token": tok}), 400, "VALIDATION_ERROR")

    def test_every_write_method(self):
        h = self.h
        cookie, tok, _ = cookie_session(h, "manager")
        kiosk = fc.assert_json(fc.post(h.path("kiosks/"), json={"name": "k"}, cookie=cookie,
                                       headers={"X-CSRF-Token": tok}), 201)
        for method, path, body in (("POST", h.path("kiosks/"), {"name": "k2"}),
                                   ("DELETE", h.path("kiosks/%d/" % kiosk["id"]), None),
                                   ("PATCH", self.settings, {}),
                                   ("POST", h.path(att.ATT + "force-log/"), {"staff_id": h.plain_staff_id, "reason": "r"}),
                                   ("POST", "/api/auth/logout", None)):
            with self.subTest(method=method, path=path):
                fc.assert_error(fc.request(method, path, json=body, cookie=cookie), 403, "CSRF_FAILED")
        # nothing happened: the kiosk is active, the session alive
        fc.assert_json(fc.get("/api/auth/me", cookie=cookie), 200)
        kiosks = fc.assert_json(fc.get(h.path("kiosks/"), token=h.login("manager")), 200)
        self.assertIsNone([k for k in kiosks if k["id"] == kiosk["id"]][0]["revoked_at"])

    def test_reads_need_no_token(self):
        cookie, _, _ = cookie_session(self.h, "hr")
        fc.assert_json(fc.get(self.settings, cookie=cookie), 200)
        r = fc.request("HEAD", self.settings, cookie=cookie)
        self.assertEqual(r.status, 200)

    def test_bearer_and_keys_are_not_affected(self):
        h = self.h
        before = self.current()
        r = self.patch_settings(before + 1, token=h.login("manager"))
        fc.assert_json(r, 200)
        # a bearer header wins over a cookie sent along with it
        cookie, _, _ = cookie_session(h, "manager")
        fc.assert_json(self.patch_settings(before, token=h.login("manager"), cookie=cookie), 200)
        # the system administrator's key and a kiosk key
        fc.assert_json(self.patch_settings(before, api_key=fc.ADMIN_KEY, cookie=cookie), 200)
        kiosk = h.new_kiosk()["api_key"]
        r = fc.post(h.path(att.ATT + "force-log/"), json={"confirmation_token": "x", "reason": "r"},
                    api_key=kiosk, cookie=cookie)
        fc.assert_error(r, 403, "FORBIDDEN")       # the kiosk's own rule: a bad token, not CSRF

    def test_logout_with_the_cookie_and_its_token(self):
        cookie, tok, token = cookie_session(self.h, "staff")
        fc.assert_json(fc.post("/api/auth/logout", cookie=cookie, headers={"X-CSRF-Token": tok}), 200)
        fc.assert_error(fc.get("/api/auth/me", token=token), 401, "UNAUTHENTICATED")
        # a revoked session: 401 first, whatever the token
        fc.assert_error(fc.post("/api/auth/logout", cookie=cookie, headers={"X-CSRF-Token": tok}),
                        401, "UNAUTHENTICATED")

    def test_page_meta_token_is_the_sessions(self):
        cookie, tok, _ = cookie_session(self.h, "manager")
        r = fc.get("/dashboard/settings", cookie=cookie)
        self.assertEqual(r.status, 200, r)
        self.assertIn('<meta name="csrf-token" content="%s">' % tok, r.text)
        me = fc.get("/api/auth/me", cookie=cookie)
        self.assertEqual(me.header("X-CSRF-Token"), tok)
        self.assertEqual(set(me.json), {"user", "expires_at"})


class TestJsonBodyType(unittest.TestCase):
    """A cross-site form can post text/plain whose text is JSON; it logs the
    victim in as the attacker (login CSRF) unless the type is refused."""

    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("ctype")
        cls.h.create()

    def test_login_refuses_a_form_body(self):
        u = self.h.users["staff"]
        body = '{"username": "%s", "password": "%s"}' % (u["username"], u["password"])
        for ctype in ("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
                      "multipart/form-data; boundary=x"):
            with self.subTest(ctype=ctype):
                r = fc.post("/api/auth/login", body=body, headers={"Content-Type": ctype})
                fc.assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")
                self.assertIsNone(r.header("Set-Cookie"))
        r = fc.post("/api/auth/login", body=body, headers={"Content-Type": "application/json; charset=utf-8"})
        fc.assert_json(r, 200)

    def test_settings_and_pms_refuse_a_form_body(self):
        tok = self.h.login("manager")
        settings = self.h.path("attendance/settings/")
        before = fc.assert_json(fc.get(settings, token=tok), 200)["duplicate_scan_seconds"]
        r = fc.patch(settings, body='{"duplicate_scan_seconds": %d}' % (before + 7), token=tok,
                     headers={"Content-Type": "text/plain"})
        fc.assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")
        self.assertEqual(fc.assert_json(fc.get(settings, token=tok), 200)["duplicate_scan_seconds"], before)
        r = fc.put(self.h.sync_path, body=json.dumps(self.h.body()), api_key=fc.ADMIN_KEY,
                   headers={"Content-Type": "text/plain"})
        fc.assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")
