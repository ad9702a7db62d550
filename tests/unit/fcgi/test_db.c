/* test_db.c — the pure decisions of fcgi/db.h: whether a COMMIT's result
 * (its status and PQcmdStatus tag) committed (PostgreSQL answers a COMMIT
 * of a transaction that had failed with COMMAND_OK and the tag ROLLBACK),
 * and what a failure's SQLSTATE means for the answer (db_fail_reply: DB_DOWN
 * and DB_TIMEOUT are 503, DB_ERROR a 500). */
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

static const struct { const char *state; enum db_status st; } sqlstate_vec[] = {
    { NULL, DB_DOWN },                  /* no server answer: the connection lost */
    { "08006", DB_DOWN },               /* connection failure */
    { "57P01", DB_DOWN },               /* admin shutdown (pg_ctl stop -m fast) */
    { "57P02", DB_DOWN },               /* crash shutdown (-m immediate) */
    { "57P03", DB_DOWN },               /* cannot connect now (starting up) */
    { "53100", DB_DOWN },               /* disk full: the fault suite's disk-full fault */
    { "53200", DB_DOWN },               /* out of memory */
    { "53300", DB_DOWN },               /* too many connections */
    { "57014", DB_TIMEOUT },            /* statement_timeout */
    { "55P03", DB_TIMEOUT },            /* lock_timeout */
    { "23505", DB_UNIQUE },
    { "23503", DB_FOREIGN_KEY },
    { "23514", DB_CHECK },
    { "23502", DB_CHECK },
    { "P0001", DB_CHECK },
    { "22P02", DB_INVALID },
    { "40P01", DB_RETRY },
    { "40001", DB_RETRY },
    { "42601", DB_ERROR },              /* a syntax error: a bug */
    { "XX000", DB_ERROR },
    { "57000", DB_ERROR },
};

START_TEST(sqlstate_table)
{
    ck_assert_msg(db_classify_sqlstate(sqlstate_vec[_i].state) == sqlstate_vec[_i].st, "SQLSTATE %s: %d, not %d",
                  sqlstate_vec[_i].state ? sqlstate_vec[_i].state : "(null)",
                  (int)db_classify_sqlstate(sqlstate_vec[_i].state), (int)sqlstate_vec[_i].st);
}
END_TEST

UNIT_SUITE(suite_db)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("commit");
    tcase_add_loop_test(tc, commit_table, 0, NELEM(commit_vec));
    suite_add_tcase(s, tc);
    tc = tcase_create("sqlstate");
    tcase_add_loop_test(tc, sqlstate_table, 0, NELEM(sqlstate_vec));
    suite_add_tcase(s, tc);
    return s;
}
