/* board_store.c — owns the board's own statements (board_store.h):
 * "board_counts" (today's counts) and "board_week_hours" (this week's
 * hours and overtime per department), both in the hotel's time zone. */
#include <stdio.h>
#include "board_store.h"
#include "db.h"

/* today (hotel-local) and this week (Monday 00:00 hotel-local onwards) */
#define LOCAL_DAY_START "date_trunc('day', now() AT TIME ZONE h.timezone) AT TIME ZONE h.timezone"
#define LOCAL_WEEK_START "date_trunc('week', now() AT TIME ZONE h.timezone) AT TIME ZONE h.timezone"

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

/* $2 is overtime_warning_hours: the rule of overtime_threshold_reached
 * for a session without a shift. */
enum { W_ID, W_NAME, W_HOURS, W_OVERTIME };
static struct db_stmt st_week = {
    "board_week_hours",
    "WITH s AS (SELECT st.department_id AS dep, "
    "  extract(epoch FROM coalesce(l.time_out, greatest(now(), l.time_in)) - l.time_in) AS secs, "
    "  CASE WHEN r.id IS NULL THEN $2::float8 * 3600 ELSE extract(epoch FROM r.end_time - r.start_time) "
    "    + CASE WHEN r.end_time <= r.start_time THEN 86400 ELSE 0 END END AS planned "
    "  FROM hotels h JOIN clock_logs l ON l.hotel_id = h.id "
    "  JOIN staff st ON st.hotel_id = l.hotel_id AND st.id = l.staff_id "
    "  LEFT JOIN roster_shifts r ON r.hotel_id = l.hotel_id AND r.id = l.roster_shift_id "
    "  WHERE h.id = $1 AND l.time_in >= " LOCAL_WEEK_START "), "
    "agg AS (SELECT dep, sum(secs) AS secs, sum(greatest(0, secs - planned)) AS ot FROM s GROUP BY dep) "
    "SELECT d.id, d.name, coalesce(agg.secs, 0) / 3600, coalesce(agg.ot, 0) / 3600 "
    "FROM departments d LEFT JOIN agg ON agg.dep = d.id WHERE d.hotel_id = $1 "
    "UNION ALL SELECT NULL, NULL, secs / 3600, ot / 3600 FROM agg WHERE dep IS NULL "
    "ORDER BY 2 NULLS LAST, 1",
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

int board_week_hours(long long hotel_id, double overtime_hours, struct pool *pool,
                     struct chart_bar **bars, int *n)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_double(&a, overtime_hours);
    if ((r = db_run(&st_week, &a)) == NULL)
        return -1;
    *n = PQntuples(r);
    *bars = pool_alloc(pool, sizeof **bars * (size_t)(*n > 0 ? *n : 1));
    for (int i = 0; i < *n; i++) {
        struct chart_bar *b = &(*bars)[i];
        b->label = PQgetisnull(r, i, W_ID) ? NULL : pool_strdup(pool, PQgetvalue(r, i, W_NAME));
        b->hours = db_double(r, i, W_HOURS);
        b->overtime = db_double(r, i, W_OVERTIME);
    }
    PQclear(r);
    return 0;
}
