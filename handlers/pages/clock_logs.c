/* clock_logs.c — GET /dashboard/clock-logs: clock logs with the API's
 * filters (from, to, staff_id, department_id;
 * attendance/clock_logs_store.h), previous / next pages and a CSV export
 * link to the API with the same filters. Staff do not reach it (the
 * route is for managers, hr and admins). */
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "attendance/clock_logs_store.h"
#include "page.h"
#include "page_rules.h"
#include "chrome_store.h"
#include "response.h"

void h_page_clock_logs(struct request *req)
{
    struct json_object *ctx, *rows = NULL, *deps = NULL;
    struct clocklog_filter f;
    long limit, offset;
    long long total;

    arg_page(req, &limit, &offset);
    clocklog_filter_of(req, &f);
    if ((ctx = page_context(req, "Clock logs", "/dashboard/clock-logs")) == NULL)
        return;
    if (page_rows_named_or_reply(req, ctx, clocklog_rows(req->tenant.id, &f, limit, offset, &rows, &total),
                                 &rows, &deps) < 0)
        return;
    page_mark_selected(deps, f.department_id);
    json_object_object_add(ctx, "departments", deps);
    page_add_time_texts(rows, (const char *const[]){"time_in", "time_out", NULL});
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        struct json_object *row = json_object_array_get_idx(rows, i), *h;
        char text[32];
        json_object_object_get_ex(row, "session_duration_hours", &h);
        page_duration_text(json_object_get_double(h), text, sizeof text);
        jx_add_str(row, "duration_text", text);
    }
    const char *qs = page_filter_query(req, ctx,
                                       (const char *const[]){"from", "to", "staff_id", "department_id", NULL});
    jx_add_str(ctx, "csv_href", pool_printf(req->pool, "/api/staff/hotel/%s/attendance/clock-logs/?format=csv%s%s",
                                            req->tenant.slug, *qs ? "&" : "", qs));
    int n = (int)json_object_array_length(rows);
    jx_add_bool(ctx, "has_rows", n > 0);
    json_object_object_add(ctx, "rows", rows);
    page_add_paging(req, ctx, total, offset, limit, n);
    page_render(req, 200, "clock_logs", ctx);
}
