/* test_db.c — the pure decision of fcgi/db.h: whether a COMMIT's result
 * (its status and PQcmdStatus tag) committed. PostgreSQL answers a COMMIT
 * of a transaction that had failed with COMMAND_OK and the tag ROLLBACK. */
#include "db.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct { ExecStatusType status; const char *tag; int ok; } commit_vec[] = {
    { PGRES_COMMAND_OK, "COMMIT", 1 },
    { PGRES_COMMAND_OK, "ROLLBACK", 0 },     /* the transaction had failed */
    { PGRES_COMMAND_OK, "", 0 },
    { PGRES_COMMAND_OK, NULL, 0 },
    { PGRES_COMMAND_OK, "COMMIT PREPARED", 0 },
    { PGRES_COMMAND_OK, "commit", 0 },
    { PGRES_FATAL_ERROR, "COMMIT", 0 },
    { PGRES_FATAL_ERROR, "", 0 },              /* e.g. a deferred constraint */
    { PGRES_TUPLES_OK, "COMMIT", 0 },
    { PGRES_NONFATAL_ERROR, "COMMIT", 0 },
};

START_TEST(commit_table)
{
    ck_assert_msg(db_commit_ok(commit_vec[_i].status, commit_vec[_i].tag) == commit_vec[_i].ok,
                  "status %d tag %s", (int)commit_vec[_i].status,
                  commit_vec[_i].tag ? commit_vec[_i].tag : "(null)");
}
END_TEST

UNIT_SUITE(suite_db)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("commit");
    tcase_add_loop_test(tc, commit_table, 0, NELEM(commit_vec));
    suite_add_tcase(s, tc);
    return s;
}
