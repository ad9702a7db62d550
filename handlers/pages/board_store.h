/* board_store.h — what the manager's board (board.c) reads besides the
 * clocked-in listing (attendance/review_store.h) and the week's hours
 * (page_hours_chart): today's counts, in the hotel's time zone. It does
 * not answer the request. */
#ifndef FC_BOARD_STORE_H
#define FC_BOARD_STORE_H

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

#endif
