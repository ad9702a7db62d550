/* insights_store.c — owns the statements of the Insights figures
 * (insights_store.h): "insights_today", "insights_counts" and
 * "insights_hours", all over hotel-local dates, and their reading in
 * order (insights_load). */
#include <stdio.h>
#include "db.h"
#include "insights_store.h"

static struct db_stmt st_today = {
    "insights_today",
    "SELECT to_char(now() AT TIME ZONE timezone, 'YYYY-MM-DD') FROM hotels WHERE id = $1",
    0,
};

/* the period as instants: t0 (from's midnight) to t1 (the midnight after to) */
#define PERIOD_CTE \
    "p AS (SELECT h.id, h.timezone, $2::date AS d0, $3::date AS d1, " \
    "  $2::date::timestamp AT TIME ZONE h.timezone AS t0, " \
    "  ($3::date + 1)::timestamp AT TIME ZONE h.timezone AS t1 FROM hotels h WHERE h.id = $1)"

/* A shift's first clock-in: a log on it begins at most a day before its
 * start (clock_in_early_minutes <= 1440) and before its end (< 24 h
 * after), so logs within two days of the period are enough. */
enum { C_OK, C_NOT, C_LOW, C_AMB, C_CONF, C_ACTIVE, C_REG, C_INS, C_UNROSTERED, C_DUE, C_ON_TIME, C_LATE };
static struct db_stmt st_counts = {
    "insights_counts",
    "WITH " PERIOD_CTE ", "
    "rec AS (SELECT r.outcome, sum(r.attempts) AS n, sum(r.confidence_sum) AS conf "
    "  FROM recognition_daily r, p WHERE r.hotel_id = p.id AND r.day BETWEEN p.d0 AND p.d1 GROUP BY r.outcome), "
    "due AS (SELECT (s.shift_date + s.start_time) AT TIME ZONE p.timezone AS starts, s.id "
    "  FROM roster_shifts s, p WHERE s.hotel_id = p.id AND s.shift_date BETWEEN p.d0 AND p.d1 "
    "  AND (s.shift_date + s.start_time) AT TIME ZONE p.timezone <= now()), "
    "firsts AS (SELECT l.roster_shift_id AS id, min(l.time_in) AS first_in FROM clock_logs l, p "
    "  WHERE l.hotel_id = p.id AND l.roster_shift_id IS NOT NULL "
    "  AND l.time_in >= p.t0 - interval '2 days' AND l.time_in < p.t1 + interval '2 days' GROUP BY 1), "
    "shifts AS (SELECT due.starts, firsts.first_in FROM due LEFT JOIN firsts USING (id)) "
    "SELECT coalesce((SELECT n FROM rec WHERE outcome = 'recognised'), 0), "
    "coalesce((SELECT n FROM rec WHERE outcome = 'not_recognised'), 0), "
    "coalesce((SELECT n FROM rec WHERE outcome = 'low_confidence'), 0), "
    "coalesce((SELECT n FROM rec WHERE outcome = 'ambiguous'), 0), "
    "coalesce((SELECT conf FROM rec WHERE outcome = 'recognised'), 0), "
    "(SELECT count(*) FROM staff s WHERE s.hotel_id = p.id AND s.is_active), "
    "(SELECT count(*) FROM face_data f JOIN staff s ON s.hotel_id = f.hotel_id AND s.id = f.staff_id "
    "  WHERE f.hotel_id = p.id AND s.is_active), "
    "(SELECT count(*) FROM clock_logs l WHERE l.hotel_id = p.id AND l.time_in >= p.t0 AND l.time_in < p.t1), "
    "(SELECT count(*) FROM clock_logs l WHERE l.hotel_id = p.id AND l.time_in >= p.t0 AND l.time_in < p.t1 "
    "  AND l.is_unrostered), "
    "(SELECT count(*) FROM shifts), "
    "(SELECT count(*) FROM shifts WHERE first_in <= starts), "
    "(SELECT count(*) FROM shifts WHERE first_in > starts) "
    "FROM p",
    0,
};

/* overtime: past the shift's planned length, or for a session without a
 * shift past overtime_warning_hours (the rule of overtime_threshold_reached) */
enum { W_ID, W_NAME, W_HOURS, W_OVERTIME };
static struct db_stmt st_hours = {
    "insights_hours",
    "WITH " PERIOD_CTE ", "
    "s AS (SELECT st.department_id AS dep, "
    "  extract(epoch FROM coalesce(l.time_out, greatest(now(), l.time_in)) - l.time_in) AS secs, "
    "  CASE WHEN r.id IS NULL THEN a.overtime_warning_hours * 3600 ELSE extract(epoch FROM r.end_time - r.start_time) "
    "    + CASE WHEN r.end_time <= r.start_time THEN 86400 ELSE 0 END END AS planned "
    "  FROM p JOIN attendance_settings a ON a.hotel_id = p.id JOIN clock_logs l ON l.hotel_id = p.id "
    "  JOIN staff st ON st.hotel_id = l.hotel_id AND st.id = l.staff_id "
    "  LEFT JOIN roster_shifts r ON r.hotel_id = l.hotel_id AND r.id = l.roster_shift_id "
    "  WHERE l.time_in >= p.t0 AND l.time_in < p.t1), "
    "agg AS (SELECT dep, sum(secs) AS secs, sum(greatest(0, secs - planned)) AS ot FROM s GROUP BY dep) "
    "SELECT d.id, d.name, coalesce(agg.secs, 0) / 3600, coalesce(agg.ot, 0) / 3600 "
    "FROM departments d LEFT JOIN agg ON agg.dep = d.id WHERE d.hotel_id = $1 "
    "UNION ALL SELECT NULL, NULL, secs / 3600, ot / 3600 FROM agg WHERE dep IS NULL "
    "ORDER BY 2 NULLS LAST, 1",
    0,
};

int insights_today(long long hotel_id, char *today)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    PGresult *r = db_run(&st_today, &a);
    if (r == NULL)
        return -1;
    int found = PQntuples(r) == 1;
    if (found)
        snprintf(today, 11, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return found;
}

int insights_counts_load(long long hotel_id, const char *from, const char *to, struct insights_counts *c)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, from);
    db_arg_str(&a, to);
    PGresult *r = db_run(&st_counts, &a);
    if (r == NULL)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return -1;
    }
    c->attempts[IO_RECOGNISED] = db_ll(r, 0, C_OK);
    c->attempts[IO_NOT_RECOGNISED] = db_ll(r, 0, C_NOT);
    c->attempts[IO_LOW_CONFIDENCE] = db_ll(r, 0, C_LOW);
    c->attempts[IO_AMBIGUOUS] = db_ll(r, 0, C_AMB);
    c->confidence_sum = db_double(r, 0, C_CONF);
    c->active_staff = db_ll(r, 0, C_ACTIVE);
    c->registered = db_ll(r, 0, C_REG);
    c->clock_ins = db_ll(r, 0, C_INS);
    c->unrostered = db_ll(r, 0, C_UNROSTERED);
    c->shifts_due = db_ll(r, 0, C_DUE);
    c->on_time = db_ll(r, 0, C_ON_TIME);
    c->late = db_ll(r, 0, C_LATE);
    PQclear(r);
    return 0;
}

int insights_hours(long long hotel_id, const char *from, const char *to, struct pool *pool,
                   struct dept_hours **rows, int *n)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, from);
    db_arg_str(&a, to);
    if ((r = db_run(&st_hours, &a)) == NULL)
        return -1;
    *n = PQntuples(r);
    *rows = pool_alloc(pool, sizeof **rows * (size_t)(*n > 0 ? *n : 1));
    for (int i = 0; i < *n; i++) {
        struct dept_hours *d = &(*rows)[i];
        d->id = PQgetisnull(r, i, W_ID) ? 0 : db_ll(r, i, W_ID);
        d->name = PQgetisnull(r, i, W_ID) ? NULL : pool_strdup(pool, PQgetvalue(r, i, W_NAME));
        d->hours = db_double(r, i, W_HOURS);
        d->overtime = db_double(r, i, W_OVERTIME);
    }
    PQclear(r);
    return 0;
}

int insights_load(long long hotel_id, const char *from, const char *to, struct pool *pool, struct insights *in)
{
    char today[11];
    if (insights_today(hotel_id, today) != 1)
        return -1;
    enum insights_period_result res = insights_period(from, to, today, in->from, in->to, &in->days);
    if (res != PERIOD_OK)
        return (int)res;
    if (insights_counts_load(hotel_id, in->from, in->to, &in->counts) < 0 ||
        insights_hours(hotel_id, in->from, in->to, pool, &in->rows, &in->nrows) < 0)
        return -1;
    insights_rates(&in->counts, in->days, &in->rates);
    return PERIOD_OK;
}
