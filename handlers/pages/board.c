/* board.c — GET /dashboard/: the manager's board. Who is clocked in
 * (the currently-clocked-in API's rows, attendance/review_store.h), since
 * when, for how long, with their safety flags; today's counts
 * (board_store.c) and this week's worked hours and overtime per
 * department, drawn as an SVG chart (page_hours_chart). Staff are sent to their own page
 * (/dashboard/me), HR to the clock logs: the board reads what only
 * managers and admins may. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "board_store.h"
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

void h_page_board(struct request *req)
{
    struct attendance_settings s;
    struct safety_thresholds t;
    struct json_object *ctx = NULL, *rows = NULL, *deps = NULL, *o;
    struct board_counts c;
    long long total;

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

    if (board_counts_load(req->tenant.id, &c) < 0)
        goto db_fail;
    o = json_object_new_object();
    jx_add_int(o, "clocked_in", total);
    jx_add_int(o, "clock_ins_today", c.clock_ins_today);
    jx_add_int(o, "unrostered_today", c.unrostered_today);
    jx_add_int(o, "pending", c.pending);
    jx_add_int(o, "faces", c.faces);
    json_object_object_add(ctx, "counts", o);
    jx_add_str(ctx, "today", c.today);
    if (page_hours_chart(req, ctx, c.week_start, c.today, NULL, 0,
                         pool_printf(req->pool, "Hours worked this week (from %s) per department, with overtime",
                                     c.week_start), "week-chart") < 0)
        goto db_fail;
    jx_add_str(ctx, "week_start", c.week_start);
    json_object_put(deps);
    page_render(req, 200, "board", ctx);
    return;
db_fail:
    json_object_put(rows);
    json_object_put(deps);
    json_object_put(ctx);
    db_fail_reply(req);
}
