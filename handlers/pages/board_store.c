/* board_store.c — owns the board's own statement (board_store.h):
 * "board_counts" (today's counts), in the hotel's time zone. */
#include <stdio.h>
#include "board_store.h"
#include "db.h"

/* today (hotel-local) and this week (Monday 00:00 hotel-local onwards) */
#define LOCAL_DAY_START "date_trunc('day', now() AT TIME ZONE h.timezone) AT TIME ZONE h.timezone"

enum { N_TODAY_IN, N_TODAY_UNROSTERED, N_PENDING, N_FACES, N_DAY, N_WEEK };
static struct db_stmt st_counts = {
    "board_counts",
    "SELECT (SELECT count(*) FROM clock_logs l WHERE l.hotel_id = h.id AND l.time_in >= " LOCAL_DAY_START "), "
    "(SELECT count(*) FROM clock_logs l WHERE l.hotel_id = h.id AND l.is_unrostered "
    " AND l.time_in >= " LOCAL_DAY_START "), "
    "(SELECT count(*) FROM clock_logs l WHERE l.hotel_id = h.id AND l.is_unrostered "
    " AND l.approved_at IS NULL), "
    "(SELECT count(*) FROM face_data f WHERE f.hotel_id = h.id), "
    "to_char(now() AT TIME ZONE h.timezone, 'YYYY-MM-DD'), "
    "to_char(date_trunc('week', now() AT TIME ZONE h.timezone), 'YYYY-MM-DD') "
    "FROM hotels h WHERE h.id = $1",
    0,
};

int board_counts_load(long long hotel_id, struct board_counts *c)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    if ((r = db_run(&st_counts, &a)) == NULL)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return -1;
    }
    c->clock_ins_today = db_ll(r, 0, N_TODAY_IN);
    c->unrostered_today = db_ll(r, 0, N_TODAY_UNROSTERED);
    c->pending = db_ll(r, 0, N_PENDING);
    c->faces = db_ll(r, 0, N_FACES);
    snprintf(c->today, sizeof c->today, "%s", PQgetvalue(r, 0, N_DAY));
    snprintf(c->week_start, sizeof c->week_start, "%s", PQgetvalue(r, 0, N_WEEK));
    PQclear(r);
    return 0;
}
