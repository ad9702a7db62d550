/* staff.c — GET /dashboard/staff: the hotel's staff (the staff
 * API's rows, staff_store.h) with their face data status, the revoke action
 * (a reason is required; DELETE revoke-face/{staff_id}/ from the browser),
 * a link to register a face (/dashboard/staff/{id}/register, the
 * camera page) and one to enroll five poses (/enroll/?employee=<code>).
 * Filters: department, active or not. */
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "page.h"
#include "chrome_store.h"
#include "people/staff_store.h"
#include "response.h"

void h_page_staff(struct request *req)
{
    struct json_object *ctx, *rows = NULL, *deps = NULL;
    struct staff_filter f;
    long limit, offset;
    long long total;

    arg_page(req, &limit, &offset);
    staff_filter_of(req, &f);
    if ((ctx = page_context(req, "Staff", "/dashboard/staff")) == NULL)
        return;
    if (page_rows_named_or_reply(req, ctx, staff_rows(req->tenant.id, &f, limit, offset, &rows, &total),
                                 &rows, &deps) < 0)
        return;
    page_mark_selected(deps, f.department_id);
    json_object_object_add(ctx, "departments", deps);
    page_filter_query(req, ctx, (const char *const[]){"department_id", "is_active", NULL});
    jx_add_bool(ctx, "active_true", f.is_active != NULL && f.is_active[0] == 't');
    jx_add_bool(ctx, "active_false", f.is_active != NULL && f.is_active[0] == 'f');
    /* the revoke API decides who sees the action (the same rule for any id) */
    jx_add_bool(ctx, "may_revoke", page_may(req, "DELETE", "attendance/clock-logs/revoke-face/1/"));
    jx_add_bool(ctx, "may_register", page_may(req, "POST", "attendance/clock-logs/register-face/"));
    int may_enroll = page_may(req, "GET", "/enroll/");
    jx_add_bool(ctx, "may_enroll", may_enroll);
    for (size_t i = 0; may_enroll && i < json_object_array_length(rows); i++) {
        struct json_object *row = json_object_array_get_idx(rows, i), *code = NULL;
        if (json_object_object_get_ex(row, "employee_code", &code) && code != NULL)
            jx_add_str(row, "enroll_href", pool_printf(req->pool, "/enroll/?%s",
                       http_query_append(req->pool, "", "employee", json_object_get_string(code))));
    }
    int n = (int)json_object_array_length(rows);
    jx_add_bool(ctx, "has_rows", n > 0);
    json_object_object_add(ctx, "rows", rows);
    page_add_paging(req, ctx, total, offset, limit, n);
    page_render(req, 200, "staff", ctx);
}
