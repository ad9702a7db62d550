/* insights_rules.c — the Insights period, rates and answer
 * (insights_rules.h). Pure. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "insights_rules.h"
#include "jsonx.h"

/* days from civil (proleptic Gregorian), after H. Hinnant */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* the n digits at s as a number, or -1 when one is not a digit */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

long long insights_day_number(const char *date)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (date == NULL || strlen(date) != 10 || date[4] != '-' || date[7] != '-')
        return -1;
    int y = digits(date, 4), m = digits(date + 5, 2), d = digits(date + 8, 2);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return -1;
    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return -1;
    return days_from_civil(y, (unsigned)m, (unsigned)d);
}

void insights_day_text(long long z, char *out)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(y % 10000) % 10000u, m % 100u, d % 100u);
}

enum insights_period_result insights_period(const char *from, const char *to, const char *today,
                                            char *from_out, char *to_out, int *days)
{
    long long t = insights_day_number(to != NULL ? to : today);
    long long f = from != NULL ? insights_day_number(from) : t - (INSIGHTS_DEFAULT_DAYS - 1);
    if (t < 0 || f < 0)
        return PERIOD_BAD_DATE;
    if (f > t)
        return PERIOD_REVERSED;
    if (t - f + 1 > INSIGHTS_MAX_DAYS)
        return PERIOD_TOO_LONG;
    insights_day_text(f, from_out);
    insights_day_text(t, to_out);
    *days = (int)(t - f + 1);
    return PERIOD_OK;
}

const char *insights_period_message(enum insights_period_result res, const char **field)
{
    switch (res) {
    case PERIOD_REVERSED:
        *field = "from";
        return "from must not be after to (to is today when not given).";
    case PERIOD_TOO_LONG:
        *field = "to";
        return "The period is at most 366 days.";
    case PERIOD_BAD_DATE:
    case PERIOD_OK:
        break;
    }
    *field = "from";
    return "from and to are dates, YYYY-MM-DD.";
}

static double ratio(double num, double den)
{
    return den > 0 ? num / den : NAN;
}

void insights_rates(const struct insights_counts *c, int days, struct insights_rates *r)
{
    long long attempts = 0;
    for (int i = 0; i < IO_COUNT; i++)
        attempts += c->attempts[i];
    r->success_rate = ratio((double)c->attempts[IO_RECOGNISED], (double)attempts);
    r->average_confidence = ratio(c->confidence_sum, (double)c->attempts[IO_RECOGNISED]);
    r->adoption_rate = ratio((double)c->registered, (double)c->active_staff);
    r->unrostered_share = ratio((double)c->unrostered, (double)c->clock_ins);
    r->unrostered_per_day = ratio((double)c->unrostered, (double)days);
    r->compliance_rate = ratio((double)c->on_time, (double)c->shifts_due);
}

/* a rate, rounded to 4 decimals, or null */
static void add_rate(struct json_object *o, const char *key, double v, int decimals)
{
    if (isfinite(v))
        jx_add_double(o, key, v, decimals);
    else
        json_object_object_add(o, key, NULL);
}

struct json_object *insights_json(const char *from, const char *to, int days, const struct insights_counts *c,
                                  const struct insights_rates *r, const struct dept_hours *rows, int n)
{
    static const char *const outcome_names[IO_COUNT] = {"recognised", "not_recognised", "low_confidence",
                                                        "ambiguous"};
    struct json_object *o = json_object_new_object(), *x;
    long long attempts = 0;
    double hours = 0, overtime = 0;

    jx_add_str(o, "from", from);
    jx_add_str(o, "to", to);
    jx_add_int(o, "days", days);

    x = json_object_new_object();
    for (int i = 0; i < IO_COUNT; i++) {
        jx_add_int(x, outcome_names[i], c->attempts[i]);
        attempts += c->attempts[i];
    }
    jx_add_int(x, "attempts", attempts);
    add_rate(x, "success_rate", r->success_rate, 4);
    add_rate(x, "average_confidence", r->average_confidence, 4);
    json_object_object_add(o, "recognition", x);

    x = json_object_new_object();
    jx_add_int(x, "active_staff", c->active_staff);
    jx_add_int(x, "registered", c->registered);
    add_rate(x, "adoption_rate", r->adoption_rate, 4);
    json_object_object_add(o, "registration", x);

    x = json_object_new_object();
    jx_add_int(x, "clock_ins", c->clock_ins);
    jx_add_int(x, "unrostered", c->unrostered);
    add_rate(x, "share", r->unrostered_share, 4);
    add_rate(x, "per_day", r->unrostered_per_day, 2);
    json_object_object_add(o, "unrostered", x);

    struct json_object *deps = json_object_new_array();
    for (int i = 0; i < n; i++) {
        struct json_object *d = json_object_new_object();
        if (rows[i].name != NULL)
            jx_add_int(d, "department_id", rows[i].id);
        else
            json_object_object_add(d, "department_id", NULL);
        jx_add_str(d, "department", rows[i].name);
        jx_add_double(d, "hours", rows[i].hours, 2);
        jx_add_double(d, "overtime_hours", rows[i].overtime, 2);
        json_object_array_add(deps, d);
        hours += rows[i].hours;
        overtime += rows[i].overtime;
    }
    x = json_object_new_object();
    jx_add_double(x, "hours", hours, 2);
    jx_add_double(x, "overtime_hours", overtime, 2);
    json_object_object_add(x, "departments", deps);
    json_object_object_add(o, "overtime", x);

    x = json_object_new_object();
    jx_add_int(x, "rostered_shifts", c->shifts_due);
    jx_add_int(x, "on_time", c->on_time);
    jx_add_int(x, "late", c->late);
    jx_add_int(x, "missed", c->shifts_due - c->on_time - c->late);
    add_rate(x, "rate", r->compliance_rate, 4);
    json_object_object_add(o, "compliance", x);
    return o;
}
