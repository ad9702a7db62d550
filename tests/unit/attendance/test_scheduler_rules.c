/* test_scheduler_rules.c — handlers/attendance/scheduler_rules.h: the
 * scheduler's ticks fall on multiples of the interval (the minute for
 * 60), and the daily purge is due once FACECLOCK_PURGE_AT has passed
 * since its last run, or 24 h after it, and not otherwise; a forgotten
 * session is auto-closed at the time its hotel's mode says. */
#include "attendance/scheduler_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define H 3600
#define DAY 86400
/* a day's midnight, and its 03:30 */
#define D0 ((time_t)1764892800)     /* 2025-12-05 00:00 UTC */
#define AT (D0 + 3 * H + 30 * 60)

static const struct {
    time_t now;
    int interval;
    time_t want;
} tick_tab[] = {
    {D0, 60, D0 + 60},               /* on a minute: the next one */
    {D0 + 1, 60, D0 + 60},
    {D0 + 59, 60, D0 + 60},
    {D0 + 61, 60, D0 + 120},
    {D0 + 1, 1, D0 + 2},
    {D0 + 7, 5, D0 + 10},
    {D0 + 10, 5, D0 + 15},
};

START_TEST(next_tick)
{
    ck_assert_int_eq((long long)scheduler_next_tick(tick_tab[_i].now, tick_tab[_i].interval),
                     (long long)tick_tab[_i].want);
}
END_TEST

static const struct {
    const char *name;
    time_t now, last;
    int want;
} due_tab[] = {
    {"before today's time, ran yesterday at it", AT - 60, AT - DAY, 0},
    {"at today's time, ran yesterday at it", AT, AT - DAY, 1},
    {"just after today's time", AT + 60, AT - DAY + 60, 1},
    {"after today's time, already ran today", AT + H, AT + 60, 0},
    {"late evening, ran at today's time", D0 + 23 * H, AT, 0},
    {"after today's time, last ran before it this morning", AT + 60, D0 + H, 1},
    {"before today's time, last ran an hour ago", AT - 60, AT - H, 0},
    {"24 h since the last run, before today's time", AT - 60, AT - 60 - DAY, 1},
    {"just under 24 h, before today's time", AT - 60, AT - 59 - DAY, 0},
    {"ran two days ago", D0 + H, D0 + H - 2 * DAY, 1},
    {"ran just now, after the time", AT + 120, AT + 119, 0},
};

START_TEST(purge_due)
{
    ck_assert_msg(scheduler_purge_due(due_tab[_i].now, due_tab[_i].last, AT) == due_tab[_i].want,
                  "%s: want %d", due_tab[_i].name, due_tab[_i].want);
}
END_TEST

/* time_in T, a shift ending at E; hard limit 12 h */
#define T (D0 + 8 * H)
#define E (D0 + 16 * H)
static const struct {
    const char *name;
    int mode;
    double after;
    time_t shift_end, want;
} close_tab[] = {
    {"off, rostered", AUTO_CLOSE_OFF, 2, E, 0},
    {"off, unrostered", AUTO_CLOSE_OFF, 2, 0, 0},
    {"shift_end: end + 2 h", AUTO_CLOSE_SHIFT_END, 2, E, E + 2 * H},
    {"shift_end: end + 0 h", AUTO_CLOSE_SHIFT_END, 0, E, E},
    {"shift_end: end + 1.5 h", AUTO_CLOSE_SHIFT_END, 1.5, E, E + 90 * 60},
    {"shift_end, unrostered: the hard limit", AUTO_CLOSE_SHIFT_END, 2, 0, T + 12 * H},
    {"shift_end: a shift that ended before the clock-in: time_in", AUTO_CLOSE_SHIFT_END, 0, T - H, T},
    {"hard_limit: time_in + 12 h", AUTO_CLOSE_HARD_LIMIT, 2, E, T + 12 * H},
    {"hard_limit, unrostered", AUTO_CLOSE_HARD_LIMIT, 2, 0, T + 12 * H},
};

START_TEST(close_at)
{
    long long got = (long long)auto_close_at(close_tab[_i].mode, close_tab[_i].after, 12.0, T, close_tab[_i].shift_end);
    ck_assert_msg(got == (long long)close_tab[_i].want, "%s: got %lld, want %lld", close_tab[_i].name, got,
                  (long long)close_tab[_i].want);
}
END_TEST

START_TEST(mode_names)
{
    ck_assert_int_eq(auto_close_of("off"), AUTO_CLOSE_OFF);
    ck_assert_int_eq(auto_close_of("shift_end"), AUTO_CLOSE_SHIFT_END);
    ck_assert_int_eq(auto_close_of("hard_limit"), AUTO_CLOSE_HARD_LIMIT);
    ck_assert_int_eq(auto_close_of("Off"), -1);
    ck_assert_int_eq(auto_close_of(""), -1);
    ck_assert_int_eq(auto_close_of(NULL), -1);
    ck_assert_str_eq(auto_close_name(AUTO_CLOSE_HARD_LIMIT), "hard_limit");
    ck_assert_str_eq(auto_close_name(AUTO_CLOSE_SHIFT_END), "shift_end");
    ck_assert_str_eq(auto_close_name(AUTO_CLOSE_OFF), "off");
}
END_TEST

UNIT_SUITE(suite_scheduler)
{
    Suite *s = suite_create("scheduler");
    TCase *tc;

    tc = tcase_create("tick");
    tcase_add_loop_test(tc, next_tick, 0, NELEM(tick_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("purge_due");
    tcase_add_loop_test(tc, purge_due, 0, NELEM(due_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("auto_close");
    tcase_add_loop_test(tc, close_at, 0, NELEM(close_tab));
    tcase_add_test(tc, mode_names);
    suite_add_tcase(s, tc);

    return s;
}
