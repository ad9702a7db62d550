"""The audit logs partitioned by month (sql/027_audit_partitions.sql,
issue 15): rows land in their month's partition (or the default one),
every partition refuses UPDATE, DELETE and TRUNCATE even to the owner,
the application's role can neither touch a partition directly nor change
the parents, fc_audit_partitions() makes the months ahead (as the
scheduler does) idempotently, and the hash chain runs on across
partitions: rows of two months and the default partition chain in one
sequence that `faceclock audit-verify` accepts."""

import unittest

import fc
from attendance.att import AttHotel


def partition_of(table, row_id):
    return fc.psql("SELECT tableoid::regclass FROM %s WHERE id = %d" % (table, row_id))


def refused(sql, role="owner"):
    rc, _, err = fc.psql(sql, role=role, check=False)
    return rc != 0, err


class Partitions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = h = AttHotel("auditpart", extra=2).make()
        p = h.people
        # one row three months back (its own month's partition, made by the
        # migration only if rows were that old: else the default), one now,
        # one in 2 years (the default partition)
        fc.psql("SELECT fc_audit_partitions(0, now() - interval '3 months')")
        cls.ids = [int(fc.psql(
            "INSERT INTO face_audit_log (hotel_id, staff_id, action, reason, created_at) "
            "VALUES (%d, %d, 'FORCED_CLOCK_IN', 'partition test', %s) RETURNING id" % (h.hotel_id, p[0], when)).split()[0])
            for when in ("now() - interval '3 months'", "now()", "now() + interval '2 years'")]

    def test_rows_sit_in_their_months(self):
        old, now, future = (partition_of("face_audit_log", i) for i in self.ids)
        month = fc.psql("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY\"m\"MM')")
        back = fc.psql("SELECT to_char((now() - interval '3 months') AT TIME ZONE 'UTC', 'YYYY\"m\"MM')")
        self.assertEqual(now, "face_audit_log_y" + month)
        self.assertEqual(old, "face_audit_log_y" + back)
        self.assertEqual(future, "face_audit_log_default")

    def test_every_partition_is_append_only(self):
        parts = fc.psql("SELECT string_agg(c.relname, ' ') FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                        "WHERE i.inhparent IN ('face_audit_log'::regclass, 'action_audit_log'::regclass)").split()
        self.assertIn("face_audit_log_default", parts)
        self.assertIn("action_audit_log_default", parts)
        self.assertGreaterEqual(len(parts), 10)            # this month and 3 ahead, each log, and defaults
        for part in parts:
            # the refusing triggers: a row trigger on UPDATE and DELETE, a
            # statement trigger on TRUNCATE, both enabled
            kinds = fc.psql("SELECT string_agg(CASE WHEN tgtype & 1 = 1 THEN 'row' ELSE 'stmt' END, ',' "
                            "ORDER BY tgtype & 1) FROM pg_trigger WHERE tgrelid = '%s'::regclass "
                            "AND tgfoid = 'fc_audit_append_only'::regproc AND tgenabled = 'O'" % part)
            self.assertEqual(kinds, "stmt,row", part)
            sqls = ["TRUNCATE %s" % part]
            if fc.psql("SELECT count(*) FROM %s" % part) != "0":
                sqls += ["UPDATE %s SET user_agent = 'x'" % part, "DELETE FROM %s" % part]
            for sql in sqls:
                no, err = refused(sql)
                self.assertTrue(no, "owner: %s went through" % sql)
                self.assertIn("append-only", err, sql)
            # the application's role has no business with a partition itself
            no, err = refused("SELECT 1 FROM %s LIMIT 1" % part, role="app")
            self.assertTrue(no and "denied" in err, part)
        for sql in ("UPDATE face_audit_log SET reason = 'x' WHERE id = %d" % self.ids[1],
                    "DELETE FROM face_audit_log WHERE id = %d" % self.ids[1], "TRUNCATE face_audit_log",
                    "TRUNCATE action_audit_log", "SELECT fc_audit_partitions(1)",
                    "ALTER TABLE face_audit_log DETACH PARTITION face_audit_log_default"):
            no, err = refused(sql, role="app")
            self.assertTrue(no, "app: %s went through" % sql)
        # the one thing it may call: the scheduler's
        fc.psql("SELECT fc_audit_partitions_ahead()", role="app")

    def test_months_ahead_made_once(self):
        made = int(fc.psql("SELECT fc_audit_partitions(5)"))
        self.assertGreaterEqual(made, 0)
        self.assertEqual(fc.psql("SELECT fc_audit_partitions(5)"), "0")
        ahead = fc.psql("SELECT to_char((now() + interval '5 months') AT TIME ZONE 'UTC', 'YYYY\"m\"MM')")
        for t in ("face_audit_log", "action_audit_log"):
            self.assertEqual(fc.psql("SELECT to_regclass('%s_y%s') IS NOT NULL" % (t, ahead)), "t")

    def test_chain_runs_on_across_partitions(self):
        h = self.h
        h.register(h.people[1])                              # a face row and its action rows, now
        rows = fc.psql("SELECT string_agg(chain_seq::text || ':' || tableoid::regclass::text, ',' ORDER BY chain_seq) "
                       "FROM (SELECT chain_seq, tableoid FROM face_audit_log WHERE hotel_id = %d UNION ALL "
                       "SELECT chain_seq, tableoid FROM action_audit_log WHERE hotel_id = %d) u"
                       % (h.hotel_id, h.hotel_id)).split(",")
        seqs = [int(r.split(":")[0]) for r in rows]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
        self.assertGreaterEqual(len({r.split(":")[1] for r in rows}), 3, rows)   # several partitions
        p = fc.faceclock(["audit-verify", "--hotel", h.slug])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
