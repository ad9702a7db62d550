/* test_roster.c — handlers/attendance/roster_rules.h against contract 5.5: civil dates to
 * days (known values across leap days, month, year and century ends),
 * shift windows, planned lengths, and a table of scans against rosters —
 * day shifts, the early window's edges, overnight shifts on both of their
 * days, two shifts containing the same instant (nearest start), calendar
 * boundaries. */
#include "attendance/roster_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define T(h, m, s) ((h) * 3600 + (m) * 60 + (s))

/* ---- days_from_civil ------------------------------------------------------- */

static const struct {
    int y, m, d;
    long long days;
} civil_tab[] = {
    {1970, 1, 1, 0},
    {1969, 12, 31, -1},
    {2000, 1, 1, 10957},
    {2000, 2, 29, 11016},       /* 2000 is a leap year (divisible by 400) */
    {2000, 3, 1, 11017},
    {2023, 3, 1, 19417},
    {2024, 2, 29, 19782},
    {2024, 3, 1, 19783},
    {2025, 1, 1, 20089},
    {2038, 1, 19, 24855},
    {2100, 2, 28, 47540},       /* 2100 is not */
    {2100, 3, 1, 47541},
    {1900, 3, 1, -25508},
    {1600, 2, 29, -135081},
    {1, 1, 1, -719162},
    {9999, 12, 31, 2932896},
};

START_TEST(civil)
{
    ck_assert_int_eq(days_from_civil(civil_tab[_i].y, civil_tab[_i].m, civil_tab[_i].d),
                     civil_tab[_i].days);
    ck_assert_int_eq(local_epoch(civil_tab[_i].y, civil_tab[_i].m, civil_tab[_i].d, T(13, 14, 15)),
                     civil_tab[_i].days * 86400 + T(13, 14, 15));
}
END_TEST

/* consecutive dates are consecutive days, 1999-01-01 .. 2101-12-31 */
START_TEST(civil_consecutive)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long long prev = days_from_civil(1998, 12, 31);

    for (int y = 1999; y <= 2101; y++) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

        for (int m = 1; m <= 12; m++) {
            int nd = mdays[m - 1] + (m == 2 && leap);

            for (int d = 1; d <= nd; d++) {
                long long cur = days_from_civil(y, m, d);

                ck_assert_msg(cur == prev + 1, "%04d-%02d-%02d: %lld after %lld", y, m, d, cur, prev);
                prev = cur;
            }
        }
    }
}
END_TEST

/* ---- windows and planned length ------------------------------------------ */

static const struct {
    struct shift s;
    long early;
    long long from, to;   /* relative to the shift date's midnight */
    double planned;
} win_tab[] = {
    {{1, 2025, 6, 10, T(9, 0, 0), T(17, 0, 0)}, 120, T(7, 0, 0), T(17, 0, 0), 8.0},
    {{1, 2025, 6, 10, T(9, 0, 0), T(17, 0, 0)}, 0, T(9, 0, 0), T(17, 0, 0), 8.0},
    {{1, 2025, 6, 10, T(22, 0, 0), T(6, 0, 0)}, 120, T(20, 0, 0), 86400 + T(6, 0, 0), 8.0},
    {{1, 2025, 6, 10, T(1, 0, 0), T(9, 0, 0)}, 120, -T(1, 0, 0), T(9, 0, 0), 8.0},
    {{1, 2025, 6, 10, T(7, 30, 0), T(15, 45, 0)}, 15, T(7, 15, 0), T(15, 45, 0), 8.25},
    {{1, 2025, 6, 10, T(23, 0, 0), 0}, 60, T(22, 0, 0), 86400, 1.0},
    {{1, 2025, 6, 10, T(8, 0, 0), T(8, 0, 0)}, 0, T(8, 0, 0), 86400 + T(8, 0, 0), 24.0},
    {{1, 2025, 6, 10, 0, T(23, 59, 59)}, 0, 0, T(23, 59, 59), 86399 / 3600.0},
    {{1, 2025, 6, 10, T(8, 0, 0), T(7, 59, 59)}, 0, T(8, 0, 0), 86400 + T(7, 59, 59), 86399 / 3600.0},
};

START_TEST(window)
{
    const struct shift *s = &win_tab[_i].s;
    long long base = local_epoch(s->year, s->month, s->day, 0), from, to;

    roster_window(s, win_tab[_i].early, &from, &to);
    ck_assert_int_eq(from - base, win_tab[_i].from);
    ck_assert_int_eq(to - base, win_tab[_i].to);
    ck_assert_double_eq_tol(shift_planned_hours(s), win_tab[_i].planned, 1e-12);
}
END_TEST

/* ---- picking the shift of a scan ----------------------------------------- */

#define MAXS 3
#define DAY {1, 2025, 6, 10, T(9, 0, 0), T(17, 0, 0)}      /* 10 June 09:00-17:00 */
#define NIGHT {1, 2025, 6, 10, T(22, 0, 0), T(6, 0, 0)}    /* 10 June 22:00 - 11 June 06:00 */

static const struct {
    const char *name;
    int n;
    struct shift s[MAXS];
    long early;
    int y, m, d, secs;    /* now, hotel-local */
    int want;
} pick_tab[] = {
    {"no shifts", 0, {{0}}, 120, 2025, 6, 10, T(12, 0, 0), -1},

    /* a day shift 09:00-17:00 */
    {"day: inside", 1, {DAY}, 120, 2025, 6, 10, T(12, 0, 0), 0},
    {"day: at the start", 1, {DAY}, 0, 2025, 6, 10, T(9, 0, 0), 0},
    {"day: 1 s early, no early window", 1, {DAY}, 0, 2025, 6, 10, T(8, 59, 59), -1},
    {"day: start - 120 min", 1, {DAY}, 120, 2025, 6, 10, T(7, 0, 0), 0},
    {"day: 1 s before start - 120 min", 1, {DAY}, 120, 2025, 6, 10, T(6, 59, 59), -1},
    {"day: at the end", 1, {DAY}, 120, 2025, 6, 10, T(17, 0, 0), 0},
    {"day: 1 s after the end", 1, {DAY}, 120, 2025, 6, 10, T(17, 0, 1), -1},
    {"day: the next day", 1, {DAY}, 120, 2025, 6, 11, T(12, 0, 0), -1},
    {"day: the day before", 1, {DAY}, 120, 2025, 6, 9, T(12, 0, 0), -1},

    /* overnight 22:00-06:00 */
    {"night: 23:00 the same day", 1, {NIGHT}, 120, 2025, 6, 10, T(23, 0, 0), 0},
    {"night: 05:00 the next day", 1, {NIGHT}, 120, 2025, 6, 11, T(5, 0, 0), 0},
    {"night: 06:00:00 the next day", 1, {NIGHT}, 120, 2025, 6, 11, T(6, 0, 0), 0},
    {"night: 06:00:01 the next day", 1, {NIGHT}, 120, 2025, 6, 11, T(6, 0, 1), -1},
    {"night: 05:00 of its own date", 1, {NIGHT}, 120, 2025, 6, 10, T(5, 0, 0), -1},
    {"night: 20:00, early window", 1, {NIGHT}, 120, 2025, 6, 10, T(20, 0, 0), 0},
    {"night: 19:59:59", 1, {NIGHT}, 120, 2025, 6, 10, T(19, 59, 59), -1},
    {"night: midnight", 1, {NIGHT}, 0, 2025, 6, 11, 0, 0},
    {"ends at midnight: 00:00:00", 1, {{1, 2025, 6, 10, T(16, 0, 0), 0}}, 0, 2025, 6, 11, 0, 0},
    {"ends at midnight: 00:00:01", 1, {{1, 2025, 6, 10, T(16, 0, 0), 0}}, 0, 2025, 6, 11, 1, -1},
    {"early window before midnight", 1, {{1, 2025, 6, 11, T(1, 0, 0), T(9, 0, 0)}}, 120, 2025, 6, 10, T(23, 0, 0), 0},
    {"early window, 1 s before", 1, {{1, 2025, 6, 11, T(1, 0, 0), T(9, 0, 0)}}, 120, 2025, 6, 10, T(22, 59, 59), -1},
    {"24 h shift, next morning", 1, {{1, 2025, 6, 10, T(8, 0, 0), T(8, 0, 0)}}, 0, 2025, 6, 11, T(7, 59, 0), 0},

    /* yesterday's night shift and today's morning shift both contain now */
    {"yesterday's night vs today's early window", 2,
     {{1, 2025, 6, 10, T(22, 0, 0), T(6, 0, 0)}, {2, 2025, 6, 11, T(7, 0, 0), T(15, 0, 0)}},
     120, 2025, 6, 11, T(5, 30, 0), 1},
    {"today's early window opens", 2,
     {{2, 2025, 6, 11, T(7, 0, 0), T(15, 0, 0)}, {1, 2025, 6, 10, T(22, 0, 0), T(6, 0, 0)}},
     120, 2025, 6, 11, T(5, 0, 0), 0},
    {"before today's window: yesterday's", 2,
     {{1, 2025, 6, 10, T(22, 0, 0), T(6, 0, 0)}, {2, 2025, 6, 11, T(7, 0, 0), T(15, 0, 0)}},
     120, 2025, 6, 11, T(4, 59, 59), 0},
    {"a long early window: yesterday's is nearer", 2,
     {{2, 2025, 6, 11, T(7, 0, 0), T(15, 0, 0)}, {1, 2025, 6, 10, T(22, 0, 0), T(6, 0, 0)}},
     600, 2025, 6, 10, T(23, 0, 0), 1},
    {"back to back, equal distance: the one under way", 2,
     {{2, 2025, 6, 10, T(12, 0, 0), T(16, 0, 0)}, {1, 2025, 6, 10, T(8, 0, 0), T(12, 0, 0)}},
     120, 2025, 6, 10, T(10, 0, 0), 1},
    {"back to back, at the change", 2,
     {{1, 2025, 6, 10, T(8, 0, 0), T(12, 0, 0)}, {2, 2025, 6, 10, T(12, 0, 0), T(16, 0, 0)}},
     120, 2025, 6, 10, T(12, 0, 0), 1},
    {"only the third contains now", 3,
     {{1, 2025, 6, 9, T(9, 0, 0), T(17, 0, 0)}, {2, 2025, 6, 11, T(9, 0, 0), T(17, 0, 0)},
      {3, 2025, 6, 10, T(9, 0, 0), T(17, 0, 0)}},
     120, 2025, 6, 10, T(16, 0, 0), 2},

    /* calendar boundaries */
    {"leap day night, 1 March", 1, {{1, 2024, 2, 29, T(22, 0, 0), T(6, 0, 0)}}, 120, 2024, 3, 1, T(5, 0, 0), 0},
    {"28 Feb night, 1 March (no leap)", 1, {{1, 2023, 2, 28, T(22, 0, 0), T(6, 0, 0)}}, 120, 2023, 3, 1, T(5, 0, 0), 0},
    {"28 Feb night, leap day", 1, {{1, 2024, 2, 28, T(22, 0, 0), T(6, 0, 0)}}, 120, 2024, 2, 29, T(5, 0, 0), 0},
    {"28 Feb night, 1 March in a leap year", 1, {{1, 2024, 2, 28, T(22, 0, 0), T(6, 0, 0)}}, 120, 2024, 3, 1, T(5, 0, 0), -1},
    {"month end", 1, {{1, 2025, 4, 30, T(23, 0, 0), T(7, 0, 0)}}, 120, 2025, 5, 1, T(6, 59, 0), 0},
    {"year end", 1, {{1, 2024, 12, 31, T(22, 0, 0), T(6, 0, 0)}}, 120, 2025, 1, 1, T(3, 0, 0), 0},
    {"early window over the year end", 1, {{1, 2025, 1, 1, T(0, 30, 0), T(8, 0, 0)}}, 120, 2024, 12, 31, T(22, 30, 0), 0},
    {"early window over the year end, 1 s before", 1, {{1, 2025, 1, 1, T(0, 30, 0), T(8, 0, 0)}},
     120, 2024, 12, 31, T(22, 29, 59), -1},
};

START_TEST(pick)
{
    long long now = local_epoch(pick_tab[_i].y, pick_tab[_i].m, pick_tab[_i].d, pick_tab[_i].secs);
    int got = roster_pick(pick_tab[_i].s, pick_tab[_i].n, now, pick_tab[_i].early);

    ck_assert_msg(got == pick_tab[_i].want, "%s: picked %d, want %d", pick_tab[_i].name, got,
                  pick_tab[_i].want);
}
END_TEST

UNIT_SUITE(suite_roster)
{
    Suite *s = suite_create("roster");
    TCase *tc;

    tc = tcase_create("civil");
    tcase_add_loop_test(tc, civil, 0, NELEM(civil_tab));
    tcase_add_test(tc, civil_consecutive);
    suite_add_tcase(s, tc);

    tc = tcase_create("window");
    tcase_add_loop_test(tc, window, 0, NELEM(win_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("pick");
    tcase_add_loop_test(tc, pick, 0, NELEM(pick_tab));
    suite_add_tcase(s, tc);

    return s;
}
