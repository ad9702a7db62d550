/* board_store.h — what the manager's board (board.c) reads besides the
 * clocked-in listing (attendance/review_store.h): today's counts and this
 * week's worked hours and overtime per department, in the hotel's time
 * zone. Neither answers the request. */
#ifndef FC_BOARD_STORE_H
#define FC_BOARD_STORE_H

#include "chart_rules.h"
#include "pool.h"

/* The hotel's counts as of now. */
struct board_counts {
    long long clock_ins_today;       /* sessions begun today (hotel-local) */
    long long unrostered_today;      /* of which unrostered */
    long long pending;               /* unrostered logs awaiting review */
    long long faces;                 /* staff with face data */
    char today[16];                  /* YYYY-MM-DD, hotel-local */
    char week_start[16];             /* this week's Monday, YYYY-MM-DD */
};

/* The counts of the hotel. 0, or -1 (database, or no such hotel). */
int board_counts_load(long long hotel_id, struct board_counts *c);

/* Hours worked per department by the sessions that began this week (open
 * ones up to now) and the overtime among them: past the planned length
 * of the session's shift, or for an unrostered session past
 * overtime_hours. Every department of the hotel by name, then staff
 * without one (label NULL). *bars (from pool) gets *n bars. 0, or -1
 * (database). */
int board_week_hours(long long hotel_id, double overtime_hours, struct pool *pool,
                     struct chart_bar **bars, int *n);

#endif
