/* test_db.c — the pure decisions of fcgi/db.h: whether a COMMIT's result
 * (its status and PQcmdStatus tag) committed (PostgreSQL answers a COMMIT
 * of a transaction that had failed with COMMAND_OK and the tag ROLLBACK),
 * and what a failure's SQLSTATE means for the answer (db_fail_reply: DB_DOWN
 * and DB_TIMEOUT are 503, DB_ERROR a 500); a WAL position as carried back
 * by a client (X-WAL-Position) and whether reads may go to a standby
 * (db_read_decide); and a row's JSON text written by db_row_text, byte
 * for byte its object's as json-c writes it. */
#include <string.h>
#include <json-c/json.h>
#include <stdlib.h>
#include "db.h"
#include "jsonx.h"
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

static const struct { const char *s; int rc; unsigned long long lsn; } lsn_vec[] = {
    { "0/0", 0, 0 },
    { "0/16B3748", 0, 0x16B3748ULL },
    { "1/0", 0, 1ULL << 32 },
    { "FFFFFFFF/FFFFFFFF", 0, ~0ULL },
    { "ab/cd", 0, 0xab000000cdULL },
    { "", -1, 0 },
    { "/", -1, 0 },
    { "0/", -1, 0 },
    { "/0", -1, 0 },
    { "0", -1, 0 },
    { "0/0/0", -1, 0 },
    { "123456789/0", -1, 0 },           /* 9 hex digits */
    { "0/123456789", -1, 0 },
    { "0/0 ", -1, 0 },
    { " 0/0", -1, 0 },
    { "g/0", -1, 0 },
    { "-1/0", -1, 0 },
    { "0x1/0", -1, 0 },
};

START_TEST(lsn_table)
{
    unsigned long long lsn = 12345;
    int rc = db_lsn_parse(lsn_vec[_i].s, &lsn);
    ck_assert_msg(rc == lsn_vec[_i].rc, "\"%s\": %d", lsn_vec[_i].s, rc);
    if (rc == 0)
        ck_assert_msg(lsn == lsn_vec[_i].lsn, "\"%s\": %llx", lsn_vec[_i].s, lsn);
    else
        ck_assert_msg(lsn == 12345, "\"%s\": written on failure", lsn_vec[_i].s);
}
END_TEST

#define STANDBY(replayed, lag) {1, 1, replayed, lag}
static const struct {
    struct db_read_state s;
    unsigned long long after;
    double max_lag;
    enum db_read_choice want;
} read_vec[] = {
    { STANDBY(100, 0), 0, 5, DB_READ_STANDBY },
    { STANDBY(100, 0), 100, 5, DB_READ_STANDBY },       /* replayed exactly the caller's write */
    { STANDBY(100, 0), 101, 5, DB_READ_BEHIND },        /* one byte short */
    { STANDBY(100, 0), ~0ULL, 5, DB_READ_BEHIND },      /* a position that was not one */
    { STANDBY(100, 4.9), 0, 5, DB_READ_STANDBY },
    { STANDBY(100, 5.0), 0, 5, DB_READ_STANDBY },       /* the bound itself is within it */
    { STANDBY(100, 5.1), 0, 5, DB_READ_LAGGING },
    { STANDBY(100, 0.5), 0, 0, DB_READ_LAGGING },       /* bound 0: only a standby with nothing to replay */
    { STANDBY(50, 9), 100, 5, DB_READ_BEHIND },         /* behind is said before lagging */
    { {1, 0, 100, 0}, 0, 5, DB_READ_DETACHED },         /* no WAL receiver: may be any age */
    { {1, 0, 100, 0}, 100, 5, DB_READ_DETACHED },
    { {0, 0, 0, 0}, ~0ULL, 5, DB_READ_SERVER_IS_PRIMARY },  /* a primary has what it wrote */
    { {0, 1, 0, 99}, 100, 5, DB_READ_SERVER_IS_PRIMARY },
};

START_TEST(read_table)
{
    enum db_read_choice got = db_read_decide(&read_vec[_i].s, read_vec[_i].after, read_vec[_i].max_lag);
    ck_assert_msg(got == read_vec[_i].want, "row %d: %d, not %d", _i, (int)got, (int)read_vec[_i].want);
}
END_TEST

/* db_row_text: the row's JSON text, byte for byte what db_row_object()
 * written by json-c (as resp_json() writes) was, for every column type
 * and NULL, over a table of values: control characters, the escapes
 * json-c names, '/', DEL, non-ASCII, quotes and backslashes, numbers at
 * the edges of int64, booleans, hours, JSON text. */
static const struct db_json_col cols_all[] = {
    {"id", 0, DBJ_INT},        {"by", 1, DBJ_INT_OR_NULL}, {"name", 2, DBJ_STR}, {"ok", 3, DBJ_BOOL},
    {"hours", 4, DBJ_HOURS},   {"details", 5, DBJ_JSON},   {"again", 2, DBJ_STR}, {NULL, 0, 0},
};

static const char *const row_vec[][6] = {
    /* id, by, name, ok, hours, details (NULL: SQL NULL) */
    {"1", "2", "plain", "t", "7.5", "{\"a\": 1, \"b\": [1, 2.50, \"x\"]}"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
    {"0", "-1", "", "f", "0", "null"},
    {"9223372036854775807", "-9223372036854775808", "q\"uote \\back /slash </script>", "t", "-0.004", "[]"},
    {"42", NULL, "\b\f\n\r\t", "x", "12.345", "\"s/\\u0001\""},
    {"7", "8", "\x01\x02\x1f\x0b\x1b", "true", "1e3", "{}"},
    {"7", "8", "\x7f del", "t", "2.005", "{\"k\": null}"},
    {"7", "8", "\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80", "t", "100", "true"},
};

/* a result of one row of row_vec[i] (text columns) */
static PGresult *one_row(int i)
{
    PGresAttDesc att[6];
    PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);

    memset(att, 0, sizeof att);
    for (int c = 0; c < 6; c++) {
        att[c].name = (char *)"c";
        att[c].typid = 25;
        att[c].typlen = -1;
        att[c].atttypmod = -1;
    }
    ck_assert(r != NULL && PQsetResultAttrs(r, 6, att));
    for (int c = 0; c < 6; c++) {
        const char *v = row_vec[i][c];
        ck_assert(PQsetvalue(r, 0, c, (char *)v, v != NULL ? (int)strlen(v) : -1));
    }
    return r;
}

#define PLAIN (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

START_TEST(row_text_as_object)
{
    PGresult *r = one_row(_i);
    struct json_object *o = db_row_object(cols_all, r, 0);
    struct jx_out t = {NULL, 0, 0};

    db_row_text(&t, cols_all, r, 0);
    jx_put_raw(&t, "", 1);
    ck_assert_str_eq(t.buf, json_object_to_json_string_ext(o, PLAIN));
    ck_assert_uint_eq(t.len - 1, strlen(json_object_to_json_string_ext(o, PLAIN)));
    free(t.buf);
    json_object_put(o);
    PQclear(r);
}
END_TEST

/* what the table above amounts to, spelled out for one row */
START_TEST(row_text_spelled)
{
    PGresult *r = one_row(4);
    struct jx_out t = {NULL, 0, 0};

    db_row_text(&t, cols_all, r, 0);
    jx_put_raw(&t, "", 1);
    ck_assert_str_eq(t.buf, "{\"id\":42,\"by\":null,\"name\":\"\\b\\f\\n\\r\\t\",\"ok\":false,\"hours\":12.35,"
                              "\"details\":\"s/\\u0001\",\"again\":\"\\b\\f\\n\\r\\t\"}");
    free(t.buf);
    PQclear(r);
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
    tc = tcase_create("lsn");
    tcase_add_loop_test(tc, lsn_table, 0, NELEM(lsn_vec));
    suite_add_tcase(s, tc);
    tc = tcase_create("read");
    tcase_add_loop_test(tc, read_table, 0, NELEM(read_vec));
    suite_add_tcase(s, tc);
    tc = tcase_create("row_text");
    tcase_add_loop_test(tc, row_text_as_object, 0, NELEM(row_vec));
    tcase_add_test(tc, row_text_spelled);
    suite_add_tcase(s, tc);
    return s;
}
