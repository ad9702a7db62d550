/* test_insights_rules.c — handlers/attendance/insights_rules.h: dates as
 * day numbers and back, the period (defaults, reversed, too long, bad
 * dates), the rates (NAN without a denominator) and the answer's JSON
 * (null for a rate without one, the missed shifts, the totals of the
 * department rows). */
#include <math.h>
#include <string.h>
#include <json-c/json.h>

#include "attendance/insights_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct {
    const char *date;
    long long day;
} day_vec[] = {
    {"1970-01-01", 0}, {"1970-01-02", 1}, {"2000-02-29", 11016}, {"2000-03-01", 11017},
    {"2025-11-30", 20422}, {"2025-12-01", 20423}, {"2024-12-31", 20088}, {"2100-02-28", 47540},
    {"2100-02-29", -1}, {"2025-02-29", -1}, {"2025-13-01", -1}, {"2025-04-31", -1}, {"2025-1-01", -1},
    {"2025-11-30T", -1}, {"1969-12-31", -1}, {"", -1}, {"abcd-ef-gh", -1}, {"2024- 3-29", -1},
    {"+024-03-29", -1}, {"2024-03-2x", -1},
};

START_TEST(day_numbers)
{
    ck_assert_int_eq(insights_day_number(day_vec[_i].date), day_vec[_i].day);
    if (day_vec[_i].day >= 0) {
        char out[11];
        insights_day_text(day_vec[_i].day, out);
        ck_assert_str_eq(out, day_vec[_i].date);
    }
}
END_TEST

static const struct {
    const char *from, *to;
    enum insights_period_result res;
    const char *want_from, *want_to;
    int days;
} period_vec[] = {
    {NULL, NULL, PERIOD_OK, "2025-11-24", "2025-11-30", 7},            /* today 2025-11-30 */
    {"2025-11-01", NULL, PERIOD_OK, "2025-11-01", "2025-11-30", 30},
    {NULL, "2025-03-02", PERIOD_OK, "2025-02-24", "2025-03-02", 7},
    {"2025-11-30", "2025-11-30", PERIOD_OK, "2025-11-30", "2025-11-30", 1},
    {"2024-12-01", "2025-12-01", PERIOD_OK, "2024-12-01", "2025-12-01", 366},
    {"2024-11-30", "2025-12-01", PERIOD_TOO_LONG, NULL, NULL, 0},
    {"2025-12-01", NULL, PERIOD_REVERSED, NULL, NULL, 0},
    {"2025-11-30", "2025-11-29", PERIOD_REVERSED, NULL, NULL, 0},
    {"2025-02-30", NULL, PERIOD_BAD_DATE, NULL, NULL, 0},
};

START_TEST(periods)
{
    char from[11] = "", to[11] = "";
    int days = 0;
    enum insights_period_result res = insights_period(period_vec[_i].from, period_vec[_i].to, "2025-11-30",
                                                      from, to, &days);
    ck_assert_int_eq(res, period_vec[_i].res);
    if (res == PERIOD_OK) {
        ck_assert_str_eq(from, period_vec[_i].want_from);
        ck_assert_str_eq(to, period_vec[_i].want_to);
        ck_assert_int_eq(days, period_vec[_i].days);
    } else {
        const char *field = NULL;
        ck_assert_int_gt((int)strlen(insights_period_message(res, &field)), 0);
        ck_assert_str_eq(field, res == PERIOD_TOO_LONG ? "to" : "from");
    }
}
END_TEST

/* counts → rates; -1 in the table for NAN */
static const struct {
    struct insights_counts c;
    int days;
    double success, confidence, adoption, share, per_day, compliance;
} rate_vec[] = {
    {{{10, 3, 1, 1}, 9.4, 10, 2, 3, 1, 3, 1, 1}, 7, 10.0 / 15, 0.94, 0.2, 1.0 / 3, 1.0 / 7, 1.0 / 3},
    {{{0, 0, 0, 0}, 0, 0, 0, 0, 0, 0, 0, 0}, 1, -1, -1, -1, -1, 0, -1},
    {{{0, 4, 0, 0}, 0, 5, 5, 2, 2, 4, 4, 0}, 2, 0, -1, 1, 1, 1, 1},
};

static void near_or_nan(double got, double want)
{
    if (want < 0)
        ck_assert_msg(isnan(got), "%g, not NAN", got);
    else
        ck_assert_msg(fabs(got - want) < 1e-12, "%g, not %g", got, want);
}

START_TEST(rates)
{
    struct insights_rates r;
    insights_rates(&rate_vec[_i].c, rate_vec[_i].days, &r);
    near_or_nan(r.success_rate, rate_vec[_i].success);
    near_or_nan(r.average_confidence, rate_vec[_i].confidence);
    near_or_nan(r.adoption_rate, rate_vec[_i].adoption);
    near_or_nan(r.unrostered_share, rate_vec[_i].share);
    near_or_nan(r.unrostered_per_day, rate_vec[_i].per_day);
    near_or_nan(r.compliance_rate, rate_vec[_i].compliance);
}
END_TEST

START_TEST(answer)
{
    struct insights_counts c = {{10, 3, 1, 1}, 9.4, 10, 2, 3, 1, 3, 1, 1};
    struct insights_rates r;
    struct dept_hours rows[] = {{7, "Reception", 17.9, 1.9}, {0, NULL, 3.04, 0.5}};
    insights_rates(&c, 7, &r);
    r.compliance_rate = NAN;
    struct json_object *o = insights_json("2025-11-24", "2025-11-30", 7, &c, &r, rows, 2);
    const char *want =
        "{\"from\":\"2025-11-24\",\"to\":\"2025-11-30\",\"days\":7,"
        "\"recognition\":{\"recognised\":10,\"not_recognised\":3,\"low_confidence\":1,\"ambiguous\":1,"
        "\"attempts\":15,\"success_rate\":0.6667,\"average_confidence\":0.94},"
        "\"registration\":{\"active_staff\":10,\"registered\":2,\"adoption_rate\":0.2},"
        "\"unrostered\":{\"clock_ins\":3,\"unrostered\":1,\"share\":0.3333,\"per_day\":0.14},"
        "\"overtime\":{\"hours\":20.94,\"overtime_hours\":2.4,\"departments\":["
        "{\"department_id\":7,\"department\":\"Reception\",\"hours\":17.9,\"overtime_hours\":1.9},"
        "{\"department_id\":null,\"department\":null,\"hours\":3.04,\"overtime_hours\":0.5}]},"
        "\"compliance\":{\"rostered_shifts\":3,\"on_time\":1,\"late\":1,\"missed\":1,\"rate\":null}}";
    struct json_object *w = json_tokener_parse(want);
    int same = w != NULL && json_object_equal(o, w);      /* numbers by value ("0.9400" is 0.94) */
    json_object_put(w);
    json_object_put(o);
    ck_assert_msg(same, "the answer is not %s", want);
}
END_TEST

UNIT_SUITE(suite_insights_rules)
{
    Suite *s = suite_create("insights_rules");
    TCase *tc = tcase_create("insights");
    tcase_add_loop_test(tc, day_numbers, 0, NELEM(day_vec));
    tcase_add_loop_test(tc, periods, 0, NELEM(period_vec));
    tcase_add_loop_test(tc, rates, 0, NELEM(rate_vec));
    tcase_add_test(tc, answer);
    suite_add_tcase(s, tc);
    return s;
}
