/* test_clock_rules.c — handlers/attendance/clock_rules.h against contract
 * 5.5: one table of scans through every branch of the decision —
 * department (an empty list allows all, staff without a department
 * included), the duplicate-scan window on both sides of
 * duplicate_scan_seconds, clock-out, the rostered window's edges (early
 * start, end, overnight shifts on both of their days, several shifts),
 * the unrostered prompt, force_log with and without a reason — and the
 * order between them. */
#include <stddef.h>
#include "attendance/clock_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define T(h, m, s) ((h) * 3600 + (m) * 60 + (s))
#define MAXS 3

/* 10 June 2025, hotel-local */
#define DAY {11, 2025, 6, 10, T(9, 0, 0), T(17, 0, 0)}          /* 09:00-17:00 */
#define NIGHT_BEFORE {12, 2025, 6, 9, T(22, 0, 0), T(6, 0, 0)}  /* 9 June 22:00 - 10 June 06:00 */
#define NIGHT {13, 2025, 6, 10, T(22, 0, 0), T(6, 0, 0)}        /* 10 June 22:00 - 11 June 06:00 */
#define TOMORROW {14, 2025, 6, 11, T(9, 0, 0), T(17, 0, 0)}

/* duplicate_scan_seconds and clock_in_early_minutes (the defaults: 60, 120) */
#define SET(dup_s, early_m) .dup = (dup_s), .early = (early_m)
#define DEFAULTS SET(60, 120)

static const struct {
    const char *name;
    int ndeps;
    long long deps[2];            /* face_attendance_departments */
    long dup, early;
    long long dept;               /* the person's department, 0 = none */
    int open;
    double open_seconds;
    int n;
    struct shift s[MAXS];
    int day, secs;                /* now: June <day> 2025 at secs, hotel-local */
    int force;
    const char *reason;
    enum clock_action want;
    int want_shift;
} tab[] = {
    /* departments: an empty list allows every one, and none */
    {.name = "empty list, no department", DEFAULTS, .n = 1, .s = {DAY}, .day = 10, .secs = T(12, 0, 0),
     .want = CLOCK_IN_ROSTERED, .want_shift = 0},
    {.name = "empty list, department 7", DEFAULTS, .dept = 7, .n = 1, .s = {DAY}, .day = 10,
     .secs = T(12, 0, 0), .want = CLOCK_IN_ROSTERED, .want_shift = 0},
    {.name = "listed department", .ndeps = 2, .deps = {1, 2}, DEFAULTS, .dept = 2, .n = 1, .s = {DAY},
     .day = 10, .secs = T(12, 0, 0), .want = CLOCK_IN_ROSTERED, .want_shift = 0},
    {.name = "unlisted department", .ndeps = 2, .deps = {1, 2}, DEFAULTS, .dept = 3, .n = 1, .s = {DAY},
     .day = 10, .secs = T(12, 0, 0), .want = CLOCK_REFUSE_DEPARTMENT, .want_shift = -1},
    {.name = "no department, list not empty", .ndeps = 2, .deps = {1, 2}, DEFAULTS, .n = 1, .s = {DAY},
     .day = 10, .secs = T(12, 0, 0), .want = CLOCK_REFUSE_DEPARTMENT, .want_shift = -1},
    {.name = "unlisted: refused before a clock-out", .ndeps = 1, .deps = {1}, DEFAULTS, .dept = 2,
     .open = 1, .open_seconds = T(8, 0, 0), .day = 10, .secs = T(17, 0, 0),
     .want = CLOCK_REFUSE_DEPARTMENT, .want_shift = -1},
    {.name = "unlisted: refused before a duplicate", .ndeps = 1, .deps = {1}, DEFAULTS, .dept = 2,
     .open = 1, .open_seconds = 1, .day = 10, .secs = T(17, 0, 0),
     .want = CLOCK_REFUSE_DEPARTMENT, .want_shift = -1},
    {.name = "unlisted: refused before force_log", .ndeps = 1, .deps = {1}, DEFAULTS, .dept = 2,
     .day = 10, .secs = T(12, 0, 0), .force = 1, .reason = "Forgot", .want = CLOCK_REFUSE_DEPARTMENT,
     .want_shift = -1},

    /* an open session: closed, unless it began less than duplicate_scan_seconds ago */
    {.name = "open 0 s", DEFAULTS, .open = 1, .open_seconds = 0, .day = 10, .secs = T(9, 0, 0),
     .want = CLOCK_DUPLICATE_SCAN, .want_shift = -1},
    {.name = "open 59.999 s", DEFAULTS, .open = 1, .open_seconds = 59.999, .day = 10, .secs = T(9, 1, 0),
     .want = CLOCK_DUPLICATE_SCAN, .want_shift = -1},
    {.name = "open exactly 60 s", DEFAULTS, .open = 1, .open_seconds = 60, .day = 10, .secs = T(9, 1, 0),
     .want = CLOCK_OUT, .want_shift = -1},
    {.name = "open 60.001 s", DEFAULTS, .open = 1, .open_seconds = 60.001, .day = 10, .secs = T(9, 1, 0),
     .want = CLOCK_OUT, .want_shift = -1},
    {.name = "open 8 h", DEFAULTS, .open = 1, .open_seconds = T(8, 0, 0), .day = 10, .secs = T(17, 0, 0),
     .want = CLOCK_OUT, .want_shift = -1},
    {.name = "window 300 s, open 299 s", SET(300, 120), .open = 1, .open_seconds = 299, .day = 10,
     .secs = T(9, 5, 0), .want = CLOCK_DUPLICATE_SCAN, .want_shift = -1},
    {.name = "window 300 s, open 300 s", SET(300, 120), .open = 1, .open_seconds = 300, .day = 10,
     .secs = T(9, 5, 0), .want = CLOCK_OUT, .want_shift = -1},
    {.name = "window 0 s, open 0 s", SET(0, 120), .open = 1, .open_seconds = 0, .day = 10,
     .secs = T(9, 0, 0), .want = CLOCK_OUT, .want_shift = -1},
    {.name = "open, a shift now and force_log: still a clock-out", DEFAULTS, .open = 1,
     .open_seconds = T(1, 0, 0), .n = 1, .s = {DAY}, .day = 10, .secs = T(12, 0, 0), .force = 1,
     .reason = "Forgot", .want = CLOCK_OUT, .want_shift = -1},
    {.name = "open 10 s, force_log without a reason: a duplicate, not a 400", DEFAULTS, .open = 1,
     .open_seconds = 10, .day = 10, .secs = T(12, 0, 0), .force = 1, .want = CLOCK_DUPLICATE_SCAN,
     .want_shift = -1},

    /* the rostered window [start - early, end], both ends included */
    {.name = "day: start - 120 min", DEFAULTS, .n = 1, .s = {DAY}, .day = 10, .secs = T(7, 0, 0),
     .want = CLOCK_IN_ROSTERED, .want_shift = 0},
    {.name = "day: 1 s before the window", DEFAULTS, .n = 1, .s = {DAY}, .day = 10, .secs = T(6, 59, 59),
     .want = CLOCK_ASK_CONFIRMATION, .want_shift = -1},
    {.name = "day: at the end", DEFAULTS, .n = 1, .s = {DAY}, .day = 10, .secs = T(17, 0, 0),
     .want = CLOCK_IN_ROSTERED, .want_shift = 0},
    {.name = "day: 1 s after the end", DEFAULTS, .n = 1, .s = {DAY}, .day = 10, .secs = T(17, 0, 1),
     .want = CLOCK_ASK_CONFIRMATION, .want_shift = -1},
    {.name = "no early window: 1 s early", SET(60, 0), .n = 1, .s = {DAY}, .day = 10, .secs = T(8, 59, 59),
     .want = CLOCK_ASK_CONFIRMATION, .want_shift = -1},
    {.name = "no early window: at the start", SET(60, 0), .n = 1, .s = {DAY}, .day = 10, .secs = T(9, 0, 0),
     .want = CLOCK_IN_ROSTERED, .want_shift = 0},
    {.name = "early window 15 min: start - 15 min", SET(60, 15), .n = 1, .s = {DAY}, .day = 10,
     .secs = T(8, 45, 0), .want = CLOCK_IN_ROSTERED, .want_shift = 0},
    {.name = "early window 15 min: start - 15 min 1 s", SET(60, 15), .n = 1, .s = {DAY}, .day = 10,
     .secs = T(8, 44, 59), .want = CLOCK_ASK_CONFIRMATION, .want_shift = -1},

    /* overnight shifts, on both of their days */
    {.name = "night: early start, the day before", DEFAULTS, .n = 1, .s = {NIGHT_BEFORE}, .day = 9,
     .secs = T(20, 0, 0), .want = CLOCK_IN_ROSTERED, .want_shift = 0},
    {.name = "night: after midnight", DEFAULTS, .n = 2, .s = {NIGHT_BEFORE, DAY}, .day = 10,
     .secs = T(2, 0, 0), .want = CLOCK_IN_ROSTERED, .want_shift = 0},
    {.name = "night: at its end the next morning", DEFAULTS, .n = 2, .s = {NIGHT_BEFORE, DAY}, .day = 10,
     .secs = T(6, 0, 0), .want = CLOCK_IN_ROSTERED, .want_shift = 0},
    {.name = "night: 1 s after its end, before the day's window", DEFAULTS, .n = 2,
     .s = {NIGHT_BEFORE, DAY}, .day = 10, .secs = T(6, 0, 1), .want = CLOCK_ASK_CONFIRMATION,
     .want_shift = -1},
    {.name = "yesterday's night, today's day, tonight: tonight", DEFAULTS, .n = 3,
     .s = {NIGHT_BEFORE, DAY, NIGHT}, .day = 10, .secs = T(21, 0, 0), .want = CLOCK_IN_ROSTERED,
     .want_shift = 2},
    {.name = "yesterday's night, today's day, tonight: the day", DEFAULTS, .n = 3,
     .s = {NIGHT_BEFORE, DAY, NIGHT}, .day = 10, .secs = T(8, 0, 0), .want = CLOCK_IN_ROSTERED,
     .want_shift = 1},
    {.name = "tonight, after midnight on its second day", DEFAULTS, .n = 3,
     .s = {NIGHT_BEFORE, DAY, NIGHT}, .day = 11, .secs = T(3, 0, 0), .want = CLOCK_IN_ROSTERED,
     .want_shift = 2},
    {.name = "only tomorrow's shift", DEFAULTS, .n = 1, .s = {TOMORROW}, .day = 10, .secs = T(12, 0, 0),
     .want = CLOCK_ASK_CONFIRMATION, .want_shift = -1},

    /* no shift: ask, force or refuse the force */
    {.name = "no shift", DEFAULTS, .day = 10, .secs = T(12, 0, 0), .want = CLOCK_ASK_CONFIRMATION,
     .want_shift = -1},
    {.name = "no shift, a reason without force_log", DEFAULTS, .day = 10, .secs = T(12, 0, 0),
     .reason = "Forgot", .want = CLOCK_ASK_CONFIRMATION, .want_shift = -1},
    {.name = "no shift, force_log with a reason", DEFAULTS, .day = 10, .secs = T(12, 0, 0), .force = 1,
     .reason = "Covering a colleague", .want = CLOCK_IN_FORCED, .want_shift = -1},
    {.name = "no shift, force_log, reason empty", DEFAULTS, .day = 10, .secs = T(12, 0, 0), .force = 1,
     .reason = "", .want = CLOCK_REASON_MISSING, .want_shift = -1},
    {.name = "no shift, force_log, no reason", DEFAULTS, .day = 10, .secs = T(12, 0, 0), .force = 1,
     .want = CLOCK_REASON_MISSING, .want_shift = -1},
    {.name = "a shift and force_log with a reason: rostered", DEFAULTS, .n = 1, .s = {DAY}, .day = 10,
     .secs = T(12, 0, 0), .force = 1, .reason = "Forgot", .want = CLOCK_IN_ROSTERED, .want_shift = 0},
    {.name = "a shift and force_log without a reason: rostered, not a 400", DEFAULTS, .n = 1, .s = {DAY},
     .day = 10, .secs = T(12, 0, 0), .force = 1, .want = CLOCK_IN_ROSTERED, .want_shift = 0},
    {.name = "listed department, no shift, force_log with a reason", .ndeps = 2, .deps = {1, 2},
     DEFAULTS, .dept = 1, .day = 10, .secs = T(12, 0, 0), .force = 1, .reason = "Forgot",
     .want = CLOCK_IN_FORCED, .want_shift = -1},
};

START_TEST(decide)
{
    struct attendance_settings s;
    settings_defaults(&s);
    s.ndepartments = tab[_i].ndeps;
    for (int k = 0; k < tab[_i].ndeps; k++)
        s.departments[k] = tab[_i].deps[k];
    s.duplicate_scan_seconds = tab[_i].dup;
    s.clock_in_early_minutes = tab[_i].early;

    struct clock_person p = {tab[_i].dept, tab[_i].open, tab[_i].open_seconds, tab[_i].s, tab[_i].n};
    long long now = local_epoch(2025, 6, tab[_i].day, tab[_i].secs);
    struct clock_decision d = clock_decide(&p, &s, now, tab[_i].force, tab[_i].reason);

    ck_assert_msg(d.action == tab[_i].want, "%s: action %d, want %d", tab[_i].name, d.action, tab[_i].want);
    ck_assert_msg(d.shift == tab[_i].want_shift, "%s: shift %d, want %d", tab[_i].name, d.shift,
                  tab[_i].want_shift);
}
END_TEST

/* a person without any shift (no array at all) */
START_TEST(no_shifts)
{
    struct attendance_settings s;
    settings_defaults(&s);
    struct clock_person p = {0, 0, 0, NULL, 0};
    struct clock_decision d = clock_decide(&p, &s, local_epoch(2025, 6, 10, T(12, 0, 0)), 0, NULL);
    ck_assert_int_eq(d.action, CLOCK_ASK_CONFIRMATION);
    ck_assert_int_eq(d.shift, -1);
}
END_TEST

UNIT_SUITE(suite_clock_rules)
{
    Suite *s = suite_create("clock_rules");
    TCase *tc = tcase_create("decide");
    tcase_add_loop_test(tc, decide, 0, NELEM(tab));
    tcase_add_test(tc, no_shifts);
    suite_add_tcase(s, tc);
    return s;
}
