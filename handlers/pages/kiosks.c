/* kiosks.c — GET /dashboard/kiosks: the hotel's kiosks (the kiosk
 * API's rows, kiosks_store.h) with revoke for the active ones, and the form
 * that creates one (POST kiosks/ from the browser, which shows the key
 * once: it is never stored in clear). */
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "page.h"
#include "chrome_store.h"
#include "people/kiosks_store.h"
#include "response.h"

void h_page_kiosks(struct request *req)
{
    struct json_object *ctx, *rows = NULL;
    long limit, offset;
    long long total;

    arg_page(req, &limit, &offset);
    if ((ctx = page_context(req, "Kiosks", "/dashboard/kiosks")) == NULL)
        return;
    if (kiosk_rows(req->tenant.id, limit, offset, &rows, &total) < 0) {
        json_object_put(ctx);
        db_fail_reply(req);
        return;
    }
    page_add_time_texts(rows, (const char *const[]){"created_at", "revoked_at", NULL});
    int n = (int)json_object_array_length(rows);
    jx_add_bool(ctx, "has_rows", n > 0);
    json_object_object_add(ctx, "rows", rows);
    page_add_paging(req, ctx, total, offset, limit, n);
    page_render(req, 200, "kiosks", ctx);
}
