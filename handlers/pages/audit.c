/* audit.c — GET /dashboard/audit: the face audit log with the API's
 * filters (staff_id, action, from, to; attendance/audit_store.h),
 * previous / next pages and a CSV export button: a link to the API's
 * export with the same filters (a GET, so the session cookie is enough). */
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "attendance/audit_store.h"
#include "page.h"
#include "page_rules.h"
#include "chrome_store.h"
#include "response.h"

static const char *const actions[] = {"REGISTERED", "RE_REGISTERED", "REVOKED", "FORCED_CLOCK_IN"};

void h_page_audit(struct request *req)
{
    struct json_object *ctx, *rows = NULL;
    struct audit_filter f;
    long limit, offset;
    long long total;

    arg_page(req, &limit, &offset);
    audit_filter_of(req, &f);
    if ((ctx = page_context(req, "Face audit log", "/dashboard/audit")) == NULL)
        return;
    if (audit_rows(req->tenant.id, &f, limit, offset, &rows, &total) < 0) {
        json_object_put(ctx);
        db_fail_reply(req);
        return;
    }
    page_add_time_texts(rows, (const char *const[]){"created_at", NULL});
    const char *qs = page_filter_query(req, ctx, (const char *const[]){"staff_id", "action", "from", "to", NULL});
    jx_add_str(ctx, "csv_href",
               pool_printf(req->pool, "/api/staff/hotel/%s/attendance/clock-logs/face-audit-logs/?format=csv%s%s",
                           req->tenant.slug, *qs ? "&" : "", qs));
    page_add_choices(ctx, "actions", actions, (int)(sizeof actions / sizeof actions[0]), f.action);
    int n = (int)json_object_array_length(rows);
    jx_add_bool(ctx, "has_rows", n > 0);
    json_object_object_add(ctx, "rows", rows);
    page_add_paging(req, ctx, total, offset, limit, n);
    page_render(req, 200, "audit", ctx);
}
