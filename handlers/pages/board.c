/* pages_board.c — GET /dashboard/: the manager's board. Who is clocked in
 * (the currently-clocked-in API's rows, shared through listings.h), since
 * when, for how long, with their safety flags; today's counts; and the
 * SVG chart of this week's worked hours and overtime per department
 * (chart.c). Staff are sent to their own page (/dashboard/me), HR to the
 * clock logs: the board reads what only managers and admins may. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chart_rules.h"
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "attendance/review_store.h"
#include "page.h"
#include "page_rules.h"
#include "chrome_store.h"
#include "response.h"
#include "attendance/settings_store.h"

#define BOARD_MAX_ROWS 1000

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

/* Hours worked per department by the sessions that began this week (open
 * ones up to now), and the overtime among them: past the planned length
 * of the session's shift, or for an unrostered session past $2
 * (overtime_warning_hours) — the rule of overtime_threshold_reached.
 * Every department of the hotel, then staff without one (id NULL). */
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

/* The flags of a clocked-in row as labelled badges (text, not colour only). */
static void add_flags(struct json_object *row, const struct safety_thresholds *t)
{
    static const struct {
        const char *key, *label, *level;
        int which;
    } defs[] = {
        {"needs_break_warning", "Break due", "info", 0},
        {"needs_long_session_warning", "Overtime", "warn", 1},
        {"needs_hard_stop_warning", "Past hard limit", "danger", 2},
        {"should_clock_out", "Must clock out", "danger", -1},
    };
    struct json_object *flags = json_object_new_array(), *v;
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        if (!json_object_object_get_ex(row, defs[i].key, &v) || !json_object_get_boolean(v))
            continue;
        double at = defs[i].which == 0 ? t->break_hours : defs[i].which == 1 ? t->overtime_hours
                                                                           : t->hard_hours;
        char label[64];
        if (defs[i].which >= 0)
            snprintf(label, sizeof label, "%s (%g h)", defs[i].label, at);
        else
            snprintf(label, sizeof label, "%s", defs[i].label);
        struct json_object *f = json_object_new_object();
        jx_add_str(f, "label", label);
        jx_add_str(f, "level", defs[i].level);
        json_object_array_add(flags, f);
    }
    json_object_object_add(row, "flags", flags);
    if (json_object_object_get_ex(row, "session_duration_hours", &v)) {
        char text[32];
        page_duration_text(json_object_get_double(v), text, sizeof text);
        jx_add_str(row, "duration_text", text);
    }
}

/* ctx.chart_svg (markup) and ctx.chart_rows for the table beside it. 0 or -1 (db). */
static int add_week_chart(struct request *req, struct json_object *ctx, const struct safety_thresholds *t,
                          const char *week)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_double(&a, t->overtime_hours);
    if ((r = db_run(&st_week, &a)) == NULL)
        return -1;
    int n = PQntuples(r);
    struct chart_bar *bars = pool_alloc(req->pool, sizeof *bars * (size_t)(n > 0 ? n : 1));
    struct json_object *rows = json_object_new_array();
    for (int i = 0; i < n; i++) {
        bars[i].label = PQgetisnull(r, i, W_ID) ? "No department"
                                                : pool_strdup(req->pool, PQgetvalue(r, i, W_NAME));
        bars[i].hours = db_double(r, i, W_HOURS);
        bars[i].overtime = db_double(r, i, W_OVERTIME);
        struct json_object *o = json_object_new_object();
        jx_add_str(o, "department", bars[i].label);
        jx_add_double(o, "hours", bars[i].hours, 1);
        jx_add_double(o, "overtime", bars[i].overtime, 1);
        json_object_array_add(rows, o);
    }
    PQclear(r);
    char *title = pool_printf(req->pool, "Hours worked this week (from %s) per department, with overtime", week);
    size_t len = 0;
    char *svg = chart_hours_svg(bars, n, title, "week-chart", &len);
    json_object_object_add(ctx, "chart_svg", json_object_new_string_len(svg, (int)len));
    free(svg);
    json_object_object_add(ctx, "chart_rows", rows);
    return 0;
}

void h_page_board(struct request *req)
{
    struct attendance_settings s;
    struct safety_thresholds t;
    struct json_object *ctx = NULL, *rows = NULL, *deps = NULL, *o;
    long long total;
    struct db_args a;
    PGresult *r = NULL;

    if (identity_of(req)->role == ROLE_STAFF) {
        resp_redirect(req, 303, "/dashboard/me");
        return;
    }
    if (!page_may(req, "GET", "attendance/clock-logs/currently-clocked-in/")) {
        resp_redirect(req, 303, "/dashboard/clock-logs");
        return;
    }
    if (settings_load(req->tenant.id, &s) < 0)
        goto db_fail;
    settings_thresholds(&s, &t);
    if ((ctx = page_context(req, "Board", "/dashboard/")) == NULL)
        return;
    if (page_rows_named_or_reply(req, ctx, clocked_in_rows(req->tenant.id, &t, BOARD_MAX_ROWS, 0, &rows, &total),
                                 &rows, &deps) < 0)
        return;
    page_add_time_texts(rows, (const char *const[]){"time_in", NULL});
    for (size_t i = 0; i < json_object_array_length(rows); i++)
        add_flags(json_object_array_get_idx(rows, i), &t);
    jx_add_bool(ctx, "has_rows", json_object_array_length(rows) > 0);
    json_object_object_add(ctx, "rows", rows);
    rows = NULL;
    jx_add_str(ctx, "departments_json", json_object_to_json_string_ext(deps, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

    /* as the flags' labels write them ("6", "10.5") */
    o = json_object_new_object();
    jx_add_str(o, "break_hours", pool_printf(req->pool, "%g", t.break_hours));
    jx_add_str(o, "overtime_hours", pool_printf(req->pool, "%g", t.overtime_hours));
    jx_add_str(o, "hard_hours", pool_printf(req->pool, "%g", t.hard_hours));
    jx_add_bool(o, "enforce_limits", t.enforce_limits);
    json_object_object_add(ctx, "thresholds", o);

    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    if ((r = db_run(&st_counts, &a)) == NULL || PQntuples(r) != 1)
        goto db_fail;
    o = json_object_new_object();
    jx_add_int(o, "clocked_in", total);
    jx_add_int(o, "clock_ins_today", db_ll(r, 0, N_TODAY_IN));
    jx_add_int(o, "unrostered_today", db_ll(r, 0, N_TODAY_UNROSTERED));
    jx_add_int(o, "pending", db_ll(r, 0, N_PENDING));
    jx_add_int(o, "faces", db_ll(r, 0, N_FACES));
    json_object_object_add(ctx, "counts", o);
    jx_add_str(ctx, "today", db_str(r, 0, N_DAY));
    const char *week = pool_strdup(req->pool, db_str(r, 0, N_WEEK));
    PQclear(r);
    r = NULL;
    if (add_week_chart(req, ctx, &t, week) < 0)
        goto db_fail;
    jx_add_str(ctx, "week_start", week);
    json_object_put(deps);
    page_render(req, 200, "board", ctx);
    return;
db_fail:
    PQclear(r);
    json_object_put(rows);
    json_object_put(deps);
    json_object_put(ctx);
    db_fail_reply(req);
}
