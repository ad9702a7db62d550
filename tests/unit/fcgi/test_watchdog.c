/* test_watchdog.c — fcgi/watchdog.h's pure decisions: when a request
 * overruns the deadline (idle, under, at, past), the database timeouts a
 * deadline gives (a second less, at least half), the instant a worker's
 * database waits end (from nginx's FACECLOCK_REQUEST_START when it is
 * plausible, half a second short); and FACECLOCK_REQUEST_
 * DEADLINE as config_load reads it (default 30, bounds 1..3600). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "unit.h"
#include "watchdog.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct {
    double since, now, limit;
    double due;                 /* expected watchdog_due_in */
} due_tab[] = {
    {0, 100, 31, WATCHDOG_IDLE},        /* between requests: never due */
    {-1, 100, 31, WATCHDOG_IDLE},
    {100, 100, 31, 31},                 /* just taken */
    {100, 130.5, 31, 0.5},              /* under the limit */
    {100, 131, 31, 0},                  /* at it: due */
    {100, 140, 31, -9},                 /* past it */
    {5000.25, 5003.25, 3, 0},
};

START_TEST(due_in)
{
    double got = watchdog_due_in(due_tab[_i].since, due_tab[_i].now, due_tab[_i].limit);
    ck_assert_double_eq_tol(got, due_tab[_i].due, 1e-9);
    ck_assert_int_eq(got <= 0, due_tab[_i].due <= 0);
}
END_TEST

static const struct {
    int deadline_s;
    long ms;
} stmt_tab[] = {
    {1, 500},                           /* half: a second less would be 0 */
    {2, 1000},
    {3, 2000},
    {30, 29000},                        /* the default */
    {3600, 3599000},
};

START_TEST(statement_ms)
{
    ck_assert_int_eq(watchdog_statement_ms(stmt_tab[_i].deadline_s), stmt_tab[_i].ms);
    ck_assert_int_lt(watchdog_statement_ms(stmt_tab[_i].deadline_s), stmt_tab[_i].deadline_s * 1000L);
}
END_TEST

static const struct {
    const char *value;          /* NULL: unset */
    int rc;
    int deadline;
} config_tab[] = {
    {NULL, 0, 30},
    {"5", 0, 5},
    {"1", 0, 1},
    {"3600", 0, 3600},
    {"0", -1, 30},
    {"3601", -1, 30},
    {"2s", -1, 30},
    {"-3", -1, 30},
};

START_TEST(config_deadline)
{
    struct config saved = g_config;
    const char *old = getenv("FACECLOCK_REQUEST_DEADLINE");
    char *keep = old ? strdup(old) : NULL;
    const char *file = getenv("FACECLOCK_CONFIG");
    char *keep_file = file ? strdup(file) : NULL;

    unsetenv("FACECLOCK_CONFIG");
    if (config_tab[_i].value)
        setenv("FACECLOCK_REQUEST_DEADLINE", config_tab[_i].value, 1);
    else
        unsetenv("FACECLOCK_REQUEST_DEADLINE");
    int rc = config_load();
    int got = g_config.request_deadline;

    if (keep)
        setenv("FACECLOCK_REQUEST_DEADLINE", keep, 1);
    else
        unsetenv("FACECLOCK_REQUEST_DEADLINE");
    if (keep_file)
        setenv("FACECLOCK_CONFIG", keep_file, 1);
    free(keep);
    free(keep_file);
    g_config = saved;
    if (config_tab[_i].rc == 0)
        ck_assert_int_eq(rc, 0);
    else
        ck_assert_int_lt(rc, 0);
    ck_assert_int_eq(got, config_tab[_i].deadline);
}
END_TEST

/* now_mono 100, now_wall 5000: the answer is 100 + (start + budget - 5000) */
static const struct {
    const char *sent;           /* FACECLOCK_REQUEST_START */
    int deadline_s;
    double at;
} db_tab[] = {
    {NULL, 5, 104.5},                   /* no parameter: from now, half a second short */
    {"", 5, 104.5},
    {"5000.000", 5, 104.5},
    {"4998.250", 5, 102.75},            /* 1.75 s in the socket's queue */
    {"4990", 5, 94.5},                  /* nginx gave up already: due at once */
    {"5000.400", 5, 104.5},             /* ms rounding ahead of the worker's clock */
    {"5002", 5, 104.5},                 /* too far ahead: not nginx's, from now */
    {"1000", 5, 104.5},                 /* hours old: not nginx's */
    {"4998.250x", 5, 104.5},            /* unparsable */
    {"nan", 5, 104.5},
    {"inf", 5, 104.5},
    {"-inf", 5, 104.5},
    {"1e999", 5, 104.5},
    {NULL, 1, 100.5},                   /* at least half the deadline */
    {NULL, 30, 129.5},
};

START_TEST(db_deadline)
{
    double at = watchdog_db_deadline(100.0, 5000.0, db_tab[_i].sent, db_tab[_i].deadline_s);
    ck_assert_msg(fabs(at - db_tab[_i].at) < 1e-6, "sent %s, deadline %d: %.3f, not %.3f",
                  db_tab[_i].sent ? db_tab[_i].sent : "(null)", db_tab[_i].deadline_s, at, db_tab[_i].at);
}
END_TEST

UNIT_SUITE(suite_watchdog)
{
    Suite *s = suite_create("watchdog");
    TCase *tc;

    tc = tcase_create("due_in");
    tcase_add_loop_test(tc, due_in, 0, NELEM(due_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("statement_ms");
    tcase_add_loop_test(tc, statement_ms, 0, NELEM(stmt_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("db_deadline");
    tcase_add_loop_test(tc, db_deadline, 0, NELEM(db_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("config");
    tcase_add_loop_test(tc, config_deadline, 0, NELEM(config_tab));
    suite_add_tcase(s, tc);
    return s;
}
