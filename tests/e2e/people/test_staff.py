"""Staff list: the row shape (PMS ids, no secrets), department and is_active
filters, paging with X-Total-Count and Link rel="next", and that only the
hotel's own staff appear."""

import unittest

import fc

ROW_KEYS = {"id", "employee_code", "first_name", "last_name", "department_id", "role",
            "is_active", "username", "has_registered_face"}


class StaffList(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = fc.Hotel("staff")
        cls.h.create()
        cls.other = fc.Hotel("staff-b")
        cls.other.create()
        cls.path = cls.h.path("staff/")

    def rows(self, query="", **cred):
        cred = cred or {"api_key": fc.ADMIN_KEY}
        r = fc.get(self.path + query, **cred)
        body = fc.assert_json(r, 200)
        self.assertIsInstance(body, list)
        return r, body

    def test_rows(self):
        r, rows = self.rows(token=self.h.login("manager"))
        by_id = {row["id"]: row for row in rows}
        self.assertEqual(set(by_id), {s["id"] for s in self.h.staff})
        self.assertEqual(r.header("X-Total-Count"), str(len(self.h.staff)))
        for s in self.h.staff:
            row = by_id[s["id"]]
            self.assertEqual(set(row), ROW_KEYS, row)
            self.assertEqual(row["employee_code"], s["employee_code"])
            self.assertEqual(row["first_name"], s["first_name"])
            self.assertEqual(row["last_name"], s["last_name"])
            self.assertEqual(row["department_id"], s["department_id"])
            self.assertEqual(row["role"], s["role"])
            self.assertIs(row["is_active"], s["is_active"])
            self.assertEqual(row["username"], s.get("username"))
            self.assertIs(row["has_registered_face"], False)
        for s in self.h.staff:
            if "password" in s:
                self.assertNotIn(s["password"], r.text)
        self.assertNotIn("password", r.text)
        self.assertNotIn("hash", r.text)

    def test_roles_that_may_read(self):
        for role in ("manager", "hr", "admin"):
            with self.subTest(role=role):
                self.rows(token=self.h.login(role))

    def test_filter_department(self):
        for d in self.h.dept:
            with self.subTest(department=d):
                r, rows = self.rows("?department_id=%d" % d)
                want = {s["id"] for s in self.h.staff if s["department_id"] == d}
                self.assertEqual({row["id"] for row in rows}, want)
                self.assertEqual(r.header("X-Total-Count"), str(len(want)))
        _, rows = self.rows("?department_id=%d" % (self.h.base + 999))
        self.assertEqual(rows, [])

    def test_filter_active(self):
        _, rows = self.rows("?is_active=false")
        self.assertEqual({row["id"] for row in rows}, {self.h.inactive["staff_id"]})
        _, rows = self.rows("?is_active=true")
        self.assertEqual({row["id"] for row in rows},
                         {s["id"] for s in self.h.staff if s["is_active"]})
        _, rows = self.rows("?is_active=true&department_id=%d" % self.h.dept[0])
        self.assertEqual({row["id"] for row in rows},
                         {s["id"] for s in self.h.staff if s["is_active"] and s["department_id"] == self.h.dept[0]})

    def test_bad_filters(self):
        for q, field in (("?is_active=maybe", "is_active"), ("?department_id=abc", "department_id"),
                         ("?limit=ten", "limit")):
            with self.subTest(q=q):
                fc.assert_error(fc.admin("GET", self.path + q), 400, "VALIDATION_ERROR", field=field)

    def test_paging(self):
        total = len(self.h.staff)
        r, rows = self.rows("?limit=2")
        self.assertEqual(len(rows), 2)
        self.assertEqual(r.header("X-Total-Count"), str(total))
        seen = [row["id"] for row in rows]
        nxt = fc.link_next(r)
        n = 0
        while nxt:
            n += 1
            self.assertLess(n, 10)
            r = fc.admin("GET", nxt)
            page = fc.assert_json(r, 200)
            seen += [row["id"] for row in page]
            nxt = fc.link_next(r)
        self.assertEqual(sorted(seen), sorted(s["id"] for s in self.h.staff))
        # a filter survives into the next link
        r, rows = self.rows("?limit=1&is_active=true")
        nxt = fc.link_next(r)
        self.assertIsNotNone(nxt)
        seen = [row["id"] for row in rows]
        while nxt:
            r = fc.admin("GET", nxt)
            seen += [row["id"] for row in fc.assert_json(r, 200)]
            nxt = fc.link_next(r)
        self.assertEqual(sorted(seen), sorted(s["id"] for s in self.h.staff if s["is_active"]))

    def test_other_hotel_not_visible(self):
        fc.assert_error(fc.get(self.other.path("staff/"), token=self.h.login("manager")), 404, "NOT_FOUND")
        _, rows = self.rows()
        self.assertFalse({row["id"] for row in rows} & {s["id"] for s in self.other.staff})
