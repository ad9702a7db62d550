/* insights_store.h — what the Insights figures are counted from, over a
 * period of hotel-local dates (both included): recognition_daily, staff
 * and face data, clock logs and roster shifts (insights_rules.h says what
 * each count is); and the worked hours and overtime per department, which
 * the board's week chart reads too. None of them answers the request. */
#ifndef FC_INSIGHTS_STORE_H
#define FC_INSIGHTS_STORE_H

#include "insights_rules.h"
#include "pool.h"

/* The hotel's date now, YYYY-MM-DD into today (at least 11 bytes). 1, 0
 * when there is no such hotel, or -1 (database). */
int insights_today(long long hotel_id, char *today);

/* The counts of the period from..to. 0, or -1 (database, or no hotel). */
int insights_counts_load(long long hotel_id, const char *from, const char *to, struct insights_counts *c);

/* Hours worked per department by the sessions that began in from..to
 * (open ones up to now) and the overtime among them: past the planned
 * length of the session's shift, or for an unrostered session past the
 * hotel's overtime_warning_hours. Every department of the hotel by name,
 * then staff without one (name NULL). *rows (from pool) gets *n rows. 0,
 * or -1 (database). */
int insights_hours(long long hotel_id, const char *from, const char *to, struct pool *pool,
                   struct dept_hours **rows, int *n);

/* Everything the Insights answer and page show. */
struct insights {
    char from[11], to[11];
    int days;
    struct insights_counts counts;
    struct insights_rates rates;
    struct dept_hours *rows;       /* from the pool */
    int nrows;
};

/* The hotel's Insights over the period of the optional ?from= and ?to=
 * (insights_period): PERIOD_OK with *in filled, another enum
 * insights_period_result for a refused period (nothing read but the
 * hotel's date), or -1 (database, or no such hotel). */
int insights_load(long long hotel_id, const char *from, const char *to, struct pool *pool, struct insights *in);

#endif
