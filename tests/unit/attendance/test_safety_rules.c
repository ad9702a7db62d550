/* test_safety.c — handlers/attendance/safety_rules.h against contract 5.5: hours from
 * seconds rounded to 2 decimals half away from zero, and a table of
 * sessions putting each threshold on both of its sides (5.99/6.00,
 * 9.99/10.00, 11.99/12.00 h), enforce_limits on and off, rostered overtime
 * past the planned length (8.00 vs 8.01 h) and unrostered overtime; and
 * the one JSON shape of the flags (a clock-in's integer 0 and falses, a
 * session's 2-decimal hours). */
#include <string.h>
#include "attendance/safety_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define H(h, m, s) ((double)((h) * 3600 + (m) * 60 + (s)))

/* ---- rounding ------------------------------------------------------------ */

static const struct {
    double seconds;
    double hours;
} round_tab[] = {
    {0, 0.00},
    {17, 0.00},                 /* 0.0047 h */
    {18, 0.01},                 /* 0.005 h: half away from zero */
    {36, 0.01},
    {21564, 5.99},              /* 5.99 h exactly */
    {21581, 5.99},              /* 5.99472 */
    {21581.999, 5.99},
    {21582, 6.00},              /* 5.995: half up, not 5.99 */
    {21600, 6.00},
    {35964, 9.99},
    {35981, 9.99},
    {35982, 10.00},             /* 9.995 */
    {43164, 11.99},
    {43181, 11.99},
    {43182, 12.00},             /* 11.995 */
    {28800, 8.00},
    {28817, 8.00},
    {28818, 8.01},
    {H(100, 0, 0), 100.00},
    {-18, -0.01},               /* clock skew: away from zero, below every threshold */
    {-17, -0.00},
};

START_TEST(hours)
{
    ck_assert_double_eq(safety_hours(round_tab[_i].seconds), round_tab[_i].hours);
}
END_TEST

/* ---- flags ---------------------------------------------------------------- */

static const struct safety_thresholds defaults = {6.0, 10.0, 12.0, 1};
static const struct safety_thresholds lax = {6.0, 10.0, 12.0, 0};
static const struct safety_thresholds custom = {4.5, 8.25, 9.0, 1};

static const struct {
    const char *name;
    double seconds;
    double planned;       /* <= 0: unrostered */
    const struct safety_thresholds *t;
    int brk, lng, hard, over, out;
} flag_tab[] = {
    {"fresh", 0, 8, &defaults, 0, 0, 0, 0, 0},
    {"5.99 h", 21564, 8, &defaults, 0, 0, 0, 0, 0},
    {"5.9947 h reads 5.99", 21581, 8, &defaults, 0, 0, 0, 0, 0},
    {"5.995 h reads 6.00", 21582, 8, &defaults, 1, 0, 0, 0, 0},
    {"6.00 h", 21600, 8, &defaults, 1, 0, 0, 0, 0},
    {"8.00 h, planned 8", 28800, 8, &defaults, 1, 0, 0, 0, 0},
    {"8.0047 h, planned 8", 28817, 8, &defaults, 1, 0, 0, 0, 0},
    {"8.01 h, planned 8", 28836, 8, &defaults, 1, 0, 0, 1, 0},
    {"8.005 h reads 8.01", 28818, 8, &defaults, 1, 0, 0, 1, 0},
    {"9.99 h", 35964, 8, &defaults, 1, 0, 0, 1, 0},
    {"9.995 h reads 10.00", 35982, 8, &defaults, 1, 1, 0, 1, 0},
    {"10.00 h", 36000, 8, &defaults, 1, 1, 0, 1, 0},
    {"11.99 h", 43164, 8, &defaults, 1, 1, 0, 1, 0},
    {"11.995 h reads 12.00", 43182, 8, &defaults, 1, 1, 1, 1, 1},
    {"12.00 h", 43200, 8, &defaults, 1, 1, 1, 1, 1},
    {"30 h", H(30, 0, 0), 8, &defaults, 1, 1, 1, 1, 1},
    {"12.00 h, not enforced", 43200, 8, &lax, 1, 1, 1, 1, 0},
    {"11.99 h, not enforced", 43164, 8, &lax, 1, 1, 0, 1, 0},
    {"5.99 h, not enforced", 21564, 8, &lax, 0, 0, 0, 0, 0},

    /* rostered: overtime is past the planned length, strictly */
    {"planned 10, 10.00 h", 36000, 10, &defaults, 1, 1, 0, 0, 0},
    {"planned 10, 10.01 h", 36036, 10, &defaults, 1, 1, 0, 1, 0},
    {"planned 4, 4.01 h", 14436, 4, &defaults, 0, 0, 0, 1, 0},
    {"planned 8h20m, 8.33 h", 29988, 8.0 + 20.0 / 60, &defaults, 1, 0, 0, 0, 0},
    {"planned 8h20m, 8.34 h", 30024, 8.0 + 20.0 / 60, &defaults, 1, 0, 0, 1, 0},
    {"planned 14, 12.00 h", 43200, 14, &defaults, 1, 1, 1, 0, 1},

    /* unrostered: overtime is the overtime warning, inclusive */
    {"unrostered 8.01 h", 28836, 0, &defaults, 1, 0, 0, 0, 0},
    {"unrostered 9.99 h", 35964, 0, &defaults, 1, 0, 0, 0, 0},
    {"unrostered 10.00 h", 36000, 0, &defaults, 1, 1, 0, 1, 0},
    {"unrostered 9.995 h", 35982, -1, &defaults, 1, 1, 0, 1, 0},

    /* other thresholds, same rules */
    {"custom 4.49 h", 16164, 0, &custom, 0, 0, 0, 0, 0},
    {"custom 4.50 h", 16200, 0, &custom, 1, 0, 0, 0, 0},
    {"custom 8.24 h", 29664, 0, &custom, 1, 0, 0, 0, 0},
    {"custom 8.25 h", 29700, 0, &custom, 1, 1, 0, 1, 0},
    {"custom 8.99 h", 32364, 0, &custom, 1, 1, 0, 1, 0},
    {"custom 9.00 h", 32400, 0, &custom, 1, 1, 1, 1, 1},

    {"negative seconds", -100, 8, &defaults, 0, 0, 0, 0, 0},
};

START_TEST(flags)
{
    struct safety_flags f;

    safety_compute(flag_tab[_i].seconds, flag_tab[_i].planned, flag_tab[_i].t, &f);
    ck_assert_double_eq(f.hours, safety_hours(flag_tab[_i].seconds));
    ck_assert_msg(f.needs_break_warning == flag_tab[_i].brk, "%s: break %d", flag_tab[_i].name,
                  f.needs_break_warning);
    ck_assert_msg(f.needs_long_session_warning == flag_tab[_i].lng, "%s: long %d",
                  flag_tab[_i].name, f.needs_long_session_warning);
    ck_assert_msg(f.needs_hard_stop_warning == flag_tab[_i].hard, "%s: hard %d", flag_tab[_i].name,
                  f.needs_hard_stop_warning);
    ck_assert_msg(f.overtime_threshold_reached == flag_tab[_i].over, "%s: overtime %d",
                  flag_tab[_i].name, f.overtime_threshold_reached);
    ck_assert_msg(f.should_clock_out == flag_tab[_i].out, "%s: should_clock_out %d",
                  flag_tab[_i].name, f.should_clock_out);
}
END_TEST

/* ---- the flags in an answer ------------------------------------------------ */

#define ALL_FLAGS(v) {v, v, v, v, v}

static const struct {
    const char *name;
    int clock_in;                 /* f NULL */
    struct safety_flags f;
    const char *hours_text;       /* session_duration_hours as written */
    enum json_type hours_type;
    int want[5];                  /* break, long, hard, overtime, should_clock_out */
} json_tab[] = {
    {"clock-in", 1, {0, 0, 0, 0, 0, 0}, "0", json_type_int, ALL_FLAGS(0)},
    {"0.00 h session", 0, {0, 0, 0, 0, 0, 0}, "0.00", json_type_double, ALL_FLAGS(0)},
    {"8.5 h session", 0, {8.5, 1, 0, 0, 1, 0}, "8.50", json_type_double, {1, 0, 0, 1, 0}},
    {"12.02 h session", 0, {12.02, 1, 1, 1, 1, 1}, "12.02", json_type_double, ALL_FLAGS(1)},
    {"hard, not enforced", 0, {12.0, 1, 1, 1, 0, 0}, "12.00", json_type_double, {1, 1, 1, 0, 0}},
    {"each flag alone: long", 0, {1.0, 0, 1, 0, 0, 0}, "1.00", json_type_double, {0, 1, 0, 0, 0}},
    {"each flag alone: hard", 0, {1.0, 0, 0, 1, 0, 0}, "1.00", json_type_double, {0, 0, 1, 0, 0}},
    {"each flag alone: out", 0, {1.0, 0, 0, 0, 0, 1}, "1.00", json_type_double, {0, 0, 0, 0, 1}},
};

START_TEST(flags_json)
{
    static const char *const keys[5] = {"needs_break_warning", "needs_long_session_warning",
                                        "needs_hard_stop_warning", "overtime_threshold_reached",
                                        "should_clock_out"};
    struct json_object *o = json_object_new_object(), *v;

    safety_flags_json(o, json_tab[_i].clock_in ? NULL : &json_tab[_i].f);
    ck_assert_int_eq(json_object_object_length(o), 6);
    ck_assert(json_object_object_get_ex(o, "session_duration_hours", &v));
    ck_assert_msg(json_object_is_type(v, json_tab[_i].hours_type), "%s: hours type", json_tab[_i].name);
    ck_assert_str_eq(json_object_to_json_string(v), json_tab[_i].hours_text);
    for (int k = 0; k < 5; k++) {
        ck_assert_msg(json_object_object_get_ex(o, keys[k], &v), "%s: no %s", json_tab[_i].name, keys[k]);
        ck_assert(json_object_is_type(v, json_type_boolean));
        ck_assert_msg(json_object_get_boolean(v) == json_tab[_i].want[k], "%s: %s", json_tab[_i].name,
                      keys[k]);
    }
    json_object_put(o);
}
END_TEST

UNIT_SUITE(suite_safety)
{
    Suite *s = suite_create("safety");
    TCase *tc;

    tc = tcase_create("hours");
    tcase_add_loop_test(tc, hours, 0, NELEM(round_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("flags");
    tcase_add_loop_test(tc, flags, 0, NELEM(flag_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("json");
    tcase_add_loop_test(tc, flags_json, 0, NELEM(json_tab));
    suite_add_tcase(s, tc);

    return s;
}
