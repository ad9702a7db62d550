/* insights_rules.h — the Insights figures of a hotel over a period (issue
 * 13): the period (hotel-local dates, defaults and bounds) and the rates
 * made from the counts (insights_store.c reads them), as the JSON the API
 * answers and the Insights page draws. A rate whose denominator is 0 is
 * NAN here and null in JSON. Pure. */
#ifndef FC_INSIGHTS_RULES_H
#define FC_INSIGHTS_RULES_H

#include <json-c/json.h>

#define INSIGHTS_DEFAULT_DAYS 7     /* to = today, from = 6 days before */
#define INSIGHTS_MAX_DAYS 366

enum insights_outcome { IO_RECOGNISED, IO_NOT_RECOGNISED, IO_LOW_CONFIDENCE, IO_AMBIGUOUS, IO_COUNT };

struct insights_counts {
    long long attempts[IO_COUNT];  /* scans of the period by outcome (recognition_daily) */
    double confidence_sum;         /* of the recognised scans */
    long long active_staff;        /* now */
    long long registered;          /* active staff with face data, now */
    long long clock_ins;           /* sessions begun in the period */
    long long unrostered;          /* of which unrostered */
    long long shifts_due;          /* rostered shifts of the period that have started */
    long long on_time;             /* first clock-in on the shift at or before its start */
    long long late;                /* first clock-in after its start; the rest were missed */
};

/* Worked hours and overtime of one department over the period. */
struct dept_hours {
    long long id;                  /* 0: staff without a department */
    const char *name;              /* NULL: staff without a department */
    double hours;
    double overtime;
};

struct insights_rates {
    double success_rate;           /* recognised / attempts */
    double average_confidence;     /* of recognised scans */
    double adoption_rate;          /* registered / active staff */
    double unrostered_share;       /* unrostered / clock-ins */
    double unrostered_per_day;     /* unrostered / days */
    double compliance_rate;        /* on time / shifts due */
};

/* Days since 1970-01-01 of a YYYY-MM-DD date; -1 when it is not one. */
long long insights_day_number(const char *date);

/* The date of a day number, YYYY-MM-DD, into out (at least 11 bytes). */
void insights_day_text(long long day, char *out);

enum insights_period_result { PERIOD_OK, PERIOD_REVERSED, PERIOD_TOO_LONG, PERIOD_BAD_DATE };

/* The period from the optional ?from= and ?to= (NULL: absent) and the
 * hotel's today: to defaults to today, from to INSIGHTS_DEFAULT_DAYS - 1
 * days before to. from_out and to_out (11 bytes each) and *days (whole
 * days, both ends included) are set when PERIOD_OK. */
enum insights_period_result insights_period(const char *from, const char *to, const char *today,
                                            char *from_out, char *to_out, int *days);

/* A refused period's message, and in *field the parameter at fault. */
const char *insights_period_message(enum insights_period_result res, const char **field);

void insights_rates(const struct insights_counts *c, int days, struct insights_rates *r);

/* The answer of GET .../insights/: the period, then recognition,
 * registration, unrostered, overtime (the n department rows) and
 * compliance. Caller owns the result. */
struct json_object *insights_json(const char *from, const char *to, int days, const struct insights_counts *c,
                                  const struct insights_rates *r, const struct dept_hours *rows, int n);

#endif
