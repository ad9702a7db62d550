"""Requests as the dashboard's browser makes them, shared by the pages/
tests (no tests here): a cookie session from a login, a page fetched as
HTML, and the login redirect of a request without a valid session."""

import urllib.parse

import fc


def session(h, role):
    """(cookie header, csrf token) of a fresh login of the hotel's user."""
    u = h.users[role]
    r = fc.login(u["username"], u["password"])
    body = fc.assert_json(r, 200)
    return "fc_token=" + body["token"], r.header("X-CSRF-Token")


def page(path, cookie=None):
    return fc.get(path, cookie=cookie, headers={"Accept": "text/html"})


def assert_login_redirect(case, path, nxt, cookies):
    """GET path without a session, and with each cookie of cookies (dicts
    of fc.get keywords): 303 to the login page with next=nxt."""
    for kw in cookies:
        with case.subTest(path=path, kw=kw):
            r = fc.get(path, **kw)
            case.assertEqual(r.status, 303, r)
            loc = urllib.parse.urlsplit(r.header("Location"))
            case.assertEqual(loc.path, "/dashboard/login")
            case.assertEqual(urllib.parse.parse_qs(loc.query)["next"], [nxt])
