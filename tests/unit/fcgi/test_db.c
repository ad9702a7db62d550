/* test_db.c — the pure decisions of fcgi/db.h: whether a COMMIT's result
 * (its status and PQcmdStatus tag) committed (PostgreSQL answers a COMMIT
 * of a transaction that had failed with COMMAND_OK and the tag ROLLBACK),
 * and what a failure's SQLSTATE means for the answer (db_fail_reply: DB_DOWN
 * and DB_TIMEOUT are 503, DB_ERROR a 500); the statement db_json_sql makes
 * of declared columns (and the columns it refuses), and the bytes json-c
 * writes for the values it stands in for (what row_to_json writes: the
 * body test tests/e2e/attendance/test_audit_json.py holds PostgreSQL to
 * the same bytes). */
#include <string.h>
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

static const struct db_json_col cols_audit[] = {
    {"id", 0, DBJ_INT}, {"name", 2, DBJ_STR}, {"by", 1, DBJ_INT_OR_NULL}, {"ok", 3, DBJ_BOOL}, {NULL, 0, 0},
};
static const struct db_json_col cols_one[] = {{"x_1", 0, DBJ_STR}, {NULL, 0, 0}};
static const struct db_json_col cols_none[] = {{NULL, 0, 0}};
static const struct db_json_col cols_hours[] = {{"id", 0, DBJ_INT}, {"h", 1, DBJ_HOURS}, {NULL, 0, 0}};
static const struct db_json_col cols_json[] = {{"v", 0, DBJ_JSON}, {NULL, 0, 0}};
static const struct db_json_col cols_quote[] = {{"a\"b", 0, DBJ_STR}, {NULL, 0, 0}};
static const struct db_json_col cols_upper[] = {{"Id", 0, DBJ_INT}, {NULL, 0, 0}};
static const struct db_json_col cols_empty_key[] = {{"", 0, DBJ_INT}, {NULL, 0, 0}};
static const struct db_json_col cols_neg[] = {{"id", -1, DBJ_INT}, {NULL, 0, 0}};

static const struct {
    const struct db_json_col *cols;
    int first, second;
    const char *sql;            /* NULL: refused (-1) */
} json_sql_vec[] = {
    {cols_audit, 0, 5,
     "SELECT p.c0, p.c5, row_to_json(j)::text FROM (SELECT q) p(c0, c1, c2, c3, c4, c5), LATERAL (SELECT "
     "coalesce(p.c0::bigint, 0) AS \"id\", p.c2::text AS \"name\", p.c1::bigint AS \"by\", "
     "coalesce(p.c3::boolean, false) AS \"ok\") j"},
    {cols_one, 0, 0, "SELECT p.c0, p.c0, row_to_json(j)::text FROM (SELECT q) p(c0), LATERAL (SELECT "
                     "p.c0::text AS \"x_1\") j"},
    {cols_one, 2, 1, "SELECT p.c2, p.c1, row_to_json(j)::text FROM (SELECT q) p(c0, c1, c2), LATERAL (SELECT "
                     "p.c0::text AS \"x_1\") j"},
    {cols_none, 0, 0, "SELECT p.c0, p.c0, row_to_json(j)::text FROM (SELECT q) p(c0), LATERAL (SELECT ) j"},
    {cols_hours, 0, 1, NULL},           /* json-c writes its own digits */
    {cols_json, 0, 0, NULL},            /* json-c re-writes the JSON text */
    {cols_quote, 0, 0, NULL},
    {cols_upper, 0, 0, NULL},
    {cols_empty_key, 0, 0, NULL},
    {cols_neg, 0, 0, NULL},
    {cols_one, -1, 0, NULL},
};

START_TEST(json_sql_table)
{
    char out[512], tiny[16];
    int want = json_sql_vec[_i].sql ? (int)strlen(json_sql_vec[_i].sql) : -1;
    int n = db_json_sql(out, sizeof out, "SELECT q", json_sql_vec[_i].cols, json_sql_vec[_i].first,
                        json_sql_vec[_i].second);

    ck_assert_int_eq(n, want);
    if (want < 0)
        return;
    ck_assert_str_eq(out, json_sql_vec[_i].sql);
    /* snprintf's contract: the length without room, the text cut short */
    ck_assert_int_eq(db_json_sql(NULL, 0, "SELECT q", json_sql_vec[_i].cols, json_sql_vec[_i].first,
                                 json_sql_vec[_i].second), want);
    ck_assert_int_eq(db_json_sql(tiny, sizeof tiny, "SELECT q", json_sql_vec[_i].cols, json_sql_vec[_i].first,
                                 json_sql_vec[_i].second), want);
    ck_assert_int_eq(strlen(tiny), sizeof tiny - 1);
    ck_assert(strncmp(tiny, json_sql_vec[_i].sql, sizeof tiny - 1) == 0);
}
END_TEST

/* The text json-c writes (as resp_json: plain, '/' not escaped) for a
 * string: the bytes row_to_json writes for the same text (PostgreSQL's
 * escape_json), which the JSON pages PostgreSQL writes rely on. */
static const struct { const char *in, *out; } escape_vec[] = {
    {"", "\"\""},
    {"plain", "\"plain\""},
    {"q\"uote \\back /slash </script>", "\"q\\\"uote \\\\back /slash </script>\""},
    {"\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""},
    {"\x01\x02\x1f", "\"\\u0001\\u0002\\u001f\""},
    {"\x0b\x1b", "\"\\u000b\\u001b\""},
    {"\x7f del", "\"\x7f del\""},
    {"\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80", "\"\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80\""},
};

START_TEST(json_c_escapes)
{
    struct json_object *o = json_object_new_object();
    char want[128];

    json_object_object_add(o, "s", json_object_new_string(escape_vec[_i].in));
    json_object_object_add(o, "n", NULL);
    json_object_object_add(o, "i", json_object_new_int64(-42));
    json_object_object_add(o, "b", json_object_new_boolean(0));
    snprintf(want, sizeof want, "{\"s\":%s,\"n\":null,\"i\":-42,\"b\":false}", escape_vec[_i].out);
    ck_assert_str_eq(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), want);
    json_object_put(o);
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
    tc = tcase_create("json");
    tcase_add_loop_test(tc, json_sql_table, 0, NELEM(json_sql_vec));
    tcase_add_loop_test(tc, json_c_escapes, 0, NELEM(escape_vec));
    suite_add_tcase(s, tc);
    return s;
}
