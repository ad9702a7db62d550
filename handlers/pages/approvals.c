/* approvals.c — GET /dashboard/approvals: the queue of unrostered
 * and forced logs awaiting review (the pending-approval API's rows,
 * attendance/review_store.h), each with approve / reject and a note (POST
 * {log_id}/approve/ from the browser). */
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "attendance/review_store.h"
#include "page.h"
#include "page_rules.h"
#include "chrome_store.h"
#include "response.h"

void h_page_approvals(struct request *req)
{
    struct json_object *ctx, *rows = NULL, *deps = NULL;
    long limit, offset;
    long long total;

    arg_page(req, &limit, &offset);
    if ((ctx = page_context(req, "Approvals", "/dashboard/approvals")) == NULL)
        return;
    if (page_rows_named_or_reply(req, ctx, pending_rows(req->tenant.id, limit, offset, &rows, &total),
                                 &rows, &deps) < 0)
        return;
    json_object_put(deps);
    page_add_time_texts(rows, (const char *const[]){"time_in", "time_out", NULL});
    int n = (int)json_object_array_length(rows);
    jx_add_bool(ctx, "has_rows", n > 0);
    jx_add_bool(ctx, "may_decide", page_may(req, "POST", "attendance/clock-logs/1/approve/"));
    json_object_object_add(ctx, "rows", rows);
    page_add_paging(req, ctx, total, offset, limit, n);
    page_render(req, 200, "approvals", ctx);
}
