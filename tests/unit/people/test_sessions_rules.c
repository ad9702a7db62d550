/* test_sessions_rules.c — handlers/people/sessions_rules.h: the lock a
 * user name's failures from one address earn (none below the threshold,
 * a window at it, doubling after, capped at a day) and the wait an
 * attempt gets from it and from its address's failures. */
#include "people/sessions_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct {
    long long failures;
    int max, window;
    long want;
} lock_tab[] = {
    {0, 5, 900, 0},
    {4, 5, 900, 0},
    {5, 5, 900, 900},
    {6, 5, 900, 1800},                 /* each failure after the lock doubles it */
    {7, 5, 900, 3600},
    {11, 5, 900, 57600},
    {12, 5, 900, LOGIN_LOCKOUT_MAX_S}, /* 115200 capped at a day */
    {1000000000LL, 5, 900, LOGIN_LOCKOUT_MAX_S},
    {1, 1, 60, 60},
    {3, 1, 60, 240},
    {1, 1, 86400, LOGIN_LOCKOUT_MAX_S},
    {2, 1, 86400, LOGIN_LOCKOUT_MAX_S},
    {10, 0, 900, 0},                   /* nonsense settings lock nothing */
    {10, 5, 0, 0},
};

START_TEST(lockout)
{
    ck_assert_int_eq(login_lockout_s(lock_tab[_i].failures, lock_tab[_i].max, lock_tab[_i].window),
                     lock_tab[_i].want);
}
END_TEST

static const struct {
    struct login_failures f;
    long want;
} wait_tab[] = {
    {{0, 0, 0}, 0},
    {{4, 0, 0}, 0},                    /* under the threshold */
    {{5, 0, 0}, 900},                  /* just locked */
    {{5, 100, 0}, 800},
    {{5, 899, 0}, 1},
    {{5, 900, 0}, 0},                  /* the lock is over: one more try */
    {{6, 0, 0}, 1800},                 /* that failed too: twice as long */
    {{6, 1000, 0}, 800},
    {{7, 3599, 0}, 1},
    {{5, -3, 0}, 900},                 /* a clock behind the rows' */
    {{0, 0, 49}, 0},                   /* the address: under 10 × max */
    {{0, 0, 50}, 900},
    {{3, 0, 50}, 900},
    {{5, 600, 50}, 900},               /* the longer of the two */
    {{6, 0, 50}, 1800},
};

START_TEST(wait)
{
    ck_assert_int_eq(login_wait_s(&wait_tab[_i].f, 5, 900), wait_tab[_i].want);
}
END_TEST

UNIT_SUITE(suite_sessions_rules)
{
    Suite *s = suite_create("sessions_rules");
    TCase *tc = tcase_create("lockout");
    tcase_add_loop_test(tc, lockout, 0, NELEM(lock_tab));
    tcase_add_loop_test(tc, wait, 0, NELEM(wait_tab));
    suite_add_tcase(s, tc);
    return s;
}
