/* test_scheduler_rules.c — handlers/attendance/scheduler_rules.h: the
 * scheduler's ticks fall on multiples of the interval (the minute for
 * 60), and the daily purge is due once FACECLOCK_PURGE_AT has passed
 * since its last run, or 24 h after it, and not otherwise. */
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

    return s;
}
